"""Short-lived caches of what a read-only lookup reads on every request (API keys, the banks an organization may
match, bank owners), so that a lookup whose answer is in the indexes needs no database round trip.

Two rules bound how stale an entry can be:

- **this process**: every transaction that writes (an INSERT, UPDATE, DELETE or COPY through SQLAlchemy, committed
  or not) moves :func:`generation` on, and an entry read before that is never used again. A key revoked, a bank
  disabled or a share withdrawn through this process is seen by its next request.
- **other processes** (the other workers of ``basira serve --workers N``, other machines, the CLI): an entry lives at
  most ``read_cache_s`` seconds (setting ``BASIRA_READ_CACHE_S``, 1 s by default; 0 turns the caches off). A key
  revoked elsewhere is refused here within that time, as the signal change log is replayed within it.

An entry records the generation read *before* the database was read, so a write that lands during the read
leaves the entry stale at birth, never valid past the write.

Writes to the tables of :data:`UNCACHED_TABLES` leave the generation where it is: no cache reads them, and they are
what a busy server writes all the time (stored matches, events, counters, the audit trail, the worker's cursors).
Counted as writes, they emptied the caches at every stored match, and each storing request then read its API key,
its banks and the change log again.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_counter = itertools.count(1)
_generation = 0
_WRITES = ("insert", "update", "delete", "copy", "truncate", "merge", "alter", "drop", "create")

#: Tables that none of the cached reads (API keys, organizations, banks and their shares, sharing groups, exercises,
#: signals and their change log) looks at; writing them does not move :func:`generation`.
UNCACHED_TABLES = frozenset({
    "items", "matches", "events", "signal_hit_counts", "probe_counts", "audit_entries", "audit_heads",
    "consumer_cursors", "review_processed_events", "review_cases", "review_case_matches", "review_decisions",
    "action_deliveries", "action_delivery_attempts", "drone_frames", "drone_positions", "drone_tracks",
    "drone_alerts", "chain_gaps", "scan_runs", "scan_chunks", "web_sessions", "sharing_incidents",
    "sharing_notifications",
})
# The one table an INSERT, UPDATE, DELETE or COPY names (a CTE, TRUNCATE or DDL is a write to count, always).
_TARGET = re.compile(r'\s*(?:insert\s+into|update|delete\s+from|copy)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?(?=[\s(]|$)',
                     re.I)


def _counts(statement: str) -> bool:
    """Whether ``statement`` (known to write) may change what a cache holds."""
    m = _TARGET.match(statement)
    return m is None or m.group(1).lower() not in UNCACHED_TABLES


def _counts_table(table: object) -> bool:
    return getattr(table, "name", None) not in UNCACHED_TABLES


def generation() -> int:
    """A number that changes after every write this process makes to a database."""
    return _generation


def bump() -> None:
    """Mark that this process wrote (callers writing around SQLAlchemy's cursor, e.g. with ``COPY``, call it)."""
    global _generation
    _generation = next(_counter)


def may_use_caches(session: Session) -> bool:
    """Whether ``session`` may take what the caches hold: it has neither written nor holds unwritten changes to a
    table they read (a cache is filled through a session of its own, which would not see them). A transaction that
    wrote only items, matches, events and the like (a group of storing matches) may."""
    if session.info.get("basira_wrote"):
        return False
    # A statement written as text (``session.execute(text("UPDATE ..."))``) marks only its connection.
    if session.in_transaction() and session.connection().info.get("basira_wrote"):
        return False
    return not any(_counts_table(getattr(obj, "__table__", None))
                   for obj in itertools.chain(session.new, session.dirty, session.deleted))


def _on_execute(conn: Connection, _cursor: Any, statement: str, _params: Any, _context: Any,
                _many: bool) -> None:
    head = statement.lstrip()[:8].lower()
    # A CTE may write; counting it as a write is safe.
    if (head.startswith(_WRITES) or head.startswith("with")) and _counts(statement):
        conn.info["basira_wrote"] = True
        bump()


def _on_commit(conn: Connection) -> None:
    if conn.invalidated or conn.info.pop("basira_wrote", False):
        bump()


def _on_rollback(conn: Connection) -> None:
    # A transaction that wrote and rolled back: whatever was read through it (its own writes included) goes too.
    if conn.invalidated or conn.info.pop("basira_wrote", False):  # a lost connection's info cannot be read
        bump()


def _after_commit(session: Session) -> None:
    # After the database committed: a reader that began between the statement and the commit saw the old rows
    # and recorded an older generation; this makes sure the next reader does not take its entry.
    if session.info.pop("basira_wrote", False):
        bump()


def _after_flush(session: Session, _ctx: Any) -> None:
    # Still the flush's own objects here (SQLAlchemy empties these collections after this event).
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if _counts_table(getattr(obj, "__table__", None)):
            session.info["basira_wrote"] = True
            return


def _on_orm_execute(state: Any) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and _counts_table(
            getattr(state.statement, "table", None)):
        state.session.info["basira_wrote"] = True


event.listen(Engine, "before_cursor_execute", _on_execute)
event.listen(Engine, "commit", _on_commit)
event.listen(Engine, "rollback", _on_rollback)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "do_orm_execute", _on_orm_execute)


