"""The Remote ID codec: field encodings of ASTM F3411 / ASD-STAN EN 4709-002, checked against values the
OpenDroneID project publishes (its test programme and its sample captures)."""

from __future__ import annotations

import datetime as dt

import pytest

from basira.core.errors import InvalidInput
from basira.drones.remoteid import (
    Authentication,
    AuthType,
    BasicID,
    DecodeError,
    DjiFlightInfo,
    HeightType,
    IdType,
    Location,
    MessagePack,
    OperatorID,
    SelfID,
    Status,
    System,
    UAType,
    decode_message,
    encode_message,
    message_dict,
)


def sample_pack(shared_data) -> bytes:  # type: ignore[no-untyped-def]
    raw = (shared_data / "remoteid" / "odid_wifi_bcn_sample.pcap").read_bytes()
    at = raw.index(bytes.fromhex("fa0bbc0d"))
    return raw[at + 5: at + 5 + 3 + 5 * 25]


def test_sample_beacon_pack_decodes_to_the_reference_transmitter_values(shared_data) -> None:  # type: ignore[no-untyped-def]
    pack = decode_message(sample_pack(shared_data))
    assert isinstance(pack, MessagePack)
    assert pack.errors == ()
    basic, loc, self_id, system, operator = pack.messages
    assert basic == BasicID(IdType.NONE, UAType.NONE, "MFG1A0123456789", 0)
    assert isinstance(loc, Location)
    # Bytes 5-8 and 9-12 are the latitude and longitude × 10^7, little-endian.
    assert loc.latitude == pytest.approx(45.5457468, abs=1e-9)
    assert loc.longitude == pytest.approx(-122.9681496, abs=1e-9)
    assert (loc.direction, loc.speed_horizontal, loc.speed_vertical) == (92.0, 20.5, None)
    assert (loc.altitude_baro, loc.altitude_geo, loc.height) == (None, 237.0, 100.0)
    assert (loc.horizontal_accuracy_m, loc.vertical_accuracy_m, loc.speed_accuracy_ms) == (30.0, 25.0, 10.0)
    assert self_id == SelfID(0, "Recreational", 0)
    assert isinstance(system, System)
    assert (system.operator_latitude, system.operator_longitude) == pytest.approx((45.5443876, -122.9726866))
    assert (system.area_count, system.area_radius, system.category, system.class_) == (1, 500, 1, 5)
    assert operator == OperatorID(0, "GBR-OP-123ABCD", 0)


def test_reencoding_the_sample_gives_back_its_bytes_but_the_reserved_ones(shared_data) -> None:  # type: ignore[no-untyped-def]
    raw = sample_pack(shared_data)
    # The reference transmitter leaves the Basic ID's three reserved bytes (pack bytes 25-27) uninitialised.
    assert raw[25:28] != bytes(3)
    expected = raw[:25] + bytes(3) + raw[28:]
    assert encode_message(decode_message(raw)) == expected


# The values of opendroneid-core-c's test programme (test/test_inout.c), encoded here and checked field by field
# against the byte layout of the standard.
def test_location_of_the_core_c_test_programme_encodes_to_the_standard_layout() -> None:
    loc = Location(
        status=Status.AIRBORNE, height_type=HeightType.ABOVE_GROUND, direction=216.0, speed_horizontal=5.5,
        speed_vertical=5.0, latitude=45.539309, longitude=-122.966389, altitude_baro=100.0, altitude_geo=110.0,
        height=80.0, horizontal_accuracy=11, vertical_accuracy=6, baro_accuracy=5, speed_accuracy=3,
        timestamp_tenths=36000, timestamp_accuracy=2)
    raw = encode_message(loc)
    assert raw[0] == 0x12  # Location, protocol version 2
    assert raw[1] == 0x20 | 0x04 | 0x02  # airborne, height above ground, direction in the western half
    assert raw[2] == 36  # 216° = 180° + 36
    assert raw[3] == 22  # 5.5 m/s in 0.25 m/s steps
    assert raw[4] == 10  # 5 m/s in 0.5 m/s steps
    assert int.from_bytes(raw[5:9], "little", signed=True) == 455393090
    assert int.from_bytes(raw[9:13], "little", signed=True) == -1229663890
    assert int.from_bytes(raw[13:15], "little") == 2200  # (100 m + 1000) × 2
    assert int.from_bytes(raw[15:17], "little") == 2220
    assert int.from_bytes(raw[17:19], "little") == 2160
    assert raw[19] == 0x6B and raw[20] == 0x53
    assert int.from_bytes(raw[21:23], "little") == 36000 and raw[23] == 2 and raw[24] == 0
    assert decode_message(raw) == loc


