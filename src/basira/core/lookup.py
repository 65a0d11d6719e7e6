"""The bank lookup shared by matching and the drone watch list: signal values against every bank a caller may
match, with the rule for a live signal in one place.

The indexes are caches of the database; the rows decide. A hit counts only while its signal is enabled and not
expired at the time the lookup is for (now for a submitted item, the frame's time for a drone).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import BigInteger, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from basira.core.db import driver_rows
from basira.core.indexes import IndexManager
from basira.core.models import Bank, Entry, Organization, Signal
from basira.core.readcache import TTLCache
from basira.core.signals import ExtractedSignal, SignalTypeRegistry
from basira.core.visibility import Access, Visibility


@dataclass(slots=True)
class HitSignal:
    """A stored signal as a lookup read it: the columns a hit is judged, described, stored and counted by. A
    snapshot, not an ORM object: nothing set on it reaches the database (flood control and probe detection, which
    quarantine a signal by an UPDATE of their own, set ``quarantined_at`` here too, so that the other hits of the
    same lookup, which share this object, see it)."""

    id: int
    entry_id: int
    bank_id: int
    signal_type: str
    value: str
    labels: list[str]
    provenance: str
    quality: int | None
    details: dict[str, Any]
    derived: bool
    enabled: bool
    expires_at: dt.datetime | None  # the two times last (see hit_rows)
    quarantined_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class HitEntry:
    """The entry of a :class:`HitSignal`, as the lookup read it."""

    id: int
    ref: str
    content_type: str
    attributes: dict[str, Any]


#: The columns of :class:`HitSignal` and of :class:`HitEntry`, in their fields' order.
_SIGNAL_COLUMNS = tuple(f.name for f in fields(HitSignal))
_ENTRY_COLUMNS = tuple(f.name for f in fields(HitEntry))
_SIGNAL_FIELDS = len(_SIGNAL_COLUMNS)

_HIT_SELECT = select(*(Signal.__table__.c[n] for n in _SIGNAL_COLUMNS), *(Entry.__table__.c[n] for n in _ENTRY_COLUMNS)
                     ).join_from(Signal.__table__, Entry.__table__, Entry.__table__.c.id == Signal.__table__.c.entry_id)

#: The rows of the signals a lookup found, with their entries (built once: a statement costs more to build than
#: to run from SQLAlchemy's compiled cache).
_HIT_ROWS = _HIT_SELECT.where(Signal.__table__.c.id.in_(bindparam("ids", expanding=True)))

#: The same for PostgreSQL, compiled to psycopg's own text by :func:`_pg_hit_rows` and run by psycopg itself
#: (:func:`~basira.core.db.driver_rows`): one text for any number of ids (``= ANY`` of an array), which psycopg
#: prepares on the server after a few runs.
_PG_HIT_SELECT = _HIT_SELECT.where(Signal.__table__.c.id == func.any(bindparam("ids", type_=ARRAY(BigInteger))))


@functools.cache
def _pg_hit_rows(dialect: Dialect) -> str:
    return str(_PG_HIT_SELECT.compile(dialect=dialect))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(dt.UTC)


def hit_rows(session: Session, ids: list[int]) -> list[tuple[HitSignal, HitEntry]]:
    """The signals ``ids`` with their entries (in no given order; an id not stored is left out)."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        rows: Sequence[Sequence[Any]] = driver_rows(session, _pg_hit_rows(dialect), {"ids": ids})
        # psycopg gives the JSON as Python values and the times with a zone (the server's): UTC, as the ORM does.
        return [(HitSignal(*r[:_SIGNAL_FIELDS - 2], *map(_utc, r[_SIGNAL_FIELDS - 2:_SIGNAL_FIELDS])),
                 HitEntry(*r[_SIGNAL_FIELDS:])) for r in rows]
    core: Sequence[Sequence[Any]] = session.execute(_HIT_ROWS, {"ids": ids}).all()
    return [(HitSignal(*r[:_SIGNAL_FIELDS]), HitEntry(*r[_SIGNAL_FIELDS:])) for r in core]


@dataclass(frozen=True, slots=True)
class BankHit:
    """A query signal found in a bank: the bank as the caller may use it, the stored signal, its entry, and how
    far the two values are (0 for an exact match)."""

    bank: Bank
    access: Access
    query: ExtractedSignal
    signal: HitSignal
    entry: HitEntry
    distance: float


def is_live(signal: Signal | HitSignal, at: dt.datetime) -> bool:
    """Whether ``signal`` may match at ``at``: enabled, and not expired by then."""
    return signal.enabled and (signal.expires_at is None or signal.expires_at > at)


def threshold(registry: SignalTypeRegistry, bank: Bank, signal_type: str) -> float:
    """The distance up to which ``bank`` matches ``signal_type``: the bank's own setting, else the type's default."""
    return float(bank.thresholds.get(signal_type, registry.get(signal_type).default_threshold))


