"""The zone alert rules: ENTER, EXIT, LOITER, APPROACH, OPERATOR_IN_ZONE and EMERGENCY from a track's successive
observations, with debounce (an entry needs several fixes inside), hysteresis (an exit needs the drone to be
clear of the zone by a margin) and cool-downs (a repeated warning waits). WATCHLIST and TRACK_LOST are raised by
the ingest service, which knows the banks and the clock. :func:`record_alerts` writes alerts and their
``alert.raised`` events (the ``AlertRaisedPayload`` shape of ``drones.cases``) in the caller's transaction.

The working state lives in the track's ``state`` JSON, so any worker can carry on where another stopped.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from shapely.geometry import Point  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]
from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from basira.core import outbox
from basira.drones.evidence import Link
from basira.drones.models import DroneAlert
from basira.drones.sensors import SensorRow
from basira.drones.tracks import Observation
from basira.drones.trackstore import TrackState
from basira.drones.zones import (
    IN,
    OUT,
    POSSIBLE,
    Altitudes,
    CompiledZone,
    ZoneIndex,
    distance_m,
    paths_ahead,
    window_active,
)


class AlertKind(enum.StrEnum):
    """What happened; the names are those of ``drones.cases.AlertEvidence.alert_kind``."""

    ENTER = "ENTER"
    EXIT = "EXIT"
    LOITER = "LOITER"
    APPROACH = "APPROACH"
    OPERATOR_IN_ZONE = "OPERATOR_IN_ZONE"
    EMERGENCY = "EMERGENCY"
    TRACK_LOST = "TRACK_LOST"
    WATCHLIST = "WATCHLIST"


ZONE_KINDS = frozenset({AlertKind.ENTER, AlertKind.EXIT, AlertKind.LOITER, AlertKind.APPROACH,
                        AlertKind.OPERATOR_IN_ZONE})


@dataclass(frozen=True)
class AlertConfig:
    """Timing of the rules (documented in docs/drones.md)."""

    enter_confirm: int = 2  # fixes inside a zone before ENTER (one stray fix raises nothing)
    exit_confirm: int = 2  # fixes clear of the zone (plus hysteresis) before EXIT
    hysteresis_m: float = 25.0  # how far outside the edge a drone must be to count as out
    loiter_s: float = 120.0  # time inside a zone before LOITER
    approach_s: float = 30.0  # APPROACH when the edge is less than this many seconds away at current speed
    min_approach_speed: float = 1.0  # m/s; slower drones are hovering, not approaching
    cooldown_s: float = 300.0  # a repeated APPROACH or OPERATOR_IN_ZONE for one zone waits this long
    lost_after_s: float = 30.0  # a track silent this long is lost


@dataclass
class AlertDraft:
    """An alert to record: its kind, the zone if any, and what the reviewer should know."""

    kind: AlertKind
    zone: CompiledZone | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: The track as it stood at the alert's frame (reasons, positions, operator), taken by :func:`snapshot`: an
    #: alert tells what was known when it was raised, whatever else its batch carried after it.
    seen: dict[str, Any] | None = None


def snapshot(track: TrackState) -> dict[str, Any]:
    """What an alert's event says about its track, as the track stands now."""
    out: dict[str, Any] = {"uas_id": track.uas_id, "suspect_reasons": list(track.reasons),
                           "verdict": track.verdict}
    if track.operator_id:
        out["operator_id"] = track.operator_id
    if track.lat is not None and track.lon is not None:
        out["position"] = {k: v for k, v in (("lat", track.lat), ("lon", track.lon), ("alt_m", track.alt_m))
                           if v is not None}
    if track.operator_lat is not None and track.operator_lon is not None:
        out["operator_position"] = {"lat": track.operator_lat, "lon": track.operator_lon}
    return out


def _band(zone: CompiledZone, obs: Observation) -> str:
    """``in``, ``possible`` or ``out`` of the zone's time windows and altitude limits."""
    if not window_active(zone.windows, obs.received_at):
        return OUT
    return zone.band(obs.altitudes())


