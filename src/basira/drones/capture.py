"""Stream the packets of a pcap or pcapng capture, one at a time, and replay them as Remote ID frames.

Captures from a long watch can be gigabytes, so nothing here holds more than one packet in memory; and a capture
is hostile input like any other, so every length is checked before it is read (dpkt's own readers trust them,
and a corrupt block length would make them read the whole rest of the file at once).
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

import dpkt  # type: ignore[import-untyped]

from basira.core.errors import EmptyContent, UnsupportedContent
from basira.drones.messages import Frame
from basira.drones.transports import SUPPORTED_LINKTYPES, parse_packet

#: The largest packet or pcapng block accepted; real radio frames are under 4 KiB, 802.11 jumbo A-MSDUs 12 KiB.
MAX_RECORD = 256 * 1024
#: How far past the present a frame's time may be before it is rejected as "from the future".
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e6), b"\xa1\xb2\xc3\xd4": (">", 1e6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e9), b"\xa1\xb2\x3c\x4d": (">", 1e9),
}
_PCAPNG_SHB = 0x0A0D0D0A
_PCAPNG_IDB, _PCAPNG_SPB, _PCAPNG_EPB = 1, 3, 6


@dataclass(frozen=True, slots=True)
class Packet:
    """One captured packet: its number in the file (from 1), link type, capture time (Unix seconds), bytes."""

    number: int
    linktype: int
    timestamp: float
    data: bytes


@dataclass
class CaptureReport:
    """What reading a capture found, for the replay summary; ``problem`` names a corrupt or truncated end."""

    packets: int = 0
    problem: str | None = None


def read_packets(path: Path, report: CaptureReport | None = None) -> Iterator[Packet]:
    """Yield the packets of a pcap or pcapng file in order, streamed.

    A capture whose end is cut off or corrupt yields every packet before the damage and names the damage in
    ``report.problem`` (a capture copied while still being written ends mid-packet; that is no reason to lose
    what came before).

    Raises:
        UnsupportedContent: the file is not a pcap or pcapng capture (bad magic or header).
        EmptyContent: the file is empty.
    """
    with open(path, "rb") as fh:
        yield from read_stream(fh, str(path), report)


def read_stream(fh: BinaryIO | IO[bytes], name: str, report: CaptureReport | None = None) -> Iterator[Packet]:
    """Yield the packets of a pcap or pcapng stream as they arrive (a pipe from ``tcpdump -w -``, standard
    input, a named pipe): each is read with exactly the bytes its header announces, never ahead.

    Raises:
        UnsupportedContent: the stream is not a pcap or pcapng capture.
        EmptyContent: the stream ends before it starts.
    """
    report = report if report is not None else CaptureReport()
    magic = _read_exactly(fh, 4)
    if not magic:
        raise EmptyContent(f"{name} is empty")
    if magic in _PCAP_MAGICS:
        yield from _read_pcap(fh, magic, name, report)
    elif magic == struct.pack("<I", _PCAPNG_SHB):
        yield from _read_pcapng(_Prefixed(magic, fh), name, report)
    else:
        raise UnsupportedContent(f"{name} is not a pcap or pcapng capture (it starts with {magic.hex()})")


def _read_exactly(fh: Any, n: int) -> bytes:
    """``n`` bytes, fewer only at the end of the stream (a raw pipe may hand them over in pieces)."""
    data: bytes = fh.read(n) or b""
    while len(data) < n:
        more = fh.read(n - len(data))
        if not more:
            break
        data += more
    return data


class _Prefixed:
    """A stream with bytes already read put back in front (the pcapng magic, so a pipe need not seek)."""

    def __init__(self, head: bytes, fh: BinaryIO | IO[bytes]) -> None:
        self._head, self._fh = head, fh

    def read(self, n: int) -> bytes:
        if self._head:
            out, self._head = self._head[:n], self._head[n:]
            return out + (_read_exactly(self._fh, n - len(out)) if n > len(out) else b"")
        return _read_exactly(self._fh, n)


def _read_pcap(fh: Any, magic: bytes, path: str, report: CaptureReport) -> Iterator[Packet]:
    order, divisor = _PCAP_MAGICS[magic]
    rest = _read_exactly(fh, 20)
    if len(rest) < 20:
        raise UnsupportedContent(f"{path}: the pcap header is truncated ({4 + len(rest)} of 24 bytes)")
    major, _minor, _zone, _sigfigs, _snaplen, linktype = struct.unpack(order + "HHiIII", rest)
    if major != 2:
        raise UnsupportedContent(f"{path}: unknown pcap version {major}")
    record = struct.Struct(order + "IIII")
    offset = 24
    while True:
        head = _read_exactly(fh, 16)
        if not head:
            return
        if len(head) < 16:
            report.problem = f"the capture ends inside a packet header at byte {offset}"
            return
        sec, frac, caplen, _origlen = record.unpack(head)
        if caplen > MAX_RECORD:
            report.problem = f"packet {report.packets + 1} at byte {offset} claims {caplen} bytes: corrupt capture"
            return
        data = _read_exactly(fh, caplen)
        if len(data) < caplen:
            report.problem = f"the capture ends inside packet {report.packets + 1} (byte {offset})"
            return
        offset += 16 + caplen
        report.packets += 1
        yield Packet(report.packets, linktype, sec + frac / divisor, data)


def _read_pcapng(fh: Any, path: str, report: CaptureReport) -> Iterator[Packet]:
    # One section after another; each has its byte order and its interfaces (link type, time resolution).
    little = True
    interfaces: list[tuple[int, float, int]] = []  # (linktype, divisor, offset seconds)
    offset = 0
    first = True
    while True:
        head = fh.read(8)
        if not head:
            if first:
                raise UnsupportedContent(f"{path}: the pcapng header is truncated")
            return
        if len(head) < 8:
            report.problem = f"the capture ends inside a block header at byte {offset}"
            return
        kind = struct.unpack("<I", head[:4])[0]
        if kind == _PCAPNG_SHB:
            order_magic = fh.read(4)
            if order_magic == b"\x4d\x3c\x2b\x1a":
                little = True
            elif order_magic == b"\x1a\x2b\x3c\x4d":
                little = False
            else:
                raise UnsupportedContent(f"{path}: bad pcapng byte-order magic at byte {offset}")
            head += order_magic
        elif first:
            raise UnsupportedContent(f"{path}: a pcapng file must start with a section header block")
        fmt = "<" if little else ">"
        kind, length = struct.unpack(fmt + "II", head[:8])
        if length < 12 or length % 4 or length > MAX_RECORD:
            if first:
                raise UnsupportedContent(f"{path}: the pcapng section header claims {length} bytes")
            report.problem = f"block at byte {offset} claims {length} bytes: corrupt capture"
            return
        body = fh.read(length - len(head))
        if len(body) < length - len(head):
            report.problem = f"the capture ends inside a block at byte {offset}"
            return
        block = head + body
        offset += length
        first = False
        try:
            if kind == _PCAPNG_SHB:
                interfaces = []
            elif kind == _PCAPNG_IDB:
                idb = (dpkt.pcapng.InterfaceDescriptionBlockLE if little
                       else dpkt.pcapng.InterfaceDescriptionBlock)(block)
                interfaces.append(_interface(idb, fmt))
            elif kind == _PCAPNG_EPB:
                epb = (dpkt.pcapng.EnhancedPacketBlockLE if little else dpkt.pcapng.EnhancedPacketBlock)(block)
                if epb.iface_id >= len(interfaces):
                    report.problem = f"packet at byte {offset - length} names an undeclared interface"
                    return
                linktype, divisor, tsoffset = interfaces[epb.iface_id]
                report.packets += 1
                stamp = tsoffset + ((epb.ts_high << 32) | epb.ts_low) / divisor
                yield Packet(report.packets, linktype, stamp, bytes(epb.pkt_data))
            elif kind == _PCAPNG_SPB and interfaces:
                caplen = min(struct.unpack(fmt + "I", block[8:12])[0], length - 16)
                report.packets += 1
                yield Packet(report.packets, interfaces[0][0], 0.0, block[12:12 + caplen])
        except (dpkt.UnpackError, struct.error, ValueError) as e:
            report.problem = f"corrupt block at byte {offset - length}: {e}"
            return


def _interface(idb: Any, fmt: str) -> tuple[int, float, int]:
    divisor, tsoffset = 1e6, 0
    for opt in idb.opts:
        if opt.code == dpkt.pcapng.PCAPNG_OPT_IF_TSRESOL and opt.data:
            res = opt.data[0]
            divisor = float((2 if res & 0x80 else 10) ** (res & 0x7F))
        elif opt.code == dpkt.pcapng.PCAPNG_OPT_IF_TSOFFSET and len(opt.data) == 8:
            tsoffset = struct.unpack(fmt + "q", opt.data)[0]
    return int(idb.linktype), divisor, tsoffset


# -- replay ------------------------------------------------------------------------------------------------------


@dataclass
class ReplaySummary:
    """What a replay saw: packets read, Remote ID frames found, decoded and rejected (with reasons)."""

    packets_read: int = 0
    frames: int = 0
    frames_decoded: int = 0
    messages: Counter[str] = field(default_factory=Counter)
    transports: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    message_errors: Counter[str] = field(default_factory=Counter)
    unsupported_linktypes: Counter[int] = field(default_factory=Counter)
    capture_problem: str | None = None

    def add(self, frame: Frame) -> None:
        """Count one Remote ID frame."""
        self.frames += 1
        self.transports[frame.transport.value] += 1
        for m in frame.messages:
            self.messages[type(m).__name__] += 1
        for e in frame.errors:
            self.message_errors[e] += 1
        if frame.ok:
            self.frames_decoded += 1
        else:
            self.rejected[frame.rejected or (frame.errors[0] if frame.errors else "no message decoded")] += 1

    def as_dict(self) -> dict[str, object]:
        return {
            "packets_read": self.packets_read, "frames": self.frames, "frames_decoded": self.frames_decoded,
            "frames_rejected": sum(self.rejected.values()), "rejected": dict(self.rejected.most_common()),
            "messages": dict(sorted(self.messages.items())), "transports": dict(sorted(self.transports.items())),
            "message_errors": dict(self.message_errors.most_common()),
            "unsupported_linktypes": {str(k): v for k, v in self.unsupported_linktypes.items()},
            "capture_problem": self.capture_problem,
        }


def replay(path: Path, sink: Callable[[Frame], None], *, fast: bool = True, sensor_id: str | None = None,
           now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
           sleep: Callable[[float], None] = time.sleep, speed: float = 1.0,
           max_gap: float = 60.0) -> ReplaySummary:
    """Feed every Remote ID frame of a capture to ``sink`` in capture order, and count what was seen.

    Args:
        path: a pcap or pcapng file.
        sink: called with each decoded frame, good or rejected (a tracker, an HTTP poster, a list).
        fast: feed as fast as possible; otherwise keep the capture's own pace (times ``1 / speed``), waiting
            at most ``max_gap`` seconds across a silence so that an overnight gap does not stall the replay.
        sensor_id: the receiver to name on every frame.
        now: the clock used to reject frames time-stamped in the future.

    Raises:
        UnsupportedContent: not a capture.
    """
    report = CaptureReport()
    return feed(read_packets(path, report), report, sink, fast=fast, sensor_id=sensor_id, now=now, sleep=sleep,
                speed=speed, max_gap=max_gap)


def feed(packets: Iterable[Packet], report: CaptureReport, sink: Callable[[Frame], None], *, fast: bool = True,
         sensor_id: str | None = None, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
         sleep: Callable[[float], None] = time.sleep, speed: float = 1.0, max_gap: float = 60.0,
         live: bool = False) -> ReplaySummary:
    """Feed the Remote ID frames of ``packets`` to ``sink`` (see :func:`replay`); ``live`` for a stream heard
    now, whose "future" horizon follows the clock rather than being fixed when the feed starts."""
    summary = ReplaySummary()
    previous: float | None = None
    horizon = now() + FUTURE_TOLERANCE
    for packet in packets:
        if live:
            horizon = now() + FUTURE_TOLERANCE
        summary.packets_read += 1
        if packet.linktype not in SUPPORTED_LINKTYPES:
            summary.unsupported_linktypes[packet.linktype] += 1
            continue
        try:
            received = dt.datetime.fromtimestamp(packet.timestamp, dt.UTC)
        except (OverflowError, OSError, ValueError):
            received = dt.datetime.max.replace(tzinfo=dt.UTC)
        frame = parse_packet(packet.linktype, packet.data, received)
        if frame is None:
            continue
        frame.sensor_id = sensor_id
        if received > horizon:
            frame.messages.clear()
            frame.rejected = "received in the future"
        elif not fast:
            if previous is not None and packet.timestamp > previous:
                sleep(min((packet.timestamp - previous) / speed, max_gap))
            previous = packet.timestamp
        summary.add(frame)
        sink(frame)
    summary.capture_problem = report.problem
    return summary


def file_size(path: Path) -> int:
    """Size of a capture in bytes (for progress bars)."""
    return os.stat(path).st_size
