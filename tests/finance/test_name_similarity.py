"""Part similarity and alignment, the pure core of the name matcher, and the keys blocking relies on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.finance.name_forms import index_keys, parse_name, query_keys, split_and_parse
from basira.finance.name_similarity import (
    END_CONSONANT,
    LONG_SKELETON,
    PART_FLOOR,
    WEIGHT_GAP_FREE,
    align,
    coverage,
    cross_similarity,
    joined_pattern,
    latin_similarity,
    vowel_penalty,
)
from basira.lang.nameparts import KUNYA_PATTERN, NamePart, name_parts


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
        ("Sharif", "Sharifi"),  # a nisba ending makes another family name
        ("Abdallah", "Abdollahi"),
        ("Mohammadi", "Mohammad"),
    ],
)
def test_different_latin_names_are_not_alike(a: str, b: str) -> None:
    assert latin(a, b) == 0.0, (part(a), part(b))


def test_cross_script_similarity_uses_the_skeleton_alone() -> None:
    assert cross_similarity(part("محمد").skeleton, part("Mohamed").skeleton) == 1.0
    assert cross_similarity(part("ملا").skeleton, part("Mullah").skeleton) == 0.95  # final h
    assert cross_similarity(part("علي").skeleton, part("Ahmad").skeleton) == 0.0


def test_a_consonant_more_at_an_end_of_a_short_skeleton_is_barely_alike_across_scripts() -> None:
    # Jaro-Winkler alone finds these near-identical (0.94): the shared start earns a bonus.
    assert cross_similarity(part("ماهر").skeleton, part("Meherez").skeleton) == END_CONSONANT
    assert cross_similarity(part("الأحمد").skeleton, part("Hamdouni").skeleton) == END_CONSONANT
    assert cross_similarity(part("منصور").skeleton, part("Nasr").skeleton) <= END_CONSONANT
    assert cross_similarity(part("ماهر").skeleton, part("Meherez").skeleton) ** 2 < PART_FLOOR  # two: no alert
    # The next word's article glued on (Ansarul Muslimina) is no other name.
    assert cross_similarity(part("أنصار").skeleton, part("Ansarul").skeleton) > END_CONSONANT
    assert cross_similarity(part("ځدران").skeleton, part("Zadran").skeleton) == 1.0  # Pashto letters are mapped
    assert cross_similarity(part("نصرة").skeleton, part("Nusrat").skeleton) == 0.95  # ta marbuta written t
    assert cross_similarity(part("صلاح").skeleton, part("Shalah").skeleton) >= PART_FLOOR  # ص written sh


def vowels(arabic: str, latin_name: str) -> float:
    return vowel_penalty(part(arabic).pattern, part(latin_name).pattern)


@pytest.mark.parametrize(
    ("arabic", "latin_name"),
    [
        ("جمال", "Jamal"),
        ("جمال", "Djamal"),
        ("جمال", "Jamel"),  # e for ā (imala)
        ("هشام", "Hichem"),
        ("شحادة", "Shehadeh"),  # ta marbuta as -eh, the final h left over
        ("شحادة", "Shahada"),
        ("حسين", "Hussein"),
        ("حسين", "Husayn"),
        ("سعيد", "Saeed"),
        ("مروان", "Marwan"),
        ("يحيى", "Yehia"),
        ("أسامة", "Oussama"),
        ("عيسى", "Issa"),
        ("حقانى", "Haqqani"),  # a final ى that is ī (Dari)
        ("موسى", "Musa"),  # ... and one that is ā
        ("خيرالله", "Khairullah"),  # the alef of Allah's article is no vowel
        ("الحسيني", "Husseini"),
        ("محمد", "Mohamed"),  # no long vowel written: nothing to check
        ("طالع", "Tali"),  # the i before a final ʿayn is no nisba
        ("الصبار", "Essabar"),  # a fused assimilated article on the Latin side
    ],
)
def test_long_vowels_that_agree_cost_nothing(arabic: str, latin_name: str) -> None:
    assert vowels(arabic, latin_name) == 0.0


@pytest.mark.parametrize(
    ("arabic", "latin_name"),
    [
        ("جمال", "Jamil"),  # ā written i
        ("حسين", "Hassan"),  # ī written a
        ("منى", "Ayman"),  # the Latin starts with a vowel, the Arabic with a consonant
        ("رنا", "Iran"),
        ("الحسيني", "Hussein"),  # a nisba on one side only
        ("حسين", "Husseini"),
    ],
)
def test_long_vowels_that_contradict_make_another_name(arabic: str, latin_name: str) -> None:
    assert 1.0 - vowels(arabic, latin_name) < PART_FLOOR


def test_a_vowel_left_out_costs_less_than_one_spelt_otherwise() -> None:
    assert 0.0 < vowels("أحمد", "Hamad") < vowels("جمال", "Jamil")  # no initial vowel (Brahim for إبراهيم)
    assert vowel_penalty("", "jAmIl") == 0.0  # a compound without a pattern is not checked
    assert vowels("جمال", "Jamaludin") == 0.0  # consonants that do not line up: nothing to say


def test_a_kunya_pairs_only_with_a_kunya() -> None:
    assert vowel_penalty(KUNYA_PATTERN, KUNYA_PATTERN) == 0.0
    assert vowel_penalty(part("الأيوبي").pattern, KUNYA_PATTERN) == 1.0
    assert joined_pattern(KUNYA_PATTERN, "bkr") == ""
    assert joined_pattern("bAsl", "^lI") == "bAslI"  # باسل العلي read as one word


def test_swapped_parts_that_are_only_alike_lose_twice_their_shortfall() -> None:
    in_order, _ = align([(0.9, (0,), (0,)), (1.0, (1,), (1,))])
    assert in_order == {0: 0.9, 1: 1.0}
    swapped, _ = align([(0.9, (0,), (1,)), (1.0, (1,), (0,))])
    assert swapped == {0: pytest.approx(0.8), 1: 1.0}
    both, _ = align([(0.85, (0,), (1,)), (0.95, (1,), (0,))])
    assert both == {0: 0.0, 1: pytest.approx(0.9)}  # 0.85 swapped falls below the floor
    exact, _ = align([(1.0, (0,), (1,)), (1.0, (1,), (0,))])
    assert exact == {0: 1.0, 1: 1.0}  # word order is free when the parts are the same


def test_a_loose_pair_explains_no_more_than_the_commoner_part_holds() -> None:
    used_q, used_c = align([(0.9, (0,), (0,)), (1.0, (1,), (1,))], [8.0, 4.0], [2.0, 4.0])
    # The weights' ratio (2/8) costs only past WEIGHT_GAP_FREE.
    assert used_q == {0: pytest.approx(0.9 * 2 / 8 / WEIGHT_GAP_FREE), 1: 1.0} and used_c == {0: 0.9, 1: 1.0}
    # A slip of a rare name weighs a little more than the name (a part no list holds): no cost.
    used_q, _ = align([(0.9, (0,), (0,)), (1.0, (1,), (1,))], [8.0, 4.0], [6.0, 4.0])
    assert used_q[0] == pytest.approx(0.9)
    close_q, _ = align([(0.95, (0,), (0,))], [8.0], [2.0])
    assert close_q == {0: 0.95}  # another spelling of one name (Hamada / حماده) keeps its weight


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
        looked_up = {k for k in query_keys(pa.skeleton, True)
                     if not k.startswith("~") or len(pa.skeleton) >= LONG_SKELETON}
        assert looked_up & index_keys(pb.skeleton), (pa, pb)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abc XYZ-'.1 محمدعلي،ـ\u202e"), max_size=40))
def test_the_fast_parse_equals_the_general_one(text: str) -> None:
    # parse_name skips the split into script runs for all-ASCII and all-Arabic names; nothing else may change.
    assert parse_name(text) == split_and_parse(text)
