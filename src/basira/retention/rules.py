"""Retention rules: how long each kind of record is kept, per organization, over the instance's defaults.

The kinds are the platform's and those each front's manifest declares (:func:`kinds`); their defaults are the
settings ``BASIRA_RETENTION_<KIND>_DAYS`` (or the kind's declared default for a front without such a setting); 0 days
means "keep forever". Setting or clearing an organization's rule is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import InvalidInput
from basira.core.fronts import FrontRegistry, RetentionKind
from basira.core.models import Role, utcnow
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.retention.models import RetentionRule
from basira.retention.parts import retention_kinds

MAX_DAYS = 100 * 366
READ = {Role.ADMIN, Role.AUDITOR}


def kinds(fronts: FrontRegistry | None = None) -> list[RetentionKind]:
    """Every kind of record a rule governs: the platform's and those the fronts declare in their manifests."""
    return retention_kinds(fronts)


def kind_names(fronts: FrontRegistry | None = None) -> tuple[str, ...]:
    return tuple(k.name for k in kinds(fronts))


@dataclass(frozen=True)
class Rule:
    """The rule in force for one kind: days (0 keeps forever) and where it comes from (org or default)."""

    kind: str
    days: int
    source: str


def check_kind(kind: str, fronts: FrontRegistry | None = None) -> str:
    names = kind_names(fronts)
    if kind not in names:
        raise InvalidInput(f"unknown kind of record {kind[:40]!r} ({', '.join(names)})")
    return kind


def default_days(settings: Settings, kind: str, fronts: FrontRegistry | None = None) -> int:
    check_kind(kind, fronts)
    declared = next(k.default_days for k in kinds(fronts) if k.name == kind)
    return int(getattr(settings, f"retention_{kind}_days", declared))


def rules_in_force(session: Session, settings: Settings, org_id: int,
                   fronts: FrontRegistry | None = None) -> list[Rule]:
    """Every kind's rule for the organization: its own where set, else the instance default."""
    own = {r.kind: r.days for r in session.scalars(select(RetentionRule).where(RetentionRule.org_id == org_id))}
    return [Rule(k, own[k], "organization") if k in own else Rule(k, default_days(settings, k, fronts), "default")
            for k in kind_names(fronts)]


def show_rules(session: Session, principal: Principal, settings: Settings) -> list[Rule]:
    principal.require(READ, "read the retention rules")
    return rules_in_force(session, settings, principal.org_id)


def set_rule(session: Session, principal: Principal, kind: str, days: int | None) -> None:
    """Set the organization's rule for ``kind`` (None: back to the instance default); audited."""
    principal.require_admin()
    check_kind(kind)
    row = session.get(RetentionRule, (principal.org_id, kind))
    if days is None:
        if row is not None:
            session.delete(row)
    else:
        if not 0 <= days <= MAX_DAYS:
            raise InvalidInput(f"days are between 0 (keep forever) and {MAX_DAYS}")
        if row is None:
            session.add(RetentionRule(org_id=principal.org_id, kind=kind, days=days, updated_by=principal.actor))
        else:
            row.days, row.updated_by, row.updated_at = days, principal.actor, utcnow()
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="retention.rule",
                 target=f"retention:{kind}", details={"kind": kind, "days": days})
