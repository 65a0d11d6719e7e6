"""What the queue and case pages show, built from the review services and each case kind's evidence JSON.

The evidence shapes are documented in :mod:`basira.review.evidence`; this module renders whatever a case
carries (explanations and list-entry attributes differ per matcher and per list) and never trusts it: every
value goes through the templates' escaping, numbers are checked to be finite, and a drone track becomes SVG
coordinates computed here, never markup taken from the evidence.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.actions.delivery import list_deliveries
from basira.actions.undo import list_actions
from basira.actions.webhooks import list_webhooks
from basira.core.errors import PermissionDenied
from basira.core.fronts import EvidenceView
from basira.core.models import Organization, utcnow
from basira.core.principal import Principal
from basira.review import cases
from basira.review.appeals import open_appeal
from basira.review.models import OPEN_STATUSES, Case, CaseStatus, Decision, DecisionState
from basira.review.taxonomy import reasons_for
from basira.web import evidence, media
from basira.web.models import OrgWebSettings

MEDIA_TYPES = frozenset({"photo", "video"})
MEDIA_SIGNALS = frozenset({"pdq", "vpdq", "md5", "sha256"})
URL_SIGNALS = frozenset({"url", "url_prefix", "domain"})
#: Explanation keys the templates show in their own way (the rest are listed as they are).
SHOWN_APART = frozenset({"features", "feature_weights", "classifiers", "query", "list", "settings", "matched_name",
                         "query_ranges", "bank_ranges", "query_share", "bank_share", "jaccard", "containment"})
MAX_ROWS = 120
SVG_W, SVG_H, SVG_PAD = 480.0, 280.0, 24.0


def group_value(case: Case) -> str:
    """The reference a reviewer knows the case by (an item reference, a customer or a track id)."""
    return case.group_key.split(":", 1)[1] if ":" in case.group_key else case.group_key


#: An open case due within this long stands out in the queue (a drone alert is due 15 minutes after it is raised).
DUE_SOON = dt.timedelta(minutes=5)


def _drone_id(case: Case) -> str | None:
    """The UAS ID of a drone case's latest alert (what a reviewer knows the drone by)."""
    alerts = case.evidence.get("alerts") if case.kind == "drone_alert" else None
    if isinstance(alerts, list):
        for a in reversed(alerts):
            if isinstance(a, dict) and isinstance(a.get("uas_id"), str) and a["uas_id"]:
                return str(a["uas_id"])[:64]
    return None


def queue_row(case: Case, now: dt.datetime) -> dict[str, Any]:
    is_open = case.status in OPEN_STATUSES
    return {"id": case.id, "kind": case.kind, "ref": group_value(case), "drone_id": _drone_id(case),
            "status": case.status, "priority": case.priority, "assignee": case.assignee, "due_at": case.due_at,
            "overdue": case.due_at < now and is_open,
            "due_soon": is_open and now <= case.due_at < now + DUE_SOON, "version": case.version,
            "matches": int(case.evidence.get("match_count", 0) or 0), "four_eyes": case.four_eyes,
            "created_at": case.created_at}


