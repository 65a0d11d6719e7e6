"""DSA statements of reasons (Regulation (EU) 2022/2065, Art. 17 and 24(5)) in the field layout of the EU
transparency database's submission API, for every restricting decision of a year: each executed removal order,
and each review decision that found content violating.

No personal data: no URLs (they can name a user), no reviewer, no complainant; the ``puid`` lets the platform
find the item in its own records. Arrays stay arrays in JSON and become ``;``-joined text in CSV.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.fronts import default_fronts
from basira.core.models import Item, Organization
from basira.core.principal import Principal
from basira.legal.authorities import MEMBER_STATES
from basira.legal.models import Authority, RemovalOrder
from basira.legal.orders import READ_ROLES
from basira.reports.transparency import within, year_bounds
from basira.review.models import Case, Decision, DecisionState
from basira.review.taxonomy import reason_for

FIELDS = ("puid", "decision_visibility", "decision_ground", "decision_ground_reference_url",
          "illegal_content_legal_ground", "illegal_content_explanation", "incompatible_content_ground",
          "incompatible_content_explanation", "incompatible_content_illegal", "category", "category_specification",
          "content_type", "content_date", "application_date", "territorial_scope", "automated_detection",
          "automated_decision", "source_type", "source_identity")
CONTENT_TYPES = {"photo": "CONTENT_TYPE_IMAGE", "video": "CONTENT_TYPE_VIDEO", "text": "CONTENT_TYPE_TEXT"}
# Greece is EL in EU usage and in the database; GR is accepted on input only.
EU = sorted(MEMBER_STATES - {"GR"})
VISIBILITY = {"removed": "DECISION_VISIBILITY_CONTENT_REMOVED", "disabled": "DECISION_VISIBILITY_CONTENT_DISABLED"}


def _content_types(kinds: set[str]) -> list[str]:
    return sorted({CONTENT_TYPES.get(k, "CONTENT_TYPE_OTHER") for k in kinds}) or ["CONTENT_TYPE_OTHER"]


def _base(puid: str) -> dict[str, Any]:
    return {"puid": puid, "decision_ground_reference_url": None, "illegal_content_legal_ground": None,
            "illegal_content_explanation": None, "incompatible_content_ground": None,
            "incompatible_content_explanation": None, "incompatible_content_illegal": None,
            "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
            "category_specification": ["KEYWORD_TERRORIST_CONTENT"], "territorial_scope": EU}


def _orders(session: Session, org: Organization, year: int) -> list[dict[str, Any]]:
    start, end = year_bounds(year)
    rows = []
    for o in session.scalars(select(RemovalOrder).where(
            RemovalOrder.org_id == org.id, RemovalOrder.executed_at.is_not(None),
            within(RemovalOrder.executed_at, start, end)).order_by(RemovalOrder.id)):
        authority = session.get(Authority, o.authority_id)
        kinds = set(session.scalars(select(Item.content_type).where(Item.id.in_(o.item_ids))))
        points = ", ".join(f"({p})" for p in o.legal_basis.split(",") if p)
        rows.append({**_base(f"basira-{org.slug}-order-{o.id}"),
                     "decision_visibility": [VISIBILITY.get(o.action or "removed", VISIBILITY["removed"])],
                     "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
                     "illegal_content_legal_ground": f"Regulation (EU) 2021/784, Art. 3 and Art. 2(7) {points}".strip(),
                     "illegal_content_explanation": f"Removal order {o.reference} of a competent authority of "
                                                    f"{o.member_state}.",
                     "content_type": _content_types(kinds),
                     "content_date": o.received_at.date().isoformat(),
                     "application_date": o.executed_at.date().isoformat() if o.executed_at else None,
                     "automated_detection": "No", "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
                     "source_type": "SOURCE_TYPE_OTHER_NOTIFICATION",
                     "source_identity": authority.name if authority else None})
    return rows


def _decisions(session: Session, org: Organization, year: int) -> list[dict[str, Any]]:
    start, end = year_bounds(year)
    rows = []
    q = select(Decision, Case).join(Case, Case.id == Decision.case_id).where(
        Case.org_id == org.id, Case.kind.in_(default_fronts().moderation_kinds()),
        Decision.state == DecisionState.TAKEN.value,
        within(Decision.decided_at, start, end)).order_by(Decision.id)
    for decision, case in session.execute(q).all():
        reason = reason_for(case.kind, decision.reason_code)
        if not (reason.decides and reason.violating) or decision.decided_at is None:
            continue
        items = case.evidence.get("items", []) if isinstance(case.evidence, dict) else []
        kinds = {str(i.get("content_type", "")) for i in items if isinstance(i, dict)}
        rows.append({**_base(f"basira-{org.slug}-decision-{decision.id}"),
                     "decision_visibility": [VISIBILITY["removed"]],
                     "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
                     "incompatible_content_ground": reason.label,
                     "incompatible_content_explanation": reason.description,
                     "incompatible_content_illegal": "Yes" if reason.basis else "No",
                     "content_type": _content_types(kinds),
                     "content_date": case.created_at.date().isoformat(),
                     "application_date": decision.decided_at.date().isoformat(),
                     # A hash match found it; a person decided it.
                     "automated_detection": "Yes", "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
                     "source_type": "SOURCE_VOLUNTARY", "source_identity": None})
    return rows


def statements(session: Session, principal: Principal, year: int) -> list[dict[str, Any]]:
    """Every statement of reasons of ``year``: executed orders first, then review decisions."""
    principal.require(READ_ROLES, "read statements of reasons")
    org = session.get(Organization, principal.org_id)
    if org is None:
        return []
    return [{k: row[k] for k in FIELDS} for row in _orders(session, org, year) + _decisions(session, org, year)]


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()
