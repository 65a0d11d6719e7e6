"""The batched signal insert (core.banks.add_signals_batch) keeps add_signals' rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from basira.core import banks
from basira.core.errors import InvalidInput, NotFound
from basira.core.instance import Instance
from basira.core.models import Entry, Event, Signal, SignalChange
from basira.core.principal import Principal, system_principal


def _md5(i: int) -> str:
    return hashlib.md5(str(i).encode()).hexdigest()


def test_batch_matches_add_signals_rules(instance: Instance, admin: Principal) -> None:
    reg, st = instance.registry, instance.settings
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, reg, banks.BankSpec(name="b", tlp="GREEN"))
        bank_id = bank.id
        first = banks.add_signals(s, admin, reg, st, bank_id, [banks.SignalSpec("md5", _md5(0), labels=["old"])])
        old_id = first[0].id
        banks.set_signal_enabled(s, admin, old_id, False)
    specs = [banks.SignalSpec("md5", _md5(i).upper(), labels=[f"l{i % 3}"]) for i in range(1200)]
    specs.append(banks.SignalSpec("md5", _md5(5), labels=["again"]))  # same key twice: one signal, both labels
    specs.append(banks.SignalSpec("md5", _md5(0), labels=["new"]))  # disabled before: enabled again
    with instance.db.session() as s:
        changes_before = s.scalar(select(func.count()).select_from(SignalChange))
        got = banks.add_signals_batch(s, admin, reg, st, bank_id, specs)
    assert got.added == 1199 and got.enabled_again == 1 and len(got.ids) == 1200
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Signal).where(Signal.bank_id == bank_id)) == 1200
        assert s.scalar(select(func.count()).select_from(Entry).where(Entry.bank_id == bank_id)) == 1200
        old = s.get(Signal, old_id)
        assert old is not None and old.enabled and old.labels == ["l0", "new", "old"]
        five = s.get(Signal, got.ids[(f"md5:{_md5(5)}", "md5", _md5(5))])
        assert five is not None and five.labels == ["again", "l2"] and five.provenance == admin.actor
        assert s.scalar(select(func.count()).select_from(SignalChange)) == changes_before + 1200
        assert s.scalars(select(Event.kind).order_by(Event.id.desc())).first() == "signal.added"
    with instance.db.session() as s:  # the same batch again changes nothing
        again = banks.add_signals_batch(s, admin, reg, st, bank_id, specs)
        assert again.changed == 0 and again.ids == got.ids
        assert s.scalar(select(func.count()).select_from(SignalChange)) == changes_before + 1200


def test_batch_is_all_or_nothing_and_owner_only(instance: Instance, admin: Principal) -> None:
    reg, st = instance.registry, instance.settings
    with instance.db.session() as s:
        bank_id = banks.create_bank(s, admin, reg, banks.BankSpec(name="b", tlp="GREEN")).id
    with instance.db.session() as s, pytest.raises(InvalidInput):
        banks.add_signals_batch(s, admin, reg, st, bank_id,
                                [banks.SignalSpec("md5", _md5(1)), banks.SignalSpec("md5", "not-a-hash")])
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Signal).where(Signal.bank_id == bank_id)) == 0
    with instance.db.session() as s:
        from basira.core import orgs

        other = system_principal(orgs.create_org(s, "Other", "other").id, actor="other")
    with instance.db.session() as s, pytest.raises(NotFound):
        banks.add_signals_batch(s, other, reg, st, bank_id, [banks.SignalSpec("md5", _md5(1))])


def _state(instance: Instance, bank_id: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    with instance.db.session() as s:
        sigs = s.execute(select(Entry.ref, Signal.signal_type, Signal.value, Signal.labels, Signal.provenance,
                                Signal.quality, Signal.expires_at, Signal.details, Signal.derived, Signal.enabled,
                                Signal.value_digest).join(Entry, Entry.id == Signal.entry_id)
                         .where(Signal.bank_id == bank_id).order_by(Entry.ref, Signal.value)).all()
        entries = s.execute(select(Entry.ref, Entry.content_type, Entry.attributes).where(Entry.bank_id == bank_id)
                            .order_by(Entry.ref)).all()
        changes = s.scalar(select(func.count()).select_from(SignalChange).where(SignalChange.bank_id == bank_id))
    return [tuple(r) for r in sigs], [tuple(r) for r in entries], int(changes or 0)


def _scenario(instance: Instance, admin: Principal, name: str) -> tuple[object, ...]:
    """The same batches into a new bank: a first one, then one that repeats, re-enables, relabels and adds."""
    import datetime as dt

    reg, st = instance.registry, instance.settings
    expires = dt.datetime(2031, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with instance.db.session() as s:
        bank_id = banks.create_bank(s, admin, reg, banks.BankSpec(name=name, tlp="GREEN")).id
        first = banks.add_signals_batch(s, admin, reg, st, bank_id, [
            banks.SignalSpec("md5", _md5(i), entry_ref=f"e{i // 2}", content_type="photo", labels=[f"a{i % 2}"],
                             quality=i % 100, expires_at=expires if i % 7 == 0 else None,
                             attributes={"n": i} if i % 5 == 0 else {}) for i in range(300)])
        banks.set_signal_enabled(s, admin, first.ids[("e0", "md5", _md5(0))], False)
    with instance.db.session() as s:
        second = banks.add_signals_batch(s, admin, reg, st, bank_id, [
            banks.SignalSpec("md5", _md5(i), entry_ref=f"e{i // 2}", labels=["b"], attributes={"m": i} if i < 10
                             else {}) for i in range(250)] + [
            banks.SignalSpec("sha256", hashlib.sha256(str(i).encode()).hexdigest(), entry_ref=f"e{i}")
            for i in range(200)])
    return (first.added, first.enabled_again, second.added, second.enabled_again, len(second.ids),
            _state(instance, bank_id))


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])  # COPY is PostgreSQL's
def test_copy_path_writes_what_the_executemany_path_writes(instance: Instance, admin: Principal,
                                                           backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a batch of COPY_MIN_ROWS or more goes by COPY; the outcome is the same row for row."""
    monkeypatch.setattr(banks, "COPY_MIN_ROWS", 10**9)
    plain = _scenario(instance, admin, "executemany")
    monkeypatch.setattr(banks, "COPY_MIN_ROWS", 1)
    copied = _scenario(instance, admin, "copy")
    assert copied == plain
    assert plain[:5] == (300, 0, 200, 1, 450)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])  # COPY is PostgreSQL's
def test_copy_path_is_all_or_nothing(instance: Instance, admin: Principal, backend: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(banks, "COPY_MIN_ROWS", 1)
    reg, st = instance.registry, instance.settings
    with instance.db.session() as s:
        bank_id = banks.create_bank(s, admin, reg, banks.BankSpec(name="b", tlp="GREEN")).id
    specs = [banks.SignalSpec("md5", _md5(i), entry_ref=f"e{i}") for i in range(300)]
    specs.append(banks.SignalSpec("md5", _md5(301), entry_ref="odd", content_type="no-such-type"))
    with instance.db.session() as s, pytest.raises(InvalidInput, match="unknown content type"):
        banks.add_signals_batch(s, admin, reg, st, bank_id, specs)
    assert _state(instance, bank_id) == ([], [], 0)
    with instance.db.session() as s:  # the same connection's temporary table holds nothing of the failed batch
        assert banks.add_signals_batch(s, admin, reg, st, bank_id, specs[:300]).added == 300
    assert len(_state(instance, bank_id)[0]) == 300
