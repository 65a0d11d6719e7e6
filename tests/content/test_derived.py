"""Derived PDQ hashes of a banked photo (crops, small turns, mirror) and candidate regions of a query photo.

The photos are ThreatExchange's real test photo ``tests/data/pdq/q0122.jpg`` and generated ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from tests.content.conftest import make_photo
from tests.factories import with_content

from basira.content.borders import Box
from basira.content.derived import EDITS
from basira.content.pdqref import pdq_hash_reference
from basira.content.photo import PDQSignal, derived_signals
from basira.content.regions import candidate_regions
from basira.core.settings import Settings
from basira.core.signals import Content

REAL = Path(__file__).resolve().parents[1] / "data" / "pdq" / "q0122.jpg"
THRESHOLD = 31


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _hash(im: Image.Image) -> str:
    return pdq_hash_reference(np.asarray(im.convert("RGB")))[0]


@pytest.fixture(scope="module")
def real() -> Image.Image:
    with Image.open(REAL) as im:
        return im.convert("RGB")


def _jpeg_round_trip(im: Image.Image, tmp: Path) -> Image.Image:
    path = tmp / "copy.jpg"
    im.save(path, quality=85)
    with Image.open(path) as out:
        return out.convert("RGB")


@pytest.mark.parametrize(("edit", "copy"), [
    ("crop_10pct", lambda im: im.crop((25, 25, 231, 231))),
    ("rotate_minus5", lambda im: im.rotate(-5, resample=Image.Resampling.BILINEAR)),
    ("mirror", lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
])
def test_an_edited_copy_lands_near_its_derived_hash_and_far_from_the_plain_one(
        real: Image.Image, tmp_path: Path, edit: str, copy: object, settings: Settings) -> None:
    derived = {s.details["derived"]: s.value for s in derived_signals(np.asarray(real), settings)}
    assert set(derived) <= set(EDITS) and edit in derived
    query = _hash(_jpeg_round_trip(copy(real), tmp_path))  # type: ignore[operator]
    assert _distance(query, derived[edit]) <= THRESHOLD
    assert _distance(query, _hash(real)) > THRESHOLD


def test_derived_signals_are_marked_kept_above_the_quality_floor_and_can_be_turned_off(
        real: Image.Image, settings: Settings, tmp_path: Path) -> None:
    pixels = np.asarray(real)
    found = derived_signals(pixels, settings)
    plain = pdq_hash_reference(pixels)[0]
    assert [s.details["derived"] for s in found] == list(EDITS)
    assert all(s.signal_type == "pdq" and not s.query_only and s.quality and s.quality >= 50 for s in found)
    assert plain not in {s.value for s in found}
    # A flat picture has no hash of quality: nothing derived from it reaches a bank.
    flat = np.full((200, 200, 3), 128, dtype=np.uint8)
    assert derived_signals(flat, settings) == []
    path = tmp_path / "real.png"
    real.save(path)
    content = Content(path, "photo", path.stat().st_size)
    assert [s.value for s in PDQSignal.derive(content, settings)] == [s.value for s in found]
    assert PDQSignal.derive(content, with_content(settings, pdq_derived=False)) == []


def test_a_symmetric_photo_stores_no_mirror_hash(settings: Settings) -> None:
    half = np.asarray(make_photo(4, (100, 200)))
    symmetric = np.ascontiguousarray(np.concatenate([half, half[:, ::-1]], axis=1))
    names = [s.details["derived"] for s in derived_signals(symmetric, settings)]
    assert "mirror" not in names and "crop_10pct" in names  # its mirror image is the photo itself


def _screenshot(photo: Image.Image, scale: float = 1.0) -> tuple[Image.Image, Box]:
    """``photo`` pasted at half the width of a page with a header bar and two lines of text."""
    w, h = photo.size
    page = Image.new("RGB", (w * 2, h * 2), (245, 246, 248))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, w * 2, h // 3), fill=(59, 89, 152))
    draw.text((w // 2, h // 3 + 8), "A friend shared a post", fill=(30, 30, 30), font_size=14)
    draw.text((w // 2, h * 2 - h // 3), "12 likes  3 comments", fill=(90, 90, 90), font_size=14)
    small = photo.resize((int(w * scale), int(h * scale)))
    page.paste(small, (w // 2, h // 2))
    return page, Box(h // 2, h // 2 + small.size[1], w // 2, w // 2 + small.size[0])


def test_a_photo_pasted_into_a_screenshot_is_found_by_its_region(real: Image.Image, tmp_path: Path,
                                                                 settings: Settings) -> None:
    page, truth = _screenshot(real)
    path = tmp_path / "screenshot.jpg"
    page.save(path, quality=85)
    boxes = candidate_regions(np.asarray(page))
    assert any(max(abs(b.top - truth.top), abs(b.bottom - truth.bottom), abs(b.left - truth.left),
                   abs(b.right - truth.right)) <= 2 for b in boxes)
    signals = PDQSignal.extract(Content(path, "photo", path.stat().st_size), settings)
    regions = [s for s in signals if s.details.get("variant") == "region"]
    assert regions and all(s.query_only for s in regions)
    assert min(_distance(s.value, _hash(real)) for s in regions) <= THRESHOLD
    assert _distance(signals[0].value, _hash(real)) > THRESHOLD  # the whole page's hash is elsewhere
    off = PDQSignal.extract(Content(path, "photo", path.stat().st_size), with_content(settings, pdq_regions=False))
    assert not any(s.details.get("variant") == "region" for s in off)


def test_each_photo_of_a_collage_is_a_region() -> None:
    photos = [make_photo(seed, (160, 120)) for seed in range(4)]
    collage = Image.new("RGB", (350, 270), (255, 255, 255))
    spots = [(10, 10), (180, 10), (10, 140), (180, 140)]
    for im, spot in zip(photos, spots, strict=True):
        collage.paste(im, spot)
    boxes = candidate_regions(np.asarray(collage))
    assert len(boxes) == 4
    for im, (x, y) in zip(photos, spots, strict=True):
        box = next(b for b in boxes if abs(b.left - x) <= 2 and abs(b.top - y) <= 2)
        assert _distance(pdq_hash_reference(np.ascontiguousarray(box.crop(np.asarray(collage))))[0],
                         _hash(im)) <= THRESHOLD


def test_an_ordinary_photo_offers_no_region(real: Image.Image) -> None:
    assert candidate_regions(np.asarray(real)) == []
    assert candidate_regions(np.asarray(make_photo(7, (320, 240)))) == []


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=st.integers(0, 200), y=st.integers(0, 200), w=st.integers(90, 200), h=st.integers(90, 200),
       grey=st.integers(0, 255), seed=st.integers(0, 3))
def test_a_picture_on_a_flat_page_is_boxed_within_two_pixels(x: int, y: int, w: int, h: int, grey: int,
                                                           seed: int) -> None:
    page = np.full((420, 420, 3), grey, dtype=np.uint8)
    picture = np.asarray(make_photo(seed, (w, h)))
    page[y: y + h, x: x + w] = picture
    boxes = candidate_regions(page)
    touches = x == 0 or y == 0 or x + w == 420 or y + h == 420
    if w * h > 0.9 * 420 * 420 or touches:
        return  # the picture is the page, or meets its edge (its trimmed box covers that case)
    assert any(max(abs(b.top - y), abs(b.bottom - (y + h)), abs(b.left - x), abs(b.right - (x + w))) <= 2
               for b in boxes), (boxes, (y, y + h, x, x + w))


@hsettings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60), st.integers(0, 2**32 - 1), st.booleans())
def test_any_pixels_give_boxes_inside_the_image(h: int, w: int, seed: int, grey: bool) -> None:
    rng = np.random.default_rng(seed)
    shape = (h * 7, w * 7) if grey else (h * 7, w * 7, 3)
    # Blocks of a few colours: flat areas and edges in every arrangement.
    blocks = rng.integers(0, 4, size=(h, w)) * 80
    pixels = np.kron(blocks, np.ones((7, 7), dtype=np.int64)).astype(np.uint8)
    if not grey:
        pixels = np.repeat(pixels[..., None], 3, axis=2)
    assert pixels.shape == shape
    for b in candidate_regions(pixels):
        assert 0 <= b.top < b.bottom <= shape[0] and 0 <= b.left < b.right <= shape[1]


def test_the_ladders_are_settings_and_bad_ones_are_refused(real: Image.Image, tmp_path: Path) -> None:
    from basira.core.errors import ConfigurationError
    from basira.core.settings import load_settings

    chosen = load_settings(environ={"BASIRA_PDQ_DERIVED_CROPS": " 7.5 ", "BASIRA_PDQ_DERIVED_TURNS": ""},
                           data_dir=tmp_path)
    assert [s.details["derived"] for s in derived_signals(np.asarray(real), chosen)] == ["crop_7.5pct", "mirror"]
    for name, raw in (("CROPS", "abc"), ("CROPS", "0.5"), ("CROPS", "50"), ("TURNS", "nan"), ("TURNS", "90"),
                      ("CROPS", ",".join(str(n) for n in range(1, 23)))):
        with pytest.raises(ConfigurationError, match=f"BASIRA_PDQ_DERIVED_{name}"):
            load_settings(environ={f"BASIRA_PDQ_DERIVED_{name}": raw}, data_dir=tmp_path)
