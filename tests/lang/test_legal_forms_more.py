"""Legal forms of more countries are set aside like the others: Bulgarian, French, Belgian, Nordic, Turkish,
Polish, Balkan and Luxembourg forms, a hyphenated joint-stock company."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from basira.lang.scripts import normalize_name

CASES = [
    ("Tia Trading 2013 Limited OOD", "Tia Trading 2013"),
    ("ЕВРОФУТБОЛ - ООД", "EVROFUTBOL"),
    ("Multree Ltd SASU", "Multree"),
    ("Tashilat S.à r.l.", "Tashilat"),
    ("Joint-Stock Co. Biograd", "Biograd"),
    ("Lenpromtransproyekt joint-stock company", "Lenpromtransproyekt"),
    ("Kardiam BVBA", "Kardiam"),
    ("Anadolu Ticaret Ltd. Şti.", "Anadolu"),  # "trade" is part of the Turkish form (wave 18)
    ("Polska Sp. z o.o.", "Polska"),
    ("Beta d.o.o.", "Beta"),
    ("Nordic Shipping ApS", "Nordic Shipping"),
]


@pytest.mark.parametrize(("name", "core"), CASES)
def test_more_forms_are_set_aside(name: str, core: str) -> None:
    assert normalize_name(name) == core


@given(st.sampled_from(["OOD", "EAD", "SASU", "EURL", "SNC", "SPRL", "BVBA", "ApS", "ASA", "Oyj"]),
       st.sampled_from(["Atlas", "Kardiam Holding", "Nova Trade"]))
def test_a_form_alone_or_first_is_a_name(form: str, core: str) -> None:
    # Written last it is a form; a name that is only a form, or that starts with one of these, is kept.
    assert normalize_name(f"{core} {form}") == core
    assert normalize_name(form) == form
    assert normalize_name(f"{form} {core}") == f"{form} {core}"
