"""The sensor registry (receivers with a position, antenna height and expected range) and what physics allows
a sensor to hear: the distance to a claimed position and the strongest signal a transmitter there could give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.models import Role, as_id, utcnow
from basira.core.principal import Principal
from basira.drones.models import DroneSensor

SENSOR_WRITERS = {Role.ADMIN, Role.ANALYST}
MAX_RANGE_M = 100_000.0
MAX_UNCERTAINTY_M = 10_000.0
#: How far from the position entered a sensor is assumed to stand when its uncertainty is not given.
DEFAULT_UNCERTAINTY_M = 100.0

#: A Bluetooth class 1 transmitter radiates at most +20 dBm EIRP (each transport's class is in
#: ``basira.drones.tracks.TRANSMITTER_EIRP_DBM``). A reading stronger than free space allows from that power at the
#: nearest distance the sensor can be from the claimed position, through its antenna's gain, plus
#: ``RSSI_MARGIN_DB`` for reflections and receiver calibration, is implausible.
MAX_EIRP_DBM = 20.0
RSSI_MARGIN_DB = 10.0
FREQ_HZ = 2.44e9


@dataclass(slots=True)
class SensorRow:
    """A sensor as ingest works with it: its place and range, and its chain head as read under the chain lock
    (a plain object, so the hot path does not pay for the ORM's attribute tracking)."""

    id: int
    org_id: int
    ref: str
    lat: float
    lon: float
    antenna_height_m: float
    range_m: float
    enabled: bool = True
    chain_seq: int = 0
    chain_hash: str = ""
    position_uncertainty_m: float = 100.0
    antenna_gain_dbi: float = 0.0
    ground_elevation_m: float | None = None
    geoid_undulation_m: float | None = None


#: The columns of ``drone_sensors`` that :class:`SensorRow` holds, in its field order.
SENSOR_ROW_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(SensorRow))


@dataclass
class SensorSpec:
    """What a caller sets on a sensor; None leaves a field unchanged on update."""

    ref: str | None = None
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    antenna_height_m: float | None = None
    range_m: float | None = None
    position_uncertainty_m: float | None = None
    antenna_gain_dbi: float | None = None
    ground_elevation_m: float | None = None
    geoid_undulation_m: float | None = None


def _check(spec: SensorSpec) -> None:
    if spec.ref is not None:
        spec.ref = spec.ref.strip()
        if not spec.ref or len(spec.ref) > 64 or not spec.ref.isascii() or not spec.ref.isprintable() \
                or spec.ref.isdigit():
            raise InvalidInput("a sensor id has 1-64 printable ASCII characters and is not only digits")
    if spec.lat is not None and not (math.isfinite(spec.lat) and -90 <= spec.lat <= 90):
        raise InvalidInput("a sensor's latitude is within ±90°")
    if spec.lon is not None and not (math.isfinite(spec.lon) and -180 <= spec.lon <= 180):
        raise InvalidInput("a sensor's longitude is within ±180°")
    if spec.antenna_height_m is not None and not (math.isfinite(spec.antenna_height_m)
                                                  and -100 <= spec.antenna_height_m <= 1000):
        raise InvalidInput("an antenna height is -100 to 1,000 m")
    if spec.range_m is not None and not (math.isfinite(spec.range_m) and 0 < spec.range_m <= MAX_RANGE_M):
        raise InvalidInput(f"a sensor's expected range is 0-{MAX_RANGE_M:.0f} m")
    if spec.position_uncertainty_m is not None and not (math.isfinite(spec.position_uncertainty_m)
                                                        and 0 <= spec.position_uncertainty_m <= MAX_UNCERTAINTY_M):
        raise InvalidInput(f"a sensor's position uncertainty is 0-{MAX_UNCERTAINTY_M:.0f} m")
    if spec.antenna_gain_dbi is not None and not (math.isfinite(spec.antenna_gain_dbi)
                                                  and -20 <= spec.antenna_gain_dbi <= 40):
        raise InvalidInput("an antenna gain is -20 to 40 dBi")
    if spec.ground_elevation_m is not None and not (math.isfinite(spec.ground_elevation_m)
                                                    and -500 <= spec.ground_elevation_m <= 9000):
        raise InvalidInput("a ground elevation is -500 to 9,000 m")
    if spec.geoid_undulation_m is not None and not (math.isfinite(spec.geoid_undulation_m)
                                                    and -120 <= spec.geoid_undulation_m <= 120):
        raise InvalidInput("a geoid undulation is -120 to 120 m")
    if spec.name is not None and len(spec.name) > 200:
        raise InvalidInput("a sensor name has at most 200 characters")


