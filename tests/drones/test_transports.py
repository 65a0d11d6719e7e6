"""Transports: every Remote ID frame of the shared real captures decodes, and frames built here for the
transports those captures lack (Bluetooth 4, Linux LE link layer) decode the same way."""

from __future__ import annotations

import datetime as dt
import itertools
import struct
from collections import Counter
from pathlib import Path

import pytest

from basira.drones.capture import read_packets
from basira.drones.messages import DjiFlightInfo, Frame, Transport
from basira.drones.remoteid import BasicID, Location, MessagePack, OperatorID, encode_message
from basira.drones.transports import (
    LINKTYPE_BLUETOOTH_LE_LL,
    LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR,
    decode_frame,
    parse_packet,
    parse_radiotap,
)

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
BASIC = encode_message(BasicID(1, 2, "1581F5FKD229200A0Z"))
LOCATION = encode_message(Location(2, 0, 270.0, 12.5, -1.0, 48.8566, 2.3522, 130.0, 160.0, 60.0))


def frames_of(path: Path) -> list[Frame]:
    found = []
    for p in read_packets(path):
        frame = parse_packet(p.linktype, p.data, NOW)
        if frame is not None:
            found.append(frame)
    return found


def test_wifi_beacon_sample_holds_21_frames_all_decoded(shared_data: Path) -> None:
    frames = frames_of(shared_data / "remoteid" / "odid_wifi_bcn_sample.pcap")
    assert len(frames) == 21
    assert all(f.ok and f.transport is Transport.WIFI_BEACON and not f.errors for f in frames)
    assert all(len(f.messages) == 5 for f in frames)
    assert {f.source for f in frames} == {"84:cc:a8:60:43:24"}
    counters = [f.counter for f in frames]
    assert all(c is not None for c in counters)
    steps = [(b - a) % 256 for a, b in itertools.pairwise(counters)]  # type: ignore[operator]
    # The vendor IE counter runs 208..230; the capture missed two beacons (209 and 229).
    assert counters[0] == 208 and counters[-1] == 230 and all(1 <= step <= 2 for step in steps)


def test_nan_and_beacon_sample_holds_42_frames_all_decoded(shared_data: Path) -> None:
    frames = frames_of(shared_data / "remoteid" / "odid_wifi_sample.pcap")
    assert len(frames) == 42
    assert all(f.ok for f in frames)
    assert Counter(f.transport for f in frames) == {Transport.WIFI_NAN: 21, Transport.WIFI_BEACON: 21}
    operator = [m for f in frames for m in f.messages if isinstance(m, OperatorID)]
    assert operator and {m.operator_id for m in operator} == {"GBR-OP-123ABCD"}


def test_bt5_long_range_sample_counts_bad_crc_frames_as_rejected(shared_data: Path) -> None:
    frames = frames_of(shared_data / "remoteid" / "odid_bt5_lr_sample.pcapng")
    assert len(frames) == 274 and {f.transport for f in frames} == {Transport.BT5}
    rejected = Counter(f.rejected for f in frames if f.rejected)
    assert rejected == {"bad CRC": 30}
    assert all(not f.messages for f in frames if f.rejected)
    # The transmitter starts with 19 empty Message Packs: good CRC, nothing in them, each one named.
    empty = [f for f in frames if not f.rejected and not f.ok]
    assert len(empty) == 19 and all(f.errors == ["message pack holds no messages"] for f in empty)
    good = [f for f in frames if f.ok]
    assert len(good) == 225
    ids = {m.uas_id for f in good for m in f.messages if isinstance(m, BasicID)}
    assert len(ids) == 1
    assert all(f.source is not None and f.rssi is not None and f.rssi < 0 for f in good)


@pytest.mark.parametrize(("name", "count"), [
    ("cdc_mavic_alessa_spoofed.pcapng", 10), ("cdc_mavic_multiple_spoofed.pcapng", 77)])
def test_dji_droneid_captures_decode(shared_data: Path, name: str, count: int) -> None:
    frames = frames_of(shared_data / "remoteid" / name)
    assert len(frames) == count
    assert all(f.ok and f.transport is Transport.DJI for f in frames)
    assert all(isinstance(f.messages[0], DjiFlightInfo) for f in frames)


def test_dji_flight_telemetry_fields(shared_data: Path) -> None:
    frame = frames_of(shared_data / "remoteid" / "cdc_mavic_alessa_spoofed.pcapng")[0]
    info = frame.messages[0]
    assert isinstance(info, DjiFlightInfo)
    # Version 2 record: serial, radians × 10^7 positions, the pilot app's position, the home point, a UUID.
    assert (info.version, info.serial_number, info.uuid) == (2, "K6RE0WENAH9P8QAL", "alessa")
    assert info.latitude == pytest.approx(12.0, abs=1e-4)
    assert info.longitude == pytest.approx(2268929 / 174532.925, abs=1e-4)
    assert (info.pilot_latitude, info.pilot_longitude) == pytest.approx((56.0, 43.0), abs=1e-4)
    assert (info.home_latitude, info.home_longitude) == pytest.approx((56.0, 43.0), abs=1e-4)
    assert (info.speed_north, info.speed_east, info.speed_up) == (21.0, 39.0, 9.0)
    assert info.yaw == pytest.approx(239.0)


