"""Remote ID decoding speed on one core: messages decoded per second with the message bytes already in memory,
against a plain dpkt + struct decoder written here the way one usually is; then, measured apart, capture
reading (packets/s) and 802.11 parsing (frames/s) against dpkt's own reader and 802.11 parser.

Run: ``.venv/bin/python bench/remoteid_decode.py [--seconds 2]``. Needs ../shared/data/remoteid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dpkt  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from basira.drones.capture import read_packets
from basira.drones.remoteid import MessagePack, decode_message
from basira.drones.transports import parse_packet
from common import report

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "remoteid"
NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def corpus() -> tuple[list[bytes], list[tuple[int, bytes]]]:
    """Every single Remote ID message of the shared captures (25 bytes each), and every captured packet."""
    messages: list[bytes] = []
    packets: list[tuple[int, bytes]] = []
    for path in sorted(DATA.glob("odid_*.pcap*")):
        for p in read_packets(path):
            packets.append((p.linktype, p.data))
            frame = parse_packet(p.linktype, p.data, NOW)
            if frame is None or not frame.ok:
                continue
            # Recover each message's own bytes from the frame: the pack follows the Remote ID header.
            raw = frame.raw
            start = raw.find(b"\xf0\x19") if b"\xf0\x19" in raw else raw.find(b"\xf1\x19")
            start = start if start >= 0 else raw.find(b"\xf2\x19")
            if start < 0:
                continue
            pack = decode_message(raw[start:])
            if isinstance(pack, MessagePack):
                for i in range(len(pack.messages)):
                    messages.append(raw[start + 3 + 25 * i: start + 28 + 25 * i])
    return messages, packets


# -- the baseline: a plain decoder, written as a receiver script usually is -------------------------------------

def plain_decode(msg: bytes) -> dict[str, Any]:
    kind = msg[0] >> 4
    if kind == 0:
        id_type = msg[1] >> 4
        return {"type": "basic_id", "id_type": id_type, "ua_type": msg[1] & 15,
                "uas_id": msg[2:22].rstrip(b"\0").decode("latin-1")}
    if kind == 1:
        (flags, direction, speed, vspeed, lat, lon, baro, geo, height, acc1, _acc2, ts,
         _tsacc) = struct.unpack("<BBBbiiHHHBBHB", msg[1:24])
        if flags & 2:
            direction += 180
        return {"type": "location", "status": flags >> 4, "direction": None if direction == 361 else direction,
                "speed": speed * 0.75 + 63.75 if flags & 1 else speed * 0.25, "vspeed": vspeed * 0.5,
                "lat": lat / 1e7, "lon": lon / 1e7, "alt_baro": baro / 2 - 1000, "alt_geo": geo / 2 - 1000,
                "height": height / 2 - 1000, "h_acc": acc1 & 15, "v_acc": acc1 >> 4, "ts": ts}
    if kind == 2:
        return {"type": "auth", "auth_type": msg[1] >> 4, "page": msg[1] & 15, "data": msg[2:]}
    if kind == 3:
        return {"type": "self_id", "desc_type": msg[1], "desc": msg[2:25].rstrip(b"\0").decode("latin-1")}
    if kind == 4:
        flags, lat, lon, count, radius, ceiling, floor, cls, alt, ts = struct.unpack("<BiiHBHHBHI", msg[1:24])
        return {"type": "system", "lat": lat / 1e7, "lon": lon / 1e7, "count": count, "radius": radius * 10,
                "ceiling": ceiling / 2 - 1000, "floor": floor / 2 - 1000, "class": cls, "alt": alt / 2 - 1000,
                "ts": ts}
    if kind == 5:
        return {"type": "operator_id", "op_type": msg[1], "op_id": msg[2:22].rstrip(b"\0").decode("latin-1")}
    raise ValueError(kind)


def plain_frame(linktype: int, buf: bytes) -> list[bytes]:
    """dpkt's radiotap + 802.11 parsers, then a scan of the vendor IEs for Remote ID (Wi-Fi frames only)."""
    if linktype != 127:
        return []
    try:
        rt = dpkt.radiotap.Radiotap(buf)
        wifi = rt.data
    except (dpkt.UnpackError, struct.error, IndexError, ValueError):
        return []
    found = []
    for ie in getattr(wifi, "ies", []) or []:
        if getattr(ie, "id", None) == 221 and bytes(ie.data)[:4] == b"\xfa\x0b\xbc\x0d":
            found.append(bytes(ie.data))
    return found


def rate(fn: Callable[[], int], seconds: float) -> float:
    """Items per second of ``fn`` (which returns how many it handled), best of repeated runs."""
    best = 0.0
    stop = time.perf_counter() + seconds
    while True:
        t = time.perf_counter()
        n = fn()
        elapsed = time.perf_counter() - t
        best = max(best, n / elapsed)
        if time.perf_counter() > stop:
            return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    messages, packets = corpus()
    batch = (messages * (20000 // len(messages) + 1))[:20000]
    kinds: dict[int, int] = {}
    for m in batch:
        kinds[m[0] >> 4] = kinds.get(m[0] >> 4, 0) + 1

    def ours() -> int:
        for m in batch:
            decode_message(m)
        return len(batch)

    def plain() -> int:
        for m in batch:
            plain_decode(m)
        return len(batch)

    locations = [m for m in batch if m[0] >> 4 == 1]

    def ours_loc() -> int:
        for m in locations:
            decode_message(m)
        return len(locations)

    def plain_loc() -> int:
        for m in locations:
            plain_decode(m)
        return len(locations)

    base = rate(plain, args.seconds)
    report("remoteid_messages_decoded", rate(ours, args.seconds), "messages/s", base,
           note=f"{len(messages)} real messages from the shared captures, mix by type {sorted(kinds.items())}")
    report("remoteid_location_messages_decoded", rate(ours_loc, args.seconds), "messages/s",
           rate(plain_loc, args.seconds))

    frames = packets * (5000 // len(packets) + 1)

    def ours_frames() -> int:
        for lt, buf in frames:
            parse_packet(lt, buf, NOW)
        return len(frames)

    def plain_frames() -> int:
        for lt, buf in frames:
            plain_frame(lt, buf)
        return len(frames)

    report("remoteid_frames_parsed", rate(ours_frames, args.seconds), "frames/s", rate(plain_frames, args.seconds),
           note="radiotap/802.11/BLE to decoded frame; baseline: dpkt radiotap+802.11 parse and IE scan only")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.pcap"
        wifi = [buf for lt, buf in packets if lt == 127]
        with open(path, "wb") as fh:
            fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 127))
            for i in range(200_000):
                buf = wifi[i % len(wifi)]
                fh.write(struct.pack("<IIII", 1_700_000_000 + i // 10, 0, len(buf), len(buf)) + buf)
        size = path.stat().st_size

        def ours_read() -> int:
            return sum(1 for _ in read_packets(path))

        def dpkt_read() -> int:
            with open(path, "rb") as fh:
                return sum(1 for _ in dpkt.pcap.Reader(fh))

        ours_pps = rate(ours_read, args.seconds)
        report("capture_packets_read", ours_pps, "packets/s", rate(dpkt_read, args.seconds),
               note=f"{size / 1e6:.0f} MB pcap, {ours_pps * size / 200_000 / 1e6:.0f} MB/s; baseline dpkt.pcap.Reader "
                    "(which trusts record lengths)")


if __name__ == "__main__":
    main()
