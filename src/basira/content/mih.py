"""Multi-index hashing (Norouzi et al.) over 256-bit codes: sub-linear radius search, exact at radius 31.

A code is cut into ``m = 11`` substrings of ``b`` bits. Two codes within 31 bits differ in at most 2 bits of some
substring (pigeonhole: 11 x 3 > 31), so probing every bucket within 2 bits of each query substring finds every
neighbour: exact. Probing within 1 bit only (11 x 24 probes instead of 11 x 277) misses a pair only when all 11
substrings carry 2 or more of its differing bits, which is rare below radius 31.

Buckets are sorted arrays, not dicts: per substring, ``perm`` lists rows ordered by substring value and
``offsets[v] : offsets[v + 1]`` is the slice of bucket ``v`` (a counting sort, so ``b`` is chosen near
``log2(n)``, about one row per bucket). Every step of a query is a batched NumPy gather; candidates are checked
with a popcount on the full code. New rows go into the tables by sorted insertion (a few memory copies, no
re-sort), removed rows are masked until a compaction.
"""

from __future__ import annotations

import itertools

import numpy as np

#: Substrings per code. 11 is the fewest for which radius 31 leaves some substring within 2 bits.
SUBSTRINGS = 11
#: Bits per substring are chosen from the row count, within these bounds (2**23 buckets x 11 is 370 MB).
MIN_BITS, MAX_BITS = 12, 23
#: Queries gathered per NumPy pass: large enough to amortise the calls, small enough to stay in cache.
QUERY_BATCH = 256
#: Bucket probes gathered in one pass of :meth:`SubstringTables.candidates` at most (tables are grouped up to it).
PROBES_PER_PASS = 16_384


def substring_bits(n: int) -> int:
    """Bits per substring for ``n`` rows: about log2(n), so buckets hold about one row each."""
    return int(min(MAX_BITS, max(MIN_BITS, int(np.ceil(np.log2(max(n, 2)))))))


def flip_masks(bits: int, max_flips: int) -> np.ndarray:
    """Every ``bits``-bit mask with at most ``max_flips`` bits set, fewest first, as uint32."""
    masks = [0]
    for k in range(1, max_flips + 1):
        for combo in itertools.combinations(range(bits), k):
            masks.append(sum(1 << i for i in combo))
    return np.asarray(masks, dtype=np.uint32)


def as_words(codes: np.ndarray) -> np.ndarray:
    """``(n, 32)`` uint8 codes as ``(n, 4)`` uint64 words, most significant bit first (for popcount and shifts)."""
    return np.ascontiguousarray(codes).view(">u8").astype(np.uint64)


