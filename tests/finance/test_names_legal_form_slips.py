"""A legal form written with a typing slip scores as the form itself (issue 15, wave 12): it is set aside
(:func:`basira.lang.scripts.slipped_form`) instead of becoming a rare word that the listed name lacks."""

from __future__ import annotations

import pytest
from tests.finance.name_parts import best

from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant

RECORDS = [
    NameRecord("navis", (NameVariant("NAVIS MARINE LIMITED"),), "organization"),
    NameRecord("kazan", (NameVariant("Kazan Shipping Incorporated"),), "organization"),
    NameRecord("maketir", (NameVariant("Limited Liability Company Maketir"),), "organization"),
    NameRecord("navis-holding", (NameVariant("Navis Holding Company"),), "organization"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(RECORDS)


@pytest.mark.parametrize(("slipped", "written", "entry"), [
    ("Navis Marine Limied", "Navis Marine Limited", "navis"),
    ("Kazan Shipping Iucorporated", "Kazan Shipping Incorporated", "kazan"),
    ("Limited Liabiltiy Company Maketir", "Limited Liability Company Maketir", "maketir"),
])
def test_a_slipped_form_scores_as_the_form(index: NameIndex, slipped: str, written: str, entry: str) -> None:
    assert best(index, slipped, entry) == best(index, written, entry) >= DEFAULT_THRESHOLD


def test_a_slipped_form_is_still_no_name(index: NameIndex) -> None:
    # Set aside, the slipped form makes Navis Marine no likelier to be the Navis holding company.
    assert best(index, "Navis Marine Limied", "navis-holding") == best(index, "Navis Marine Limited", "navis-holding")
