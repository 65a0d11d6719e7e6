"""The h of Turkish spellings for خ (issue 15, wave 12): across scripts an Arabic-script خ is k (Khalil, Akhund) or
h (Halil / خلیل, Haled / خالد, Ahund / آخوند, Hiabani / خیابانی); between two Arabic-script parts it stays k, as it
was, so خالد is no حالد; Latin parts are not touched."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.finance.name_parts import best, part

from basira.finance.name_forms import index_keys, query_keys
from basira.finance.name_similarity import cross_similarity, vowel_penalty
from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant
from basira.lang.translit import arabic_plain, arabic_vowel_pattern, arabic_word_key, skeleton_variants


@pytest.mark.parametrize(("latin_name", "arabic"), [
    ("Halil", "خلیل"),
    ("Haled", "خالد"),
    ("Ahund", "آخوند"),
    ("Hiabani", "خیابانی"),
    ("Mofahami", "مفخمی"),
    ("Khalil", "خلیل"),  # and kh, as before
    ("Akhund", "آخوند"),
])
def test_kha_meets_a_latin_h_across_scripts(latin_name: str, arabic: str) -> None:
    lat, ar = part(latin_name), part(arabic)
    assert cross_similarity(lat.skeleton, ar.skeleton) == 1.0
    assert vowel_penalty(ar.pattern, lat.pattern) == 0.0
    assert query_keys(lat.skeleton, True) & index_keys(ar.skeleton)
    assert query_keys(ar.skeleton, False) & index_keys(lat.skeleton)


_ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويةىءأإآ"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ARABIC, min_size=1, max_size=8))
def test_kha_moves_no_arabic_comparison_and_no_weight(word: str) -> None:
    # Between two Arabic-script parts (arabic_plain) and for a part's weight (the first spelling of its skeleton),
    # a word with خ is what it was when خ was k, as ق and ك are: the word with its خ written ك.
    skel, vowels = arabic_word_key(word)
    k_skel, k_vowels = arabic_word_key(word.replace("خ", "ك"))
    assert arabic_plain(skel) == k_skel
    assert skeleton_variants(skel)[0] == skeleton_variants(k_skel)[0]
    assert vowels.replace("ꜧ", "k") == k_vowels
    if "خوا" not in word:  # the silent w of Persian خوا is خ's own (خواجه / Khajeh): كوا writes its vowel
        assert len(arabic_vowel_pattern(word)) == len(arabic_vowel_pattern(word.replace("خ", "ك")))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ARABIC.replace("غ", "").replace("ق", "").replace("ك", ""), min_size=1, max_size=6))
def test_kha_is_also_read_as_h_across_scripts(word: str) -> None:
    # (Without غ, ق and ك: a خ next to one of them is one k with it, as it was before its marker.)
    skel, _ = arabic_word_key(word)
    h_skel, _ = arabic_word_key(word.replace("خ", "ح"))
    if len(skeleton_variants(skel)) < 8:
        assert set(skeleton_variants(h_skel)) <= set(skeleton_variants(skel))


def test_kha_next_to_another_k_is_one_k_with_it() -> None:
    assert arabic_word_key("شیخق")[0] == arabic_word_key("شیکق")[0] == "xk"


RECORDS = [
    NameRecord("halil", (NameVariant("خلیل احمد حقانی"),), "person"),
    NameRecord("ahund", (NameVariant("محمد عیسی آخوند"),), "person"),
    NameRecord("khalid", (NameVariant("خالد عبد الله الزبيدي"),), "person"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS)


@pytest.mark.parametrize(("query", "entry"), [
    ("Halil Ahmed Hakkani", "halil"),
    ("Mohammed Essa Ahund", "ahund"),
])
def test_these_turkish_spellings_alert_on_the_listed_name(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) >= DEFAULT_THRESHOLD


def test_ha_is_no_kha_between_arabic_script_names(index: NameIndex) -> None:
    # حالد is another word than خالد between two Arabic-script names, as before the marker.
    assert best(index, "خالد عبد الله الزبيدي", "khalid") == 1.0
    assert best(index, "حالد عبد الله الزبيدي", "khalid") < best(index, "Haled Abdullah Zubaidi", "khalid")
