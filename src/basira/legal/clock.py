"""The one-hour clock of a removal order (TCO Art. 3(3)): deadlines in UTC, shown in the authority's time zone.

Every instant is stored and computed in UTC, so a deadline never moves when the authority's clocks change; only
its display uses :mod:`zoneinfo`. A clock pauses when the provider reports force majeure, a de facto
impossibility or an unclear order (Annex III); the hour then starts again, whole, when the reason has ceased or
the clarification has arrived (Art. 3(7) and 3(8)). :func:`escalate` raises ``legal.deadline_near`` once, some
minutes before the deadline, and ``legal.deadline_missed`` once, after it, for every clock still running.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import outbox
from basira.core.errors import InvalidInput
from basira.core.models import utcnow
from basira.legal.models import ClockState, RemovalClock, RemovalOrder

ONE_HOUR = dt.timedelta(hours=1)
# How long before the deadline ``legal.deadline_near`` is raised.
WARN_BEFORE = dt.timedelta(minutes=15)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive value is refused, since its zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{moment.isoformat()} has no time zone: give an offset or 'Z'")
    return moment.astimezone(dt.UTC)


def deadline_from(start: dt.datetime) -> dt.datetime:
    """The deadline of a clock started (or restarted) at ``start``: one elapsed hour later, in UTC."""
    return as_utc(start) + ONE_HOUR


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Paris``), or InvalidInput."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)") from None


def local(moment: dt.datetime, tz_name: str) -> str:
    """``moment`` as the authority reads it: ISO 8601 with the zone's offset at that instant."""
    return as_utc(moment).astimezone(zone(tz_name)).isoformat()


@dataclass(frozen=True)
class ClockView:
    """A clock as shown: state, deadline and what is left at ``now`` (negative once missed)."""

    state: str
    deadline_at: dt.datetime
    remaining_s: float
    missed: bool


def view(clock: RemovalClock, now: dt.datetime | None = None) -> ClockView:
    at = as_utc(now or utcnow())
    if clock.state == ClockState.PAUSED.value:
        # A paused clock does not run: what is left is whatever was left when it paused.
        at = clock.paused_at or at
    end = clock.stopped_at if clock.state == ClockState.STOPPED.value and clock.stopped_at else at
    remaining = (clock.deadline_at - end).total_seconds()
    return ClockView(clock.state, clock.deadline_at, remaining, remaining < 0)


def start(session: Session, org_id: int, at: dt.datetime) -> RemovalClock:
    clock = RemovalClock(org_id=org_id, state=ClockState.RUNNING.value, started_at=as_utc(at),
                         deadline_at=deadline_from(at), pause_reason="")
    session.add(clock)
    session.flush()
    return clock


def pause(clock: RemovalClock, at: dt.datetime, reason: str) -> None:
    clock.state, clock.paused_at, clock.pause_reason = ClockState.PAUSED.value, as_utc(at), reason


def restart(clock: RemovalClock, at: dt.datetime) -> None:
    """Start the hour again from ``at`` (the reason has ceased, or the clarification arrived)."""
    clock.state, clock.paused_at = ClockState.RUNNING.value, None
    clock.deadline_at = deadline_from(at)
    clock.near_sent_at = clock.missed_sent_at = None


def stop(clock: RemovalClock, at: dt.datetime) -> None:
    clock.state, clock.stopped_at = ClockState.STOPPED.value, as_utc(at)


@dataclass
class EscalationReport:
    """What one call of :func:`escalate` raised: clock ids warned and clock ids missed."""

    near: list[int]
    missed: list[int]


def _payload(session: Session, clock: RemovalClock) -> dict[str, object]:
    orders = session.scalars(select(RemovalOrder).where(RemovalOrder.clock_id == clock.id)
                             .order_by(RemovalOrder.id)).all()
    return {"clock_id": clock.id, "deadline_at": clock.deadline_at.isoformat(),
            "order_ids": [o.id for o in orders], "references": [o.reference for o in orders],
            "urls": sorted({u for o in orders for u in o.urls})[:100]}


def escalate(session: Session, now: dt.datetime | None = None,
             warn_before: dt.timedelta = WARN_BEFORE) -> EscalationReport:
    """Raise ``legal.deadline_near`` / ``legal.deadline_missed`` once per running clock (idempotent)."""
    at = as_utc(now or utcnow())
    report = EscalationReport([], [])
    running = session.scalars(select(RemovalClock).where(RemovalClock.state == ClockState.RUNNING.value,
                                                         RemovalClock.deadline_at <= at + warn_before)
                              .order_by(RemovalClock.id).with_for_update(skip_locked=True))
    for clock in running:
        if clock.deadline_at < at and clock.missed_sent_at is None:
            clock.missed_sent_at = at
            outbox.emit(session, "legal.deadline_missed", _payload(session, clock), org_id=clock.org_id)
            report.missed.append(clock.id)
        elif clock.deadline_at >= at and clock.near_sent_at is None:
            clock.near_sent_at = at
            outbox.emit(session, "legal.deadline_near", _payload(session, clock), org_id=clock.org_id)
            report.near.append(clock.id)
    session.flush()
    return report
