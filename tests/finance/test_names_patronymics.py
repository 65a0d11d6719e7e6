"""A Slavic family name and the patronymic made from its stem are two parts of two people's names, not one part
with typing slips (issue 15, wave 12): Viktor Yakovlev is not Viktor Yakovlevich Grin, Elena Alekseev not Elena
Alekseevna Khusyaynova. A feminine -ova or -eva stays one slip from -ovna or -evna, a common slip in a patronymic,
and a family name's feminine -a stays a spelling of it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.finance.name_parts import best, part

from basira.finance.name_similarity import patronymic_apart, text_slip, typo_similarity
from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant
from basira.lang.translit import latin_vowel_pattern, latin_word_key


def slip(a: str, b: str) -> float:
    """The best a typing slip reads two one-word Latin names as: on their vowel forms, else as written."""
    pa, pb = part(a), part(b)
    return max(typo_similarity(pa.vowels, pb.vowels, pa.pattern, pb.pattern), text_slip(pa.text, pb.text))


@pytest.mark.parametrize(("family", "patronymic"), [
    ("Yakovlev", "Yakovlevich"),
    ("Aleksandrov", "Aleksandrovich"),
    ("Alekseev", "Alekseevna"),
    ("Petrov", "Petrovych"),  # Ukrainian
    ("Mikhailov", "Mikhailovitch"),  # French spelling
])
def test_a_patronymic_is_no_slip_of_the_family_name_of_its_stem(family: str, patronymic: str) -> None:
    assert slip(family, patronymic) == 0.0
    assert slip(patronymic, family) == 0.0


@pytest.mark.parametrize(("a", "b"), [
    ("Anatolieva", "Anatolievna"),  # a patronymic written -eva: one slip
    ("Semenov", "Semenova"),  # a family name's feminine
    ("Mutebutsi", "Mutebusi"),
])
def test_other_slips_stay_slips(a: str, b: str) -> None:
    assert slip(a, b) >= 0.86


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abdeiklmnoprstuz", min_size=4, max_size=9), st.sampled_from(["ov", "ev"]),
       st.sampled_from(["ich", "na"]))
def test_any_stem_in_ov_or_ev_and_its_patronymic_are_apart(stem: str, family_end: str, end: str) -> None:
    family = stem + family_end
    assert patronymic_apart(family, family + end, ("ich", "ych", "itch", "na"), "v")
    assert text_slip(family, family + end) == 0.0
    (_, a_vowels), (_, b_vowels) = latin_word_key(family), latin_word_key(family + end)
    assert typo_similarity(a_vowels, b_vowels, latin_vowel_pattern(family), latin_vowel_pattern(family + end)) == 0.0


RECORDS = [
    NameRecord("grin", (NameVariant("Victor Yakovlevich Grin"),), "person"),
    NameRecord("khus", (NameVariant("Elena Alekseevna KHUSYAYNOVA"),), "person"),
    NameRecord("yakovlev", (NameVariant("Viktor YAKOVLEV"),), "person"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS)


@pytest.mark.parametrize(("query", "entry"), [("Виктор Яковлев", "grin"), ("Елена Алексеев", "khus")])
def test_a_family_name_does_not_alert_on_a_patronymic(index: NameIndex, query: str, entry: str) -> None:
    assert best(index, query, entry) < DEFAULT_THRESHOLD


def test_the_family_name_itself_still_alerts(index: NameIndex) -> None:
    assert best(index, "Виктор Яковлев", "yakovlev") >= DEFAULT_THRESHOLD
