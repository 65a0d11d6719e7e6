"""Appeals: the affected user's or customer's complaint against a decided case, decided by another reviewer.

An appeal is due 14 days after it is received (``policy.APPEAL_SLA``). Whoever took or confirmed the decision may
not decide the appeal. An overturned decision reverses the opinions it recorded (confirmed ↔ false_positive) and
its suppressions; ``appeal.decided`` lets actions undo what the decision triggered and notify the complainant.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, PermissionDenied
from basira.core.models import OpinionKind, utcnow
from basira.core.principal import Principal
from basira.review import suppression
from basira.review.cases import clean_text, get_case, require_reviewer, transition
from basira.review.decisions import MAX_RATIONALE, record_opinions, taken_decision
from basira.review.events import emit_appeal, links_of
from basira.review.models import Appeal, AppealOutcome, CaseStatus, Decision
from basira.review.policy import APPEAL_SLA
from basira.review.taxonomy import reason_for


@dataclass
class AppealRequest:
    """A complaint as received.

    Attributes:
        complainant: The platform's or bank's reference for the person who complains (not their name, ideally).
        statement: What they say, as they said it.
        expected_version: The case version the person recording it looked at.
    """

    complainant: str
    statement: str = ""
    expected_version: int | None = None


def open_appeal(session: Session, case_id: int) -> Appeal | None:
    return session.scalar(select(Appeal).where(Appeal.case_id == case_id, Appeal.outcome.is_(None))
                          .order_by(Appeal.id.desc()).limit(1))


def record_appeal(session: Session, principal: Principal, case_id: int, request: AppealRequest) -> Appeal:
    """Record a complaint against a decided case; the case becomes ``appealed``.

    Raises:
        Conflict: The case is not decided (still open, already under appeal, or closed) or changed meanwhile.
        InvalidInput: No complainant, or text that is too long or holds control characters.
    """
    require_reviewer(principal)
    case = get_case(session, principal, case_id)
    complainant = clean_text(request.complainant, "a complainant reference", 300, required=True)
    statement = clean_text(request.statement, "a statement", MAX_RATIONALE)
    decision = taken_decision(session, case)
    if case.status != CaseStatus.DECIDED.value or decision is None:
        raise Conflict(f"only a decided case can be appealed; case {case.id} is {case.status}")
    transition(session, case, request.expected_version, CaseStatus.APPEALED.value, (CaseStatus.DECIDED.value,))
    received = utcnow()
    appeal = Appeal(case_id=case.id, decision_id=decision.id, complainant=complainant, statement=statement,
                    recorded_by=principal.actor, received_at=received, due_at=received + APPEAL_SLA)
    session.add(appeal)
    session.flush()
    audit.record(session, org_id=case.org_id, actor=principal.actor, action="case.appeal", target=f"case:{case.id}",
                 details={"appeal": appeal.id, "decision": decision.id, "due_at": appeal.due_at.isoformat()})
    emit_appeal(session, "appeal.recorded", case, appeal, reason_for(case.kind, decision.reason_code))
    return appeal


def decide_appeal(session: Session, principal: Principal, case_id: int, outcome: str, rationale: str = "",
                  expected_version: int | None = None) -> Appeal:
    """Uphold or overturn the decision under appeal; the case is decided again.

    Raises:
        PermissionDenied: The caller took or confirmed the decision under appeal.
        Conflict: The case has no open appeal, or changed since ``expected_version``.
        InvalidInput: ``outcome`` is not ``upheld`` or ``overturned``.
    """
    require_reviewer(principal)
    case = get_case(session, principal, case_id)
    try:
        result = AppealOutcome(outcome)
    except ValueError:
        raise InvalidInput(f"unknown appeal outcome {outcome!r} (upheld, overturned)") from None
    why = clean_text(rationale, "a rationale", MAX_RATIONALE)
    appeal = open_appeal(session, case.id)
    if case.status != CaseStatus.APPEALED.value or appeal is None:
        raise Conflict(f"case {case.id} has no open appeal (it is {case.status})")
    decision = session.get(Decision, appeal.decision_id)
    if decision is None:
        raise Conflict(f"the decision under appeal on case {case.id} is gone")
    if principal.actor in {decision.reviewer, decision.second_reviewer}:
        raise PermissionDenied("an appeal is decided by a reviewer who took no part in the decision")
    transition(session, case, expected_version, CaseStatus.DECIDED.value, (CaseStatus.APPEALED.value,))
    appeal.outcome, appeal.decided_by, appeal.rationale, appeal.decided_at = (
        result.value, principal.actor, why, utcnow())
    session.flush()
    reason = reason_for(case.kind, decision.reason_code)
    reversed_to: str | None = None
    if result == AppealOutcome.OVERTURNED and reason.opinion in (OpinionKind.CONFIRMED, OpinionKind.FALSE_POSITIVE):
        links = links_of(session, case.id)
        if reason.opinion == OpinionKind.CONFIRMED:
            reversed_to = OpinionKind.FALSE_POSITIVE.value
            suppression.record(session, case.org_id, case.id, appeal.decision_id, links)
        else:
            reversed_to = OpinionKind.CONFIRMED.value
            suppression.lift(session, case.org_id, links)
        record_opinions(session, principal, case, reversed_to, f"case {case.id}: appeal {appeal.id} overturned")
    audit.record(session, org_id=case.org_id, actor=principal.actor, action="case.appeal_decide",
                 target=f"case:{case.id}", details={"appeal": appeal.id, "outcome": result.value,
                                                    "opinion": reversed_to})
    emit_appeal(session, "appeal.decided", case, appeal, reason)
    return appeal
