"""Shared fixtures.

- ``backend``: every test that uses a database runs twice, on SQLite and on PostgreSQL. The PostgreSQL run uses one
  database per test session (random name ``basira_test_<hex>``, created at start, dropped at the end) on the server
  named by ``BASIRA_TEST_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``), and empties
  every table between tests. Without a reachable server those runs skip, or fail under ``BASIRA_REQUIRE_ALL=1``.
- ``instance``: a fresh :class:`basira.core.instance.Instance` with its own data folder, on the backend.
- ``client``: a ``TestClient`` around ``create_app(instance)``.
- ``org`` / ``admin_key`` / ``admin``: an operator organization ``acme`` with an admin API key and principal.
- ``reviewer``, ``second_reviewer``, ``third_reviewer``, ``auditor``: principals of ``acme`` named rita, sami, tala
  (reviewers) and aude (auditor).
- ``receiver``: a :class:`tests.receiver.Receiver` on 127.0.0.1 (webhooks and a content source), closed after.

Test data (banks, matched items, cases, people who sign in, the API client ``Api``) is built by the factories
of ``tests/factories.py``, through the real services.

``need(condition, reason)`` skips a test that lacks a tool of the machine (Chromium, FFmpeg...), or fails it when
``BASIRA_REQUIRE_ALL=1`` (CI), so that nothing is silently skipped there.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import typer.main
import typer.testing
from argon2 import PasswordHasher, profiles
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from basira.core import orgs, security
from basira.core.db import load_models, make_engine, migrate
from basira.core.instance import Instance
from basira.core.models import Base, Role
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings

if TYPE_CHECKING:
    from tests.receiver import Receiver

warnings.filterwarnings("ignore", message=".*httpx2.*")

pytest_plugins = ["tests.dask_clusters"]

# Timing belongs to bench/, not to tests: no per-example deadline (a busy machine must not fail a property test).
hypothesis_settings.register_profile("basira", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Under CI (BASIRA_REQUIRE_ALL=1) the property tests draw the same examples every run, so that a red CI is the
# change's and can be run again; a developer's run draws new ones each time (or `--hypothesis-seed=N` to repeat one),
# which is where new edges are found.
hypothesis_settings.register_profile("basira-ci", parent=hypothesis_settings.get_profile("basira"), derandomize=True)
hypothesis_settings.load_profile("basira-ci" if os.environ.get("BASIRA_REQUIRE_ALL") == "1" else "basira")

# Typer's test runner turns the app into its click command tree at every invoke; for `basira` (hundreds of commands,
# each one's annotations evaluated) that costs about a second of CPU per invoke, and the suite invokes thousands of
# times. The tree depends only on the app object, which no test changes after building it: built once per app.
typer.testing._get_command = functools.cache(typer.main.get_command)

# Passwords: argon2 at its default cost (64 MiB, 3 passes: the point is to be slow) takes 0.1-1 s a hash on these
# machines, and the suite signs people in thousands of times. The tests hash with argon2's cheapest parameters; a
# hash carries its parameters, so verifying is the same code path (tests/core/test_security.py checks the default).
security._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)

REQUIRE_ALL = os.environ.get("BASIRA_REQUIRE_ALL") == "1"
PG_ADMIN_URL = os.environ.get("BASIRA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def need(condition: bool, reason: str) -> None:
    """Skip (or, under BASIRA_REQUIRE_ALL=1, fail) when ``condition`` is false."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required under BASIRA_REQUIRE_ALL=1: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, which BASIRA_REQUIRE_ALL=1 forbids: {report.longrepr}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    need(SHARED_DATA.is_dir(), f"the shared data folder {SHARED_DATA} is not there")
    return SHARED_DATA


@dataclass
class PgServer:
    url: str | None
    reason: str


@pytest.fixture(scope="session")
def pg_database() -> Iterator[PgServer]:
    """A database of its own on the PostgreSQL server for this test session, migrated once."""
    name = f"basira_test_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:
        admin.dispose()
        yield PgServer(None, f"no PostgreSQL server at {PG_ADMIN_URL} ({type(e).__name__})")
        return
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    try:
        yield PgServer(url, "")
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "basira.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