def flatten(value: Any, prefix: str = "", out: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Nested JSON as (dotted key, text) rows, capped; lists of plain values become one comma-separated row."""
    rows = [] if out is None else out
    if len(rows) >= MAX_ROWS:
        return rows
    if isinstance(value, dict):
        for k, v in list(value.items())[:MAX_ROWS]:
            flatten(v, f"{prefix}.{k}" if prefix else str(k), rows)
    elif isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        rows.append((prefix, ", ".join(_scalar(v) for v in value[:50])))
    elif isinstance(value, list):
        for i, v in enumerate(value[:MAX_ROWS]):
            flatten(v, f"{prefix}[{i + 1}]", rows)
    else:
        rows.append((prefix, _scalar(value)))
    return rows


def _scalar(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if math.isfinite(v) else "—"
    if v is None:
        return "—"
    return str(v)[:500]


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None


def classifiers(explanation: dict[str, Any]) -> list[dict[str, Any]]:
    """The text classifiers' labels kept with a match (the content front's annotator), each with the words behind
    it; anything of another shape is left out."""
    raw = explanation.get("classifiers")
    rows = []
    for c in raw[:MAX_ROWS] if isinstance(raw, list) else []:
        if not isinstance(c, dict):
            continue
        words = c.get("words")
        rows.append({"scheme": _scalar(c.get("scheme", "")), "label": _scalar(c.get("label", "")),
                     "score": _number(c.get("score")), "error": _scalar(c.get("error", "")),
                     "words": [_scalar(w) for w in words[:20]] if isinstance(words, list) else []})
    return rows


@dataclass
class Track:
    """A drone track drawn as SVG: polyline points, start and end, operator positions, in viewBox units."""

    points: str
    start: tuple[float, float]
    end: tuple[float, float]
    operators: list[tuple[float, float]] = field(default_factory=list)
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # lat/lon south, west, north, east
    count: int = 0


def track(alerts: list[dict[str, Any]]) -> Track | None:
    """The alerts' positions in time order, projected (equirectangular, scaled at the mean latitude)."""
    def pos(p: Any) -> tuple[float, float] | None:
        if not isinstance(p, dict):
            return None
        lat, lon = _number(p.get("lat")), _number(p.get("lon"))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return lat, lon

    ordered = sorted(alerts, key=lambda a: str(a.get("at", "")))
    path = [q for q in (pos(a.get("position")) for a in ordered) if q is not None]
    ops = [q for q in (pos(a.get("operator_position")) for a in ordered) if q is not None]
    every = path + ops
    if not path:
        return None
    south, north = min(p[0] for p in every), max(p[0] for p in every)
    west, east = min(p[1] for p in every), max(p[1] for p in every)
    k = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * k, 1e-9), max(north - south, 1e-9)
    scale = min((SVG_W - 2 * SVG_PAD) / span_x, (SVG_H - 2 * SVG_PAD) / span_y)

    def xy(p: tuple[float, float]) -> tuple[float, float]:
        return (round(SVG_PAD + (p[1] - west) * k * scale, 1), round(SVG_H - SVG_PAD - (p[0] - south) * scale, 1))

    pts = [xy(p) for p in path]
    return Track(points=" ".join(f"{x},{y}" for x, y in pts), start=pts[0], end=pts[-1],
                 operators=[xy(p) for p in ops], bounds=(south, west, north, east), count=len(pts))


def _media(template: str, kind: str, **values: str | int) -> str | None:
    return media.fill(template, **values) if template and kind in MEDIA_TYPES else None


