"""The ``uas_id`` and ``operator_id`` signal types."""

from __future__ import annotations

import pytest

from basira.core.errors import InvalidSignal
from basira.drones.signals import OperatorIdSignal, UasIdSignal


@pytest.mark.parametrize(("raw", "canonical"), [
    ("1581f5fkd229400c1234", "1581F5FKD229400C1234"),  # ANSI/CTA-2063-A serial, case folded
    (" 1588E040445AC004418\x00", "1588E040445AC004418"),  # NUL padding from the 20-byte field
])
def test_uas_ids_are_canonical(raw: str, canonical: str) -> None:
    assert UasIdSignal.validate(raw) == canonical
    assert UasIdSignal.distance(canonical, canonical) == 0 and UasIdSignal.distance(canonical, "X") == 1


@pytest.mark.parametrize("bad", ["", "   ", "A" * 21, "ÄÖÜ", "AB\x07C"])
def test_bad_uas_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidSignal):
        UasIdSignal.validate(bad)


def test_operator_id_matches_without_the_secret_part() -> None:
    assert OperatorIdSignal.validate("FIN87astrdge12k8-xyz") == "FIN87ASTRDGE12K8"
    assert OperatorIdSignal.validate("fin87astrdge12k8") == "FIN87ASTRDGE12K8"
    with pytest.raises(InvalidSignal):
        OperatorIdSignal.validate("x" * 25)


def test_exact_index_finds_only_equal_values() -> None:
    index = UasIdSignal.new_index()
    index.build([(1, "A1"), (2, "B2")])
    assert index.query(["A1", "C3"], 0.0) == [[(1, 0.0)], []]
