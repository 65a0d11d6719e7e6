"""Tracks as ingest works on them: plain in-memory objects kept between batches, with the database as the record.

A batch reads no whole track rows when it can help it: the service keeps each active track it wrote, and checks
before using it that the row still carries the version (``updated_at``) this process wrote last. A track changed
or closed by another worker, or whose last write rolled back, fails that check and is read again; so several API
workers may share one database, and a crash loses nothing the database does not hold.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, cast

from sqlalchemy import Select, Table, Update, bindparam, insert, select, update
from sqlalchemy.orm import Session

from basira.drones.models import DroneFrame, DroneTrack

#: The most active tracks one organization's cache holds; beyond it the least recently used are read again.
MAX_CACHED = 50_000


@dataclass(slots=True, eq=False)
class TrackState:
    """One flight of one UAS ID: the columns of :class:`basira.drones.models.DroneTrack`, without the ORM."""

    id: int
    org_id: int
    uas_id: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    status: str = "active"
    verdict: str = "plausible"
    reasons: list[str] = field(default_factory=list)
    id_type: int | None = None
    ua_type: int | None = None
    operator_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    alt_m: float | None = None
    height_m: float | None = None
    speed_mps: float | None = None
    heading_deg: float | None = None
    drone_status: int | None = None
    operator_lat: float | None = None
    operator_lon: float | None = None
    position_count: int = 0
    last_sensor_id: int | None = None
    #: The authorisation found on an allowlist, shown on the track.
    allowance: dict[str, Any] = field(default_factory=dict)
    #: Working state of the rules (zone presence, debounce counts, counters, what was already raised).
    state: dict[str, Any] = field(default_factory=dict)
    #: The row version this copy matches (None: not written yet).
    updated_at: dt.datetime | None = None


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(TrackState))
#: What ingest changes on a track, in two groups: columns most frames change, and those that change seldom
#: (a new finding, an operator or ID message, an allowlist recheck, a closed track). A track whose seldom
#: columns did not change in a batch is written back without them, which roughly halves the work per row.
HOT: tuple[str, ...] = ("last_seen", "lat", "lon", "alt_m", "height_m", "speed_mps", "heading_deg", "drone_status",
                        "position_count", "last_sensor_id", "state")
SELDOM: tuple[str, ...] = ("status", "verdict", "reasons", "operator_lat", "operator_lon", "operator_id", "id_type",
                           "ua_type", "allowance")
MUTABLE: tuple[str, ...] = HOT + SELDOM


def seldom(track: TrackState) -> tuple[Any, ...]:
    """The values of the seldom-changing columns (copies: compared after the batch to choose what to write)."""
    return tuple(copy.copy(getattr(track, c)) for c in SELDOM)


def _table() -> Table:
    return cast(Table, DroneTrack.__table__)


def read(session: Session, ids: Iterable[int] | None = None, *, where: Any = None) -> list[TrackState]:
    """Tracks read from the database (by id, or by a condition on the table), oldest first."""
    t = _table()
    q = select(*(t.c[c] for c in COLUMNS)).order_by(t.c.id)
    if ids is not None:
        q = q.where(t.c.id.in_(list(ids)))
    if where is not None:
        q = q.where(where)
    return [TrackState(*row) for row in session.connection().execute(q)]


def insert_new(session: Session, tracks: Sequence[TrackState], stamp: dt.datetime) -> None:
    """Insert new tracks in one statement and give each its id."""
    if not tracks:
        return
    t = _table()
    rows = [{c: getattr(x, c) for c in COLUMNS if c != "id"} | {"updated_at": stamp} for x in tracks]
    # Matched by (UAS ID, first seen), unique among the tracks of one batch, rather than by RETURNING order
    # (see basira.drones.evidence.append).
    result = session.connection().execute(insert(t).returning(t.c.id, t.c.uas_id, t.c.first_seen), rows)
    ids = {(uid, first): i for i, uid, first in result}
    for x in tracks:
        x.id, x.updated_at = ids[(x.uas_id, x.first_seen)], stamp


@functools.cache
def _versions() -> Select[int, str, dt.datetime]:
    t = _table()
    return (select(t.c.id, t.c.uas_id, t.c.updated_at)
            .where(t.c.org_id == bindparam("org_id"), t.c.status == "active",
                   t.c.uas_id.in_(bindparam("uids", expanding=True)))
            .order_by(t.c.id))


@functools.cache
def _update(columns: tuple[str, ...]) -> Update:
    t = _table()
    return update(t).where(t.c.id == bindparam("track_id")).values({c: bindparam(c) for c in columns})


def write_back(session: Session, tracks: Sequence[TrackState], stamp: dt.datetime,
               before: dict[int, tuple[Any, ...]] | None = None) -> None:
    """Store what ingest changed on ``tracks`` under the version ``stamp``.

    Args:
        before: :func:`seldom` of each track (by ``id()``) as it was before the batch changed it; a track found
            there unchanged is written without its seldom-changing columns. Without it every column is written.
    """
    if not tracks:
        return
    before = before or {}
    hot = [x for x in tracks if (b := before.get(id(x))) is not None and b == seldom(x)]
    hot_ids = {id(x) for x in hot}
    full = [x for x in tracks if id(x) not in hot_ids]
    conn = session.connection()
    for group, columns in ((hot, HOT), (full, MUTABLE)):
        if group:
            conn.execute(_update((*columns, "updated_at")),
                         [{"track_id": x.id, "updated_at": stamp, **{c: getattr(x, c) for c in columns}}
                          for x in group])
    for x in tracks:
        x.updated_at = stamp


def rename(session: Session, tracks: Sequence[TrackState]) -> None:
    """Store the UAS ID of tracks first known by their radio's address, on the track and on its frames."""
    frames = cast(Table, DroneFrame.__table__)
    conn = session.connection()
    params = [{"tid": x.id, "uid": x.uas_id} for x in tracks]
    conn.execute(update(_table()).where(_table().c.id == bindparam("tid")).values(uas_id=bindparam("uid")), params)
    conn.execute(update(frames).where(frames.c.track_id == bindparam("tid")).values(uas_id=bindparam("uid")), params)


