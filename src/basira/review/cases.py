"""Cases as reviewers and auditors see them: the queue, one case, assignment, closing, and the guarded transition.

Every change to a case goes through :func:`transition`, an ``UPDATE ... WHERE version = <seen>``: when two people
act on the same case at once, one wins and the other gets :class:`~basira.core.errors.Conflict`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from basira.core import audit, outbox
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.fronts import default_fronts
from basira.core.models import AuditEntry, Role, as_id, utcnow
from basira.core.principal import Principal
from basira.review.models import OPEN_STATUSES, Appeal, Case, CaseMatch, CaseStatus, Decision

# Reviewers decide; admins may too. Analysts manage banks and auditors only read.
REVIEW_ROLES = {Role.ADMIN, Role.REVIEWER}
MAX_PAGE = 500


def require_reviewer(principal: Principal) -> None:
    principal.require(REVIEW_ROLES, "review cases")


def clean_text(value: str, what: str, limit: int, *, required: bool = False) -> str:
    """``value`` stripped, or InvalidInput when it is too long, required and empty, or holds control characters."""
    text = value.strip()
    if required and not text:
        raise InvalidInput(f"{what} is required")
    if len(text) > limit:
        raise InvalidInput(f"{what} has at most {limit} characters")
    # Line breaks and tabs are fine in prose; other control and bidi-override characters are not.
    if any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\r\t\u200c\u200d" for c in text):
        raise InvalidInput(f"{what} holds control or formatting characters")
    return text


def get_case(session: Session, principal: Principal, case_id: int | str) -> Case:
    """A case of the caller's organization (any role may read), else NotFound."""
    cid = as_id(case_id)
    case = session.get(Case, cid) if cid is not None and cid > 0 else None
    if case is None or case.org_id != principal.org_id:
        raise NotFound(f"no case {case_id!r}")
    return case


@dataclass
class CaseQuery:
    """Filters for the queue; the queue is ordered by priority, then deadline, then age."""

    status: str | None = None
    kind: str | None = None
    priority: int | None = None
    assignee: str | None = None
    overdue: bool = False
    limit: int = 50
    offset: int = 0


def list_cases(session: Session, principal: Principal, query: CaseQuery) -> list[Case]:
    q = select(Case).where(Case.org_id == principal.org_id)
    if query.status is not None:
        if query.status not in CaseStatus.__members__.values():
            raise InvalidInput(f"unknown status {query.status!r} ({', '.join(s.value for s in CaseStatus)})")
        q = q.where(Case.status == query.status)
    if query.kind is not None:
        default_fronts().case_kind(query.kind)  # InvalidInput naming the kinds that exist
        q = q.where(Case.kind == query.kind)
    if query.priority is not None:
        q = q.where(Case.priority == query.priority)
    if query.assignee is not None:
        q = q.where(Case.assignee == query.assignee)
    if query.overdue:
        q = q.where(Case.due_at < utcnow(), Case.status.in_(OPEN_STATUSES))
    if not 1 <= query.limit <= MAX_PAGE or query.offset < 0:
        raise InvalidInput(f"a page holds 1-{MAX_PAGE} cases from a non-negative offset")
    q = q.order_by(Case.priority, Case.due_at, Case.id).limit(query.limit).offset(query.offset)
    return list(session.scalars(q))


def case_matches(session: Session, principal: Principal, case_id: int) -> list[CaseMatch]:
    case = get_case(session, principal, case_id)
    return list(session.scalars(select(CaseMatch).where(CaseMatch.case_id == case.id).order_by(CaseMatch.id)))


def decisions_of(session: Session, principal: Principal, case_id: int) -> list[Decision]:
    case = get_case(session, principal, case_id)
    return list(session.scalars(select(Decision).where(Decision.case_id == case.id).order_by(Decision.id)))


def appeals_of(session: Session, principal: Principal, case_id: int) -> list[Appeal]:
    case = get_case(session, principal, case_id)
    return list(session.scalars(select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id)))


def audit_trail(session: Session, principal: Principal, case_id: int) -> list[AuditEntry]:
    """The audit entries about one case, oldest first."""
    case = get_case(session, principal, case_id)
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.chain == audit.org_chain(case.org_id), AuditEntry.target == f"case:{case.id}")
        .order_by(AuditEntry.seq)))


def transition(session: Session, case: Case, seen_version: int | None, status: str,
               allowed_from: tuple[str, ...], **values: Any) -> None:
    """Move ``case`` to ``status`` if it is still at ``seen_version`` in one of ``allowed_from``; else Conflict.

    ``seen_version`` is the version the actor looked at (None: the version loaded in this transaction).
    """
    seen = case.version if seen_version is None else seen_version
    if case.status == CaseStatus.CLOSED.value:
        raise Conflict(f"case {case.id} is closed")
    result = cast(CursorResult[Any], session.execute(
        update(Case).where(Case.id == case.id, Case.version == seen, Case.status.in_(allowed_from))
        .values(version=seen + 1, status=status, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)))
    session.refresh(case)
    if result.rowcount != 1:
        if case.status == CaseStatus.CLOSED.value:
            raise Conflict(f"case {case.id} is closed")
        if case.version != seen:
            raise Conflict(f"case {case.id} changed since version {seen} (it is at version {case.version}, "
                           f"{case.status}): reload it and try again", version=case.version)
        raise Conflict(f"case {case.id} is {case.status}", version=case.version)


def assign(session: Session, principal: Principal, case_id: int, assignee: str | None,
           expected_version: int | None = None) -> Case:
    """Give an open case to a reviewer (or take it back with None); an assigned case is in review."""
    require_reviewer(principal)
    case = get_case(session, principal, case_id)
    who = clean_text(assignee, "an assignee", 200, required=True) if assignee is not None else None
    status = CaseStatus.IN_REVIEW.value if who else case.status
    transition(session, case, expected_version, status, OPEN_STATUSES, assignee=who)
    audit.record(session, org_id=case.org_id, actor=principal.actor, action="case.assign",
                 target=f"case:{case.id}", details={"assignee": who})
    return case


def close_case(session: Session, principal: Principal, case_id: int, expected_version: int | None = None) -> Case:
    """Close a decided case (nothing more will happen to it; an open appeal must be decided first)."""
    require_reviewer(principal)
    case = get_case(session, principal, case_id)
    if case.status != CaseStatus.DECIDED.value:
        raise Conflict(f"only a decided case can be closed; case {case.id} is {case.status}")
    transition(session, case, expected_version, CaseStatus.CLOSED.value, (CaseStatus.DECIDED.value,))
    audit.record(session, org_id=case.org_id, actor=principal.actor, action="case.close", target=f"case:{case.id}")
    outbox.emit(session, "case.closed", {"case_id": case.id, "kind": case.kind, "group_key": case.group_key},
                org_id=case.org_id)
    return case
