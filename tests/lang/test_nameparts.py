"""Name parts: particles that are no part of a name, and the script a caller already knows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.lang.nameparts import KUNYA_PATTERN, name_parts
from basira.lang.translit import ascii_fold, spellings


def texts(name: str, script: str | None = None) -> list[str]:
    return [p.text for p in name_parts(name, script)]


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Sofiane Ben", ["sofiane"]),  # a connector with no name after it (word order changed)
        ("Abderrahmane Ould El", ["abderrahmane"]),
        ("Mahfouz Uld Walid", ["mahfouz", "walid"]),  # uld, a spelling of ould
        ("Tehrik-e Taliban Pakistan", ["tehrik", "taliban", "pakistan"]),  # Persian ezafe
        ("Nusrat ul-Islam wa al-Muslimin", ["nusrat", "islam", "muslimin"]),  # wa, "and"
        ("Salem Nor Eldin", ["salem", "nor eldin"]),  # ad-Din written as a word of its own
        ("Ben", ["ben"]),  # alone, a particle is all the name there is
    ],
)
def test_particles_are_no_name_parts(name: str, parts: list[str]) -> None:
    assert texts(name) == parts


def test_arabic_and_and_trailing_connectors_are_dropped() -> None:
    assert texts("جماعة نصرة الإسلام والمسلمين") == ["جماعة", "نصرة", "الإسلام", "المسلمين"]
    assert texts("سفيان بن") == ["سفيان"]


def test_ad_din_as_a_word_of_its_own_joins_the_name_before_it() -> None:
    (nur,) = [p for p in name_parts("Nor Eldin") if p.text == "nor eldin"]
    (nur_ar,) = name_parts("نور الدين")
    assert nur.skeleton == nur_ar.skeleton == "nrdn"


@pytest.mark.parametrize(("latin", "arabic"), [
    ("Abdool Razzaq", "عبد الرزاق"),  # Abdool, the oo of a South Asian or Mauritian spelling
    ("Abdool Wahed", "عبد الواحد"),
    ("Abdoel Kadir", "عبد القادر"),  # Abdoel, Dutch and Indonesian
])
def test_abdool_and_abdoel_written_apart_are_abd_compounds(latin: str, arabic: str) -> None:
    (lat,), (ar,) = name_parts(latin), name_parts(arabic)
    assert lat.skeleton == ar.skeleton
    assert lat.text == ascii_fold(latin)


def test_abdool_alone_is_still_one_part() -> None:
    assert texts("Abdool") == ["abdool"]


def test_a_known_script_gives_the_same_parts() -> None:
    assert name_parts("Ayman al-Zawahiri", "latin") == name_parts("Ayman al-Zawahiri")
    assert name_parts("أيمن الظواهري", "arabic") == name_parts("أيمن الظواهري")


def test_doubled_letters_stay_apart_in_plain_spellings() -> None:
    assert spellings("knn") == {"knn"} and spellings("kn") == {"kn"}
    assert spellings("hʃm") == {"hxm", "hshm"}


@settings(max_examples=200, deadline=None)
@given(st.text(), st.sampled_from(["arabic", "latin", None]))
def test_no_input_crashes_parsing_with_a_script(text: str, script: str | None) -> None:
    for p in name_parts(text, script):
        assert p.skeleton or p.vowels
    ascii_fold(text)


def test_ad_din_written_together_in_arabic_script_is_one_compound() -> None:
    (nur, turabi) = name_parts("نورالدین ترابی")
    assert nur.skeleton == "nrdn" and turabi.skeleton == "trb"


def test_parts_carry_their_vowel_patterns_and_compounds_none() -> None:
    # J: a final ي after two consonants, ī or an alif maqsura written with its dots (wave 13)
    assert [p.pattern for p in name_parts("جمال الحسيني")] == ["jmAl", "hsInJ"]
    assert [p.pattern for p in name_parts("Jamil Hassan")] == ["jAmIl", "hAsAn"]
    assert [p.pattern for p in name_parts("Abu Bakr")] == [KUNYA_PATTERN, "bAkr"]
    assert [p.pattern for p in name_parts("أبو بكر")] == [KUNYA_PATTERN, "bkr"]
    assert name_parts("Abd al-Rahman")[0].pattern == ""
    assert name_parts("الله")[0].pattern == ""  # Allah keeps its article in Latin
