"""Hamming index at scale: queries/s, recall at radius 31, build time and memory at 1M and 10M hashes, beside faiss's
flat index and python-threatexchange's PDQIndex measured in the same run.

The index holds random 256-bit hashes plus the PDQ hashes of generated photos. Two query sets:
- planted: copies of stored hashes with 1-31 random bits flipped (random hashes are never within 31 bits of each
  other, so these are the only true neighbours);
- photos: PDQ hashes of transformed copies of the stored photos (JPEG at quality 30, scaled to 75 %, a 6 % border
  cropped, brighter and with more contrast, a caption drawn on), which fill buckets unevenly as real hashes do.
Recall is measured against a brute-force range search (faiss flat) on a sample of the queries; queries/s over
all queries in batches. Baselines answer a sample of the queries (say how many in the output), since a full set
would take minutes each at 10M.

Run: ``.venv/bin/python bench/index_scale.py`` (``--sizes 1000000`` for the 1M part only; the photo hashes are
cached under ``.bench-cache/``, the first run makes them on every core).
"""

from __future__ import annotations

import argparse
import gc
import io
import multiprocessing
import os
import time

import faiss
import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageEnhance

from basira.content.hamming import HammingIndex
from common import report
from imagegen import CACHE, photo

RADIUS = 31
#: Single adds timed at each size.
ADDS = 5000
PHOTO_SIZE = (160, 160)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _pdq(img: Image.Image) -> bytes:
    bits, _ = pdqhash.compute(np.asarray(img.convert("RGB")))
    return np.packbits(bits.astype(np.uint8)).tobytes()


