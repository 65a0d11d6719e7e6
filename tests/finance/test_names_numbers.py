"""Issue 15, wave 11: what tells two otherwise equal names apart by number. A Roman numeral ending a name is a
number ("BICENTENARIO XII" is not "BICENTENARIO XI"), an aircraft's registration mark is an identifier whose
letters are compared exactly ("EP-ITC" is not "EP-ITG", though c, k and g are one consonant class), and a country
in brackets names a branch ("AL-HARAMAIN FOUNDATION (KENYA)" is not its "(PAKISTAN)" branch)."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from basira.finance import name_numbers
from basira.finance.name_numbers import (
    bracketed_countries,
    identifiers,
    registration_mark,
    roman_value,
    told_apart,
    trailing_roman,
)
from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant
from basira.lang.countries import code_in, country_code, country_table

from .name_parts import best

RECORDS = [
    NameRecord("bic11", (NameVariant("BICENTENARIO XI"),), "vessel"),
    NameRecord("bic2", (NameVariant("BICENTENARIO II"),), "vessel"),
    NameRecord("rim2", (NameVariant("RIM GROUP INVESTMENTS II CORP."),), "organization"),
    NameRecord("plane", (NameVariant("EP-ITG"),), "aircraft"),
    NameRecord("alali", (NameVariant("AL-ALI"),), "person"),  # a person's name shaped like a mark
    NameRecord("xi", (NameVariant("XI Jinping"),), "person"),
    NameRecord("louis", (NameVariant("Louis Charles XIV Bourbon"),), "person"),
    NameRecord("kenya", (NameVariant("AL-HARAMAYN FOUNDATION (KENYA)"),), "organization"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS)


@pytest.mark.parametrize(("word", "value"), [
    ("I", 1), ("II", 2), ("III", 3), ("IV", 4), ("V", 5), ("IX", 9), ("XI", 11), ("XII", 12), ("XIV", 14),
    ("XVI", 16), ("XXXIX", 39),
    ("ii", None),  # lower case: a word, not a numeral (Ansar-i, al-Yafi'i)
    ("Xi", None),  # a Chinese family name
    ("IIII", None), ("VV", None), ("IC", None),  # not numerals
    ("CC", None), ("L", None), ("M", None),  # C, D, L, M: initials and legal forms far more often
])
def test_roman_values(word: str, value: int | None) -> None:
    assert roman_value(word) == value


@pytest.mark.parametrize(("name", "value"), [
    ("BICENTENARIO XII", 12),
    ("RIM GROUP INVESTMENTS I CORP.", 1),  # the legal form after it is set aside first
    ("GALERIA PAGE I", 1),
    ("XI Jinping", None),  # first: a name
    ("Promet I Usluge", None),  # inside: Serbian "and"
    ("Tatiana V CHERNYKH", None),  # an initial
    ("XII", None),  # a name of one word
])
def test_a_roman_numeral_counts_only_at_the_end(name: str, value: int | None) -> None:
    assert trailing_roman(name) == value


@pytest.mark.parametrize(("name", "mark"), [
    ("EP-ITC", "EPITC"), ("YK-AKA", "YKAKA"), ("4L-GEO", "4LGEO"), ("ep-itc", "EPITC"),
    ("EP ITC", None), ("Mahan Air", None), ("ABU-ALI", None), ("YV3434", None),
])
def test_registration_marks(name: str, mark: str | None) -> None:
    assert registration_mark(name) == mark


@pytest.mark.parametrize(("name", "codes"), [
    ("AL-HARAMAYN FOUNDATION (KENYA)", {"KE"}),
    ("AL-HARAMAIN FOUNDATION (PAKISTAN)", {"PK"}),
    ("Bank (Iran) Branch (Jordan)", {"IR", "JO"}),
    ("JAMAAT-UL-AHRAR (Jamaat-e-Ahrar)", set()),  # an alias in brackets, no country
    ("Michael Jordan", set()),  # a country's name outside brackets is left alone
])
def test_bracketed_countries(name: str, codes: set[str]) -> None:
    assert bracketed_countries(name) == codes


def test_identifiers_tell_apart_only_when_both_sides_hold_one() -> None:
    assert told_apart(identifiers("BICENTENARIO XII", False), identifiers("BICENTENARIO XI", False))
    assert not told_apart(identifiers("BICENTENARIO XI", False), identifiers("BICENTENARIO 11", False))
    assert not told_apart(identifiers("GALERIA PAGE I", False), identifiers("GALERIA PAGE", False))
    assert told_apart(identifiers("EP-ITC", True), identifiers("EP-ITG", True))
    assert not told_apart(identifiers("EP-ITC", True), identifiers("ep-itc", True))
    # A mark and a number are compared each with its own kind: YV-3434 against a listed YV3434 is the same 3434.
    assert not told_apart(identifiers("YV-3434", True), identifiers("YV3434", True))
    # A name shaped like a mark is none unless the listed entry is an aircraft.
    assert identifiers("AL-ALI", False) == frozenset()
    kenya = identifiers("AL-HARAMAYN FOUNDATION (KENYA)", False)
    assert told_apart(kenya, identifiers("AL-HARAMAIN FOUNDATION (PAKISTAN)", False))
    assert not told_apart(kenya, identifiers("Al-Haramain Foundation (Kenya)", False))
    assert not told_apart(kenya, identifiers("AL-HARAMAYN FOUNDATION", False))
    # One shared country is enough: a branch named with two countries is the branch of either.
    assert not told_apart(kenya, identifiers("AL-HARAMAIN FOUNDATION (Kenya) (Tanzania)", False))


def test_numerals_and_marks_tell_entries_apart(index: NameIndex) -> None:
    hits = {h.entry_id: h for h in index.query("BICENTENARIO XII", limit=20)}
    assert not hits["bic11"].alert and "number_mismatch" in hits["bic11"].features
    assert best(index, "BICENTENARIO XI", "bic11") >= DEFAULT_THRESHOLD
    # Digits for the numeral: no number against it (the numeral stays a name part, so the names still differ).
    assert all("number_mismatch" not in h.features for h in index.query("BICENTENARIO 11") if h.entry_id == "bic11")
    assert best(index, "Bicentenario II", "bic2") >= DEFAULT_THRESHOLD
    assert best(index, "RIM GROUP INVESTMENTS I CORP.", "rim2") < DEFAULT_THRESHOLD
    assert best(index, "RIM GROUP INVESTMENTS II LIMITED", "rim2") >= DEFAULT_THRESHOLD
    assert best(index, "EP-ITC", "plane") < DEFAULT_THRESHOLD
    assert best(index, "EP-ITG", "plane") >= DEFAULT_THRESHOLD
    assert best(index, "AL-ALY", "alali") == best(index, "AL ALY", "alali")  # a person: no mark
    assert best(index, "XI Jinping", "xi") >= DEFAULT_THRESHOLD
    assert best(index, "AL-HARAMAIN FOUNDATION (PAKISTAN)", "kenya") < DEFAULT_THRESHOLD
    assert best(index, "Al-Haramain Foundation (Kenya)", "kenya") >= DEFAULT_THRESHOLD


_NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI"]
_WORDS = st.lists(st.sampled_from(["Asia", "Bridge", "Star", "Ocean", "Rim", "Group", "Nur", "Salam", "Golden"]),
                  min_size=1, max_size=3).map(" ".join)


@given(st.integers(1, 16))
def test_roman_numerals_read_as_their_values(n: int) -> None:
    assert roman_value(_NUMERALS[n - 1]) == n


@given(_WORDS, st.integers(1, 16), st.integers(1, 16))
def test_a_trailing_numeral_tells_apart_exactly_when_the_number_differs(name: str, a: int, b: int) -> None:
    """A numeral and its digits are one number; two different numbers are told apart, either way round."""
    ra, rb = identifiers(f"{name} {_NUMERALS[a - 1]}", False), identifiers(f"{name} {_NUMERALS[b - 1]}", False)
    assert told_apart(ra, rb) == (a != b) == told_apart(rb, ra)
    assert not told_apart(ra, identifiers(f"{name} {a}", False))


@given(_WORDS)
def test_names_without_numbers_hold_no_identifier(name: str) -> None:
    assert identifiers(name, False) == frozenset() and identifiers(name.upper(), True) == frozenset()


_COUNTRIES = ["Kenya", "Pakistan", "Tanzania", "Somalia", "Iraq", "Indonesia", "Albania"]


@given(_WORDS, st.sampled_from(_COUNTRIES), st.sampled_from(_COUNTRIES))
def test_a_bracketed_country_tells_apart_exactly_when_the_countries_differ(name: str, a: str, b: str) -> None:
    ra, rb = identifiers(f"{name} ({a})", False), identifiers(f"{name} ({b.upper()})", False)
    assert told_apart(ra, rb) == (a != b) == told_apart(rb, ra)
    assert not told_apart(ra, identifiers(name, False))


def test_a_saved_index_tells_branches_apart_without_babel(index: NameIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index keeps its table of country names (and saves it), so that no query loads Babel's locale data."""
    index.ready()
    loaded = pickle.loads(pickle.dumps(index))

    def no_babel(text: str) -> str:
        raise AssertionError(f"country_code({text!r}) called on the query path")

    monkeypatch.setattr(name_numbers, "country_code", no_babel)
    hits = {h.entry_id: h for h in loaded.query("AL-HARAMAIN FOUNDATION (PAKISTAN)", limit=20)}
    assert "number_mismatch" in hits["kenya"].features and not hits["kenya"].alert


_TABLE = country_table()


@given(st.one_of(st.sampled_from(sorted(_TABLE)), st.sampled_from(["KE", "pk", "GBR", "Iran (Islamic Republic of)",
                                                                 "Royaume-Uni", "Narnia", "", "Zz"])))
def test_code_in_a_kept_table_answers_as_country_code(text: str) -> None:
    assert code_in(_TABLE, text) == country_code(text)
