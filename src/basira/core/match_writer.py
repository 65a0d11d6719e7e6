"""Storing matches in groups: concurrent storing match requests share one transaction.

A storing match writes an item, its matches, flood counts and an event; written one request per transaction, the
commits and the round trips of many small INSERTs cost more than the lookup itself. :class:`MatchWriter` queues
the requests of one server process; a free one of its ``match_batch_writers`` writer threads takes the first
waiting request, then whatever else arrives within ``match_batch_wait_ms`` (at most ``match_batch_items`` in all),
looks each item up and writes them together (:func:`basira.core.matching.match_items`). A group forms only when a
writer is free, one at a time, so groups grow with the load instead of queueing behind each other.

A request is answered only after its group committed: a crash loses no answered item (a caller whose request was
in a group that never committed had no answer and sends it again). When a group fails (one item's bad input, a
deadlock, a lost connection), its items are redone one per transaction, so each gets its own answer or error and
no item is refused for another's fault. :meth:`MatchWriter.close` stops taking requests and writes what is queued.

Only signal values are grouped: an item sent as content is hashed by its own request (the hashing would hold the
whole group back).

Lookups (``store=False``) are grouped the same way by :class:`LookupGroups`, with no waiting: the lookups that
queued while its ``lookup_batch_threads`` threads were busy (at most ``lookup_batch_items``) are answered together
in one read-only session (:func:`basira.core.matching.lookup_items`): one connection, one thread hop and one read of
the hits' rows for the group instead of one each. An item that fails alone (its input, its caller's role) gets its
own error; one whose hits need a session that may write (probing control) is matched again alone in one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from basira.core.db import Database
from basira.core.errors import Busy
from basira.core.indexes import IndexManager
from basira.core.matching import MatchRequest, NeedsTransaction, item_signals, lookup_items, match_item, match_items
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry

log = logging.getLogger(__name__)


@dataclass
class _Job:
    principal: Principal
    request: MatchRequest
    future: Future[dict[str, Any]]


class _Groups:
    """Requests queued by one server process and handled in groups by a few threads (see the module's docstring).
    A free thread forms the next group (one thread at a time: the others wait their turn), then handles it
    (:meth:`_write`): a request wakes one thread, not a collector and then a worker."""

    #: Whether each request's values are checked before its group (a bad one would fail the whole group).
    check_first = True
    #: Whether the requests store their items (``MatchRequest.store``).
    stores = True
    #: What the requests are, for the log.
    what = "storing matches"

    def __init__(self, db: Database, registry: SignalTypeRegistry, indexes: IndexManager, settings: Settings, *,
                 max_items: int, wait_s: float, threads: int, name: str) -> None:
        self.db = db
        self.registry = registry
        self.indexes = indexes
        self.settings = settings
        self.max_items = max(1, max_items)
        self.wait_s = max(0.0, wait_s)
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._collecting = threading.Lock()
        self._closed = False
        self._threads = [threading.Thread(target=self._serve, name=f"basira-{name}-{n}", daemon=True)
                         for n in range(max(1, threads))]
        for thread in self._threads:
            thread.start()
        #: How many groups were handled and how many items they held (for /metrics and tests).
        self.groups = 0
        self.items = 0
        self.fallbacks = 0

    def submit(self, principal: Principal, request: MatchRequest) -> Future[dict[str, Any]]:
        """Queue a request; the future gives the result once the item's group is done (for a storing match: once
        its group committed).

        Raises:
            Busy: The groups are closed (the server is stopping).
            ValueError: A storing match given to :class:`LookupGroups`.
        """
        if request.store != self.stores:
            raise ValueError("a storing match goes to MatchWriter, a lookup to LookupGroups")
        fut: Future[dict[str, Any]] = Future()
        with self._lock:
            if self._closed:
                raise Busy("the server is stopping; send the item again", retry_after=1)
            self._queue.put(_Job(principal, request, fut))
        return fut

    def match(self, principal: Principal, request: MatchRequest) -> dict[str, Any]:
        """:meth:`submit` and wait for the result (for threads; an event loop awaits the future instead)."""
        return self.submit(principal, request).result()

    def close(self, timeout: float = 30.0) -> None:
        """Stop taking requests, handle every queued one (a storing match: write it), and stop the threads."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _serve(self) -> None:
        while True:
            group, stop = self._collect()
            if group:
                self._run(group)
            if stop:
                # Passed on to the next thread, after this one's group: whatever was queued before the stop is
                # in a group by then.
                self._queue.put(None)
                return

    def _collect(self) -> tuple[list[_Job], bool]:
        """The next group (and whether the stop came after it): the first waiting request, then whatever else
        arrives within ``wait_s``, at most ``max_items``."""
        with self._collecting:
            first = self._queue.get()
            if first is None:
                return [], True
            group = [first]
            deadline = time.monotonic() + self.wait_s
            while len(group) < self.max_items:
                try:
                    left = deadline - time.monotonic()
                    job = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    return group, True
                group.append(job)
            return group, False

    def _run(self, group: list[_Job]) -> None:
        live: list[_Job] = []
        for job in group:
            if not job.future.set_running_or_notify_cancel():
                continue
            # Values checked before the shared transaction: a bad one is refused alone, not by failing the group
            # (which would then be redone item by item).
            if self.check_first:
                try:
                    item_signals(self.registry, self.settings, job.request)
                except Exception as e:
                    job.future.set_exception(e)
                    continue
            live.append(job)
        if live:
            try:
                self._write(live)
            except Exception as e:  # never leave a caller waiting for ever, nor end the thread
                log.exception("a group of %d matches failed unexpectedly", len(live))
                for job in live:
                    if not job.future.done():
                        job.future.set_exception(e)

    def _write(self, group: list[_Job]) -> None:
        """Handle ``group`` together (SQLite locked by a long import: tried again, nothing of it was written) and
        settle each request; when the group fails as a whole (one item's bad input, a lost transaction), a lone
        item gets the error and several are handled again one by one, each with its own answer or error."""
        try:
            results = self.db.retry_locked(lambda: self._handle(group))
        except Exception as e:
            if len(group) == 1:
                group[0].future.set_exception(e)
                return
            log.info("a group of %d %s failed (%s); handling them one by one", len(group), self.what,
                     type(e).__name__)
            self.fallbacks += 1
            for job in group:
                self._write([job])
            return
        self.groups += 1
        self.items += len(group)
        for job, result in zip(group, results, strict=True):
            self._settle(job, result)

    def _handle(self, group: list[_Job]) -> list[Any]:
        """The results of ``group``'s requests, in order, from one session."""
        raise NotImplementedError

    def _settle(self, job: _Job, result: Any) -> None:
        job.future.set_result(result)


