"""One running Basira: its fronts, settings, database, signal-type registry and indexes, built once and passed
around."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from pathlib import Path

from sqlalchemy.engine import make_url

from basira.core import audit, sealed
from basira.core.db import Database
from basira.core.fronts import FrontRegistry, default_fronts
from basira.core.indexes import IndexManager
from basira.core.match_writer import LookupGroups, MatchWriter
from basira.core.models import Base
from basira.core.principal import Principal
from basira.core.readcache import TTLCache
from basira.core.settings import Settings, load_settings
from basira.core.signals import SignalTypeRegistry, default_registry

log = logging.getLogger(__name__)


class Instance:
    """The services of one instance; the API, the web UI and the CLI each hold one."""

    def __init__(self, settings: Settings | None = None, registry: SignalTypeRegistry | None = None,
                 fronts: FrontRegistry | None = None) -> None:
        self.fronts = fronts or default_fronts()
        self.settings = settings or load_settings(fronts=self.fronts)
        private_dir(self.settings.data_dir)
        if (db_file := sqlite_file(self.settings.resolved_database_url)) is not None:
            private_file(db_file)
        self.secret_key = self.settings.secret_key or _stored_secret(self.settings.data_dir / "secret.key")
        self.db = Database(self.settings)
        # Secret columns are sealed with the instance key; rows an earlier version wrote in clear are sealed now.
        sealed.attach(self.db.engine, self.secret_key)
        sealed.attach(self.db.read_engine, self.secret_key)
        with self.db.engine.begin() as conn:
            sealed.seal_existing(conn, Base.metadata, self.secret_key)
        # Every session carries the audit chain's key (derived from the secret, which never enters the database).
        self.db.sessions.configure(info={audit.KEY_INFO: audit.derive_key(self.secret_key)})
        with self.db.session() as s:
            audit.seal_chains(s)
        self.registry = registry or (default_registry() if fronts is None
                                     else SignalTypeRegistry.from_entry_points(self.fronts))
        self.indexes = IndexManager(self.registry, self.settings.data_dir / "indexes",
                                    database_key=self.settings.resolved_database_url, settings=self.settings)
        # API keys presented to this process (by digest) and their principals; see basira.core.readcache.
        self.key_cache: TTLCache[bytes, Principal] = TTLCache(self.settings.read_cache_s)
        self._writer_lock = threading.Lock()
        self._match_writer: MatchWriter | None = None
        self._lookup_groups: LookupGroups | None = None

    def match_writer(self) -> MatchWriter | None:
        """The process's :class:`MatchWriter` for storing matches, started on first use (None when
        ``match_batch_items`` is 0: each storing match writes its own transaction)."""
        if self.settings.match_batch_items <= 0:
            return None
        with self._writer_lock:
            if self._match_writer is None:
                self._match_writer = MatchWriter(self.db, self.registry, self.indexes, self.settings)
            return self._match_writer

    def lookup_groups(self) -> LookupGroups | None:
        """The process's :class:`LookupGroups` for lookups of signal values, started on first use (None when
        ``lookup_batch_items`` is 0: each lookup runs on its own in the caller's thread pool)."""
        if self.settings.lookup_batch_items <= 0:
            return None
        with self._writer_lock:
            if self._lookup_groups is None:
                self._lookup_groups = LookupGroups(self.db, self.registry, self.indexes, self.settings)
            return self._lookup_groups

    def close_match_writer(self) -> None:
        """Write the queued storing matches and answer the queued lookups, and stop their threads (a later match
        starts others)."""
        with self._writer_lock:
            writer, self._match_writer = self._match_writer, None
            groups, self._lookup_groups = self._lookup_groups, None
        if writer is not None:
            writer.close()
        if groups is not None:
            groups.close()

    def close(self) -> None:
        """Write the queued storing matches, save the large indexes (so the next start need not rebuild them) and
        release the database."""
        self.close_match_writer()
        self.indexes.save_all()
        self.db.dispose()


def _stored_secret(path: Path) -> str:
    """A random secret kept in the data folder (created on first use, readable by its owner only)."""
    if path.exists():
        private_file(path)
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value


def private_dir(path: Path) -> None:
    """Make ``path`` (and its missing parents) a folder only its owner may enter (700); tighten it if it was
    made looser by an earlier version."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _tighten(path, 0o700)


def private_file(path: Path) -> None:
    """Make ``path`` a file only its owner may read and write (600), creating it empty if missing."""
    if not path.exists():
        if not path.parent.is_dir():
            return  # the database will say what is wrong with its path
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    _tighten(path, 0o600)


def _tighten(path: Path, mode: int) -> None:
    current = path.stat()
    if current.st_uid == os.getuid() and current.st_mode & 0o777 & ~mode:
        try:
            path.chmod(mode)
        except OSError as e:  # a file system without modes (a mounted share): say so, do not stop
            log.warning("could not make %s private (%s)", path, e.strerror)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)
