"""Read-only listings of an organization's recent tracks and alerts, shared by the command line (the API's routes
build the same queries with their own paging)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from basira.core.search import SearchQuery, contains, counted
from basira.drones.models import DroneAlert, DroneSensor, DroneTrack, DroneZone

MAX_LIST = 1000


@dataclass(frozen=True)
class AlertRow:
    """An alert with the names a reader needs: the drone's UAS ID, the zone's name or reference, the sensor."""

    id: int
    kind: str
    at: dt.datetime
    received_at: dt.datetime
    track_id: int
    uas_id: str
    zone_id: int | None
    zone_name: str | None
    sensor_id: str | None
    details: dict[str, Any]
    evidence_ref: str
    event_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "at": self.at.isoformat(),
                "received_at": self.received_at.isoformat(), "track_id": self.track_id, "uas_id": self.uas_id,
                "zone_id": self.zone_id, "zone_name": self.zone_name, "sensor_id": self.sensor_id,
                "details": self.details, "evidence_ref": self.evidence_ref}


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIST))


def recent_tracks(session: Session, org_id: int, *, status: str | None = None, limit: int = 50) -> list[DroneTrack]:
    """The organization's tracks, last heard first; ``status`` (``active`` or ``lost``) keeps one kind.

    Read as stored: ``DroneService.list_tracks`` closes silent tracks first, so that "active" means heard recently.
    """
    q = select(DroneTrack).where(DroneTrack.org_id == org_id)
    if status is not None:
        q = q.where(DroneTrack.status == status)
    return list(session.scalars(q.order_by(DroneTrack.last_seen.desc(), DroneTrack.id.desc()).limit(_limit(limit))))


def alerts_query(org_id: int) -> Select[DroneAlert, str, str, str, str]:
    """The organization's alerts with the drone's UAS ID, the zone's name and reference and the sensor's reference
    (unordered: callers order and page it)."""
    return (select(DroneAlert, DroneTrack.uas_id, DroneZone.name, DroneZone.ref, DroneSensor.ref)
            .join(DroneTrack, DroneTrack.id == DroneAlert.track_id)
            .outerjoin(DroneZone, DroneZone.id == DroneAlert.zone_id)
            .outerjoin(DroneSensor, DroneSensor.id == DroneAlert.sensor_id)
            .where(DroneAlert.org_id == org_id))


def recent_alerts(session: Session, org_id: int, *, since: dt.datetime | None = None, kind: str | None = None,
                  after_id: int = 0, limit: int = 50) -> list[AlertRow]:
    """The organization's alerts, newest first, or oldest first after ``after_id`` (for polling); ``kind`` (any case)
    keeps one kind; ``since`` keeps those Basira recorded at or after that time (a replayed capture's alerts carry
    the capture's own times in ``at``, so recording time is what "recent" means).
    """
    q = alerts_query(org_id)
    if since is not None:
        q = q.where(DroneAlert.received_at >= since)
    if kind:
        q = q.where(DroneAlert.kind == kind.upper())
    q = q.where(DroneAlert.id > after_id).order_by(DroneAlert.id) if after_id else q.order_by(DroneAlert.id.desc())
    return [AlertRow(id=a.id, kind=a.kind, at=a.at, received_at=a.received_at, track_id=a.track_id, uas_id=uid,
                     zone_id=a.zone_id, zone_name=(zname or zref) if a.zone_id else None, sensor_id=sref,
                     details=a.details, evidence_ref=a.evidence_ref, event_id=a.event_id)
            for a, uid, zname, zref, sref in session.execute(q.limit(_limit(limit)))]


def tracks_query(org_id: int, query: SearchQuery) -> Select[DroneTrack]:
    """The organization's tracks whose UAS ID or operator ID holds the text, seen in the date range (last heard
    first). Tracks carry no labels: a search by label finds none."""
    q = select(DroneTrack).where(DroneTrack.org_id == org_id)
    if query.label:
        q = q.where(false())
    if query.text:
        q = q.where(or_(contains(DroneTrack.uas_id, query.text), contains(DroneTrack.operator_id, query.text)))
    if query.dates.since is not None:
        q = q.where(DroneTrack.last_seen >= dt.datetime.combine(query.dates.since, dt.time(), dt.UTC))
    if query.dates.until is not None:
        q = q.where(DroneTrack.first_seen < dt.datetime.combine(query.dates.until + dt.timedelta(days=1), dt.time(),
                                                                dt.UTC))
    return q.order_by(DroneTrack.last_seen.desc(), DroneTrack.id.desc())


def find_tracks(session: Session, org_id: int, query: SearchQuery) -> tuple[int, list[DroneTrack]]:
    """How many tracks :func:`tracks_query` finds, and the first ``query.limit``."""
    total, rows = counted(session, tracks_query(org_id, query), query.limit)
    return total, [r[0] for r in rows]
