"""The incident report for an authority from one case: the case and its decision, and the front's own part (for a
drone alert: track, zones, alerts, operator position, sensor chain verification, evidence digest), as JSON; the web
layer prints it as HTML and PDF. The front's part comes through its manifest's ``reports["incident"]`` hook; this
module never imports a front. Every report is audited (the case, never the content).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import InvalidInput, NotFound
from basira.core.fronts import FrontRegistry, default_fronts
from basira.core.models import Organization, Role, utcnow
from basira.core.principal import Principal
from basira.review.models import Case, Decision, DecisionState
from basira.review.taxonomy import reason_for

HOOK = "incident"
READ = {Role.ADMIN, Role.REVIEWER, Role.AUDITOR}


def incident_report(session: Session, principal: Principal, case_id: int, now: dt.datetime | None = None,
                    fronts: FrontRegistry | None = None) -> dict[str, Any]:
    """The incident report of case ``case_id`` (admins, reviewers, auditors; audited)."""
    principal.require(READ, "read incident reports")
    case = session.get(Case, case_id)
    if case is None or case.org_id != principal.org_id:
        raise NotFound(f"no case {case_id}")
    registry = fronts or default_fronts()
    owners = [f.name for f in registry.fronts() if any(k.name == case.kind for k in f.case_kinds)]
    hooks = registry.report_hooks(HOOK)
    hook = next((hooks[name] for name in owners if name in hooks), None)
    if hook is None:
        raise InvalidInput(f"a {case.kind} case has no incident report")
    part = hook(session, principal.org_id, case.group_key)
    if not isinstance(part, Mapping):
        raise TypeError(f"the {HOOK} hook of {owners} returned no mapping")
    decisions = list(session.scalars(select(Decision).where(Decision.case_id == case.id,
                                                            Decision.state == DecisionState.TAKEN.value)
                                     .order_by(Decision.decided_at, Decision.id)))
    org = session.get(Organization, principal.org_id)
    report: dict[str, Any] = {
        "report": "incident", "organization": org.name if org else str(principal.org_id),
        "generated_at": (now or utcnow()).isoformat(), "generated_by": principal.actor,
        "case": {"id": case.id, "kind": case.kind, "status": case.status, "opened_at": case.created_at.isoformat(),
                 "due_at": case.due_at.isoformat(),
                 "decisions": [{"reason": d.reason_code, "label": reason_for(case.kind, d.reason_code).label,
                                "decided_at": d.decided_at.isoformat() if d.decided_at else None,
                                "rationale": d.rationale} for d in decisions]},
        **part,
    }
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="report.incident",
                 target=f"case:{case.id}", details={"kind": case.kind})
    return report


def to_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True, default=str)
