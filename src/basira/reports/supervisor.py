"""The report for a financial supervisor: for a calendar year (UTC), the sanctions-list updates the organization
imported (version, publication, how many hours after publication, the delta, the customers re-screened and the new
hits), its screening activity, and the screening cases opened and decided (by reason, with the median hours from
opening to decision). The finance figures come through the manifest's ``reports["supervisor"]`` hook of the front
whose case kinds they are; this module never imports a front.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core.errors import InvalidInput
from basira.core.fronts import FrontRegistry, default_fronts
from basira.core.models import Organization, Role, utcnow
from basira.core.principal import Principal
from basira.reports.transparency import year_bounds
from basira.review.models import Case, Decision, DecisionState

HOOK = "supervisor"
READ = {Role.ADMIN, Role.REVIEWER, Role.AUDITOR}


def supervisor_report(session: Session, principal: Principal, year: int, now: dt.datetime | None = None,
                      fronts: FrontRegistry | None = None) -> dict[str, Any]:
    principal.require(READ, "read supervisor reports")
    start, end = year_bounds(year)
    registry = fronts or default_fronts()
    hooks = registry.report_hooks(HOOK)
    if not hooks:
        raise InvalidInput("no front of this instance gives a supervisor report")
    org = session.get(Organization, principal.org_id)
    report: dict[str, Any] = {"report": "supervisor", "organization": org.name if org else str(principal.org_id),
                              "year": year, "generated_at": (now or utcnow()).isoformat()}
    for name, hook in hooks.items():
        part = hook(session, principal.org_id, start, end)
        if not isinstance(part, Mapping):
            raise TypeError(f"the {HOOK} hook of {name} returned no mapping")
        report.update(part)
        kinds = [k.name for k in next(f for f in registry.fronts() if f.name == name).case_kinds]
        report.setdefault("cases", {}).update(_cases(session, principal.org_id, kinds, start, end))
    return report


def _cases(session: Session, org_id: int, kinds: list[str], start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    opened = session.scalar(select(func.count()).select_from(Case).where(
        Case.org_id == org_id, Case.kind.in_(kinds), Case.created_at >= start, Case.created_at < end)) or 0
    rows = session.execute(select(Decision.reason_code, Case.created_at, Decision.decided_at)
                           .join(Case, Case.id == Decision.case_id).where(
        Case.org_id == org_id, Case.kind.in_(kinds), Decision.state == DecisionState.TAKEN.value,
        Decision.decided_at >= start, Decision.decided_at < end)).all()
    by_reason: dict[str, int] = {}
    hours = []
    for code, opened_at, decided_at in rows:
        by_reason[code] = by_reason.get(code, 0) + 1
        if decided_at is not None:
            hours.append((decided_at - opened_at).total_seconds() / 3600)
    return {"opened": int(opened), "decided": len(rows), "decided_by_reason": dict(sorted(by_reason.items())),
            "median_hours_to_decision": round(statistics.median(hours), 2) if hours else None}


def to_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True)


def to_csv(report: Mapping[str, Any]) -> str:
    """One row per list update (the supervisor's usual table), the other figures after it as ``figure,value``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    updates = list(report.get("list_updates") or [])
    columns = ["list", "version", "published_at", "imported_at", "hours_after_publication", "added", "changed",
               "removed", "customers_rescreened", "new_hits", "file_sha256"]
    writer.writerow(columns)
    writer.writerows([[("" if u.get(c) is None else u.get(c)) for c in columns] for u in updates])
    writer.writerow([])
    writer.writerow(["figure", "value"])
    for section in ("screening", "cases"):
        for key, value in (report.get(section) or {}).items():
            writer.writerow([f"{section}.{key}", json.dumps(value, sort_keys=True) if isinstance(value, dict)
                             else ("" if value is None else value)])
    return buf.getvalue()
