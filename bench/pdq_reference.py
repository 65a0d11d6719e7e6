"""PDQ against ThreatExchange's C++ reference, hashing speed against plain pdqhash, and the pre-decode guard.

Reads ``../shared/data/reference/pdq/hashes.csv`` (hashes the C++ ``pdq-photo-hasher`` gave) and its images.
Distances: Basira's ``PDQSignal.extract`` (the value a bank stores and shares) against the reference on every
image the reference hashed with quality 50 or more; the baseline is plain Pillow + pdqhash on the same pixels.
Speed: both paths on the same files in the same run. Guard: a JPEG of ``--segments`` APP1 segments of 64 KB,
refused by ``decode_photo``; the baseline is Pillow opening and loading the same file.

Run: ``.venv/bin/python bench/pdq_reference.py`` (``--segments 200`` for a quick guard baseline).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import struct
import tempfile
import time
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

from basira.content.decode import decode_photo
from basira.content.photo import PDQSignal, bits_to_hex
from basira.core.errors import ContentTooLarge
from basira.core.settings import load_settings
from basira.core.signals import Content
from common import report

ROOT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "reference" / "pdq"
SETTINGS = load_settings(environ={}, data_dir=Path(tempfile.gettempdir()))


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def basira(path: Path, reduced: bool = False) -> str:
    settings = dataclasses.replace(SETTINGS, pdq_reduced_decode=reduced)
    return PDQSignal.extract(Content(path, "photo", path.stat().st_size), settings)[0].value


def plain_pdqhash(path: Path) -> str:
    with Image.open(path) as im:
        bits, _ = pdqhash.compute(np.asarray(im.convert("RGB")))
    return bits_to_hex(bits)


def reference_rows() -> list[dict[str, str]]:
    with (ROOT / "hashes.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def distances(rows: list[dict[str, str]]) -> None:
    graded = [r for r in rows if r["cpp_hash"] and int(r["cpp_quality"]) >= 50]
    ours = [distance(basira(ROOT / r["file"]), r["cpp_hash"]) for r in graded]
    plain = [distance(plain_pdqhash(ROOT / r["file"]), r["cpp_hash"]) for r in graded]
    note = f"{len(graded)} images, C++ quality >= 50; baseline: Pillow + pdqhash"
    report("pdq_vs_cpp_reference_max", max(ours), "bits", max(plain), note)
    report("pdq_vs_cpp_reference_mean", float(np.mean(ours)), "bits", float(np.mean(plain)))
    report("pdq_vs_cpp_reference_bit_exact", sum(d == 0 for d in ours), "images", sum(d == 0 for d in plain),
           f"of {len(graded)}")
    vs_pdqhash = [distance(basira(ROOT / r["file"]), plain_pdqhash(ROOT / r["file"])) for r in graded]
    report("pdq_vs_pdqhash_max", max(vs_pdqhash), "bits", note="same images; the C++ reference itself differs "
           f"from pdqhash by up to {max(plain)} bits")
    report("pdq_vs_pdqhash_within_8_bits", sum(d <= 8 for d in vs_pdqhash), "images", note=f"of {len(graded)}")


def throughput(rows: list[dict[str, str]], rounds: int) -> None:
    paths = [ROOT / r["file"] for r in rows] * rounds
    for label, hasher in (("full", basira), ("reduced_query", lambda p: basira(p, reduced=True))):
        start = time.perf_counter()
        for p in paths:
            hasher(p)
        ours = len(paths) / (time.perf_counter() - start)
        start = time.perf_counter()
        for p in paths:
            plain_pdqhash(p)
        base = len(paths) / (time.perf_counter() - start)
        report(f"pdq_throughput_{label}", ours, "photos/s", base,
               f"{len(paths)} hashes of the {len(rows)} reference files; baseline: Pillow + pdqhash, same files")


def guard(segments: int) -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(out, "JPEG")
    body = out.getvalue()
    segment = b"\xff\xe1" + struct.pack(">H", 65_535) + b"Exif\0\0" + b"\0" * (65_533 - 6)
    path = Path(tempfile.mkdtemp()) / "many-app1.jpg"
    path.write_bytes(body[:2] + segment * segments + body[2:])
    start = time.perf_counter()
    try:
        decode_photo(path, SETTINGS)
        raise SystemExit("the guard let the file through")
    except ContentTooLarge:
        refused = time.perf_counter() - start
    start = time.perf_counter()
    with Image.open(path) as im:
        im.load()
    pillow = time.perf_counter() - start
    report("guard_refusal", refused * 1000, "ms", pillow * 1000,
           f"JPEG of {segments} APP1 segments of 64 KB ({path.stat().st_size >> 20} MB); baseline: Pillow "
           "Image.open + load of the same file")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each reference file is hashed for speed")
    parser.add_argument("--segments", type=int, default=1000, help="APP1 segments in the guard's test file")
    args = parser.parse_args()
    if not (ROOT / "hashes.csv").is_file():
        raise SystemExit(f"{ROOT} is absent")
    rows = reference_rows()
    distances(rows)
    throughput(rows, args.rounds)
    guard(args.segments)


if __name__ == "__main__":
    main()
