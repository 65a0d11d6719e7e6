"""The drones front's case kind: ``drone_alert`` (one track's alerts), the ``alert.raised`` payload it reads,
the evidence it keeps, its urgent alert kinds and its reasons (``confirmed``, ``benign``, ``spoofed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Required, TypedDict

from basira.core.caseshapes import MatchesEvidence, Position, capped_text, position
from basira.core.fronts import CaseKindSpec, EventRecord, EvidenceView, Priority, Reason
from basira.core.models import OpinionKind

_C, _F = OpinionKind.CONFIRMED, OpinionKind.FALSE_POSITIVE
#: Alert kinds that put a case at the top of the queue.
URGENT_ALERTS = frozenset({"ENTER", "OPERATOR_IN_ZONE", "EMERGENCY", "WATCHLIST"})
MAX_ALERTS = 200


class AlertEvidence(TypedDict, total=False):
    """One drone alert as a case keeps it: the documented keys of the ``alert.raised`` payload, nothing else.

    ``alert_kind`` is one of ENTER, EXIT, LOITER, APPROACH, OPERATOR_IN_ZONE, EMERGENCY, TRACK_LOST, WATCHLIST;
    ``at`` an ISO 8601 time; ``evidence_ref`` names the preserved raw frames (e.g. the sensor chain's hash).
    """

    alert_id: str
    alert_kind: str
    at: str
    uas_id: str
    operator_id: str
    zone_id: str
    zone_name: str
    sensor_id: str
    position: Position
    operator_position: Position
    suspect_reasons: list[str]
    evidence_ref: str


class AlertRaisedPayload(AlertEvidence, total=False):
    """``alert.raised``: written by the drones front. ``track_id`` is required (cases group by track).

    ``match_ids`` names watchlist matches (core ``matches`` rows) behind a WATCHLIST alert, so that a decision can
    record opinions on their signals; ``priority`` overrides the default.
    """

    track_id: Required[str]
    match_ids: list[int]
    priority: str


class DroneAlertEvidence(MatchesEvidence):
    """``drone_alert``: one track's alerts, and the watchlist matches behind them if any."""

    track_id: str
    alerts: list[AlertEvidence]


_TEXT_KEYS = ("alert_id", "alert_kind", "at", "uas_id", "operator_id", "zone_id", "zone_name", "sensor_id",
              "evidence_ref")


def alert_evidence(payload: Mapping[str, Any]) -> AlertEvidence:
    """The documented keys of an ``alert.raised`` payload, cleaned (strings capped, numbers finite)."""
    out: AlertEvidence = {}
    for key in _TEXT_KEYS:
        t = capped_text(payload.get(key))
        if t is not None:
            out[key] = t  # type: ignore[literal-required]
    for key in ("position", "operator_position"):
        p = position(payload.get(key))
        if p is not None:
            out[key] = p  # type: ignore[literal-required]
    reasons = payload.get("suspect_reasons")
    if isinstance(reasons, list):
        out["suspect_reasons"] = [t for t in (capped_text(r) for r in reasons[:20]) if t is not None]
    return out


def alert_priority(payload: Mapping[str, object]) -> Priority:
    """High for the alert kinds in :data:`URGENT_ALERTS`, else normal."""
    return Priority.HIGH if str(payload.get("alert_kind", "")).upper() in URGENT_ALERTS else Priority.NORMAL


REASONS: tuple[Reason, ...] = (
    Reason("confirmed", "Confirmed",
           "A real incursion, a watched drone or operator, or an emergency that needs a response.", _C),
    Reason("benign", "Benign",
           "An authorised or harmless flight, or an alert raised in error.", _F, violating=False),
    Reason("spoofed", "Spoofed",
           "The Remote ID broadcast was forged or replayed; the identity in it cannot be trusted.", None),
)

DRONE_ALERT = CaseKindSpec(
    name="drone_alert",
    description="A drone track's alerts (zone incursions, emergencies, watched drones); grouped by track.",
    # An aircraft in protected airspace needs an answer while it is still there.
    sla=dt.timedelta(minutes=15),
    evidence=DroneAlertEvidence,
    reasons=REASONS,
    event="alert.raised",
    payload=AlertRaisedPayload,
    group_key="track_id",
    group_prefix="track",
    priority=alert_priority,
    record=EventRecord(key="alerts", id_field="alert_id", clean=alert_evidence, limit=MAX_ALERTS),
    view=EvidenceView(template="_evidence_drone.html"),
)
