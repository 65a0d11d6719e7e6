"""PDQ computed the way ThreatExchange's C++ reference ``pdq-photo-hasher`` computes it, vectorised in numpy.

The reference reads the pixels as stored, brings an image with a side over 512 pixels to exactly 512x512 by
nearest-neighbour sampling, takes luminance as ``0.299 R + 0.587 G + 0.114 B`` in single precision (grey images
use their one channel as it is), blurs with two passes of a box filter along rows then columns (the Jarosz
filter, a window of ``ceil(side / 128)``), keeps the pixel at the centre of each of 64x64 cells, and takes the
16x16 low frequencies of a DCT. A bit is set where the coefficient exceeds the median (the 128th smallest).

Every step here repeats the reference's single-precision operations in the same order (a running sum is a
cumulative sum of the same additions and subtractions; a dot product is a loop of float32 products and sums),
so the hash is the reference's bit for bit on the same pixels. Hex is the reference's: the 256-bit number
whose bit ``16 i + j`` is coefficient ``(i, j)``, most significant digit first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

#: Images with a side over this are first sampled to this many pixels square (the reference's intermediate size).
REFERENCE_SIDE = 512
#: Sides shorter than this give an all-zero hash of quality 0, as in the reference.
MIN_SIDE = 5
_R, _G, _B = np.float32(0.299), np.float32(0.587), np.float32(0.114)


@dataclass(frozen=True)
class PDQResult:
    """The 16x16 DCT coefficients of an image and its quality (0-100); hashes are taken from these."""

    coefficients: np.ndarray
    quality: int

    def hex(self) -> str:
        """The PDQ hash of the coefficients as 64 lowercase hex digits."""
        return coefficients_to_hex(self.coefficients)

    def dihedral_hex(self) -> list[str]:
        """The hashes of the eight rotations and mirror images, in the reference's order.

        Original, rotate 90, rotate 180, rotate 270, flip X, flip Y, flip about the main diagonal and about
        the other one: each is computed from the same coefficients by the sign and transpose rules of the DCT.
        """
        return [coefficients_to_hex(c) for c in dihedral_coefficients(self.coefficients)]


def sample_to_reference_size(pixels: np.ndarray) -> np.ndarray:
    """``pixels`` (``(h, w)`` or ``(h, w, c)``) sampled to 512x512 when a side is over 512, else unchanged.

    Destination row ``y`` takes source row ``floor(y * h / 512)`` (likewise for columns): nearest-neighbour
    sampling from the top-left corner, the aspect ratio not kept, as the reference's image library does.
    """
    h, w = pixels.shape[:2]
    if h <= REFERENCE_SIDE and w <= REFERENCE_SIDE:
        return pixels
    rows = (np.arange(REFERENCE_SIDE, dtype=np.int64) * h) // REFERENCE_SIDE
    cols = (np.arange(REFERENCE_SIDE, dtype=np.int64) * w) // REFERENCE_SIDE
    sampled: np.ndarray = np.take(np.take(pixels, rows, axis=0), cols, axis=1)
    return sampled


def luminance(pixels: np.ndarray) -> np.ndarray:
    """Single-precision luminance of grey ``(h, w)`` or colour ``(h, w, c >= 3)`` uint8 pixels."""
    if pixels.ndim == 2:
        return pixels.astype(np.float32)
    rgb = pixels[..., :3].astype(np.float32)
    # (R term + G term) + B term: the reference's order of additions.
    luma: np.ndarray = (_R * rgb[..., 0] + _G * rgb[..., 1]) + _B * rgb[..., 2]
    return luma


def window_size(old: int, new: int = 64) -> int:
    """The box filter's window along a side of ``old`` pixels, for two passes down to ``new`` cells."""
    return (old + 2 * new - 1) // (2 * new)


def box_filter_rows(a: np.ndarray, window: int) -> np.ndarray:
    """A centred running mean along each row, with the reference's shrinking windows at both ends.

    The reference keeps one running float32 sum per row: it adds the first ``window`` values, then for each
    step adds the value entering and subtracts the value leaving, then subtracts the last ones. The same
    sequence of additions, laid out in order and summed cumulatively in float32, gives the same sums.
    """
    length = a.shape[1]
    half = (window + 2) // 2
    entering = a[:, window:]
    leaving = -a[:, : length - window]
    middle = np.stack([entering, leaving], axis=2).reshape(a.shape[0], -1)
    tail = -a[:, length - window: length - window + half - 1]
    sums = np.cumsum(np.concatenate([a[:, :window], middle, tail], axis=1), axis=1, dtype=np.float32)
    grow = sums[:, half - 1: window] / np.arange(half, window + 1, dtype=np.float32)
    steady = sums[:, window + 1: window + 2 * (length - window): 2] / np.float32(window)
    shrink = sums[:, window + 2 * (length - window):] / np.arange(window - 1, window - half, -1, dtype=np.float32)
    return np.concatenate([grow, steady, shrink], axis=1)


