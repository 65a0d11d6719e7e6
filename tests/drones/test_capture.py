"""Capture reading: pcap and pcapng streamed packet by packet, broken files named precisely, huge files read in
constant memory, and the replay summary with its counts and reasons."""

from __future__ import annotations

import datetime as dt
import struct
import tracemalloc
from pathlib import Path

import pytest

from basira.core.errors import EmptyContent, UnsupportedContent
from basira.drones.capture import CaptureReport, read_packets, replay
from basira.drones.messages import Frame
from basira.drones.remoteid import BasicID, Location, MessagePack, encode_message

PACK = encode_message(MessagePack((BasicID(1, 2, "1581F5FKD229200A0Z"),
                                   Location(2, 0, 45.0, 8.0, 0.0, 46.2, 6.1, None, 500.0, 80.0))))
RADIOTAP = struct.pack("<BBHI", 0, 0, 8, 0)


def beacon(counter: int) -> bytes:
    header = bytes([0x80, 0, 0, 0]) + b"\xff" * 6 + bytes.fromhex("0242ac110002") * 2 + bytes(2)
    body = bytes(8) + struct.pack("<HH", 100, 0x0401)
    ie = bytes.fromhex("fa0bbc0d") + bytes([counter & 0xFF]) + PACK
    return RADIOTAP + header + body + bytes([221, len(ie)]) + ie


def pcap_bytes(packets: list[tuple[float, bytes]], linktype: int = 127) -> bytes:
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)]
    for ts, data in packets:
        out.append(struct.pack("<IIII", int(ts), round((ts % 1) * 1e6), len(data), len(data)) + data)
    return b"".join(out)


def pcapng_bytes(packets: list[tuple[float, bytes]], linktype: int = 127) -> bytes:
    def block(kind: int, body: bytes) -> bytes:
        body += bytes(-len(body) % 4)
        return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
           block(1, struct.pack("<HHI", linktype, 0, 0))]
    for ts, data in packets:
        micros = round(ts * 1e6)
        out.append(block(6, struct.pack("<IIIII", 0, micros >> 32, micros & 0xFFFFFFFF, len(data), len(data))
                         + data))
    return b"".join(out)


T0 = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize("writer", [pcap_bytes, pcapng_bytes])
def test_both_formats_stream_the_same_packets(tmp_path: Path, writer) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.cap"
    path.write_bytes(writer([(T0 + i * 0.25, beacon(i)) for i in range(5)]))
    packets = list(read_packets(path))
    assert [p.number for p in packets] == [1, 2, 3, 4, 5]
    assert {p.linktype for p in packets} == {127}
    assert packets[1].timestamp == pytest.approx(T0 + 0.25)
    assert packets[4].data == beacon(4)


@pytest.mark.parametrize(("content", "reason"), [
    (b"GIF89a not a capture", "is not a pcap or pcapng capture (it starts with 47494638)"),
    (struct.pack("<I", 0xA1B2C3D4) + bytes(6), "the pcap header is truncated (10 of 24 bytes)"),
    (struct.pack("<IHHiIII", 0xA1B2C3D4, 7, 4, 0, 0, 65535, 127), "unknown pcap version 7"),
    (struct.pack("<II", 0x0A0D0D0A, 28) + b"\xde\xad\xbe\xef", "bad pcapng byte-order magic"),
    (struct.pack("<III", 0x0A0D0D0A, 0x7FFFFFF0, 0x1A2B3C4D), "the pcapng section header claims 2147483632 bytes"),
])
def test_bad_headers_are_refused_with_a_clear_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.pcap"
    path.write_bytes(content)
    with pytest.raises(UnsupportedContent) as e:
        list(read_packets(path))
    assert reason in e.value.detail


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.pcap").write_bytes(b"")
    with pytest.raises(EmptyContent):
        list(read_packets(tmp_path / "empty.pcap"))


@pytest.mark.parametrize("writer", [pcap_bytes, pcapng_bytes])
def test_a_capture_cut_mid_packet_keeps_every_whole_packet(tmp_path: Path, writer) -> None:  # type: ignore[no-untyped-def]
    whole = writer([(T0 + i, beacon(i)) for i in range(4)])
    path = tmp_path / "cut.cap"
    path.write_bytes(whole[:-30])
    report = CaptureReport()
    packets = list(read_packets(path, report))
    assert len(packets) == 3
    assert report.problem is not None and "ends inside" in report.problem


