"""Lookups in groups (core.match_writer.LookupGroups, core.matching.lookup_items): the lookups that queue while the
group threads are busy are answered together in one read-only session, with one read of their hits' rows; each
answer is the one a lookup alone gives; an item's own error stays its own; a hit that probing control counts is
matched again alone in a transaction; a group the database fails is answered one by one."""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.factories import make_bank

from basira.core import banks, lookup, match_writer, orgs
from basira.core.errors import InvalidInput, PermissionDenied
from basira.core.instance import Instance
from basira.core.match_writer import LookupGroups
from basira.core.matching import MatchRequest, NeedsTransaction, lookup_items, match_item
from basira.core.models import AuditEntry, Event, Item, Match, Signal
from basira.core.principal import Principal, system_principal

HIT = [f"{n:032x}" for n in range(1, 6)]
MISS = "f" * 32


class _Gate:
    """Holds the first group's thread until the test has queued the rest (so that they form one group)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.open = threading.Event()
        self.calls: list[int] = []
        real = match_writer.lookup_items

        def gated(session: Any, *args: Any) -> Any:
            self.calls.append(len(args[-1]))
            if len(self.calls) == 1:
                assert self.open.wait(30)
            return real(session, *args)

        monkeypatch.setattr(match_writer, "lookup_items", gated)


@pytest.fixture
def groups(instance: Instance) -> Iterator[LookupGroups]:
    settings = dataclasses.replace(instance.settings, lookup_batch_items=64, lookup_batch_threads=1)
    g = LookupGroups(instance.db, instance.registry, instance.indexes, settings)
    yield g
    g.close()


def _req(values: list[str], ref: str = "") -> MatchRequest:
    return MatchRequest(signals=[("md5", v) for v in values], ref=ref, store=False)


def _count(instance: Instance, model: Any) -> int:
    with instance.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _grouped(groups: LookupGroups, gate: _Gate, jobs: list[tuple[Principal, MatchRequest]]) -> list[Future[Any]]:
    """The first job alone (held at the gate), then the others queued behind it, then the gate opened."""
    first = groups.submit(*jobs[0])
    while not gate.calls:
        threading.Event().wait(0.01)
    rest = [groups.submit(*job) for job in jobs[1:]]
    gate.open.set()
    return [first, *rest]


def test_queued_lookups_share_one_read_and_answer_as_alone(instance: Instance, admin: Principal,
                                                           groups: LookupGroups,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    make_bank(instance, admin, "known", HIT, copies=2)
    reads: list[int] = []
    real_rows = lookup.hit_rows

    def counted(session: Any, ids: list[int]) -> Any:
        reads.append(len(ids))
        return real_rows(session, ids)

    monkeypatch.setattr(lookup, "hit_rows", counted)
    asked: list[int] = []
    real_query = instance.indexes.query

    def query(session: Any, bank_id: int, signal_type: str, values: Any, threshold: float) -> Any:
        asked.append(len(values))
        return real_query(session, bank_id, signal_type, values, threshold)

    monkeypatch.setattr(instance.indexes, "query", query)
    gate = _Gate(monkeypatch)
    reqs = [_req([HIT[n % 5], MISS] if n % 3 else [MISS], f"post-{n}") for n in range(12)]
    results = [f.result(timeout=30) for f in _grouped(groups, gate, [(admin, r) for r in reqs])]
    assert gate.calls == [1, 11] and groups.groups == 2 and groups.items == 12 and groups.fallbacks == 0
    # One read of the hits' rows per group (the first group's item misses: no read at all), and the bank's index
    # asked once per group for the values of all its items.
    assert len(reads) == 1 and reads[0] == 2 * 5
    assert asked == [1, sum(len(r.signals) for r in reqs[1:])]
    assert [r["matched"] for r in results] == [bool(n % 3) for n in range(12)]
    # Nothing is stored, and every answer is the one the lookup gives alone.
    assert _count(instance, Item) == 0 and _count(instance, Match) == 0
    with instance.db.session() as s:
        assert not s.scalars(select(Event).where(Event.kind == "match.recorded")).first()
    for req, got in zip(reqs, results, strict=True):
        alone = instance.db.read(lambda s, req=req: match_item(s, admin, instance.registry, instance.indexes,
                                                               instance.settings, req))
        assert got == alone


def test_an_item_that_fails_alone_gets_its_own_error(instance: Instance, admin: Principal, auditor: Principal,
                                                     groups: LookupGroups, monkeypatch: pytest.MonkeyPatch) -> None:
    make_bank(instance, admin, "known", HIT)
    gate = _Gate(monkeypatch)
    futures = _grouped(groups, gate, [(admin, _req([HIT[0]])), (admin, _req([HIT[1]])),
                                      (admin, _req(["not hex"])), (auditor, _req([HIT[2]])),
                                      (admin, _req([HIT[3]]))])
    assert futures[0].result(timeout=30)["matched"] and futures[1].result(timeout=30)["matched"]
    assert futures[4].result(timeout=30)["matched"]
    with pytest.raises(InvalidInput):
        futures[2].result(timeout=30)
    with pytest.raises(PermissionDenied):
        futures[3].result(timeout=30)
    assert groups.fallbacks == 0 and gate.calls == [1, 4]


def test_a_hit_that_probing_control_counts_is_matched_again_in_a_transaction(
        instance: Instance, admin: Principal, groups: LookupGroups, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hit on a RED bank shared for matching only: the item alone is matched again in a session that may write
    (its probe counted, the signal quarantined with an audit entry); the others of its group keep their answer."""
    settings = dataclasses.replace(groups.settings, probe_max_per_hour=2)
    groups.settings = settings
    secret = f"{random.Random(5).getrandbits(256):064x}"
    near = f"{int(secret, 16) ^ ((1 << 20) - 1):064x}"  # 20 bits away: a near hit, which probing control counts
    probe = MatchRequest(signals=[("pdq", near)], store=False)
    with instance.db.session() as s:
        owner = orgs.create_org(s, "test", "owner", "Owner")
        principal = system_principal(owner.id, actor="owner")
        red = banks.create_bank(s, principal, instance.registry, banks.BankSpec(name="red", tlp="RED"))
        banks.add_signals(s, principal, instance.registry, settings, red.id,
                          [banks.SignalSpec("pdq", secret, entry_ref="r")])
        slug = s.get(type(owner), admin.org_id).slug  # type: ignore[union-attr]
        banks.share_bank(s, principal, red.id, org=slug)
    make_bank(instance, admin, "known", HIT)
    with instance.db.read_session() as s:
        assert isinstance(lookup_items(s, instance.registry, instance.indexes, settings,
                                       [(admin, probe)])[0], NeedsTransaction)
    gate = _Gate(monkeypatch)
    futures = _grouped(groups, gate, [(admin, _req([HIT[0]])), *((admin, probe) for _ in range(4)),
                                      (admin, _req([HIT[1]]))])
    answers = [f.result(timeout=30) for f in futures]
    assert answers[0]["matched"] and answers[-1]["matched"] and groups.fallbacks == 0
    assert answers[1]["matched"] and answers[1]["matches"][0]["signal"] is None  # match-only: no value shown
    assert answers[4]["matches"] == []  # probed past the limit: quarantined, hidden from match-only callers
    with instance.db.session() as s:
        assert s.scalars(select(Signal).where(Signal.value == secret)).one().quarantined_at is not None
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "signal.probed")).one()


