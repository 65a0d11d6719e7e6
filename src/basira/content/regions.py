"""Candidate regions: the pictures inside a larger image (a screenshot of a post, a collage), found to be hashed.

A photo pasted into a screenshot covers only part of the frame, so the frame's PDQ hash says nothing about it.
The page around such a photo is made of flat areas (the page, bars, buttons) and small marks (text, icons); the
photo is a large, busy, roughly rectangular area. The scan:

1. takes the image's grey levels, at most :data:`SCAN_SIDE` pixels along its longer side;
2. marks as *flat* every pixel whose 3x3 neighbourhood spans at most a few grey levels (once for each of
   :data:`FLAT_RANGES`);
3. calls *background* every flat area that touches the image's edge (``scipy.ndimage.label``);
4. takes each connected area of what is left (holes filled) whose bounding box is large enough on both sides
   and mostly filled as a candidate, largest first, each side moved onto the strongest edge nearby at full size.

Each candidate is hashed as a query-only variant (``region``); the stored and shared hash is never one of them.
"""

from __future__ import annotations

import numpy as np

from basira.content.borders import Box, _grey

#: The scan works on at most this many pixels along the longer side (every n-th row and column).
SCAN_SIDE = 512
#: A pixel is flat when its 3x3 neighbourhood spans at most this many grey levels. The scan runs once per
#: level: a strict one keeps a photo's smooth edge (a dark sky) out of the page, a lenient one lets the page
#: between the cells of a collage stay page despite JPEG ringing.
FLAT_RANGES = (4, 10)
#: A candidate spans at least this share of the image's height and of its width ...
MIN_SIDE_SHARE = 0.15
#: ... covers at least this share of the image ...
MIN_AREA_SHARE = 0.04
#: ... and fills at least this share of its own bounding box (a picture is a rectangle).
MIN_FILL = 0.6
#: A candidate covering more than this share of the image is the image itself (its plain hash covers it).
MAX_AREA_SHARE = 0.9
#: At most this many candidates are offered, largest first.
MAX_REGIONS = 6


def candidate_regions(pixels: np.ndarray, max_regions: int = MAX_REGIONS) -> list[Box]:
    """Boxes of the pictures that the image seems to hold, largest first (none for an ordinary photo)."""
    h, w = pixels.shape[:2]
    step = max(1, -(-max(h, w) // SCAN_SIDE))
    grey = _grey(pixels[::step, ::step])
    if min(grey.shape) < 8:
        return []
    # Imported here: scipy.ndimage takes longer to import than most commands take to run (`basira screen`).
    from scipy import ndimage

    spread = ndimage.maximum_filter(grey, size=3) - ndimage.minimum_filter(grey, size=3)
    found: list[tuple[int, Box]] = []
    for level in FLAT_RANGES:
        for area, box in _regions(pixels, spread <= level, step):
            # The same picture found at both levels (to within the scan's step) is offered once.
            if not any(max(abs(box.top - b.top), abs(box.bottom - b.bottom), abs(box.left - b.left),
                           abs(box.right - b.right)) <= step + 2 for _, b in found):
                found.append((area, box))
    found.sort(key=lambda t: -t[0])
    return [box for _, box in found[:max_regions]]


def _regions(pixels: np.ndarray, flat: np.ndarray, step: int) -> list[tuple[int, Box]]:
    """The (scanned area, refined box) of each candidate, given which scanned pixels are flat."""
    from scipy import ndimage

    h, w = pixels.shape[:2]
    sh, sw = flat.shape
    labels, _ = ndimage.label(flat)
    edge = np.unique(np.concatenate((labels[0], labels[-1], labels[:, 0], labels[:, -1])))
    edge = edge[edge > 0]
    if edge.size == 0:
        return []  # no flat margin at all: an ordinary photo
    busy = ndimage.binary_fill_holes(~np.isin(labels, edge))
    parts, count = ndimage.label(busy, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return []
    sizes = ndimage.sum_labels(busy, parts, index=np.arange(1, count + 1))
    found: list[tuple[int, Box]] = []
    for index, window in enumerate(ndimage.find_objects(parts)):
        if window is None:
            continue
        rows, cols = window
        bh, bw = rows.stop - rows.start, cols.stop - cols.start
        area = bh * bw
        if (bh < MIN_SIDE_SHARE * sh or bw < MIN_SIDE_SHARE * sw or area < MIN_AREA_SHARE * sh * sw
                or area > MAX_AREA_SHARE * sh * sw or sizes[index] < MIN_FILL * area):
            continue
        # The 3x3 spread marks one scanned pixel of the flat side of each edge as busy: step back over it.
        top, bottom = min(rows.start + 1, rows.stop - 1), max(rows.stop - 1, rows.start + 1)
        left, right = min(cols.start + 1, cols.stop - 1), max(cols.stop - 1, cols.start + 1)
        coarse = Box(min(h, top * step), min(h, bottom * step), min(w, left * step), min(w, right * step))
        found.append((area, _refine(pixels, coarse, step + 2)))
    return found


def _edge(lines: np.ndarray, first: int, guess: int, reach: int) -> int:
    """The index ``i`` near ``guess`` where lines ``i - 1`` and ``i`` differ most (an edge); ``lines`` holds the
    image's lines from index ``first`` on."""
    lo, hi = max(first + 1, guess - reach), min(first + len(lines) - 1, guess + reach)
    if hi < lo:
        return guess
    grey = lines.astype(np.float32)
    jumps = np.abs(grey[lo - first: hi - first + 1] - grey[lo - first - 1: hi - first]).mean(axis=1)
    return lo + int(np.argmax(jumps))


def _refine(pixels: np.ndarray, box: Box, reach: int) -> Box:
    """``box`` with each side moved, within ``reach`` pixels, onto the strongest edge of the full-size image.

    The scan finds a box to within a few pixels; a picture's hash shifts by tens of bits when a strip of the page
    beside it is hashed with it, so each side is put where the page stops. Only the lines near each side are read.
    """
    h, w = pixels.shape[:2]

    def rows(at: int) -> tuple[np.ndarray, int]:
        first = max(0, at - reach - 1)
        return _grey(pixels[first: at + reach + 1, box.left: box.right]), first

    def cols(at: int) -> tuple[np.ndarray, int]:
        first = max(0, at - reach - 1)
        return _grey(pixels[box.top: box.bottom, first: at + reach + 1]).T, first

    # A side on the image's own edge stays there.
    top = _edge(*rows(box.top), box.top, reach) if box.top > 0 else 0
    bottom = _edge(*rows(box.bottom), box.bottom, reach) if box.bottom < h else h
    left = _edge(*cols(box.left), box.left, reach) if box.left > 0 else 0
    right = _edge(*cols(box.right), box.right, reach) if box.right < w else w
    if bottom - top < (box.bottom - box.top) // 2 or right - left < (box.right - box.left) // 2:
        return box
    return Box(top, bottom, left, right)
