"""Cross-lingual text matching: the multilingual encoder, text_embedding values and the vector index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from basira.content.embeddings import TextEmbeddingSignal, VectorIndex, decode, embed, encode, text_embedding
from basira.core.errors import InvalidSignal


def _lines(shared_data: Path, name: str, n: int) -> list[str]:
    return (shared_data / "parallel" / name).read_text(encoding="utf-8").splitlines()[:n]


def test_translations_are_nearest_to_each_other(shared_data: Path) -> None:
    ar = _lines(shared_data, "flores200_devtest.arb_Arab", 40)
    en = _lines(shared_data, "flores200_devtest.eng_Latn", 40)
    index = VectorIndex()
    index.add((i, encode(v)) for i, v in enumerate(embed(en)))
    ids, _ = index.search(embed(ar), 1)
    assert (ids[:, 0] == np.arange(40)).mean() >= 0.9


def test_default_threshold_matches_a_translation_not_an_unrelated_sentence() -> None:
    ar = text_embedding("أعلنت الحكومة اليوم عن خطة جديدة لتحسين التعليم في المدارس.")
    fr = text_embedding("Le gouvernement a annoncé aujourd'hui un nouveau plan pour améliorer l'éducation à l'école.")
    other = text_embedding("The recipe needs two cups of flour and a pinch of salt.")
    assert TextEmbeddingSignal.distance(ar, fr) <= TextEmbeddingSignal.default_threshold
    assert TextEmbeddingSignal.distance(ar, other) > TextEmbeddingSignal.default_threshold


def test_index_add_remove_and_inclusive_threshold() -> None:
    a, b = text_embedding("a cat sat on the mat"), text_embedding("stock markets fell sharply")
    index = VectorIndex()
    index.build([(1, a), (2, b)])
    hits = index.query([a], 0.0)
    assert hits[0][0][0] == 1
    index.remove([1])
    assert all(sid != 1 for sid, _ in index.query([a], 1.0)[0])
    assert len(index) == 1


@pytest.mark.parametrize("value", ["not base64!", "AAAA", "A" * 1368])
def test_bad_values_are_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        decode(value)


def test_values_round_trip_to_unit_vectors() -> None:
    vec = decode(text_embedding("hello world"))
    assert vec.shape == (512,)
    assert float(np.linalg.norm(vec)) == pytest.approx(1.0, abs=1e-3)


def test_a_margin_keeps_same_topic_neighbours_from_matching() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    topic, other = rng.standard_normal((2, 512)).astype(np.float32)
    unit = lambda v: v / np.linalg.norm(v)  # noqa: E731
    sibling_a, sibling_b = unit(topic + 0.6 * rng.standard_normal(512)), unit(topic + 0.6 * rng.standard_normal(512))
    index = VectorIndex(margin=0.05)
    index.build([(1, encode(sibling_a)), (2, encode(sibling_b)), (3, encode(sibling_a)), (4, encode(unit(other)))])
    # A third paragraph on the topic is about as near to both banked ones: it matches neither.
    third = unit(topic + 0.6 * rng.standard_normal(512))
    assert index.query_vectors(third[None, :], 0.9) == [[]]
    # A translation of sibling_a is much nearer to it: it matches sibling_a and its copy (3), not sibling_b.
    near = unit(sibling_a + 0.1 * rng.standard_normal(512))
    assert [sid for sid, _ in index.query_vectors(near[None, :], 0.9)[0]] == [1, 3]
    assert len(VectorIndex().query_vectors(third[None, :], 0.9)[0]) == 0  # empty index
    without = VectorIndex()
    without.build([(1, encode(sibling_a)), (2, encode(sibling_b))])
    assert len(without.query_vectors(third[None, :], 0.9)[0]) == 2  # no margin: both same-topic texts match
