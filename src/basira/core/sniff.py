"""Recognise the content type of submitted bytes from their first bytes (never from the file name)."""

from __future__ import annotations

from pathlib import Path

_IMAGE_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",  # TIFF little-endian
    b"MM\x00*",  # TIFF big-endian
)


def sniff_bytes(head: bytes) -> str:
    """``photo``, ``video`` or ``file`` for the first bytes of some content."""
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "photo"
    if head[4:8] == b"ftyp" and head[8:12] not in (b"avif", b"avis", b"heic", b"heix", b"mif1"):
        return "video"
    if head[4:8] == b"ftyp":
        return "photo"
    if head.startswith(b"\x1aE\xdf\xa3") or (head[:4] == b"RIFF" and head[8:12] == b"AVI "):
        return "video"
    return "file"


def sniff_file(path: Path) -> str:
    with path.open("rb") as f:
        return sniff_bytes(f.read(32))
