"""Flood control: a bank signal that suddenly matches far more than usual is quarantined until released.

A bad signal (the hash of a blank frame, a domain everyone links to) can match thousands of items an hour and
set off as many reviews and actions. Each match counts its signals' hits per hour; a signal whose hits this hour
reach ``max(flood_min_hits_per_hour, flood_factor x its mean hourly hits over flood_baseline_days)`` is
quarantined in the matching transaction itself, so its later hits are stored suppressed and no action fires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from basira.core import audit, outbox
from basira.core.db import driver_rows
from basira.core.lookup import HitSignal
from basira.core.models import Bank, Signal, SignalHitCount
from basira.core.settings import Settings

ACTOR = "system:flood-control"
#: Hit counts written by one upsert statement at most.
UPSERT_ROWS = 500


def hour_of(when: dt.datetime) -> int:
    """The hour number of ``when``: unix time // 3600."""
    return int(when.timestamp()) // 3600


def count_hit(session: Session, signal_id: int, hour: int, hits: int = 1) -> int:
    """Add ``hits`` to the signal's count for ``hour`` and return the new count.

    An upsert, so that two workers counting the same signal at once never both insert the row.
    """
    dialect = session.get_bind().dialect.name
    values = {"signal_id": signal_id, "hour": hour, "hits": hits}
    if dialect in ("postgresql", "sqlite"):
        ins = pg_insert(SignalHitCount) if dialect == "postgresql" else sqlite_insert(SignalHitCount)
        stmt = ins.values(**values).on_conflict_do_update(
            index_elements=["signal_id", "hour"], set_={"hits": SignalHitCount.hits + hits},
        ).returning(SignalHitCount.hits)
        return int(session.execute(stmt).scalar_one())
    row = session.scalars(select(SignalHitCount).where(
        SignalHitCount.signal_id == signal_id, SignalHitCount.hour == hour).with_for_update()).first()
    if row is None:
        row = SignalHitCount(**values)
        session.add(row)
    else:
        row.hits += hits
    session.flush()
    return row.hits


#: :func:`count_hits` on PostgreSQL: the rows of three arrays, taken in their order (unnest keeps it), so that two
#: transactions counting the same signals lock their rows alike.
_PG_COUNT_HITS = ("INSERT INTO signal_hit_counts (signal_id, hour, hits) "
                  "SELECT * FROM unnest(%(signal_ids)s::bigint[], %(hours)s::integer[], %(hits)s::integer[]) "
                  "ON CONFLICT (signal_id, hour) DO UPDATE SET hits = signal_hit_counts.hits + excluded.hits "
                  "RETURNING signal_id, hour, hits")


def count_hits(session: Session, counts: Sequence[tuple[tuple[int, int], int]]) -> dict[tuple[int, int], int]:
    """Add each ``((signal id, hour), hits)`` of ``counts`` (one per key, in the order their row locks are to be
    taken) and return the new counts by key: one multi-row upsert per :data:`UPSERT_ROWS` on PostgreSQL and
    SQLite, :func:`count_hit` row by row elsewhere."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        return {key: count_hit(session, key[0], key[1], n) for key, n in counts}
    out: dict[tuple[int, int], int] = {}
    if dialect == "postgresql":
        # One text for any number of rows, run by psycopg itself: SQLAlchemy built and compiled the multi-row
        # statement anew for every group of storing matches (a quarter of their CPU, docs/benchmarks.md).
        for start in range(0, len(counts), UPSERT_ROWS):
            part = counts[start:start + UPSERT_ROWS]
            added = driver_rows(session, _PG_COUNT_HITS, {"signal_ids": [sid for (sid, _), _ in part],
                                                         "hours": [hour for (_, hour), _ in part],
                                                         "hits": [n for _, n in part]})
            out.update(((sid, hour), int(hits)) for sid, hour, hits in added)
        return out
    for start in range(0, len(counts), UPSERT_ROWS):
        part = counts[start:start + UPSERT_ROWS]
        ins = pg_insert(SignalHitCount) if dialect == "postgresql" else sqlite_insert(SignalHitCount)
        # Rows are taken in the order of VALUES, so two transactions counting the same signals lock them alike.
        rows = ins.values([{"signal_id": sid, "hour": hour, "hits": n} for (sid, hour), n in part])
        stmt = rows.on_conflict_do_update(index_elements=["signal_id", "hour"],
                                          set_={"hits": SignalHitCount.hits + rows.excluded.hits},
                                          ).returning(SignalHitCount.signal_id, SignalHitCount.hour,
                                                      SignalHitCount.hits)
        out.update(((sid, hour), int(hits)) for sid, hour, hits in session.execute(stmt))
    return out


def baseline_per_hour(session: Session, signal_id: int, hour: int, days: int) -> float:
    """The signal's mean hits per hour over the ``days`` before ``hour`` (hours without hits count as 0)."""
    hours = max(days, 0) * 24
    if hours == 0:
        return 0.0
    total = session.scalar(select(func.coalesce(func.sum(SignalHitCount.hits), 0)).where(
        SignalHitCount.signal_id == signal_id, SignalHitCount.hour >= hour - hours, SignalHitCount.hour < hour))
    return float(total or 0) / hours


def record_batch(session: Session, settings: Settings, hits: Iterable[tuple[HitSignal, Bank, int]],
                 now: dt.datetime) -> list[int]:
    """Count the hits of several items at once: one ``(signal, bank, hour)`` per item and signal hit (an item
    counts a signal once: give it once). Counts go in (signal, hour) order, so that two transactions counting
    the same signals lock their rows in the same order; the ids newly quarantined."""
    counts: dict[tuple[int, int], int] = {}
    found: dict[int, tuple[HitSignal, Bank]] = {}
    for sig, bank, hour in hits:
        counts[sig.id, hour] = counts.get((sig.id, hour), 0) + 1
        found[sig.id] = (sig, bank)
    quarantined: list[int] = []
    ordered = sorted(counts.items())
    new_counts = count_hits(session, ordered)
    for (signal_id, hour), _ in ordered:
        sig, bank = found[signal_id]
        count = new_counts[signal_id, hour]
        if sig.quarantined_at is not None or count < settings.flood_min_hits_per_hour:
            continue
        base = baseline_per_hour(session, sig.id, hour, settings.flood_baseline_days)
        if count < max(settings.flood_min_hits_per_hour, settings.flood_factor * base):
            continue
        # The WHERE makes the quarantine happen once when two workers cross the line at the same moment.
        done = session.execute(update(Signal).where(Signal.id == sig.id, Signal.quarantined_at.is_(None))
                               .values(quarantined_at=now).execution_options(synchronize_session=False))
        if getattr(done, "rowcount", 0) != 1:
            continue
        sig.quarantined_at = now
        details = {"signal_id": sig.id, "bank_id": bank.id, "hits_last_hour": count,
                   "baseline_per_hour": round(base, 3)}
        audit.record(session, org_id=bank.org_id, actor=ACTOR, action="signal.quarantine",
                     target=f"signal:{sig.id}", details=details)
        outbox.emit(session, "signal.quarantined", details, org_id=bank.org_id)
        quarantined.append(sig.id)
    return quarantined
