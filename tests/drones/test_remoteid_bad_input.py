"""Hostile and broken Remote ID messages: each is refused with a reason, or kept with its problem named —
never a crash, and never a good message lost alongside a bad one."""

from __future__ import annotations

import pytest

from basira.core.errors import InvalidInput
from basira.drones.remoteid import (
    BasicID,
    DecodeError,
    Location,
    MessagePack,
    OperatorID,
    decode_message,
    encode_message,
)

GOOD_BASIC = encode_message(BasicID(1, 2, "1581F5FKD229200A0Z"))
GOOD_OPERATOR = encode_message(OperatorID(0, "FIN87astrdge12k8"))
GOOD_LOCATION = encode_message(Location(2, 0, 90.0, 10.0, 1.0, 60.17, 24.94, 120.0, 150.0, 50.0))


def with_byte(raw: bytes, index: int, value: int) -> bytes:
    return raw[:index] + bytes([value]) + raw[index + 1:]


def with_int32(raw: bytes, index: int, value: int) -> bytes:
    return raw[:index] + value.to_bytes(4, "little", signed=True) + raw[index + 4:]


@pytest.mark.parametrize("length", [0, 1, 12, 24])
def test_truncated_message_is_refused_with_its_length(length: int) -> None:
    with pytest.raises(DecodeError, match=f"truncated message: {length} bytes"):
        decode_message(GOOD_LOCATION[:length])


@pytest.mark.parametrize("kind", [6, 7, 10, 14])
def test_unknown_message_type_is_refused(kind: int) -> None:
    with pytest.raises(DecodeError, match=f"unknown message type {kind}"):
        decode_message(with_byte(GOOD_BASIC, 0, kind << 4 | 2))


@pytest.mark.parametrize(("version", "word"), [(3, "unknown"), (9, "unknown"), (15, "private-use")])
def test_unknown_protocol_version_is_refused(version: int, word: str) -> None:
    with pytest.raises(DecodeError, match=f"{word} protocol version {version}"):
        decode_message(with_byte(GOOD_BASIC, 0, version))


@pytest.mark.parametrize("raw_lat", [900_000_001, -900_000_001, 2**31 - 1, -(2**31)])
def test_latitude_beyond_90_degrees_is_refused(raw_lat: int) -> None:
    with pytest.raises(DecodeError, match=r"latitude .* beyond ±90°"):
        decode_message(with_int32(GOOD_LOCATION, 5, raw_lat))


def test_longitude_beyond_180_degrees_is_refused() -> None:
    with pytest.raises(DecodeError, match=r"longitude .* beyond ±180°"):
        decode_message(with_int32(GOOD_LOCATION, 9, 1_800_000_001))


def test_operator_latitude_beyond_90_degrees_is_refused() -> None:
    system = bytes([0x42, 0]) + (950_000_000).to_bytes(4, "little", signed=True) + bytes(19)
    with pytest.raises(DecodeError, match="operator latitude"):
        decode_message(system)


# Values that no encoder following the standard writes: out-of-range "NaN-like" fillers.
@pytest.mark.parametrize(("index", "value", "reason"), [
    (2, 182, "direction 362° is beyond"),  # 182 + the west bit: 362°
    (4, 127, "vertical speed 63.5 m/s"),  # 127 × 0.5 is neither a speed nor the 63 m/s "unknown"
    (4, 0x80, "vertical speed -64.0 m/s"),
])
def test_out_of_range_location_fields_are_refused(index: int, value: int, reason: str) -> None:
    raw = with_byte(GOOD_LOCATION, 1, GOOD_LOCATION[1] | 0x02)
    raw = with_byte(raw, index, value)
    with pytest.raises(DecodeError, match=reason):
        decode_message(raw)


def test_timestamp_past_the_hour_is_refused() -> None:
    raw = GOOD_LOCATION[:21] + (36001).to_bytes(2, "little") + GOOD_LOCATION[23:]
    with pytest.raises(DecodeError, match="more than an hour"):
        decode_message(raw)


def test_pack_claiming_nine_messages_with_bytes_for_two_keeps_the_two() -> None:
    raw = bytes([0xF2, 25, 9]) + GOOD_BASIC + GOOD_LOCATION
    pack = decode_message(raw)
    assert isinstance(pack, MessagePack)
    assert [type(m).__name__ for m in pack.messages] == ["BasicID", "Location"]
    assert pack.errors == ("message pack claims 9 messages but holds bytes for 2",)


def test_pack_with_more_than_nine_messages_is_flagged_but_read() -> None:
    raw = bytes([0xF2, 25, 10]) + GOOD_OPERATOR * 10
    pack = decode_message(raw)
    assert isinstance(pack, MessagePack) and len(pack.messages) == 10
    assert "the most allowed is 9" in pack.errors[0]


def test_bad_message_inside_a_pack_does_not_lose_the_good_ones() -> None:
    bad = with_int32(GOOD_LOCATION, 5, 910_000_000)
    pack = decode_message(bytes([0xF2, 25, 3]) + GOOD_BASIC + bad + GOOD_OPERATOR)
    assert isinstance(pack, MessagePack)
    assert [type(m).__name__ for m in pack.messages] == ["BasicID", "OperatorID"]
    assert pack.errors[0].startswith("message 2: aircraft latitude")


def test_pack_inside_a_pack_is_refused_not_recursed() -> None:
    inner = bytes([0xF2, 25, 1]) + GOOD_BASIC[:22]
    pack = decode_message(bytes([0xF2, 25, 2]) + inner + GOOD_OPERATOR)
    assert isinstance(pack, MessagePack)
    assert pack.messages == (decode_message(GOOD_OPERATOR),)
    assert "message pack inside a message pack" in pack.errors[0]


@pytest.mark.parametrize(("raw", "reason"), [
    (bytes([0xF2, 24, 1]) + GOOD_BASIC, "declares 24-byte messages"),
    (bytes([0xF2, 25, 0]) + bytes(22), "holds no messages"),
])
def test_unusable_pack_header_is_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode_message(raw)


def test_authentication_page_beyond_version_limit_is_refused() -> None:
    raw = bytes([0x21, 0x15]) + bytes(23)  # protocol version 1 allows pages 0-4
    with pytest.raises(DecodeError, match="page 5 is beyond the 5 pages"):
        decode_message(raw)


@pytest.mark.parametrize("message", [
    Location(0, 0, None, None, None, 91.0, 0.0, None, None, None),
    Location(0, 0, None, 300.0, None, None, None, None, None, None),
    Location(0, 0, float("nan"), None, None, None, None, None, None, None),
    Location(0, 0, None, None, None, 10.0, None, None, None, None),
    BasicID(1, 2, "X" * 21),
    BasicID(1, 2, "ID\0WITH NUL"),
    OperatorID(0, "opérateur-€"),
])
def test_encoder_refuses_values_the_standard_cannot_carry(message: Location | BasicID | OperatorID) -> None:
    with pytest.raises(InvalidInput, match="cannot encode"):
        encode_message(message)
