"""Part similarity and alignment, the pure core of the name matcher, and the keys blocking relies on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.finance.name_forms import form_keys, parse_name, split_and_parse
from basira.finance.name_similarity import (
    LONG_SKELETON,
    PART_FLOOR,
    align,
    coverage,
    cross_similarity,
    latin_similarity,
)
from basira.lang.nameparts import NamePart, name_parts


def part(word: str) -> NamePart:
    (p,) = name_parts(word)
    return p


def latin(a: str, b: str) -> float:
    pa, pb = part(a), part(b)
    return latin_similarity(pa.skeleton, pa.vowels, pb.skeleton, pb.vowels)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammed", "Muhammad"),  # the same consonants, two vowels spelt differently
        ("Qureshi", "Qurashi"),
        ("Yusuf", "Youssef"),  # ou for u, e for u, a doubled s
        ("Hamzah", "Hamza"),  # a final h
        ("Alazhar", "Azhar"),  # an article fused to a word that starts with a vowel
        ("Abdulrahman", "Abdulrahnan"),  # a typo in a long name: one consonant of six
        ("Mansour", "Mansur"),
    ],
)
def test_latin_spellings_of_one_name_are_alike(a: str, b: str) -> None:
    assert latin(a, b) >= PART_FLOOR, (part(a), part(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hamad", "Hamza"),  # a different consonant in a short name is another name
        ("Hazem", "Hatem"),
        ("Sultan", "Suleiman"),
        ("Hamad", "Muhammad"),  # one consonant more
        ("Layla", "Ali"),  # "ll" and "l": a vowel kept the two l apart
        ("Kanaan", "Kony"),
        ("Hisham", "Hashimi"),  # the same consonants, but three vowels apart
        ("Mahmoud", "Muhammad"),  # m-h-m-d both, vowels far apart
    ],
)
def test_different_latin_names_are_not_alike(a: str, b: str) -> None:
    assert latin(a, b) == 0.0, (part(a), part(b))


def test_cross_script_similarity_uses_the_skeleton_alone() -> None:
    assert cross_similarity(part("محمد").skeleton, part("Mohamed").skeleton) == 1.0
    assert cross_similarity(part("ملا").skeleton, part("Mullah").skeleton) == 0.95  # final h
    assert cross_similarity(part("علي").skeleton, part("Ahmad").skeleton) == 0.0


def test_alignment_pairs_each_part_once_best_first() -> None:
    used_q, used_c = align([(0.9, (0,), (0,)), (1.0, (0,), (1,)), (0.85, (1,), (1,)), (0.97, (1,), (0, 2))])
    assert used_q == {0: 1.0, 1: 0.97} and used_c == {1: 1.0, 0: 0.97, 2: 0.97}
    assert coverage([2.0, 6.0], {1: 1.0}) == 0.75
    assert coverage([], {}) == 0.0


_LETTERS = "bdfhjklmnrstwz"
_VOWELS = ["a", "e", "i", "o", "u", "ou", "ee", "aa"]


@st.composite
def near_spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A Latin name part and a spelling near it: vowels changed, a final h, a fused article, a consonant typo."""
    n = draw(st.integers(1, 6))
    cons = [draw(st.sampled_from(_LETTERS)) for _ in range(n)]
    vows = [draw(st.sampled_from(_VOWELS)) for _ in range(n)]
    word = "".join(c + v for c, v in zip(cons, vows, strict=True))
    other = list(vows)
    for _ in range(draw(st.integers(0, 2))):
        other[draw(st.integers(0, n - 1))] = draw(st.sampled_from(_VOWELS))
    cons2 = list(cons)
    if draw(st.booleans()):
        cons2[draw(st.integers(0, n - 1))] = draw(st.sampled_from(_LETTERS))
    near = "".join(c + v for c, v in zip(cons2, other, strict=True))
    near = draw(st.sampled_from(["", "al"])) + near + draw(st.sampled_from(["", "h"]))
    return word, near


@settings(max_examples=400, deadline=None)
@given(near_spellings())
def test_latin_parts_that_are_alike_always_share_a_blocking_key(pair: tuple[str, str]) -> None:
    # Blocking compares a Latin query part only with the forms that share a key with it (one-letter deletions
    # only from LONG_SKELETON consonants on): a pair found alike that shares none would never be found.
    a, b = (name_parts(w) for w in pair)
    if len(a) != 1 or len(b) != 1:
        return
    pa, pb = a[0], b[0]
    if latin_similarity(pa.skeleton, pa.vowels, pb.skeleton, pb.vowels) > 0.0:
        query_keys = {k for k in form_keys(pa.skeleton)
                      if not k.startswith("~") or len(pa.skeleton) >= LONG_SKELETON}
        assert query_keys & form_keys(pb.skeleton), (pa, pb)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abc XYZ-'.1 محمدعلي،ـ\u202e"), max_size=40))
def test_the_fast_parse_equals_the_general_one(text: str) -> None:
    # parse_name skips the split into script runs for all-ASCII and all-Arabic names; nothing else may change.
    assert parse_name(text) == split_and_parse(text)
