"""The retention purge: delete what each organization's rules say has expired, in small batches, audited.

Each batch is its own short transaction (ingest and the pages never wait long for it); rows whose subject is still
needed (:func:`basira.retention.holds.needed_subjects`) or whose matches sit in a case that still needs them are
stepped over. Every kind purged in an organization is counted in its audit chain: what kind, how many, by which
rule, never the content.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import CursorResult, delete, select

from basira.core import audit
from basira.core.db import load_models
from basira.core.instance import Instance
from basira.core.models import Base, Organization, User, utcnow
from basira.identity.models import OidcLogin
from basira.retention.holds import needed_subjects
from basira.retention.parts import TablePart, parts_by_kind
from basira.retention.rules import Rule, check_kind, kind_names, rules_in_force

log = logging.getLogger(__name__)
ACTOR = "system:retention"
# The background job rests this long between batches, so that requests sharing the process and the database
# (ingest above all) get their turn; a purge on demand (CLI, API) does not rest.
BACKGROUND_PAUSE_S = 0.05


@dataclass
class Purged:
    """What one run did for one kind of record in one organization."""

    org_id: int
    kind: str
    days: int
    source: str
    cutoff: str
    deleted: int = 0
    held: int = 0


@dataclass(frozen=True)
class PurgeOptions:
    """How a run goes: the clock, which organizations and kinds, the batch size, a pause between batches."""

    now: dt.datetime | None = None
    org_ids: tuple[int, ...] | None = None
    kinds: tuple[str, ...] | None = None
    batch: int | None = None
    pause_s: float = 0.0
    #: Set to end the run between two batches (a server shutting down; what was purged stays purged and counted).
    stop: threading.Event | None = None


def run(inst: Instance, options: PurgeOptions | None = None) -> list[Purged]:
    """Purge every organization's expired records (or those of ``options``); returns one report per kind purged."""
    opts = options or PurgeOptions()
    now = opts.now or utcnow()
    kinds = [check_kind(k, inst.fronts) for k in (opts.kinds or kind_names(inst.fronts))]
    batch = max(1, opts.batch or inst.settings.retention_batch_size)
    with inst.db.session() as s:
        org_ids = list(opts.org_ids or s.scalars(select(Organization.id).order_by(Organization.id)))
    reports = []
    for org_id in org_ids:
        with inst.db.session() as s:
            rules = {r.kind: r for r in rules_in_force(s, inst.settings, org_id, inst.fronts)}
            needed = needed_subjects(s, org_id, now)
        for kind in kinds:
            rule = rules[kind]
            if rule.days <= 0 or (opts.stop is not None and opts.stop.is_set()):
                continue
            report = Purged(org_id, kind, rule.days, rule.source, (now - dt.timedelta(days=rule.days)).isoformat())
            _purge_kind(inst, report, rule, now, needed, batch, opts)
            _audit(inst, report)
            reports.append(report)
    return reports


def _purge_kind(inst: Instance, report: Purged, rule: Rule, now: dt.datetime, needed: set[str], batch: int,
                opts: PurgeOptions) -> None:
    cutoff = now - dt.timedelta(days=rule.days)
    if rule.kind == "sessions":
        report.deleted = _purge_sessions(inst, report.org_id, cutoff)
        return
    for part in parts_by_kind(inst.fronts)[rule.kind]:
        after = 0
        while True:
            started = time.perf_counter()
            more, after = _batch(inst, part, report, cutoff, after, needed, batch)
            if not more or (opts.stop is not None and opts.stop.is_set()):
                break
            if opts.pause_s:
                # Rest at least as long as the batch took: the purge takes at most half of what it shares.
                rest = max(opts.pause_s, time.perf_counter() - started)
                if opts.stop is not None:
                    opts.stop.wait(rest)
                else:
                    time.sleep(rest)


def _batch(inst: Instance, part: TablePart, report: Purged, cutoff: dt.datetime, after: int, needed: set[str],
           batch: int) -> tuple[bool, int]:
    """One transaction: the next ``batch`` expired rows after ``after``; returns (more may follow, new cursor)."""
    if part.spec.bulk:
        with inst.db.session() as s:
            seen, deleted, held_count, last = part.purge_batch(s, report.org_id, cutoff, after, batch, needed)
        report.deleted += deleted
        report.held += held_count
        return seen == batch, last
    with inst.db.session() as s:
        rows = part.candidates(s, report.org_id, cutoff, after, batch)
        if not rows:
            return False, after
        ids = [r.id for r in rows]
        held = {r.id for r in rows if r.subjects & needed} | part.held_by_cases(s, ids)
        doomed = [i for i in ids if i not in held]
        if doomed:
            report.deleted += part.delete(s, doomed)
    report.held += len(held)
    return len(rows) == batch, ids[-1]


def _purge_sessions(inst: Instance, org_id: int, cutoff: dt.datetime) -> int:
    load_models()
    exposures = Base.metadata.tables["web_exposures"]  # the web pages' table, named here without importing them
    users = select(User.id).where(User.org_id == org_id).scalar_subquery()
    with inst.db.session() as s:
        gone = s.execute(delete(exposures).where(exposures.c.user_id.in_(users),
                                                 exposures.c.day < cutoff.date().isoformat()))
        logins = s.execute(delete(OidcLogin).where(OidcLogin.org_id == org_id, OidcLogin.created_at < cutoff))
    return sum(int(r.rowcount) for r in (gone, logins) if isinstance(r, CursorResult))


def _audit(inst: Instance, report: Purged) -> None:
    if not report.deleted:
        return
    details: dict[str, Any] = {"kind": report.kind, "count": report.deleted, "held": report.held,
                               "rule": {"days": report.days, "source": report.source}, "cutoff": report.cutoff}
    with inst.db.session() as s:
        audit.record(s, org_id=report.org_id, actor=ACTOR, action="retention.purge",
                     target=f"retention:{report.kind}", details=details)


def as_dict(report: Purged) -> dict[str, Any]:
    return asdict(report)


class RetentionThread(threading.Thread):
    """Runs :func:`run` every ``BASIRA_RETENTION_INTERVAL_S`` beside the server (started by the worker)."""

    def __init__(self, inst: Instance) -> None:
        super().__init__(name="basira-retention", daemon=True)
        self.inst = inst
        self.interval = float(inst.settings.retention_interval_s)
        self._stop_event = threading.Event()

    def start_if_wanted(self) -> None:
        if self.interval > 0:
            self.start()

    def run(self) -> None:
        # The first run waits one interval: a server that starts does its first work first.
        while not self._stop_event.wait(self.interval):
            try:
                run(self.inst, PurgeOptions(pause_s=BACKGROUND_PAUSE_S, stop=self._stop_event))
            except Exception:
                log.exception("retention purge failed; trying again in %.0f s", self.interval)

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)
