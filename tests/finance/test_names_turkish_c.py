"""The Turkish c of ج (issue 15, wave 13): across scripts a Latin c may be ج, Cihad / جهاد, Cemil / جميل, Cafer /
جعفر, Recep / رجب, Casim / جاسم; a c before e, i or y may also be the s of English and French spellings (Cyrus /
سيروس, Lucien / لوسيان). Between two Latin spellings a c stays k, Cemal is Kemal's spelling, and is Jamal's only a
little less alike (test_names_cross_latin)."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tests.finance.name_parts import (
    assert_one_name_across_scripts,
    assert_read_alike_between_latin_spellings,
    best,
    latin,
    part,
)

from basira.finance.name_forms import latin_form_keys
from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant
from basira.lang.translit import (
    _CEDILLA_C,
    _SOFT_C,
    latin_word_key,
    skeleton_variants,
    slavic_fold,
)


@pytest.mark.parametrize(("latin_name", "arabic"), [
    ("Cihad", "جهاد"),
    ("Cemil", "جميل"),
    ("Cafer", "جعفر"),
    ("Recep", "رجب"),
    ("Casim", "جاسم"),
    ("Cabir", "جابر"),
    ("Naci", "ناجی"),
    ("Cyrus", "سيروس"),  # the s of an English c before y
    ("Lucien", "لوسيان"),  # and of a French one before i
    ("Kocak", "کوچک"),  # a ç without its cedilla, as before
    ("Camal", "كمال"),  # and still k
])
def test_a_latin_c_meets_jim_across_scripts(latin_name: str, arabic: str) -> None:
    assert_one_name_across_scripts(latin_name, arabic)


@pytest.mark.parametrize(("a", "b"), [("Cemal", "Jamal"), ("Cihad", "Jihad"), ("Cyrus", "Sirus")])
def test_a_c_is_no_j_or_s_between_latin_spellings(a: str, b: str) -> None:
    assert latin(a, b) == 0.0
    assert latin_form_keys(part(a).skeleton).isdisjoint(latin_form_keys(part(b).skeleton))


@pytest.mark.parametrize(("a", "b"), [("Cemal", "Kemal"), ("Cihad", "Kihad"), ("Cyrus", "Kyrus")])
def test_a_c_is_still_k_between_latin_spellings(a: str, b: str) -> None:
    assert latin(a, b) == 1.0


@pytest.mark.parametrize("word", ["mecci", "accident", "scipio", "schiller", "kci"])
def test_a_c_after_s_or_next_to_a_k_is_k(word: str) -> None:
    skel, _ = latin_word_key(word)
    assert "ȼ" not in skel


def _k(word: str) -> str:
    return _SOFT_C.sub("k", _CEDILLA_C.sub("k", word))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdeghijklmnoqrstuxyz", min_size=1, max_size=12))
def test_a_c_moves_no_latin_key_and_no_weight(word: str) -> None:
    # What Latin spellings are compared on (the plain skeleton, the vowel form, the vowel pattern, the keys) and
    # what a part weighs by (the first spelling of its skeleton) are those of the word with its marked c written k.
    assert_read_alike_between_latin_spellings(word, _k(word))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abceilmnorstuyz", min_size=1, max_size=8))
def test_a_c_is_also_read_as_jim_across_scripts(word: str) -> None:
    # Across scripts the marked skeleton is also spelt as the word with every marked c written j (at most eight
    # spellings are kept: a word of several markers keeps its first; no j that a Slavic ending would fold away, nor
    # one that makes dj or the Dutch sj).
    j_word = _SOFT_C.sub("j", _CEDILLA_C.sub("j", word))
    assume(slavic_fold(j_word).count("j") == j_word.count("j") and not re.search("[ds]j", j_word))  # digraphs
    skel, _ = latin_word_key(word)
    j_skel, _ = latin_word_key(j_word)
    j_skel = j_skel.replace("ĵ", "j")  # the j read as j (a j before a vowel may also be a German y: wave 14)
    if len(skeleton_variants(skel)) < 8:
        assert set(skeleton_variants(j_skel)) <= set(skeleton_variants(skel))


RECORDS = [
    NameRecord("cihad", (NameVariant("جهاد العرب"),), "person"),
    NameRecord("casim", (NameVariant("خالد كاظم جاسم السكيني"),), "person"),
    NameRecord("jamal", (NameVariant("Jamal Hassan Tekriti"),), "person"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS)


@pytest.mark.parametrize(("query", "entry"), [
    ("Cihad Arab", "cihad"),
    ("Halid Kazim Casim Alskeni", "casim"),
])
def test_these_turkish_spellings_alert_on_the_listed_name(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) >= DEFAULT_THRESHOLD


def test_cemal_is_jamal_spelt_another_way(index: NameIndex) -> None:
    # Between two Latin spellings a c is k (Cemal is Kemal's spelling, latin() above), and also, a little less
    # alike, the Turkish spelling of the j of جمال (cross_latin_similarity: test_names_cross_latin).
    score = best(index, "Cemal Hassan Tekriti", "jamal")
    assert DEFAULT_THRESHOLD <= score < best(index, "Jamal Hassan Tekriti", "jamal")
