"""Database engine, sessions and migrations (Alembic, run programmatically at start-up)."""

from __future__ import annotations

import functools
import importlib
import logging
import random
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import BigInteger, ColumnElement, Engine, any_, bindparam, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker

from basira.core import readcache  # noqa: F401  (its listeners mark writes for the caches)
from basira.core.errors import ConfigurationError
from basira.core.fronts import FrontRegistry, default_fronts
from basira.core.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)
T = TypeVar("T")



#: The tables of Basira's own layers; each front names its own in its manifest.
PLATFORM_MODELS = ("basira.core.models", "basira.core.chaingaps", "basira.review.models", "basira.actions.models",
                   "basira.web.models", "basira.identity.models", "basira.sharing.models", "basira.legal.models",
                   "basira.retention.models", "basira.exercise.models")


def model_modules(fronts: FrontRegistry | None = None) -> list[str]:
    """The modules declaring tables on ``basira.core.models.Base``: the platform's, then every front's."""
    return [*PLATFORM_MODELS, *(fronts or default_fronts()).model_modules()]


def load_models(fronts: FrontRegistry | None = None) -> None:
    """Import every module of :func:`model_modules`, so ``Base.metadata`` knows every table."""
    for name in model_modules(fronts):
        importlib.import_module(name)


def _sqlite_pragmas_for(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    return on_connect


def is_locked(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" (or busy): another writer held the database past the busy
    timeout. Nothing of the transaction was written; trying it again is safe."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig if exc.orig is not None else exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def retry_locked(fn: Callable[[], T], within_s: float) -> T:
    """Run ``fn`` (one whole transaction), again while SQLite answers "database is locked", for up to ``within_s``
    seconds in all, with growing pauses; the last error is raised when the time is up. Other errors at once."""
    deadline = time.monotonic() + max(0.0, within_s)
    pause = 0.05
    while True:
        try:
            return fn()
        except OperationalError as e:
            left = deadline - time.monotonic()
            if not is_locked(e) or left <= 0:
                raise
            log.info("SQLite was locked by another writer; trying the transaction again")
            time.sleep(min(left, pause * (0.5 + random.random())))  # noqa: S311 (a jitter, not a secret)
            pause = min(pause * 2, 1.0)


def ids_in(session: Session, column: QueryableAttribute[Any] | ColumnElement[Any],
           ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN ids``, on PostgreSQL as one array parameter (``column = ANY(:ids)``): the statement's text is then
    the same whatever the number of ids, so SQLAlchemy compiles it once and psycopg parses it once, instead of a new
    statement with a placeholder per id each time (for a batch of 500 ids that cost more CPU than the database's
    answer). Elsewhere SQLAlchemy's expanding IN."""
    values = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=_ID_ARRAY))
    return column.in_(values)


_ID_ARRAY = ARRAY(BigInteger)


def driver_rows(session: Session, sql: str, params: Sequence[Any] | dict[str, Any]) -> list[Any]:
    """The rows of ``sql`` (in the driver's own SQL and parameter style), run by the driver itself on ``session``'s
    connection: for a hot statement that SQLAlchemy spends longer executing than the database does (a lookup's hit
    rows: about 0.3 ms of CPU through the ORM, 0.15 ms this way). Values come as the driver converts them.

    What SQLAlchemy does around a statement that others rely on is kept: its ``before_cursor_execute`` listeners
    see the statement (the read caches' write marks, the tests' statement counts), and a driver error is raised as
    SQLAlchemy's (a :class:`~sqlalchemy.exc.DBAPIError` subclass), the connection invalidated when it is gone, so that
    :meth:`Database.read` and the error handlers treat it as any other."""
    conn = session.connection()
    pooled = conn.connection
    dbapi = conn.dialect.loaded_dbapi
    cursor = pooled.cursor()
    try:
        conn.dispatch.before_cursor_execute(conn, cursor, sql, params, None, False)
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    except dbapi.Error as e:
        gone = conn.dialect.is_disconnect(e, pooled.dbapi_connection, cursor)
        if gone:
            conn.invalidate(e)
        raise DBAPIError.instance(sql, params, e, dbapi.Error, connection_invalidated=gone,
                                  dialect=conn.dialect) from e
    finally:
        cursor.close()


class SQLiteCheckpointer(threading.Thread):
    """Copies SQLite's write-ahead log into the database every ``interval`` seconds, off the request path.

    Left to itself SQLite checkpoints inside whichever commit crosses ~1,000 log pages, and as indexes grow that commit
    takes tens of milliseconds longer. While this thread runs, the engine's connections switch their automatic
    checkpoints off (on their next checkout) and this thread does passive ones, which wait for no reader or writer;
    when it stops it does a last checkpoint and the connections switch theirs back on.
    """

    def __init__(self, engine: Engine, interval: float) -> None:
        super().__init__(name="basira-sqlite-checkpoint", daemon=True)
        self.engine = engine
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        _CHECKPOINTED[self.engine] = True
        try:
            while not self._stop_event.wait(self.interval):
                self.checkpoint()
        finally:
            _CHECKPOINTED[self.engine] = False
            self.checkpoint()

    def checkpoint(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # a busy or closed database: the next round, or SQLite's own checkpoint, catches up
            log.debug("SQLite checkpoint skipped", exc_info=True)

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)


def start_checkpointer(engine: Engine, interval: float) -> SQLiteCheckpointer | None:
    """Start a :class:`SQLiteCheckpointer` for a SQLite ``engine`` (None for other databases or ``interval`` <= 0)."""
    if engine.dialect.name != "sqlite" or interval <= 0 or engine.url.database in (None, "", ":memory:"):
        return None
    checkpointer = SQLiteCheckpointer(engine, interval)
    checkpointer.start()
    return checkpointer


# Engines whose checkpoints a SQLiteCheckpointer does (weakly held: an engine disposed of is forgotten).
_CHECKPOINTED: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _sqlite_checkout_for(engine: Engine) -> Callable[[Any, Any, Any], None]:
    ref = weakref.ref(engine)

    def on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        eng = ref()
        wanted = 0 if eng is not None and _CHECKPOINTED.get(eng) else 1000  # 1000 pages: SQLite's default
        if record.info.get("wal_autocheckpoint") != wanted:
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA wal_autocheckpoint={wanted}")
            cur.close()
            record.info["wal_autocheckpoint"] = wanted

    return on_checkout


def make_engine(url: str, sqlite_busy_timeout_ms: int = 10_000) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        return _make_engine(url, sqlite_busy_timeout_ms)
    except (ArgumentError, NoSuchModuleError) as e:
        raise ConfigurationError(f"the database URL is not usable ({e})") from None


def _read_engine(engine: Engine) -> Engine:
    """The engine of :meth:`Database.read_session`: autocommit; on PostgreSQL a small pool of its own without
    pre-ping (the ping is a round trip as long as a lookup's one query; a connection that a database restart closed
    fails its statement instead, the pool drops it and its elders, and the read is tried once more)."""
    if engine.dialect.name != "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    psycopg = engine.url.get_driver_name() == "psycopg"
    return create_engine(engine.url, pool_pre_ping=False, pool_size=4, max_overflow=8, pool_timeout=10,
                         isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5} if psycopg else {})


