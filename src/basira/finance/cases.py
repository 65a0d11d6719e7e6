"""The finance front's case kind: ``screening_hit`` (a customer's names or wallets hit list entries) and its
reasons: ``true_match``, ``false_positive`` and ``needs_information`` (the case stays open).
"""

from __future__ import annotations

import datetime as dt

from basira.core.caseshapes import MatchesEvidence
from basira.core.fronts import CaseKindSpec, EvidenceView, Reason
from basira.core.models import OpinionKind
from basira.finance.name_types import FEATURE_WEIGHTS

_C, _F = OpinionKind.CONFIRMED, OpinionKind.FALSE_POSITIVE


class ScreeningHitEvidence(MatchesEvidence):
    """``screening_hit``: one customer's screened items (names, wallets) and their hits on list entries."""

    customer_ref: str


REASONS: tuple[Reason, ...] = (
    Reason("true_match", "True match",
           "The customer or counterparty is the listed person, organization or wallet.", _C),
    Reason("false_positive", "False positive",
           "The customer or counterparty is not the listed one.", _F, violating=False),
    Reason("needs_information", "Needs information",
           "The reviewer needs more identifying information before deciding; the case stays in review.", None,
           decides=False, violating=False),
)

SCREENING_HIT = CaseKindSpec(
    name="screening_hit",
    description="A customer's names or wallets hit sanctions list entries; grouped by customer reference.",
    # FATF Recommendation 6 asks for sanctions freezes "without delay".
    sla=dt.timedelta(hours=24),
    evidence=ScreeningHitEvidence,
    reasons=REASONS,
    group_key="customer_ref",
    group_prefix="customer",
    content_types=frozenset({"person", "organization", "wallet"}),
    view=EvidenceView(template="_evidence_screening.html", feature_weights={**FEATURE_WEIGHTS, "wallet_exact": 1.0}),
)
