"""A Hamming-distance index for 256-bit hashes (PDQ) behind :class:`SignalIndex`: exact, fast at 10 million.

Rows live in one code array. Most are indexed by multi-index hashing (:mod:`basira.content.mih`); the newest
few thousand sit in a small flat segment searched by brute force (faiss), and are moved into the hash tables in
one batch when it fills, so adding a signal never rebuilds the index. A removed row is masked at once and
dropped at the next compaction (when a quarter of the rows are dead). Small indexes are flat only.

Two modes: ``exact`` (default) returns every stored hash within the radius, at any radius; ``fast`` probes
fewer buckets and, for radius 31 on planted near neighbours, keeps recall above 0.99 at several times the speed
(figures in docs/benchmarks.md).

File format of :meth:`HammingIndex.save` (chosen over faiss's own so that a cache outlives a faiss upgrade and
can be read by anything that reads NumPy files): an uncompressed ``.npz`` archive holding

- ``format``: int64 scalar, 1;
- ``bits``: int64 scalar, 256;
- ``watermark``: int64 scalar, the :attr:`SignalIndex.watermark` at saving time;
- ``ids``: int64 array of shape ``(n,)``, the signal ids, all distinct and not negative;
- ``codes``: uint8 array of shape ``(n, 32)``, row ``i`` the hash of ``ids[i]``, its bytes in the order
  of the hex form (first byte = first two hex digits).
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np

from basira.content.mih import MAX_BITS, QUERY_BATCH, SUBSTRINGS, SubstringTables, as_words, substring_bits
from basira.core.errors import ConfigurationError, InvalidInput, InvalidSignal
from basira.core.signals import SignalIndex

BITS = 256
CODE_BYTES = BITS // 8
FILE_FORMAT = 1
#: Below this many rows a flat scan is as fast as the hash tables and far smaller.
TABLE_MIN_ROWS = 32_768
#: Rows added since the last merge are scanned flat; at this many they are merged into the tables.
DELTA_MAX_ROWS = 4_096
#: Above this many bit flips per substring, probing costs more than a scan (radius over 43 bits).
MAX_FLIPS = 3

Mode = Literal["exact", "fast"]

def set_query_threads(threads: int, *, now: bool = True) -> None:
    """How many threads one faiss query may use in this process (0: faiss's default, every core).

    A server answers many small queries at once: OpenMP's start-up per query then costs far more than the scan (a
    flat search of 5,000 PDQ hashes: 0.2 ms on one thread, 3.9 ms on two on a busy 2-core machine), so one thread
    per query is the default (``BASIRA_INDEX_THREADS``). OpenMP keeps the count per calling thread (a thread that
    never set it uses every core), so :func:`faiss_module` applies it once in each thread that queries: a server's
    requests run in a pool of threads, not in the one that read the setting. With ``now`` false the module is not
    imported here (importing faiss takes longer than many commands that never use it take to run)."""
    global _query_threads
    if threads <= 0:
        return
    _query_threads = threads
    if now:
        faiss_module()


_query_threads = 0
_thread_state = threading.local()


def faiss_module() -> Any:
    """The faiss module, imported on first use, with the thread count of :func:`set_query_threads` applied in the
    calling thread (call it before each faiss query made from a thread that may be new)."""
    import faiss

    if _query_threads and getattr(_thread_state, "threads", 0) != _query_threads:
        faiss.omp_set_num_threads(_query_threads)
        _thread_state.threads = _query_threads
    return faiss


# Lookup table: which ASCII bytes are hexadecimal digits (checked in one vectorised pass).
_IS_HEX = np.zeros(256, dtype=bool)
for _c in b"0123456789abcdefABCDEF":
    _IS_HEX[_c] = True


def pack_hex(values: Sequence[str]) -> np.ndarray:
    """Hex hashes as a ``(n, 32)`` uint8 array; :class:`InvalidSignal` if any is not 64 hex digits."""
    for v in values:
        if len(v) != 2 * CODE_BYTES:
            raise InvalidSignal(f"a {BITS}-bit hash is {2 * CODE_BYTES} hexadecimal digits, got {v[:80]!r}")
    joined = "".join(values)
    try:
        raw = joined.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidSignal(f"a {BITS}-bit hash is written in ASCII hexadecimal digits") from None
    # bytes.fromhex skips whitespace, so the digits are checked before it runs.
    if raw and not _IS_HEX[np.frombuffer(raw, dtype=np.uint8)].all():
        raise InvalidSignal(f"a {BITS}-bit hash is {2 * CODE_BYTES} hexadecimal digits")
    return np.frombuffer(bytes.fromhex(joined), dtype=np.uint8).reshape(-1, CODE_BYTES).copy()


def _ids_array(ids: Iterable[int]) -> np.ndarray:
    arr = np.fromiter((int(i) for i in ids), dtype=np.int64)
    if arr.size and int(arr.min()) < 0:
        raise InvalidInput("signal ids in an index are not negative")
    return arr


def _words_to_codes(words: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(words.astype(">u8")).view(np.uint8).reshape(-1, CODE_BYTES)


def _popcount_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances of matching rows of two ``(n, 4)`` uint64 arrays."""
    x = np.bitwise_count(a ^ b)
    # Widen before adding: four uint8 counts reach 256, which wraps to 0 in uint8.
    out: np.ndarray = x[:, 0].astype(np.int64)
    out += x[:, 1]
    out += x[:, 2]
    out += x[:, 3]
    return out


