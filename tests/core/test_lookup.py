"""The bank lookup that matching and the drone watch list share: a hit is live while its signal is enabled and
unexpired at the time asked about, in every bank the caller may match and only there."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from sqlalchemy import select, update

from basira.core import banks, lookup
from basira.core.instance import Instance
from basira.core.models import Entry, Signal
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


def test_hit_rows_read_what_the_orm_reads(instance: Instance, admin: Principal) -> None:
    """A lookup reads its hits' rows by the driver on PostgreSQL (:func:`basira.core.db.driver_rows`) and by SQLAlchemy
    Core on SQLite: either way every field equals what the ORM reads, times in UTC, JSON as Python values."""
    later = NOON + dt.timedelta(days=3, microseconds=250)
    with instance.db.session() as s:
        banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="Watch"))
        added = banks.add_signals(s, admin, instance.registry, instance.settings, "Watch", [
            banks.SignalSpec("uas_id", UAS, entry_ref="drone-1", content_type="photo", labels=["a", "ب"],
                             provenance="partner: ناصر", quality=87, expires_at=later,
                             attributes={"name": "Élodie", "n": [1, 2.5, None]}, details={"derived": "crop"}),
            banks.SignalSpec("uas_id", "1581F5FKD229400C9999", entry_ref="drone-2")])
        ids = [a.id for a in added]
        s.execute(update(Signal).where(Signal.id == ids[1]).values(quarantined_at=NOON))
    for read in (instance.db.session, instance.db.read_session):
        with read() as s:
            got = {sig.id: (sig, entry) for sig, entry in lookup.hit_rows(s, [*ids, 10**12])}
            assert sorted(got) == sorted(ids)  # an id not stored is left out
            for sig in s.scalars(select(Signal).where(Signal.id.in_(ids))):
                hit, entry = got[sig.id]
                assert {f.name: getattr(hit, f.name) for f in fields(hit)} == \
                       {f.name: getattr(sig, f.name) for f in fields(hit)}
                stored = s.get_one(Entry, sig.entry_id)
                assert {f.name: getattr(entry, f.name) for f in fields(entry)} == \
                       {f.name: getattr(stored, f.name) for f in fields(entry)}
            first, second = got[ids[0]][0], got[ids[1]][0]
            assert first.expires_at == later and first.expires_at.tzinfo == dt.UTC  # type: ignore[union-attr]
            assert second.quarantined_at == NOON and second.quarantined_at.tzinfo == dt.UTC  # type: ignore[union-attr]
            assert got[ids[0]][1].attributes == {"name": "Élodie", "n": [1, 2.5, None]}


def test_find_many_gives_each_item_what_find_gives_it_alone(instance: Instance, admin: Principal) -> None:
    """Items with different banks and PDQ and MD5 values, some near a bank value, some exact, some far: asked
    together (each index once per type), each item gets the hits, in the order, that it gets alone."""
    import random

    rng = random.Random(11)
    stored = [f"{rng.getrandbits(256):064x}" for _ in range(40)]
    md5s = [f"{rng.getrandbits(128):032x}" for _ in range(10)]
    with instance.db.session() as s:
        for n in range(3):
            banks.create_bank(s, admin, instance.registry, banks.BankSpec(name=f"b{n}"))
            banks.add_signals(s, admin, instance.registry, instance.settings, f"b{n}",
                              [banks.SignalSpec("pdq", v, entry_ref=f"e{n}-{i}") for i, v in
                               enumerate(stored[n * 10:n * 10 + 20])]
                              + [banks.SignalSpec("md5", v, entry_ref=f"m{n}-{i}") for i, v in enumerate(md5s)])

    def flip(value: str, bits: int) -> str:
        mask = sum(1 << b for b in rng.sample(range(256), bits))
        return f"{int(value, 16) ^ mask:064x}"

    with instance.db.session() as s:
        reach = lookup.matchable_banks(s, admin.org_id)
        items = []
        for _ in range(30):
            queries = [ExtractedSignal("pdq", flip(rng.choice(stored), rng.choice([0, 5, 20, 60])))
                       for _ in range(rng.randint(1, 3))]
            queries += [ExtractedSignal("md5", rng.choice([*md5s, "0" * 32])) for _ in range(rng.randint(0, 2))]
            rng.shuffle(queries)
            items.append((rng.sample(reach, rng.randint(1, len(reach))), queries))
        together = lookup.find_many(s, instance.registry, instance.indexes, items)
        alone = [lookup.find(s, instance.registry, instance.indexes, b, q) for b, q in items]
    assert together == alone
    assert sum(map(len, alone)) > 30  # exact and near hits, in several banks
