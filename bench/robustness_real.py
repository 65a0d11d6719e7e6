"""PDQ robustness on real photographs: which edited copies Basira finds, against plain PDQ.

Originals: every real photograph at hand offline (``pip install -e '.[bench]'``): scikit-image's sample
photographs, ThreatExchange's PDQ test photographs in ``../shared/data/reference/pdq``, matplotlib's
``grace_hopper.jpg`` and scikit-learn's ``china.jpg`` and ``flower.jpg``. They are split once into a tuning
half and a held-back half (``bench/robustness_split.json``, frozen with each file's sha256); the parameters of
derived signals and candidate regions were chosen on the tuning half, and figures are reported on the held-back
half (``--split test``, the default).

A bank holds what Basira stores for each original: its plain reference hash and its derived hashes
(``PDQSignal.derive``: crops, small turns, mirror image). Each original is edited (crops, letterbox, caption bar,
border, small rotations, a mirror image, pasted at 50 % into a screenshot-like frame) and saved as JPEG quality
85; an edit is found when a signal of Basira's query (``PDQSignal.extract`` with the default settings: border
trimming and candidate regions on, dihedral variants off) lies within 31 bits of any of its original's stored
hashes. The baseline is plain PDQ: the copy's plain hash against the original's plain hash.

False matches: every query against (a) the other originals' stored hashes and (b) a bank of ``--distractors``
unrelated photos with their derived hashes: generated photo-like images (``bench/imagegen.py``, 320x240, one
seed each; not real photographs) and the 200 real face photographs of scikit-image's ``lfw_subset``. The
baseline is each copy's plain hash against the same photos' plain hashes.

Cost: per original, the time to compute what a bank stores (plain + derived) against plain ``pdqhash``, and per
copy the time of Basira's query signals against plain ``pdqhash``, interleaved file by file in the same run.

Run: ``.venv/bin/python bench/robustness_real.py`` (``--split tune`` for the tuning half, ``--distractors 500``
for a quick run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageDraw

from basira.content.photo import PDQSignal
from basira.content.settings import ContentSettings
from basira.core.settings import Settings, load_settings
from basira.core.signals import Content
from common import report
from imagegen import CACHE, cached_jpegs

REPO = Path(__file__).resolve().parents[1]
TE = REPO / ".." / "shared" / "data" / "reference" / "pdq"
SPLIT_FILE = Path(__file__).with_name("robustness_split.json")
TE_PHOTOS = ("bridge-mods/aaa-orig.jpg", "reg-test-input/exif-rotn/exif-rotn-1.jpg", "misc-images/c.png",
             "reg-test-input/pen-and-coaster.png", "reg-test-input/labelme-subset/q0003.jpg",
             "reg-test-input/labelme-subset/q0004.jpg", "reg-test-input/labelme-subset/q0122.jpg",
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
    """The photo pasted at half the frame's width into a page: a coloured header, a grey page, a text line."""
    w, h = im.size
    out = Image.new("RGB", (w * 2, h * 2), (245, 246, 248))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, w * 2, h // 3), fill=(59, 89, 152))
    draw.text((w // 2, h // 3 + h // 24), "A friend shared a post", fill=(30, 30, 30), font_size=max(10, h // 14))
    draw.text((w // 2, h * 2 - h // 3), "12 likes  3 comments", fill=(90, 90, 90), font_size=max(10, h // 12))
    out.paste(im, (w // 2, h // 2))
    return out


EDITS: dict[str, Edit] = {
    "crop_5pct": _crop(0.05), "crop_10pct": _crop(0.10), "crop_15pct": _crop(0.15), "letterbox_10pct": _letterbox,
    "caption_bar_15pct": _caption, "border_10pct": _border, "rotate_plus3": _rotate(3), "rotate_minus3": _rotate(-3),
    "rotate_plus5": _rotate(5), "rotate_minus5": _rotate(-5),
    "flip": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "pasted_50pct_screenshot": _screenshot,
}


def _crop_sides(top: float, left: float) -> Edit:
    """An off-centre crop: ``top`` of the height cut from the top only, ``left`` of the width from the left."""
    def edit(im: Image.Image) -> Image.Image:
        w, h = im.size
        return im.crop((int(w * left), int(h * top), w, h))
    return edit


def _collage(im: Image.Image) -> Image.Image:
    """The photo at half size in the top-left cell of a 2x2 grid of it and three flat-coloured tiles."""
    w, h = im.size
    out = Image.new("RGB", (w + 30, h + 30), (255, 255, 255))
    half = im.resize((w // 2, h // 2))
    out.paste(half, (10, 10))
    for i, (x, y) in enumerate(((20 + w // 2, 10), (10, 20 + h // 2), (20 + w // 2, 20 + h // 2))):
        tile = Image.new("RGB", (w // 2, h // 2), (60 + 50 * i, 120, 200 - 40 * i))
        ImageDraw.Draw(tile).ellipse((w // 8, h // 8, w // 3, h // 3), fill=(240, 200, 40))
        out.paste(tile, (x, y))
    return out


#: Edits beyond the issue's list, to show where the method stops (``--edits`` names them; not run by default).
EXTRA_EDITS: dict[str, Edit] = {
    "crop_6pct": _crop(0.0625), "crop_7pct": _crop(0.075), "crop_11pct": _crop(0.1125), "crop_12pct": _crop(0.125),
    "crop_20pct": _crop(0.20),
    "crop_top_left_10pct": _crop_sides(0.10, 0.10), "crop_top_20pct": _crop_sides(0.20, 0.0),
    "rotate_plus2": _rotate(2), "rotate_plus4": _rotate(4), "rotate_plus8": _rotate(8),
    "rotate_plus3_white_corners": lambda im: im.rotate(3, resample=Image.Resampling.BILINEAR,
                                                         fillcolor=(255, 255, 255)),
    "collage_2x2": _collage,
}


def sources() -> dict[str, Path]:
    """Every real photograph at hand, by a stable name."""
    out = {f"te-{p.replace('/', '-')}": TE / p for p in TE_PHOTOS if (TE / p).is_file()}
    try:
        import matplotlib
        import sklearn
        from skimage import data
    except ImportError:
        print("note: the bench extra is not installed; ThreatExchange photos only")
        return out
    root = Path(os.path.dirname(data.__file__))
    out.update({f"sk-{name}": root / name for name in SKIMAGE_PHOTOS})
    out["mpl-grace_hopper.jpg"] = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    for name in ("china.jpg", "flower.jpg"):
        out[f"sklearn-{name}"] = Path(os.path.dirname(sklearn.__file__)) / "datasets" / "images" / name
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split(which: str) -> dict[str, Path]:
    """The photos of one half, checked against the frozen split (made once, by sha256 order, alternately)."""
    found = sources()
    if not SPLIT_FILE.exists():
        order = sorted(found, key=lambda n: _sha256(found[n]))
        frozen = {n: {"sha256": _sha256(found[n]), "split": "tune" if i % 2 == 0 else "test"}
                  for i, n in enumerate(order)}
        SPLIT_FILE.write_text(json.dumps(frozen, indent=1, sort_keys=True) + "\n")
    frozen = json.loads(SPLIT_FILE.read_text())
    out = {}
    for name, info in sorted(frozen.items()):
        if which not in ("all", info["split"]) or name not in found:
            continue
        if _sha256(found[name]) != info["sha256"]:
            raise SystemExit(f"{name} is not the file the split was frozen with")
        out[name] = found[name]
    return out


def as_rgb_file(path: Path, folder: Path) -> Path:
    """The photo as a file Basira and pdqhash read alike (palette and 16-bit samples made 8-bit RGB)."""
    if path.suffix.lower() in (".jpg", ".jpeg"):
        return path
    out = folder / f"{path.stem}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}.png"
    with Image.open(path) as im:
        im.convert("RGB").save(out)
    return out


def content(path: Path) -> Content:
    return Content(path, "photo", path.stat().st_size)


def plain_pdqhash(path: Path) -> str:
    """What HMA and python-threatexchange compute: pdqhash on the decoded RGB pixels."""
    with Image.open(path) as im:
        bits, _ = pdqhash.compute(np.asarray(im.convert("RGB")))
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def bank_values(path: Path, settings: Settings) -> list[str]:
    """What Basira stores for a banked photo: the plain hash, then the derived ones."""
    c = content(path)
    return [s.value for s in PDQSignal.extract_exact(c, settings) if not s.query_only] + \
        [s.value for s in PDQSignal.derive(c, settings)]


def query_values(path: Path, settings: Settings) -> list[str]:
    return [s.value for s in PDQSignal.extract(content(path), settings)]


def as_bits(values: list[str]) -> np.ndarray:
    return np.unpackbits(np.frombuffer(bytes.fromhex("".join(values)), dtype=np.uint8).reshape(-1, 32), axis=1)


def near_any(query: list[str], table: np.ndarray) -> np.ndarray:
    """For each row of ``table`` (bits), whether any query hash is within the threshold."""
    q = as_bits(query)
    return np.asarray(((q[:, None, :] != table[None, :, :]).sum(axis=2) <= THRESHOLD).any(axis=0))


def distractor_bank(n: int, settings: Settings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bits of every stored hash of ``n`` unrelated photos, the photo each belongs to, and which are plain.

    Cached under ``.bench-cache/`` (it costs 9 hashes per photo).
    """
    content = settings.of(ContentSettings)
    cache = CACHE / f"distractors-{n}-{content.pdq_derived_crops}-{content.pdq_derived_turns}.json"
    if cache.exists():
        rows = json.loads(cache.read_text())
    else:
        from skimage import data
        paths = cached_jpegs("distractors-320", range(700_000, 700_000 + max(0, n - 200)), (320, 240))
        folder = Path(tempfile.mkdtemp())
        for i, face in enumerate(data.lfw_subset()[: min(200, n)]):
            p = folder / f"lfw-{i:03d}.png"
            Image.fromarray((face * 255).astype(np.uint8)).save(p)
            paths.append(p)
        rows = [bank_values(p, settings) for p in paths]
        cache.write_text(json.dumps(rows))
    owner = np.concatenate([np.full(len(r), i) for i, r in enumerate(rows)])
    plain = np.concatenate([np.arange(len(r)) == 0 for r in rows])
    return as_bits([v for r in rows for v in r]), owner, plain


def distractor_false_matches(queries: list[list[str]], n: int, settings: Settings) -> None:
    """Each copy's query signals (its plain hash first) against ``n`` unrelated photos' stored hashes."""
    d_bits, d_owner, d_plain = distractor_bank(n, settings)
    print(f"# distractor bank: {n} photos, {len(d_bits)} stored hashes")
    d_plain_bits = d_bits[d_plain]
    false = plain_false = 0
    for query in queries:
        false += len(set(d_owner[near_any(query, d_bits)].tolist()))
        plain_false += int(near_any(query[:1], d_plain_bits).sum())
    report("robustness_real_false_matches_distractors", false, "pairs", plain_false,
           f"of {len(queries) * n} copy x unrelated photo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("tune", "test", "all"))
    parser.add_argument("--edits", default=",".join(EDITS),
                        help=f"comma-separated edits to run (the issue's by default; also: {', '.join(EXTRA_EDITS)})")
    parser.add_argument("--distractors", type=int, default=10_000, help="unrelated photos in the false-match bank")
    parser.add_argument("--reuse-queries", action="store_true",
                        help="only the distractor comparison, on the copies' signals saved by the last run")
    parser.add_argument("--crops", default=None, help="BASIRA_PDQ_DERIVED_CROPS for this run (default: 5,10,15)")
    parser.add_argument("--turns", default=None, help="BASIRA_PDQ_DERIVED_TURNS for this run (default: 3,5)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    chosen = {k: v for k, v in (("pdq_derived_crops", args.crops), ("pdq_derived_turns", args.turns)) if v}
    settings = load_settings(environ={}, data_dir=folder, **chosen)
    defaults = settings.of(ContentSettings)
    print(f"# settings: trim_borders={defaults.pdq_trim_borders} regions={defaults.pdq_regions} "
          f"derived={defaults.pdq_derived} (crops {defaults.pdq_derived_crops}, turns {defaults.pdq_derived_turns}) "
          f"dihedral={defaults.pdq_dihedral}")
    saved = CACHE / f"queries-{args.split}.json"
    if args.reuse_queries:
        distractor_false_matches(json.loads(saved.read_text()), args.distractors, settings)
        return
    photos = {name: as_rgb_file(p, folder) for name, p in split(args.split).items()}
    names = list(photos)
    print(f"# {len(names)} real photos ({args.split}): {', '.join(names)}")

    bank: list[list[str]] = []
    bank_time = plain_bank_time = 0.0
    for name in names:  # interleaved: Basira's stored hashes, then pdqhash, on the same file
        start = time.perf_counter()
        bank.append(bank_values(photos[name], settings))
        bank_time += time.perf_counter() - start
        start = time.perf_counter()
        plain_pdqhash(photos[name])
        plain_bank_time += time.perf_counter() - start
    plain_bank = as_bits([b[0] for b in bank])


    query_time = plain_query_time = 0.0
    signals: list[int] = []
    false = plain_false = pairs = 0
    all_queries: list[list[str]] = []
    for edit_name in args.edits.split(","):
        edit = {**EDITS, **EXTRA_EDITS}[edit_name]
        found = plain_found = 0
        for i, name in enumerate(names):
            with Image.open(photos[name]) as im:
                copy = folder / f"{Path(name).stem}-{edit_name}.jpg"
                edit(im.convert("RGB")).save(copy, quality=85)
            start = time.perf_counter()
            query = query_values(copy, settings)
            query_time += time.perf_counter() - start
            start = time.perf_counter()
            plain_pdqhash(copy)
            plain_query_time += time.perf_counter() - start
            plain = query[0]
            signals.append(len(query))
            hit = bool(near_any(query, as_bits(bank[i])).any())
            found += hit
            plain_found += bool(near_any([plain], plain_bank[i: i + 1]).any())
            if not hit:
                print(f"  missed: {copy.name}")
            for j in range(len(names)):
                if j != i:
                    pairs += 1
                    false += bool(near_any(query, as_bits(bank[j])).any())
                    plain_false += bool(near_any([plain], plain_bank[j: j + 1]).any())
            all_queries.append(query)
        report(f"robustness_real_{edit_name}", 100 * found / len(names), "% found", 100 * plain_found / len(names),
               f"{len(names)} real photos; baseline: plain PDQ")
    report("robustness_real_false_matches_originals", false, "pairs", plain_false,
           f"of {pairs} copy x other original")
    saved.write_text(json.dumps(all_queries))
    if args.distractors:
        distractor_false_matches(all_queries, args.distractors, settings)
    n = len(signals)
    report("robustness_real_query_ms", 1000 * query_time / n, "ms/photo", 1000 * plain_query_time / n,
           f"mean {np.mean(signals):.2f} query signals per copy; baseline: plain pdqhash, interleaved")
    report("robustness_real_bank_ms", 1000 * bank_time / len(names), "ms/photo", 1000 * plain_bank_time / len(names),
           f"{np.mean([len(b) for b in bank]):.2f} stored signals per entry; baseline: plain pdqhash, interleaved")


if __name__ == "__main__":
    main()
