"""The read-only lookup's caches (:mod:`basira.core.readcache`): what a lookup reads on every request (the API key,
the banks an organization may match, the change log) is kept for ``read_cache_s``; a change through this process
is seen by its next request, one through another process (another worker, the CLI) within ``read_cache_s``."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text

from basira.api.app import create_app
from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.models import ApiKey, AuditEntry, Organization, Signal
from basira.core.principal import system_principal
from basira.core.readcache import TTLCache, bump
from basira.core.settings import load_settings

A, B = "a" * 32, "b" * 32
TTL = 0.5


@dataclasses.dataclass
class Served:
    instance: Instance
    client: TestClient
    key: str
    org_id: int
    bank_id: int
    url: str
    tmp: Path

    def lookup(self, value: str, signal_type: str = "md5", key: str | None = None) -> Any:
        return self.client.post("/v1/match", json={"signals": [{"signal_type": signal_type, "value": value}],
                                                   "store": False},
                                headers={"Authorization": f"Bearer {key or self.key}"})


def _served(database_url: str, tmp_path: Path, ttl: float) -> Iterator[Served]:
    settings = load_settings(environ={}, data_dir=tmp_path / "data", database_url=database_url,
                             secret_key="test-secret", worker_interval_s=0, read_cache_s=ttl)
    inst = Instance(settings)
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "acme", "Acme", operator=True)
        admin = system_principal(org.id, actor="test")
        key = orgs.create_key(s, admin, org.id, "analyst", "lookups").secret
        bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(name="known"))
        banks.add_signals(s, admin, inst.registry, inst.settings, bank.id,
                          [banks.SignalSpec("md5", A, entry_ref="e-a")])
        org_id, bank_id = org.id, bank.id
    with TestClient(create_app(inst)) as client:
        yield Served(inst, client, key, org_id, bank_id, database_url, tmp_path)
    inst.close()


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    yield from _served(database_url, tmp_path, TTL)


@pytest.fixture
def warm(database_url: str, tmp_path: Path) -> Iterator[Served]:
    """Caches that outlive the test: for the tests of what a warm cache reads, which wait on no expiry and which a
    slow, busy machine must not fail by letting ``TTL`` run out between two requests."""
    yield from _served(database_url, tmp_path, 60.0)


@pytest.fixture
def uncached(database_url: str, tmp_path: Path) -> Iterator[Served]:
    yield from _served(database_url, tmp_path, 0)


def _elsewhere(srv: Served, body: str) -> None:
    """Run ``body`` in another Python process on the same database (as another worker or the CLI would);
    ``inst`` (an Instance of its own) and ``org_id``, ``bank_id`` and ``key_id`` are defined for it."""
    code = textwrap.dedent("""
        import sys
        from pathlib import Path
        from sqlalchemy import update
        from basira.core import banks, orgs
        from basira.core.instance import Instance
        from basira.core.models import ApiKey, Bank, utcnow
        from basira.core.principal import system_principal
        from basira.core.settings import load_settings
        url, data, key_id = sys.argv[1], Path(sys.argv[2]), sys.argv[5]
        org_id, bank_id = int(sys.argv[3]), int(sys.argv[4])
        inst = Instance(load_settings(environ={}, data_dir=data, database_url=url, secret_key="test-secret",
                                      worker_interval_s=0))
    """) + textwrap.dedent(body) + "\ninst.close()\n"
    with srv.instance.db.session() as s:
        key_id = s.scalars(select(ApiKey.key_id)).one()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    subprocess.run([sys.executable, "-c", code, srv.url, str(srv.tmp / "elsewhere"), str(srv.org_id),
                    str(srv.bank_id), key_id], check=True, env=env, timeout=120)


REVOKE = """
with inst.db.session() as s:
    s.execute(update(ApiKey).where(ApiKey.key_id == key_id).values(revoked_at=utcnow()))
