"""Hamming index: queries per second and recall against a brute-force scan, on 1,000,000 random PDQ hashes.

Near neighbours are planted: copies of stored hashes with 1-31 bits flipped (which must all be found at the
default threshold of 31) and with 32-40 flipped (which must not). The baseline is an exact NumPy scan
(XOR and popcount over the whole table for each query).

Run: ``.venv/bin/python bench/hamming_index.py`` (``--n 100000`` for a quick run).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from basira.content.hamming import HammingIndex
from common import report

THRESHOLD = 31


def brute_force(table: np.ndarray, ids: np.ndarray, query: np.ndarray, threshold: int) -> list[tuple[int, float]]:
    """Exact answer: XOR with every stored hash (as four 64-bit words) and count the bits."""
    d = np.bitwise_count(table ^ query).sum(axis=1, dtype=np.int64)
    hit = np.nonzero(d <= threshold)[0]
    order = np.lexsort((ids[hit], d[hit]))
    return [(int(ids[hit][k]), float(d[hit][k])) for k in order]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="random hashes in the index")
    parser.add_argument("--queries", type=int, default=1000, help="queries (80% planted within 31 bits)")
    parser.add_argument("--batch", type=int, default=100, help="queries per index call")
    args = parser.parse_args()
    rng = np.random.default_rng(7)

    codes = rng.integers(0, 256, (args.n, 32), dtype=np.uint8)
    ids = rng.permutation(args.n).astype(np.int64) * 3 + 1  # ids need not be dense or ordered
    hexes = [row.tobytes().hex() for row in codes]
    index = HammingIndex()
    start = time.perf_counter()
    index.build(zip(ids.tolist(), hexes, strict=True))
    report("hamming_build", time.perf_counter() - start, "s", note=f"{args.n} hashes from hex strings")

    # Queries: copies of stored hashes with k bits flipped; 80% with k in 1..31, 20% with k in 32..40.
    targets = rng.integers(0, args.n, args.queries)
    flips = np.where(rng.random(args.queries) < 0.8, rng.integers(1, 32, args.queries),
                     rng.integers(32, 41, args.queries))
    queries = codes[targets].copy()
    for q, k in enumerate(flips):
        bits = np.unpackbits(queries[q])
        bits[rng.choice(256, int(k), replace=False)] ^= 1
        queries[q] = np.packbits(bits)
    qhex = [row.tobytes().hex() for row in queries]

    start = time.perf_counter()
    answers: list[list[tuple[int, float]]] = []
    for b in range(0, args.queries, args.batch):
        answers.extend(index.query(qhex[b:b + args.batch], THRESHOLD))
    ours = args.queries / (time.perf_counter() - start)

    table64, queries64 = codes.view(np.uint64), queries.view(np.uint64)
    start = time.perf_counter()
    truth = [brute_force(table64, ids, queries64[q], THRESHOLD) for q in range(args.queries)]
    brute = args.queries / (time.perf_counter() - start)
    report("hamming_query", ours, "queries/s", brute,
           f"{args.n} hashes, threshold {THRESHOLD}, batches of {args.batch}; baseline: NumPy brute force")

    expected = sum(len(t) for t in truth)
    found = sum(len(set(a) & set(t)) for a, t in zip(answers, truth, strict=True))
    report("hamming_recall_vs_brute_force", found / expected if expected else 1.0, "",
           note=f"{expected} (id, distance) pairs; identical answer lists: {answers == truth}")
    planted_near = [ids[targets[q]] for q in range(args.queries) if flips[q] <= THRESHOLD]
    hit_near = sum(any(i == ids[targets[q]] for i, _ in answers[q])
                   for q in range(args.queries) if flips[q] <= THRESHOLD)
    report("hamming_planted_1_31_found", hit_near / len(planted_near), "",
           note=f"{len(planted_near)} planted within 31 bits")
    far = [q for q in range(args.queries) if flips[q] > THRESHOLD]
    wrongly = sum(any(i == ids[targets[q]] for i, _ in answers[q]) for q in far)
    report("hamming_planted_32_40_returned", wrongly, "queries", note=f"of {len(far)}; must be 0")

    churn = ids[: min(1000, args.n)]
    start = time.perf_counter()
    index.remove(churn.tolist())
    index.add(zip(churn.tolist(), hexes[: len(churn)], strict=True))
    report("hamming_remove_then_add_1000", 1000 * (time.perf_counter() - start), "ms",
           note="one remove call and one add call, no rebuild")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pdq.npz"
        start = time.perf_counter()
        index.save(path)
        saved = time.perf_counter() - start
        start = time.perf_counter()
        loaded = HammingIndex.load(path)
        report("hamming_save", saved, "s", note=f"{path.stat().st_size / 1e6:.1f} MB")
        report("hamming_load", time.perf_counter() - start, "s", note=f"{len(loaded)} hashes")


if __name__ == "__main__":
    main()
