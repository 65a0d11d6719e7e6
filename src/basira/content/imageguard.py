"""A scan of a photo's markers and chunks before any decoder sees it: pathological files refused in milliseconds.

Pillow parses every metadata segment while it opens a file, before Basira could check anything, and some of that
work grows with the square of the number of segments (a JPEG of 1,000 64 KB APP1 segments took 45 s). This scan
walks the container's structure only (JPEG markers up to the first scan, PNG chunks up to the image data, GIF
blocks up to the first frame, WebP chunks), reading a few bytes per segment, and refuses a file whose metadata
segments are too many or too large, or whose declared size is over the pixel limit or empty. A structure it
cannot follow is left to the decoder, whose own errors are already clear: the scan only ever refuses what it
has measured.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from basira.content.settings import ContentSettings
from basira.core.errors import ContentTooLarge, UnsupportedContent
from basira.core.settings import Settings

#: JPEG markers without a length field (SOI, EOI, RST0-7, TEM).
_JPEG_STANDALONE = frozenset({0xD8, 0xD9, 0x01, *range(0xD0, 0xD8)})
#: JPEG start-of-frame markers (they declare the size); C4, C8 and CC share the range but are not frames.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: PNG chunks that carry pixels or their structure; every other chunk is metadata.
_PNG_STRUCTURE = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"acTL", b"fcTL", b"fdAT"})
#: WebP chunks that carry pixels or their structure.
_WEBP_STRUCTURE = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"})


@dataclass
class ScanReport:
    """What the scan found: the format, the declared size, and the metadata segments counted."""

    format: str = ""
    width: int = 0
    height: int = 0
    metadata_segments: int = 0
    metadata_bytes: int = 0
    #: Sizes declared by more than one place (a GIF's screen and its first frame, say), all checked.
    sizes: list[tuple[int, int]] = field(default_factory=list)


class _Limits:
    def __init__(self, settings: Settings) -> None:
        own = settings.of(ContentSettings)
        self.segments = int(own.image_max_metadata_segments)
        self.bytes = int(own.image_max_metadata_bytes)
        self.pixels = int(settings.max_image_pixels)

    def count(self, report: ScanReport, size: int, what: str) -> None:
        report.metadata_segments += 1
        report.metadata_bytes += size
        if report.metadata_segments > self.segments:
            raise ContentTooLarge(
                f"the {report.format} file holds over {self.segments} metadata segments (the last one seen: "
                f"{what}); it was not decoded (BASIRA_IMAGE_MAX_METADATA_SEGMENTS)")
        if report.metadata_bytes > self.bytes:
            raise ContentTooLarge(
                f"the {report.format} file's metadata segments add up to over {self.bytes} bytes; it was not "
                "decoded (BASIRA_IMAGE_MAX_METADATA_BYTES)")

    def size(self, report: ScanReport, width: int, height: int) -> None:
        report.sizes.append((width, height))
        if not report.width:
            report.width, report.height = width, height
        if width <= 0 or height <= 0:
            raise UnsupportedContent(f"the {report.format} file declares a size of {width}x{height} pixels")
        if width * height > self.pixels:
            raise ContentTooLarge(
                f"the {report.format} file declares {width}x{height} pixels ({width * height} pixels), over the "
                f"limit of {self.pixels} (BASIRA_MAX_IMAGE_PIXELS); it was not decoded")


def scan_image(path: Path, settings: Settings) -> ScanReport:
    """Scan the photo at ``path`` and refuse it if its structure is over the limits.

    Raises:
        ContentTooLarge: Too many or too large metadata segments, or a declared size over ``max_image_pixels``.
        UnsupportedContent: A declared width or height of zero.
    """
    limits = _Limits(settings)
    with path.open("rb") as f:
        head = f.read(16)
        f.seek(0)
        if head.startswith(b"\xff\xd8"):
            return _scan_jpeg(f, limits)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return _scan_png(f, limits)
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return _scan_gif(f, limits)
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return _scan_webp(f, limits)
    return ScanReport()


def _read(f: BinaryIO, n: int) -> bytes | None:
    data = f.read(n)
    return data if len(data) == n else None


def _scan_jpeg(f: BinaryIO, limits: _Limits) -> ScanReport:
    report = ScanReport(format="JPEG")
    f.seek(2)
    while True:
        byte = _read(f, 1)
        while byte == b"\xff":  # fill bytes may stand before a marker
            byte = _read(f, 1)
        if byte is None:
            return report
        marker = byte[0]
        if marker in _JPEG_STANDALONE:
            if marker == 0xD9:
                return report
            continue
        raw = _read(f, 2)
        if raw is None:
            return report
        length = struct.unpack(">H", raw)[0]
        if length < 2:
            return report  # not a marker segment: the decoder will say what is wrong
        if marker in _JPEG_SOF:
            sof = _read(f, 5)
            if sof is None:
                return report
            height, width = struct.unpack(">HH", sof[1:5])
            limits.size(report, width, height)
            f.seek(length - 7, 1)
            continue
        if marker == 0xDA:
            # Entropy-coded data follows; the decoder reads the rest, metadata after it is never parsed at open.
            return report
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            limits.count(report, length, f"APP{marker - 0xE0}" if marker != 0xFE else "COM")
        f.seek(length - 2, 1)


def _scan_png(f: BinaryIO, limits: _Limits) -> ScanReport:
    report = ScanReport(format="PNG")
    f.seek(8)
    while True:
        head = _read(f, 8)
        if head is None:
            return report
        length, kind = struct.unpack(">I", head[:4])[0], head[4:]
        if kind == b"IHDR":
            ihdr = _read(f, 8)
            if ihdr is None:
                return report
            width, height = struct.unpack(">II", ihdr)
            limits.size(report, width, height)
            f.seek(length - 8 + 4, 1)
            continue
        if kind in (b"IDAT", b"IEND"):
            # Pillow reads metadata after the image data only once pixels are decoded, within its own limits.
            return report
        if kind not in _PNG_STRUCTURE:
            limits.count(report, length, kind.decode("latin-1"))
        f.seek(length + 4, 1)


def _skip_sub_blocks(f: BinaryIO) -> int | None:
    """Skip a GIF data sub-block chain; its total size, or None at the end of the file."""
    total = 0
    while True:
        raw = _read(f, 1)
        if raw is None:
            return None
        if raw[0] == 0:
            return total
        total += raw[0]
        f.seek(raw[0], 1)


def _scan_gif(f: BinaryIO, limits: _Limits) -> ScanReport:
    report = ScanReport(format="GIF")
    screen = _read(f, 13)
    if screen is None:
        return report
    width, height = struct.unpack("<HH", screen[6:10])
    limits.size(report, width, height)
    if screen[10] & 0x80:
        f.seek(3 * (2 << (screen[10] & 7)), 1)
    while True:
        kind = _read(f, 1)
        if kind is None or kind == b";":
            return report
        if kind == b",":
            frame = _read(f, 9)
            if frame is not None:
                limits.size(report, *struct.unpack("<HH", frame[4:8]))
            return report  # the first frame: Pillow reads no further when it opens the file
        if kind != b"!":
            return report
        label = _read(f, 1)
        size = _skip_sub_blocks(f)
        if label is None or size is None:
            return report
        if label[0] != 0xF9:  # graphic control blocks belong to frames; comments and applications are metadata
            limits.count(report, size, f"extension 0x{label[0]:02X}")


def _scan_webp(f: BinaryIO, limits: _Limits) -> ScanReport:
    report = ScanReport(format="WebP")
    f.seek(12)
    while True:
        head = _read(f, 8)
        if head is None:
            return report
        kind, length = head[:4], struct.unpack("<I", head[4:])[0]
        start = f.tell()
        if kind in (b"VP8X", b"VP8 ", b"VP8L"):
            size = _webp_size(kind, _read(f, 10))
            if size is not None:
                limits.size(report, *size)
        elif kind not in _WEBP_STRUCTURE:
            limits.count(report, length, kind.decode("latin-1").strip())
        f.seek(start + length + (length & 1))


def _webp_size(kind: bytes, data: bytes | None) -> tuple[int, int] | None:
    if data is None:
        return None
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[4:7], "little"), 1 + int.from_bytes(data[7:10], "little")
    if kind == b"VP8L":
        bits = int.from_bytes(data[1:5], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if data[3:6] != b"\x9d\x01\x2a":
        return None  # not a key frame header: the decoder will refuse it
    width, height = struct.unpack("<HH", data[6:10])
    return width & 0x3FFF, height & 0x3FFF
