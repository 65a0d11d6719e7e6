"""The bank lookup that matching and the drone watch list share: a hit is live while its signal is enabled and
unexpired at the time asked about, in every bank the caller may match and only there."""

from __future__ import annotations

import datetime as dt

from basira.core import banks, lookup
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.core.signals import ExtractedSignal

UAS = "1581F5FKD229400C1234"
NOON = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


def found(instance: Instance, admin: Principal, at: dt.datetime, bank_ids: list[int] | None = None) -> list[str]:
    with instance.db.session() as s:
        in_reach = lookup.matchable_banks(s, admin.org_id, bank_ids)
        hits = lookup.lookup(s, instance.registry, instance.indexes, in_reach, [ExtractedSignal("uas_id", UAS)], at)
        return [f"{h.bank.name}:{h.entry.ref}:{h.distance}" for h in hits]


def test_a_signal_matches_until_it_expires(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="Watch"))
        banks.add_signals(s, admin, instance.registry, instance.settings, "Watch",
                          [banks.SignalSpec("uas_id", UAS, entry_ref="drone-1", expires_at=NOON)])
    assert found(instance, admin, NOON - dt.timedelta(seconds=1)) == ["Watch:drone-1:0.0"]
    assert found(instance, admin, NOON) == []


def test_a_disabled_signal_or_bank_never_matches(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="Watch"))
        [sig] = banks.add_signals(s, admin, instance.registry, instance.settings, "Watch",
                                  [banks.SignalSpec("uas_id", UAS, entry_ref="drone-1")])
        banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="Off", enabled=False))
        banks.add_signals(s, admin, instance.registry, instance.settings, "Off",
                          [banks.SignalSpec("uas_id", UAS, entry_ref="drone-2")])
        sig_id = sig.id
    assert found(instance, admin, NOON) == ["Watch:drone-1:0.0"]
    with instance.db.session() as s:
        banks.set_signal_enabled(s, admin, sig_id, False)
    assert found(instance, admin, NOON) == []


def test_only_the_banks_asked_for_are_looked_in(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        ids = []
        for name in ("A", "B"):
            ids.append(banks.create_bank(s, admin, instance.registry, banks.BankSpec(name=name)).id)
            banks.add_signals(s, admin, instance.registry, instance.settings, name,
                              [banks.SignalSpec("uas_id", UAS, entry_ref=f"in-{name}")])
    assert found(instance, admin, NOON) == ["A:in-A:0.0", "B:in-B:0.0"]
    assert found(instance, admin, NOON, [ids[1]]) == ["B:in-B:0.0"]
