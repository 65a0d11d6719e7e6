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
