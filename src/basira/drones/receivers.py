"""JSON from receivers that decode Remote ID themselves, turned into :class:`Frame` records.

Two shapes are read (docs/drones.md shows both):

- ``decoded``: one flat object per reception, the fields most receivers print after decoding (DroneScout-style
  MQTT, the RemoteIDReceiver web app's export, phone apps' logs): ``uas_id``, ``id_type``, ``ua_type``, ``lat``,
  ``lon``, ``alt_geo``, ``height``, ``height_type``, ``speed``, ``direction``, ``vertical_speed``, ``status``,
  ``operator_lat``, ``operator_lon``, ``operator_id``, ``self_id``, ``mac``, ``rssi``, ``received_at``.
- ``netrid``: an ASTM F3411-22a Network Remote ID ``RIDFlight`` (``id``, ``current_state`` with ``position``
  ``lat``/``lng``/``alt``, ``track``, ``speed``, ``operational_status``, ``timestamp.value``), optionally with its
  ``RIDFlightDetails`` under ``details`` (``uas_id``, ``operator_id``, ``operator_location``).

The record is kept as evidence in canonical JSON (sorted keys), since its original bytes are part of a larger body.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from basira.core.errors import InvalidInput
from basira.drones.remoteid import BasicID, Frame, Location, Message, OperatorID, SelfID, System, Transport

FORMATS = ("decoded", "netrid")
_NETRID_STATUS = {"undeclared": 0, "ground": 1, "airborne": 2, "emergency": 3, "remoteidsystemfailure": 4}


def _num(v: Any, what: str, lo: float, hi: float) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise InvalidInput(f"{what} is not a number")
    try:
        f = float(v)
    except ValueError:
        raise InvalidInput(f"{what} {str(v)[:30]!r} is not a number") from None
    if not math.isfinite(f) or not lo <= f <= hi:
        raise InvalidInput(f"{what} {f:g} is outside {lo:g}..{hi:g}")
    return f


def _int(v: Any, what: str, hi: int) -> int:
    f = _num(v, what, 0, hi)
    return int(f) if f is not None else 0


def _text(v: Any, what: str, size: int = 20) -> str:
    if v is None:
        return ""
    if not isinstance(v, str) or len(v) > size or not v.isprintable():
        raise InvalidInput(f"{what} is text of at most {size} printable characters")
    return v


def _time(v: Any, default: dt.datetime) -> dt.datetime:
    if v is None or v == "":
        return default
    if isinstance(v, dict):
        v = v.get("value")
    if not isinstance(v, str):
        raise InvalidInput("received_at is an ISO 8601 time")
    try:
        t = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{v[:40]!r} is not an ISO 8601 time") from None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _location(lat: Any, lon: Any, alt: Any, height: Any, height_type: int, speed: Any, direction: Any,
              vspeed: Any, status: int) -> Location:
    return Location(status=status, height_type=height_type,
                    direction=_num(direction, "direction", 0, 360),
                    speed_horizontal=_num(speed, "speed", 0, 254.25),
                    speed_vertical=_num(vspeed, "vertical speed", -62, 62),
                    latitude=_num(lat, "latitude", -90, 90), longitude=_num(lon, "longitude", -180, 180),
                    altitude_baro=None, altitude_geo=_num(alt, "altitude", -1000, 31767),
                    height=_num(height, "height", -1000, 31767))


def _system(lat: Any, lon: Any) -> System:
    return System(operator_location_type=1, classification_type=0,
                  operator_latitude=_num(lat, "operator latitude", -90, 90),
                  operator_longitude=_num(lon, "operator longitude", -180, 180), area_count=1, area_radius=0,
                  area_ceiling=None, area_floor=None, category=0, class_=0, operator_altitude_geo=None,
                  timestamp=None)


def _decoded(r: dict[str, Any]) -> tuple[list[Message], dt.datetime | None]:
    msgs: list[Message] = []
    if r.get("uas_id"):
        msgs.append(BasicID(id_type=_int(r.get("id_type", 1), "id_type", 4), ua_type=_int(r.get("ua_type", 0),
                            "ua_type", 15), uas_id=_text(r["uas_id"], "uas_id")))
    if r.get("lat") is not None or r.get("lon") is not None:
        msgs.append(_location(r.get("lat"), r.get("lon"), r.get("alt_geo"), r.get("height"),
                              _int(r.get("height_type", 0), "height_type", 1), r.get("speed"), r.get("direction"),
                              r.get("vertical_speed"), _int(r.get("status", 0), "status", 15)))
    if r.get("operator_lat") is not None:
        msgs.append(_system(r.get("operator_lat"), r.get("operator_lon")))
    if r.get("operator_id"):
        msgs.append(OperatorID(operator_id_type=0, operator_id=_text(r["operator_id"], "operator_id")))
    if r.get("self_id"):
        msgs.append(SelfID(description_type=_int(r.get("self_id_type", 0), "self_id_type", 255),
                           description=_text(r["self_id"], "self_id", 23)))
    return msgs, None


def _obj(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _netrid(r: dict[str, Any]) -> tuple[list[Message], dt.datetime | None]:
    details = _obj(r.get("details"))
    ids = _obj(details.get("uas_id"))
    uid = next((ids[k] for k in ("serial_number", "registration_id", "utm_id", "specific_session_id")
                if ids.get(k)), None) or r.get("id")
    id_type = next((n for n, k in enumerate(("serial_number", "registration_id", "utm_id", "specific_session_id"), 1)
                    if ids.get(k)), 4)
    msgs: list[Message] = []
    if uid:
        msgs.append(BasicID(id_type=id_type, ua_type=0, uas_id=_text(str(uid), "uas id")))
    state = r.get("current_state")
    when = None
    if isinstance(state, dict):
        pos = _obj(state.get("position"))
        h = _obj(pos.get("height"))
        status = _NETRID_STATUS.get(str(state.get("operational_status", "")).lower(), 0)
        msgs.append(_location(pos.get("lat"), pos.get("lng"), pos.get("alt"), h.get("distance"),
                              1 if h.get("reference") == "GroundLevel" else 0, state.get("speed"),
                              state.get("track"), state.get("vertical_speed"), status))
        ts = state.get("timestamp")
        when = _time(ts, dt.datetime.now(dt.UTC)) if ts else None
    op = details.get("operator_location")
    if isinstance(op, dict):
        p = _obj(op.get("position")) or op
        msgs.append(_system(p.get("lat"), p.get("lng")))
    if details.get("operator_id"):
        msgs.append(OperatorID(operator_id_type=0, operator_id=_text(details["operator_id"], "operator_id")))
    return msgs, when


def frame_from_json(fmt: str, record: Any, *, sensor: str, now: dt.datetime) -> Frame:
    """A frame from one receiver record, or InvalidInput naming what is wrong with it."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown receiver format {fmt!r} ({', '.join(FORMATS)})")
    if not isinstance(record, dict):
        raise InvalidInput("a receiver record is a JSON object")
    msgs, when = (_decoded if fmt == "decoded" else _netrid)(record)
    if not msgs:
        raise InvalidInput("the record names no drone and no position")
    transport = str(record.get("transport") or "wifi_beacon")
    try:
        kind = Transport(transport)
    except ValueError:
        raise InvalidInput(f"unknown transport {transport[:20]!r}") from None
    raw = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    rssi = _num(record.get("rssi"), "rssi", -150, 30)
    mac = record.get("mac")
    return Frame(kind, _time(record.get("received_at"), when or now), raw, messages=msgs,
                 source=_text(mac, "mac", 64) or None if mac else None, sensor_id=sensor,
                 rssi=rssi)