def sensor_view(x: DroneSensor) -> dict[str, Any]:
    """A sensor as the API and the command line show it (its reference is its ``id``; ``frames`` its chain length)."""
    return {"id": x.ref, "name": x.name, "lat": x.lat, "lon": x.lon, "antenna_height_m": x.antenna_height_m,
            "range_m": x.range_m, "position_uncertainty_m": x.position_uncertainty_m,
            "antenna_gain_dbi": x.antenna_gain_dbi, "ground_elevation_m": x.ground_elevation_m,
            "geoid_undulation_m": x.geoid_undulation_m,
            "frames": x.chain_seq, "chain_head": x.chain_hash}


def create_sensor(session: Session, principal: Principal, spec: SensorSpec) -> DroneSensor:
    principal.require(SENSOR_WRITERS, "register sensors")
    _check(spec)
    if spec.ref is None or spec.lat is None or spec.lon is None:
        raise InvalidInput("a sensor needs an id, a latitude and a longitude")
    if session.scalar(select(DroneSensor.id).where(DroneSensor.org_id == principal.org_id,
                                                   DroneSensor.ref == spec.ref)):
        raise Conflict(f"sensor {spec.ref!r} exists")
    sensor = DroneSensor(org_id=principal.org_id, ref=spec.ref, name=spec.name or "", lat=spec.lat, lon=spec.lon,
                         antenna_height_m=spec.antenna_height_m or 0.0, range_m=spec.range_m or 1000.0,
                         position_uncertainty_m=(DEFAULT_UNCERTAINTY_M if spec.position_uncertainty_m is None
                                                 else spec.position_uncertainty_m),
                         antenna_gain_dbi=spec.antenna_gain_dbi or 0.0, ground_elevation_m=spec.ground_elevation_m,
                         geoid_undulation_m=spec.geoid_undulation_m)
    session.add(sensor)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="drones.sensor.create",
                 target=f"sensor:{sensor.id}", details={"ref": sensor.ref, "lat": sensor.lat, "lon": sensor.lon})
    return sensor


def get_sensor(session: Session, principal: Principal, ref: str | int) -> DroneSensor:
    """A sensor of the caller's organization by id or by its own reference, else NotFound."""
    sid = as_id(ref)
    q = select(DroneSensor).where(DroneSensor.org_id == principal.org_id)
    sensor = session.scalar(q.where(DroneSensor.id == sid) if sid is not None else q.where(DroneSensor.ref == ref))
    if sensor is None or not sensor.enabled:
        raise NotFound(f"no sensor {ref!r}")
    return sensor


def update_sensor(session: Session, principal: Principal, ref: str | int, spec: SensorSpec) -> DroneSensor:
    principal.require(SENSOR_WRITERS, "change sensors")
    _check(spec)
    sensor = get_sensor(session, principal, ref)
    changes = {k: v for k, v in vars(spec).items() if v is not None and k != "ref"}
    for k, v in changes.items():
        setattr(sensor, k, v)
    sensor.updated_at = utcnow()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="drones.sensor.update",
                 target=f"sensor:{sensor.id}", details=changes)
    return sensor


def disable_sensor(session: Session, principal: Principal, ref: str | int) -> None:
    """Stop accepting frames from a sensor; its frames and chain stay as evidence."""
    principal.require(SENSOR_WRITERS, "change sensors")
    sensor = get_sensor(session, principal, ref)
    sensor.enabled = False
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="drones.sensor.disable",
                 target=f"sensor:{sensor.id}")


def list_sensors(session: Session, org_id: int) -> list[DroneSensor]:
    return list(session.scalars(select(DroneSensor).where(DroneSensor.org_id == org_id,
                                                          DroneSensor.enabled.is_(True)).order_by(DroneSensor.id)))


def max_rssi_dbm(distance_m: float, *, eirp_dbm: float = MAX_EIRP_DBM, gain_dbi: float = 0.0) -> float:
    """The strongest reading (dBm) a transmitter of ``eirp_dbm`` EIRP ``distance_m`` away can give in free space
    through a receiving antenna of ``gain_dbi``, plus ``RSSI_MARGIN_DB`` for reflections and calibration."""
    d = max(distance_m, 1.0)
    fspl = 20 * math.log10(d) + 20 * math.log10(FREQ_HZ) - 147.55
    return eirp_dbm + gain_dbi - fspl + RSSI_MARGIN_DB
