"""How cases are opened: per-kind deadlines (SLA), priorities and when four-eyes review applies.

Each case kind's default deadline and priority come from its front's manifest (:class:`basira.core.fronts.
CaseKindSpec`); a :class:`ReviewPolicy` passed to :func:`basira.review.consume` may override the deadlines. An
appeal is decided within 14 days (``APPEAL_SLA``). Priority 1 (high) sorts first in the queue; an event may name
its own priority (``"priority": "high" | "normal" | "low"``), otherwise its kind decides (normal by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from basira.core.fronts import CaseKindSpec, FrontRegistry, Priority, default_fronts

__all__ = ["APPEAL_SLA", "Priority", "ReviewPolicy", "priority_of"]

APPEAL_SLA = dt.timedelta(days=14)


@dataclass(frozen=True)
class ReviewPolicy:
    """What the consumer applies to the cases it opens.

    Attributes:
        sla: Time from opening to the deadline, per case kind (missing kinds use their manifest's SLA).
        four_eyes_kinds: Case kinds whose decisions need a second reviewer.
        four_eyes_bank_ids: Banks whose hits need a second reviewer (an owner or partner asked for it).
        four_eyes_org_ids: Organizations whose every case needs a second reviewer.
        fronts: The fronts whose case kinds are known (the process's own when None).
    """

    sla: Mapping[str, dt.timedelta] = field(default_factory=dict)
    four_eyes_kinds: frozenset[str] = frozenset()
    four_eyes_bank_ids: frozenset[int] = frozenset()
    four_eyes_org_ids: frozenset[int] = frozenset()
    fronts: FrontRegistry | None = None

    @property
    def registry(self) -> FrontRegistry:
        return self.fronts if self.fronts is not None else default_fronts()

    def deadline(self, kind: str, opened: dt.datetime) -> dt.datetime:
        sla = self.sla.get(kind)
        return opened + (sla if sla is not None else self.registry.case_kind(kind).sla)

    def needs_four_eyes(self, org_id: int, kind: str, bank_ids: set[int]) -> bool:
        return (kind in self.four_eyes_kinds or org_id in self.four_eyes_org_ids
                or bool(bank_ids & self.four_eyes_bank_ids))


def priority_of(kind: CaseKindSpec, payload: Mapping[str, object]) -> Priority:
    """The priority an event asks for, else the kind's default (see the module docstring)."""
    named = payload.get("priority")
    if isinstance(named, str) and named.upper() in Priority.__members__:
        return Priority[named.upper()]
    return kind.priority(payload) if kind.priority is not None else Priority.NORMAL
