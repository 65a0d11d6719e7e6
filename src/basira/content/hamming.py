"""An exact Hamming-distance index for 256-bit hashes (PDQ), on faiss, behind :class:`SignalIndex`.

Codes sit in a flat faiss binary index wrapped in an id map, so single signals are added and removed without a
rebuild, and a query is an exact range search: every stored hash within the radius is returned, at any radius.

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

import os
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import faiss
import numpy as np

from basira.core.errors import ConfigurationError, InvalidInput, InvalidSignal
from basira.core.signals import SignalIndex

BITS = 256
CODE_BYTES = BITS // 8
FILE_FORMAT = 1

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


class HammingIndex(SignalIndex):
    """Exact Hamming search over 256-bit hashes: a faiss flat binary index in an id map."""

    def __init__(self) -> None:
        self._flat = faiss.IndexBinaryFlat(BITS)
        self._index = faiss.IndexBinaryIDMap2(self._flat)
        self.watermark = 0

    def _reset(self) -> None:
        self._flat = faiss.IndexBinaryFlat(BITS)
        self._index = faiss.IndexBinaryIDMap2(self._flat)

    def _stored_ids(self) -> np.ndarray:
        return np.asarray(faiss.vector_to_array(self._index.id_map), dtype=np.int64)

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        self._reset()
        self.add(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        latest: dict[int, str] = {}
        for sid, value in items:
            latest[int(sid)] = value  # within one batch the last value of an id wins
        if not latest:
            return
        ids = _ids_array(latest)
        codes = pack_hex(list(latest.values()))
        if self._index.ntotal:
            present = ids[np.isin(ids, self._stored_ids())]
            if present.size:
                # An id map may hold an id twice; replacing means removing first.
                self._remove(present)
        self._index.add_with_ids(codes, ids)

    def remove(self, ids: Iterable[int]) -> None:
        arr = np.fromiter((int(i) for i in ids), dtype=np.int64)
        if arr.size and self._index.ntotal:
            self._remove(arr)

    def _remove(self, ids: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        # The selector reads ``ids`` through a pointer: the array stays referenced until the call returns.
        self._index.remove_ids(faiss.IDSelectorBatch(int(ids.size), faiss.swig_ptr(ids)))

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        """For each hash, the (id, distance) pairs within ``threshold`` bits (inclusive), nearest first."""
        if not values:
            return []
        codes = pack_hex(list(values))
        if not self._index.ntotal or threshold < 0:
            return [[] for _ in values]
        # faiss keeps distances strictly under the radius; ours is inclusive and whole bits.
        radius = min(int(threshold), BITS) + 1
        lims, dist, labels = self._index.range_search(codes, radius)
        out: list[list[tuple[int, float]]] = []
        for q in range(len(values)):
            lo, hi = int(lims[q]), int(lims[q + 1])
            d, i = dist[lo:hi], labels[lo:hi]
            order = np.lexsort((i, d))
            out.append([(int(i[k]), float(d[k])) for k in order])
        return out

    def __len__(self) -> int:
        return int(self._index.ntotal)

    persistent = True

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (format in the module docstring), replacing any file atomically."""
        ids = self._stored_ids()
        n = int(self._flat.ntotal)
        codes = (np.asarray(self._flat.reconstruct_n(0, n), dtype=np.uint8).reshape(n, CODE_BYTES) if n
                 else np.zeros((0, CODE_BYTES), dtype=np.uint8))
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
            index._index.add_with_ids(np.ascontiguousarray(codes), np.ascontiguousarray(ids))
        index.watermark = int(fields["watermark"])
        return index
