"""Issue 15, wave 13: a word of a company's name against the word in the same place of another.

- A shortened word pairs with the word it shortens (Co / Company, Corp / Corporation, Dev / Development, a stem:
  Kurchaloy / Kurchaloyevsky), so the two names are one company.
- Another word in the place of a listed one (Research and Production Complex / Research and Crescent Complex) names
  another company: the listed word costs once more, not only as a word left out.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.finance.name_query import abbreviates
from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant

from .name_parts import best


@pytest.mark.parametrize(("short", "long"), [
    ("co", "company"), ("corp", "corporation"), ("dev", "development"), ("est", "establishment"),
    ("mfg", "manufacturing"), ("ltd", "limited"), ("tamil", "tamilsk"), ("krylov", "krylovsky"),
    ("machine", "machinery"), ("iran", "iranian"),
])
def test_a_shortened_word_abbreviates_the_word(short: str, long: str) -> None:
    assert abbreviates(short, long)
    assert not abbreviates(long, short)


@pytest.mark.parametrize(("short", "long"), [
    ("jt", "juliet"),  # two letters that are not its start: initials as often
    ("rah", "rahab"),  # a short start of more than half the word: another name
    ("atlas", "atlantis"),  # not its start, and vowels
    ("yug", "yusong"),
    ("delta", "development"),
    ("ansar", "ansar"),  # the same word is no abbreviation of itself
])
def test_these_are_no_abbreviations(short: str, long: str) -> None:
    assert not abbreviates(short, long)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdeilmnorstuy", min_size=0, max_size=6), st.text(alphabet="abcdeilmnorstuy", max_size=8))
def test_an_abbreviation_is_shorter_and_starts_alike(short: str, long: str) -> None:
    if abbreviates(short, long):
        assert len(short) >= 2 and len(long) >= len(short) + 2 and short[0] == long[0]
        assert not abbreviates(long, short)
    assert abbreviates(short, short + "xyzxyz") is (len(short) >= 2)


_WORDS = ["Research", "Production", "Complex", "Company", "Engine", "United", "Scientific", "Institute", "Trading",
          "Development", "Police", "Department", "Oil", "Derivatives", "Imports", "Perm", "Engines", "Corporation"]
# Other company names that hold the common words, so that those weigh as little as on the real lists.
FILLER = [NameRecord(f"f{i}", (NameVariant(f"{w} Firm{chr(97 + i % 26)}{chr(97 + i // 26)}x"),), "organization")
          for i, w in enumerate(_WORDS * 12)]
RECORDS = [
    NameRecord("uec", (NameVariant("United Engine Corporation Perm Engines Research and Production Complex"),),
               "organization"),
    NameRecord("aman", (NameVariant("Gasoline Aman Company for Oil Derivatives Imports"),), "organization"),
    NameRecord("kurch", (NameVariant("Kurchaloyevsky Police Department"),), "organization"),
    NameRecord("veb", (NameVariant("State Corporation Bank for Development and Foreign Economic Affairs "
                                   "Vnesheconombank"),), "organization"),
    *FILLER,
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS)


@pytest.mark.parametrize(("query", "entry"), [
    ("United Engine Corp Perm Engines Research and Production Complex", "uec"),
    ("Gasoline Aman Co. for Oil Derivatives Imports", "aman"),
    ("Gasoline Aman Co for Oil Derivatives Imports", "aman"),
    ("Kurchaloy Police Department", "kurch"),
    ("State Corp Bank for Dev and Foreign Economic Affairs Vnesheconombank", "veb"),
])
def test_a_shortened_word_pairs_with_the_listed_word(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(("query", "entry"), [
    ("United Engine Corporation Perm Engines Research and Crescent Complex", "uec"),
    ("State Corporation Bank for Development and Foreign Economic Affairs Delta", "veb"),
])
def test_another_word_in_the_place_of_a_listed_one_names_another_company(index: NameIndex, query: str,
                                                                          entry: str) -> None:
    assert best(index, query, entry) < DEFAULT_THRESHOLD


def test_a_misspelt_word_in_its_place_is_no_other_word(index: NameIndex) -> None:
    # Vneshekonombank is the listed word spelt otherwise: no other company's word.
    assert best(index, "State Corporation Bank for Development and Foreign Economic Affairs Vneshekonombenk",
                "veb") >= DEFAULT_THRESHOLD


def test_a_first_word_in_the_place_of_another_before_a_long_name(index: NameIndex) -> None:
    # Four words or more pair after it: another company's first word (SWAP_FIRST); before a short name a first
    # word left over stays cheap (test_names_siblings: Global / Golden Haokun Energy Trading).
    assert best(index, "Crescent Engine Corporation Perm Engines Research and Production Complex", "uec") \
        < DEFAULT_THRESHOLD