class TrackCache:
    """The active tracks of one organization that this process wrote last, by UAS ID (thread-safe)."""

    def __init__(self, limit: int = MAX_CACHED) -> None:
        self._by_uas: OrderedDict[str, TrackState] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._by_uas)

    def active(self, session: Session, org_id: int, uas_ids: set[str]) -> dict[str, TrackState]:
        """The active track of each UAS ID that has one: the cached copy when the row still has the version this
        process wrote, else the row read again. Cached tracks no longer active (closed elsewhere) are dropped."""
        if not uas_ids:
            return {}
        current = session.connection().execute(_versions(), {"org_id": org_id, "uids": sorted(uas_ids)}).all()
        latest: dict[str, tuple[int, dt.datetime]] = {}
        for tid, uid, version in current:
            latest[uid] = (tid, version)  # ordered by id: the newest active track of a UAS ID wins, as always
        out: dict[str, TrackState] = {}
        stale: list[int] = []
        with self._lock:
            for uid, (tid, version) in latest.items():
                cached = self._by_uas.get(uid)
                if cached is not None and cached.id == tid and cached.updated_at == version:
                    out[uid] = cached
                    self._by_uas.move_to_end(uid)
                else:
                    stale.append(tid)
            for uid in uas_ids - latest.keys():
                self._by_uas.pop(uid, None)
        if stale:
            for x in read(session, stale):
                out[x.uas_id] = x
        return out

    def keep(self, tracks: Iterable[TrackState]) -> None:
        """Remember tracks just written: active ones are kept, lost ones dropped."""
        with self._lock:
            for x in tracks:
                if x.status == "active":
                    self._by_uas[x.uas_id] = x
                    self._by_uas.move_to_end(x.uas_id)
                elif (cached := self._by_uas.get(x.uas_id)) is not None and cached.id == x.id:
                    del self._by_uas[x.uas_id]
            while len(self._by_uas) > self._limit:
                self._by_uas.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._by_uas.clear()
