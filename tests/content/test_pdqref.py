"""The reference PDQ path: bit for bit equal to ThreatExchange's C++ hasher, and each fast step equal to a plain one.

The bundled slice (tests/data/pdq) always runs; the whole reference set runs when ``../shared/data`` is present.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from basira.content import pdqref
from basira.content.decode import decode_photo
from basira.content.photo import bits_to_hex
from basira.core.settings import load_settings

DATA = Path(__file__).parents[1] / "data" / "pdq"
SHARED = Path(__file__).parents[2] / ".." / "shared" / "data" / "reference" / "pdq"
SETTINGS = load_settings(environ={})


def _rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "hashes.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _hash(path: Path) -> tuple[str, int]:
    return pdqref.pdq_hash_reference(decode_photo(path, SETTINGS).pixels)


@pytest.mark.parametrize("row", _rows(DATA), ids=lambda r: r["file"])
def test_bundled_reference_images_hash_bit_for_bit_as_the_cpp_hasher(row: dict[str, str]) -> None:
    value, quality = _hash(DATA / row["file"])
    assert value == row["cpp_hash"]
    assert quality == int(row["cpp_quality"])


def test_every_reference_image_of_quality_50_lands_within_2_bits_of_the_cpp_hasher() -> None:
    if not (SHARED / "hashes.csv").is_file():
        pytest.skip("../shared/data/reference/pdq is absent: only the bundled slice was checked")
    checked = exact = 0
    for row in _rows(SHARED):
        if not row["cpp_hash"] or int(row["cpp_quality"]) < 50:
            continue
        value, quality = _hash(SHARED / row["file"])
        assert _distance(value, row["cpp_hash"]) <= 2, row["file"]
        assert quality == int(row["cpp_quality"]), row["file"]
        checked += 1
        exact += value == row["cpp_hash"]
    assert checked >= 30
    assert exact == checked


@pytest.mark.parametrize("row", [r for r in _rows(DATA) if int(r["cpp_quality"]) >= 50], ids=lambda r: r["file"])
def test_bundled_images_land_within_8_bits_of_pdqhash(row: dict[str, str]) -> None:
    with Image.open(DATA / row["file"]) as im:
        bits, _ = pdqhash.compute(np.asarray(im.convert("RGB")))
    assert _distance(_hash(DATA / row["file"])[0], bits_to_hex(bits)) <= 8


def test_small_images_are_hashed_at_their_own_size_and_large_ones_sampled_to_512() -> None:
    small = np.zeros((300, 512, 3), np.uint8)
    assert pdqref.sample_to_reference_size(small) is small
    tall = np.arange(1030 * 20, dtype=np.int64).reshape(1030, 20) % 251
    sampled = pdqref.sample_to_reference_size(tall.astype(np.uint8))
    assert sampled.shape == (512, 512)
    # Row y of the result is source row floor(y * 1030 / 512); column x is floor(x * 20 / 512).
    assert sampled[511, 511] == tall[1027, 19] % 256


def test_images_under_5_pixels_a_side_hash_to_zero_with_quality_0() -> None:
    assert pdqref.pdq_hash_reference(np.full((4, 100, 3), 200, np.uint8)) == ("0" * 64, 0)


def _box_plain(row: list[float], window: int) -> list[float]:
    """The reference's running mean, transcribed one float32 operation at a time."""
    f = np.float32
    half = (window + 2) // 2
    out: list[float] = []
    total, size, ri, li = f(0.0), 0, 0, 0
    for _ in range(half - 1):
        total, size, ri = f(total + f(row[ri])), size + 1, ri + 1
    for _ in range(window - half + 1):
        total, size, ri = f(total + f(row[ri])), size + 1, ri + 1
        out.append(float(f(total / f(size))))
    for _ in range(len(row) - window):
        total = f(f(total + f(row[ri])) - f(row[li]))
        ri, li = ri + 1, li + 1
        out.append(float(f(total / f(size))))
    for _ in range(half - 1):
        total, size, li = f(total - f(row[li])), size - 1, li + 1
        out.append(float(f(total / f(size))))
    return out


@settings(max_examples=60, deadline=None)
@given(data=st.data(), length=st.integers(5, 300))
def test_vectorised_box_filter_equals_the_reference_running_sum(data: st.DataObject, length: int) -> None:
    window = data.draw(st.integers(1, max(1, (length + 127) // 128 + 3)).filter(lambda w: w <= length))
    values = data.draw(arrays(np.float32, (3, length), elements=st.floats(0, 255, width=32)))
    fast = pdqref.box_filter_rows(values, window)
    for r in range(3):
        assert fast[r].tolist() == _box_plain(values[r].tolist(), window)


@settings(max_examples=20, deadline=None)
@given(pixels=arrays(np.uint8, st.tuples(st.integers(5, 80), st.integers(5, 80), st.just(3))))
def test_dihedral_coefficients_are_those_of_the_turned_image_for_square_powers_of_two(pixels: np.ndarray) -> None:
    # On a 64x64 image there is no filtering or sampling, so the DCT sign rules must hold exactly.
    square = np.ascontiguousarray(pixels[:5, :5].repeat(13, axis=0).repeat(13, axis=1)[:64, :64])
    base = pdqref.pdq_coefficients(square)
    turned = [square, np.rot90(square, 1), np.rot90(square, 2), np.rot90(square, 3), square[::-1], square[:, ::-1],
              square.swapaxes(0, 1), np.rot90(square, 2).swapaxes(0, 1)]
    for variant, image in zip(pdqref.dihedral_coefficients(base.coefficients), turned, strict=True):
        direct = pdqref.pdq_coefficients(np.ascontiguousarray(image)).coefficients
        assert np.allclose(variant, direct, atol=1e-2)
