"""The Remote ID message records (ASTM F3411-19/-22a, ASD-STAN EN 4709-002, the OpenDroneID layout) and the
`Frame` that carries them from a radio to the tracker; `basira.drones.remoteid` decodes and encodes them and
re-exports them all.

Every field the standard marks as "unknown" or "no value" is ``None`` here, so a consumer never mistakes an
encoder's placeholder (latitude 0, altitude -1000 m, direction 361°) for a real reading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import IntEnum, StrEnum
from typing import Any

#: Every Remote ID message is 25 bytes: one header byte (type and protocol version) and 24 of payload.
MESSAGE_SIZE = 25
#: The most messages a Message Pack may hold (ASTM F3411-22a, table 4).
PACK_MAX_MESSAGES = 9
#: Start of the Remote ID timestamps (System and Authentication): 2019-01-01 00:00:00 UTC.
EPOCH_2019 = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)


class MessageType(IntEnum):
    """The upper nibble of a message's first byte."""

    BASIC_ID = 0x0
    LOCATION = 0x1
    AUTH = 0x2
    SELF_ID = 0x3
    SYSTEM = 0x4
    OPERATOR_ID = 0x5
    MESSAGE_PACK = 0xF


class IdType(IntEnum):
    """What the UAS ID of a Basic ID message is."""

    NONE = 0
    SERIAL_NUMBER = 1  # ANSI/CTA-2063-A serial number
    CAA_REGISTRATION_ID = 2
    UTM_ASSIGNED_UUID = 3
    SPECIFIC_SESSION_ID = 4


class UAType(IntEnum):
    """The kind of aircraft of a Basic ID message."""

    NONE = 0
    AEROPLANE = 1
    HELICOPTER_OR_MULTIROTOR = 2
    GYROPLANE = 3
    HYBRID_LIFT = 4
    ORNITHOPTER = 5
    GLIDER = 6
    KITE = 7
    FREE_BALLOON = 8
    CAPTIVE_BALLOON = 9
    AIRSHIP = 10
    FREE_FALL_PARACHUTE = 11
    ROCKET = 12
    TETHERED_POWERED_AIRCRAFT = 13
    GROUND_OBSTACLE = 14
    OTHER = 15


class Status(IntEnum):
    """The operational status of a Location message."""

    UNDECLARED = 0
    GROUND = 1
    AIRBORNE = 2
    EMERGENCY = 3
    REMOTE_ID_SYSTEM_FAILURE = 4


class HeightType(IntEnum):
    """What the height of a Location message is measured from."""

    ABOVE_TAKEOFF = 0
    ABOVE_GROUND = 1


class AuthType(IntEnum):
    """The authentication scheme of an Authentication message."""

    NONE = 0
    UAS_ID_SIGNATURE = 1
    OPERATOR_ID_SIGNATURE = 2
    MESSAGE_SET_SIGNATURE = 3
    NETWORK_REMOTE_ID = 4
    SPECIFIC_AUTHENTICATION = 5


class OperatorLocationType(IntEnum):
    """Where the operator position of a System message comes from."""

    TAKEOFF = 0
    LIVE_GNSS = 1
    FIXED = 2


class Transport(StrEnum):
    """The radio link a frame came over."""

    BT4 = "bt4"  # Bluetooth 4 legacy advertising
    BT5 = "bt5"  # Bluetooth 5 long range (coded PHY) extended advertising
    WIFI_BEACON = "wifi_beacon"
    WIFI_NAN = "wifi_nan"
    DJI = "dji"  # DJI's proprietary DroneID Wi-Fi beacon


# Horizontal accuracy codes (F3411 table 7) -> the bound in metres; 0 is "unknown".
HORIZONTAL_ACCURACY_M: dict[int, float] = {
    1: 18520.0, 2: 7408.0, 3: 3704.0, 4: 1852.0, 5: 926.0, 6: 555.6, 7: 185.2, 8: 92.6, 9: 30.0, 10: 10.0,
    11: 3.0, 12: 1.0}