def test_authentication_pages_of_the_core_c_test_programme() -> None:
    page0 = Authentication(AuthType.UAS_ID_SIGNATURE, 0, 1, 39, 28000000, b"12345678901234567")
    page1 = Authentication(AuthType.UAS_ID_SIGNATURE, 1, None, None, None, b"12345678901234567890123")
    raw0, raw1 = encode_message(page0), encode_message(page1)
    assert raw0 == b"\x22\x10\x01\x27" + (28000000).to_bytes(4, "little") + b"12345678901234567"
    assert raw1 == b"\x22\x11" + b"12345678901234567890123"
    assert decode_message(raw0) == page0 and decode_message(raw1) == page1
    assert page0.time == dt.datetime(2019, 11, 21, 1, 46, 40, tzinfo=dt.UTC)


def test_system_of_the_core_c_test_programme_rounds_to_the_standard_steps() -> None:
    system = System(0, 1, 45.539319, -122.966379, 35, 75, 176.9, 41.7, 2, 4, None, None)
    decoded = decode_message(encode_message(system))
    assert isinstance(decoded, System)
    assert decoded.area_radius == 80  # 10 m steps
    assert (decoded.area_ceiling, decoded.area_floor) == (177.0, 41.5)  # 0.5 m steps
    assert (decoded.category, decoded.class_) == (2, 4)  # EU specific category, class C3


def test_unknown_values_decode_as_none() -> None:
    unknown = Location(Status.UNDECLARED, 0, None, None, None, None, None, None, None, None)
    raw = encode_message(unknown)
    # 361° (181 + west bit), 255 with the 0.75 multiplier, 63 m/s, lat/lon 0, altitudes 0, time 0xFFFF.
    assert raw[1] & 0x03 == 0x03 and raw[2] == 181 and raw[3] == 255 and raw[4] == 126
    assert raw[5:19] == bytes(14) and raw[21:23] == b"\xff\xff"
    assert decode_message(raw) == unknown


@pytest.mark.parametrize(("speed", "raw", "mult"), [
    (0.0, 0, 0), (63.75, 255, 0), (64.5, 1, 1), (254.25, 254, 1),
])
def test_horizontal_speed_switches_to_the_coarse_multiplier_above_63_75(speed: float, raw: int, mult: int) -> None:
    loc = Location(0, 0, 0.0, speed, 0.0, None, None, None, None, None)
    encoded = encode_message(loc)
    assert (encoded[3], encoded[1] & 1) == (raw, mult)
    decoded = decode_message(encoded)
    assert isinstance(decoded, Location) and decoded.speed_horizontal == speed


def test_location_time_resolves_to_the_hour_nearest_reception() -> None:
    loc = Location(0, 0, None, None, None, None, None, None, None, None, timestamp_tenths=35990)
    # Sent at hh:59:59.0, received two seconds later in the next hour.
    got = loc.time_at(dt.datetime(2024, 5, 1, 13, 0, 1, tzinfo=dt.UTC))
    assert got == dt.datetime(2024, 5, 1, 12, 59, 59, tzinfo=dt.UTC)


def test_specific_session_id_is_shown_in_hexadecimal_and_reencodes() -> None:
    raw = bytes([0x02, 0x42]) + bytes.fromhex("01" + "ab" * 19) + bytes(3)
    basic = decode_message(raw)
    assert isinstance(basic, BasicID) and basic.uas_id == "01" + "ab" * 19
    assert encode_message(basic) == raw


def test_message_dict_is_json_ready() -> None:
    page = Authentication(1, 0, 0, 3, None, b"\x01\x02\x03")
    assert message_dict(page)["data"] == "010203"
    assert message_dict(System(0, 0, None, None, 1, 0, None, None, 0, 3, None, None))["class"] == 3


def test_dji_telemetry_cannot_be_encoded_as_remote_id() -> None:
    info = DjiFlightInfo(2, 1, "SN", None, None, None, None, 0, 0, 0, 0, None, None, None, None, 0, "", 0)
    with pytest.raises(InvalidInput):
        encode_message(info)


def test_decode_error_is_an_invalid_input_with_its_own_status() -> None:
    assert issubclass(DecodeError, InvalidInput)
    assert (DecodeError.status, DecodeError.exit_code) == (422, 65)
