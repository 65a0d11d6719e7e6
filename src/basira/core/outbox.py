"""The outbox: events written in the same transaction as the change they report, read by consumers.

Consumers keep a cursor (the last event id they finished) and resume from it, so reading is idempotent:
a consumer that crashes before saving its cursor sees the same events again and must tolerate that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from basira.core.models import ConsumerCursor, Event

#: ``session.info`` key holding the kinds of the events the session's transaction raised (for after-commit
#: listeners that want to wake at once, e.g. the incident pusher, instead of waiting for their next poll).
EMITTED_KINDS = "basira.outbox.kinds"


def _note_kinds(session: Session, kinds: Sequence[str]) -> None:
    held: set[str] = session.info.setdefault(EMITTED_KINDS, set())
    held.update(kinds)


def emit(session: Session, kind: str, payload: dict[str, Any], org_id: int | None = None) -> Event:
    """Add an event to the caller's transaction; it is visible only if that transaction commits."""
    ev = Event(kind=kind, payload=payload, org_id=org_id)
    _note_kinds(session, [kind])
    session.add(ev)
    session.flush()
    return ev


def emit_many(session: Session, events: Sequence[tuple[str, dict[str, Any], int | None]], *,
              ids: bool = True) -> list[int]:
    """Add many ``(kind, payload, org_id)`` events to the caller's transaction in one statement; their ids, in order
    (``ids=False``: none, and on PostgreSQL the rows go as one prepared statement run for each (psycopg's
    ``executemany``), not as one statement with a placeholder per value, which the driver parses anew each time: for
    hundreds of events at once, as the review consumer writes, that parse cost more than the insert).

    For hot paths that raise events in batches (drone alerts): no ORM objects, the same rows as :func:`emit`.
    """
    if not events:
        return []
    rows = [{"kind": kind, "payload": payload, "org_id": org_id} for kind, payload, org_id in events]
    _note_kinds(session, [kind for kind, _, _ in events])
    if not ids:
        session.connection().execute(_INSERT, rows)
        return []
    return [int(i) for i in session.connection().execute(_INSERT_RETURNING, rows).scalars().all()]


_EVENTS = cast(Table, Event.__table__)
_INSERT = insert(_EVENTS)
_INSERT_RETURNING = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)


def pending(session: Session, consumer: str, kinds: Sequence[str] | None = None,
            limit: int = 500) -> list[Event]:
    """Events after the consumer's cursor, oldest first."""
    cur = session.get(ConsumerCursor, consumer)
    after = cur.last_event_id if cur else 0
    q = select(Event).where(Event.id > after).order_by(Event.id).limit(limit)
    if kinds:
        q = q.where(Event.kind.in_(list(kinds)))
    return list(session.scalars(q))


def advance(session: Session, consumer: str, last_event_id: int) -> None:
    """Move the cursor forward (never back) in the caller's transaction."""
    _ensure_cursor(session, consumer)
    cur = session.get(ConsumerCursor, consumer, with_for_update=True, populate_existing=True)
    if cur is not None and last_event_id > cur.last_event_id:
        cur.last_event_id = last_event_id
    session.flush()


def _ensure_cursor(session: Session, consumer: str) -> None:
    """Create the consumer's cursor row unless it exists; two consumers starting at once must not both insert."""
    dialect = session.get_bind().dialect.name
    values = {"name": consumer, "last_event_id": 0}
    if dialect == "postgresql":
        session.execute(pg_insert(ConsumerCursor).values(**values).on_conflict_do_nothing(index_elements=["name"]))
    elif dialect == "sqlite":
        session.execute(sqlite_insert(ConsumerCursor).values(**values).on_conflict_do_nothing(index_elements=["name"]))
    elif session.get(ConsumerCursor, consumer) is None:
        session.add(ConsumerCursor(**values))
        session.flush()


def recent(session: Session, org_id: int, limit: int = 50) -> list[Event]:
    return list(session.scalars(
        select(Event).where(Event.org_id == org_id).order_by(Event.id.desc()).limit(limit)))
