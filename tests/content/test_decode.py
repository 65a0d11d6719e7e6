"""Safe decoding: each hostile or unusual file gives pixels or a clear error, fast and without a memory spike."""

from __future__ import annotations

import io
import resource
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from basira.content.decode import MAX_ASPECT, REDUCED_MIN_SIDE, decode_photo, upright
from basira.content.photo import pdq_hash
from basira.content.settings import ContentSettings
from basira.core.errors import ContentTooLarge, EmptyContent, UnsupportedContent
from basira.core.settings import Settings, load_settings

from .conftest import PhotoFactory, Writer


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _hash_file(path: Path, settings: Settings, reduced: bool = False) -> tuple[str, int]:
    return pdq_hash(decode_photo(path, settings, reduced=reduced).pixels)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bomb(width: int, height: int) -> bytes:
    """The start of a PNG bomb: a header declaring ``width x height`` and a stream of compressed zeros.

    A full bomb's IDAT inflates to width*height bytes (2.5 GB for 50000x50000) from a few MB; only its start
    is written here, which is all that a decoder that checks the header first ever reads.
    """
    comp = zlib.compressobj(9)
    idat = comp.compress(b"\0" * (1 << 20)) + comp.flush(zlib.Z_SYNC_FLUSH)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def many_frame_gif(frame: Image.Image, frames: int) -> bytes:
    """A GIF whose image block is repeated ``frames`` times (built from bytes: saving it frame by frame
    would take longer than the test)."""
    buf = io.BytesIO()
    frame.save(buf, "GIF")
    data = buf.getvalue()
    packed = data[10]
    pos = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    head = b"GIF89a" + data[6:pos]
    while data[pos] == 0x21:  # skip extensions up to the image descriptor
        pos += 2
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    image_block = data[pos:-1]
    control = b"\x21\xf9\x04\x00\x02\x00\x00\x00"  # graphic control: 20 ms per frame
    return head + (control + image_block) * frames + b";"


def test_png_bomb_of_50000_squared_pixels_is_refused_unread_in_well_under_a_second(
        tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_bomb(50_000, 50_000))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(ContentTooLarge, match="2500000000 pixels"):
        decode_photo(path, settings)
    assert time.perf_counter() - start < 0.5
    # ru_maxrss is in KiB on Linux: decoding would have needed 2.5 GB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 100 * 1024


def test_image_over_the_configured_pixel_limit_is_refused_even_under_pillows_default(
        tmp_path: Path, photo: PhotoFactory, write: Writer) -> None:
    path = write(photo(1, (400, 300)), "p.png")
    small_limit = load_settings(environ={}, data_dir=tmp_path, max_image_pixels=100_000)
    with pytest.raises(ContentTooLarge, match="400x300"):
        decode_photo(path, small_limit)
    assert Image.MAX_IMAGE_PIXELS == 100_000  # Pillow's own guard follows the setting


