"""Photo hashing speed: Basira's PDQ path (safe, reduced decode) against a plain full decode + pdqhash.

Also against python-threatexchange's PDQ hasher when it is installed (``pip install -e '.[bench]'``), and the
price of the speed: bit distances to the full-decode hash, and the recall of edited copies against a bank of
full-decode hashes (the hashes partners share).

Run: ``.venv/bin/python bench/photo_hash.py`` (``--n 100`` for a quick run).
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

from basira.content.photo import PDQSignal, bits_to_hex
from basira.core.settings import load_settings
from basira.core.signals import Content
from common import report
from imagegen import cached_jpegs

THRESHOLD = 31
EDITS = ("half_size", "jpeg_q40", "crop_5pct")
Hasher = Callable[[Path], str]


def plain_full_decode(path: Path) -> str:
    with Image.open(path) as im:
        bits, _ = pdqhash.compute(np.asarray(im.convert("RGB")))
    return bits_to_hex(bits)


def basira_path(reduced: bool) -> Hasher:
    settings = load_settings(environ={}, data_dir=Path(tempfile.gettempdir()), pdq_reduced_decode=reduced)

    def run(path: Path) -> str:
        return PDQSignal.extract(Content(path, "photo", path.stat().st_size), settings)[0].value
    return run


def threatexchange_hasher() -> Hasher | None:
    try:
        from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file
    except ImportError:
        return None

    def run(path: Path) -> str:
        return str(pdq_from_file(path)[0])
    return run


def timed(hasher: Hasher, paths: list[Path]) -> tuple[float, list[str]]:
    start = time.perf_counter()
    values = [hasher(p) for p in paths]
    return (time.perf_counter() - start) / len(paths), values


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def edited_copies(paths: list[Path], folder: Path) -> list[tuple[int, Path]]:
    """(index of the original, edited file) for each of EDITS, in that order, of each photo.

    The crop takes 2.5% off each side (5% of the width and of the height in all).
    """
    out: list[tuple[int, Path]] = []
    folder.mkdir(parents=True, exist_ok=True)
    for i, p in enumerate(paths):
        names = [folder / f"{p.stem}-{k}.jpg" for k in EDITS]
        if not all(n.exists() for n in names):
            with Image.open(p) as im:
                rgb = im.convert("RGB")
                w, h = rgb.size
                rgb.resize((w // 2, h // 2), Image.Resampling.LANCZOS).save(names[0], quality=90)
                rgb.save(names[1], quality=40)
                dx, dy = w * 5 // 200, h * 5 // 200
                rgb.crop((dx, dy, w - dx, h - dy)).save(names[2], quality=90)
        out.extend((i, n) for n in names)
    return out


def recall(bank: list[str], queries: list[tuple[int, str]]) -> float:
    return sum(distance(bank[i], v) <= THRESHOLD for i, v in queries) / len(queries)


def section(label: str, paths: list[Path], te: Hasher | None, te_limit: int) -> list[str]:
    ours_t, ours = timed(basira_path(True), paths)
    plain_t, plain = timed(plain_full_decode, paths)
    report(f"pdq_{label}_basira", 1 / ours_t, "photos/s", 1 / plain_t,
           f"{len(paths)} photos; baseline: Pillow full decode + pdqhash, one core")
    full_t, _ = timed(basira_path(False), paths)
    report(f"pdq_{label}_basira_full_decode", 1 / full_t, "photos/s", 1 / plain_t,
           "Basira's safe decode with BASIRA_PDQ_REDUCED_DECODE=0")
    if te is not None:
        sub = paths[:te_limit]
        te_t, te_values = timed(te, sub)
        report(f"pdq_{label}_basira_vs_threatexchange", 1 / ours_t, "photos/s", 1 / te_t,
               f"threatexchange pdq_from_file on the first {len(sub)}")
        if te_values != plain[: len(sub)]:
            print(f"note: threatexchange hashes differ from plain pdqhash on {label}")
    d = [distance(a, b) for a, b in zip(ours, plain, strict=True)]
    report(f"pdq_{label}_distance_to_full_decode_mean", float(np.mean(d)), "bits")
    report(f"pdq_{label}_distance_to_full_decode_p95", float(np.percentile(d, 95)), "bits")
    report(f"pdq_{label}_distance_to_full_decode_max", float(max(d)), "bits")
    return plain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="1920x1080 photos to hash")
    parser.add_argument("--big", type=int, default=5, help="12-megapixel photos to hash")
    parser.add_argument("--recall-n", type=int, default=200, help="photos whose edited copies measure recall")
    parser.add_argument("--te-n", type=int, default=300, help="photos hashed by threatexchange (full speed path)")
    args = parser.parse_args()

    hd = cached_jpegs("hd", range(args.n), (1920, 1080))
    big = cached_jpegs("12mp", range(100_000, 100_000 + args.big), (4000, 3000))
    te = threatexchange_hasher()
    if te is None:
        print("note: threatexchange is not installed; pip install -e '.[bench]' to compare with it")
    bank = section("1080p", hd, te, args.te_n)
    section("12mp", big, te, args.big)

    # Recall of edited copies against a bank of full-decode hashes: does the reduced decode lose matches?
    originals = bank[: args.recall_n]
    copies = edited_copies(hd[: args.recall_n], hd[0].parent.parent / "hd-edited")
    ours = basira_path(True)
    q_ours = [(i, ours(p)) for i, p in copies]
    q_full = [(i, plain_full_decode(p)) for i, p in copies]
    for k, edit in enumerate(EDITS):
        report(f"pdq_recall_{edit}_reduced_vs_full_decode_bank", 100 * recall(originals, q_ours[k::3]), "%",
               100 * recall(originals, q_full[k::3]),
               f"{len(copies) // 3} copies, threshold {THRESHOLD}; baseline: copies hashed at full decode")
    report("pdq_recall_all_edits_reduced_vs_full_decode_bank", 100 * recall(originals, q_ours), "%",
           100 * recall(originals, q_full))

if __name__ == "__main__":
    io.DEFAULT_BUFFER_SIZE = 1 << 16
    main()