def matchable_banks(session: Session, org_id: int, bank_ids: Collection[int] | None = None,
                    cache: TTLCache[int, list[tuple[Bank, Access]]] | None = None) -> list[tuple[Bank, Access]]:
    """The enabled banks the organization may match against (only those of ``bank_ids`` when given).

    ``cache`` (a read-only lookup's): the answer is kept there briefly (see :mod:`basira.core.readcache`); the banks
    in it are detached from any session, with their shares loaded."""
    if cache is None:
        banks = [(b, a) for b, a in Visibility(session, org_id).banks(Access.MATCH_ONLY) if b.enabled]
    else:
        def read() -> list[tuple[Bank, Access]]:
            # A session of its own, whose connection goes back to the pool at once: the caller's session holds
            # none while it waits for the index lock (a lookup that held one there, while the lock's holder waits
            # for a free connection to replay the change log, would wait until the pool's timeout).
            with Session(bind=session.get_bind(), expire_on_commit=False) as own:
                return [(b, a) for b, a in Visibility(own, org_id).banks(Access.MATCH_ONLY) if b.enabled]

        banks = cache.get_or_load(org_id, read)
    if bank_ids is not None:
        wanted = set(bank_ids)
        banks = [(b, a) for b, a in banks if b.id in wanted]
    return banks


#: An index's answer before the rows are read: the bank and the caller's access to it, the query, the stored
#: signal's id and the distance.
RawHit = tuple[Bank, Access, ExtractedSignal, int, float]


def find(session: Session, registry: SignalTypeRegistry, indexes: IndexManager, banks: Sequence[tuple[Bank, Access]],
         queries: Sequence[ExtractedSignal]) -> list[RawHit]:
    """What the indexes find for ``queries`` in ``banks``, bank by bank, each type's values asked at once (the
    rows are not read: see :func:`resolve`)."""
    return find_many(session, registry, indexes, [(banks, queries)])[0]


def find_many(session: Session, registry: SignalTypeRegistry, indexes: IndexManager,
              items: Sequence[tuple[Sequence[tuple[Bank, Access]], Sequence[ExtractedSignal]]]) -> list[list[RawHit]]:
    """:func:`find` for several items (each its banks and its queries), every bank's index asked once per signal
    type for the values of all of them (an index answers a batch for much less than its values one by one). Each
    item's hits come in the order :func:`find` gives them alone."""
    asks: dict[tuple[int, str], tuple[Bank, list[str]]] = {}
    wanted: list[list[tuple[Bank, Access, ExtractedSignal, tuple[int, str], int]]] = []
    for banks, queries in items:
        by_type: dict[str, list[ExtractedSignal]] = defaultdict(list)
        for q in queries:
            by_type[q.signal_type].append(q)
        mine: list[tuple[Bank, Access, ExtractedSignal, tuple[int, str], int]] = []
        for bank, access in banks:
            for stype, values in by_type.items():
                key = (bank.id, stype)
                asked = asks.setdefault(key, (bank, []))[1]
                for q in values:
                    mine.append((bank, access, q, key, len(asked)))
                    asked.append(q.value)
        wanted.append(mine)
    answers = {key: indexes.query(session, bank.id, key[1], values, threshold(registry, bank, key[1]))
               for key, (bank, values) in asks.items()}
    return [[(bank, access, q, sid, dist) for bank, access, q, key, at in mine for sid, dist in answers[key][at]]
            for mine in wanted]


def resolve(raw: Sequence[RawHit], rows: dict[int, tuple[HitSignal, HitEntry]], at: dt.datetime) -> list[BankHit]:
    """The hits of ``raw`` whose signal is among ``rows`` (read by :func:`hit_rows`, by id) and live at ``at``."""
    live = {sid: row for sid, row in rows.items() if is_live(row[0], at)}
    return [BankHit(bank, access, q, live[sid][0], live[sid][1], dist)
            for bank, access, q, sid, dist in raw if sid in live]


def rows_by_id(session: Session, ids: Collection[int]) -> dict[int, tuple[HitSignal, HitEntry]]:
    """:func:`hit_rows` of ``ids`` by signal id, in one round trip (none for no ids)."""
    if not ids:
        return {}
    return {sig.id: (sig, entry) for sig, entry in hit_rows(session, sorted(ids))}


def lookup(session: Session, registry: SignalTypeRegistry, indexes: IndexManager, banks: Sequence[tuple[Bank, Access]],
           queries: Sequence[ExtractedSignal], at: dt.datetime) -> list[BankHit]:
    """Every live hit of ``queries`` in ``banks``: :func:`find`, then the signals and their entries in one round
    trip (:func:`resolve`)."""
    raw = find(session, registry, indexes, banks, queries)
    if not raw:
        return []
    return resolve(raw, rows_by_id(session, {r[3] for r in raw}), at)


def organizations(session: Session, cache: TTLCache[str, dict[int, Organization]] | None = None,
                  ) -> dict[int, Organization]:
    """Every organization by id (``cache``: kept there briefly, as :func:`matchable_banks`)."""
    if cache is None:
        return {o.id: o for o in session.scalars(select(Organization))}

    def read() -> dict[int, Organization]:
        # Read through a session of its own, kept detached and loaded (the caller's session may be one that writes,
        # and its rollback would expire objects other requests still read from the cache), on the caller's
        # connection: a request that holds one and waits for a second could wait for ever once every request does.
        with Session(bind=session.connection(), expire_on_commit=False) as own:
            return {o.id: o for o in own.scalars(select(Organization))}

    return cache.get_or_load("all", read)
