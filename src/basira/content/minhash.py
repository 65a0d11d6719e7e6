"""Near-duplicate text: ``text_minhash`` values (hashed character shingles), their Jaccard similarity, and an
LSH index that finds candidates with MinHash (rensa) and confirms each by Jaccard on the stored shingle sets.

A value is the set of 32-bit hashes of the character 5-grams of the text's matching key (letters, digits and
single spaces), written as sorted 8-digit hex numbers. Sets are capped at the :data:`SKETCH` smallest hashes (a
bottom-k sketch): for texts up to about 260 characters the value is the whole set and the Jaccard is exact; for
longer ones it is the unbiased bottom-k estimate (standard error at most 0.032). The shingle hash (version 1,
below) is Basira's own, so that values stay comparable across library upgrades.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import rensa  # type: ignore[import-untyped]

from basira.content.text import prepare, read_text, split_parts
from basira.core.errors import EmptyContent, InvalidSignal
from basira.core.settings import Settings
from basira.core.signal_examples import SignalExamples
from basira.core.signals import Content, ExtractedSignal, SignalIndex, SignalType

#: Characters per shingle.
SHINGLE = 5
#: Most shingle hashes a value keeps (the smallest ones).
SKETCH = 256
#: MinHash permutations, and the LSH bands of the two tiers (rows per band = NUM_PERM / bands), chosen in
#: bench/text_matching.py (``--only candidates``): 42 bands of 3 rows return every measured pair at Jaccard >= 0.5,
#: at any length up to 20,000 characters (32 bands of 4 rows lost 3.7 % of them); thresholds wider than
#: :data:`NARROW_SIMILARITY` use a second signature of 256 permutations in 128 bands of 2 rows (P >= 0.994 at
#: Jaccard 0.2, the widest threshold; many more candidates to check, so only the queries that need it pay).
NUM_PERM = 126
BANDS = 42
WIDE_PERM = 256
WIDE_BANDS = 128
#: The lowest Jaccard similarity the 3-row tier serves; a query with a wider threshold uses the 2-row tier.
NARROW_SIMILARITY = 0.5
SEED = 20270301

_NOT_WORD = re.compile(r"[^\w<>][^\w<>]*")  # "[x]+" as "[x][x]*": see lang/arabic.py
# Shingle hash v1: a polynomial over the code points modulo 2**64, then the splitmix64 finaliser, top 32 bits.
_MULT = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S27, _S30, _S31 = (np.uint64(n) for n in (27, 30, 31))
_HIGH_HALF = 1 if sys.byteorder == "little" else 0  # where a uint64's top 32 bits sit among its two uint32 halves
# Values computed here lately, with their sets (see value_of_key); cleared when full.
_RECENT: dict[str, np.ndarray] = {}
_RECENT_MAX = 64
# MULT**4 ... MULT**0 modulo 2**64: the shingle c0..c4 hashes to c0*MULT**4 + ... + c4.
_POWERS = np.array([pow(int(_MULT), SHINGLE - 1 - j, 2**64) for j in range(SHINGLE)], dtype=np.uint64)


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
    # The polynomial of each window as one product with the powers of the multiplier, then the finaliser in place:
    # a handful of numpy calls per text, whatever its length (array arithmetic wraps modulo 2**64 without warning).
    h = np.ndarray((n, SHINGLE), np.uint64, cp, 0, (8, 8)) @ _POWERS
    h ^= h >> _S30
    h *= _MIX1
    h ^= h >> _S27
    h *= _MIX2
    h ^= h >> _S31
    # The top 32 bits of each hash, sorted: the high halves of the 64-bit words, read in place.
    out = np.sort(h.view(np.uint32)[_HIGH_HALF::2])
    if n > 1:
        keep = np.empty(n, dtype=bool)
        keep[0] = True
        np.not_equal(out[1:], out[:-1], out=keep[1:])
        out = out[keep]
    return out[:SKETCH]


def encode(hashes: np.ndarray) -> str:
    """A shingle-hash set as its canonical value: 8 lowercase hex digits per hash, ascending."""
    return hashes.astype(">u4").tobytes().hex()


def decode(value: str) -> np.ndarray:
    """The shingle-hash set of a value; :class:`InvalidSignal` unless it is 1-256 ascending 8-digit hex numbers.

    The array may be shared (read-only) with other decodes of the same value.
    """
    known = _RECENT.get(value) if len(value) <= 8 * SKETCH else None
    if known is not None:
        return known
    v = value.strip()
    raw = b""
    if len(v) <= 8 * SKETCH:
        with contextlib.suppress(ValueError):
            raw = bytes.fromhex(v)
    # bytes.fromhex skips white space between pairs of digits: a value with any is caught by the length.
    if not raw or len(raw) * 2 != len(v) or len(raw) % 4:
        raise InvalidSignal(f"a text_minhash value is 1-{SKETCH} hash values of 8 hexadecimal digits each, "
                            f"got {len(v)} characters")
    arr = np.frombuffer(raw, dtype=">u4").astype(np.uint32)
    if arr.size > 1 and not bool((arr[1:] > arr[:-1]).all()):
        raise InvalidSignal("a text_minhash value lists its hash values in ascending order, each once")
    return arr


def value_of_key(key: str) -> str | None:
    """The ``text_minhash`` value of a matching key, or None when it has no letters or digits.

    The value's set is remembered for a while, so that :func:`decode` hands it back without parsing: the matching
    service extracts a value and queries the index with it straight away.
    """
    hashes = shingle_hashes(key)
    if not hashes.size:
        return None
    value = encode(hashes)
    hashes.flags.writeable = False  # shared by every decode of the value
    if len(_RECENT) >= _RECENT_MAX:
        _RECENT.clear()
    _RECENT[value] = hashes
    return value


def text_values(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The ``text_minhash`` values of a text with their details: the whole text's, then one per part (see
    :func:`basira.content.text.split_parts`) when it has several; ``[]`` when it has no letters or digits."""
    value = value_of_key(prepare(text).key)
    if value is None:
        return []
    size = len(value) // 8
    out: list[tuple[str, dict[str, Any]]] = [(value, {"shingles": size, "sketch": size >= SKETCH})]
    parts = split_parts(text)
    seen = {value}
    for i, part in enumerate(parts, 1):
        try:
            part_value = value_of_key(prepare(part).key)
        except EmptyContent:
            continue
        if part_value is None or part_value in seen:
            continue
        seen.add(part_value)
        out.append((part_value, {"part": i, "parts": len(parts), "characters": len(part)}))
    return out


