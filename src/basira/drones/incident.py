"""The drones front's part of an incident report for an authority: one track's flight, the zones it entered, its
alerts, the operator's reported position and each sensor's chain verification, as plain JSON-ready values.

``basira.reports.incident`` adds the case and renders it (JSON, HTML, PDF); it reaches this module through the
manifest's ``reports["incident"]`` hook and never imports the front.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core.errors import NotFound
from basira.drones.evidence import _sensor_json, _track_json
from basira.drones.models import DroneAlert, DroneFrame, DronePosition, DroneSensor, DroneTrack, DroneZone

#: Positions kept in the report (evenly thinned beyond that; the evidence export has them all).
MAX_POSITIONS = 2000


def _thin(rows: list[Any], limit: int) -> list[Any]:
    if len(rows) <= limit:
        return rows
    step = len(rows) / limit
    picked = [rows[int(i * step)] for i in range(limit - 1)]
    return [*picked, rows[-1]]


def incident_report(session: Session, org_id: int, group_key: str) -> dict[str, Any]:
    """The report's drone part for the case grouped under ``track:<id>``."""
    prefix, _, ref = group_key.partition(":")
    track = session.get(DroneTrack, int(ref)) if prefix == "track" and ref.isdigit() else None
    if track is None or track.org_id != org_id:
        raise NotFound("the case's track is no longer kept (retention) or never was")
    alerts = list(session.scalars(select(DroneAlert).where(DroneAlert.track_id == track.id).order_by(DroneAlert.id)))
    positions = list(session.scalars(select(DronePosition).where(DronePosition.track_id == track.id)
                                     .order_by(DronePosition.at, DronePosition.id)))
    zone_ids = {a.zone_id for a in alerts if a.zone_id}
    zones = list(session.scalars(select(DroneZone).where(DroneZone.id.in_(zone_ids)).order_by(DroneZone.id))) \
        if zone_ids else []
    frame_sensors = set(session.scalars(select(DroneFrame.sensor_id).where(DroneFrame.track_id == track.id)
                                        .distinct()))
    sensor_ids = frame_sensors | {a.sensor_id for a in alerts if a.sensor_id} | {p.sensor_id for p in positions}
    sensors = list(session.scalars(select(DroneSensor).where(DroneSensor.id.in_(sensor_ids)).order_by(DroneSensor.id)))
    # The evidence digest: SHA-256 over the track's frame hashes in chain order (each hash covers its raw bytes
    # and the link before it), so an authority holding the evidence export can check it matches this report.
    digest, frames = hashlib.sha256(), 0
    for h in session.scalars(select(DroneFrame.hash).where(DroneFrame.track_id == track.id)
                             .order_by(DroneFrame.sensor_id, DroneFrame.seq).execution_options(yield_per=2000)):
        digest.update(h.encode())
        frames += 1
    reported = [p for p in positions if p.operator_lat is not None and p.operator_lon is not None]
    operator = None
    if track.operator_lat is not None and track.operator_lon is not None:
        operator = {"lat": track.operator_lat, "lon": track.operator_lon, "operator_id": track.operator_id,
                    "reported_at": reported[-1].at.isoformat() if reported else None,
                    "reports": len(reported)}
    max_alt = session.scalar(select(func.max(DronePosition.alt_m)).where(DronePosition.track_id == track.id))
    return {
        "track": _track_json(track),
        "flight": {"positions": len(positions), "max_alt_m": max_alt,
                   "first": positions[0].at.isoformat() if positions else None,
                   "last": positions[-1].at.isoformat() if positions else None},
        "positions": [{"at": p.at.isoformat(), "lat": p.lat, "lon": p.lon, "alt_m": p.alt_m,
                       "speed_mps": p.speed_mps} for p in _thin(positions, MAX_POSITIONS)],
        "operator": operator,
        "operator_path": [{"at": p.at.isoformat(), "lat": p.operator_lat, "lon": p.operator_lon}
                          for p in _thin(reported, 200)],
        "alerts": [{"id": a.id, "kind": a.kind, "at": a.at.isoformat(), "zone_id": a.zone_id,
                    "zone": next((z.name or z.ref for z in zones if z.id == a.zone_id), None),
                    "details": a.details, "evidence_ref": a.evidence_ref} for a in alerts],
        "zones": [{"id": z.id, "ref": z.ref, "name": z.name, "restriction": z.restriction, "reasons": z.reasons,
                   "authority": z.authority, "lower_m": z.lower_m, "lower_ref": z.lower_ref, "upper_m": z.upper_m,
                   "upper_ref": z.upper_ref, "geometry": z.geometry, "radius_m": z.radius_m} for z in zones],
        "sensors": [_sensor_json(session, s) for s in sensors],
        "evidence": {"frames": frames, "frames_digest": digest.hexdigest() if frames else None,
                     "digest_rule": "sha256 of the track's frame hashes (hex, ASCII) concatenated in the order of "
                                    "sensor id and chain sequence"},
    }
