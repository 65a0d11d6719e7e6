"""Borders, bars and letterboxing around a photo: found, so that the photo inside can be hashed on its own.

A copy shared with a border, black letterbox bands or a caption bar above or below has a PDQ hash far from its
original's, since PDQ summarises the whole frame. Each side is scanned inward while its rows (or columns) are
"bar-like": most of their pixels lie close to the colour of the outermost row. Sparse caption text in a bar
leaves most pixels at the bar's colour, so a captioned bar is found too. The inner box is then hashed as a
query-side variant; the plain hash stays the one stored and shared, so partners with plain PDQ lose nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A row is bar-like when at least this share of its pixels is within ``TOLERANCE`` of the bar's colour.
BAR_SHARE = 0.5
#: The outermost rows of a band (``MIN_BAND`` of the side) must be this clean: a bar starts at a plain edge,
#: while the flat shapes of a photo rarely span a whole side.
EDGE_SHARE = 0.9
#: Grey levels (0-255) within which a pixel counts as the bar's colour.
TOLERANCE = 14
#: A band thinner than this share of the side is not trimmed (edges of ordinary photos are often flat).
MIN_BAND = 0.02
#: At most this share of a side is trimmed from one edge: past it, the "bar" is the photo itself.
MAX_BAND = 0.4


@dataclass(frozen=True)
class Box:
    """The content's rows ``top:bottom`` and columns ``left:right`` within the image."""

    top: int
    bottom: int
    left: int
    right: int

    def crop(self, pixels: np.ndarray) -> np.ndarray:
        return pixels[self.top: self.bottom, self.left: self.right]


def _grey(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return pixels.astype(np.int16)
    rgb = pixels[..., :3].astype(np.int32)
    return ((77 * rgb[..., 0] + 150 * rgb[..., 1] + 29 * rgb[..., 2]) >> 8).astype(np.int16)


def _band(lines: np.ndarray) -> int:
    """How many leading lines (rows of ``lines``) form one bar of the first line's colour."""
    limit = int(lines.shape[0] * MAX_BAND)
    if limit < 1:
        return 0
    colour = int(np.median(lines[0]))
    edge = max(1, int(np.ceil(MIN_BAND * lines.shape[0])))
    # Most photos have no bar: their edge rows fail this first, cheap test.
    if not bool(np.all((np.abs(lines[:edge] - colour) <= TOLERANCE).mean(axis=1) >= EDGE_SHARE)):
        return 0
    share = (np.abs(lines[:limit] - colour) <= TOLERANCE).mean(axis=1)
    bar_like = share >= BAR_SHARE
    stop = np.flatnonzero(~bar_like)
    return int(stop[0]) if stop.size else limit


def content_boxes(pixels: np.ndarray) -> list[tuple[str, Box]]:
    """Candidate boxes of the picture: inside every band found, inside the top and bottom ones, inside the sides.

    A photo's own flat edge (a sky, a wall) can pass for a bar; offering the rows-only and columns-only boxes
    as well keeps a true letterbox or caption bar found when the photo beside it is flat too.
    """
    box = content_box(pixels)
    if box is None:
        return []
    h, w = pixels.shape[:2]
    out = [("trimmed", box)]
    for name, other in (("trimmed_rows", Box(box.top, box.bottom, 0, w)),
                        ("trimmed_columns", Box(0, h, box.left, box.right))):
        if other not in (b for _, b in out) and other != Box(0, h, 0, w):
            out.append((name, other))
    return out


#: Bands are looked for on every n-th pixel, n chosen so that the longer side is about this long.
SCAN_SIDE = 512


def content_box(pixels: np.ndarray) -> Box | None:
    """The box inside uniform borders, bars or letterbox bands, or None when no side has one.

    The scan looks at every n-th row and column of a large image, so the box is found to within n pixels
    (n = 3 for a 12-megapixel photo); its hash does not notice so little.
    """
    h, w = pixels.shape[:2]
    step = max(1, -(-max(h, w) // SCAN_SIDE))
    box = _scaled_box(_grey(pixels[::step, ::step]))
    if box is None:
        return None
    return Box(min(h, box.top * step), min(h, box.bottom * step), min(w, box.left * step), min(w, box.right * step))


def _scaled_box(grey: np.ndarray) -> Box | None:
    h, w = grey.shape
    top, bottom = (t if t >= MIN_BAND * h else 0 for t in (_band(grey), _band(grey[::-1])))
    # Columns are judged between the bars found above and below, which would otherwise blur their colour.
    inner = grey[top: h - bottom].T
    left, right = (t if t >= MIN_BAND * w else 0 for t in (_band(inner), _band(inner[::-1])))
    if not (top or bottom or left or right):
        return None
    box = Box(top, h - bottom, left, w - right)
    if box.bottom - box.top <= 0.25 * h or box.right - box.left <= 0.25 * w:
        return None  # nearly all "border": a flat picture, not a framed one
    return box
