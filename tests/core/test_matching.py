"""The matching service and index freshness: negative banks, disabled and expired signals, several workers."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from basira.core import banks, orgs, outbox
from basira.core.errors import InvalidInput, InvalidSignal
from basira.core.hashes import MD5Signal
from basira.core.indexes import IndexManager
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.models import Event, Match, Role
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry

A = "a" * 32
B = "b" * 32


def _bank(instance: Instance, admin: Principal, name: str, values: list[str], **kw: object) -> int:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name=name, **kw))  # type: ignore[arg-type]
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                          [banks.SignalSpec("md5", v, entry_ref=f"{name}-{v[:4]}") for v in values])
        return bank.id


def _match(instance: Instance, admin: Principal, value: str, indexes: IndexManager | None = None,
           ) -> dict[str, object]:
    with instance.db.session() as s:
        return match_item(s, admin, instance.registry, indexes or instance.indexes, instance.settings,
                          MatchRequest(signals=[("md5", value)], ref="post-1"))


def test_match_is_stored_with_an_event_in_the_same_transaction(instance: Instance, admin: Principal) -> None:
    _bank(instance, admin, "b", [A])
    res = _match(instance, admin, A.upper())
    assert res["matched"] is True
    with instance.db.session() as s:
        (ev,) = outbox.pending(s, "test", ["match.recorded"])
        assert ev.payload["item_ref"] == "post-1" and len(ev.payload["match_ids"]) == 1
        assert s.scalar(select(func.count()).select_from(Match)) == 1


def test_no_event_survives_a_rolled_back_transaction(instance: Instance, admin: Principal) -> None:
    _bank(instance, admin, "b", [A])
    with pytest.raises(RuntimeError), instance.db.session() as s:
        match_item(s, admin, instance.registry, instance.indexes, instance.settings,
                   MatchRequest(signals=[("md5", A)]))
        raise RuntimeError("crash after matching")
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.kind == "match.recorded")) == 0


def test_negative_bank_suppresses_the_match(instance: Instance, admin: Principal) -> None:
    _bank(instance, admin, "bad", [A])
    _bank(instance, admin, "harmless", [A], negative=True)
    res = _match(instance, admin, A)
    assert res["matched"] is False and res["suppressed"] is True
    assert {m["bank"]["name"]: m["suppressed"] for m in res["matches"]} == {  # type: ignore[index,union-attr]
        "bad": True, "harmless": False}


def test_disabled_signal_stops_matching_at_once_in_another_worker(instance: Instance, admin: Principal) -> None:
    _bank(instance, admin, "b", [A, B])
    other_worker = IndexManager(instance.registry)
    assert _match(instance, admin, A, other_worker)["matched"] is True  # builds that worker's index
    with instance.db.session() as s:
        sig_id = banks.list_signals(s, admin, "b")[0][0].id
        banks.set_signal_enabled(s, admin, sig_id, False)
    assert _match(instance, admin, A, other_worker)["matched"] is False
    with instance.db.session() as s:
        banks.set_signal_enabled(s, admin, sig_id, True)
    assert _match(instance, admin, A, other_worker)["matched"] is True


def test_signal_added_in_one_worker_matches_in_another(instance: Instance, admin: Principal) -> None:
    _bank(instance, admin, "b", [A])
    other_worker = IndexManager(instance.registry)
    assert _match(instance, admin, B, other_worker)["matched"] is False
    with instance.db.session() as s:
        banks.add_signals(s, admin, instance.registry, instance.settings, "b", [banks.SignalSpec("md5", B)])
    assert _match(instance, admin, B, other_worker)["matched"] is True


def test_expired_signal_does_not_match(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="b"))
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                          [banks.SignalSpec("md5", A, expires_at=past)])
    assert _match(instance, admin, A)["matched"] is False


def test_invalid_hash_string_is_refused(instance: Instance, admin: Principal) -> None:
    with pytest.raises(InvalidSignal):
        _match(instance, admin, "not-a-hash")
    with pytest.raises(InvalidInput), instance.db.session() as s:
        match_item(s, admin, instance.registry, instance.indexes, instance.settings, MatchRequest())


def test_a_saved_index_is_loaded_and_caught_up_by_the_next_process(
        instance: Instance, admin: Principal, tmp_path: object) -> None:
    import pathlib

    folder = pathlib.Path(str(tmp_path)) / "indexes"
    pdq = ["0" * 64, "f" * 64]
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="p"))
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                          [banks.SignalSpec("pdq", v) for v in pdq])
    first = IndexManager(instance.registry, folder, "db", persist_min_size=1)
    with instance.db.session() as s:
        assert len(first.index(s, bank.id, "pdq")) == 2
    assert first.save_all() == 1 and first.save_all() == 0  # unchanged indexes are not written again
    with instance.db.session() as s:  # a change the saved file does not hold
        sig_id = banks.list_signals(s, admin, bank.id)[0][0].id
        banks.set_signal_enabled(s, admin, sig_id, False)
    second = IndexManager(instance.registry, folder, "db", persist_min_size=1)
    with instance.db.session() as s:
        idx = second.index(s, bank.id, "pdq")
        assert len(idx) == 1 and idx.query(["0" * 64], 31) == [[]]
    other_db = IndexManager(instance.registry, folder, "another database", persist_min_size=1)
    with instance.db.session() as s:
        assert len(other_db.index(s, bank.id, "pdq")) == 1  # rebuilt from its own database, not loaded


class _ExplainedMD5(MD5Signal):
    """MD5 that explains its hits, to see where explanations are shown."""

    @classmethod
    def explain(cls, query_value: str, bank_value: str, settings: Settings | None = None) -> dict[str, Any] | None:
        return {"same_bytes": query_value == bank_value}


@pytest.mark.parametrize(("tlp", "shown"), [("GREEN", True), ("RED", False)])
def test_explanation_is_shown_only_to_callers_who_see_the_hit_in_full(
        instance: Instance, admin: Principal, tlp: str, shown: bool) -> None:
    with instance.db.session() as s:
        partner = Principal(orgs.create_org(s, "test", "partner").id, Role.ANALYST, "p")
    bank_id = _bank(instance, admin, "b", [A], tlp=tlp)
    with instance.db.session() as s:
        banks.share_bank(s, admin, bank_id, org="partner")
    with instance.db.session() as s:
        res = match_item(s, partner, SignalTypeRegistry([_ExplainedMD5]), instance.indexes, instance.settings,
                         MatchRequest(signals=[("md5", A)]))
    (row,) = res["matches"]
    assert ("explanation" in row) is shown and res["matched"] is True
    with instance.db.session() as s:
        (m,) = s.scalars(select(Match))
        assert ("same_bytes" in m.explanation) is shown and m.explanation["distance"] == 0.0


def test_a_replay_under_way_holds_up_no_query_unless_this_process_wrote(
        instance: Instance, admin: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    """The change log is read outside the query lock: while one thread replays it, the others answer from the index
    as it is when only time has passed, and wait for the replay after a write through this process."""
    import threading

    from basira.core.readcache import bump

    bank_id = _bank(instance, admin, "known", [A])
    indexes = IndexManager(instance.registry, settings=instance.settings)
    indexes.read_ttl_s = 0.05
    with instance.db.session() as s:
        assert indexes.query(s, bank_id, "md5", [A], 0) != [[]]
    reading, release = threading.Event(), threading.Event()
    real = IndexManager._changes

    def slow_changes(self: IndexManager, *args: Any) -> Any:
        reading.set()
        assert release.wait(10)
        return real(self, *args)

    monkeypatch.setattr(IndexManager, "_changes", slow_changes)
    time.sleep(0.1)  # the replay is due

    def ask(out: list[object]) -> None:
        with instance.db.session() as s:
            out.append(indexes.query(s, bank_id, "md5", [A], 0))

    first: list[object] = []
    replayer = threading.Thread(target=ask, args=(first,))
    replayer.start()
    assert reading.wait(10)
    answered: list[object] = []
    ask(answered)  # does not wait for the replay
    assert answered and answered[0] != [[]]
    bump()  # as a write through this process does
    waiting: list[object] = []
    after_write = threading.Thread(target=ask, args=(waiting,))
    after_write.start()
    after_write.join(0.3)
    assert after_write.is_alive() and not waiting  # it waits for the replay
    release.set()
    replayer.join(10)
    after_write.join(10)
    assert first and waiting


def test_bank_owners_are_read_on_the_callers_connection(instance: Instance, admin: Principal) -> None:
    """A request that holds a connection never waits for a second one to read the bank owners: with every request
    doing so at once, the pool ran dry and lookups answered 503 after its timeout (seen under load)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session
    from sqlalchemy.pool import QueuePool

    from basira.core.lookup import organizations
    from basira.core.readcache import TTLCache

    engine = create_engine(instance.db.engine.url, poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=1)
    try:
        with Session(engine) as s:
            s.execute(text("SELECT 1"))  # this session holds the pool's only connection
            owners = organizations(s, TTLCache(5.0))
            assert owners[admin.org_id].slug == "acme"
        with Session(engine) as s:  # and a session that holds none yet
            assert organizations(s, TTLCache(5.0))[admin.org_id].slug == "acme"
    finally:
        engine.dispose()
