"""Issue 15, wave 15: an organization's name with its generic words in another language (French, Spanish,
Portuguese, Italian, German, Dutch, Turkish, Indonesian) is the listed name: "NAMCHONGANG HANDEL CORPORATION" is
"NAMCHONGANG TRADING CORPORATION", "ARMÉE ISLAMIQUE D'ADEN" the Islamic Army of Aden. Both readings of a name are
scored, the one as written and the one in English, so a spelling the table does not know (Jemaah Islamiyah) or a
word split in two keeps what it had; a word of a legal form (S.A. de C.V.) stays one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.finance.name_parts import best

from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant
from basira.lang.scripts import _TRANSLATED_WORDS, normalize_name, translate_org_words

RECORDS = [
    NameRecord("namchon", (NameVariant("NAMCHONGANG TRADING CORPORATION"),), "organization"),
    NameRecord("aden", (NameVariant("ISLAMIC ARMY OF ADEN"),), "organization"),
    NameRecord("zadna", (NameVariant("Zadna International Company for Investment Limited"),), "organization"),
    NameRecord("eden", (NameVariant("INVERSIONES EL EDEN LTDA."),), "organization"),
    NameRecord("ministry", (NameVariant("MINISTRY OF CULTURE AND ISLAMIC GUIDANCE"),), "organization"),
    NameRecord("ji", (NameVariant("Jemaah Islamiyah"),), "organization"),
    NameRecord("leon", (NameVariant("Oscar MALHERBE DE LEON"),), "person"),
    NameRecord("kalan", (NameVariant("kalan kish shipping co"),), "organization"),
    NameRecord("other", (NameVariant("SOUTH STAR TRADING CORPORATION"),), "organization"),
]


# Other companies, so that the words above weigh as in a real list (a tiny index finds every name short of
# information).
_FILLER = [NameRecord(f"filler{i}", (NameVariant(f"{a} {b} {c}"),), "organization")
           for i, (a, b, c) in enumerate((a, b, c) for a in ("ALPHA", "BOREAL", "CEDAR", "DELTA", "EMBER", "FALCON")
                                         for b in ("MARINE", "STEEL", "GRAIN", "TEXTILE", "CHEMICAL")
                                         for c in ("LIMITED", "TRADING COMPANY", "HOLDINGS"))]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS + _FILLER)


@pytest.mark.parametrize(("query", "entry"), [
    ("NAMCHONGANG HANDEL CORPORATION", "namchon"),  # German
    ("NAMCHONGANG COMERCIO CORPORATION", "namchon"),  # Spanish
    ("ARMÉE ISLAMIQUE DE ADEN", "aden"),  # French, the adjective after its noun
    ("EJÉRCITO ISLÁMICO DE ADEN", "aden"),
    ("ZADNA COMPAÑÍA INTERNACIONAL PARA INVERSIONES LIMITED", "zadna"),
    ("INVESTMENT EL EDEN", "eden"),  # the listed name is the foreign one: it is indexed in English too
    ("INNVERSIONES EL EDEN", "eden"),  # a slip in a long translated word
    ("MINISTÈRE DE CULTURE ET ISLAMIC GUIDANCE", "ministry"),
    ("KALAN KISH NAVIERA", "kalan"),
])
def test_translated_names_alert(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(("query", "entry"), [
    ("Jemaah Islamiah", "ji"),  # a spelling the table does not know: the written reading still meets it
    ("Oscar MALHERBE DELEON", "leon"),  # de is "of" in the English reading only: DeLeon still meets De Leon
])
def test_the_written_reading_is_kept(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) >= DEFAULT_THRESHOLD


def test_another_company_with_the_same_generic_words_does_not_alert(index: NameIndex) -> None:
    hits = {h.entry_id: h.score for h in index.query("NORTH MOON COMERCIO CORPORATION")}
    assert hits.get("other", 0.0) < DEFAULT_THRESHOLD and hits.get("namchon", 0.0) < DEFAULT_THRESHOLD


@pytest.mark.parametrize(("text", "expected"), [
    ("NAMCHONGANG HANDEL CORPORATION", "NAMCHONGANG trading CORPORATION"),
    ("COMPAÑÍA NACIONAL DE PETRÓLEO", "company national of oil"),
    ("Ministère de la Défense", "ministry of la defence"),
    ("Abu Bakr et-Tayeb", "Abu Bakr et-Tayeb"),  # the Arabic article before t
    ("ACME S.A. DE C.V.", "ACME S.A. DE C.V."),  # a legal form's words stay
    ("SIEMENS GESELLSCHAFT MIT BESCHRAENKTER HAFTUNG", "SIEMENS GESELLSCHAFT MIT BESCHRAENKTER HAFTUNG"),
    ("Jemaah Islamiyah", "Jemaah Islamiyah"),  # Arabic words are not in the table
    ("Per Olsen", "Per Olsen"),
])
def test_translate_org_words(text: str, expected: str) -> None:
    assert translate_org_words(text) == expected


def test_legal_forms_still_set_aside_after_translation() -> None:
    assert normalize_name(translate_org_words("ACME S.A. DE C.V.")) == "ACME"


def test_every_translated_word_is_folded_ascii() -> None:
    for english, words in _TRANSLATED_WORDS.items():
        assert english.isascii() and english.islower()
        for w in words:
            assert w.isascii() and w.islower() and w.isalpha(), w


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_translation_is_stable_and_never_fails(text: str) -> None:
    once = translate_org_words(text)
    assert translate_org_words(once) == once