"""


def _statements(inst: Instance) -> list[str]:
    seen: list[str] = []

    def _count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(inst.db.engine, "before_cursor_execute", _count)
    if inst.db.read_engine.pool is not inst.db.engine.pool:  # PostgreSQL: a pool of its own (SQLite: the same)
        event.listen(inst.db.read_engine, "before_cursor_execute", _count)
    return seen


def test_a_warm_lookup_reads_nothing_for_a_miss_and_one_query_for_a_hit(warm: Served) -> None:
    assert warm.lookup(B).json()["matched"] is False
    assert warm.lookup(A).json()["matched"] is True  # warm: key, banks, owners, index replay
    seen = _statements(warm.instance)
    for _ in range(5):
        assert warm.lookup(B).json()["matched"] is False
    assert seen == []
    hit = warm.lookup(A).json()
    assert hit["matched"] is True and hit["matches"][0]["entry"]["ref"] == "e-a"
    assert hit["matches"][0]["bank"]["owner"] == "acme"
    assert len(seen) == 1 and "signals" in seen[0] and "entries" in seen[0]


def test_stored_matches_leave_the_caches_warm(warm: Served) -> None:
    """Items, matches, events and hit counters are what a busy server writes all the time; no cache reads them, so
    a stored match must not send the next requests back to the database for their key, banks and change log."""
    from basira.core.readcache import generation

    assert warm.lookup(A).json()["matched"] is True  # warm
    before = generation()
    for value in (A, B):
        stored = warm.client.post("/v1/match", json={"signals": [{"signal_type": "md5", "value": value}]},
                                    headers={"Authorization": f"Bearer {warm.key}"})
        assert stored.status_code == 200, stored.text
    assert generation() == before
    seen = _statements(warm.instance)
    assert warm.lookup(B).json()["matched"] is False
    assert seen == []
    # A write to what the caches hold still empties them at once.
    with warm.instance.db.session() as s:
        s.execute(text("UPDATE banks SET description = description"))
    assert generation() != before


def test_storing_matches_read_key_and_banks_from_the_caches(warm: Served) -> None:
    assert warm.lookup(B).json()["matched"] is False  # the key's first use writes its last_used_at
    assert warm.lookup(A).json()["matched"] is True  # warm
    seen = _statements(warm.instance)
    stored = warm.client.post("/v1/match", json={"signals": [{"signal_type": "md5", "value": A}]},
                                headers={"Authorization": f"Bearer {warm.key}"})
    assert stored.status_code == 200 and stored.json()["matched"] is True
    read = " ".join(seen)
    assert "api_keys" not in read and "sharing_group" not in read and "FROM banks" not in read
    assert "INSERT INTO items" in read and "INSERT INTO matches" in read


def test_a_transaction_that_made_a_bank_matches_against_it_although_the_caches_are_warm(served: Served) -> None:
    """A cache is filled through a session of its own, which cannot see a transaction's own unwritten bank: such a
    transaction reads the database itself."""
    from basira.core import matching

    assert served.lookup(B).json()["matched"] is False  # the caches hold the banks of before
    inst = served.instance
    with inst.db.session() as s:
        admin = system_principal(served.org_id, actor="test")
        bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(name="made-in-this-transaction"))
        banks.add_signals(s, admin, inst.registry, inst.settings, bank.id, [banks.SignalSpec("md5", B, entry_ref="b")])
        found = matching.match_item(s, admin, inst.registry, inst.indexes, inst.settings,
                                    matching.MatchRequest(signals=[("md5", B)]))
        assert found["matched"] is True
        assert [m["bank"]["name"] for m in found["matches"]] == ["made-in-this-transaction"]


def test_a_transaction_that_disabled_a_bank_by_a_text_statement_does_not_match_it(served: Served) -> None:
    from basira.core import matching

    assert served.lookup(A).json()["matched"] is True  # the caches hold the bank, enabled
    inst = served.instance
    with inst.db.session() as s:
        s.execute(text("UPDATE banks SET enabled = false WHERE id = :id"), {"id": served.bank_id})
        admin = system_principal(served.org_id, actor="test")
        found = matching.match_item(s, admin, inst.registry, inst.indexes, inst.settings,
                                    matching.MatchRequest(signals=[("md5", A)]))
        assert found["matched"] is False
        s.rollback()


def test_a_key_revoked_through_this_process_is_refused_at_once(served: Served) -> None:
    assert served.lookup(B).status_code == 200
    assert served.lookup(B).status_code == 200  # from the cache now
    with served.instance.db.session() as s:
        key_id = s.scalars(select(ApiKey.key_id)).one()
        orgs.revoke_key(s, system_principal(served.org_id, actor="test"), key_id)
    r = served.lookup(B)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_a_key_revoked_by_another_process_is_refused_within_read_cache_s(served: Served) -> None:
    assert served.lookup(B).status_code == 200
    _elsewhere(served, REVOKE)
    time.sleep(TTL)
    r = served.lookup(B)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_without_the_cache_a_key_revoked_elsewhere_is_refused_at_the_next_request(uncached: Served) -> None:
    assert uncached.lookup(B).status_code == 200
    _elsewhere(uncached, REVOKE)
    assert uncached.lookup(B).status_code == 401


def test_a_signal_added_by_another_process_matches_within_read_cache_s(served: Served) -> None:
    assert served.lookup(B).json()["matched"] is False
    _elsewhere(served, f"""
