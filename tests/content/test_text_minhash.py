"""Near-duplicate text: shingle sets, Jaccard, the MinHash LSH index and the text_minhash signal type."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.content.minhash import (
    SKETCH,
    MinHashIndex,
    TextMinHashSignal,
    decode,
    encode,
    jaccard,
    shingle_hashes,
    text_minhash,
    value_of_key,
)
from basira.core.errors import InvalidSignal

ORIGINAL = ("أعلنت الحكومة اليوم عن خطة جديدة لتحسين التعليم في المدارس الابتدائية والثانوية في جميع أنحاء البلاد، "
            "وقال الوزير إن الخطة ستبدأ في العام المقبل.")
EDITED = ("عاجل: اعلنت الحكومه اليوم عن خطه جديده لتحسين التعليم في المدارس الإبتدائية والثانوية في كل انحاء البلاد، "
          "وقال الوزير إن الخطة ستبدأ العام القادم. #اخبار #عاجل")
UNRELATED = "The museum opened a new wing dedicated to the history of shipbuilding along the northern coast last May."


def _value(text: str) -> str:
    value = text_minhash(text)
    assert value is not None
    return value


def test_an_edited_arabic_copy_is_near_and_an_unrelated_text_is_far() -> None:
    assert TextMinHashSignal.distance(_value(ORIGINAL), _value(EDITED)) < 0.5
    assert TextMinHashSignal.distance(_value(ORIGINAL), _value(UNRELATED)) > 0.95


def test_jaccard_is_exact_for_short_texts() -> None:
    a, b = np.array([1, 2, 3, 4], dtype=np.uint32), np.array([3, 4, 5], dtype=np.uint32)
    assert jaccard(a, b) == pytest.approx(2 / 5)


def test_long_texts_keep_a_bottom_k_sketch_with_a_close_estimate() -> None:
    rng = np.random.default_rng(1)
    # Random 9-letter words share almost no 5-grams, so the two texts' true Jaccard is that of their words: 1/3.
    words = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 9)) for _ in range(3000)]
    a, b = " ".join(words[:2000]), " ".join(words[1000:])
    va, vb = decode(_value(a)), decode(_value(b))
    assert va.size == SKETCH
    # The true Jaccard of the two halves' shingles is about 1/3.
    assert jaccard(va, vb) == pytest.approx(1 / 3, abs=0.1)


def test_emoji_only_text_has_no_minhash() -> None:
    assert text_minhash("🔥🔥 ❤️") is None


def test_values_are_validated_and_canonical() -> None:
    value = _value(ORIGINAL)
    assert TextMinHashSignal.validate(value.upper()) == value
    with pytest.raises(InvalidSignal, match="ascending"):
        TextMinHashSignal.validate("0000000200000001")
    with pytest.raises(InvalidSignal):
        TextMinHashSignal.validate("xyz")
    with pytest.raises(InvalidSignal):
        TextMinHashSignal.validate("0" * (8 * SKETCH + 8))


def test_index_finds_the_copy_and_forgets_removed_ids() -> None:
    index = MinHashIndex()
    index.build([(1, _value(ORIGINAL)), (2, _value(UNRELATED))])
    hits = index.query([_value(EDITED)], 0.5)
    assert [sid for sid, _ in hits[0]] == [1]
    index.remove([1])
    assert index.query([_value(EDITED)], 0.5) == [[]]
    assert len(index) == 1


def test_adding_an_id_again_replaces_its_value() -> None:
    index = MinHashIndex()
    index.add([(1, _value(ORIGINAL))])
    index.add([(1, _value(UNRELATED))])
    assert index.query([_value(ORIGINAL)], 0.5) == [[]]
    assert index.query([_value(UNRELATED)], 0.0) == [[(1, 0.0)]]


def test_threshold_is_inclusive_and_distances_sorted() -> None:
    index = MinHashIndex()
    index.add([(1, _value(ORIGINAL)), (2, _value(EDITED))])
    hits = index.query([_value(ORIGINAL)], 0.8)[0]
    assert hits[0] == (1, 0.0) and hits[1][0] == 2
    assert index.query([_value(ORIGINAL)], hits[1][1])[0] == hits


def test_encode_decode_round_trip() -> None:
    arr = np.array([0, 7, 2**32 - 1], dtype=np.uint32)
    assert np.array_equal(decode(encode(arr)), arr)


# Shingle hash v1 written out on Python integers: the stored values depend on it, so the numpy version must not move.
_NOT_WORD = re.compile(r"[^\w<>]+")


def _reference_hashes(key: str) -> list[int]:
    s = _NOT_WORD.sub(" ", key).strip()
    if not s:
        return []
    cps = [ord(c) for c in s] + [0] * max(0, 5 - len(s))
    out = set()
    for i in range(len(cps) - 4):
        h = 0
        for c in cps[i:i + 5]:
            h = (h * 0x100000001B3 + c) % 2**64
        h ^= h >> 30
        h = h * 0xBF58476D1CE4E5B9 % 2**64
        h ^= h >> 27
        h = h * 0x94D049BB133111EB % 2**64
        h ^= h >> 31
        out.add(h >> 32)
    return sorted(out)[:SKETCH]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("اب تثجحخ <>url,.!🔥 abc_1١\U0001d400"), max_size=300) | st.text(max_size=30))
def test_shingle_hashes_are_version_1_of_the_hash(key: str) -> None:
    hashes = shingle_hashes(key)
    assert hashes.dtype == np.uint32
    assert hashes.tolist() == _reference_hashes(key)


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, 2**32 - 1), min_size=1, max_size=300), st.sets(st.integers(0, 2**32 - 1), max_size=300),
       st.integers(0, 300))
def test_jaccard_of_whole_sets_is_exact_and_of_sketches_is_the_bottom_k_estimate(
        a: set[int], extra: set[int], shared: int) -> None:
    b = set(sorted(a)[:shared]) | extra
    va = np.array(sorted(a)[:SKETCH], dtype=np.uint32)
    vb = np.array(sorted(b)[:SKETCH], dtype=np.uint32)
    sa, sb = set(va.tolist()), set(vb.tolist())
    if not sa or not sb:
        assert jaccard(va, vb) == 0.0
    elif len(sa) < SKETCH and len(sb) < SKETCH:
        assert jaccard(va, vb) == len(sa & sb) / len(sa | sb)
    else:
        union = sorted(sa | sb)[:SKETCH]
        assert jaccard(va, vb) == len(sa & sb & set(union)) / len(union)


@pytest.mark.parametrize("value", [
    "0000 0001",  # white space that bytes.fromhex would skip
    "00000001\n00000002",
    "0000000\u0661",  # an Arabic-Indic digit
    "\uff10" * 8,  # full-width digits
    "0000000g",
    "0000000100000001",  # twice the same hash
    "",
])
def test_hostile_values_are_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        decode(value)


def test_a_value_just_computed_decodes_to_its_set_read_only() -> None:
    value = value_of_key("some words to shingle")
    assert value is not None
    arr = decode(value)
    assert np.array_equal(arr, shingle_hashes("some words to shingle"))
    assert not arr.flags.writeable
    # The same value written differently (upper case, spaces around) is parsed and gives the same set.
    assert np.array_equal(decode(f" {value.upper()} "), arr)
    assert value_of_key("🔥 !!") is None
