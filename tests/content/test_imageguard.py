"""The pre-decode scan: pathological photos refused in milliseconds, ordinary ones let through, any bytes safe.

Files are built here byte by byte (markers, chunks, blocks), so each case says exactly what it holds.
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from basira.content.decode import decode_photo
from basira.content.imageguard import scan_image
from basira.content.settings import ContentSettings
from basira.core.errors import BasiraError, ContentTooLarge, UnsupportedContent
from basira.core.settings import load_settings

from .conftest import PhotoFactory

DEFAULTS = load_settings(environ={})
#: Pillow writes one APP0 (JFIF) segment of 16 bytes into every JPEG it saves.
JFIF = 1


def _jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def jpeg_with_app1(count: int, payload: int = 65_533) -> bytes:
    """A small JPEG whose SOI is followed by ``count`` APP1 segments of ``payload`` bytes each."""
    body = _jpeg()
    segment = b"\xff\xe1" + struct.pack(">H", payload + 2) + b"Exif\0\0" + b"\0" * (payload - 6)
    return body[:2] + segment * count + body[2:]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_text(count: int, width: int = 16, height: int = 16) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"".join(b"\0" + bytes(range(16)) for _ in range(16)))
    texts = b"".join(_chunk(b"tEXt", b"Comment\0" + str(i).encode()) for i in range(count))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + texts + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def gif_with_comments(count: int, frame_size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8), 1).save(out, "GIF")
    data = out.getvalue()
    comments = (b"\x21\xfe\x05hello\x00") * count
    start = data.index(b",")
    frame = data[start:start + 10]
    frame = frame[:5] + struct.pack("<HH", *frame_size) + frame[9:]
    return data[:start] + comments + frame + data[start + 10:]


def webp_with_chunks(count: int, canvas: tuple[int, int] = (16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(out, "WEBP", lossless=True)
    image = out.getvalue()[12:]
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\0\0\0\0" + (canvas[0] - 1).to_bytes(3, "little") + \
        (canvas[1] - 1).to_bytes(3, "little")
    extra = (b"XTRA" + struct.pack("<I", 4) + b"abcd") * count
    body = b"WEBP" + vp8x + extra + image
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.fixture
def file_of(tmp_path: Path) -> Callable[[bytes, str], Path]:
    def write(data: bytes, name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path
    return write


def test_jpeg_of_1000_64kb_app1_segments_is_refused_in_milliseconds(file_of: Callable[[bytes, str], Path]) -> None:
    path = file_of(jpeg_with_app1(1000), "bomb.jpg")
    start = time.perf_counter()
    with pytest.raises(ContentTooLarge, match=r"over 64 metadata segments.*BASIRA_IMAGE_MAX_METADATA_SEGMENTS"):
        decode_photo(path, DEFAULTS)
    assert time.perf_counter() - start < 0.05


def test_jpeg_with_a_few_metadata_segments_is_decoded(file_of: Callable[[bytes, str], Path]) -> None:
    path = file_of(jpeg_with_app1(10), "ok.jpg")
    assert scan_image(path, DEFAULTS).metadata_segments == 10 + JFIF
    assert decode_photo(path, DEFAULTS).pixels.shape == (48, 64, 3)


def test_metadata_bytes_limit_is_a_setting(tmp_path: Path, file_of: Callable[[bytes, str], Path]) -> None:
    path = file_of(jpeg_with_app1(2), "two.jpg")
    tight = load_settings(environ={"BASIRA_IMAGE_MAX_METADATA_BYTES": "100000"}, data_dir=tmp_path)
    with pytest.raises(ContentTooLarge, match="over 100000 bytes"):
        scan_image(path, tight)
    assert scan_image(path, DEFAULTS).metadata_bytes == 2 * 65_535 + 16


def test_segment_count_limit_is_a_setting(tmp_path: Path, file_of: Callable[[bytes, str], Path]) -> None:
    path = file_of(jpeg_with_app1(4, payload=100), "five.jpg")
    with pytest.raises(ContentTooLarge, match="over 4 metadata segments"):
        scan_image(path, load_settings(environ={"BASIRA_IMAGE_MAX_METADATA_SEGMENTS": "4"}, data_dir=tmp_path))
    assert scan_image(path, DEFAULTS).metadata_segments == 4 + JFIF


def test_jpeg_declaring_too_many_pixels_is_refused_from_its_frame_header(
        file_of: Callable[[bytes, str], Path]) -> None:
    data = bytearray(_jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5: sof + 9] = struct.pack(">HH", 60_000, 60_000)
    with pytest.raises(ContentTooLarge, match="60000x60000"):
        scan_image(file_of(bytes(data), "huge.jpg"), DEFAULTS)


def test_png_with_too_many_text_chunks_is_refused(file_of: Callable[[bytes, str], Path]) -> None:
    assert decode_photo(file_of(png_with_text(20), "ok.png"), DEFAULTS).pixels.shape == (16, 16)
    with pytest.raises(ContentTooLarge, match="PNG file holds over 64 metadata segments"):
        decode_photo(file_of(png_with_text(500), "many.png"), DEFAULTS)


@pytest.mark.parametrize(("width", "height", "error"), [
    (0, 16, UnsupportedContent), (16, 0, UnsupportedContent), (100_000, 100_000, ContentTooLarge)])
def test_png_declared_size_is_checked_before_decoding(file_of: Callable[[bytes, str], Path], width: int,
                                                      height: int, error: type[BasiraError]) -> None:
    with pytest.raises(error):
        scan_image(file_of(png_with_text(0, width, height), "odd.png"), DEFAULTS)


def test_gif_with_too_many_comments_before_its_first_frame_is_refused(
        file_of: Callable[[bytes, str], Path]) -> None:
    assert scan_image(file_of(gif_with_comments(3), "ok.gif"), DEFAULTS).metadata_segments == 3
    with pytest.raises(ContentTooLarge, match="GIF file holds over 64"):
        scan_image(file_of(gif_with_comments(200), "chatty.gif"), DEFAULTS)


def test_gif_first_frame_larger_than_the_limit_is_refused(file_of: Callable[[bytes, str], Path]) -> None:
    with pytest.raises(ContentTooLarge, match="65535x65535"):
        scan_image(file_of(gif_with_comments(0, (65_535, 65_535)), "frame.gif"), DEFAULTS)


def test_webp_with_too_many_unknown_chunks_or_a_huge_canvas_is_refused(
        file_of: Callable[[bytes, str], Path]) -> None:
    report = scan_image(file_of(webp_with_chunks(2), "ok.webp"), DEFAULTS)
    assert (report.format, report.width, report.height, report.metadata_segments) == ("WebP", 16, 16, 2)
    with pytest.raises(ContentTooLarge, match="WebP file holds over 64"):
        scan_image(file_of(webp_with_chunks(100), "many.webp"), DEFAULTS)
    with pytest.raises(ContentTooLarge, match="16000000x16000000"):
        scan_image(file_of(webp_with_chunks(0, (16_000_000, 16_000_000)), "huge.webp"), DEFAULTS)


def test_ordinary_photos_pass_the_scan(tmp_path: Path, photo: PhotoFactory) -> None:
    img = photo(3, (300, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    for name, args in [("p.jpg", {"exif": exif.tobytes(), "icc_profile": b"\0" * 200_000}), ("p.png", {}),
                       ("p.gif", {}), ("p.webp", {"exif": exif.tobytes()})]:
        img.save(tmp_path / name, **args)
        assert scan_image(tmp_path / name, DEFAULTS).width == 300, name


_MAGIC = st.sampled_from([b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x20\0\0\0WEBP"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(magic=_MAGIC, tail=st.binary(max_size=300))
def test_any_bytes_after_a_photo_signature_are_scanned_without_a_stray_error(
        file_of: Callable[[bytes, str], Path], magic: bytes, tail: bytes) -> None:
    path = file_of(magic + tail, "fuzz.bin")
    try:
        scan_image(path, DEFAULTS)
    except (ContentTooLarge, UnsupportedContent):
        pass
    with pytest.raises(BasiraError):
        decode_photo(path, DEFAULTS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(0, 130), payload=st.integers(6, 2000))
def test_a_jpeg_is_refused_exactly_when_its_segments_pass_the_limit(
        file_of: Callable[[bytes, str], Path], count: int, payload: int) -> None:
    path = file_of(jpeg_with_app1(count, payload), "n.jpg")
    if count + JFIF > DEFAULTS.of(ContentSettings).image_max_metadata_segments:
        with pytest.raises(ContentTooLarge):
            scan_image(path, DEFAULTS)
    else:
        assert scan_image(path, DEFAULTS).metadata_segments == count + JFIF


# -- at the edges: the HTTP API and the command line -----------------------------------------------------------

def test_api_refuses_the_pathological_jpeg_with_413_and_a_reason(client: TestClient, admin_key: str) -> None:
    # 200 segments (13 MB) keep the upload short; the refusal's speed is measured on decode_photo above.
    r = client.post("/v1/hash", headers={"Authorization": f"Bearer {admin_key}"},
                    files={"file": ("bomb.jpg", jpeg_with_app1(200), "image/jpeg")})
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "metadata segments" in r.json()["detail"]


def test_cli_hash_refuses_the_pathological_jpeg_with_a_message(tmp_path: Path) -> None:
    from tests.cli.conftest import Cli

    path = tmp_path / "bomb.jpg"
    path.write_bytes(jpeg_with_app1(1000))
    cli = Cli({"BASIRA_DATABASE_URL": "nosuchdatabase://nowhere", "BASIRA_DATA_DIR": str(tmp_path / "data"),
               "COLUMNS": "200"}, tmp_path / "data")
    result = cli("hash", str(path))
    assert result.exit_code != 0
    assert "bomb.jpg" in result.stderr and "metadata segments" in result.stderr