def test_a_group_the_database_fails_is_answered_one_by_one(instance: Instance, admin: Principal,
                                                           groups: LookupGroups,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    make_bank(instance, admin, "known", HIT)
    gate = _Gate(monkeypatch)
    gated = match_writer.lookup_items
    failed: list[int] = []

    def once_failing(session: Any, *args: Any) -> Any:
        if not failed and len(args[-1]) > 1:
            failed.append(len(args[-1]))
            raise RuntimeError("the connection was lost")
        return gated(session, *args)

    monkeypatch.setattr(match_writer, "lookup_items", once_failing)
    futures = _grouped(groups, gate, [(admin, _req([HIT[n]])) for n in range(4)])
    assert all(f.result(timeout=30)["matched"] for f in futures)
    assert failed == [3] and groups.fallbacks == 1


def test_lookup_groups_take_only_lookups(instance: Instance, admin: Principal, groups: LookupGroups) -> None:
    with pytest.raises(ValueError, match="LookupGroups"):
        groups.submit(admin, MatchRequest(signals=[("md5", HIT[0])]))
    with instance.db.read_session() as s, pytest.raises(ValueError, match="store=False"):
        lookup_items(s, instance.registry, instance.indexes, instance.settings,
                     [(admin, MatchRequest(signals=[("md5", HIT[0])]))])


def test_close_answers_what_is_queued_and_then_refuses(instance: Instance, admin: Principal,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from basira.core.errors import Busy

    make_bank(instance, admin, "known", HIT)
    settings = dataclasses.replace(instance.settings, lookup_batch_items=64, lookup_batch_threads=1)
    g = LookupGroups(instance.db, instance.registry, instance.indexes, settings)
    gate = _Gate(monkeypatch)
    futures = _grouped(g, gate, [(admin, _req([HIT[n]])) for n in range(3)])
    g.close()
    assert all(f.result(timeout=30)["matched"] for f in futures)
    with pytest.raises(Busy):
        g.submit(admin, _req([HIT[0]]))


def test_an_unexpected_failure_answers_the_group_and_the_thread_goes_on(instance: Instance, admin: Principal,
                                                                        groups: LookupGroups,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    make_bank(instance, admin, "known", HIT)
    real = groups._write
    broken: list[int] = []

    def once_broken(group: Any) -> None:
        if not broken:
            broken.append(len(group))
            raise RuntimeError("a bug")
        real(group)

    monkeypatch.setattr(groups, "_write", once_broken)
    with pytest.raises(RuntimeError, match="a bug"):
        groups.submit(admin, _req([HIT[0]])).result(timeout=30)
    assert groups.submit(admin, _req([HIT[1]])).result(timeout=30)["matched"]
