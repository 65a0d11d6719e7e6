"""A listed person's patronymic, between the given and the family name, may be left out at little cost: records
and documents often omit it, and it is nearly always a rare part. A family name ending so is no patronymic."""

from __future__ import annotations

import pytest

from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant

from .name_parts import best

_FILL = [f"{g} {f}" for g in ("Sergey", "Igor", "Olga", "Ivan", "Anna") for f in (
    "Ivanov", "Petrov", "Sidorov", "Smirnov", "Popov", "Volkov", "Orlov", "Belov", "Kozlov", "Lebedev")]


def _index(*names: str) -> NameIndex:
    return NameIndex.build([NameRecord(f"x:{i}", (NameVariant(n),)) for i, n in enumerate([*names, *_FILL])])


@pytest.mark.parametrize(("query", "listed"), [
    ("Igor Plotnitsky", "Igor Venediktovich Plotnitsky"),
    ("Ekaterina Pyrkova", "Ekaterina Eduardovna PYRKOVA"),
    ("Mykola Azarov", "Mykola Yanovych AZAROV"),
    ("Гайк Асатрян", "Гайк Ванушевич Асатрян"),
])
def test_patronymic_left_out_alerts(query: str, listed: str) -> None:
    index = _index(listed)
    assert index.score_name(query, "x:0", listed) >= 0.85


def test_family_name_ending_like_a_patronymic_is_not_left_out_cheaply() -> None:
    listed = "Sergei Olegovich Nikiforovich"
    index = _index(listed)
    assert index.score_name("Sergei Olegovich", "x:0", listed) < 0.8


def test_organization_words_are_no_patronymics() -> None:
    listed = "Zavod Ivanovich Holding"
    index = NameIndex.build([NameRecord("x:0", (NameVariant(listed),), kind="organization")])
    assert index.score_name("Zavod Holding", "x:0", listed, kind="organization") < 0.8


# Wave 13: an Arabic name's short form, its given and rare family name, leaves out the father's and grandfather's
# names however rare (RARE_FAMILY); with a common family name they still cost in full ('Fadi Nasser').
SHORT_FORMS = [
    NameRecord("baidhani", (NameVariant("Aqeel Muftin Khafif al-Baidhani"),), "person"),
    NameRecord("nasser", (NameVariant("Fadi Nabih Nasser"),), "person"),
    *[NameRecord(f"n{i}", (NameVariant(f"{g} Nasser"),), "person")
      for i, g in enumerate(["Omar", "Samir", "Walid", "Karim", "Hani", "Ziad", "Rami", "Tarek", "Bassam", "Nabil",
                             "Jamal"])],
]


def test_a_given_and_rare_family_name_alerts_on_the_longer_listed_name() -> None:
    idx = NameIndex.build(SHORT_FORMS)
    assert best(idx, "Aqeel al-Baidhani", "baidhani") >= DEFAULT_THRESHOLD
    assert best(idx, "Fadi Nasser", "nasser") < DEFAULT_THRESHOLD
    assert best(idx, "Muftin al-Baidhani", "baidhani") < DEFAULT_THRESHOLD  # not the listed first part