def jarosz_filter(luma: np.ndarray, passes: int = 2) -> np.ndarray:
    """The reference's blur: ``passes`` times a box filter along rows, then along columns."""
    rows, cols = luma.shape
    along_rows, along_cols = window_size(cols), window_size(rows)
    out = luma
    for _ in range(passes):
        # Columns are filtered as the rows of the transpose: a running sum along contiguous memory is fastest.
        out = np.ascontiguousarray(box_filter_rows(out, along_rows).T)
        out = np.ascontiguousarray(box_filter_rows(out, along_cols).T)
    return out


def decimate(a: np.ndarray, size: int = 64) -> np.ndarray:
    """The pixel at the centre of each of ``size`` x ``size`` cells."""
    rows, cols = a.shape
    ri = [int(((i + 0.5) * rows) / size) for i in range(size)]
    ci = [int(((j + 0.5) * cols) / size) for j in range(size)]
    cells: np.ndarray = a[np.asarray(ri)[:, None], np.asarray(ci)[None, :]]
    return cells


def quality_of(cells: np.ndarray) -> int:
    """The reference's quality: the sum of quantised gradients between neighbouring cells, scaled to 0-100."""
    hundred, full = np.float32(100), np.float32(255)
    down = np.trunc((cells[:-1, :] - cells[1:, :]) * hundred / full)
    across = np.trunc((cells[:, :-1] - cells[:, 1:]) * hundred / full)
    gradient = int(np.abs(down).astype(np.int64).sum() + np.abs(across).astype(np.int64).sum())
    return min(gradient // 90, 100)


@cache
def dct_matrix() -> np.ndarray:
    """The 16x64 DCT-II rows 1..16 (the constant term left out), rounded to float32 as the reference does."""
    scale = float(np.float32(math.sqrt(2.0 / 64)))
    m = np.empty((16, 64), dtype=np.float32)
    for i in range(16):
        for j in range(64):
            m[i, j] = np.float32(scale * math.cos((math.pi / 2.0 / 64.0) * (i + 1) * (2 * j + 1)))
    m.setflags(write=False)
    return m


def dct16(cells: np.ndarray) -> np.ndarray:
    """``D A D^T`` for the 64x64 cells ``A``, each dot product summed in order in float32."""
    d = dct_matrix()
    t = np.zeros((16, 64), dtype=np.float32)
    for k in range(64):
        t += d[:, k, None] * cells[None, k, :]
    b = np.zeros((16, 16), dtype=np.float32)
    for k in range(64):
        b += t[:, k, None] * d[None, :, k]
    return b


def pdq_coefficients(pixels: np.ndarray, *, sample_large: bool = True) -> PDQResult:
    """The DCT coefficients and quality of uint8 pixels as stored, by the reference's path.

    ``sample_large=False`` filters the full frame instead of first sampling it to 512x512: what the reference
    vPDQ hasher does with video frames (its photo hasher samples, its frame hasher does not).
    """
    h, w = pixels.shape[:2]
    if h < MIN_SIDE or w < MIN_SIDE:
        return PDQResult(np.zeros((16, 16), dtype=np.float32), 0)
    luma = luminance(sample_to_reference_size(pixels) if sample_large else pixels)
    cells = decimate(jarosz_filter(luma))
    return PDQResult(dct16(cells), quality_of(cells))


def coefficients_to_hex(coefficients: np.ndarray) -> str:
    """Bits set where a coefficient exceeds the 128th smallest, written as the reference writes them."""
    flat = coefficients.reshape(256)
    median = np.partition(flat, 127)[127]
    bits = (flat > median)[::-1]
    return np.packbits(bits).tobytes().hex()


def dihedral_coefficients(c: np.ndarray) -> list[np.ndarray]:
    """The coefficients of the image turned and mirrored, in the reference's order (see :meth:`dihedral_hex`)."""
    i = np.arange(16)
    odd_row = (i % 2 == 1)[:, None]
    odd_col = (i % 2 == 1)[None, :]
    odd_sum = ((i[:, None] + i[None, :]) % 2) == 1
    return [
        c,
        np.where(odd_col, c, -c).T,
        np.where(odd_sum, -c, c),
        np.where(odd_row, c, -c).T,
        np.where(odd_row, c, -c),
        np.where(odd_col, c, -c),
        c.T.copy(),
        np.where(odd_sum, -c, c).T,
    ]


def pdq_hash_reference(pixels: np.ndarray, *, sample_large: bool = True) -> tuple[str, int]:
    """The PDQ hash (hex) and quality of uint8 pixels as stored, equal to the C++ reference's."""
    result = pdq_coefficients(pixels, sample_large=sample_large)
    return result.hex(), result.quality
