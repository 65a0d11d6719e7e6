"""Database engine, sessions and migrations (Alembic, run programmatically at start-up)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from basira.core.errors import ConfigurationError
from basira.core.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"



def model_modules() -> list[str]:
    """Every ``basira.<area>.models`` module: each area declares its tables on ``basira.core.models.Base``."""
    import basira

    return sorted(f"basira.{m.name}.models" for m in pkgutil.iter_modules(basira.__path__)
                  if m.ispkg and (Path(basira.__path__[0]) / m.name / "models.py").exists())


def load_models() -> None:
    """Import every area's models, so ``Base.metadata`` knows every table (core imports no area by name)."""
    for name in model_modules():
        importlib.import_module(name)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        return _make_engine(url)
    except (ArgumentError, NoSuchModuleError) as e:
        raise ConfigurationError(f"the database URL is not usable ({e})") from None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        # Each area's migrations branch from the core ones, so there can be several heads.
        command.upgrade(cfg, "heads")


class Database:
    """The engine and a session factory for one instance."""

    def __init__(self, settings: Settings, *, run_migrations: bool = True) -> None:
        self.settings = settings
        self.engine = make_engine(settings.resolved_database_url)
        if run_migrations:
            migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends cleanly and rolls back otherwise."""
        with self.sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()