class SubstringTables:
    """The 11 sorted bucket tables over rows ``0 .. len(self) - 1`` of a code array.

    Each table's rows are its own array (``perm[t]``) so that an insertion copies one table at a time: the peak
    memory of a merge is one table, not all eleven. The offsets never change size (they are updated in place): they
    are the rows of one block, so that a query gathers its bucket bounds from all eleven tables in one call.
    """

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self.size = 0
        # One block, each table's offsets a row of it (a view): a query gathers from all eleven in one call.
        self._offsets = np.zeros((SUBSTRINGS, (1 << bits) + 1), dtype=np.uint32)
        self.offsets = list(self._offsets)
        self.perm = [np.zeros(0, dtype=np.uint32) for _ in range(SUBSTRINGS)]
        self._masks: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return self.size

    @property
    def nbytes(self) -> int:
        return int(sum(a.nbytes for a in self.offsets) + sum(a.nbytes for a in self.perm))

    def keys(self, words: np.ndarray) -> np.ndarray:
        """The ``(n, 11)`` substring values of codes given as ``(n, 4)`` uint64 words."""
        b = self.bits
        mask = np.uint64((1 << b) - 1)
        out = np.empty((words.shape[0], SUBSTRINGS), dtype=np.uint32)
        for t in range(SUBSTRINGS):
            w, o = divmod(t * b, 64)
            if o + b <= 64:
                v = words[:, w] >> np.uint64(64 - o - b)
            else:
                spill = o + b - 64
                v = (words[:, w] << np.uint64(spill)) | (words[:, w + 1] >> np.uint64(64 - spill))
            out[:, t] = (v & mask).astype(np.uint32)
        return out

    def append(self, keys: np.ndarray) -> None:
        """Index ``len(keys)`` new rows numbered from ``len(self)``: sorted insertion, no re-sort of old rows."""
        k = keys.shape[0]
        if not k:
            return
        rows = np.arange(self.size, self.size + k, dtype=np.uint32)
        nbuckets = 1 << self.bits
        for t in range(SUBSTRINGS):
            kt = keys[:, t]
            counts = np.bincount(kt, minlength=nbuckets)
            if self.size == 0:
                # A counting sort: stable, so rows stay in ascending order inside each bucket.
                self.perm[t] = np.argsort(kt, kind="stable").astype(np.uint32)
                self.offsets[t][1:] = np.cumsum(counts, dtype=np.int64).astype(np.uint32)
                continue
            order = np.argsort(kt, kind="stable")
            sk = kt[order]
            # New rows go at the end of their bucket, so rows stay in ascending order inside each bucket.
            at = self.offsets[t][sk.astype(np.int64) + 1].astype(np.int64)
            self.perm[t] = np.insert(self.perm[t], at, rows[order])
            self.offsets[t][1:] += np.cumsum(counts, dtype=np.int64).astype(np.uint32)
        self.size += k

    def candidates(self, qkeys: np.ndarray, flips: int) -> tuple[np.ndarray, np.ndarray]:
        """(query position, row) of every row in a bucket within ``flips`` bits of a query substring; pairs may
        repeat. Radius ``r`` is exact with ``flips = r // 11``."""
        masks = self._masks.get(flips)
        if masks is None:
            masks = self._masks[flips] = flip_masks(self.bits, flips)
        # Tables in groups: a single query probes all eleven in one pass (NumPy calls cost more than its probes),
        # a large batch one table at a time (its temporaries stay in cache).
        group = max(1, min(SUBSTRINGS, PROBES_PER_PASS // max(1, qkeys.shape[0] * masks.size)))
        qs, rs = [], []
        for first in range(0, SUBSTRINGS, group):
            q, r = self._probe(qkeys, masks, first, min(SUBSTRINGS, first + group))
            if q.size:
                qs.append(q)
                rs.append(r)
        if not qs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return (qs[0], rs[0]) if len(qs) == 1 else (np.concatenate(qs), np.concatenate(rs))

    def _probe(self, qkeys: np.ndarray, masks: np.ndarray, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`candidates` in tables ``first .. last - 1``."""
        nq, m = qkeys.shape[0], masks.size
        width = self._offsets.shape[1]
        # Every probe of these tables, table by table: positions in their rows of the block of offsets.
        probes = (qkeys[:, first:last].T[:, :, None] ^ masks[None, None, :]).astype(np.int64)
        probes += (np.arange(last - first, dtype=np.int64) * width)[:, None, None]
        probes = probes.ravel()
        flat = self._offsets[first:last].ravel()
        # np.take: gathers are several times faster than fancy indexing.
        starts = np.take(flat, probes).astype(np.int64)
        lens = np.take(flat, probes + 1).astype(np.int64) - starts
        nz = np.flatnonzero(lens)
        if not nz.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        lens_nz = lens[nz]
        ends = np.cumsum(lens_nz)
        # Output j reads its table's perm at starts[probe] + (j - first output of that probe).
        pos = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(starts[nz] - (ends - lens_nz), lens_nz)
        per_table = nq * m
        qs = np.repeat((nz % per_table) // m, lens_nz)
        if last - first == 1:
            return qs, np.take(self.perm[first], pos).astype(np.int64)
        # The outputs of each table are one run (probes are ordered by table): gather each from its own perm.
        runs = np.searchsorted(nz, np.arange(last - first + 1, dtype=np.int64) * per_table)
        bounds = np.concatenate(([0], ends))[runs]
        rs = np.empty(pos.size, dtype=np.int64)
        for i in range(last - first):
            lo, hi = int(bounds[i]), int(bounds[i + 1])
            if hi > lo:
                rs[lo:hi] = np.take(self.perm[first + i], pos[lo:hi])
        return qs, rs
