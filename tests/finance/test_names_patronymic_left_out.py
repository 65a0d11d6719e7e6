"""A listed person's patronymic, between the given and the family name, may be left out at little cost: records
and documents often omit it, and it is nearly always a rare part. A family name ending so is no patronymic."""

from __future__ import annotations

import pytest

from basira.finance.names import NameIndex, NameRecord, NameVariant

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
