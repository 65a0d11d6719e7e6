"""The actions consumer: turns outbox events into actions and one pending delivery per subscribed webhook.

It reads ``case.decided``, ``case.opened`` (high priority only: ``case.high_priority``), ``appeal.decided``,
``action.undone`` and the legal events (``legal.deadline_near``, ``legal.deadline_missed``,
``legal.notice_released``, ``legal.order_reinstated``). Each batch, its actions, deliveries and the consumer's
cursor commit together; an action is unique per event, so an event read twice (a reset cursor, two workers)
delivers once. An appeal that overturns a decision undoes the decision's action, which sends ``action.undone``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.actions.models import Action, ActionStatus, Delivery, DeliveryStatus, Webhook
from basira.actions.undo import undo_action
from basira.core import outbox
from basira.core.models import Event, Organization, Role, utcnow
from basira.core.principal import Principal

CONSUMER = "actions"
KINDS = ("case.decided", "case.opened", "appeal.decided", "action.undone",
         # Removal orders (basira.legal): the one-hour clock's escalations, notices, reinstatements.
         "legal.deadline_near", "legal.deadline_missed", "legal.notice_released", "legal.order_reinstated")
HIGH_PRIORITY = 1

SessionFactory = Callable[[], AbstractContextManager[Session]]


@dataclass
class DispatchReport:
    """What one call of :func:`dispatch` did.

    Attributes:
        events: Events read.
        actions: Actions made (events that at least one webhook asked for).
        deliveries: Deliveries queued.
        duplicates: Events that already had their action (read twice).
        undone: Actions undone because an appeal overturned their decision.
        action_ids: The actions made.
    """

    events: int = 0
    actions: int = 0
    deliveries: int = 0
    duplicates: int = 0
    undone: int = 0
    action_ids: list[int] = field(default_factory=list)


def webhook_event_of(ev: Event) -> str | None:
    """The webhook event an outbox event becomes, or None when it becomes none."""
    if ev.kind == "case.opened":
        priority = ev.payload.get("priority") if isinstance(ev.payload, dict) else None
        return "case.high_priority" if priority == HIGH_PRIORITY else None
    return ev.kind if ev.kind in KINDS else None


def body_of(action: Action, ev: Event, org_slug: str) -> str:
    """The JSON body every webhook of ``action`` receives (fixed once, so every retry sends the same bytes)."""
    return json.dumps({
        "type": action.webhook_event, "action_id": action.id, "event_id": ev.id, "organization": org_slug,
        "occurred_at": ev.created_at.isoformat(), "data": action.data,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def dispatch(factory: SessionFactory, *, batch_size: int = 500, max_batches: int | None = None) -> DispatchReport:
    """Turn new events into actions and deliveries until none is left (each batch in its own transaction)."""
    report = DispatchReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        undone_before = report.undone
        with factory() as session:
            n = dispatch_batch(session, batch_size, report)
        batches += 1
        # An undo made by this batch wrote an action.undone event after it: read on to send that too.
        if n < batch_size and report.undone == undone_before:
            break
    return report


def dispatch_batch(session: Session, batch_size: int, report: DispatchReport) -> int:
    """Handle one batch in ``session``'s transaction; returns how many events were read."""
    # Taking the cursor row first (FOR UPDATE on PostgreSQL) makes two workers take turns.
    outbox.advance(session, CONSUMER, 0)
    events = outbox.pending(session, CONSUMER, KINDS, limit=batch_size)
    if not events:
        return 0
    seen = set(session.scalars(select(Action.event_id).where(Action.event_id.in_([e.id for e in events]))))
    for ev in events:
        report.events += 1
        if ev.id in seen:
            report.duplicates += 1
            continue
        if ev.org_id is None or not isinstance(ev.payload, dict):
            continue
        if ev.kind == "appeal.decided" and ev.payload.get("outcome") == "overturned":
            report.undone += _undo_overturned(session, ev.org_id, ev.payload)
        _make(session, ev, report)
    outbox.advance(session, CONSUMER, events[-1].id)
    session.flush()
    return len(events)


def _make(session: Session, ev: Event, report: DispatchReport) -> None:
    name = webhook_event_of(ev)
    if name is None or ev.org_id is None:
        return
    hooks = [h for h in session.scalars(select(Webhook).where(
        Webhook.org_id == ev.org_id, Webhook.enabled.is_(True), Webhook.deleted_at.is_(None)).order_by(Webhook.id))
        if name in h.events]
    if not hooks:
        return
    payload: dict[str, Any] = dict(ev.payload)
    case_id = payload.get("case_id")
    undoes = payload.get("action_id") if name == "action.undone" else None
    action = Action(org_id=ev.org_id, event_id=ev.id, webhook_event=name, data=payload,
                    case_id=case_id if isinstance(case_id, int) and not isinstance(case_id, bool) else None,
                    undoes_action_id=undoes if isinstance(undoes, int) else None, status=ActionStatus.DONE.value,
                    created_at=utcnow())
    session.add(action)
    session.flush()
    org = session.get(Organization, ev.org_id)
    body = body_of(action, ev, org.slug if org else "")
    now = utcnow()
    for hook in hooks:
        session.add(Delivery(org_id=ev.org_id, webhook_id=hook.id, action_id=action.id, webhook_event=name,
                             idempotency_key="bsd_" + secrets.token_hex(16), body=body,
                             status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now, created_at=now))
        report.deliveries += 1
    session.flush()
    report.actions += 1
    report.action_ids.append(action.id)


def _undo_overturned(session: Session, org_id: int, payload: dict[str, Any]) -> int:
    """Undo the actions of the decision an appeal overturned; returns how many were undone."""
    case_id, decision_id = payload.get("case_id"), payload.get("decision_id")
    if not isinstance(case_id, int) or not isinstance(decision_id, int):
        return 0
    done = 0
    actor = f"appeal:{payload.get('appeal_id')}"
    who = Principal(org_id=org_id, role=Role.ADMIN, actor=actor)
    for action in session.scalars(select(Action).where(
            Action.org_id == org_id, Action.case_id == case_id, Action.webhook_event == "case.decided",
            Action.status == ActionStatus.DONE.value).order_by(Action.id)):
        if action.data.get("decision_id") == decision_id:
            undo_action(session, who, action.id, f"appeal {payload.get('appeal_id')} overturned the decision")
            done += 1
    return done