# Vertical (geodetic and barometric) accuracy codes -> metres.
VERTICAL_ACCURACY_M: dict[int, float] = {1: 150.0, 2: 45.0, 3: 25.0, 4: 10.0, 5: 3.0, 6: 1.0}
# Speed accuracy codes -> metres per second.
SPEED_ACCURACY_MS: dict[int, float] = {1: 10.0, 2: 3.0, 3: 1.0, 4: 0.3}


@dataclass(slots=True)
class BasicID:
    """Who the aircraft is: its UAS ID and what kind of aircraft it is."""

    id_type: int  # IdType
    ua_type: int  # UAType
    #: The ID as ASCII, trailing NULs removed; a Specific Session ID (binary) is shown in hexadecimal.
    uas_id: str
    protocol_version: int = 2


@dataclass(slots=True)
class Location:
    """Where the aircraft is and how it moves; ``None`` wherever the sender said "unknown"."""

    status: int  # Status
    height_type: int  # HeightType
    #: Track direction over ground, degrees clockwise from true north, 0 to 359.
    direction: float | None
    #: Ground speed, m/s (0.25 m/s steps up to 63.75, then 0.75 m/s steps up to 254.25).
    speed_horizontal: float | None
    #: Vertical speed, m/s, positive up (0.5 m/s steps, ±62).
    speed_vertical: float | None
    latitude: float | None
    longitude: float | None
    #: Altitudes and height in metres, 0.5 m steps from -1000 m.
    altitude_baro: float | None
    altitude_geo: float | None
    height: float | None
    horizontal_accuracy: int = 0  # code, see HORIZONTAL_ACCURACY_M
    vertical_accuracy: int = 0  # code, see VERTICAL_ACCURACY_M
    baro_accuracy: int = 0  # code, see VERTICAL_ACCURACY_M
    speed_accuracy: int = 0  # code, see SPEED_ACCURACY_MS
    #: Tenths of a second since the start of the current UTC hour (0 to 36000).
    timestamp_tenths: int | None = None
    #: Timestamp accuracy in tenths of a second (1 to 15).
    timestamp_accuracy: int | None = None
    protocol_version: int = 2

    @property
    def horizontal_accuracy_m(self) -> float | None:
        return HORIZONTAL_ACCURACY_M.get(self.horizontal_accuracy)

    @property
    def vertical_accuracy_m(self) -> float | None:
        return VERTICAL_ACCURACY_M.get(self.vertical_accuracy)

    @property
    def speed_accuracy_ms(self) -> float | None:
        return SPEED_ACCURACY_MS.get(self.speed_accuracy)

    def time_at(self, received_at: dt.datetime) -> dt.datetime | None:
        """The full time of the reading: the hour of ``received_at`` nearest to it plus the tenths.

        A reading sent just before the hour and received just after it belongs to the previous hour, hence
        the nearest match rather than the receiver's own hour.
        """
        if self.timestamp_tenths is None:
            return None
        hour = received_at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        offset = dt.timedelta(seconds=self.timestamp_tenths / 10)
        candidates = (hour - dt.timedelta(hours=1) + offset, hour + offset, hour + dt.timedelta(hours=1) + offset)
        return min(candidates, key=lambda t: abs((t - received_at).total_seconds()))


@dataclass(slots=True)
class Authentication:
    """One page of an Authentication message; page 0 also says how many pages and bytes follow."""

    auth_type: int  # AuthType
    page_number: int
    #: Page 0 only: index of the last page, total data length in bytes, and the time of signing.
    last_page_index: int | None
    length: int | None
    timestamp: int | None  # seconds since 2019-01-01 UTC
    data: bytes  # 17 bytes on page 0, 23 on the others
    protocol_version: int = 2

    @property
    def time(self) -> dt.datetime | None:
        return None if self.timestamp is None else EPOCH_2019 + dt.timedelta(seconds=self.timestamp)


@dataclass(slots=True)
class SelfID:
    """A free-text description of the flight (its purpose, or an emergency)."""

    description_type: int  # 0 text, 1 emergency, 2 extended status, 201-255 private
    description: str
    protocol_version: int = 2