def _active(zone: CompiledZone, obs: Observation) -> bool:
    return _band(zone, obs) != OUT


#: The operator stands on the ground: a zone whose floor is above ground does not hold them.
ON_THE_GROUND = Altitudes(height_agl=0.0)


def _altitude_details(band: str) -> dict[str, Any]:
    if band == POSSIBLE:
        return {"altitude": "possibly inside",
                "altitude_note": "the drone's altitude in the zone's reference is unknown or too uncertain"}
    return {"altitude": "inside"}


def _cooled(state: dict[str, Any], key: str, at: dt.datetime, cooldown_s: float) -> bool:
    sent = state.setdefault("sent", {})
    last = sent.get(key)
    if last is not None and (at - dt.datetime.fromisoformat(last)).total_seconds() < cooldown_s:
        return False
    sent[key] = at.isoformat()
    return True


@dataclass(slots=True)
class ZoneHits:
    """What the zone index says about one observation: looked up for a whole batch at once by
    :func:`zone_hits` (one tree query per kind of lookup rather than several per frame)."""

    inside: list[int] = field(default_factory=list)  # zones whose area holds the position
    margin: list[int] = field(default_factory=list)  # zones whose exit area (area + hysteresis) holds it
    path: BaseGeometry | None = None  # the path ahead at the current speed, when fast enough to approach
    ahead: list[int] = field(default_factory=list)  # zones that path meets
    operator: list[int] = field(default_factory=list)  # zones holding the operator's position


def zone_hits(index: ZoneIndex, observations: Sequence[Observation], cfg: AlertConfig) -> list[ZoneHits]:
    """The zone lookups of each observation, batched."""
    out = [ZoneHits() for _ in observations]
    if not len(index):
        return out
    pos = [i for i, o in enumerate(observations) if o.lat is not None and o.lon is not None]
    lons = [cast(float, observations[i].lon) for i in pos]
    lats = [cast(float, observations[i].lat) for i in pos]
    for i, inside, margin in zip(pos, index.containing(lons, lats), index.containing(lons, lats, exit_area=True),
                                 strict=True):
        out[i].inside, out[i].margin = inside, margin
    moving = [i for i in pos if observations[i].speed is not None and observations[i].heading is not None
              and cast(float, observations[i].speed) >= cfg.min_approach_speed]
    paths = paths_ahead([cast(float, observations[i].lon) for i in moving],
                        [cast(float, observations[i].lat) for i in moving],
                        [cast(float, observations[i].heading) for i in moving],
                        [cast(float, observations[i].speed) * cfg.approach_s for i in moving])
    for i, path, ahead in zip(moving, paths, index.nearby_many(paths), strict=True):
        out[i].path, out[i].ahead = path, ahead
    ops = [i for i, o in enumerate(observations) if o.operator_lat is not None and o.operator_lon is not None]
    for i, zs in zip(ops, index.containing([cast(float, observations[i].operator_lon) for i in ops],
                                           [cast(float, observations[i].operator_lat) for i in ops]), strict=True):
        out[i].operator = zs
    return out


