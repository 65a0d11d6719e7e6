"""Signal-type plugins: every registered type passes the same conformance checks; the exact index works."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from basira.core.errors import ConfigurationError, InvalidSignal
from basira.core.hashes import MD5Signal, SHA256Signal
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


class SignalTypeConformance:
    """Every signal type inherits these checks; subclasses name the type and a few sample values."""

    signal_type: type[SignalType]
    samples: list[str]
    invalid: list[str]

    def test_has_name_and_description(self) -> None:
        assert self.signal_type.name and self.signal_type.description

    def test_validate_is_idempotent(self) -> None:
        for v in self.samples:
            c = self.signal_type.validate(v)
            assert self.signal_type.validate(c) == c

    def test_invalid_values_raise(self) -> None:
        for v in self.invalid:
            with pytest.raises(InvalidSignal):
                self.signal_type.validate(v)

    def test_distance_to_self_is_zero(self) -> None:
        for v in self.samples:
            assert self.signal_type.distance(v, v) == 0

    def test_index_finds_each_sample(self) -> None:
        idx: SignalIndex = self.signal_type.new_index()
        canon = [self.signal_type.validate(v) for v in self.samples]
        idx.build(enumerate(canon))
        assert len(idx) == len(canon)
        hits = idx.query(canon, self.signal_type.default_threshold)
        for i, row in enumerate(hits):
            assert i in {sid for sid, _ in row}
        idx.remove([0])
        assert 0 not in {sid for sid, _ in idx.query(canon[:1], self.signal_type.default_threshold)[0]}


class TestMD5(SignalTypeConformance):
    signal_type = MD5Signal
    samples = [hashlib.md5(b"a").hexdigest(), hashlib.md5(b"b").hexdigest().upper()]
    invalid = ["", "xyz", "0" * 31, "g" * 32, "0" * 64]


class TestSHA256(SignalTypeConformance):
    signal_type = SHA256Signal
    samples = [hashlib.sha256(b"a").hexdigest(), " " + hashlib.sha256(b"b").hexdigest() + "\n"]
    invalid = ["", "0" * 63, "z" * 64, "0" * 32]


class TestPDQ(SignalTypeConformance):
    signal_type = default_registry().get("pdq")
    samples = ["f" * 64, "0123456789abcdef" * 4]
    invalid = ["", "f" * 63, "x" * 64]


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