@dataclass(slots=True)
class System:
    """Where the operator is, the area of a group of aircraft, the EU category and class, and the time."""

    operator_location_type: int  # OperatorLocationType
    classification_type: int  # 0 undeclared, 1 EU
    operator_latitude: float | None
    operator_longitude: float | None
    area_count: int
    area_radius: int  # metres, 10 m steps
    area_ceiling: float | None
    area_floor: float | None
    category: int  # EU: 0 undeclared, 1 open, 2 specific, 3 certified
    class_: int  # EU: 0 undeclared, 1-8 classes 0-6 (C0..C6)
    operator_altitude_geo: float | None
    timestamp: int | None  # seconds since 2019-01-01 UTC
    protocol_version: int = 2

    @property
    def time(self) -> dt.datetime | None:
        return None if self.timestamp is None else EPOCH_2019 + dt.timedelta(seconds=self.timestamp)


@dataclass(slots=True)
class OperatorID:
    """The operator's registration number (e.g. an EU operator ID)."""

    operator_id_type: int  # 0 = operator ID
    operator_id: str
    protocol_version: int = 2


@dataclass(slots=True)
class MessagePack:
    """Several messages sent as one (Wi-Fi and Bluetooth 5); ``errors`` names the ones that did not decode."""

    messages: tuple[Message, ...]
    errors: tuple[str, ...] = ()
    protocol_version: int = 2


@dataclass(slots=True)
class DjiFlightInfo:
    """DJI's own DroneID flight telemetry (vendor IE 26:37:12), sent by DJI aircraft alongside or instead of
    Remote ID: the serial number, the aircraft, home point and pilot app positions.
    """

    version: int
    sequence: int
    serial_number: str
    latitude: float | None
    longitude: float | None
    altitude: float | None  # metres (barometric, relative to take-off)
    height: float | None  # metres above ground
    speed_north: float  # m/s
    speed_east: float  # m/s
    speed_up: float  # m/s
    yaw: float  # degrees
    pilot_latitude: float | None
    pilot_longitude: float | None
    home_latitude: float | None
    home_longitude: float | None
    product_type: int
    uuid: str
    state_info: int


Message = BasicID | Location | Authentication | SelfID | System | OperatorID | MessagePack | DjiFlightInfo


@dataclass(slots=True)
class Frame:
    """One radio frame as received: where and when, its raw bytes kept byte for byte, what decoded from it,
    and why anything did not.

    ``messages`` holds the individual messages (a Message Pack is flattened into them). A frame with a non-empty
    ``rejected`` reason was not trusted at all (bad CRC, not Remote ID); ``errors`` lists messages inside an
    otherwise good frame that could not be decoded.
    """

    transport: Transport
    received_at: dt.datetime
    raw: bytes
    messages: list[Message] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: The sender's MAC (Wi-Fi source address, Bluetooth advertiser address), "aa:bb:cc:dd:ee:ff".
    source: str | None = None
    sensor_id: str | None = None
    rssi: float | None = None  # dBm (receivers may give tenths)
    #: The transport's message counter (Bluetooth, Wi-Fi), used to spot replays and dropped frames.
    counter: int | None = None
    channel: int | None = None
    rejected: str | None = None
    #: For a Message Pack: the message count its header declares and how many whole messages its bytes carry.
    pack_declared: int | None = None
    pack_carried: int | None = None

    @property
    def ok(self) -> bool:
        """True when the frame was accepted and at least one message decoded."""
        return self.rejected is None and bool(self.messages)


def message_dict(message: Message) -> dict[str, Any]:
    """A message as JSON-ready values: ``type`` first, bytes in hexadecimal, packs with their messages."""
    out: dict[str, Any] = {"type": type(message).__name__}
    for f in fields(message):
        value = getattr(message, f.name)
        if isinstance(value, bytes):
            value = value.hex()
        elif f.name == "messages":
            value = [message_dict(m) for m in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name.rstrip("_")] = value
    return out


def frame_dict(frame: Frame) -> dict[str, Any]:
    """A frame as JSON-ready values (raw bytes in hexadecimal, times in ISO 8601)."""
    return {
        "transport": frame.transport.value, "received_at": frame.received_at.isoformat(),
        "source": frame.source, "sensor_id": frame.sensor_id, "rssi": frame.rssi, "counter": frame.counter,
        "channel": frame.channel, "rejected": frame.rejected, "errors": list(frame.errors),
        "messages": [message_dict(m) for m in frame.messages], "raw": frame.raw.hex(),
    }