def test_corrupt_record_length_stops_before_reading_it(tmp_path: Path) -> None:
    good = pcap_bytes([(T0, beacon(0))])
    # A record header claiming 3 GB: reading it would swallow the file (or the memory).
    path = tmp_path / "corrupt.pcap"
    path.write_bytes(good + struct.pack("<IIII", int(T0), 0, 3_000_000_000, 3_000_000_000) + bytes(100))
    report = CaptureReport()
    assert len(list(read_packets(path, report))) == 1
    assert report.problem == f"packet 2 at byte {len(good)} claims 3000000000 bytes: corrupt capture"


def test_pcapng_block_with_impossible_length_is_named(tmp_path: Path) -> None:
    data = pcapng_bytes([(T0, beacon(0))]) + struct.pack("<II", 6, 7) + bytes(8)
    path = tmp_path / "corrupt.pcapng"
    path.write_bytes(data)
    report = CaptureReport()
    assert len(list(read_packets(path, report))) == 1
    assert report.problem is not None and "claims 7 bytes" in report.problem


def test_replay_counts_frames_from_the_future_as_rejected(tmp_path: Path) -> None:
    now = dt.datetime(2024, 6, 1, 12, 0, 30, tzinfo=dt.UTC)
    future = dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp()
    path = tmp_path / "future.pcap"
    path.write_bytes(pcap_bytes([(T0, beacon(0)), (future, beacon(1)), (T0 + 1, beacon(2))]))
    seen: list[Frame] = []
    summary = replay(path, seen.append, fast=True, now=lambda: now)
    assert (summary.frames, summary.frames_decoded) == (3, 2)
    assert summary.rejected == {"received in the future": 1}
    assert seen[1].rejected == "received in the future" and not seen[1].messages


def test_replay_keeps_the_capture_pace_and_caps_long_silences(tmp_path: Path) -> None:
    path = tmp_path / "paced.pcap"
    path.write_bytes(pcap_bytes([(T0, beacon(0)), (T0 + 0.5, beacon(1)), (T0 + 7200, beacon(2))]))
    sleeps: list[float] = []
    replay(path, lambda f: None, fast=False, sleep=sleeps.append, max_gap=30.0,
           now=lambda: dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert sleeps == [pytest.approx(0.5), 30.0]
    sleeps.clear()
    replay(path, lambda f: None, fast=True, sleep=sleeps.append)
    assert sleeps == []


def test_replay_summary_of_the_bt5_sample(shared_data: Path) -> None:
    summary = replay(shared_data / "remoteid" / "odid_bt5_lr_sample.pcapng", lambda f: None)
    as_dict = summary.as_dict()
    assert (as_dict["packets_read"], as_dict["frames"], as_dict["frames_decoded"]) == (274, 274, 225)
    assert as_dict["rejected"] == {"bad CRC": 30, "message pack holds no messages": 19}
    assert as_dict["frames_rejected"] == 49


def test_packets_of_unsupported_link_types_are_counted_not_decoded(tmp_path: Path) -> None:
    path = tmp_path / "ethernet.pcap"
    path.write_bytes(pcap_bytes([(T0, bytes(60))], linktype=1))
    summary = replay(path, lambda f: None)
    assert summary.unsupported_linktypes == {1: 1} and summary.frames == 0


def test_a_large_capture_is_streamed_in_constant_memory(tmp_path: Path) -> None:
    # ~130 MB: 2,000 large non-Remote-ID frames (64 KiB each) with a Remote ID beacon after every tenth.
    path = tmp_path / "large.pcap"
    filler = RADIOTAP + bytes([0x08, 0]) + bytes(64 * 1024)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 127))
        for i in range(2000):
            for data in (filler, beacon(i)) if i % 10 == 0 else (filler,):
                fh.write(struct.pack("<IIII", int(T0) + i, 0, len(data), len(data)) + data)
    assert path.stat().st_size > 125_000_000
    count = 0

    def sink(frame: Frame) -> None:
        nonlocal count
        count += frame.ok

    tracemalloc.start()
    try:
        summary = replay(path, sink, fast=True, now=lambda: dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.packets_read == 2200 and count == summary.frames_decoded == 200
    assert peak < 2 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while reading a {path.stat().st_size / 1e6:.0f} MB file"
