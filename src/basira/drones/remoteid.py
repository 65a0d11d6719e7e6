"""Decode and encode Remote ID messages (25 bytes each, and Message Packs) to and from the records of
`basira.drones.messages` (re-exported here, so ``from basira.drones.remoteid import Location`` works), for
protocol versions 0 (F3411-19), 1 (F3411-20) and 2 (F3411-22a).

Decoding is the hot path of every receiver (a busy site hears thousands of messages a second), so each message
type has one precompiled `struct.Struct` and the dispatch is a table lookup on the header byte.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable

from basira.core.errors import InvalidInput
from basira.drones.messages import (
    EPOCH_2019,
    MESSAGE_SIZE,
    PACK_MAX_MESSAGES,
    Authentication,
    AuthType,
    BasicID,
    DjiFlightInfo,
    Frame,
    HeightType,
    IdType,
    Location,
    Message,
    MessagePack,
    MessageType,
    OperatorID,
    OperatorLocationType,
    SelfID,
    Status,
    System,
    Transport,
    UAType,
    frame_dict,
    message_dict,
)

__all__ = [
    "EPOCH_2019", "MESSAGE_SIZE", "PACK_MAX_MESSAGES", "SUPPORTED_VERSIONS", "AuthType", "Authentication", "BasicID",
    "DecodeError", "DjiFlightInfo", "Frame", "HeightType", "IdType", "Location", "Message", "MessagePack",
    "MessageType", "OperatorID", "OperatorLocationType", "SelfID", "Status", "System", "Transport", "UAType",
    "decode_message", "decode_pack", "encode_message", "frame_dict", "message_dict",
]

#: Protocol versions this codec reads: 0 = F3411-19, 1 = F3411-20, 2 = F3411-22a (ASD-STAN uses 1 and 2).
SUPPORTED_VERSIONS = frozenset({0, 1, 2})


class DecodeError(InvalidInput):
    """Bytes that are not a valid Remote ID message (truncated, unknown type or version, out-of-range value)."""

    status = 422
    exit_code = 65
    title = "Invalid Remote ID message"


_BASIC = struct.Struct("<BB20s3x")
_LOCATION = struct.Struct("<BBBBbiiHHHBBHBx")
_AUTH0 = struct.Struct("<BBBBI17s")
_AUTHN = struct.Struct("<BB23s")
_SELF = struct.Struct("<BB23s")
_SYSTEM = struct.Struct("<BBiiHBHHBHIx")
_OPERATOR = struct.Struct("<BB20s3x")

_INV_TIMESTAMP = 0xFFFF
_MAX_TIMESTAMP = 36000  # tenths of a second in an hour
_SESSION_ID = int(IdType.SPECIFIC_SESSION_ID)  # a plain int: enum attribute lookups are slow on the hot path
_INV_VSPEED = 126  # 63 m/s in 0.5 m/s steps means "unknown"
_MAX_VSPEED = 124  # ±62 m/s
_SPEED_HIGH_BASE = 255 * 0.25  # 63.75 m/s, where the 0.75 m/s steps start


# Text fields are NUL-padded ASCII. Other bytes are kept as the Latin-1 character of the same code, so nothing
# is lost or guessed at and the text re-encodes to the very bytes received (the decoders inline this).


def _alt(raw: int) -> float | None:
    # (metres + 1000) * 2; zero is -1000 m, the standard's "unknown".
    return None if raw == 0 else raw * 0.5 - 1000.0


def _latlon(lat_raw: int, lon_raw: int, what: str) -> tuple[float | None, float | None]:
    if lat_raw == 0 and lon_raw == 0:
        return None, None  # both zero is the standard's "unknown position"
    if not -900_000_000 <= lat_raw <= 900_000_000:
        raise DecodeError(f"{what} latitude {lat_raw / 1e7:.7f} is beyond ±90°")
    if not -1_800_000_000 <= lon_raw <= 1_800_000_000:
        raise DecodeError(f"{what} longitude {lon_raw / 1e7:.7f} is beyond ±180°")
    return lat_raw / 1e7, lon_raw / 1e7


def _decode_basic(b: bytes | memoryview, version: int) -> BasicID:
    _, types, uas = _BASIC.unpack_from(b)
    id_type = types >> 4
    uas_id = uas.rstrip(b"\0").hex() if id_type == _SESSION_ID else uas.partition(b"\0")[0].decode("latin-1")
    return BasicID(id_type, types & 0x0F, uas_id, version)


def _direction_value(index: int) -> float | str | None:
    degrees = index - 256 + 180 if index >= 256 else index
    if degrees <= 359:
        return float(degrees)
    if degrees == 360:
        return 0.0  # 360° rounds to north
    return None if degrees == 361 else f"direction {degrees}° is beyond 0–360°"


def _vspeed_value(raw: int) -> float | str | None:
    if raw == _INV_VSPEED:
        return None
    return raw * 0.5 if -_MAX_VSPEED <= raw <= _MAX_VSPEED else f"vertical speed {raw * 0.5} m/s is beyond ±62 m/s"


# Lookup tables for the one-byte fields, built once: the hot path then does one index per field. A string
# entry is the reason the value is refused. Direction and speed are indexed by their flag bit × 256 + the byte.
_DIRECTIONS = tuple(_direction_value(i) for i in range(512))
_SPEEDS = tuple([i * 0.25 for i in range(256)] + [i * 0.75 + _SPEED_HIGH_BASE for i in range(255)] + [None])
_VSPEEDS = tuple(_vspeed_value(i - 256 if i > 127 else i) for i in range(256))


def _decode_location(b: bytes | memoryview, version: int) -> Location:
    (_, flags, dir_raw, speed_raw, vspeed_raw, lat_raw, lon_raw, baro_raw, geo_raw, height_raw, vh_acc, bs_acc,
     ts_raw, ts_acc) = _LOCATION.unpack_from(b)
    direction = _DIRECTIONS[(flags & 0x02) << 7 | dir_raw]
    if isinstance(direction, str):
        raise DecodeError(direction)
    vspeed = _VSPEEDS[vspeed_raw & 0xFF]
    if isinstance(vspeed, str):
        raise DecodeError(vspeed)
    if lat_raw or lon_raw:
        if not (-900_000_000 <= lat_raw <= 900_000_000 and -1_800_000_000 <= lon_raw <= 1_800_000_000):
            _latlon(lat_raw, lon_raw, "aircraft")  # raises with the precise reason
        lat: float | None = lat_raw / 1e7
        lon: float | None = lon_raw / 1e7
    else:
        lat = lon = None
    if ts_raw > _MAX_TIMESTAMP:
        if ts_raw != _INV_TIMESTAMP:
            raise DecodeError(f"timestamp {ts_raw / 10} s is more than an hour after the hour")
        timestamp: int | None = None
    else:
        timestamp = ts_raw
    return Location(
        flags >> 4, (flags >> 2) & 1, direction, _SPEEDS[(flags & 0x01) << 8 | speed_raw], vspeed, lat, lon,
        baro_raw * 0.5 - 1000.0 if baro_raw else None, geo_raw * 0.5 - 1000.0 if geo_raw else None,
        height_raw * 0.5 - 1000.0 if height_raw else None,
        vh_acc & 0x0F, vh_acc >> 4, bs_acc >> 4, bs_acc & 0x0F,
        timestamp, (ts_acc & 0x0F) or None, version)


def _decode_auth(b: bytes | memoryview, version: int) -> Authentication:
    types = b[1]
    page = types & 0x0F
    max_page = 15 if version >= 2 else 4  # F3411-22a allows 16 pages, earlier versions 5
    if page > max_page:
        raise DecodeError(f"authentication page {page} is beyond the {max_page + 1} pages of protocol "
                          f"version {version}")
    if page == 0:
        _, _, last, length, ts, data = _AUTH0.unpack_from(b)
        if last > max_page:
            raise DecodeError(f"authentication claims {last + 1} pages, protocol version {version} allows "
                              f"{max_page + 1}")
        if length > 17 + 23 * last:
            raise DecodeError(f"authentication claims {length} bytes, its {last + 1} pages hold "
                              f"{17 + 23 * last}")
        return Authentication(types >> 4, 0, last, length, ts or None, data, version)
    _, _, data = _AUTHN.unpack_from(b)
    return Authentication(types >> 4, page, None, None, None, data, version)


def _decode_self_id(b: bytes | memoryview, version: int) -> SelfID:
    _, kind, text = _SELF.unpack_from(b)
    return SelfID(kind, text.partition(b"\0")[0].decode("latin-1"), version)


def _decode_system(b: bytes | memoryview, version: int) -> System:
    (_, flags, lat_raw, lon_raw, count, radius, ceiling, floor, cat_class, op_alt,
     ts) = _SYSTEM.unpack_from(b)
    lat, lon = _latlon(lat_raw, lon_raw, "operator")
    return System(flags & 0x03, (flags >> 2) & 0x07, lat, lon, count, radius * 10, _alt(ceiling), _alt(floor),
                  cat_class >> 4, cat_class & 0x0F, _alt(op_alt), ts or None, version)


def _decode_operator(b: bytes | memoryview, version: int) -> OperatorID:
    _, kind, ident = _OPERATOR.unpack_from(b)
    return OperatorID(kind, ident.partition(b"\0")[0].decode("latin-1"), version)


_Decoder = Callable[[bytes | memoryview, int], Message]
# Plain int keys: looking up an int among IntEnum keys goes through the enum's slower comparison.
_DECODERS: dict[int, _Decoder] = {
    int(MessageType.BASIC_ID): _decode_basic,
    int(MessageType.LOCATION): _decode_location,
    int(MessageType.AUTH): _decode_auth,
    int(MessageType.SELF_ID): _decode_self_id,
    int(MessageType.SYSTEM): _decode_system,
    int(MessageType.OPERATOR_ID): _decode_operator,
}


def decode_message(data: bytes | memoryview) -> Message:
    """Decode one Remote ID message, or a Message Pack, from the start of ``data``.

    Args:
        data: at least 25 bytes (more for a pack); bytes after the message are ignored.

    Returns:
        The record of the message's type; a Message Pack decodes every whole message it holds and lists the
        others in its ``errors``.

    Raises:
        DecodeError: the bytes are truncated, of an unknown type or protocol version, or hold a value the
            standard does not allow (a latitude over 90°, a timestamp past the hour).
    """
    if len(data) < MESSAGE_SIZE:
        raise DecodeError(f"truncated message: {len(data)} bytes, a message has {MESSAGE_SIZE}")
    header = data[0]
    version = header & 0x0F
    if version > 2:  # SUPPORTED_VERSIONS, tested as a comparison on this hot path
        kind = "private-use" if version == 0x0F else "unknown"
        raise DecodeError(f"{kind} protocol version {version}")
    decoder = _DECODERS.get(header >> 4)
    if decoder is not None:
        return decoder(data, version)
    if header >> 4 == MessageType.MESSAGE_PACK:
        return decode_pack(data)
    raise DecodeError(f"unknown message type {header >> 4}")


def decode_pack(data: bytes | memoryview) -> MessagePack:
    """Decode a Message Pack: header, message size, count, then the messages.

    A pack that claims more messages than its bytes hold, or messages that do not decode, is not rejected:
    every whole, valid message is kept and each problem is named in ``errors``.

    Raises:
        DecodeError: the pack header itself is unusable (too short, wrong message size, zero messages).
    """
    if len(data) < 3:
        raise DecodeError(f"truncated message pack: {len(data)} bytes")
    version = data[0] & 0x0F
    size, count = data[1], data[2]
    if size != MESSAGE_SIZE:
        raise DecodeError(f"message pack declares {size}-byte messages, the standard has {MESSAGE_SIZE}")
    if count == 0:
        raise DecodeError("message pack holds no messages")
    errors: list[str] = []
    if count > PACK_MAX_MESSAGES:
        errors.append(f"message pack claims {count} messages, the most allowed is {PACK_MAX_MESSAGES}")
    whole = (len(data) - 3) // MESSAGE_SIZE
    if whole < count:
        errors.append(f"message pack claims {count} messages but holds bytes for {whole}")
    view = memoryview(data)
    messages: list[Message] = []
    for i in range(min(count, whole)):
        chunk = view[3 + i * MESSAGE_SIZE: 3 + (i + 1) * MESSAGE_SIZE]
        if chunk[0] >> 4 == MessageType.MESSAGE_PACK:
            errors.append(f"message {i + 1}: a message pack inside a message pack")
            continue
        try:
            messages.append(decode_message(chunk))
        except DecodeError as e:
            errors.append(f"message {i + 1}: {e.detail}")
    return MessagePack(tuple(messages), tuple(errors), version)


# -- encoding -------------------------------------------------------------------------------------------------


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise InvalidInput(f"cannot encode: {what}")


def _enc_text(text: str, size: int, what: str) -> bytes:
    ok = len(text) <= size and "\0" not in text and all(ord(c) < 256 for c in text)
    _check(ok, f"{what} must be at most {size} ASCII characters")
    return text.encode("latin-1")


def _enc_alt(value: float | None, what: str) -> int:
    if value is None:
        return 0
    _check(math.isfinite(value) and -1000.0 <= value <= 31767.5, f"{what} {value} m is out of range")
    return round((value + 1000.0) * 2)


def _enc_latlon(lat: float | None, lon: float | None, what: str) -> tuple[int, int]:
    if lat is None or lon is None:
        _check(lat is None and lon is None, f"{what} latitude and longitude must be both known or both unknown")
        return 0, 0
    _check(math.isfinite(lat) and -90.0 <= lat <= 90.0, f"{what} latitude {lat} is beyond ±90°")
    _check(math.isfinite(lon) and -180.0 <= lon <= 180.0, f"{what} longitude {lon} is beyond ±180°")
    return round(lat * 1e7), round(lon * 1e7)


def _enc_nibble(value: int, what: str) -> int:
    _check(0 <= value <= 15, f"{what} {value} does not fit in 4 bits")
    return value


def _encode_location(m: Location, header: int) -> bytes:
    flags = _enc_nibble(m.status, "status") << 4 | (m.height_type & 1) << 2
    if m.direction is None:
        direction = 361
    else:
        _check(math.isfinite(m.direction) and 0 <= m.direction < 360, f"direction {m.direction}° is out of range")
        direction = round(m.direction) % 360
    if direction >= 180:
        flags |= 0x02
        direction -= 180
    if m.speed_horizontal is None:
        flags |= 0x01
        speed = 255
    else:
        s = m.speed_horizontal
        _check(math.isfinite(s) and 0 <= s <= 254.25, f"speed {s} m/s is out of range")
        if round(s / 0.25) <= 255:
            speed = round(s / 0.25)
        else:
            flags |= 0x01
            speed = min(254, round((s - _SPEED_HIGH_BASE) / 0.75))
    if m.speed_vertical is None:
        vspeed = _INV_VSPEED
    else:
        v = m.speed_vertical
        _check(math.isfinite(v) and -62 <= v <= 62, f"vertical speed {v} m/s is beyond ±62 m/s")
        vspeed = round(v / 0.5)
    lat, lon = _enc_latlon(m.latitude, m.longitude, "aircraft")
    ts = _INV_TIMESTAMP if m.timestamp_tenths is None else m.timestamp_tenths
    _check(ts == _INV_TIMESTAMP or 0 <= ts <= _MAX_TIMESTAMP, f"timestamp {ts} tenths is beyond an hour")
    ts_acc = _enc_nibble(m.timestamp_accuracy or 0, "timestamp accuracy")
    return _LOCATION.pack(
        header, flags, direction, speed, vspeed, lat, lon,
        _enc_alt(m.altitude_baro, "barometric altitude"), _enc_alt(m.altitude_geo, "geodetic altitude"),
        _enc_alt(m.height, "height"),
        _enc_nibble(m.vertical_accuracy, "vertical accuracy") << 4 | _enc_nibble(m.horizontal_accuracy,
                                                                                 "horizontal accuracy"),
        _enc_nibble(m.baro_accuracy, "baro accuracy") << 4 | _enc_nibble(m.speed_accuracy, "speed accuracy"),
        ts, ts_acc)


def _encode_auth(m: Authentication, header: int) -> bytes:
    types = _enc_nibble(m.auth_type, "auth type") << 4 | _enc_nibble(m.page_number, "page number")
    max_page = 15 if m.protocol_version >= 2 else 4
    _check(m.page_number <= max_page and (m.last_page_index or 0) <= max_page,
           f"protocol version {m.protocol_version} has at most {max_page + 1} authentication pages")
    _check((m.length or 0) <= 17 + 23 * (m.last_page_index or 0), "authentication length beyond its pages")
    if m.page_number == 0:
        _check(len(m.data) <= 17, "page 0 holds at most 17 bytes of authentication data")
        ts = m.timestamp or 0
        _check(0 <= ts < 2**32, "authentication timestamp is out of range")
        last, length = m.last_page_index or 0, m.length or 0
        _check(0 <= last <= 15 and 0 <= length <= 255, "last page index or length is out of range")
        return _AUTH0.pack(header, types, last, length, ts, m.data)
    _check(len(m.data) <= 23, "pages 1 and up hold at most 23 bytes of authentication data")
    return _AUTHN.pack(header, types, m.data)


def _encode_system(m: System, header: int) -> bytes:
    lat, lon = _enc_latlon(m.operator_latitude, m.operator_longitude, "operator")
    _check(0 <= m.operator_location_type <= 3 and 0 <= m.classification_type <= 7, "system flags out of range")
    _check(0 <= m.area_count <= 0xFFFF, f"area count {m.area_count} is out of range")
    _check(0 <= m.area_radius <= 2550, f"area radius {m.area_radius} m is beyond 2550 m")
    ts = m.timestamp or 0
    _check(0 <= ts < 2**32, "system timestamp is out of range")
    return _SYSTEM.pack(
        header, m.classification_type << 2 | m.operator_location_type, lat, lon, m.area_count,
        round(m.area_radius / 10), _enc_alt(m.area_ceiling, "area ceiling"), _enc_alt(m.area_floor, "area floor"),
        _enc_nibble(m.category, "category") << 4 | _enc_nibble(m.class_, "class"),
        _enc_alt(m.operator_altitude_geo, "operator altitude"), ts)


def encode_message(message: Message) -> bytes:
    """Encode a record as the bytes a transmitter sends: 25 bytes, or 3 + 25 × n for a Message Pack.

    Values are rounded to the standard's steps (0.5 m altitudes, 0.25 or 0.75 m/s speeds, whole degrees),
    so ``decode_message(encode_message(m))`` equals ``m`` for any ``m`` already on those steps.

    Raises:
        InvalidInput: a value the standard cannot carry (latitude over 90°, a 30-character UAS ID, NaN).
    """
    if isinstance(message, DjiFlightInfo):
        raise InvalidInput("cannot encode DJI DroneID telemetry as a Remote ID message")
    version = message.protocol_version
    _check(version in SUPPORTED_VERSIONS, f"protocol version {version} is not supported")
    if isinstance(message, BasicID):
        header = MessageType.BASIC_ID << 4 | version
        if message.id_type == IdType.SPECIFIC_SESSION_ID:
            try:
                uas = bytes.fromhex(message.uas_id)
            except ValueError:
                raise InvalidInput("cannot encode: a specific session ID is given in hexadecimal") from None
            _check(len(uas) <= 20, "a UAS ID holds at most 20 bytes")
        else:
            uas = _enc_text(message.uas_id, 20, "UAS ID")
        return _BASIC.pack(header, _enc_nibble(message.id_type, "ID type") << 4
                           | _enc_nibble(message.ua_type, "UA type"), uas)
    if isinstance(message, Location):
        return _encode_location(message, MessageType.LOCATION << 4 | version)
    if isinstance(message, Authentication):
        return _encode_auth(message, MessageType.AUTH << 4 | version)
    if isinstance(message, SelfID):
        _check(0 <= message.description_type <= 255, "description type is out of range")
        return _SELF.pack(MessageType.SELF_ID << 4 | version, message.description_type,
                          _enc_text(message.description, 23, "self-ID description"))
    if isinstance(message, System):
        return _encode_system(message, MessageType.SYSTEM << 4 | version)
    if isinstance(message, OperatorID):
        _check(0 <= message.operator_id_type <= 255, "operator ID type is out of range")
        return _OPERATOR.pack(MessageType.OPERATOR_ID << 4 | version, message.operator_id_type,
                              _enc_text(message.operator_id, 20, "operator ID"))
    if isinstance(message, MessagePack):
        _check(1 <= len(message.messages) <= PACK_MAX_MESSAGES,
               f"a message pack holds 1 to {PACK_MAX_MESSAGES} messages")
        _check(not any(isinstance(m, MessagePack) for m in message.messages), "message packs do not nest")
        body = b"".join(encode_message(m) for m in message.messages)
        return bytes((MessageType.MESSAGE_PACK << 4 | version, MESSAGE_SIZE, len(message.messages))) + body
    raise InvalidInput(f"cannot encode a {type(message).__name__} as a Remote ID message")
