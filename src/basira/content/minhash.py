"""Near-duplicate text: ``text_minhash`` values (hashed character shingles), their Jaccard similarity, and an
LSH index that finds candidates with MinHash (rensa) and confirms each by Jaccard on the stored shingle sets.

A value is the set of 32-bit hashes of the character 5-grams of the text's matching key (letters, digits and
single spaces), written as sorted 8-digit hex numbers. Sets are capped at the :data:`SKETCH` smallest hashes (a
bottom-k sketch): for texts up to about 260 characters the value is the whole set and the Jaccard is exact; for
longer ones it is the unbiased bottom-k estimate (standard error at most 0.032). The shingle hash (version 1,
below) is Basira's own, so that values stay comparable across library upgrades.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence

import numpy as np
import rensa  # type: ignore[import-untyped]

from basira.content.text import prepare, prepared_content
from basira.core.errors import InvalidSignal
from basira.core.settings import Settings
from basira.core.signals import Content, ExtractedSignal, SignalIndex, SignalType

#: Characters per shingle.
SHINGLE = 5
#: Most shingle hashes a value keeps (the smallest ones).
SKETCH = 256
#: MinHash permutations and LSH bands (rows per band = NUM_PERM / BANDS), tuned in bench/text_matching.py.
NUM_PERM = 128
BANDS = 32
SEED = 20270301

_HEX = frozenset(string.hexdigits)
_NOT_WORD = re.compile(r"[^\w<>]+")
# Shingle hash v1: a polynomial over the code points modulo 2**64, then the splitmix64 finaliser, top 32 bits.
_MULT = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S27, _S30, _S31, _S32 = (np.uint64(n) for n in (27, 30, 31, 32))


def shingle_text(key: str) -> str:
    """The string shingled: a matching key with punctuation, symbols and emoji turned into single spaces."""
    return _NOT_WORD.sub(" ", key).strip()


def shingle_hashes(key: str) -> np.ndarray:
    """The sorted distinct 32-bit hashes of a matching key's 5-grams, at most :data:`SKETCH` (the smallest).

    A text shorter than one shingle is one shingle; a text with no letters or digits has none.
    """
    s = shingle_text(key)
    if not s:
        return np.zeros(0, dtype=np.uint32)
    cp = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if cp.size < SHINGLE:
        cp = np.concatenate([cp, np.zeros(SHINGLE - cp.size, dtype=np.uint64)])
    n = cp.size - SHINGLE + 1
    with np.errstate(over="ignore"):
        h = cp[:n].copy()
        for j in range(1, SHINGLE):
            h = h * _MULT + cp[j:j + n]
        h ^= h >> _S30
        h *= _MIX1
        h ^= h >> _S27
        h *= _MIX2
        h ^= h >> _S31
    return np.unique((h >> _S32).astype(np.uint32))[:SKETCH]


def encode(hashes: np.ndarray) -> str:
    """A shingle-hash set as its canonical value: 8 lowercase hex digits per hash, ascending."""
    return hashes.astype(">u4").tobytes().hex()


def decode(value: str) -> np.ndarray:
    """The shingle-hash set of a value; :class:`InvalidSignal` unless it is 1-256 ascending 8-digit hex numbers."""
    v = value.strip().lower()
    if not v or len(v) % 8 or len(v) > 8 * SKETCH or not set(v) <= _HEX:
        raise InvalidSignal(f"a text_minhash value is 1-{SKETCH} hash values of 8 hexadecimal digits each, "
                            f"got {len(v)} characters")
    arr = np.frombuffer(bytes.fromhex(v), dtype=">u4").astype(np.uint32)
    if arr.size > 1 and not bool(np.all(arr[1:] > arr[:-1])):
        raise InvalidSignal("a text_minhash value lists its hash values in ascending order, each once")
    return arr


def text_minhash(text: str) -> str | None:
    """The ``text_minhash`` value of a text, or None when it has no letters or digits (emoji only)."""
    hashes = shingle_hashes(prepare(text).key)
    return encode(hashes) if hashes.size else None


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two values' sets: exact when both are whole sets, else the bottom-k estimate."""
    if not a.size or not b.size:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True)
    if a.size < SKETCH and b.size < SKETCH:
        return float(inter.size / (a.size + b.size - inter.size))
    union = np.union1d(a, b)[:SKETCH]
    return float(np.count_nonzero(inter <= union[-1]) / union.size)


def minhash(hashes: np.ndarray) -> rensa.RMinHash:
    """The MinHash (rensa) of a shingle-hash set, for the LSH only: matches are decided by :func:`jaccard`."""
    raw = hashes.astype(">u4").tobytes()
    mh = rensa.RMinHash(NUM_PERM, SEED)
    mh.update([raw[i:i + 4] for i in range(0, len(raw), 4)])
    return mh


class MinHashIndex(SignalIndex):
    """MinHash LSH (rensa) for candidates, confirmed by Jaccard against the stored sets."""

    def __init__(self) -> None:
        self._sets: dict[int, np.ndarray] = {}
        self._lsh = rensa.RMinHashLSH(0.5, NUM_PERM, BANDS)

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        self._sets.clear()
        self._lsh = rensa.RMinHashLSH(0.5, NUM_PERM, BANDS)
        self.add(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        for sid, value in items:
            arr = decode(value)
            self.remove([sid])
            self._sets[int(sid)] = arr
            self._lsh.insert(int(sid), minhash(arr))

    def remove(self, ids: Iterable[int]) -> None:
        for sid in ids:
            if self._sets.pop(int(sid), None) is not None:
                self._lsh.remove(int(sid))

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        """For each value, the ids whose Jaccard distance (1 - similarity) is at most ``threshold``."""
        return [self.query_set(decode(v), threshold) for v in values]

    def query_set(self, arr: np.ndarray, threshold: float) -> list[tuple[int, float]]:
        """:meth:`query` for one decoded set (the benchmarks call it to leave out the hex decoding)."""
        if not self._sets or not arr.size:
            return []
        hits = []
        for sid in self._lsh.query(minhash(arr)):
            stored = self._sets.get(sid)
            if stored is None:
                continue
            d = round(1.0 - jaccard(arr, stored), 6)
            if d <= threshold:
                hits.append((int(sid), d))
        hits.sort(key=lambda h: (h[1], h[0]))
        return hits

    def __len__(self) -> int:
        return len(self._sets)


class TextMinHashSignal(SignalType):
    """Near-duplicate text: hashed character 5-grams of the spelling-folded text; the distance is 1 - Jaccard.

    The default threshold 0.5 (Jaccard at least 0.5) found 0.996-1.0 of edited copies of held-back NTREX
    paragraphs with 1 false match in 1.26 million unrelated pairs in bench/text_matching.py (docs/text.md).
    """

    name = "text_minhash"
    content_types = frozenset({"text"})
    default_content_type = "text"
    default_threshold = 0.5
    max_threshold = 0.8
    description = ("Hashed character 5-grams of the spelling-folded text (bottom-256 sketch); matches within a "
                   "Jaccard distance, found by MinHash LSH and confirmed on the sets.")

    @classmethod
    def validate(cls, value: str) -> str:
        return encode(decode(value))

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        hashes = shingle_hashes(prepared_content(content).key)
        if not hashes.size:
            return []
        return [ExtractedSignal(cls.name, encode(hashes), details={"shingles": int(hashes.size),
                                                                    "sketch": bool(hashes.size >= SKETCH)})]

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return round(1.0 - jaccard(decode(a), decode(b)), 6)

    @classmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        return MinHashIndex()
