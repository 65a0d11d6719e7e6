"""Derived PDQ signals: hashes of canonical edits of a banked photo, stored beside its plain hash.

PDQ summarises the whole frame, so a copy cropped by 10 % per side or turned by 3 degrees lands far from its
original (0 of 27 real photos found at threshold 31). Hashing the same edits of the original when it is banked
puts a hash next to where those copies land: a copy cropped by 10 % is within a few bits of the original's
``crop_10pct`` hash. Each derived hash is stored as a signal of the same entry, marked
``details["derived"]`` with the edit's name, and kept out of what is shared unless the bank allows it
(``share_derived``): partners with plain PDQ match the plain hash as before.

The edits are the ones a copy usually goes through: by default a centred crop of 5, 10 or 15 % per side, a turn
of 3 or 5 degrees either way (corners filled black, the size kept, as an editor turning a picture in place does)
and the mirror image (which a query would otherwise only find with all eight dihedral hashes). A crop is found
only near the stored amount (on real photos, one 2.5 % per side away is about 50 bits off): settings
``pdq_derived_crops`` and ``pdq_derived_turns`` choose the ladder.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from basira.content.pdqref import pdq_coefficients

Edit = Callable[[np.ndarray], np.ndarray]


def _crop(share: float) -> Edit:
    def edit(pixels: np.ndarray) -> np.ndarray:
        h, w = pixels.shape[:2]
        dy, dx = int(h * share), int(w * share)
        return pixels[dy: h - dy, dx: w - dx]
    return edit


#: Photos are turned at most this large (longest side): the reference samples to 512 anyway, and turning a
#: 12-megapixel photo at full size costs a second for nothing.
ROTATE_SIDE = 1024


def _rotate(degrees: float) -> Edit:
    def edit(pixels: np.ndarray) -> np.ndarray:
        im = Image.fromarray(pixels)
        h, w = pixels.shape[:2]
        if max(h, w) > ROTATE_SIDE:
            scale = ROTATE_SIDE / max(h, w)
            im = im.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BOX)
        return np.asarray(im.rotate(degrees, resample=Image.Resampling.BILINEAR))
    return edit


def edits(crops: tuple[float, ...] = (0.05, 0.10, 0.15), turns: tuple[float, ...] = (3, 5)) -> dict[str, Edit]:
    """The derived edits by name, in the order they are stored: centred crops (shares of each side), turns of
    each angle counter-clockwise then clockwise (degrees), and the mirror image."""
    out: dict[str, Edit] = {f"crop_{100 * share:g}pct": _crop(share) for share in crops}
    for degrees in turns:
        out[f"rotate_plus{degrees:g}"] = _rotate(degrees)
        out[f"rotate_minus{degrees:g}"] = _rotate(-degrees)
    out["mirror"] = lambda a: a[:, ::-1]
    return out


#: The default edits (settings ``pdq_derived_crops`` = 5,10,15 and ``pdq_derived_turns`` = 3,5).
EDITS: dict[str, Edit] = edits()


def derived_hashes(pixels: np.ndarray, chosen: dict[str, Edit] | None = None) -> list[tuple[str, str, int]]:
    """``(edit name, hex, quality)`` of each edit of ``pixels`` (:data:`EDITS` by default).

    A hash equal to an earlier one (a symmetric photo's mirror image) is left out.
    """
    out: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for name, edit in (chosen if chosen is not None else EDITS).items():
        result = pdq_coefficients(np.ascontiguousarray(edit(pixels)))
        value = result.hex()
        if value not in seen:
            seen.add(value)
            out.append((name, value, result.quality))
    return out
