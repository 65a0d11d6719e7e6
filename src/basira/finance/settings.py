"""Screening settings per organization: the alert threshold, feature weights and the lists in force.

Every change is audited (before and after) and raises the settings' version; every screening result shows the
settings it ran with, version included, so a compliance officer can tell which rules produced an alert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import InvalidInput
from basira.core.models import Bank, utcnow
from basira.core.principal import Principal
from basira.finance.models import ScreeningSettings
from basira.finance.names import DEFAULT_THRESHOLD

_FEATURE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_WEIGHT = 5.0


@dataclass
class SettingsView:
    """Settings as in force: ``version`` 0 means the defaults, never changed."""

    version: int = 0
    threshold: float = DEFAULT_THRESHOLD
    weights: dict[str, float] = field(default_factory=dict)
    bank_ids: list[int] | None = None
    updated_by: str = ""
    updated_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "threshold": self.threshold, "weights": dict(self.weights),
                "bank_ids": self.bank_ids, "updated_by": self.updated_by, "updated_at": self.updated_at}


def current_settings(session: Session, org_id: int) -> SettingsView:
    row = session.get(ScreeningSettings, org_id)
    if row is None:
        return SettingsView()
    return SettingsView(row.version, row.threshold, {k: float(v) for k, v in row.weights.items()},
                        list(row.bank_ids) if row.bank_ids is not None else None, row.updated_by,
                        row.updated_at.isoformat())


def update_settings(session: Session, principal: Principal, *, threshold: float | None = None,
                    weights: dict[str, float] | None = None, bank_ids: list[int] | None = None,
                    all_lists: bool = False) -> SettingsView:
    """Change the settings (admins only); ``all_lists`` puts every list bank back in force.

    Raises:
        InvalidInput: A threshold outside (0, 1], a weight outside 0..5 or of a malformed feature name, or a bank
            the organization does not own or may not see.
    """
    principal.require_admin()
    before = current_settings(session, principal.org_id)
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise InvalidInput("threshold is in (0, 1]")
    for k, v in (weights or {}).items():
        if not _FEATURE.match(k) or not 0.0 <= float(v) <= MAX_WEIGHT:
            raise InvalidInput(f"weight {k[:40]!r}={v!r}: a feature name (a-z, 0-9, _) and a weight in 0..{MAX_WEIGHT}")
    if bank_ids is not None:
        known = set(session.scalars(select(Bank.id).where(Bank.id.in_(bank_ids), Bank.deleted_at.is_(None))))
        missing = set(bank_ids) - known
        if missing:
            raise InvalidInput(f"no bank {sorted(missing)[0]}")
    row = session.get(ScreeningSettings, principal.org_id, with_for_update=True)
    if row is None:
        row = ScreeningSettings(org_id=principal.org_id, version=0, threshold=before.threshold, weights={},
                                bank_ids=None)
        session.add(row)
    if threshold is not None:
        row.threshold = float(threshold)
    if weights is not None:
        row.weights = {k: float(v) for k, v in weights.items()}
    if all_lists:
        row.bank_ids = None
    elif bank_ids is not None:
        row.bank_ids = sorted(set(bank_ids))
    row.version = (row.version or 0) + 1
    row.updated_by = principal.actor[:200]
    row.updated_at = utcnow()
    session.flush()
    after = current_settings(session, principal.org_id)
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="screening.settings",
                 target=f"org:{principal.org_id}", details={"before": before.as_dict(), "after": after.as_dict()})
    return after