def evaluate(track: TrackState, obs: Observation, index: ZoneIndex, cfg: AlertConfig,
             *, zones_allowed: bool = True, hits: ZoneHits | None = None) -> list[AlertDraft]:
    """The alerts ``obs`` raises on ``track`` (whose ``state`` is updated in place).

    Args:
        track: The track after :func:`basira.drones.tracks.apply`.
        obs: The new observation.
        index: The organization's zones.
        cfg: Timing of the rules.
        zones_allowed: False when an allowlist authorises the flight now: no zone alerts, and zone presence is
            forgotten so that nothing fires the moment the authorisation ends mid-zone without a fresh entry.
        hits: The zone lookups of ``obs`` when made for its whole batch (:func:`zone_hits`); made here if not.
    """
    state = track.state
    out: list[AlertDraft] = []
    if obs.emergency and not state.get("emergency"):
        out.append(AlertDraft(AlertKind.EMERGENCY, details={"status": obs.status}))
    state["emergency"] = obs.emergency
    if not zones_allowed:
        state["zones"] = {}
        return out
    if hits is None:
        hits = zone_hits(index, [obs], cfg)[0]
    zstate: dict[str, dict[str, Any]] = state.setdefault("zones", {})
    if obs.lat is not None and obs.lon is not None:
        out.extend(_zone_presence(zstate, obs, hits, index, cfg))
        out.extend(_approach(zstate, state, obs, obs.lon, obs.lat, hits, index, cfg))
    for i in hits.operator:
        z = index.zones[i]
        if window_active(z.windows, obs.received_at) and z.band(ON_THE_GROUND) != OUT and \
                _cooled(state, f"OPERATOR_IN_ZONE:{z.id}", obs.received_at, cfg.cooldown_s):
            out.append(AlertDraft(AlertKind.OPERATOR_IN_ZONE, z, {
                "operator_position": {"lat": obs.operator_lat, "lon": obs.operator_lon}}))
    return out


def _zone_presence(zstate: dict[str, dict[str, Any]], obs: Observation, hits: ZoneHits, index: ZoneIndex,
                   cfg: AlertConfig) -> list[AlertDraft]:
    out: list[AlertDraft] = []
    bands = {i: _band(index.zones[i], obs) for i in hits.inside}
    inside = {i for i, b in bands.items() if b != OUT}
    if not inside and not zstate:
        return out
    within_margin = set(hits.margin)
    by_id = index.position_of
    for i in inside:
        z = index.zones[i]
        st = zstate.setdefault(str(z.id), {"in": False, "n": 0, "out": 0})
        st["n"] = int(st.get("n", 0)) + 1
        st["out"] = 0
        if bands[i] != POSSIBLE:
            st["known"] = True  # once seen inside for sure, the stay is no longer "possibly"
        if not st["in"] and st["n"] >= cfg.enter_confirm:
            st.update({"in": True, "since": obs.received_at.isoformat(), "loiter": False})
            out.append(AlertDraft(AlertKind.ENTER, z, {"fixes_inside": st["n"], **_altitude_details(bands[i])}))
    for key, st in list(zstate.items()):
        i_opt = by_id.get(key)
        if i_opt is None:  # the zone was deleted or disabled
            del zstate[key]
            continue
        z = index.zones[i_opt]
        if i_opt in inside:
            if st.get("in") and not st.get("loiter") and st.get("since"):
                dwell = (obs.received_at - dt.datetime.fromisoformat(st["since"])).total_seconds()
                if dwell >= cfg.loiter_s:
                    st["loiter"] = True
                    out.append(AlertDraft(AlertKind.LOITER, z, {
                        "dwell_s": round(dwell, 1), **_altitude_details(IN if st.get("known") else POSSIBLE)}))
            continue
        if not st.get("in"):
            del zstate[key]  # a stray fix inside, not confirmed: debounce starts again
            continue
        # Hysteresis: inside the zone's margin (or outside its time window or band only briefly) is not out.
        if i_opt in within_margin and _active(z, obs):
            continue
        st["out"] = int(st.get("out", 0)) + 1
        if st["out"] >= cfg.exit_confirm:
            since = st.get("since")
            stay = (obs.received_at - dt.datetime.fromisoformat(since)).total_seconds() if since else None
            out.append(AlertDraft(AlertKind.EXIT, z, {"dwell_s": round(stay, 1) if stay is not None else None}))
            del zstate[key]
    return out


