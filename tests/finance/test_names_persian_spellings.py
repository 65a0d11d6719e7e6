"""Persian names against their Latin spellings (issue 15, wave 12): what the written vowels of the two sides say when
they cannot be lined up unit for unit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.finance.name_parts import best, part

from basira.finance.name_similarity import VOWEL_CONTRADICTION, cross_similarity, vowel_penalty
from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant
from basira.lang.translit import arabic_vowel_pattern, arabic_word_key


@pytest.mark.parametrize(("latin_name", "arabic"), [
    ("Khavajeh", "خواجه"),  # a v the Arabic writes as a vowel, and a final h both sides write
    ("Khavarmianeh", "خاورمیانه"),
    ("Zavieh", "زاویه"),
])
def test_a_final_h_both_sides_write_is_no_h_the_arabic_lacks(latin_name: str, arabic: str) -> None:
    # The Latin has a unit more (a v that vanishes across scripts), and both end in h: the h is no extra letter
    # to drop before lining the vowels up, which would line them up one consonant off. They stay unchecked.
    lat, ar = part(latin_name), part(arabic)
    assert cross_similarity(lat.skeleton, ar.skeleton) == 1.0
    assert vowel_penalty(ar.pattern, lat.pattern) == 0.0


@pytest.mark.parametrize(("latin_name", "arabic"), [("Shehadeh", "شحادة"), ("Hamzah", "حمزة")])
def test_a_final_h_the_arabic_lacks_is_still_set_aside(latin_name: str, arabic: str) -> None:
    assert vowel_penalty(part(arabic).pattern, part(latin_name).pattern) == 0.0


def test_a_long_vowel_spelt_otherwise_still_contradicts() -> None:
    assert vowel_penalty(part("جمال").pattern, part("Jamil").pattern) == VOWEL_CONTRADICTION


RECORDS = [
    NameRecord("khajeh", (NameVariant("محمد خواجه"),), "person"),
    NameRecord("zavieh", (NameVariant("شهرام علی رضا تمرزاده زاویه جکی"),), "person"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS)


@pytest.mark.parametrize(("query", "entry"), [
    ("Muhammad Khavajeh", "khajeh"),
    ("Shahram Ali Reza Tamarzadeh Zavieh Jakki", "zavieh"),
])
def test_these_persian_spellings_alert_on_the_listed_name(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) >= DEFAULT_THRESHOLD


# --- the silent w of Persian خوا ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("latin_name", "arabic"), [
    ("Khajeh", "خواجه"),
    ("Khaje", "خواجه"),
    ("Khwaja", "خواجه"),
    ("Havaja", "خواجه"),  # and the h of a Turkish spelling
    ("Khansari", "خوانساری"),
])
def test_the_silent_w_of_khwa_writes_no_vowel(latin_name: str, arabic: str) -> None:
    lat, ar = part(latin_name), part(arabic)
    assert cross_similarity(lat.skeleton, ar.skeleton) >= 0.95
    assert vowel_penalty(ar.pattern, lat.pattern) == 0.0


_ARABIC = "ابتجحخدرسعفقلمنهوی"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ARABIC, max_size=4), st.text(alphabet=_ARABIC, max_size=4))
def test_khwa_is_written_as_kha(before: str, after: str) -> None:
    # The vowel pattern of a word with خوا is that of the word with the silent w left out (خا), the skeleton the same.
    word = before + "خوا" + after
    without = word.replace("خوا", "خا")
    assert arabic_vowel_pattern(word) == arabic_vowel_pattern(without)
    assert arabic_word_key(word)[0] == arabic_word_key(without)[0]


def test_a_w_that_is_no_silent_one_is_still_a_vowel() -> None:
    assert arabic_vowel_pattern("خورشید") == "kUrxId"  # Khorshid: the w before r is ū
