"""The background worker: turns outbox events into cases (review) and deliveries (actions), and sends due deliveries.

``basira serve`` runs one :class:`Worker` thread beside the web server (started and stopped by the app's lifespan);
:func:`run_once` is the same work done once, for the CLI, tests and cron-style deployments. Several workers (several
API processes on PostgreSQL) may run at once: consumers take turns on their cursor rows and deliveries are claimed
one by one.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import threading
from dataclasses import dataclass, field

import httpx

from basira.actions.config import ActionsConfig
from basira.actions.delivery import DeliveryReport, deliver_due, new_client
from basira.actions.dispatch import DispatchReport, dispatch
from basira.core import audit_heads
from basira.core.instance import Instance
from basira.exercise import service as exercises
from basira.legal import jobs as legal_jobs
from basira.retention.purge import RetentionThread
from basira.review import ConsumeReport, consume
from basira.review.policy import ReviewPolicy
from basira.sharing.incidents import IncidentPusher

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 1.0


@dataclass
class WorkerReport:
    """What one round did: cases from events, actions and deliveries from events, deliveries sent."""

    review: ConsumeReport
    dispatch: DispatchReport
    delivery: DeliveryReport
    legal: legal_jobs.LegalReport = field(default_factory=legal_jobs.LegalReport)
    #: Exercise injects sent because their time came: (exercise, inject, summary or error).
    exercise: list[tuple[str, str, str]] = field(default_factory=list)


def run_once(inst: Instance, *, config: ActionsConfig | None = None, now: dt.datetime | None = None,
             client: httpx.Client | None = None) -> WorkerReport:
    """One round of the worker's work, in order: review consumer, legal duties, actions consumer, due deliveries.

    Args:
        inst: The instance.
        config: How to deliver (from the instance's settings when None).
        now: The time deliveries are due by (the current time when None); tests simulate hours with it.
        client: An HTTP client to reuse across rounds.
    """
    cfg = config or ActionsConfig.from_settings(inst.settings)
    review = consume(inst.db.session, policy=ReviewPolicy(fronts=inst.fronts))
    # Legal escalations and released notices are events: raised before dispatch, they are delivered this round.
    legal = legal_jobs.run_once(inst.db.session, inst.settings.data_dir, now)
    # Due exercise injects are played before dispatch: their events and cases join this round.
    played = exercises.due(inst, now)
    made = dispatch(inst.db.session)
    sent = deliver_due(inst.db.session, cfg, now=now, client=client)
    with inst.db.session() as s:
        audit_heads.export_due(s, inst.settings, inst.secret_key, now)
    return WorkerReport(review, made, sent, legal, played)


class Worker(threading.Thread):
    """A daemon thread that calls :func:`run_once` every ``interval`` seconds until :meth:`stop`.

    A round that fails (the database is briefly unreachable) is logged and the next one tries again; nothing is
    lost, because cursors only move when a batch commits.
    """

    def __init__(self, inst: Instance, *, interval: float = DEFAULT_INTERVAL_S,
                 config: ActionsConfig | None = None, nice: int = 0) -> None:
        super().__init__(name="basira-worker", daemon=True)
        self.inst = inst
        self.interval = interval
        #: Niceness added to this thread and the purge's (see :func:`lower_priority`); only for a process that
        #: answers no requests, whose threads would otherwise wait for the interpreter lock a descheduled thread holds.
        self.nice = nice
        self.config = config or ActionsConfig.from_settings(inst.settings)
        self.rounds = 0
        self._stop_event = threading.Event()
        self._feeds: threading.Thread | None = None
        # The retention purge has a thread of its own: a long purge never delays cases or webhooks.
        self.retention = RetentionThread(inst)
        # Crisis incidents push new signals to partners within a fraction of a second: a thread of their own too.
        self.incidents = IncidentPusher(inst)

    def run(self) -> None:
        if self.incidents.interval > 0:
            self.incidents.start()  # before the priority is lowered: pushes keep the process's priority
        if self.nice > 0:
            lower_priority(self.nice)
        self.retention.start_if_wanted()  # a thread started from this one inherits its priority
        with new_client(self.config) as client:
            while not self._stop_event.is_set():
                try:
                    run_once(self.inst, config=self.config, client=client)
                except Exception:
                    log.exception("worker round failed; trying again in %.1f s", self.interval)
                self._sync_feeds()
                self.rounds += 1
                self._stop_event.wait(self.interval)

    def _sync_feeds(self) -> None:
        """Pull the TAXII feeds whose turn has come, in a thread of their own: a slow partner must not hold up
        cases and deliveries."""
        if self._feeds is None or not self._feeds.is_alive():
            self._feeds = threading.Thread(target=_sync_feeds, args=(self.inst,), name="basira-feeds", daemon=True)
            self._feeds.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to finish its round and stop, and wait for it (at most ``timeout`` seconds; by default
        the delivery timeout plus a margin, since a round may be waiting on an endpoint)."""
        self._stop_event.set()
        self.retention.stop()
        self.incidents.stop()
        if self.is_alive():
            self.join(self.config.timeout + 5 if timeout is None else timeout)


def _sync_feeds(inst: Instance) -> None:
    from basira.sharing import exchanges
    from basira.sharing.client import sync_due

    try:
        sync_due(inst)
    except Exception:  # the database is briefly unreachable: the next round tries again
        log.exception("TAXII feed round failed")
    try:
        exchanges.sync_due(inst)
    except Exception:
        log.exception("exchange round failed")


def lower_priority(nice: int) -> bool:
    """Lower the CPU priority of the calling thread by ``nice`` (Linux gives each thread its own niceness, and the
    threads it starts inherit it); False where the system cannot (another OS, a container that forbids it)."""
    if not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        now = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, now + nice))
    except OSError as exc:
        log.warning("could not lower the background work's priority: %s", exc)
        return False
    return True


def start_worker(inst: Instance, *, interval: float | None = None, config: ActionsConfig | None = None,
                 nice: int = 0) -> Worker:
    """Start a :class:`Worker` for ``inst``; ``interval`` defaults to ``BASIRA_WORKER_INTERVAL_S`` (1 s).

    An interval of 0 (or less) returns a worker that is not started (its ``stop`` does nothing): the setting turns
    the background work off, e.g. for tests that run :func:`run_once` themselves.
    """
    every = float(inst.settings.worker_interval_s) if interval is None else interval
    worker = Worker(inst, interval=max(every, 0.05), config=config, nice=nice)
    if every > 0:
        worker.start()
    return worker
