"""Undoing an action (reinstate): a reviewer says that what a decision set off outside must be reversed.

The action is marked undone (once: a second undo is a conflict), deliveries of it that had not gone out are
cancelled, the undo is audited, and an ``action.undone`` event is written; the actions consumer sends it to the
webhooks that asked for ``action.undone``, as an action of its own.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from basira.actions.models import Action, ActionStatus, Delivery, DeliveryStatus
from basira.core import audit, outbox
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.models import Role, as_id, utcnow
from basira.core.principal import Principal

UNDO_ROLES = {Role.ADMIN, Role.REVIEWER}
MAX_REASON = 2000


def get_action(session: Session, principal: Principal, action_id: int | str) -> Action:
    """An action of the caller's organization (any role may read it), else NotFound."""
    aid = as_id(action_id)
    action = session.get(Action, aid) if aid is not None and aid > 0 else None
    if action is None or action.org_id != principal.org_id:
        raise NotFound(f"no action {action_id!r}")
    return action


def undo_action(session: Session, principal: Principal, action_id: int, reason: str = "") -> Action:
    """Undo an action; returns it, now ``undone``.

    Raises:
        PermissionDenied: The caller is not a reviewer or an admin.
        NotFound: No such action in the caller's organization.
        Conflict: The action is already undone, or it is itself an undo.
        InvalidInput: A reason that is too long or holds control characters.
    """
    principal.require(UNDO_ROLES, "undo actions")
    action = get_action(session, principal, action_id)
    why = reason.strip()
    if len(why) > MAX_REASON or any(ord(c) < 32 and c not in "\n\t" for c in why):
        raise InvalidInput(f"a reason has at most {MAX_REASON} characters and no control characters")
    if action.webhook_event == "action.undone":
        raise Conflict(f"action {action.id} is itself an undo; it cannot be undone")
    now = utcnow()
    # A guarded update: of two reviewers undoing at once, one wins and the other is told.
    result = cast(CursorResult[Any], session.execute(
        update(Action).where(Action.id == action.id, Action.status == ActionStatus.DONE.value)
        .values(status=ActionStatus.UNDONE.value, undone_by=principal.actor, undone_at=now, undo_reason=why)
        .execution_options(synchronize_session=False)))
    session.refresh(action)
    if result.rowcount != 1:
        raise Conflict(f"action {action.id} was already undone by {action.undone_by}")
    cancelled = cast(CursorResult[Any], session.execute(
        update(Delivery).where(Delivery.action_id == action.id,
                               Delivery.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.DEAD.value]))
        .values(status=DeliveryStatus.CANCELLED.value, last_error="the action was undone before it was delivered")
        .execution_options(synchronize_session=False))).rowcount
    audit.record(session, org_id=action.org_id, actor=principal.actor, action="action.undo",
                 target=f"action:{action.id}", details={"event": action.webhook_event, "case_id": action.case_id,
                                                        "reason": why[:500], "cancelled_deliveries": cancelled})
    if action.case_id is not None:
        # The case's own trail shows the undo too.
        audit.record(session, org_id=action.org_id, actor=principal.actor, action="case.action_undo",
                     target=f"case:{action.case_id}", details={"action": action.id, "reason": why[:500]})
    outbox.emit(session, "action.undone", {
        "action_id": action.id, "undone_event": action.webhook_event, "case_id": action.case_id,
        "refs": action.data.get("refs", []), "decision_id": action.data.get("decision_id"),
        "reason": why, "undone_by": principal.actor, "undone_at": now.isoformat(),
        "cancelled_deliveries": cancelled, "original": action.data,
    }, org_id=action.org_id)
    return action


def list_actions(session: Session, principal: Principal, *, case_id: int | None = None, limit: int = 50,
                 offset: int = 0) -> list[Action]:
    """The actions of the caller's organization, newest first, optionally those of one case."""
    from basira.actions.webhooks import require_read

    require_read(principal)
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("a page holds 1-500 actions from a non-negative offset")
    q = select(Action).where(Action.org_id == principal.org_id)
    if case_id is not None:
        q = q.where(Action.case_id == case_id)
    return list(session.scalars(q.order_by(Action.id.desc()).limit(limit).offset(offset)))
