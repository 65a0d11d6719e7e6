"""Probing detection on match-only banks: a search for a RED or AMBER+STRICT value through yes/no answers.

An organization that may match another's RED bank learns only "a signal of <owner> matched" (no value, no
distance), yet by moving a query bit by bit and watching the answer it can walk to the exact value (the issue
found it done in 269 requests). Such a walk is many hits near the threshold against one signal: each near hit
(distance at least ``probe_near_fraction`` of the threshold) is counted per organization, signal and hour; past
``probe_max_per_hour`` the signal is quarantined, its owner alerted (a ``signal.probed`` event and an audit entry
in the owner's chain), and from then on it answers nobody who may only match it until its owner releases it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from basira.core import audit, outbox
from basira.core.flood import hour_of
from basira.core.lookup import BankHit, threshold
from basira.core.models import ProbeCount, Signal
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry
from basira.core.visibility import Access

ACTOR = "system:probe-detection"


def count_query(session: Session, org_id: int, signal_id: int, hour: int) -> int:
    """Add one near-threshold query of ``org_id`` on ``signal_id`` in ``hour``; the new count (an upsert)."""
    dialect = session.get_bind().dialect.name
    values = {"org_id": org_id, "signal_id": signal_id, "hour": hour, "queries": 1}
    if dialect in ("postgresql", "sqlite"):
        ins = pg_insert(ProbeCount) if dialect == "postgresql" else sqlite_insert(ProbeCount)
        stmt = ins.values(**values).on_conflict_do_update(
            index_elements=["org_id", "signal_id", "hour"], set_={"queries": ProbeCount.queries + 1},
        ).returning(ProbeCount.queries)
        return int(session.execute(stmt).scalar_one())
    row = session.scalars(select(ProbeCount).where(
        ProbeCount.org_id == org_id, ProbeCount.signal_id == signal_id, ProbeCount.hour == hour)
        .with_for_update()).first()
    if row is None:
        row = ProbeCount(**values)
        session.add(row)
    else:
        row.queries += 1
    session.flush()
    return row.queries


def is_near(registry: SignalTypeRegistry, settings: Settings, hit: BankHit) -> bool:
    """Whether a hit is near its bank's threshold (exact-only types, threshold 0, never are)."""
    limit = threshold(registry, hit.bank, hit.signal.signal_type)
    return limit > 0 and hit.distance >= settings.probe_near_fraction * limit


def watch(session: Session, registry: SignalTypeRegistry, settings: Settings, org_id: int,
          hits: Sequence[BankHit], now: dt.datetime) -> set[int]:
    """Count the near hits of ``org_id`` on match-only signals, quarantine the probed ones; the ids of the signals
    that must not answer this organization (quarantined, now or before)."""
    hidden: set[int] = set()
    hour = hour_of(now)
    for hit in hits:
        sig = hit.signal
        if hit.access != Access.MATCH_ONLY or sig.id in hidden:
            continue
        if sig.quarantined_at is not None:
            hidden.add(sig.id)
            continue
        if settings.probe_max_per_hour <= 0 or not is_near(registry, settings, hit):
            continue
        count = count_query(session, org_id, sig.id, hour)
        if count <= settings.probe_max_per_hour:
            continue
        done = session.execute(update(Signal).where(Signal.id == sig.id, Signal.quarantined_at.is_(None))
                               .values(quarantined_at=now).execution_options(synchronize_session=False))
        hidden.add(sig.id)
        if getattr(done, "rowcount", 0) != 1:  # another request quarantined it first: its time
            sig.quarantined_at = session.scalar(select(Signal.quarantined_at).where(Signal.id == sig.id))
            continue
        sig.quarantined_at = now
        details = {"signal_id": sig.id, "bank_id": hit.bank.id, "by_org_id": org_id,
                   "near_queries_this_hour": count}
        audit.record(session, org_id=hit.bank.org_id, actor=ACTOR, action="signal.probed",
                     target=f"signal:{sig.id}", details=details)
        outbox.emit(session, "signal.probed", details, org_id=hit.bank.org_id)
    return hidden