def _make_engine(url: str, busy_timeout_ms: int) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000})
        event.listen(engine, "connect", _sqlite_pragmas_for(busy_timeout_ms))
        event.listen(engine, "checkout", _sqlite_checkout_for(engine))
        return engine
    # Fail fast when the server is away (a request answers 503 within seconds, not after the OS's TCP timeout) and
    # when every connection is busy; pre-ping replaces connections that a database restart closed.
    psycopg = make_url(url).get_driver_name() == "psycopg"
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10,
                         connect_args={"connect_timeout": 5} if psycopg else {})


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@functools.cache
def migration_heads() -> frozenset[str]:
    """The heads of the migrations shipped with this code (read once per process: parsing every migration file
    takes 0.2-5 s, far too long for a readiness probe)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def schema_is_current(engine: Engine) -> bool:
    """Whether the database carries every head of the migrations (what :func:`migrate` would bring it to)."""
    from alembic.runtime.migration import MigrationContext

    heads = migration_heads()
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return heads == current


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration. A database already there is only read (its version table
    against the shipped heads, read once per process): every command and every server worker opens the database
    through here, and Alembic's upgrade parses every migration file each time it runs."""
    if schema_is_current(engine):
        return
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        # Each area's migrations branch from the core ones, so there can be several heads.
        command.upgrade(cfg, "heads")


#: Session.info key of a :meth:`Database.read_session`.
READ_ONLY = "basira_read_only"


def is_read_only(session: Session) -> bool:
    """Whether ``session`` came from :meth:`Database.read_session` (it must not write)."""
    return bool(session.info.get(READ_ONLY))


@event.listens_for(Session, "before_flush")
def _refuse_read_only_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    if is_read_only(session) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a read-only session may not write")


class Database:
    """The engine and a session factory for one instance."""

    def __init__(self, settings: Settings, *, run_migrations: bool = True) -> None:
        self.settings = settings
        self.engine = make_engine(settings.resolved_database_url, settings.sqlite_busy_timeout_ms)
        if run_migrations:
            migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Each statement its own transaction: no BEGIN and COMMIT round trips around a read.
        self.read_engine = _read_engine(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends cleanly and rolls back otherwise."""
        with self.sessions() as s, s.begin():
            yield s

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only, in autocommit (each statement sees what is committed when it runs; two
        statements may see different moments). Whoever may need to write asks :func:`is_read_only` first and
        uses :meth:`session` instead; a flush through it is refused. See :meth:`read`."""
        with self.sessions(bind=self.read_engine) as s:
            s.info[READ_ONLY] = True
            try:
                yield s
            except DBAPIError as e:
                if e.connection_invalidated:
                    s.invalidate()  # the connection is gone: close without the rollback it can no longer do
                raise

    def read(self, fn: Callable[[Session], T]) -> T:
        """``fn`` in a :meth:`read_session`; once more on a fresh connection if the database had closed the one it
        got (a restart since it was last used: the read engine does not ping)."""
        try:
            with self.read_session() as s:
                return fn(s)
        except DBAPIError as e:
            if not e.connection_invalidated:
                raise
        with self.read_session() as s:
            return fn(s)

    def retry_locked(self, fn: Callable[[], T]) -> T:
        """:func:`retry_locked` with this instance's ``sqlite_lock_retry_s`` (PostgreSQL never answers "locked")."""
        return retry_locked(fn, self.settings.sqlite_lock_retry_s)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