def test_zero_byte_file_is_empty_content(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(EmptyContent):
        decode_photo(path, settings)


@pytest.mark.parametrize("payload", [
    b"just some text, not an image\n" * 10,
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100,  # HEIC: no decoder installed
    b"\xff\xd8\xff\xe0" + b"\x00" * 50,  # a JPEG signature and nothing valid after it
])
def test_bytes_that_are_not_a_readable_photo_are_unsupported(
        tmp_path: Path, settings: Settings, payload: bytes) -> None:
    path = tmp_path / "item"
    path.write_bytes(payload)
    with pytest.raises(UnsupportedContent):
        decode_photo(path, settings)


def test_formats_outside_the_photo_list_are_not_opened(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    # Pillow reads PPM, but it is not a format photos are shared in: one less decoder exposed.
    path = write(photo(2), "p.ppm")
    with pytest.raises(UnsupportedContent, match="supported format"):
        decode_photo(path, settings)


@pytest.mark.parametrize(("fmt", "keep"), [("JPEG", 0.5), ("PNG", 0.5), ("GIF", 0.5), ("WEBP", 0.5),
                                           ("JPEG", 0.02)])
def test_truncated_file_is_unsupported_quickly(
        tmp_path: Path, settings: Settings, photo: PhotoFactory, fmt: str, keep: float) -> None:
    buf = io.BytesIO()
    photo(3).save(buf, fmt)
    data = buf.getvalue()
    path = tmp_path / "cut"
    path.write_bytes(data[: int(len(data) * keep)])
    start = time.perf_counter()
    with pytest.raises(UnsupportedContent):
        decode_photo(path, settings)
    assert time.perf_counter() - start < 2


def test_gif_with_10000_frames_gives_its_first_frame_without_walking_the_others(
        tmp_path: Path, settings: Settings, photo: PhotoFactory) -> None:
    frame = photo(4, (48, 48)).quantize(64)
    path = tmp_path / "many.gif"
    path.write_bytes(many_frame_gif(frame, 10_000))
    single = tmp_path / "one.gif"
    frame.save(single)
    start = time.perf_counter()
    decoded = decode_photo(path, settings)
    assert time.perf_counter() - start < 0.5
    assert np.array_equal(decoded.pixels, decode_photo(single, settings).pixels)


def test_animated_gif_is_hashed_on_its_first_frame(
        tmp_path: Path, settings: Settings, photo: PhotoFactory) -> None:
    frames = [photo(s).quantize(256) for s in (5, 6, 7)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    first = tmp_path / "first.gif"
    frames[0].save(first)
    assert _hash_file(path, settings) == _hash_file(first, settings)


@pytest.mark.parametrize("size", [(1, 100_000), (100_000, 1), (MAX_ASPECT * 10 + 1, 10)])
def test_too_thin_image_gets_a_clear_refusal(
        tmp_path: Path, settings: Settings, size: tuple[int, int]) -> None:
    path = tmp_path / "thin.png"
    Image.new("L", size, 128).save(path)
    with pytest.raises(UnsupportedContent, match="aspect ratio"):
        decode_photo(path, settings)


def test_aspect_at_the_limit_is_still_hashed(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "banner.png"
    Image.new("L", (MAX_ASPECT * 10, 10), 128).save(path)
    assert decode_photo(path, settings).pixels.shape == (10, MAX_ASPECT * 10)


def test_cmyk_jpeg_hashes_like_its_rgb_original(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    img = photo(8)
    rgb = write(img, "rgb.png")
    cmyk = write(img.convert("CMYK"), "cmyk.jpg", quality=95)
    assert Image.open(cmyk).mode == "CMYK"
    assert _distance(_hash_file(cmyk, settings)[0], _hash_file(rgb, settings)[0]) <= 16


def test_palette_png_hashes_like_its_rgb_original(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    img = photo(9)
    pal = write(img.quantize(256), "pal.png")
    assert Image.open(pal).mode == "P"
    assert _distance(_hash_file(pal, settings)[0], _hash_file(write(img, "rgb.png"), settings)[0]) <= 16


def test_transparent_pixels_are_composited_on_white_whatever_colour_they_hold(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    img = photo(10)
    rgba = np.dstack([np.asarray(img), np.full(img.size[::-1], 255, np.uint8)])
    rgba[:, : img.size[0] // 2, 3] = 0  # left half fully transparent; its RGB stays the photo
    on_white = np.asarray(img).copy()
    on_white[:, : img.size[0] // 2] = 255
    transparent = write(Image.fromarray(rgba, "RGBA"), "alpha.png")
    assert np.array_equal(decode_photo(transparent, settings).pixels, on_white)


def test_16_bit_grey_png_is_scaled_not_clipped(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    grey = photo(11).convert("L")
    deep = Image.fromarray(np.asarray(grey, dtype=np.uint16) * 257)
    path16 = write(deep, "deep.png")
    assert Image.open(path16).mode.startswith("I")
    value16, quality16 = _hash_file(path16, settings)
    assert quality16 >= 50  # a clipped decode would be almost all white
    assert _distance(value16, _hash_file(write(grey, "grey.png"), settings)[0]) <= 4


def test_float_tiff_is_hashed(settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    grey = photo(12).convert("L")
    path = write(Image.fromarray(np.asarray(grey, dtype=np.float32) / 255.0, "F"), "float.tif")
    assert _distance(_hash_file(path, settings)[0], _hash_file(write(grey, "grey.png"), settings)[0]) <= 4


def test_exif_orientation_is_reported_and_the_stored_pixels_are_kept(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    # The reference PDQ, pdqhash and python-threatexchange hash the pixels as stored: so must the shared hash.
    upright_photo = photo(13)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    stored = upright_photo.transpose(Image.Transpose.ROTATE_90)
    rotated = write(stored, "rotated.jpg", quality=95, exif=exif.tobytes())
    plain = write(stored, "plain.jpg", quality=95)
    decoded = decode_photo(rotated, settings)
    assert decoded.orientation == 6
    assert decoded.pixels.shape[:2] == stored.size[::-1]
    assert np.array_equal(decoded.pixels, decode_photo(plain, settings).pixels)
    assert decoded.upright_pixels().shape[:2] == upright_photo.size[::-1]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_upright_turns_pixels_as_pillow_reads_the_exif_orientation(
        tmp_path: Path, settings: Settings, photo: PhotoFactory, orientation: int) -> None:
    img = photo(25, (64, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "o.png"
    img.save(path, exif=exif.tobytes())
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
    decoded = decode_photo(path, settings)
    assert decoded.orientation == orientation
    assert np.array_equal(upright(decoded.pixels, orientation), expected)


def test_broken_orientation_value_counts_as_stored_upright(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    exif = Image.Exif()
    exif[0x0112] = 42
    assert decode_photo(write(photo(26), "odd.jpg", exif=exif.tobytes()), settings).orientation == 1


@pytest.mark.parametrize(("mode", "channels"), [("1", 0), ("L", 0), ("LA", 3), ("I;16", 0), ("RGBA", 3), ("P", 3)])
def test_every_common_mode_comes_out_as_8_bit_grey_or_rgb(
        settings: Settings, photo: PhotoFactory, write: Writer, mode: str, channels: int) -> None:
    img = photo(14)
    converted = img.convert(mode) if mode != "I;16" else Image.fromarray(
        np.asarray(img.convert("L"), dtype=np.uint16) * 200)
    pixels = decode_photo(write(converted, "m.png"), settings).pixels
    assert pixels.dtype == np.uint8
    assert pixels.shape == (img.size[1], img.size[0], channels)[: 3 if channels else 2]


def test_large_jpeg_is_decoded_reduced_and_hashes_close_to_full_decode(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    path = write(photo(15, (2048, 1536)), "big.jpg", quality=90)
    reduced = decode_photo(path, settings, reduced=True)
    full = decode_photo(path, settings, reduced=False)
    assert reduced.reduced and not full.reduced
    assert REDUCED_MIN_SIDE <= min(reduced.pixels.shape[:2]) < 1536
    assert full.pixels.shape[:2] == (1536, 2048)
    assert _distance(pdq_hash(reduced.pixels)[0], pdq_hash(full.pixels)[0]) <= 16


def test_reduced_decode_follows_the_setting(tmp_path: Path, photo: PhotoFactory, write: Writer) -> None:
    path = write(photo(16, (1200, 1100)), "big.jpg")
    on = load_settings(environ={}, data_dir=tmp_path, pdq_reduced_decode=True)
    off = load_settings(environ={}, data_dir=tmp_path, pdq_reduced_decode=False)
    assert decode_photo(path, on).reduced
    assert not decode_photo(path, off).reduced


def test_reduced_decode_is_off_by_default(settings: Settings) -> None:
    assert settings.of(ContentSettings).pdq_reduced_decode is False


def test_small_images_are_never_reduced(settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    path = write(photo(17, (900, 600)), "small.jpg")
    assert decode_photo(path, settings, reduced=True).pixels.shape == (600, 900, 3)


def test_luma_only_reduced_jpeg_is_grey_and_hashes_like_the_colour_decode(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    path = write(photo(18, (2400, 1600)), "big.jpg", quality=90)
    grey = decode_photo(path, settings, reduced=True, luma_only=True).pixels
    colour = decode_photo(path, settings, reduced=True).pixels
    assert grey.shape == colour.shape[:2]
    assert _distance(pdq_hash(grey)[0], pdq_hash(colour)[0]) <= 4


def test_reduced_cmyk_jpeg_still_decodes(settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    path = write(photo(19, (2400, 1600)).convert("CMYK"), "cmyk.jpg")
    decoded = decode_photo(path, settings, reduced=True, luma_only=True)
    assert decoded.reduced and decoded.pixels.dtype == np.uint8


def test_png_is_never_reduced(settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    # Only JPEG can skip work in its decoder; the reference samples any large image the same way.
    path = write(photo(24, (1600, 1200)), "big.png")
    assert not decode_photo(path, settings, reduced=True).reduced


def test_a_truncated_photo_is_still_refused_after_a_pdf_report_was_printed(
        tmp_path: Path, settings: Settings, photo: PhotoFactory) -> None:
    """WeasyPrint turns Pillow's process-wide LOAD_TRUNCATED_IMAGES on at import; printing a report must not make
    the server decode truncated uploads afterwards."""
    from basira.web.reports_pdf import to_pdf

    assert to_pdf("<html><body><p>report</p></body></html>").startswith(b"%PDF")
    buf = io.BytesIO()
    photo(3).save(buf, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(UnsupportedContent):
        decode_photo(path, settings)
