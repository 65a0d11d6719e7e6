"""The sky part of the demo: a demo sensor beside a protected stadium, and a generated drone flight received by it,
so that the review queue opens with drone alerts (ENTER and OPERATOR_IN_ZONE) and the map shows the track.

The flight is built with the Remote ID codec's encoder (Bluetooth Message Packs, one a second) and goes through the
same ingest service as a live receiver's frames: decoded, chained as evidence, tracked, checked against the zone.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select

from basira.core.demo import DemoContext, DemoPart
from basira.core.models import utcnow
from basira.drones import zones
from basira.drones.ingest import service
from basira.drones.intake import MAX_BATCH, RawFrame
from basira.drones.models import DroneSensor
from basira.drones.remoteid import BasicID, Location, Message, OperatorID, System, encode_message
from basira.drones.sensors import SensorSpec, create_sensor
from basira.drones.zonefiles import ZoneSpec

SENSOR_REF = "demo-sensor"
ZONE_REF = "demo-stadium"
UAS_ID = "1596D3DEMO0000000001"
OPERATOR_ID = "DEMO-OP-0001"
#: A fictional stadium: the centre of the zone and of the sensor (open fields near Lausanne, Switzerland).
CENTRE = (46.5370, 6.5860)  # latitude, longitude
ZONE_RADIUS_M = 400.0
ZONE_CEILING_M = 150.0
FLIGHT_S = 120
SPEED_MPS = 10.0
HEIGHT_M = 60.0
START_WEST_M = 900.0
OPERATOR_NORTH_M = 120.0
_METRES_PER_DEGREE = 111_320.0


def offset(north_m: float, east_m: float, centre: tuple[float, float] = CENTRE) -> tuple[float, float]:
    """The position ``north_m`` and ``east_m`` metres from ``centre`` (flat earth: the flight spans 2 km)."""
    lat, lon = centre
    return (lat + north_m / _METRES_PER_DEGREE,
            lon + east_m / (_METRES_PER_DEGREE * math.cos(math.radians(lat))))


def pack(counter: int, east_m: float, centre: tuple[float, float] = CENTRE, uas_id: str = UAS_ID,
         operator_id: str = OPERATOR_ID) -> bytes:
    """One Message Pack behind the Bluetooth service-data header: Basic ID, Location, System, Operator ID, for a
    drone ``east_m`` metres east of ``centre`` flying east, its operator 120 m north of the centre."""
    lat, lon = offset(0.0, east_m, centre)
    op_lat, op_lon = offset(OPERATOR_NORTH_M, 0.0, centre)
    messages: list[Message] = [
        BasicID(id_type=1, ua_type=2, uas_id=uas_id),
        Location(status=2, height_type=1, direction=90.0, speed_horizontal=SPEED_MPS, speed_vertical=0.0,
                 latitude=lat, longitude=lon, altitude_baro=None, altitude_geo=400.0 + HEIGHT_M, height=HEIGHT_M),
        System(operator_location_type=1, classification_type=1, operator_latitude=op_lat,
               operator_longitude=op_lon, area_count=1, area_radius=0, area_ceiling=None, area_floor=None,
               category=1, class_=2, operator_altitude_geo=None, timestamp=200_000_000),
        OperatorID(operator_id_type=0, operator_id=operator_id),
    ]
    body = b"".join(encode_message(m) for m in messages)
    return bytes([0x0D, counter & 0xFF, 0xF2, 25, len(messages)]) + body


def flight(end: dt.datetime, centre: tuple[float, float] = CENTRE, uas_id: str = UAS_ID,
           operator_id: str = OPERATOR_ID, sensor: str = SENSOR_REF) -> list[RawFrame]:
    """A scripted flight, one frame a second ending at ``end``: from 900 m west of ``centre``, east through it
    (the demo's: over the stadium)."""
    start = end - dt.timedelta(seconds=FLIGHT_S - 1)
    return [RawFrame(sensor=sensor, transport="bt5",
                     data=pack(i, -START_WEST_M + SPEED_MPS * i, centre, uas_id, operator_id),
                     received_at=start + dt.timedelta(seconds=i), source="60:60:1f:de:30:01")
            for i in range(FLIGHT_S)]


def seed_drones(ctx: DemoContext) -> DemoPart:
    """The demo sensor and zone, and the flight received once (a second run finds the sensor and adds nothing)."""
    inst = ctx.inst
    part = DemoPart("drones")
    with inst.db.session() as s:
        exists = s.scalar(select(DroneSensor.id).where(DroneSensor.org_id == ctx.admin.org_id,
                                                       DroneSensor.ref == SENSOR_REF)) is not None
        if exists:
            return part
        lat, lon = CENTRE
        create_sensor(s, ctx.admin, SensorSpec(ref=SENSOR_REF, name="Demo receiver at the stadium", lat=lat,
                                               lon=lon, antenna_height_m=10.0, range_m=3_000.0))
        zones.save_zones(s, ctx.admin, [ZoneSpec(
            ref=ZONE_REF, name="Demo stadium (fictional)", geometry={"type": "Point", "coordinates": [lon, lat]},
            radius_m=ZONE_RADIUS_M, lower_m=0.0, upper_m=ZONE_CEILING_M, restriction="PROHIBITED",
            message="No drones over the stadium during events (demo zone).", source="demo")])
    svc = service(inst)
    svc.forget_zones(ctx.admin.org_id)
    frames = flight(utcnow())
    alerts = accepted = 0
    for start in range(0, len(frames), MAX_BATCH):
        with svc.serial(), inst.db.session() as s:
            report = svc.ingest(s, ctx.admin, frames[start:start + MAX_BATCH])
        accepted += report.accepted
        alerts += len(report.alerts)
    part.added = {"sensors": 1, "zones": 1, "frames": accepted, "alerts": alerts}
    part.commands.append("{basira} drones alerts")
    return part


def seed(ctx: DemoContext) -> list[DemoPart]:
    """The drones front's demo hook."""
    return [seed_drones(ctx)]
