"""Index manager: one in-memory index per (bank, signal type), kept current from the signal change log.

The database is the source of truth. Before a query the manager replays the ``signal_changes`` rows past each
index's watermark, so a signal added or disabled through any worker is seen by every worker: at its next query
after a write through the same process, within ``read_cache_s`` (1 s by default) after one through another
process (see :mod:`basira.core.readcache`; 0 replays before every query).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core.errors import ConfigurationError
from basira.core.models import Organization, Signal, SignalChange
from basira.core.readcache import TTLCache, generation
from basira.core.settings import Settings
from basira.core.signals import SignalIndex, SignalTypeRegistry

if TYPE_CHECKING:
    from basira.core.models import Bank
    from basira.core.visibility import Access

log = logging.getLogger(__name__)

#: Indexes with fewer entries are rebuilt from the database at start rather than saved.
PERSIST_MIN_SIZE = 10_000


class IndexManager:
    """Holds the indexes of this process; thread-safe."""

    def __init__(self, registry: SignalTypeRegistry, persist_dir: Path | None = None,
                 database_key: str = "", persist_min_size: int = PERSIST_MIN_SIZE,
                 settings: Settings | None = None) -> None:
        """``persist_dir``: where persistent indexes are saved (None: never); ``database_key`` names the database
        the files belong to, so that files of another database are never loaded."""
        self.registry = registry
        self._indexes: dict[tuple[int, str], SignalIndex] = {}
        self._saved_watermark: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        self._persist_dir = persist_dir
        self._settings = settings
        self._persist_min_size = persist_min_size
        self._db_tag = hashlib.sha256(database_key.encode()).hexdigest()[:12]
        #: How long a replay of the change log stands for this process (0: replay before every query).
        self.read_ttl_s = settings.read_cache_s if settings is not None else 0.0
        # (bank, type) -> (generation, monotonic time) when the change log was last replayed for it
        self._replayed: dict[tuple[int, str], tuple[int, float]] = {}
        # (bank, type) -> the lock of its change-log replay (one at a time; queries do not wait for it)
        self._replaying: dict[tuple[int, str], threading.Lock] = {}
        #: What lookups read on every request, kept as briefly as the indexes' replay (see basira.core.readcache):
        #: the banks an organization may match (by organization id) and the organizations by id.
        self.banks_cache: TTLCache[int, list[tuple[Bank, Access]]] = TTLCache(self.read_ttl_s, 10_000)
        self.owners_cache: TTLCache[str, dict[int, Organization]] = TTLCache(self.read_ttl_s, 1)

    def _path(self, bank_id: int, signal_type: str) -> Path | None:
        if self._persist_dir is None:
            return None
        return self._persist_dir / f"{self._db_tag}-{bank_id}-{signal_type}.idx"

    def _load_saved(self, session: Session, bank_id: int, signal_type: str) -> SignalIndex | None:
        path = self._path(bank_id, signal_type)
        empty = self.registry.get(signal_type).new_index(self._settings)
        if path is None or not empty.persistent or not path.exists():
            return None
        try:
            index = type(empty).load(path)
        except ConfigurationError as e:
            log.warning("rebuilding the index from the database: %s", e.detail)
            return None
        self._catch_up(session, bank_id, signal_type, index)
        return index

    def _build(self, session: Session, bank_id: int, signal_type: str) -> SignalIndex:
        saved = self._load_saved(session, bank_id, signal_type)
        if saved is not None:
            return saved
        index = self.registry.get(signal_type).new_index(self._settings)
        # Take the watermark first: a change racing with the load is replayed again, which is harmless.
        watermark = session.scalar(select(func.max(SignalChange.id))) or 0
        rows = session.execute(
            select(Signal.id, Signal.value).where(
                Signal.bank_id == bank_id, Signal.signal_type == signal_type, Signal.enabled.is_(True))
        )
        index.build(rows)
        index.watermark = watermark
        return index

    def _catch_up(self, session: Session, bank_id: int, signal_type: str, index: SignalIndex) -> None:
        self._apply(index, *self._changes(session, bank_id, signal_type, index.watermark))

    def _changes(self, session: Session, bank_id: int, signal_type: str, watermark: int,
                 ) -> tuple[int, list[int], list[tuple[int, str]]]:
        """The change log of one index past ``watermark``: (the last change's id, or ``watermark`` when there is
        none; the signals removed; the signals added, with their values)."""
        changes = session.execute(
            select(SignalChange.id, SignalChange.signal_id, SignalChange.op).where(
                SignalChange.bank_id == bank_id, SignalChange.signal_type == signal_type,
                SignalChange.id > watermark).order_by(SignalChange.id)
        ).all()
        if not changes:
            return watermark, [], []
        added = [sid for _, sid, op in changes if op == "add"]
        removed = [sid for _, sid, op in changes if op == "remove"]
        rows: list[tuple[int, str]] = []
        if added:
            # The latest state decides: an add followed by a remove stays removed.
            rows = [(sid, value) for sid, value in session.execute(
                select(Signal.id, Signal.value).where(Signal.id.in_(added), Signal.enabled.is_(True)))]
        return changes[-1][0], removed, rows

    @staticmethod
    def _apply(index: SignalIndex, last: int, removed: list[int], added: list[tuple[int, str]]) -> None:
        if removed:
            index.remove(removed)
        if added:
            index.add(added)
        index.watermark = last

    def _current(self, key: tuple[int, str]) -> bool:
        """Whether the index of ``key`` was replayed recently enough to skip the change log (see the module)."""
        replayed = self._replayed.get(key)
        return (replayed is not None and self.read_ttl_s > 0 and replayed[0] == generation()
                and time.monotonic() < replayed[1] + self.read_ttl_s)

    def index(self, session: Session, bank_id: int, signal_type: str) -> SignalIndex:
        key = (bank_id, signal_type)
        idx = self._indexes.get(key)
        if idx is not None and self._current(key):
            return idx
        if idx is None:
            with self._lock:
                idx = self._indexes.get(key)
                if idx is None:
                    started = (generation(), time.monotonic())
                    idx = self._indexes[key] = self._build(session, bank_id, signal_type)
                    self._replayed[key] = started
                    return idx
        # The change log is read without the query lock (queries go on meanwhile), one replay at a time per index.
        # When only time has passed since the last replay (no write through this process since), a query that
        # finds a replay under way answers from the index as it is rather than wait: changes made elsewhere are
        # then seen by the replay's end, a few milliseconds past ``read_ttl_s``. After a write through this process
        # every query waits for the replay, so that the write is seen by the next query, as the module says (and
        # with ``read_ttl_s`` 0, every query waits for a replay of its own).
        replaying = self._replaying.setdefault(key, threading.Lock())
        replayed = self._replayed.get(key)
        must_wait = replayed is None or replayed[0] != generation() or self.read_ttl_s <= 0
        if not replaying.acquire(blocking=must_wait):
            return idx
        try:
            if self._current(key):
                return idx
            started = (generation(), time.monotonic())
            changes = self._changes(session, bank_id, signal_type, idx.watermark)
            with self._lock:
                self._apply(idx, *changes)
            self._replayed[key] = started
        finally:
            replaying.release()
        return idx

    def query(self, session: Session, bank_id: int, signal_type: str, values: Sequence[str],
              threshold: float) -> list[list[tuple[int, float]]]:
        idx = self.index(session, bank_id, signal_type)
        with self._lock:
            return idx.query(values, threshold)

    def snapshot(self) -> list[tuple[tuple[int, str], int, int]]:
        """``((bank id, signal type), size, watermark)`` of every index this process holds (for metrics)."""
        with self._lock:
            return [(key, len(idx), idx.watermark) for key, idx in self._indexes.items()]

    def save_all(self) -> int:
        """Save every persistent index that is large enough and changed since it was saved; returns how many."""
        saved = 0
        with self._lock:
            for (bank_id, signal_type), idx in self._indexes.items():
                path = self._path(bank_id, signal_type)
                key = (bank_id, signal_type)
                if path is None or not idx.persistent or len(idx) < self._persist_min_size:
                    continue
                if self._saved_watermark.get(key) == idx.watermark and path.exists():
                    continue
                idx.save(path)
                self._saved_watermark[key] = idx.watermark
                saved += 1
        return saved

    def drop(self, bank_id: int) -> None:
        with self._lock:
            for key in [k for k in self._indexes if k[0] == bank_id]:
                del self._indexes[key]
                self._replayed.pop(key, None)


def record_change(session: Session, signal: Signal, op: str) -> None:
    """Log an add or remove of ``signal`` in the caller's transaction."""
    session.add(SignalChange(signal_id=signal.id, bank_id=signal.bank_id, signal_type=signal.signal_type, op=op))
