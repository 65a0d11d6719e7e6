"""Decisions on cases: a reason code from the taxonomy, a rationale, and four-eyes confirmation when asked.

A decision that takes effect records the organization's opinion on every signal of the case (confirmed or
false_positive, as its reason says), suppresses decided false positives, writes an audit entry and emits
``case.decided`` — all in the caller's transaction, so either everything happens or nothing does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit, opinions
from basira.core.errors import Conflict, NotFound, PermissionDenied
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.review import suppression
from basira.review.cases import clean_text, get_case, require_reviewer, transition
from basira.review.events import emit_decision, links_of
from basira.review.models import OPEN_STATUSES, Case, CaseStatus, Decision, DecisionState
from basira.review.taxonomy import Reason, reason_for

MAX_RATIONALE = 10_000


@dataclass
class DecisionRequest:
    """A reviewer's decision.

    Attributes:
        reason: A reason code of the case's kind (see :mod:`basira.review.taxonomy`).
        rationale: Free text: why (shown to the second reviewer, appeal reviewers and auditors).
        expected_version: The case version the reviewer looked at; a newer one means someone else acted first.
        four_eyes: Ask for a second reviewer even when the policy does not.
    """

    reason: str
    rationale: str = ""
    expected_version: int | None = None
    four_eyes: bool = False


@dataclass
class Effects:
    """What taking a decision did to the signals of the case."""

    opinions: list[int] = field(default_factory=list)
    unreachable: list[int] = field(default_factory=list)
    suppressed: int = 0


def _proposal(session: Session, case_id: int) -> Decision | None:
    return session.scalar(select(Decision).where(Decision.case_id == case_id,
                                                 Decision.state == DecisionState.PROPOSED.value))


def decide(session: Session, principal: Principal, case_id: int, request: DecisionRequest) -> Decision:
    """Decide a new or in-review case; with four-eyes the decision waits for :func:`confirm`.

    Raises:
        Conflict: The case is closed, already decided, awaiting a second reviewer, or changed since
            ``request.expected_version`` (another reviewer decided first).
        InvalidInput: An unknown reason code or a rationale that is too long.
        PermissionDenied: The caller is not a reviewer or an admin.
    """
    require_reviewer(principal)
    case = get_case(session, principal, case_id)
    reason = reason_for(case.kind, request.reason)
    rationale = clean_text(request.rationale, "a rationale", MAX_RATIONALE)
    if case.status not in OPEN_STATUSES:
        raise Conflict(f"case {case.id} is {case.status}; "
                       + ("it cannot change" if case.status == CaseStatus.CLOSED.value else
                          "an appeal is the way to revisit it"))
    if _proposal(session, case.id) is not None:
        raise Conflict(f"case {case.id} awaits a second reviewer's confirmation")
    second_needed = (case.four_eyes or request.four_eyes) and reason.decides
    settles = reason.decides and not second_needed
    status = CaseStatus.DECIDED.value if settles else CaseStatus.IN_REVIEW.value
    # The guarded UPDATE comes first: the loser of a race writes nothing before it is told.
    transition(session, case, request.expected_version, status, OPEN_STATUSES,
               four_eyes=case.four_eyes or request.four_eyes)
    decision = Decision(case_id=case.id, reviewer=principal.actor, reason_code=reason.code, rationale=rationale,
                        four_eyes=second_needed,
                        state=DecisionState.PROPOSED.value if second_needed else DecisionState.TAKEN.value)
    session.add(decision)
    session.flush()
    if second_needed:
        audit.record(session, org_id=case.org_id, actor=principal.actor, action="case.propose",
                     target=f"case:{case.id}", details={"decision": decision.id, "reason": reason.code})
        return decision
    _take(session, principal, case, decision, reason)
    return decision


def confirm(session: Session, principal: Principal, case_id: int, *, agree: bool = True, note: str = "",
            expected_version: int | None = None) -> Decision:
    """The second reviewer confirms (the decision takes effect) or rejects (the case goes back to review).

    Raises:
        PermissionDenied: The caller proposed the decision (four eyes means two different people).
        Conflict: No decision awaits confirmation, or the case changed since ``expected_version``.
    """
    require_reviewer(principal)
    case = get_case(session, principal, case_id)
    text = clean_text(note, "a note", MAX_RATIONALE)
    proposal = _proposal(session, case.id)
    if proposal is None:
        raise Conflict(f"no decision on case {case.id} awaits confirmation")
    if proposal.reviewer == principal.actor:
        raise PermissionDenied("four-eyes review: a second, different reviewer must confirm this decision")
    reason = reason_for(case.kind, proposal.reason_code)
    status = CaseStatus.DECIDED.value if agree else CaseStatus.IN_REVIEW.value
    transition(session, case, expected_version, status, (CaseStatus.IN_REVIEW.value,))
    proposal.second_reviewer, proposal.second_note = principal.actor, text
    if not agree:
        proposal.state = DecisionState.REJECTED.value
        session.flush()
        audit.record(session, org_id=case.org_id, actor=principal.actor, action="case.reject",
                     target=f"case:{case.id}", details={"decision": proposal.id, "note": text[:500]})
        return proposal
    proposal.state = DecisionState.TAKEN.value
    session.flush()
    _take(session, principal, case, proposal, reason)
    return proposal


def record_opinions(session: Session, principal: Principal, case: Case, opinion: str, note: str) -> Effects:
    """Set the organization's opinion on every signal of the case that it can still reach.

    A signal whose bank was since deleted or unshared cannot take an opinion; it is listed, not fatal.
    """
    eff = Effects()
    for signal_id in sorted({lk.signal_id for lk in links_of(session, case.id)}):
        try:
            opinions.set_opinion(session, principal, signal_id, opinion, note=note)
            eff.opinions.append(signal_id)
        except NotFound:
            eff.unreachable.append(signal_id)
    return eff


def _take(session: Session, principal: Principal, case: Case, decision: Decision, reason: Reason) -> None:
    decision.decided_at = utcnow()
    eff = Effects()
    if reason.opinion is not None:
        eff = record_opinions(session, principal, case, reason.opinion.value,
                              f"case {case.id}: {reason.code}")
    if reason.suppresses:
        eff.suppressed = suppression.record(session, case.org_id, case.id, decision.id, links_of(session, case.id))
    session.flush()
    audit.record(session, org_id=case.org_id, actor=principal.actor, action="case.decide", target=f"case:{case.id}",
                 details={"decision": decision.id, "reason": reason.code, "reviewer": decision.reviewer,
                          "second_reviewer": decision.second_reviewer, "opinions": len(eff.opinions),
                          "unreachable_signals": eff.unreachable[:100], "suppressed": eff.suppressed})
    emit_decision(session, case, decision, reason)


def taken_decision(session: Session, case: Case) -> Decision | None:
    """The latest decision that settled the case (what an appeal is against)."""
    for d in session.scalars(select(Decision).where(Decision.case_id == case.id,
                                                    Decision.state == DecisionState.TAKEN.value)
                             .order_by(Decision.id.desc())):
        if reason_for(case.kind, d.reason_code).decides:
            return d
    return None