def _approach(zstate: dict[str, dict[str, Any]], state: dict[str, Any], obs: Observation, lon: float, lat: float,
              hits: ZoneHits, index: ZoneIndex, cfg: AlertConfig) -> list[AlertDraft]:
    path = hits.path
    if path is None or obs.speed is None or obs.heading is None or not hits.ahead:
        return []
    speed, heading = obs.speed, obs.heading
    out = []
    here = Point(lon, lat)
    for i in hits.ahead:
        z = index.zones[i]
        band = _band(z, obs)
        if str(z.id) in zstate or band == OUT or z.geom.contains(here):
            continue
        hit = path.intersection(z.geom.boundary)
        if hit.is_empty:
            continue
        nearest = min((g for g in getattr(hit, "geoms", [hit])), key=lambda g: g.distance(here))
        first = nearest.interpolate(nearest.project(here)) if nearest.geom_type == "LineString" else nearest
        d = distance_m(lon, lat, first.x, first.y)
        eta = d / speed
        if eta <= cfg.approach_s and _cooled(state, f"APPROACH:{z.id}", obs.received_at, cfg.cooldown_s):
            out.append(AlertDraft(AlertKind.APPROACH, z, {"distance_m": round(d, 1), "eta_s": round(eta, 1),
                                                          "speed_mps": speed, "heading_deg": heading,
                                                          **_altitude_details(band)}))
    return out


#: An alert to record: track, draft, the observation, sensor and chain link behind it, watchlist match ids.
Pending = tuple[TrackState, AlertDraft, "Observation | None", "SensorRow | None", "Link | None", list[int]]


def record_alerts(session: Session, pending: list[Pending], received: dt.datetime) -> list[dict[str, Any]]:
    """Record alerts and their ``alert.raised`` outbox events in the caller's transaction: one INSERT for the
    alerts, one for the events, one UPDATE linking each alert to its event."""
    if not pending:
        return []
    alerts_t = cast(Table, DroneAlert.__table__)
    conn = session.connection()
    rows: list[dict[str, Any]] = []
    for track, d, obs, sensor, link, _ in pending:
        ref = f"sensor:{sensor.ref}#seq:{link.seq}:{link.hash}" if sensor is not None and link else ""
        rows.append({"org_id": track.org_id, "track_id": track.id, "kind": d.kind.value,
                     "at": obs.received_at if obs is not None else track.last_seen,
                     "zone_id": d.zone.id if d.zone else None, "sensor_id": sensor.id if sensor else None,
                     "details": d.details, "evidence_ref": ref, "received_at": received})
    alert_ids = conn.execute(insert(alerts_t).returning(alerts_t.c.id, sort_by_parameter_order=True),
                             rows).scalars().all()
    out: list[dict[str, Any]] = []
    events: list[tuple[str, dict[str, Any], int | None]] = []
    for alert_id, row, (track, d, _, sensor, _, match_ids) in zip(alert_ids, rows, pending, strict=True):
        seen = d.seen if d.seen is not None else snapshot(track)
        payload: dict[str, Any] = {
            "track_id": str(track.id), "alert_id": str(alert_id), "alert_kind": d.kind.value,
            "at": row["at"].isoformat(), "uas_id": seen["uas_id"], "suspect_reasons": list(seen["suspect_reasons"]),
            "evidence_ref": row["evidence_ref"]}
        if seen.get("operator_id"):
            payload["operator_id"] = seen["operator_id"]
        if d.zone is not None:
            payload.update(zone_id=str(d.zone.id), zone_name=d.zone.name or d.zone.ref)
        if sensor is not None:
            payload["sensor_id"] = sensor.ref
        for key in ("position", "operator_position"):
            if key in seen:
                payload[key] = seen[key]
        if match_ids:
            payload["match_ids"] = list(match_ids)
        events.append(("alert.raised", payload, track.org_id))
        track.state["alerted"] = True
        out.append(payload | {"details": d.details})
    event_ids = outbox.emit_many(session, events)
    conn.execute(update(alerts_t).where(alerts_t.c.id == bindparam("alert_id"))
                 .values(event_id=bindparam("event_id")),
                 [{"alert_id": a, "event_id": e} for a, e in zip(alert_ids, event_ids, strict=True)])
    return out


def lost(track: TrackState, now: dt.datetime, cfg: AlertConfig) -> bool:
    """Whether a still active track has been silent for longer than ``lost_after_s``."""
    return track.status == "active" and (now - track.last_seen).total_seconds() > cfg.lost_after_s
