"""Human-rights safeguards made visible: how often matching was wrong, how often appeals reversed a decision,
and how much was decided by people rather than by the system.

- False-positive opinions per bank: the organization's ``false_positive`` opinions recorded in the period on
  signals of each bank, beside its ``confirmed`` ones (the share tells how often a bank's hits were wrong).
- Reversal rate: appeals (review) and complaints (orders) decided in the period, and the share overturned.
- Automated vs human decisions: a person's decision that took effect (a review decision) against a match the
  system settled alone (suppressed by a decided false positive or a negative bank, never shown to anyone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from basira.core.models import Bank, Match, Opinion, Signal
from basira.legal.models import Complaint
from basira.review.models import Appeal, Case, Decision, DecisionState


@dataclass
class BankErrors:
    """One bank's opinions in the period."""

    bank: str
    false_positive: int
    confirmed: int

    @property
    def false_positive_share(self) -> float | None:
        total = self.false_positive + self.confirmed
        return round(self.false_positive / total, 4) if total else None


@dataclass
class Safeguards:
    """The safeguard figures of one organization over a period."""

    banks: list[BankErrors] = field(default_factory=list)
    appeals_decided: int = 0
    appeals_overturned: int = 0
    complaints_decided: int = 0
    complaints_overturned: int = 0
    human_decisions: int = 0
    automated_decisions: int = 0

    @property
    def reversal_rate(self) -> float | None:
        decided = self.appeals_decided + self.complaints_decided
        return round((self.appeals_overturned + self.complaints_overturned) / decided, 4) if decided else None

    @property
    def automated_share(self) -> float | None:
        total = self.human_decisions + self.automated_decisions
        return round(self.automated_decisions / total, 4) if total else None

    def as_dict(self) -> dict[str, Any]:
        """The figures with the shares computed from them."""
        return {**asdict(self), "reversal_rate": self.reversal_rate, "automated_share": self.automated_share,
                "banks": [{**asdict(b), "false_positive_share": b.false_positive_share} for b in self.banks]}


def safeguards(session: Session, org_id: int, start: dt.datetime, end: dt.datetime) -> Safeguards:
    out = Safeguards()
    in_period = and_(Opinion.org_id == org_id, Opinion.updated_at >= start, Opinion.updated_at < end)
    rows = session.execute(select(Bank.name, Opinion.kind, func.count()).select_from(Opinion)
                           .join(Signal, Signal.id == Opinion.signal_id).join(Bank, Bank.id == Signal.bank_id)
                           .where(in_period, Opinion.kind.in_(("false_positive", "confirmed")))
                           .group_by(Bank.name, Opinion.kind)).all()
    per_bank: dict[str, dict[str, int]] = {}
    for name, kind, n in rows:
        per_bank.setdefault(name, {})[kind] = int(n)
    out.banks = [BankErrors(name, v.get("false_positive", 0), v.get("confirmed", 0))
                 for name, v in sorted(per_bank.items())]
    appeals = select(Appeal.outcome, func.count()).join(Case, Case.id == Appeal.case_id).where(
        Case.org_id == org_id, Appeal.decided_at >= start, Appeal.decided_at < end).group_by(Appeal.outcome)
    for outcome, n in session.execute(appeals).all():
        out.appeals_decided += int(n)
        out.appeals_overturned += int(n) if outcome == "overturned" else 0
    complaints = select(Complaint.outcome, func.count()).where(
        Complaint.org_id == org_id, Complaint.decided_at >= start, Complaint.decided_at < end).group_by(
        Complaint.outcome)
    for outcome, n in session.execute(complaints).all():
        out.complaints_decided += int(n)
        out.complaints_overturned += int(n) if outcome == "overturned" else 0
    out.human_decisions = int(session.scalar(
        select(func.count()).select_from(Decision).join(Case, Case.id == Decision.case_id).where(
            Case.org_id == org_id, Decision.state == DecisionState.TAKEN.value, Decision.decided_at >= start,
            Decision.decided_at < end)) or 0)
    out.automated_decisions = int(session.scalar(
        select(func.count()).select_from(Match).where(Match.org_id == org_id, Match.suppressed.is_(True),
                                                      Match.created_at >= start, Match.created_at < end)) or 0)
    return out
