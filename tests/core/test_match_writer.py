"""Storing matches in groups (core.match_writer): one transaction for concurrent items, each answered after its
group committed, the same results as one by one, a bad item refused alone, flood counts added up, queued items
written on close."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.factories import make_bank

from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.core.match_writer import MatchWriter
from basira.core.matching import MatchRequest, match_item
from basira.core.models import Event, Item, Match, Signal
from basira.core.principal import Principal

HIT = [f"{n:032x}" for n in range(1, 6)]
MISS = "f" * 32


@pytest.fixture
def writer(instance: Instance) -> Iterator[MatchWriter]:
    # A long wait, so that items submitted one after another in the test share a group.
    settings = dataclasses.replace(instance.settings, match_batch_wait_ms=400.0, match_batch_items=64)
    w = MatchWriter(instance.db, instance.registry, instance.indexes, settings)
    yield w
    w.close()


def _count(instance: Instance, model: Any) -> int:
    with instance.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _req(values: list[str], ref: str) -> MatchRequest:
    return MatchRequest(signals=[("md5", v) for v in values], ref=ref)


def test_concurrent_items_share_one_transaction_with_the_results_of_one_by_one(
        instance: Instance, admin: Principal, writer: MatchWriter) -> None:
    make_bank(instance, admin, "known", HIT)
    futures = [writer.submit(admin, _req([HIT[n % 5]] if n % 3 else [MISS], f"post-{n}")) for n in range(12)]
    results = [f.result(timeout=30) for f in futures]
    assert writer.groups == 1 and writer.items == 12 and writer.fallbacks == 0
    ids = [r["item"]["id"] for r in results]
    assert len(set(ids)) == 12 and all(isinstance(i, int) for i in ids)
    assert [r["item"]["ref"] for r in results] == [f"post-{n}" for n in range(12)]
    assert [r["matched"] for r in results] == [bool(n % 3) for n in range(12)]
    # Every answered item is in the database with its match and its event.
    assert _count(instance, Item) == 12 and _count(instance, Match) == 8
    with instance.db.session() as s:
        events = list(s.scalars(select(Event).where(Event.kind == "match.recorded").order_by(Event.id)))
        by_item = {m.item_id: m.id for m in s.scalars(select(Match))}
    assert [e.payload["item_id"] for e in events] == [i for n, i in enumerate(ids) if n % 3]
    assert all(e.payload["match_ids"] == [by_item[e.payload["item_id"]]] for e in events)
    # The same answer as matching the item on its own, but for the item's id.
    with instance.db.session() as s:
        alone = match_item(s, admin, instance.registry, instance.indexes, instance.settings, _req([HIT[1]], "post-1"))
    grouped = results[1]
    assert {**grouped, "item": {**grouped["item"], "id": 0}} == {**alone, "item": {**alone["item"], "id": 0}}


def test_a_bad_item_is_refused_alone_and_the_others_are_written(instance: Instance, admin: Principal,
                                                                writer: MatchWriter) -> None:
    make_bank(instance, admin, "known", HIT)
    good = [writer.submit(admin, _req([HIT[0]], f"ok-{n}")) for n in range(3)]
    bad = writer.submit(admin, MatchRequest(signals=[("md5", "not hex")], ref="bad"))
    more = writer.submit(admin, _req([HIT[2]], "ok-3"))
    assert all(f.result(timeout=30)["matched"] for f in [*good, more])
    with pytest.raises(InvalidInput):
        bad.result(timeout=30)
    # Refused by the writer before the group's transaction: the others' group is not redone one by one.
    assert writer.fallbacks == 0 and writer.groups == 1 and writer.items == 4
    with instance.db.session() as s:
        assert sorted(s.scalars(select(Item.ref))) == ["ok-0", "ok-1", "ok-2", "ok-3"]


def test_a_group_whose_transaction_fails_is_written_item_by_item(instance: Instance, admin: Principal,
                                                                 writer: MatchWriter,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A group lost as a whole (a deadlock, a lost connection: here the first group's write fails) is redone one
    item per transaction, each with its own answer."""
    from basira.core import match_writer

    real = match_writer.match_items
    failed: list[int] = []

    def once_failing(session: Any, *args: Any) -> Any:
        if not failed and len(args[-1]) > 1:
            failed.append(len(args[-1]))
            raise RuntimeError("the group's transaction was lost")
        return real(session, *args)

    monkeypatch.setattr(match_writer, "match_items", once_failing)
    make_bank(instance, admin, "known", HIT)
    futures = [writer.submit(admin, _req([HIT[n]], f"ok-{n}")) for n in range(4)]
    assert all(f.result(timeout=30)["matched"] for f in futures)
    assert failed and writer.fallbacks == 1
    with instance.db.session() as s:
        assert sorted(s.scalars(select(Item.ref))) == ["ok-0", "ok-1", "ok-2", "ok-3"]


def test_a_group_adds_up_flood_counts_and_quarantines_once(instance: Instance, admin: Principal) -> None:
    settings = dataclasses.replace(instance.settings, match_batch_wait_ms=400.0, flood_min_hits_per_hour=5)
    w = MatchWriter(instance.db, instance.registry, instance.indexes, settings)
    try:
        (sig_id,) = make_bank(instance, admin, "known", [HIT[0]])
        results = [f.result(timeout=30) for f in [w.submit(admin, _req([HIT[0]], f"p{n}")) for n in range(8)]]
    finally:
        w.close()
    assert w.groups == 1
    # Quarantined by this group's own hits: none of them is held back (as one by one, a later item would be).
    assert all(r["matched"] for r in results)
    with instance.db.session() as s:
        sig = s.get(Signal, sig_id)
        assert sig is not None and sig.quarantined_at is not None
        assert s.scalar(select(func.count()).select_from(Event).where(Event.kind == "signal.quarantined")) == 1


def test_close_writes_what_is_queued_and_then_refuses(instance: Instance, admin: Principal, tmp_path: Path) -> None:
    make_bank(instance, admin, "known", HIT)
    settings = dataclasses.replace(instance.settings, match_batch_wait_ms=5000.0)
    w = MatchWriter(instance.db, instance.registry, instance.indexes, settings)
    futures = [w.submit(admin, _req([HIT[0]], f"q{n}")) for n in range(5)]
    w.close()  # long before the 5 s wait is over
    assert all(f.done() and f.result()["item"]["id"] for f in futures)
    assert _count(instance, Item) == 5
    from basira.core.errors import Busy

    with pytest.raises(Busy):
        w.submit(admin, _req([HIT[0]], "late"))


def test_a_cancelled_item_is_never_written(instance: Instance, admin: Principal, writer: MatchWriter) -> None:
    make_bank(instance, admin, "known", HIT)
    first = writer.submit(admin, _req([HIT[0]], "kept"))
    gone: Future[dict[str, Any]] = writer.submit(admin, _req([HIT[1]], "cancelled"))
    assert gone.cancel()  # the caller went away while the group was still waiting
    assert first.result(timeout=30)["item"]["id"]
    with instance.db.session() as s:
        assert list(s.scalars(select(Item.ref))) == ["kept"]