class MatchWriter(_Groups):
    """Groups storing match requests into shared transactions (see the module's docstring)."""

    def __init__(self, db: Database, registry: SignalTypeRegistry, indexes: IndexManager, settings: Settings) -> None:
        # SQLite has one writer at a time: several writer threads would only wait on its lock.
        writers = 1 if db.engine.dialect.name == "sqlite" else max(1, settings.match_batch_writers)
        super().__init__(db, registry, indexes, settings, max_items=settings.match_batch_items,
                         wait_s=settings.match_batch_wait_ms / 1000, threads=writers, name="match-writer")

    def _handle(self, group: list[_Job]) -> list[Any]:
        with self.db.session() as s:
            return match_items(s, self.registry, self.indexes, self.settings,
                               [(job.principal, job.request) for job in group])


class LookupGroups(_Groups):
    """Answers lookups (``store=False``) in groups, each group in one read-only session (see the module's
    docstring). :meth:`submit` a request whose ``store`` is False."""

    check_first = False  # lookup_items gives a bad item its own error
    stores = False
    what = "lookups"

    def __init__(self, db: Database, registry: SignalTypeRegistry, indexes: IndexManager, settings: Settings) -> None:
        super().__init__(db, registry, indexes, settings, max_items=settings.lookup_batch_items, wait_s=0.0,
                         threads=max(1, settings.lookup_batch_threads), name="lookup")

    def _handle(self, group: list[_Job]) -> list[Any]:
        return list(self.db.read(lambda s: lookup_items(s, self.registry, self.indexes, self.settings,
                                                        [(job.principal, job.request) for job in group])))

    def _settle(self, job: _Job, result: Any) -> None:
        if isinstance(result, NeedsTransaction):
            self._in_transaction(job)
        elif isinstance(result, Exception):
            job.future.set_exception(result)
        else:
            job.future.set_result(result)

    def _in_transaction(self, job: _Job) -> None:
        """A lookup whose hits probing control counts: matched alone in a session that may write."""
        def attempt() -> dict[str, Any]:
            with self.db.session() as s:
                return match_item(s, job.principal, self.registry, self.indexes, self.settings, job.request)

        try:
            job.future.set_result(self.db.retry_locked(attempt))
        except Exception as e:
            job.future.set_exception(e)