_EMPTYING_ENGINES: dict[str, Engine] = {}


@functools.cache
def _emptying_block() -> str:
    """One server-side block that empties every table, children first, and restarts the sequences a test used
    (``last_value`` is NULL until a sequence's first ``nextval``): one round trip instead of one per table, and no
    new file for each of the hundred sequences (``ALTER SEQUENCE ... RESTART`` makes one)."""
    load_models()
    deletes = "".join(f'DELETE FROM "{t.name}"; ' for t in reversed(Base.metadata.sorted_tables))
    return ("DO $$DECLARE r record; BEGIN " + deletes +
            "FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL "
            "LOOP EXECUTE format('ALTER SEQUENCE %I RESTART', r.sequencename); END LOOP; END$$")


def _truncate_all(url: str) -> None:
    """Empty every table and restart every used sequence. DELETE, children first, is ten times quicker than
    TRUNCATE on the few rows a test leaves (TRUNCATE makes new files for every table); TRUNCATE is the fallback."""
    engine = _EMPTYING_ENGINES.get(url)
    if engine is None:
        engine = _EMPTYING_ENGINES[url] = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as c:
            c.execute(text(_emptying_block()))
    except DBAPIError:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as c:
            c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "postgres":
        pg: PgServer = request.getfixturevalue("pg_database")
        need(pg.url is not None, pg.reason)
        assert pg.url is not None
        _truncate_all(pg.url)
        return pg.url
    template: Path = request.getfixturevalue("sqlite_template")
    target = tmp_path / "data" / "basira.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@contextmanager
def empty_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database, not migrated, of its own: a new SQLite file in ``folder``, or a new PostgreSQL
    database (dropped afterwards)."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / f'fresh-{secrets.token_hex(4)}.db'}"
        return
    name = f"basira_fresh_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool,
                          connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as e:
        need(False, f"no PostgreSQL server at {PG_ADMIN_URL} ({type(e).__name__})")
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own on the backend, not migrated (for migration tests)."""
    with empty_database(backend, tmp_path / "fresh") as url:
        yield url


@pytest.fixture
def instance(database_url: str, tmp_path: Path) -> Iterator[Instance]:
    # No background worker: tests that want one start it (basira.worker.start_worker) or call run_once.
    settings = load_settings(environ={}, data_dir=tmp_path / "data", database_url=database_url,
                             secret_key="test-secret", worker_interval_s=0)
    inst = Instance(settings)
    yield inst
    inst.close()


@pytest.fixture
def org_id(instance: Instance) -> int:
    with instance.db.session() as s:
        return orgs.create_org(s, "test", "acme", "Acme Platform", operator=True).id


@pytest.fixture
def admin(org_id: int) -> Principal:
    return system_principal(org_id, actor="test")


@pytest.fixture
def admin_key(instance: Instance, admin: Principal) -> str:
    with instance.db.session() as s:
        return orgs.create_key(s, admin, admin.org_id, "admin", "test key").secret


@pytest.fixture
def client(instance: Instance) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from basira.api.app import create_app

    with TestClient(create_app(instance)) as c:
        yield c


@pytest.fixture
def reviewer(org_id: int) -> Principal:
    return Principal(org_id, Role.REVIEWER, "rita")


@pytest.fixture
def second_reviewer(org_id: int) -> Principal:
    return Principal(org_id, Role.REVIEWER, "sami")


@pytest.fixture
def third_reviewer(org_id: int) -> Principal:
    return Principal(org_id, Role.REVIEWER, "tala")


@pytest.fixture
def auditor(org_id: int) -> Principal:
    return Principal(org_id, Role.AUDITOR, "aude")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    from tests.receiver import Receiver

    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A real disk that fills up: a 1 MiB tmpfs with all but 40 KiB taken by a filler file (the mount, the filler);
    skipped, with the reason, where mounting is not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the full-disk test runs as root")
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs: {done.stderr.strip()}")
    try:
        filler = mount / "filler"
        filler.write_bytes(b"\0" * (1024 * 1024 - 40 * 1024))
        yield mount, filler
    finally:
        subprocess.run(["umount", str(mount)], check=False)