def text_minhash(text: str) -> str | None:
    """The ``text_minhash`` value of a text, or None when it has no letters or digits (emoji only)."""
    return value_of_key(prepare(text).key)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two values' sets: exact when both are whole sets, else the bottom-k estimate."""
    if not a.size or not b.size:
        return 0.0
    if a.size < SKETCH and b.size < SKETCH:
        # Each set holds a value once, so in both sorted together a value of both is one pair of equal neighbours.
        both = np.concatenate((a, b))
        both.sort()
        inter = int(np.count_nonzero(both[1:] == both[:-1]))
        return inter / (a.size + b.size - inter)
    inter_k = np.intersect1d(a, b, assume_unique=True)
    union = np.union1d(a, b)[:SKETCH]
    return float(np.count_nonzero(inter_k <= union[-1]) / union.size)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """The share of the smaller set's shingles that the other holds (exact for whole sets; for sketches, counted
    below the smaller of the two sketches' largest hashes, where both sketches are complete)."""
    if not a.size or not b.size:
        return 0.0
    if a.size >= SKETCH or b.size >= SKETCH:
        limit = min(int(a[-1]), int(b[-1]))
        a, b = a[a <= limit], b[b <= limit]
        if not a.size or not b.size:
            return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return float(inter / min(a.size, b.size))


def minhash(hashes: np.ndarray, num_perm: int = NUM_PERM) -> rensa.RMinHash:
    """The MinHash (rensa) of a shingle-hash set, for the LSH only: matches are decided by :func:`jaccard`.

    Each hash is one 4-byte token, its bytes in machine order (the index lives in one process): a ``V4`` view lists
    them as bytes without a Python loop.
    """
    mh = rensa.RMinHash(num_perm, SEED)
    mh.update(np.ascontiguousarray(hashes, dtype=np.uint32).view("V4").tolist())
    return mh


