"""Complaints against a removal under an order (TCO Art. 10): recorded, decided within two weeks by someone who
did not confirm the removal, and an upheld complaint reinstates the content.

The two-week clock and the outcomes are those of review appeals (:mod:`basira.review.appeals`), so that the
transparency report counts both the same way.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit, outbox
from basira.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.legal import execution
from basira.legal.models import Complaint, OrderStatus
from basira.legal.orders import LEGAL_ROLES, MAX_TEXT, get_order
from basira.review.cases import clean_text
from basira.review.models import AppealOutcome
from basira.review.policy import APPEAL_SLA


def record(session: Session, principal: Principal, order_id: int | str, complainant: str, statement: str = "",
           now: dt.datetime | None = None) -> Complaint:
    """Record a content provider's complaint against an executed order; it is due two weeks later."""
    principal.require(LEGAL_ROLES, "record complaints")
    order = get_order(session, principal, order_id)
    who = clean_text(complainant, "a complainant reference", 300)
    if not who:
        raise InvalidInput("a complainant reference is required")
    if order.status != OrderStatus.EXECUTED.value:
        raise Conflict(f"only a removal can be complained about; order {order.id} is {order.status}")
    if session.scalar(select(Complaint.id).where(Complaint.order_id == order.id, Complaint.outcome.is_(None))):
        raise Conflict(f"order {order.id} already has an open complaint")
    at = now or utcnow()
    said = clean_text(statement, "a statement", MAX_TEXT)
    row = Complaint(org_id=order.org_id, order_id=order.id, complainant=who, statement=said, received_at=at,
                    due_at=at + APPEAL_SLA, rationale="")
    session.add(row)
    session.flush()
    audit.record(session, org_id=order.org_id, actor=principal.actor, action="legal.complaint.record",
                 target=f"order:{order.id}", details={"complaint": row.id, "due_at": row.due_at.isoformat()})
    return row


def decide(session: Session, principal: Principal, complaint_id: int, outcome: str, rationale: str = "",
           now: dt.datetime | None = None) -> Complaint:
    """Decide a complaint. Outcomes speak of the removal, as appeals speak of a decision: ``upheld`` keeps it,
    ``overturned`` reverses it and reinstates the content.

    Raises:
        NotFound: No such complaint in the caller's organization.
        PermissionDenied: The caller confirmed the removal complained about.
        Conflict: The complaint is already decided.
    """
    principal.require(LEGAL_ROLES, "decide complaints")
    row = session.get(Complaint, complaint_id)
    if row is None or row.org_id != principal.org_id:
        raise NotFound(f"no complaint {complaint_id}")
    try:
        result = AppealOutcome(outcome)
    except ValueError:
        raise InvalidInput(f"unknown outcome {outcome!r} (upheld, overturned)") from None
    if row.outcome is not None:
        raise Conflict(f"complaint {row.id} is already decided")
    order = get_order(session, principal, row.order_id)
    if principal.actor == order.confirmed_by:
        raise PermissionDenied("a complaint is decided by someone who did not confirm the removal")
    at = now or utcnow()
    why = clean_text(rationale, "a rationale", MAX_TEXT)
    row.outcome, row.decided_by, row.rationale, row.decided_at = result.value, principal.actor, why, at
    session.flush()
    audit.record(session, org_id=row.org_id, actor=principal.actor, action="legal.complaint.decide",
                 target=f"order:{order.id}", details={"complaint": row.id, "outcome": result.value,
                                                      "late": at > row.due_at})
    outbox.emit(session, "legal.complaint_decided", {"complaint_id": row.id, "order_id": order.id,
                                                     "outcome": result.value}, org_id=row.org_id)
    if result == AppealOutcome.OVERTURNED:
        execution.reinstate(session, principal, order.id, f"complaint {row.id}: {why or 'upheld'}", now=at)
    return row


def list_complaints(session: Session, principal: Principal, order_id: int | str) -> list[Complaint]:
    order = get_order(session, principal, order_id)
    return list(session.scalars(select(Complaint).where(Complaint.order_id == order.id).order_by(Complaint.id)))
