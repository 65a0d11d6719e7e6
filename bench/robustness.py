"""PDQ robustness: the share of generated photos found again after common edits, and false matches.

A bank holds the PDQ hashes of N generated 1920x1080 photos; each photo is edited, saved as JPEG, hashed the way
Basira hashes uploads (safe reduced decode) and looked up at the default threshold of 31 bits. N unrelated
generated photos measure false matches. Each line's baseline is the same edit without the edit's remedy
where there is one (horizontal flip without dihedral variants), or the unedited photo (always 100%).

Run: ``.venv/bin/python bench/robustness.py`` (``--n 100`` for a quick run).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from basira.content.decode import decode_photo
from basira.content.hamming import HammingIndex
from basira.content.photo import pdq_dihedral, pdq_hash
from basira.core.settings import load_settings
from common import report
from imagegen import cached_jpegs

THRESHOLD = 31
SETTINGS = load_settings(environ={}, data_dir=Path(tempfile.gettempdir()))


def _crop(img: Image.Image, each_side: float) -> Image.Image:
    w, h = img.size
    dx, dy = round(w * each_side), round(h * each_side)
    return img.crop((dx, dy, w - dx, h - dy))


def _caption(img: Image.Image) -> Image.Image:
    """A watermark-style caption (white letters, dark outline) in the lower left, about a quarter of the width."""
    out = img.copy()
    draw = ImageDraw.Draw(out)
    size = img.size[1] // 30
    font = ImageFont.load_default(size=size)
    x, y = img.size[0] // 30, img.size[1] - 3 * size
    draw.text((x, y), "Evening edition 21:45", font=font, fill=(255, 255, 255), stroke_width=2,
              stroke_fill=(0, 0, 0))
    return out


#: name -> (edit, JPEG quality of the saved copy, query with dihedral variants)
EDITS: dict[str, tuple[Callable[[Image.Image], Image.Image], int, bool]] = {
    "resize_50pct": (lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS), 90, False),
    "jpeg_q40": (lambda im: im, 40, False),
    "crop_2pct_1_each_side": (lambda im: _crop(im, 0.01), 90, False),
    "crop_5pct_2.5_each_side": (lambda im: _crop(im, 0.025), 90, False),
    "crop_10pct_5_each_side": (lambda im: _crop(im, 0.05), 90, False),
    "grayscale": (lambda im: im.convert("L"), 90, False),
    "brightness_plus_20pct": (lambda im: ImageEnhance.Brightness(im).enhance(1.2), 90, False),
    "text_overlay": (_caption, 90, False),
    "flip_horizontal": (ImageOps.mirror, 90, False),
    "flip_horizontal_dihedral": (ImageOps.mirror, 90, True),
}


def _hash_file(path: Path, dihedral: bool) -> list[str]:
    pixels = decode_photo(path, SETTINGS, luma_only=True).pixels
    if dihedral:
        return [v for _, v in pdq_dihedral(pixels)[0]]
    return [pdq_hash(pixels)[0]]


def _work(path: Path) -> tuple[str, int, dict[str, list[str]]]:
    """The original's hash and quality, and the hashes of each edited copy."""
    pixels = decode_photo(path, SETTINGS, luma_only=True).pixels
    value, quality = pdq_hash(pixels)
    out: dict[str, list[str]] = {}
    with Image.open(path) as im:
        rgb = im.convert("RGB")
    tmp = Path(tempfile.gettempdir()) / f"basira-bench-{os.getpid()}.jpg"
    for name, (edit, q, dihedral) in EDITS.items():
        buf = io.BytesIO()
        edit(rgb).save(buf, "JPEG", quality=q)
        tmp.write_bytes(buf.getvalue())
        out[name] = _hash_file(tmp, dihedral)
    tmp.unlink(missing_ok=True)
    return value, quality, out


def _unrelated(path: Path) -> tuple[list[str], list[str]]:
    return _hash_file(path, False), _hash_file(path, True)


def _found(index: HammingIndex, values: list[str], own: int | None) -> bool:
    hits = {sid for row in index.query(values, THRESHOLD) for sid, _ in row}
    return own in hits if own is not None else bool(hits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="photos in the bank, and as many unrelated ones")
    args = parser.parse_args()
    paths = cached_jpegs("hd", range(2 * args.n), (1920, 1080))
    bank_paths, other_paths = paths[: args.n], paths[args.n:]

    with multiprocessing.Pool(os.cpu_count() or 1) as pool:
        results = pool.map(_work, bank_paths, chunksize=4)
        unrelated = pool.map(_unrelated, other_paths, chunksize=8)

    qualities = np.array([q for _, q, _ in results])
    report("robustness_quality_min", float(qualities.min()), "",
           note=f"PDQ quality of the {args.n} originals (mean {qualities.mean():.1f}); floor 50")
    index = HammingIndex()
    index.build((i, v) for i, (v, _, _) in enumerate(results))
    for name in EDITS:
        found = sum(_found(index, edits[name], i) for i, (_, _, edits) in enumerate(results))
        baseline = 100.0
        if name == "flip_horizontal_dihedral":
            baseline = 100 * sum(_found(index, e["flip_horizontal"], i) for i, (_, _, e) in enumerate(results)) / args.n
        report(f"robustness_{name}", 100 * found / args.n, "% found", baseline,
               f"{args.n} photos, threshold {THRESHOLD}")
    plain_false = sum(_found(index, plain, None) for plain, _ in unrelated)
    dihedral_false = sum(_found(index, variants, None) for _, variants in unrelated)
    report("robustness_false_matches", plain_false, "photos", note=f"of {args.n} unrelated photos")
    report("robustness_false_matches_dihedral", dihedral_false, "photos",
           note=f"of {args.n} unrelated photos, each queried with its 8 dihedral hashes")


if __name__ == "__main__":
    main()