def _photo_job(seed: int) -> tuple[bytes, list[bytes]]:
    img = photo(seed, PHOTO_SIZE)
    w, h = img.size
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=30)
    jpeg = Image.open(io.BytesIO(buf.getvalue()))
    crop = img.crop((int(w * 0.06), int(h * 0.06), int(w * 0.94), int(h * 0.94))).resize((w, h))
    bright = ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(1.2)).enhance(1.2)
    captioned = img.copy()
    ImageDraw.Draw(captioned).text((6, h - 18), f"caption {seed}", fill=(255, 255, 255))
    variants = [jpeg, img.resize((w * 3 // 4, h * 3 // 4)), crop, bright, captioned]
    return _pdq(img), [_pdq(v) for v in variants]


def photo_hashes(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(base hashes (n, 32), variant hashes (5n, 32), base row of each variant), cached under .bench-cache/."""
    path = CACHE / f"index-scale-photos-{n}.npz"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with multiprocessing.Pool(os.cpu_count()) as pool:
            done = pool.map(_photo_job, range(10_000_000, 10_000_000 + n), chunksize=64)
        base = np.frombuffer(b"".join(b for b, _ in done), dtype=np.uint8).reshape(n, 32)
        var = np.frombuffer(b"".join(b"".join(v) for _, v in done), dtype=np.uint8).reshape(-1, 32)
        np.savez(path, base=base, variants=var, source=np.repeat(np.arange(n), 5))
    with np.load(path) as data:
        return data["base"], data["variants"], data["source"]


def planted(rng: np.random.Generator, codes: np.ndarray, n: int) -> np.ndarray:
    src = rng.integers(0, codes.shape[0], n)
    bits = np.unpackbits(codes[src], axis=1)
    for i, k in enumerate(rng.integers(1, RADIUS + 1, n)):
        bits[i, rng.choice(256, int(k), replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def truth(flat: faiss.IndexBinaryFlat, queries: np.ndarray) -> set[tuple[int, int]]:
    lims, _, labels = flat.range_search(queries, RADIUS + 1)
    return {(q, int(labels[j])) for q in range(queries.shape[0]) for j in range(int(lims[q]), int(lims[q + 1]))}


def recall(found: set[tuple[int, int]], want: set[tuple[int, int]]) -> float:
    return len(found & want) / len(want) if want else 1.0


def run_size(n: int, args: argparse.Namespace, base: np.ndarray, variants: np.ndarray) -> None:
    rng = np.random.default_rng(n)
    tag = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    codes[rng.choice(n, base.shape[0], replace=False)] = base
    ids = np.arange(n, dtype=np.int64)
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    index = HammingIndex("fast")
    index.add_codes(ids, codes)
    build = time.perf_counter() - start
    gc.collect()
    report(f"index_scale_{tag}_build", build, "s", note=f"{n} hashes, multi-index hashing (11 x "
                                                         f"{index._tables.bits if index._tables else 0} bits)")
    report(f"index_scale_{tag}_memory", index.nbytes / 2**20, "MiB",
           note=f"array bytes; process RSS grew {rss_mb() - before:.0f} MiB over the build")

    plant = planted(rng, codes, args.queries)
    photos = variants[rng.choice(variants.shape[0], min(args.queries, variants.shape[0]), replace=False)]
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    faiss.omp_set_num_threads(2)
    sample = args.truth_sample if n < 5_000_000 else args.truth_sample // 4
    flat_start = time.perf_counter()
    want_plant = truth(flat, plant[:sample])
    flat_qps = sample / (time.perf_counter() - flat_start)
    want_photo = truth(flat, photos[:sample])

    for mode in ("fast", "exact"):
        index.mode = mode  # type: ignore[assignment]
        count = args.queries if mode == "fast" else max(200, args.queries // 10)
        for workers in (1, 2):
            start = time.perf_counter()
            index.search(plant[:count], RADIUS, workers=workers)
            qps = count / (time.perf_counter() - start)
            report(f"index_scale_{tag}_{mode}_{workers}thread_qps", qps, "queries/s", flat_qps,
                   note=f"{count} planted queries in batches; baseline faiss flat range search, 2 threads, "
                        f"{sample} queries")
        for name, qs, want in (("planted", plant, want_plant), ("photos", photos, want_photo)):
            q, i, _ = index.search(qs[:sample], RADIUS, workers=2)
            got = set(zip(q.tolist(), i.tolist(), strict=True))
            report(f"index_scale_{tag}_{mode}_recall_{name}", recall(got, want), "",
                   note=f"{len(want)} brute-force pairs within {RADIUS} bits over {sample} queries")
        if mode == "fast":
            start = time.perf_counter()
            q, i, _ = index.search(photos, RADIUS, workers=2)
            report(f"index_scale_{tag}_fast_photo_qps", len(photos) / (time.perf_counter() - start), "queries/s",
                   flat_qps, note=f"{len(photos)} transformed-photo queries")
    del flat
    gc.collect()

    # Incremental changes at this size: single adds and removes, then a query that must see them.
    index.mode = "fast"
    extra = rng.integers(0, 256, (ADDS, 32), dtype=np.uint8)
    start = time.perf_counter()
    for k in range(ADDS):
        index.add_codes(np.array([n + k], dtype=np.int64), extra[k:k + 1])
    report(f"index_scale_{tag}_add_ms", (time.perf_counter() - start) * 1000 / ADDS, "ms per single add",
           note="mean over 5000 adds, merges into the tables included")
    start = time.perf_counter()
    index.remove(range(n, n + 1000))
    q, i, _ = index.search(extra[:2000], 0)
    report(f"index_scale_{tag}_remove_ms", (time.perf_counter() - start) * 1000, "ms",
           note="remove 1000 ids then query them: " + ("none found" if not np.isin(i, np.arange(n, n + 1000)).any()
                                                      else "REMOVED IDS FOUND"))

    if n <= args.pdqindex_max:
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex

        hexes = [row.tobytes().hex() for row in codes]
        before = rss_mb()
        start = time.perf_counter()
        te = PDQIndex(zip(hexes, range(n), strict=True))
        te_build = time.perf_counter() - start
        report(f"index_scale_{tag}_pdqindex_build", te_build, "s", build,
               note=f"threatexchange PDQIndex (faiss multi-hash 16 x 16), RSS grew {rss_mb() - before:.0f} MiB")
        del hexes
        count = args.pdqindex_queries
        qhex = [row.tobytes().hex() for row in plant[:count]]
        start = time.perf_counter()
        found = {(qn, int(m.metadata)) for qn, h in enumerate(qhex) for m in te.query(h)}
        te_qps = count / (time.perf_counter() - start)
        index.mode = "fast"
        start = time.perf_counter()
        index.search(plant[:count], RADIUS)
        report(f"index_scale_{tag}_fast_vs_pdqindex_qps", count / (time.perf_counter() - start), "queries/s",
               te_qps, note=f"{count} queries, one by one for PDQIndex (its interface), one batch for ours")
        report(f"index_scale_{tag}_pdqindex_recall_planted",
               recall(found, {p for p in want_plant if p[0] < count}), "")
        del te
        gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=20_000, help="planted and photo queries each")
    parser.add_argument("--truth-sample", type=int, default=2000, help="queries checked by brute force (1/4 at 10M)")
    parser.add_argument("--photos", type=int, default=20_000, help="generated photos (each with 5 variants)")
    parser.add_argument("--pdqindex-max", type=int, default=10_000_000, help="largest size to build PDQIndex at")
    parser.add_argument("--pdqindex-queries", type=int, default=300)
    args = parser.parse_args()
    print(f"# load before: {os.getloadavg()}, cores: {os.cpu_count()}", flush=True)
    start = time.perf_counter()
    base, variants, _ = photo_hashes(args.photos)
    print(f"# photo hashes: {base.shape[0]} photos, {variants.shape[0]} variants ({time.perf_counter() - start:.0f} s)",
          flush=True)
    for n in args.sizes:
        run_size(n, args, base, variants)
        print(f"# load after {n}: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
