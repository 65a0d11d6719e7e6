"""The sky part of an exercise: the chosen site's zones and a receiver at its centre, and scripted flights that the
trainer sends into a zone (the ``drone_enters_zone`` inject).

A flight is the demo's generator pointed at the zone: Remote ID Message Packs encoded with the codec, one a second,
from 900 m west of the zone's centre straight through it, received through the same ingest service as a live
receiver's frames, so that the alerts, the track and the review case are the real ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from basira.core.demo import DemoPart
from basira.core.errors import InvalidInput
from basira.core.exercise_hooks import ExerciseContext, ExerciseHook, InjectResult
from basira.core.models import utcnow
from basira.drones import demo, zones
from basira.drones.ingest import service
from basira.drones.intake import MAX_BATCH
from basira.drones.models import DroneSensor, DroneZone
from basira.drones.sensors import SensorSpec, create_sensor
from basira.drones.zonefiles import ZoneSpec, parse_zone_file

SENSOR_REF = "exercise-sensor"
#: The site when none is chosen: the demo's fictional stadium.
DEFAULT_SITE: dict[str, Any] = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "geometry": {"type": "Point", "coordinates": [demo.CENTRE[1], demo.CENTRE[0]]},
    "properties": {"identifier": demo.ZONE_REF, "name": "Demo stadium (fictional)", "radius_m": demo.ZONE_RADIUS_M,
                   "lower_m": 0, "upper_m": demo.ZONE_CEILING_M, "restriction": "PROHIBITED"}}]}


def _centre(z: DroneZone) -> tuple[float, float]:
    """The (latitude, longitude) of a zone's centre (a circle's centre, a polygon's centroid)."""
    point = zones.zone_geometry(z.geometry, z.radius_m).centroid
    return float(point.y), float(point.x)


def site_zones(ctx: ExerciseContext) -> list[ZoneSpec]:
    """The chosen site's zones (InvalidInput when the site's document holds none)."""
    specs = parse_zone_file(dict(ctx.site) if ctx.site is not None else DEFAULT_SITE)
    if not specs:
        raise InvalidInput("the site's zone document holds no zone")
    return [dataclasses.replace(spec, source="exercise") for spec in specs]


def seed(ctx: ExerciseContext) -> list[DemoPart]:
    """The site's zones and a receiver with a 5 km range at the centre of the first (once)."""
    inst = ctx.inst
    part = DemoPart("drones")
    with inst.db.session() as s:
        if s.scalar(select(DroneSensor.id).where(DroneSensor.org_id == ctx.admin.org_id,
                                                 DroneSensor.ref == SENSOR_REF)) is not None:
            return [part]
        saved = zones.save_zones(s, ctx.admin, site_zones(ctx))
        lat, lon = _centre(saved[0])
        create_sensor(s, ctx.admin, SensorSpec(ref=SENSOR_REF, name=f"Exercise receiver ({ctx.site_name})"[:200],
                                               lat=lat, lon=lon, antenna_height_m=10.0, range_m=5_000.0))
    service(inst).forget_zones(ctx.admin.org_id)
    part.added = {"sensors": 1, "zones": len(saved)}
    return [part]


def _zone(ctx: ExerciseContext, ref: object) -> DroneZone:
    with ctx.inst.db.session() as s:
        q = select(DroneZone).where(DroneZone.org_id == ctx.admin.org_id).order_by(DroneZone.id)
        found = list(s.scalars(q))
        s.expunge_all()
    if not found:
        raise InvalidInput("the exercise has no drone zone")
    if ref is None:
        return found[0]
    match = next((z for z in found if z.ref == ref), None)
    if match is None:
        raise InvalidInput(f"no zone {str(ref)[:80]!r} at this site ({', '.join(z.ref for z in found)[:300]})")
    return match


def drone_enters_zone(ctx: ExerciseContext, params: Mapping[str, Any]) -> InjectResult:
    """A drone flies from 900 m west of a zone's centre through it (``zone``: its reference, the first zone by
    default; ``uas_id``: the drone's serial number, one made from the inject by default)."""
    zone = _zone(ctx, params.get("zone"))
    tag = hashlib.sha256(repr(sorted(params.items())).encode() + str(utcnow()).encode()).hexdigest()[:10].upper()
    uas_id = str(params.get("uas_id") or f"1596EX{tag}")
    if not 1 <= len(uas_id) <= 20 or not uas_id.isascii() or not uas_id.isalnum():
        raise InvalidInput("uas_id is 1-20 ASCII letters and digits")
    frames = demo.flight(utcnow(), _centre(zone), uas_id=uas_id, operator_id=f"EX-OP-{tag}"[:20],
                         sensor=SENSOR_REF)
    svc = service(ctx.inst)
    alerts: list[dict[str, Any]] = []
    accepted = 0
    for start in range(0, len(frames), MAX_BATCH):
        with svc.serial(), ctx.inst.db.session() as s:
            report = svc.ingest(s, ctx.admin, frames[start:start + MAX_BATCH])
        accepted += report.accepted
        alerts.extend(report.alerts)
    keys = sorted({f"track:{a['track_id']}" for a in alerts if a.get("track_id")})
    return InjectResult(summary=f"drone {uas_id} flew into zone {zone.ref} ({len(alerts)} alerts)", case_keys=keys,
                        records={"uas_id": uas_id, "zone": zone.ref},
                        added={"frames": accepted, "alerts": len(alerts)})


HOOK = ExerciseHook(seed=seed, injects={"drone_enters_zone": drone_enters_zone})
