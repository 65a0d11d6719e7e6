"""Signal-type plugins: every registered type passes the same conformance checks on the examples it gives of
itself (``examples()``), as python-threatexchange's signal type test helper does; the exact index works."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from basira.core.errors import ConfigurationError, InvalidSignal
from basira.core.hashes import MD5Signal
from basira.core.signal_examples import SignalExamples
from basira.core.signals import ExactIndex, SignalIndex, SignalType, SignalTypeRegistry, default_registry


def test_builtins_come_through_the_entry_point() -> None:
    reg = SignalTypeRegistry.from_entry_points()
    assert {"md5", "sha256", "pdq"} <= set(reg.names())
    assert reg.get("md5") is MD5Signal


def test_unknown_type_is_a_clear_error() -> None:
    with pytest.raises(InvalidSignal, match="unknown signal type 'nope'"):
        default_registry().get("nope")


def test_two_types_with_one_name_are_refused() -> None:
    class Other(MD5Signal):
        pass

    with pytest.raises(ConfigurationError):
        SignalTypeRegistry([MD5Signal, Other])


REGISTERED = default_registry()
TYPES = [REGISTERED.get(n) for n in REGISTERED.names()]


def examples_of(t: type[SignalType]) -> SignalExamples:
    given = getattr(t, "examples", None)
    assert callable(given), f"{t.name} gives no examples() for the conformance test"
    ex = given()
    assert isinstance(ex, SignalExamples) and len(ex.canonical) >= 2 and ex.invalid, t.name
    return ex


def by_name(test: Any) -> Any:
    """Run ``test`` once for each registered signal type, named after it."""
    return pytest.mark.parametrize("t", TYPES, ids=[t.name for t in TYPES])(test)


def test_every_builtin_signal_type_is_checked() -> None:
    assert {"md5", "sha256", "pdq", "vpdq", "text_sha256", "text_minhash", "text_embedding", "url", "url_prefix",
            "domain", "name", "crypto_address", "identifier", "uas_id", "operator_id"} <= set(REGISTERED.names())


@by_name
def test_has_name_description_and_thresholds(t: type[SignalType]) -> None:
    assert t.name and t.description
    assert 0 <= t.default_threshold <= t.max_threshold
    assert t.check_threshold(t.default_threshold) == t.default_threshold
    with pytest.raises(InvalidSignal):
        t.check_threshold(t.max_threshold + 1)


@by_name
def test_canonical_values_survive_the_string_round_trip(t: type[SignalType]) -> None:
    ex = examples_of(t)
    assert len(set(ex.canonical)) == len(ex.canonical)
    for value in ex.canonical:
        assert t.validate(value) == value
    for spelling, canonical in ex.spellings:
        assert t.validate(spelling) == canonical
        assert t.validate(canonical) == canonical


@by_name
def test_bad_input_raises_the_projects_error(t: type[SignalType]) -> None:
    for value in examples_of(t).invalid:
        with pytest.raises(InvalidSignal):
            t.validate(value)


@by_name
def test_a_value_is_at_distance_zero_of_itself_and_near_values_within_the_threshold(t: type[SignalType]) -> None:
    ex = examples_of(t)
    for value in ex.canonical:
        assert t.distance(value, value) == 0
    for a, b in ex.near:
        assert a != b and t.validate(b) == b
        assert 0 <= t.distance(a, b) <= t.default_threshold
    if t.default_threshold == 0:
        assert not ex.near  # an exact type has nothing near but itself
        a, b = ex.canonical[:2]
        assert t.distance(a, b) > 0


@by_name
def test_index_adds_queries_and_removes(t: type[SignalType]) -> None:
    ex = examples_of(t)
    values = list(ex.canonical)
    idx: SignalIndex = t.new_index()
    idx.build(enumerate(values))
    assert len(idx) == len(values)
    for i, row in enumerate(idx.query(values, t.default_threshold)):
        assert i in {sid for sid, _ in row}, (t.name, values[i])
    for offset, (a, b) in enumerate(ex.near, start=len(values)):
        idx.add([(offset, a)])  # a bank value a, and a query b near it
        assert offset in {sid for sid, _ in idx.query([b], t.default_threshold)[0]}, (t.name, a, b)
    idx.remove([0])
    assert 0 not in {sid for sid, _ in idx.query(values[:1], t.default_threshold)[0]}
    assert len(idx) == len(values) - 1 + len(ex.near)
    idx.add([(0, values[0])])
    assert 0 in {sid for sid, _ in idx.query(values[:1], t.default_threshold)[0]}


@given(st.lists(st.tuples(st.integers(0, 50), st.sampled_from(["a", "b", "c"])), max_size=40),
       st.lists(st.integers(0, 50), max_size=20))
def test_exact_index_equals_a_dict_model(adds: list[tuple[int, str]], removes: list[int]) -> None:
    idx = ExactIndex()
    model: dict[int, str] = {}
    idx.add(adds)
    for sid, v in adds:
        model[sid] = v
    idx.remove(removes)
    for sid in removes:
        model.pop(sid, None)
    assert len(idx) == len(model)
    for v in "abc":
        got = {sid for sid, _ in idx.query([v], 0)[0]}
        assert got == {sid for sid, mv in model.items() if mv == v}