class MinHashIndex(SignalIndex):
    """MinHash LSH (rensa) for candidates, confirmed by Jaccard against the stored sets.

    Two tiers: 3-row bands for thresholds up to Jaccard distance 0.5 (the default), and 2-row bands over a longer
    signature, built on the first query that needs them and kept up to date after, for wider thresholds (to 0.8).
    """

    def __init__(self, num_perm: int = NUM_PERM, bands: int = BANDS) -> None:
        self._perm, self._bands = num_perm, bands
        self._sets: dict[int, np.ndarray] = {}
        self._lsh = rensa.RMinHashLSH(0.5, num_perm, bands)
        self._wide: Any = None

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        self._sets.clear()
        self._lsh = rensa.RMinHashLSH(0.5, self._perm, self._bands)
        self._wide = None
        self.add(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        for sid, value in items:
            arr = decode(value)
            key = int(sid)
            if key in self._sets:
                self.remove([key])
            self._sets[key] = arr
            self._lsh.insert(key, minhash(arr, self._perm))
            if self._wide is not None:
                self._wide.insert(key, minhash(arr, WIDE_PERM))

    def remove(self, ids: Iterable[int]) -> None:
        for sid in ids:
            if self._sets.pop(int(sid), None) is not None:
                self._lsh.remove(int(sid))
                if self._wide is not None:
                    self._wide.remove(int(sid))

    def _candidates(self, arr: np.ndarray, threshold: float) -> list[int]:
        if 1.0 - threshold >= NARROW_SIMILARITY - 1e-9:
            return list(self._lsh.query(minhash(arr, self._perm)))
        if self._wide is None:
            wide = rensa.RMinHashLSH(0.2, WIDE_PERM, WIDE_BANDS)
            for sid, stored in self._sets.items():
                wide.insert(sid, minhash(stored, WIDE_PERM))
            self._wide = wide
        return list(self._wide.query(minhash(arr, WIDE_PERM)))

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        """For each value, the ids whose Jaccard distance (1 - similarity) is at most ``threshold``."""
        return [self.query_set(decode(v), threshold) for v in values]

    def query_set(self, arr: np.ndarray, threshold: float) -> list[tuple[int, float]]:
        """:meth:`query` for one decoded set (the benchmarks call it to leave out the hex decoding)."""
        if not self._sets or not arr.size:
            return []
        hits = []
        for sid in self._candidates(arr, threshold):
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
    def examples(cls) -> SignalExamples:
        first = encode(np.arange(1_000, 1_100, dtype=np.uint32) * 7919)
        # 90 of 100 shingles shared: Jaccard 90/110, distance 0.18.
        edited = encode(np.arange(1_010, 1_110, dtype=np.uint32) * 7919)
        other = encode(np.arange(5, 60, dtype=np.uint32) * 104_729)
        return SignalExamples(canonical=(first, other), spellings=((first.upper(), first),), near=((first, edited),),
                              invalid=("", "xyz", "0000000a00000001", "0" * 7, "0" * 8 * 257))

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        """The value of the whole text, then one value per part (paragraphs, sentences: see
        :func:`basira.content.text.split_parts`) when it has several: a bank entry holds them all, and a query
        matches by each, so that a re-posted paragraph finds its article and an article its banked paragraphs."""
        return [ExtractedSignal(cls.name, value, details=details) for value, details in text_values(read_text(content))]

    @classmethod
    def explain(cls, query_value: str, bank_value: str, settings: Settings | None = None) -> dict[str, Any] | None:
        """The resemblance (Jaccard) and the containment: the share of the shorter text's shingles found in the
        longer one (1.0 for a paragraph inside its article)."""
        a, b = decode(query_value), decode(bank_value)
        resemblance, contained = round(jaccard(a, b), 4), round(containment(a, b), 4)
        # "features" is what the case page's score table shows.
        return {"jaccard": resemblance, "containment": contained,
                "features": {"jaccard": resemblance, "containment": contained}}

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return round(1.0 - jaccard(decode(a), decode(b)), 6)

    @classmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        return MinHashIndex()
