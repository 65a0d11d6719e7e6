"""Flood control: a signal that suddenly matches far more than usual is quarantined, held back, and released."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, select

from basira.core import banks, flood, outbox
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.models import AuditEntry, Event, Match, Signal, SignalHitCount, utcnow
from basira.core.principal import Principal

A = "a" * 32


def _signal(instance: Instance, admin: Principal) -> int:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="b"))
        (sig,) = banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                                   [banks.SignalSpec("md5", A, entry_ref="e1")])
        return sig.id


def _match(instance: Instance, admin: Principal) -> dict[str, Any]:
    with instance.db.session() as s:
        return match_item(s, admin, instance.registry, instance.indexes, instance.settings,
                          MatchRequest(signals=[("md5", A)]))


def _same_hour_ahead(seconds: int = 15) -> None:
    """Wait for the next hour when this one ends within ``seconds``, so every hit of a test lands in one hour."""
    left = 3600 - int(time.time()) % 3600
    if left <= seconds:
        time.sleep(left + 1)


def _events(instance: Instance, kind: str) -> list[Event]:
    with instance.db.session() as s:
        return outbox.pending(s, "test", [kind])


def test_fiftieth_hit_in_an_hour_quarantines_the_signal_and_later_hits_are_held_back(
        instance: Instance, admin: Principal) -> None:
    sig_id = _signal(instance, admin)
    _same_hour_ahead()
    for _ in range(49):
        assert _match(instance, admin)["matched"] is True
    with instance.db.session() as s:
        assert s.get(Signal, sig_id).quarantined_at is None  # type: ignore[union-attr]
    assert _events(instance, "signal.quarantined") == []

    assert _match(instance, admin)["matched"] is True  # the 50th still counts; it trips the quarantine
    (ev,) = _events(instance, "signal.quarantined")
    assert ev.payload == {"signal_id": sig_id, "bank_id": ev.payload["bank_id"], "hits_last_hour": 50,
                          "baseline_per_hour": 0.0}
    with instance.db.session() as s:
        assert s.get(Signal, sig_id).quarantined_at is not None  # type: ignore[union-attr]
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "signal.quarantine"))
        assert entry.actor == "system:flood-control" and entry.target == f"signal:{sig_id}"

    res = _match(instance, admin)
    (row,) = res["matches"]
    assert res["matched"] is False and row["quarantined"] is True
    last = _events(instance, "match.recorded")[-1]
    with instance.db.session() as s:
        held = s.scalars(select(Match).order_by(Match.id.desc())).first()
        assert held is not None and held.suppressed
    assert last.payload["match_ids"] == [] and last.payload["quarantined_match_ids"] == [held.id]
    assert last.payload["bank_ids"] == []


def test_released_signal_matches_again(instance: Instance, admin: Principal) -> None:
    sig_id = _signal(instance, admin)
    with instance.db.session() as s:
        sig = s.get(Signal, sig_id)
        assert sig is not None
        sig.quarantined_at = utcnow()
    assert _match(instance, admin)["matched"] is False
    with instance.db.session() as s:
        assert banks.release_signal(s, admin, sig_id).quarantined_at is None
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "signal.release")).first() is not None
    assert [e.payload["signal_id"] for e in _events(instance, "signal.released")] == [sig_id]
    res = _match(instance, admin)
    assert res["matched"] is True and res["matches"][0]["quarantined"] is False
    assert _events(instance, "match.recorded")[-1].payload["match_ids"]


def test_a_signal_with_a_high_steady_rate_is_not_quarantined_by_a_normal_hour(
        instance: Instance, admin: Principal) -> None:
    sig_id = _signal(instance, admin)
    _same_hour_ahead()
    hour = flood.hour_of(utcnow())
    with instance.db.session() as s:
        # 40 hits an hour for the whole baseline week: quarantine only at 10 x 40 = 400 in one hour.
        s.add_all(SignalHitCount(signal_id=sig_id, hour=hour - h, hits=40)
                  for h in range(1, instance.settings.flood_baseline_days * 24 + 1))
        s.add(SignalHitCount(signal_id=sig_id, hour=hour, hits=120))
    res = _match(instance, admin)
    assert res["matched"] is True and res["matches"][0]["quarantined"] is False
    with instance.db.session() as s:
        assert s.get(Signal, sig_id).quarantined_at is None  # type: ignore[union-attr]
        hits = s.scalar(select(SignalHitCount.hits).where(SignalHitCount.signal_id == sig_id,
                                                          SignalHitCount.hour == hour))
    assert hits == 121 and _events(instance, "signal.quarantined") == []


def test_hit_counts_of_a_group_are_added_by_one_statement_as_one_by_one(
        instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="known"))
        added = banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                                  [banks.SignalSpec("md5", f"{i:032x}") for i in range(1, 8)])
        sids = sorted(sig.id for sig in added)
    first = [((sid, 100 + sid % 2), sid) for sid in sids]
    with instance.db.session() as s:
        assert flood.count_hits(s, first) == dict(first)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    with instance.db.session() as s:
        event.listen(s.get_bind(), "before_cursor_execute", seen)
        try:
            got = flood.count_hits(s, [((sids[0], 100 + sids[0] % 2), 5), ((sids[1], 999), 2)])
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", seen)
    assert got == {(sids[0], 100 + sids[0] % 2): sids[0] + 5, (sids[1], 999): 2}
    assert sum("signal_hit_counts" in st for st in statements) == 1
    with instance.db.session() as s:
        assert flood.count_hit(s, sids[1], 999) == 3  # the row the group wrote, counted one by one
