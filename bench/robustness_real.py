"""PDQ robustness on real photographs: which edited copies Basira's query finds, against plain PDQ.

Originals: scikit-image's sample photographs (``pip install -e '.[bench]'``; BSD-licensed, bundled in its wheel)
and ThreatExchange's PDQ test photographs in ``../shared/data/reference/pdq``. A bank holds the plain reference
hash of each original (what a partner would share). Each original is edited (crops, letterbox, caption bar,
border, small rotations, a mirror image, pasted into a screenshot-like frame) and saved as JPEG; an edit is found
when a signal of Basira's query (``PDQSignal.extract`` with dihedral variants and border trimming on) lies within
31 bits of its original's hash. The baseline is the plain hash alone. False matches: every query against the
other originals' hashes.

Run: ``.venv/bin/python bench/robustness_real.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from basira.content.photo import PDQSignal
from basira.core.settings import Settings, load_settings
from basira.core.signals import Content
from common import report

TE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "reference" / "pdq"
TE_PHOTOS = ("bridge-mods/aaa-orig.jpg", "reg-test-input/exif-rotn/exif-rotn-1.jpg", "misc-images/c.png",
             "reg-test-input/pen-and-coaster.png", "reg-test-input/labelme-subset/q0122.jpg",
             "reg-test-input/labelme-subset/q0291.jpg", "reg-test-input/labelme-subset/q0746.jpg",
             "reg-test-input/labelme-subset/q1050.jpg", "reg-test-input/labelme-subset/q2821.jpg")
SKIMAGE_PHOTOS = ("astronaut.png", "camera.png", "chelsea.png", "coffee.png", "coins.png", "hubble_deep_field.jpg",
                  "moon.png", "motorcycle_left.png", "retina.jpg", "rocket.jpg", "page.png", "text.png",
                  "clock_motion.png", "cell.png", "ihc.png", "brick.png", "grass.png", "gravel.png", "horse.png")
THRESHOLD = 31
Edit = Callable[[Image.Image], Image.Image]


def _crop(share: float) -> Edit:
    def edit(im: Image.Image) -> Image.Image:
        w, h = im.size
        dx, dy = int(w * share), int(h * share)
        return im.crop((dx, dy, w - dx, h - dy))
    return edit


def _letterbox(im: Image.Image) -> Image.Image:
    w, h = im.size
    out = Image.new("RGB", (w, int(h * 1.2)), (0, 0, 0))
    out.paste(im, (0, int(h * 0.1)))
    return out


def _caption(im: Image.Image) -> Image.Image:
    w, h = im.size
    bar = int(h * 0.15)
    out = Image.new("RGB", (w, h + bar), (255, 255, 255))
    out.paste(im, (0, bar))
    draw = ImageDraw.Draw(out)
    draw.text((w * 0.05, bar * 0.3), "BREAKING: shared again and again", fill=(0, 0, 0), font_size=max(10, bar // 3))
    return out


def _border(im: Image.Image) -> Image.Image:
    w, h = im.size
    out = Image.new("RGB", (int(w * 1.2), int(h * 1.2)), (250, 250, 250))
    out.paste(im, (int(w * 0.1), int(h * 0.1)))
    return out


def _rotate(degrees: float) -> Edit:
    return lambda im: im.rotate(degrees, resample=Image.Resampling.BILINEAR)


def _screenshot(im: Image.Image) -> Image.Image:
    w, h = im.size
    out = Image.new("RGB", (w * 2, h * 2), (245, 246, 248))
    small = im.resize((w, h))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, w * 2, h // 3), fill=(59, 89, 152))
    draw.text((w // 2, h * 2 - h // 3), "12 likes  3 comments", fill=(90, 90, 90), font_size=max(10, h // 12))
    out.paste(small, (w // 2, h // 2))
    return out


EDITS: dict[str, Edit] = {
    "crop_5pct": _crop(0.05), "crop_10pct": _crop(0.10), "crop_15pct": _crop(0.15), "letterbox_10pct": _letterbox,
    "caption_bar_15pct": _caption, "border_10pct": _border, "rotate_plus3": _rotate(3), "rotate_minus3": _rotate(-3),
    "rotate_plus5": _rotate(5), "rotate_minus5": _rotate(-5),
    "flip": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "pasted_50pct_screenshot": _screenshot,
}


def originals(folder: Path) -> list[Path]:
    paths = [TE / p for p in TE_PHOTOS if (TE / p).is_file()]
    try:
        from skimage import data
    except ImportError:
        print("note: scikit-image is not installed; ThreatExchange photos only")
        return paths
    root = Path(os.path.dirname(data.__file__))
    for name in SKIMAGE_PHOTOS:
        with Image.open(root / name) as im:
            out = folder / f"sk-{Path(name).stem}.png"
            im.convert("RGB").save(out)
            paths.append(out)
    return paths


def hashes(path: Path, settings: Settings) -> list[str]:
    return [s.value for s in PDQSignal.extract(Content(path, "photo", path.stat().st_size), settings)]


def near(a: str, b: str) -> bool:
    return (int(a, 16) ^ int(b, 16)).bit_count() <= THRESHOLD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", default=",".join(EDITS), help="comma-separated edits to run")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    base = load_settings(environ={}, data_dir=folder)
    plain_settings = dataclasses.replace(base, pdq_trim_borders=False, pdq_dihedral=False)
    query_settings = dataclasses.replace(base, pdq_trim_borders=True, pdq_dihedral=True)
    photos = originals(folder)
    bank = [hashes(p, plain_settings)[0] for p in photos]
    ours_time = plain_time = 0.0
    signals_per_query: list[int] = []
    false = plain_false = pairs = 0
    for name in args.edits.split(","):
        edit = EDITS[name]
        found = plain_found = 0
        for i, p in enumerate(photos):
            with Image.open(p) as im:
                copy = folder / f"{p.stem}-{name}.jpg"
                edit(im.convert("RGB")).save(copy, quality=85)
            start = time.perf_counter()
            query = hashes(copy, query_settings)
            ours_time += time.perf_counter() - start
            start = time.perf_counter()
            plain = hashes(copy, plain_settings)[0]
            plain_time += time.perf_counter() - start
            signals_per_query.append(len(query))
            found += any(near(q, bank[i]) for q in query)
            if args.edits != ",".join(EDITS) and not any(near(q, bank[i]) for q in query):
                print(f"  missed: {copy.name}")
            plain_found += near(plain, bank[i])
            for j, other in enumerate(bank):
                if j != i:
                    pairs += 1
                    false += any(near(q, other) for q in query)
                    plain_false += near(plain, other)
        report(f"robustness_real_{name}", 100 * found / len(photos), "% found", 100 * plain_found / len(photos),
               f"{len(photos)} real photos; baseline: plain PDQ")
    report("robustness_real_false_matches", false, "pairs", plain_false, f"of {pairs} query x other original")
    n = len(signals_per_query)
    report("robustness_real_query_ms", 1000 * ours_time / n, "ms/photo", 1000 * plain_time / n,
           f"mean {np.mean(signals_per_query):.1f} query signals per photo; baseline: the plain hash alone")


if __name__ == "__main__":
    main()
