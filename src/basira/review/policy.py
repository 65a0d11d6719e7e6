"""How cases are opened: per-kind deadlines (SLA), priorities and when four-eyes review applies.

Defaults (change them by passing a :class:`ReviewPolicy` to :func:`basira.review.consume`):

| case kind       | deadline   | why                                                                        |
| content_match   | 24 hours   | hash hits on a platform are reviewed within a working day                  |
| screening_hit   | 24 hours   | FATF Recommendation 6 asks for sanctions freezes "without delay"           |
| drone_alert     | 15 minutes | an aircraft in protected airspace needs an answer while it is still there  |
| appeal          | 14 days    | a complaint is decided within two weeks                                     |

Priority 1 (high) sorts first in the queue; drone alerts of the kinds in ``URGENT_ALERTS`` are high, everything
else normal, unless the event names a priority itself (``"priority": "high" | "normal" | "low"``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from basira.review.models import CaseKind


class Priority(enum.IntEnum):
    """Queue order: lower numbers first."""

    HIGH = 1
    NORMAL = 2
    LOW = 3


DEFAULT_SLA: Mapping[str, dt.timedelta] = {
    CaseKind.CONTENT_MATCH.value: dt.timedelta(hours=24),
    CaseKind.SCREENING_HIT.value: dt.timedelta(hours=24),
    CaseKind.DRONE_ALERT.value: dt.timedelta(minutes=15),
}
APPEAL_SLA = dt.timedelta(days=14)

# Drone alert kinds that put a case at the top of the queue.
URGENT_ALERTS = frozenset({"ENTER", "OPERATOR_IN_ZONE", "EMERGENCY", "WATCHLIST"})


@dataclass(frozen=True)
class ReviewPolicy:
    """What the consumer applies to the cases it opens.

    Attributes:
        sla: Time from opening to the deadline, per case kind (missing kinds use ``DEFAULT_SLA``).
        four_eyes_kinds: Case kinds whose decisions need a second reviewer.
        four_eyes_bank_ids: Banks whose hits need a second reviewer (an owner or partner asked for it).
        four_eyes_org_ids: Organizations whose every case needs a second reviewer.
    """

    sla: Mapping[str, dt.timedelta] = field(default_factory=dict)
    four_eyes_kinds: frozenset[str] = frozenset()
    four_eyes_bank_ids: frozenset[int] = frozenset()
    four_eyes_org_ids: frozenset[int] = frozenset()

    def deadline(self, kind: str, opened: dt.datetime) -> dt.datetime:
        return opened + self.sla.get(kind, DEFAULT_SLA[kind])

    def needs_four_eyes(self, org_id: int, kind: str, bank_ids: set[int]) -> bool:
        return (kind in self.four_eyes_kinds or org_id in self.four_eyes_org_ids
                or bool(bank_ids & self.four_eyes_bank_ids))


def priority_of(kind: str, payload: Mapping[str, object]) -> Priority:
    """The priority an event asks for, else the kind's default (see the module docstring)."""
    named = payload.get("priority")
    if isinstance(named, str) and named.upper() in Priority.__members__:
        return Priority[named.upper()]
    if kind == CaseKind.DRONE_ALERT.value and str(payload.get("alert_kind", "")).upper() in URGENT_ALERTS:
        return Priority.HIGH
    return Priority.NORMAL