def actions_of(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    """What was done outside after the decisions of a case (webhooks) and how each delivery went.

    Roles that may not read deliveries (analysts) get an empty list, as the actions services decide.
    """
    try:
        found = list_actions(session, principal, case_id=case_id, limit=100)
    except PermissionDenied:
        return []
    hooks = {w.id: w for w in list_webhooks(session, principal)}
    return [{"action": a, "deliveries": [(d, hooks.get(d.webhook_id)) for d in
                                         list_deliveries(session, principal, action_id=a.id, limit=100)]}
            for a in found]


def _items(ev: dict[str, Any], item_t: str) -> list[dict[str, Any]]:
    items = []
    for it in ev.get("items", [])[:MAX_ROWS]:
        if not isinstance(it, dict):
            continue
        kind = str(it.get("content_type", ""))
        items.append({**it, "media": _media(item_t, kind, item_ref=str(it.get("ref", "")),
                                            item_id=int(it.get("id", 0) or 0)),
                      "key": f"item-{it.get('id')}", "is_video": kind == "video"})
    return items


def _match(m: dict[str, Any], item: dict[str, Any] | None, owners: dict[int, str], entry_t: str,
           view: EvidenceView) -> dict[str, Any]:
    """One match of the evidence with what its kind's template shows of it."""
    entry = evidence.mapping(m.get("entry")) or None
    bank, signal = evidence.mapping(m.get("bank")), evidence.mapping(m.get("signal"))
    entry_media = None
    if entry and bank.get("id") is not None:
        entry_media = _media(entry_t, str(entry.get("content_type", "")), entry_ref=str(entry.get("ref", "")),
                             entry_id=int(entry.get("id", 0) or 0), bank_id=int(bank["id"]))
    explanation = evidence.mapping(m.get("explanation"))
    query, bank_value = str(m.get("query_value", ""))[:4000], str(signal.get("value", ""))[:4000]
    signal_type = str(m.get("signal_type", ""))
    return {
        **m, "bank": bank, "signal": signal, "explanation": explanation, "entry": entry,
        "owner": owners.get(bank.get("owner_org_id", 0), ""), "item": item,
        "distance": _number(m.get("distance")), "entry_media": entry_media,
        "entry_is_video": bool(entry and entry.get("content_type") == "video"),
        "key": f"entry-{m.get('match_id')}",
        "features": evidence.feature_rows(explanation, view.feature_weights),
        "classifiers": classifiers(explanation),
        "video": evidence.video(explanation),
        "shingles": evidence.shingles(query, bank_value, explanation) if signal_type == "text_minhash" else None,
        "url": evidence.url_forms(query, bank_value) if signal_type in URL_SIGNALS and bank_value else None,
        "screening": evidence.screening(m, item, view.feature_weights),
        "explanation_rows": flatten({k: v for k, v in explanation.items() if k not in SHOWN_APART}),
        "raw": evidence.raw_record({"entry": entry, "signal": signal, "explanation": explanation}),
    }


def _alerts(ev: dict[str, Any]) -> list[dict[str, Any]]:
    """A drone case's alerts with their time read and their rule reasons split into code and detail."""
    return [{**a, "time": evidence.iso_time(a.get("at")), "reasons": evidence.rule_reasons(a.get("suspect_reasons"))}
            for a in ev.get("alerts", [])[:MAX_ROWS] if isinstance(a, dict)]


#: Audit actions after which a case's decision stands (or stands again).
DECIDING = frozenset({"case.decide", "case.confirm", "case.appeal_decide"})


def shown_status(case: Case, trail: list[Any]) -> str:
    """The case's status as the page shows it: ``reinstated`` for a decided case whose action was undone since its
    latest decision (the decision stays on record; what it triggered outside was reversed)."""
    if case.status != CaseStatus.DECIDED.value:
        return case.status
    last = next((e.action for e in reversed(trail) if e.action in DECIDING or e.action == "case.action_undo"), "")
    return "reinstated" if last == "case.action_undo" else case.status


def _appeal_excluded(session: Session, principal: Principal, case_id: int) -> bool:
    """Whether the viewer took or confirmed the decision under an open appeal (so may not decide the appeal)."""
    appeal = open_appeal(session, case_id)
    decision = session.get(Decision, appeal.decision_id) if appeal is not None else None
    return decision is not None and principal.actor in {decision.reviewer, decision.second_reviewer}


def case_view(session: Session, principal: Principal, case: Case,
              view: EvidenceView | None = None) -> dict[str, Any]:
    """Everything the case page shows of ``case`` (the caller checked it is of the principal's organization);
    ``view`` is the case kind's evidence view from its front's manifest."""
    shape = view or EvidenceView()
    prefs = session.get(OrgWebSettings, case.org_id)
    item_t = prefs.item_media_url if prefs else ""
    entry_t = prefs.entry_media_url if prefs else ""
    ev: dict[str, Any] = case.evidence if isinstance(case.evidence, dict) else {}
    owners = {o.id: o.name for o in session.scalars(select(Organization))}
    items = _items(ev, item_t)
    by_item = {it.get("id"): it for it in items}
    matches = [_match(m, by_item.get(m.get("item_id")), owners, entry_t, shape)
               for m in ev.get("matches", [])[:MAX_ROWS] if isinstance(m, dict)]
    alerts = _alerts(ev)
    decisions = cases.decisions_of(session, principal, case.id)
    proposal = next((d for d in decisions if d.state == DecisionState.PROPOSED.value), None)
    trail = cases.audit_trail(session, principal, case.id)
    is_open = case.status in OPEN_STATUSES
    return {
        "case": case, "ref": group_value(case), "items": items, "matches": matches, "alerts": alerts,
        "evidence_template": shape.template or "_evidence_content.html",
        "track": track(alerts), "match_count": int(ev.get("match_count", 0) or 0),
        "shown_matches": len(matches), "customer_ref": ev.get("customer_ref"), "track_id": ev.get("track_id"),
        "reasons": reasons_for(case.kind), "decisions": decisions, "proposal": proposal,
        "appeals": cases.appeals_of(session, principal, case.id), "open_appeal": open_appeal(session, case.id),
        "appeal_excluded": _appeal_excluded(session, principal, case.id),
        "trail": [(e, evidence.iso_time(e.ts)) for e in trail], "shown_status": shown_status(case, trail),
        "actions": actions_of(session, principal, case.id),
        "is_open": is_open, "is_closed": case.status == CaseStatus.CLOSED.value,
        "overdue": case.due_at < utcnow() and is_open,
        "has_media": any(it["media"] for it in items) or any(m["entry_media"] for m in matches),
        "media_origins": sorted({o for o in (media.origin(item_t) if items and item_t else None,
                                             media.origin(entry_t) if entry_t else None) if o}),
    }
