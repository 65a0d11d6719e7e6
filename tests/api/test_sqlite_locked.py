"""SQLite held by another writer (a long import) while storing matches and an import arrive: every request waits
and is tried again instead of failing with "database is locked"; no write is lost and nothing answers 5xx."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.factories import Api

from basira.api.app import create_app
from basira.core import orgs
from basira.core.instance import Instance, sqlite_file
from basira.core.models import Item, Signal
from basira.core.principal import system_principal
from basira.core.settings import load_settings

HIT = "a" * 32


class _Seen(logging.Handler):
    """Sets ``event`` at the first "trying the transaction again" from basira.core.db."""

    def __init__(self) -> None:
        super().__init__()
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "trying the transaction again" in record.getMessage():
            self.event.set()


@pytest.fixture
def seen() -> Iterator[_Seen]:
    handler = _Seen()
    logger = logging.getLogger("basira.core.db")
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old)


def _setup(tmp_path: Path, retry_s: float) -> tuple[Instance, str]:
    url = f"sqlite:///{tmp_path / 'data' / 'basira.db'}"
    settings = load_settings(environ={}, data_dir=tmp_path / "data", database_url=url, secret_key="test",
                             worker_interval_s=0, sqlite_busy_timeout_ms=50, sqlite_lock_retry_s=retry_s,
                             sqlite_checkpoint_interval_s=0)
    inst = Instance(settings)
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "acme", "Acme", operator=True)
        key = orgs.create_key(s, system_principal(org.id, actor="t"), org.id, "admin", "k").secret
    return inst, key


def _hold(inst: Instance) -> sqlite3.Connection:
    """Another writer holding SQLite's write lock (as a long import does), until its connection commits."""
    path = sqlite_file(inst.settings.resolved_database_url)
    assert path is not None
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def _requests(api: Api, bank_id: int) -> list[Any]:
    rows = "signal_type,signal_value\n" + "".join(f"md5,{n:032x}\n" for n in range(1, 301))

    def one(n: int) -> Any:
        if n == 0:
            return api.post(f"/v1/banks/{bank_id}/import", params={"format": "csv"}, content=rows.encode(),
                            headers={"Content-Type": "text/csv"})
        return api.match(("md5", HIT), ref=f"p{n}")

    with ThreadPoolExecutor(7) as pool:
        return list(pool.map(one, range(7)))


def test_matches_and_an_import_wait_out_a_held_sqlite_and_lose_nothing(tmp_path: Path, seen: _Seen) -> None:
    inst, key = _setup(tmp_path, retry_s=60)
    try:
        with TestClient(create_app(inst)) as client:
            api = Api(client, key)
            bank = api.bank("known")
            api.add(bank["id"], "md5", HIT)
            holder = _hold(inst)
            # The lock is let go once a request has found it and is trying again (at most 30 s).
            releaser = threading.Thread(target=lambda: (seen.event.wait(30), holder.commit()))
            releaser.start()
            answers = _requests(api, bank["id"])
            releaser.join()
            holder.close()
        assert seen.event.is_set()
        assert [r.status_code for r in answers] == [200] * 7, [r.text for r in answers if r.status_code != 200]
        assert answers[0].json()["signals"] == 300 and all(r.json()["matched"] for r in answers[1:])
        with inst.db.session() as s:
            refs = set(s.scalars(select(Item.ref)))
            signals = s.scalar(select(func.count()).select_from(Signal))
        assert refs == {f"p{n}" for n in range(1, 7)} and signals == 301
    finally:
        inst.close()


def test_without_retries_a_held_sqlite_is_a_503_not_a_500(tmp_path: Path) -> None:
    """The control: the same held lock with retries off answers 503 with Retry-After (what the retries remove)."""
    inst, key = _setup(tmp_path, retry_s=0)
    try:
        with TestClient(create_app(inst)) as client:
            api = Api(client, key)
            bank = api.bank("known")
            api.add(bank["id"], "md5", HIT)
            holder = _hold(inst)
            try:
                r = api.match(("md5", HIT), ref="locked")
            finally:
                holder.commit()
                holder.close()
        assert r.status_code == 503 and r.headers["Retry-After"]
        with inst.db.session() as s:
            assert list(s.scalars(select(Item.ref))) == []
    finally:
        inst.close()
