"""Issue 15, wave 11: two persons whose first given names are both left over, the rest of their names the same,
are more likely siblings than one person (Mohammad / Khawla Barzan Ibrahim Hasan al-Tikriti): the parts left over
cost in full. A company's first word left over on both sides stays cheap."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant

from .name_parts import best

FAMILY = "Barzan Ibrahim Hasan al-Tikriti"
# Common given names (held by 20 or more listed names, COMMON_FIRST), so that one left over alone costs little.
# The family's parts are common on the lists too (Ibrahim, Hasan, al-Tikriti, Salih), as they are on UN + OFAC.
_COMMON = ["Mohammad", "Khawla", "Said", "Muhammad", "Ibrahim Hasan al-Tikriti", "Salih Abd-Rabbuh"]
FILLER = [NameRecord(f"f{i}", (NameVariant(f"{g} Filler{chr(97 + i % 26)}{chr(97 + i // 26)}x"),), "person")
          for i, g in enumerate(_COMMON * 25)]
# Common first words of company names.
FIRMS = [NameRecord(f"c{i}", (NameVariant(f"{g} Firm{chr(97 + i % 26)}{chr(97 + i // 26)}x"),), "organization")
         for i, g in enumerate(["Global", "Golden"] * 25)]
RECORDS = [
    NameRecord("mohammad", (NameVariant(f"Mohammad {FAMILY}"),), "person"),
    NameRecord("khawla", (NameVariant(f"Khawla {FAMILY}"),), "person"),
    NameRecord("omgy", (NameVariant("Said Salih Abd-Rabbuh al-Omgy"),), "person"),
    NameRecord("zaw", (NameVariant("Ayman al-Zawahiri"),), "person"),
    NameRecord("firm", (NameVariant("Global Haokun Energy Trading"),), "organization"),
    *FILLER, *FIRMS,
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS)


@pytest.mark.parametrize(("query", "entry"), [
    (f"Khawla {FAMILY}", "mohammad"),  # his sister
    (f"Mohammad {FAMILY}", "khawla"),
    ("Muhammad Salih Abd-Rabbuh al-Omgy", "omgy"),  # his brother
])
def test_siblings_do_not_alert_on_each_other(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) < DEFAULT_THRESHOLD


@pytest.mark.parametrize(("query", "entry"), [
    (f"Khawla {FAMILY}", "khawla"),
    ("Said Salih Abd-Rabbuh al-Omgy", "omgy"),
    ("Mohammad Ayman al-Zawahiri", "zaw"),  # a given name more in front: the listed first part pairs
    ("Golden Haokun Energy Trading", "firm"),  # a company: another common first word before the same name
])
def test_a_part_more_still_alerts(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) >= DEFAULT_THRESHOLD


GIVEN = ["Omar", "Hassan", "Khalid", "Yusuf", "Karim", "Tariq"]
REST = st.lists(st.sampled_from(["Nabil", "Farouk", "Haddad", "Qasim", "Salloum", "Mansour", "Zaidan"]),
                min_size=2, max_size=3, unique=True)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(GIVEN), st.sampled_from(GIVEN), REST)
def test_the_rule_only_lowers_and_only_when_both_first_parts_differ(a: str, b: str, rest: list[str]) -> None:
    """The same two names, listed as a person and as an organization: the person never scores more, and the
    same whenever the first parts pair."""
    query, listed = " ".join([a, *rest]), " ".join([b, *rest])
    person = NameIndex.build([NameRecord("x", (NameVariant(listed),), "person")])
    other = NameIndex.build([NameRecord("x", (NameVariant(listed),), "organization")])
    p, o = best(person, query, "x"), best(other, query, "x")
    assert p <= o
    if a == b:
        assert p == o