with inst.db.session() as s:
    banks.add_signals(s, system_principal(org_id, actor="other"), inst.registry, inst.settings, bank_id,
                      [banks.SignalSpec("md5", "{B}", entry_ref="e-b")])
""")
    time.sleep(TTL)
    assert served.lookup(B).json()["matched"] is True


def test_a_bank_disabled_by_another_process_stops_matching_within_read_cache_s(served: Served) -> None:
    assert served.lookup(A).json()["matched"] is True
    _elsewhere(served, """
with inst.db.session() as s:
    s.execute(update(Bank).where(Bank.id == bank_id).values(enabled=False))
""")
    time.sleep(TTL)
    assert served.lookup(A).json()["matches"] == []


def test_a_signal_disabled_through_this_process_stops_matching_at_once(served: Served) -> None:
    assert served.lookup(A).json()["matched"] is True
    with served.instance.db.session() as s:
        sid = s.scalars(select(Signal.id).where(Signal.value == A)).one()
        banks.remove_signal(s, system_principal(served.org_id, actor="test"), sid)
    assert served.lookup(A).json()["matches"] == []


def test_a_lookup_on_a_match_only_bank_still_counts_probes_and_quarantines(served: Served) -> None:
    """A hit on a RED bank shared for matching only is counted by probing control: the lookup then runs in a
    transaction, which quarantines the signal and writes the audit entry."""
    inst = served.instance
    inst.settings = dataclasses.replace(inst.settings, probe_max_per_hour=3)
    secret = f"{random.Random(5).getrandbits(256):064x}"
    near = f"{int(secret, 16) ^ ((1 << 20) - 1):064x}"  # 20 bits away: near the threshold of 31
    with inst.db.session() as s:
        owner = orgs.create_org(s, "test", "owner", "Owner")
        principal = system_principal(owner.id, actor="owner")
        red = banks.create_bank(s, principal, inst.registry, banks.BankSpec(name="red", tlp="RED"))
        banks.add_signals(s, principal, inst.registry, inst.settings, red.id,
                          [banks.SignalSpec("pdq", secret, entry_ref="r")])
        banks.share_bank(s, principal, red.id, org="acme")
    answers = [served.lookup(near, "pdq").json() for _ in range(6)]
    assert answers[0]["matched"] is True and answers[0]["matches"][0]["signal"] is None
    assert answers[-1]["matches"] == []  # quarantined after the probes
    with inst.db.session() as s:
        assert s.scalars(select(Signal).where(Signal.value == secret)).one().quarantined_at is not None
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "signal.probed")).one()


def test_a_read_only_session_refuses_to_write(served: Served) -> None:
    with served.instance.db.read_session() as s, pytest.raises(RuntimeError, match="read-only"):
        s.add(Organization(slug="nope", name="Nope"))
        s.flush()


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_ttl_cache_expires_entries_after_ttl() -> None:
    clock = _Clock()
    cache: TTLCache[str, int] = TTLCache(2.0, clock=clock)
    cache.put("k", 1, cache.begin())
    clock.now += 1.9
    assert cache.get("k") == 1
    clock.now += 0.2
    assert cache.get("k") is None


def test_ttl_cache_drops_entries_at_this_process_s_next_write() -> None:
    cache: TTLCache[str, int] = TTLCache(60.0)
    cache.put("k", 1, cache.begin())
    assert cache.get("k") == 1
    bump()
    assert cache.get("k") is None


def test_ttl_cache_ignores_a_value_read_across_a_write() -> None:
    cache: TTLCache[str, int] = TTLCache(60.0)
    started = cache.begin()
    bump()  # a write landed while the value was being read
    cache.put("k", 1, started)
    assert cache.get("k") is None


def test_ttl_cache_is_bounded_and_off_at_zero() -> None:
    cache: TTLCache[int, int] = TTLCache(60.0, max_entries=3)
    for i in range(5):
        cache.put(i, i, cache.begin())
    assert len(cache) == 3 and cache.get(0) is None and cache.get(4) == 4
    off: TTLCache[int, int] = TTLCache(0)
    off.put(1, 1, off.begin())
    assert off.get(1) is None


# SQLite reads on its main engine: PostgreSQL only.
@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_lookup_survives_its_connection_being_closed_by_the_database(served: Served, backend: str) -> None:
    """The read engine does not ping before each use (PostgreSQL): a connection the server closed (a restart) fails
    its statement, and the lookup is read once more on a fresh one."""
    assert served.lookup(A).json()["matched"] is True
    with served.instance.db.session() as s:
        s.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    r = served.lookup(A)
    assert r.status_code == 200 and r.json()["matched"] is True


@pytest.mark.parametrize(("statement", "counts"), [
    ("INSERT INTO items (ref) VALUES (%(ref)s)", False),
    ('insert into "matches" (item_id) values (1)', False),
    ("UPDATE signal_hit_counts SET hits = hits + 1 WHERE id = 1", False),
    ("DELETE FROM events WHERE id < 10", False),
    ("COPY audit_entries (chain, seq) FROM STDIN", False),
    ("INSERT INTO api_keys (key_id) VALUES ('k')", True),
    ("UPDATE signals SET enabled = false", True),
    ("COPY signal_changes (signal_id) FROM STDIN", True),
    ("UPDATE items_archive SET x = 1", True),  # a name that merely starts like an uncached one
    ("WITH gone AS (DELETE FROM items RETURNING id) SELECT count(*) FROM gone", True),  # a CTE: always counted
    ("TRUNCATE items, banks", True),
    ("DELETE FROM events", False),
    ("DELETE FROM banks", True),
])
def test_which_writes_move_the_generation(statement: str, counts: bool) -> None:
    from basira.core.readcache import _counts

    assert _counts(statement) is counts


def test_requests_that_miss_the_key_cache_together_read_the_key_once(served: Served,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """When the cached key expires, the requests in flight all miss it: one reads the database, the others take
    its answer (they read it once each before: a burst of reads every ``read_cache_s``)."""
    import threading

    from basira.api import deps

    reads: list[int] = []
    real = deps.authenticate_key

    def slow(session: Any, key: str) -> Any:
        reads.append(1)
        time.sleep(0.2)
        return real(session, key)

    monkeypatch.setattr(deps, "authenticate_key", slow)
    served.instance.key_cache.clear()
    got: list[Any] = []
    threads = [threading.Thread(target=lambda: got.append(deps._authenticate(served.instance, served.key)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(got) == 8 and {p.org_id for p in got} == {served.org_id}
    # The first read records the key's last use (a write: what was read before it is not kept), the second is kept.
    assert len(reads) <= 2


def test_readers_of_one_key_share_a_load_lock_unless_nothing_is_kept() -> None:
    kept: TTLCache[str, int] = TTLCache(5.0)
    assert kept.loading("a") is kept.loading("a")
    nothing: TTLCache[str, int] = TTLCache(0)
    with nothing.loading("a"), nothing.loading("a"):  # no lock to wait for: every reader reads for itself
        pass
