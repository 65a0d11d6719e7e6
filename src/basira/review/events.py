"""The events review writes to the outbox, with their documented payloads (actions and sharing consume them).

- ``case.opened``: a new case (``case_id``, ``kind``, ``group_key``, ``priority``, ``due_at``, ``match_count``);
  actions use it for high-priority hits.
- ``case.decided``: a decision that settles a case (:class:`CaseDecidedPayload`).
- ``case.information_requested``: a decision that keeps the case open (``needs_information``), same payload.
- ``case.closed``: ``case_id``, ``kind``, ``group_key``.
- ``appeal.recorded`` and ``appeal.decided``: :class:`AppealPayload`.
"""

from __future__ import annotations

from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import outbox
from basira.core.models import Bank, Signal
from basira.core.visibility import Access, Visibility
from basira.review.models import Appeal, Case, CaseMatch, Decision
from basira.review.taxonomy import Reason

_MAX_IDS = 1000
_MAX_RATIONALE = 2000


class CaseDecidedPayload(TypedDict):
    """What a decision tells the outside: enough for a webhook to act (remove, freeze, notify) and to undo.

    ``refs`` are the platform's item references (content), the customer reference (finance) or the track id
    (drones); ``violating`` says whether the decision finds a problem; ``opinion`` is the opinion recorded on
    ``signal_ids``, if any.
    """

    case_id: int
    kind: str
    group_key: str
    refs: list[str]
    decision_id: int
    reason_code: str
    violating: bool
    opinion: str | None
    reviewer: str
    second_reviewer: str | None
    rationale: str
    match_ids: list[int]
    signal_ids: list[int]
    decided_at: str


class AppealPayload(TypedDict):
    """An appeal against a case; ``outcome`` (upheld or overturned) and ``violating`` (the stance after the
    appeal) are None until it is decided. ``complainant`` is the platform's or bank's reference for the person."""

    case_id: int
    appeal_id: int
    decision_id: int
    kind: str
    refs: list[str]
    reason_code: str
    complainant: str
    due_at: str
    outcome: str | None
    violating: bool | None
    decided_by: str | None


def case_refs(case: Case) -> list[str]:
    """The outside references of a case's story, from its evidence."""
    ev: dict[str, Any] = case.evidence
    if "track_id" in ev:
        return [str(ev["track_id"])]
    if "customer_ref" in ev:
        return [str(ev["customer_ref"])]
    return [str(i.get("ref") or f"#{i.get('id')}") for i in ev.get("items", [])][:_MAX_IDS]


def links_of(session: Session, case_id: int) -> list[CaseMatch]:
    return list(session.scalars(select(CaseMatch).where(CaseMatch.case_id == case_id).order_by(CaseMatch.id)))


def _visible_signal_ids(session: Session, org_id: int, signal_ids: set[int]) -> list[int]:
    """The ids among ``signal_ids`` whose banks ``org_id`` may see: a match-only (RED, AMBER+STRICT) signal of
    another organization is not named outside, in webhooks or actions."""
    if not signal_ids:
        return []
    vis = Visibility(session, org_id)
    rows = session.execute(select(Signal.id, Signal.bank_id).where(Signal.id.in_(sorted(signal_ids)))).all()
    access: dict[int, Access] = {}
    for _, bank_id in rows:
        if bank_id not in access:
            bank = session.get(Bank, bank_id)
            access[bank_id] = vis.access(bank) if bank is not None else Access.NONE
    return sorted(sid for sid, bank_id in rows if access[bank_id] >= Access.SEE)


def emit_decision(session: Session, case: Case, decision: Decision, reason: Reason) -> None:
    links = links_of(session, case.id)
    payload: CaseDecidedPayload = {
        "case_id": case.id, "kind": case.kind, "group_key": case.group_key, "refs": case_refs(case),
        "decision_id": decision.id, "reason_code": reason.code, "violating": reason.violating,
        "opinion": reason.opinion.value if reason.opinion else None, "reviewer": decision.reviewer,
        "second_reviewer": decision.second_reviewer, "rationale": decision.rationale[:_MAX_RATIONALE],
        "match_ids": [lk.match_id for lk in links][:_MAX_IDS],
        "signal_ids": _visible_signal_ids(session, case.org_id, {lk.signal_id for lk in links})[:_MAX_IDS],
        "decided_at": (decision.decided_at or decision.created_at).isoformat(),
    }
    kind = "case.decided" if reason.decides else "case.information_requested"
    outbox.emit(session, kind, dict(payload), org_id=case.org_id)


def emit_appeal(session: Session, kind: str, case: Case, appeal: Appeal, reason: Reason) -> None:
    violating: bool | None = None
    if appeal.outcome is not None:
        violating = reason.violating if appeal.outcome == "upheld" else not reason.violating
    payload: AppealPayload = {
        "case_id": case.id, "appeal_id": appeal.id, "decision_id": appeal.decision_id, "kind": case.kind,
        "refs": case_refs(case), "reason_code": reason.code, "complainant": appeal.complainant,
        "due_at": appeal.due_at.isoformat(), "outcome": appeal.outcome, "violating": violating,
        "decided_by": appeal.decided_by,
    }
    outbox.emit(session, kind, dict(payload), org_id=case.org_id)
