"""The live drone map's data, as JSON-ready values: a first snapshot and the changes since a point.

The drones front serves data only; the map page in ``basira.web.drones_map`` draws it. Tracks and alerts have the
shapes of the API's ``/v1/drones/tracks`` and ``/v1/drones/alerts`` replies; zones are GeoJSON with circles and
buffers already turned into polygons. Both functions sweep lost tracks first, so "active" means heard recently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import mapping  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.errors import BasiraError
from basira.core.instance import Instance
from basira.core.models import utcnow
from basira.drones.ingest import service
from basira.drones.listing import AlertRow, recent_alerts
from basira.drones.models import DronePosition, DroneSensor, DroneTrack
from basira.drones.sensors import list_sensors
from basira.drones.settings import DroneSettings
from basira.drones.tracks import is_synthetic
from basira.drones.zones import list_zones, zone_geometry, zones_version

#: Alerts in a first snapshot, and most tracks or alerts in one batch of changes.
SNAPSHOT_ALERTS = 50
MAX_CHANGES = 500
#: Most recently lost tracks drawn, and most points of each one's path.
RECENT_TRACKS = 50
PATH_POINTS = 300


def _iso(t: dt.datetime) -> str:
    # The API's replies write UTC as "Z"; the map reads both, but one instance should speak one way.
    return t.isoformat().replace("+00:00", "Z")


def track_json(t: DroneTrack) -> dict[str, Any]:
    """A track as the map draws it (the keys of the API's track reply, without positions)."""
    return {"id": t.id, "uas_id": t.uas_id, "id_synthetic": is_synthetic(t.uas_id), "operator_id": t.operator_id,
            "status": t.status, "verdict": t.verdict,
            "reasons": list(t.reasons), "first_seen": _iso(t.first_seen), "last_seen": _iso(t.last_seen),
            "lat": t.lat, "lon": t.lon, "alt_m": t.alt_m, "height_m": t.height_m, "speed_mps": t.speed_mps,
            "heading_deg": t.heading_deg, "operator_lat": t.operator_lat, "operator_lon": t.operator_lon,
            "emergency": bool(t.state.get("emergency")), "allowance": dict(t.allowance), "positions": None}


def alert_json(a: AlertRow) -> dict[str, Any]:
    """An alert as the map lists it (the keys of the API's alert reply)."""
    return {"id": a.id, "kind": a.kind, "at": _iso(a.at), "track_id": a.track_id, "uas_id": a.uas_id,
            "zone_id": a.zone_id, "zone_name": a.zone_name, "sensor_id": a.sensor_id, "details": a.details,
            "evidence_ref": a.evidence_ref, "event_id": a.event_id}


def zones_geojson(session: Session, org_id: int) -> dict[str, Any]:
    """The organization's zones as drawn on the map (circles and buffers already turned into polygons)."""
    features = []
    for z in list_zones(session, org_id):
        try:
            geom = mapping(zone_geometry(z.geometry, z.radius_m, z.buffer_m))
        except BasiraError:
            continue
        features.append({"type": "Feature", "geometry": geom, "properties": {
            "id": z.id, "ref": z.ref, "name": z.name, "restriction": z.restriction, "lower_m": z.lower_m,
            "upper_m": z.upper_m}})
    return {"type": "FeatureCollection", "features": features}


def _path(session: Session, track_id: int) -> list[list[float]]:
    """The track's reported positions as ``[lat, lon]``, oldest first, thinned to at most :data:`PATH_POINTS`."""
    rows = session.execute(select(DronePosition.lat, DronePosition.lon).where(DronePosition.track_id == track_id)
                           .order_by(DronePosition.at)).all()
    step = max(1, -(-len(rows) // PATH_POINTS))
    kept = list(rows[::step])
    if rows and kept[-1] != rows[-1]:
        kept.append(rows[-1])  # the last position heard always ends the line
    return [[lat, lon] for lat, lon in kept]


def recent_tracks(session: Session, org_id: int, now: dt.datetime, hours: float) -> list[dict[str, Any]]:
    """Tracks lost within ``hours`` (newest first), each with its path: what flew while nobody watched the map."""
    if hours <= 0:
        return []
    since = now - dt.timedelta(hours=hours)
    lost = session.scalars(select(DroneTrack).where(DroneTrack.org_id == org_id, DroneTrack.status == "lost",
                                                    DroneTrack.last_seen >= since)
                           .order_by(DroneTrack.last_seen.desc()).limit(RECENT_TRACKS))
    return [{**track_json(t), "path": _path(session, t.id)} for t in lost]


def sensor_json(x: DroneSensor) -> dict[str, Any]:
    """A sensor as the map draws it: where it stands, how far it hears, how sure its position is."""
    return {"id": x.ref, "name": x.name, "lat": x.lat, "lon": x.lon, "range_m": x.range_m,
            "position_uncertainty_m": x.position_uncertainty_m}


def track_map(inst: Instance, org_id: int, track_id: int) -> dict[str, Any] | None:
    """One track for its case's map: the track, its positions in time order (thinned to :data:`PATH_POINTS`,
    each with its time and operator position, for the replay slider), the zones and the sensors; None when the
    organization has no such track."""
    with inst.db.session() as s:
        t = s.get(DroneTrack, track_id)
        if t is None or t.org_id != org_id:
            return None
        rows = s.execute(select(DronePosition.at, DronePosition.lat, DronePosition.lon, DronePosition.alt_m,
                                DronePosition.operator_lat, DronePosition.operator_lon)
                         .where(DronePosition.track_id == track_id).order_by(DronePosition.at)).all()
        step = max(1, -(-len(rows) // PATH_POINTS))
        kept = list(rows[::step]) + ([rows[-1]] if rows and (len(rows) - 1) % step else [])
        return {"track": track_json(t), "zones": zones_geojson(s, org_id),
                "sensors": [sensor_json(x) for x in list_sensors(s, org_id)],
                "positions": [{"at": _iso(at), "lat": lat, "lon": lon, "alt_m": alt, "operator_lat": olat,
                               "operator_lon": olon} for at, lat, lon, alt, olat, olon in kept]}


def map_snapshot(inst: Instance, org_id: int) -> dict[str, Any]:
    """Zones, active tracks, tracks lost within the recent window (with their paths) and the latest alerts
    (newest first), for the map's first drawing."""
    now = utcnow()
    hours = inst.settings.of(DroneSettings).drones_map_recent_hours
    with inst.db.session() as s:
        service(inst).sweep_lost(s, org_id, now)
        active = s.scalars(select(DroneTrack).where(DroneTrack.org_id == org_id, DroneTrack.status == "active")
                           .order_by(DroneTrack.id))
        alerts = recent_alerts(s, org_id, limit=SNAPSHOT_ALERTS)
        return {"now": now.isoformat(), "zones": zones_geojson(s, org_id),
                "sensors": [sensor_json(x) for x in list_sensors(s, org_id)],
                "tracks": [track_json(t) for t in active],
                "recent": recent_tracks(s, org_id, now, hours),
                "alerts": [alert_json(a) for a in alerts],
                "last_alert_id": max((a.id for a in alerts), default=0)}


@dataclass
class MapChanges:
    """What changed since a cursor, and the cursor to ask from next time.

    Attributes:
        tracks: Tracks updated after ``since`` (oldest change first).
        alerts: Alerts after ``after_id`` (oldest first).
        zones: The zones, when their version differs from the one the caller had seen; else None.
        since: The newest track change returned (or the cursor given).
        after_id: The newest alert id returned (or the one given).
        zones_version: The zones' version now.
    """

    since: dt.datetime
    after_id: int
    zones_version: tuple[int, str]
    tracks: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    zones: dict[str, Any] | None = None


def changes_since(inst: Instance, org_id: int, since: dt.datetime, after_id: int,
                  zones_seen: tuple[int, str] | None) -> MapChanges:
    """Tracks changed after ``since``, alerts after ``after_id``, and the zones if they changed since
    ``zones_seen`` (None: the caller has not seen a version yet, so no zones are sent)."""
    with inst.db.session() as s:
        service(inst).sweep_lost(s, org_id, utcnow())
        out = MapChanges(since=since, after_id=after_id, zones_version=zones_version(s, org_id))
        if zones_seen is not None and out.zones_version != zones_seen:
            out.zones = zones_geojson(s, org_id)
        changed = s.scalars(select(DroneTrack).where(DroneTrack.org_id == org_id, DroneTrack.updated_at > since)
                            .order_by(DroneTrack.updated_at).limit(MAX_CHANGES))
        for t in changed:
            out.tracks.append(track_json(t))
            out.since = max(out.since, t.updated_at)
        for a in recent_alerts(s, org_id, after_id=after_id, limit=MAX_CHANGES):
            out.alerts.append(alert_json(a))
            out.after_id = max(out.after_id, a.id)
    return out