def _rows(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``a[idx]`` for a 2-D array: ``np.take`` gathers rows several times faster than fancy indexing."""
    return np.take(a, idx, axis=0)


class HammingIndex(SignalIndex):
    """Radius search over 256-bit hashes: multi-index hashing plus a flat segment for the newest rows."""

    persistent = True

    def __init__(self, mode: Mode = "exact", *, table_min_rows: int = TABLE_MIN_ROWS,
                 delta_max_rows: int = DELTA_MAX_ROWS) -> None:
        """``mode``: ``exact`` or ``fast``; the row limits are for tests and benchmarks."""
        if mode not in ("exact", "fast"):
            raise ConfigurationError(f"a Hamming index mode is 'exact' or 'fast', not {mode!r}")
        self.mode: Mode = mode
        self._table_min = table_min_rows
        self._delta_max = delta_max_rows
        self.watermark = 0
        self._reset(0)

    def _reset(self, capacity: int) -> None:
        self._words = np.zeros((max(capacity, 16), 4), dtype=np.uint64)
        self._ids = np.zeros(max(capacity, 16), dtype=np.int64)
        self._alive = np.zeros(max(capacity, 16), dtype=bool)
        self._n = 0
        self._live = 0
        self._tables: SubstringTables | None = None
        # id -> row: rows 0 .. _built - 1 are sorted by id (a rebuild sorts them), rows merged since then have
        # a small sorted list of their own, and rows of the flat segment a dict.
        self._built = 0
        self._sorted_ids = np.zeros(0, dtype=np.int64)
        self._sorted_rows = np.zeros(0, dtype=np.uint32)
        self._delta_rows: dict[int, int] = {}
        self._flat = faiss_module().IndexBinaryFlat(BITS)

    @property
    def _table_rows(self) -> int:
        return len(self._tables) if self._tables is not None else 0

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays of this index (the figure the benchmark reports)."""
        tables = self._tables.nbytes if self._tables is not None else 0
        return int(self._words.nbytes + self._ids.nbytes + self._alive.nbytes + self._sorted_ids.nbytes
                   + self._sorted_rows.nbytes + tables + self._flat.ntotal * CODE_BYTES)

    # -- changes ---------------------------------------------------------------------------------------------

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        self._reset(0)
        self.add(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        latest: dict[int, str] = {}
        for sid, value in items:
            latest[int(sid)] = value  # within one batch the last value of an id wins
        if not latest:
            return
        ids = _ids_array(latest)
        codes = pack_hex(list(latest.values()))
        self.add_codes(ids, codes)

    def add_codes(self, ids: np.ndarray, codes: np.ndarray) -> None:
        """Add distinct ``ids`` with their ``(n, 32)`` uint8 ``codes`` (the bulk path, no hex)."""
        if self._live:
            self._remove(ids)
        k = ids.size
        self._grow(self._n + k)
        rows = np.arange(self._n, self._n + k, dtype=np.int64)
        self._words[rows] = as_words(codes)
        self._ids[rows] = ids
        self._alive[rows] = True
        self._n += k
        self._live += k
        if self._tables is None and self._live >= self._table_min:
            self._rebuild()
            return
        start = self._table_rows + int(self._flat.ntotal)
        if self._n > start:
            self._flat.add(np.ascontiguousarray(_words_to_codes(self._words[start:self._n])))
        self._delta_rows.update(zip(ids.tolist(), rows.tolist(), strict=True))
        if self._tables is not None and self._n - self._table_rows >= self._delta_max:
            self._merge()

    def _grow(self, need: int) -> None:
        cap = self._ids.size
        if need <= cap:
            return
        new = max(need, cap + cap // 2)
        for name in ("_words", "_ids", "_alive"):
            old = getattr(self, name)
            arr = np.zeros((new, *old.shape[1:]), dtype=old.dtype)
            arr[: self._n] = old[: self._n]
            setattr(self, name, arr)

    def _merge(self) -> None:
        """Move the flat segment into the hash tables (sorted insertion), or rebuild if they outgrew their size."""
        tables = self._tables
        if tables is None:
            return
        if substring_bits(self._live) > tables.bits + 1:
            self._rebuild()
            return
        start = len(tables)
        new_words = self._words[start:self._n]
        tables.append(tables.keys(new_words))
        rows = np.arange(start, self._n, dtype=np.int64)
        ids = self._ids[start:self._n]
        order = np.argsort(ids, kind="stable")
        at = np.searchsorted(self._sorted_ids, ids[order], side="right")
        self._sorted_ids = np.insert(self._sorted_ids, at, ids[order])
        self._sorted_rows = np.insert(self._sorted_rows, at, rows[order].astype(np.uint32))
        # Equal ids (a dead row and its replacement) may now be out of row order; lookups check every copy.
        self._delta_rows.clear()
        self._flat.reset()

    def _rebuild(self) -> None:
        """Rebuild everything from the live rows: compacts dead rows and resizes the tables to the row count."""
        live = np.flatnonzero(self._alive[: self._n])
        words, ids = self._words[live].copy(), self._ids[live].copy()
        n = ids.size
        self._reset(n)
        self._words[:n], self._ids[:n], self._alive[:n] = words, ids, True
        self._n = self._live = n
        if n >= self._table_min:
            order = np.argsort(ids, kind="stable")
            self._words[:n], self._ids[:n] = words[order], ids[order]
            del words, ids
            self._tables = SubstringTables(substring_bits(n))
            self._tables.append(self._tables.keys(self._words[:n]))
            self._built = n
        elif n:
            self._flat.add(np.ascontiguousarray(_words_to_codes(words)))
            self._delta_rows = dict(zip(ids.tolist(), range(n), strict=True))

    def remove(self, ids: Iterable[int]) -> None:
        # An id named twice in one call must be removed once (rows would otherwise be counted dead twice).
        arr = np.unique(np.fromiter((int(i) for i in ids), dtype=np.int64))
        if arr.size and self._live:
            self._remove(arr)

    def _remove(self, ids: np.ndarray) -> None:
        rows = [r for r in (self._delta_rows.pop(int(i), None) for i in ids) if r is not None]
        if self._built:
            built = self._ids[: self._built]
            at = np.searchsorted(built, ids)
            inside = at < self._built
            at = at[inside]
            rows.extend(at[built[at] == ids[inside]].tolist())
        if self._sorted_ids.size:
            lo = np.searchsorted(self._sorted_ids, ids, side="left")
            hi = np.searchsorted(self._sorted_ids, ids, side="right")
            for a, b in zip(lo[hi > lo].tolist(), hi[hi > lo].tolist(), strict=True):
                rows.extend(self._sorted_rows[a:b].tolist())
        if not rows:
            return
        r = np.unique(np.asarray(rows, dtype=np.int64))
        r = r[self._alive[r]]
        self._alive[r] = False
        self._live -= int(r.size)
        if self._n and (self._n - self._live) * 4 > self._n:
            self._rebuild()

    # -- queries ---------------------------------------------------------------------------------------------

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        """For each hash, the (id, distance) pairs within ``threshold`` bits (inclusive), nearest first."""
        if not values:
            return []
        codes = pack_hex(list(values))
        if not self._live or threshold < 0:
            return [[] for _ in values]
        qpos, ids, dist = self.search(codes, int(min(threshold, BITS)))
        out: list[list[tuple[int, float]]] = [[] for _ in values]
        for q, i, d in zip(qpos.tolist(), ids.tolist(), dist.tolist(), strict=True):
            out[q].append((i, float(d)))
        return out

    def search(self, codes: np.ndarray, radius: int, workers: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Batched radius search of ``(n, 32)`` uint8 codes: (query position, id, distance) arrays, sorted by
        query, then distance, then id. The path the API's :meth:`query` and the benchmark share.

        ``workers`` threads share the batches (NumPy and faiss release the interpreter lock while they work).
        """
        qw = as_words(codes)
        flips = self._flips(radius)
        # About 800,000 bucket probes per pass: enough to amortise NumPy's per-call cost, small enough for cache.
        probes = SUBSTRINGS * sum(math.comb(MAX_BITS, k) for k in range(flips + 1))
        step = max(QUERY_BATCH // 4, min(QUERY_BATCH * 4, 800_000 // probes))
        starts = list(range(0, qw.shape[0], step))

        def run(lo: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            q, r, d = self._search_batch(qw[lo:lo + step], radius, flips)
            return q + lo, r, d

        if workers > 1 and len(starts) > 1:
            with ThreadPoolExecutor(workers) as pool:
                parts = list(pool.map(run, starts))
        else:
            parts = [run(lo) for lo in starts]
        q = np.concatenate([p[0] for p in parts])
        r = np.concatenate([p[1] for p in parts])
        d = np.concatenate([p[2] for p in parts])
        ids = self._ids[r]
        order = np.lexsort((ids, d, q))
        return q[order], ids[order], d[order]

    def _flips(self, radius: int) -> int:
        """Bit flips probed per substring: exact is ``radius // 11`` (pigeonhole), fast one fewer."""
        flips = radius // SUBSTRINGS
        return max(0, flips - 1) if self.mode == "fast" else flips

    def _search_batch(self, qw: np.ndarray, radius: int, flips: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        found_q, found_r = [], []
        tables = self._tables
        if tables is not None and len(tables):
            if flips > MAX_FLIPS:
                q, r = self._scan(qw, radius, 0, len(tables))
            else:
                q, r = tables.candidates(tables.keys(qw), flips)
                d = _popcount_rows(_rows(self._words, r), _rows(qw, q))
                keep = d <= radius
                q, r = q[keep], r[keep]
            found_q.append(q)
            found_r.append(r)
        start = self._table_rows
        if self._flat.ntotal:
            faiss_module()  # this thread's OpenMP thread count
            lims, _, labels = self._flat.range_search(np.ascontiguousarray(_words_to_codes(qw)), radius + 1)
            found_q.append(np.repeat(np.arange(qw.shape[0], dtype=np.int64), np.diff(lims).astype(np.int64)))
            found_r.append(labels.astype(np.int64) + start)
        if not found_q:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        q, r = np.concatenate(found_q), np.concatenate(found_r)
        keep = np.take(self._alive, r)
        q, r = q[keep], r[keep]
        # A neighbour shares buckets in several substrings: keep one copy of each (query, row).
        if r.size:
            key = np.unique(q * np.int64(self._n + 1) + r)
            q, r = key // np.int64(self._n + 1), key % np.int64(self._n + 1)
        return q, r, _popcount_rows(_rows(self._words, r), _rows(qw, q))

    def _scan(self, qw: np.ndarray, radius: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Brute force over rows ``lo .. hi - 1`` (radii too large for the tables)."""
        index = faiss_module().IndexBinaryFlat(BITS)
        index.add(np.ascontiguousarray(_words_to_codes(self._words[lo:hi])))
        lims, _, labels = index.range_search(np.ascontiguousarray(_words_to_codes(qw)), radius + 1)
        qpos = np.repeat(np.arange(qw.shape[0], dtype=np.int64), np.diff(lims).astype(np.int64))
        return qpos, labels.astype(np.int64) + lo

    def __len__(self) -> int:
        return int(self._live)

    # -- persistence -----------------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (format in the module docstring), replacing any file atomically."""
        live = np.flatnonzero(self._alive[: self._n])
        ids = self._ids[live]
        codes = _words_to_codes(self._words[live]) if live.size else np.zeros((0, CODE_BYTES), dtype=np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, format=np.int64(FILE_FORMAT), bits=np.int64(BITS),
                         watermark=np.int64(self.watermark), ids=ids, codes=codes)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> HammingIndex:
        """Read an index written by :meth:`save`.

        Raises:
            ConfigurationError: The file is missing, damaged or of another format (delete it: indexes are
                caches, rebuilt from the database).
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                fields = {k: data[k] for k in ("format", "bits", "watermark", "ids", "codes")}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as e:
            raise ConfigurationError(f"{path} is not a readable Hamming index file ({e})") from None
        ids, codes = fields["ids"], fields["codes"]
        problems = []
        if fields["format"].shape != () or int(fields["format"]) != FILE_FORMAT:
            problems.append(f"format {fields['format']!r} is not {FILE_FORMAT}")
        elif int(fields["bits"]) != BITS or fields["watermark"].shape != ():
            problems.append("wrong hash size or watermark")
        elif ids.dtype != np.int64 or ids.ndim != 1 or codes.dtype != np.uint8 \
                or codes.shape != (ids.shape[0], CODE_BYTES):
            problems.append("ids and codes do not fit together")
        elif ids.size and (int(ids.min()) < 0 or np.unique(ids).size != ids.size):
            problems.append("ids are negative or repeated")
        if problems:
            raise ConfigurationError(f"{path} is not a valid Hamming index file: {problems[0]}")
        index = cls()
        if ids.size:
            index.add_codes(np.ascontiguousarray(ids), np.ascontiguousarray(codes))
        index.watermark = int(fields["watermark"])
        return index