#: Locks a :class:`TTLCache` spreads its readers' misses over (:meth:`TTLCache.loading`).
LOAD_STRIPES = 64


class TTLCache(Generic[K, V]):
    """A bounded, thread-safe map whose entries expire after ``ttl_s`` seconds or at this process's next write.

    ``ttl_s`` of 0 keeps nothing (every :meth:`get` misses)."""

    def __init__(self, ttl_s: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._data: OrderedDict[K, tuple[V, float, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading = [threading.Lock() for _ in range(LOAD_STRIPES)]

    def get(self, key: K) -> V | None:
        """The value of ``key`` if it is still valid, else None."""
        if self.ttl_s <= 0:
            return None
        found = self._data.get(key)
        if found is None:
            return None
        value, expires, gen = found
        if gen != _generation or self._clock() >= expires:
            with self._lock:
                self._data.pop(key, None)
            return None
        return value

    def begin(self) -> tuple[int, float]:
        """What a reader notes before reading the database: pass it to :meth:`put`."""
        return _generation, self._clock()

    def put(self, key: K, value: V, started: tuple[int, float]) -> None:
        """Keep ``value`` (read after :meth:`begin` gave ``started``) unless this process wrote since."""
        gen, at = started
        if self.ttl_s <= 0 or gen != _generation:
            return
        with self._lock:
            self._data[key] = (value, at + self.ttl_s, gen)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def loading(self, key: K) -> AbstractContextManager[object]:
        """The lock a reader of ``key`` holds while it reads the database (one of :data:`LOAD_STRIPES`, by hash).

        When an entry expires, every request in flight misses it at once: each read the database for it (a burst of
        reads every ``ttl_s``, seen as 3.5 % of a server's CPU under storing matches). Taken around the miss
        (look again, read, :meth:`put`), it lets one reader read and the others take its answer. Never hold it
        while holding a pooled connection that the reader may need. A cache that keeps nothing (``ttl_s`` 0) has
        no answer to share: its readers do not wait for one another."""
        if self.ttl_s <= 0:
            return nullcontext()
        return self._loading[hash(key) % LOAD_STRIPES]

    def get_or_load(self, key: K, load: Callable[[], V]) -> V:
        """The value of ``key``, read by ``load`` on a miss and kept (see :meth:`put`); the requests that miss it
        together read it once (:meth:`loading`)."""
        found = self.get(key)
        if found is not None:
            return found
        with self.loading(key):
            found = self.get(key)
            if found is not None:
                return found
            started = self.begin()
            value = load()
            self.put(key, value, started)
            return value

    def pop(self, key: K) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
