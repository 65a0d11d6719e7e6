"""The documented JSON shapes that review reads (event payloads) and keeps (case evidence), per case kind.

Review never imports a front: the fronts emit events in the shapes below and the web UI renders evidence by kind.
Evidence obeys TLP as matching does: a hit in a RED bank that the case's organization may only match against shows
the bank's owner and marking, never the signal value, entry, labels or distance.
"""

from __future__ import annotations

import math
from typing import Any, NotRequired, Required, TypedDict

from basira.core.models import Bank, Entry, Match, Signal
from basira.core.visibility import Access

# The evidence lists at most this many matches; every match stays linked to the case (``review_case_matches``).
MAX_EVIDENCE_MATCHES = 200
MAX_ALERTS = 200
_MAX_TEXT = 300


class MalformedEvent(ValueError):
    """An event payload does not have the documented shape (the consumer records it as skipped)."""


# --- what review reads -------------------------------------------------------------------------------------------

class MatchRecordedPayload(TypedDict, total=False):
    """``match.recorded``: written by ``core.matching.match_item`` (and by any front that records matches).

    ``item_id`` and ``match_ids`` (the active, not negatively suppressed matches) are required. A front may add
    ``case_kind`` (``content_match`` or ``screening_hit``; by default persons, organizations and wallets are
    screening hits and everything else content), ``customer_ref`` (screening cases group by it; the item reference
    otherwise) and ``priority`` (``high``, ``normal``, ``low``).
    """

    item_id: Required[int]
    match_ids: Required[list[int]]
    item_ref: str
    content_type: str
    suppressed_match_ids: list[int]
    #: Hits on signals that flood control quarantined (core.flood): recorded, never acted on.
    quarantined_match_ids: list[int]
    bank_ids: list[int]
    suppressed: bool
    case_kind: str
    customer_ref: str
    priority: str


class Position(TypedDict, total=False):
    """WGS84 latitude and longitude in degrees and altitude in metres (its reference named by the front)."""

    lat: float
    lon: float
    alt_m: float


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


# --- what a case keeps -------------------------------------------------------------------------------------------

class ItemEvidence(TypedDict):
    """A submitted item (its reference on the platform, never its content)."""

    id: int
    ref: str
    content_type: str


class BankEvidence(TypedDict):
    owner_org_id: int
    tlp: str
    id: NotRequired[int]
    name: NotRequired[str]


class SignalEvidence(TypedDict):
    id: int
    value: str
    labels: list[str]
    provenance: str


class EntryEvidence(TypedDict):
    """The bank entry: for a listed person its names, aliases, birth dates, list reference and so on."""

    id: int
    ref: str
    content_type: str
    attributes: dict[str, Any]


class MatchEvidence(TypedDict):
    """One match. ``signal``, ``entry`` and ``distance`` are None for a RED bank shared for matching only.

    ``explanation`` is the matcher's account of the score (distance and threshold for hashes, a feature breakdown
    for names).
    """

    match_id: int
    item_id: int
    signal_type: str
    query_value: str
    distance: float | None
    bank: BankEvidence
    signal: SignalEvidence | None
    entry: EntryEvidence | None
    explanation: dict[str, Any]


class ContentMatchEvidence(TypedDict):
    """``content_match``: the item(s) with one platform reference and their matches."""

    items: list[ItemEvidence]
    matches: list[MatchEvidence]
    match_count: int
    suppressed_match_ids: list[int]


class ScreeningHitEvidence(ContentMatchEvidence):
    """``screening_hit``: one customer's screened items (names, wallets) and their hits on list entries."""

    customer_ref: str


class DroneAlertEvidence(ContentMatchEvidence):
    """``drone_alert``: one track's alerts, and the watchlist matches behind them if any."""

    track_id: str
    alerts: list[AlertEvidence]


def empty_evidence(kind: str, group_value: str) -> dict[str, Any]:
    """The evidence of a new case of ``kind`` before any event is added."""
    base: dict[str, Any] = {"items": [], "matches": [], "match_count": 0, "suppressed_match_ids": []}
    if kind == "screening_hit":
        base["customer_ref"] = group_value
    elif kind == "drone_alert":
        base.update(track_id=group_value, alerts=[])
    return base


def _float(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None


def match_evidence(match: Match, signal: Signal, entry: Entry, bank: Bank, access: Access) -> MatchEvidence:
    """A match as the case's organization may see it (see the module docstring on RED banks)."""
    bank_ev: BankEvidence = {"owner_org_id": bank.org_id, "tlp": bank.tlp}
    if access <= Access.MATCH_ONLY:
        return {"match_id": match.id, "item_id": match.item_id, "signal_type": match.signal_type,
                "query_value": match.query_value, "distance": None, "bank": bank_ev, "signal": None,
                "entry": None, "explanation": {}}
    bank_ev["id"], bank_ev["name"] = bank.id, bank.name
    return {
        "match_id": match.id, "item_id": match.item_id, "signal_type": match.signal_type,
        "query_value": match.query_value, "distance": _float(match.distance), "bank": bank_ev,
        "signal": {"id": signal.id, "value": signal.value, "labels": list(signal.labels),
                   "provenance": signal.provenance},
        "entry": {"id": entry.id, "ref": entry.ref, "content_type": entry.content_type,
                  "attributes": dict(entry.attributes)},
        "explanation": dict(match.explanation),
    }


def _text(v: object) -> str | None:
    if isinstance(v, str | int) and not isinstance(v, bool):
        return str(v)[:_MAX_TEXT]
    return None


def _position(v: object) -> Position | None:
    if not isinstance(v, dict):
        return None
    out: Position = {}
    for key in ("lat", "lon", "alt_m"):
        f = _float(v.get(key))
        if f is not None:
            out[key] = f
    return out or None


_TEXT_KEYS = ("alert_id", "alert_kind", "at", "uas_id", "operator_id", "zone_id", "zone_name", "sensor_id",
              "evidence_ref")


def alert_evidence(payload: dict[str, Any]) -> AlertEvidence:
    """The documented keys of an ``alert.raised`` payload, cleaned (strings capped, numbers finite)."""
    out: AlertEvidence = {}
    for key in _TEXT_KEYS:
        t = _text(payload.get(key))
        if t is not None:
            out[key] = t  # type: ignore[literal-required]
    for key in ("position", "operator_position"):
        p = _position(payload.get(key))
        if p is not None:
            out[key] = p  # type: ignore[literal-required]
    reasons = payload.get("suspect_reasons")
    if isinstance(reasons, list):
        out["suspect_reasons"] = [t for t in (_text(r) for r in reasons[:20]) if t is not None]
    return out


def id_list(payload: dict[str, Any], key: str, required: bool = True) -> list[int]:
    """A list of positive integer ids from the payload, or MalformedEvent."""
    raw = payload.get(key)
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in raw):
        raise MalformedEvent(f"{key!r} is not a list of ids")
    return list(raw)


def group_text(payload: dict[str, Any], key: str) -> str:
    """A grouping value (item reference, customer or track) as text, or '' when absent or unusable."""
    return (_text(payload.get(key)) or "").strip()
