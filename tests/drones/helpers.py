"""Frames for the tracking tests, built with the codec's encoder (Bluetooth service data: 0x0D, counter, message)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from basira.drones.remoteid import BasicID, Location, OperatorID, System, encode_message

UAS = "1581F5FKD229400C1234"


def basic(uas_id: str = UAS) -> BasicID:
    return BasicID(id_type=1, ua_type=2, uas_id=uas_id)


def location(lat: float, lon: float, *, speed: float = 5.0, direction: float = 90.0, height: float = 50.0,
             alt: float = 500.0, status: int = 2) -> Location:
    return Location(status=status, height_type=1, direction=direction, speed_horizontal=speed, speed_vertical=0.0,
                    latitude=lat, longitude=lon, altitude_baro=None, altitude_geo=alt, height=height)


def system(lat: float, lon: float) -> System:
    return System(operator_location_type=1, classification_type=1, operator_latitude=lat, operator_longitude=lon,
                  area_count=1, area_radius=0, area_ceiling=None, area_floor=None, category=1, class_=2,
                  operator_altitude_geo=None, timestamp=200_000_000)


def operator(op: str) -> OperatorID:
    return OperatorID(operator_id_type=0, operator_id=op)


def pack(*messages: Any, counter: int = 0) -> bytes:
    """A Bluetooth 5 / Wi-Fi style Message Pack behind the service data header."""
    body = b"".join(encode_message(m) for m in messages)
    return bytes([0x0D, counter & 0xFF, 0xF2, 25, len(messages)]) + body


def frame(sensor: str, *messages: Any, at: dt.datetime | None = None, counter: int = 0, rssi: float | None = -70,
          source: str | None = "60:60:1f:00:00:01", transport: str = "bt5") -> dict[str, Any]:
    """One frame of the API's batch format."""
    out: dict[str, Any] = {"sensor": sensor, "transport": transport,
                           "data": base64.b64encode(pack(*messages, counter=counter)).decode()}
    if at is not None:
        out["received_at"] = at.isoformat()
    if rssi is not None:
        out["rssi"] = rssi
    if source is not None:
        out["source"] = source
    return out
