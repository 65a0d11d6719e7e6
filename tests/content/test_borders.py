"""Borders, bars and letterboxing: the picture inside is found, and its hash is a query-only variant."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw

from basira.content.borders import Box, content_box, content_boxes
from basira.content.photo import PDQSignal
from basira.core.settings import Settings
from basira.core.signals import Content

from .conftest import PhotoFactory, Writer

REAL = Path(__file__).parents[1] / "data" / "pdq"


def _real(name: str) -> Image.Image:
    """A real photograph from ThreatExchange's test set (generated ones have flat shapes reaching their edges)."""
    with Image.open(REAL / name) as im:
        return im.convert("RGB")


def _framed(img: Image.Image, colour: tuple[int, int, int], pad: tuple[int, int, int, int]) -> Image.Image:
    top, bottom, left, right = pad
    w, h = img.size
    out = Image.new("RGB", (w + left + right, h + top + bottom), colour)
    out.paste(img, (left, top))
    return out


def test_letterbox_bands_are_found(photo: PhotoFactory) -> None:
    img = photo(40, (320, 240))
    box = content_box(np.asarray(_framed(img, (0, 0, 0), (30, 30, 0, 0))))
    assert box == Box(30, 270, 0, 320)


def test_a_border_on_every_side_is_found(photo: PhotoFactory) -> None:
    box = content_box(np.asarray(_framed(photo(41, (300, 200)), (250, 250, 250), (20, 20, 30, 30))))
    assert box == Box(20, 220, 30, 330)


def test_a_caption_bar_with_text_is_found() -> None:
    img = _framed(_real("q0122.jpg"), (255, 255, 255), (40, 0, 0, 0))
    ImageDraw.Draw(img).text((10, 12), "shared again and again", fill=(0, 0, 0), font_size=14)
    box = content_box(np.asarray(img))
    assert box is not None and abs(box.top - 40) <= 1 and box.bottom == 296


def test_ordinary_photos_and_a_flat_picture_have_no_border() -> None:
    for name in ("q0122.jpg", "shrink-a-little.jpg", "wee.jpg"):
        assert content_box(np.asarray(_real(name))) is None, name
    assert content_box(np.full((100, 100, 3), 128, np.uint8)) is None


def test_rows_only_and_columns_only_boxes_are_offered_too(photo: PhotoFactory) -> None:
    boxes = dict(content_boxes(np.asarray(_framed(photo(44, (300, 200)), (0, 0, 0), (20, 20, 30, 30)))))
    assert set(boxes) == {"trimmed", "trimmed_rows", "trimmed_columns"}
    assert boxes["trimmed_rows"] == Box(20, 220, 0, 360)


@settings(max_examples=50, deadline=None)
@given(pixels=arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.sampled_from([1, 3]))))
def test_boxes_always_lie_inside_the_image(pixels: np.ndarray) -> None:
    image = pixels[..., 0] if pixels.shape[2] == 1 else pixels
    for _, box in content_boxes(image):
        assert 0 <= box.top < box.bottom <= image.shape[0] and 0 <= box.left < box.right <= image.shape[1]


def test_a_bordered_copy_is_found_through_its_trimmed_variant(
        settings: Settings, photo: PhotoFactory, write: Writer, tmp_path: Path) -> None:
    img = photo(45, (400, 300))
    original = PDQSignal.extract(_content(write(img, "o.png")), settings)[0].value
    bordered = write(_framed(img, (255, 255, 255), (30, 30, 40, 40)), "b.jpg", quality=90)
    sigs = PDQSignal.extract(_content(bordered), settings)
    assert PDQSignal.distance(sigs[0].value, original) > 31 and not sigs[0].query_only
    trimmed = [s for s in sigs if s.details.get("variant") == "trimmed"]
    assert trimmed and trimmed[0].query_only and PDQSignal.distance(trimmed[0].value, original) <= 31


def _content(path: Path) -> Content:
    return Content(path, "photo", path.stat().st_size)