def test_parrot_spoofed_beacons_decode_and_name_their_short_pack(shared_data: Path) -> None:
    frames = frames_of(shared_data / "remoteid" / "cdc_parrot_anafi4_spoofed.pcapng")
    assert len(frames) == 26 and all(f.ok for f in frames)
    assert {e for f in frames for e in f.errors} == {"message pack claims 4 messages but holds bytes for 3"}


def adv_pdu(service_data: bytes, adv_addr: bytes = bytes.fromhex("112233445566"), kind: int = 2) -> bytes:
    ad = bytes([len(service_data) + 3, 0x16, 0xFA, 0xFF]) + service_data
    payload = adv_addr[::-1] + bytes([2, 0x01, 0x06]) + ad
    return bytes([kind, len(payload)]) + payload


def test_bluetooth4_legacy_advertisement_carries_one_message() -> None:
    pdu = adv_pdu(bytes([0x0D, 7]) + LOCATION)
    frame = decode_frame("bt4", pdu, received_at=NOW, sensor_id="mast-1", rssi=-71)
    assert frame.ok and frame.transport is Transport.BT4
    assert (frame.source, frame.counter, frame.rssi, frame.sensor_id) == ("11:22:33:44:55:66", 7, -71, "mast-1")
    assert isinstance(frame.messages[0], Location) and frame.raw == pdu


def test_service_data_alone_decodes_as_phones_deliver_it() -> None:
    frame = decode_frame(Transport.BT4, bytes([0x0D, 200]) + BASIC, received_at=NOW)
    assert frame.ok and frame.counter == 200 and isinstance(frame.messages[0], BasicID)


def le_ll_packet(pdu: bytes, crc_valid: bool | None) -> bytes:
    ll = struct.pack("<I", 0x8E89BED6) + pdu + b"\x00\x00\x00"
    if crc_valid is None:
        return ll
    flags = 0x0400 | (0x0800 if crc_valid else 0)
    return bytes([37, 0xC4, 0x80, 0]) + struct.pack("<IH", 0x8E89BED6, flags) + ll


def test_linux_le_link_layer_frames_decode_and_bad_crc_is_rejected() -> None:
    pdu = adv_pdu(bytes([0x0D, 1]) + BASIC)
    plain = parse_packet(LINKTYPE_BLUETOOTH_LE_LL, le_ll_packet(pdu, None), NOW)
    assert plain is not None and plain.ok
    good = parse_packet(LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR, le_ll_packet(pdu, True), NOW)
    assert good is not None and good.ok and good.rssi == -60 and good.channel == 37
    bad = parse_packet(LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR, le_ll_packet(pdu, False), NOW)
    assert bad is not None and bad.rejected == "bad CRC" and not bad.messages


def test_non_remote_id_advertisement_is_not_a_frame() -> None:
    other = bytes([2, 9]) + bytes(6) + bytes([2, 0x01, 0x06])
    assert parse_packet(LINKTYPE_BLUETOOTH_LE_LL, le_ll_packet(other, None), NOW) is None
    frame = decode_frame("bt4", other, received_at=NOW)
    assert frame.rejected == "no Remote ID payload in this bt4 frame"


def beacon(vendor_ie: bytes, fcs: bool) -> bytes:
    header = bytes([0x80, 0, 0, 0]) + b"\xff" * 6 + bytes.fromhex("0242ac110002") * 2 + bytes(2)
    body = bytes(8) + struct.pack("<HH", 100, 0x0401) + bytes([0, 4]) + b"test"
    frame = header + body + bytes([221, len(vendor_ie)]) + vendor_ie
    # radiotap: flags (FCS at end or not), channel 2437 MHz, antenna signal -48 dBm
    rt = struct.pack("<BBHI", 0, 0, 16, 0b101010) + bytes([0x10 if fcs else 0, 0]) + struct.pack(
        "<HHb", 2437, 0x00A0, -48) + bytes(1)
    return rt + frame + (b"\xde\xad\xbe\xef" if fcs else b"")


@pytest.mark.parametrize("fcs", [False, True])
def test_beacon_with_radiotap_gives_rssi_channel_and_messages(fcs: bool) -> None:
    pack = encode_message(MessagePack((BasicID(1, 2, "SN1"), Location(2, 0, None, None, None, 1.0, 2.0, None,
                                                                      None, None))))
    raw = beacon(bytes.fromhex("fa0bbc0d") + bytes([42]) + pack, fcs)
    assert parse_radiotap(raw)[1:] == (-48, 2437, fcs)
    frame = parse_packet(127, raw, NOW)
    assert frame is not None and frame.ok
    assert (frame.rssi, frame.channel, frame.counter, frame.source) == (-48, 6, 42, "02:42:ac:11:00:02")
    assert len(frame.messages) == 2
    same = decode_frame("wifi_beacon", raw, received_at=NOW)
    assert same.messages == frame.messages


def test_truncated_vendor_element_is_not_read_past_the_frame() -> None:
    raw = beacon(bytes.fromhex("fa0bbc0d") + bytes([1]) + bytes([0xF2, 25, 2]) + BASIC, False)
    raw = raw[:-10]  # the IE claims more bytes than remain
    assert parse_packet(127, raw, NOW) is None


def test_unknown_transport_name_is_refused() -> None:
    from basira.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="unknown transport 'lora'"):
        decode_frame("lora", b"\x00", received_at=NOW)
