"""What each kind of record is in the database: how to find expired rows, whose subject they are, how to delete.

A *part* selects an organization's expired rows in id order after a cursor (so held rows are stepped over, never
read again in the same run), names the subjects that could hold each row (case grouping keys), and deletes a
batch of ids with the rows that depend on them. A kind of record (:mod:`basira.retention.rules`) has one or more
parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import CursorResult, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from basira.actions.models import Delivery, DeliveryAttempt, DeliveryStatus
from basira.core.models import Item, Match
from basira.drones.models import DroneAlert, DroneFrame, DronePosition, DroneTrack
from basira.finance.cases import SCREENING_HIT
from basira.finance.models import Customer
from basira.retention.holds import HOLDING_STATUSES
from basira.review.models import Appeal, Case, CaseMatch

FINISHED = (DeliveryStatus.DELIVERED.value, DeliveryStatus.DEAD.value, DeliveryStatus.CANCELLED.value)


@dataclass(frozen=True)
class Candidate:
    """An expired row: its id and the subjects whose holds or open cases keep it."""

    id: int
    subjects: frozenset[str]


class Part(Protocol):
    """One table's share of a kind of record."""

    name: str

    def candidates(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int) -> list[Candidate]:
        ...

    def held_by_cases(self, s: Session, ids: Sequence[int]) -> set[int]:
        ...

    def delete(self, s: Session, ids: Sequence[int]) -> int:
        ...


def _count(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def _needed_case() -> Any:
    """Cases that still need their matches: open, appealed, or with an appeal waiting."""
    waiting = exists().where(Appeal.case_id == Case.id, Appeal.outcome.is_(None))
    return or_(Case.status.in_(HOLDING_STATUSES), waiting)


class Items:
    """Items (screenings or not) and their matches; a match in a case that still needs it keeps its item."""

    name = "items"

    def __init__(self, *, screening: bool) -> None:
        self.screening = screening

    def candidates(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int) -> list[Candidate]:
        kinds = Item.content_type.in_(SCREENING_HIT.content_types)
        q = select(Item.id, Item.ref).where(
            Item.org_id == org_id, Item.id > after, Item.created_at < cutoff,
            kinds if self.screening else ~kinds).order_by(Item.id).limit(limit)
        return [Candidate(i, frozenset({f"item:{ref}", f"customer:{ref}", f"item#{i}"} if ref else {f"item#{i}"}))
                for i, ref in s.execute(q)]

    def held_by_cases(self, s: Session, ids: Sequence[int]) -> set[int]:
        q = (select(Match.item_id).join(CaseMatch, CaseMatch.match_id == Match.id)
             .join(Case, Case.id == CaseMatch.case_id).where(Match.item_id.in_(ids), _needed_case()))
        return set(s.scalars(q))

    def delete(self, s: Session, ids: Sequence[int]) -> int:
        # A decided case keeps its evidence snapshot; only its links to the deleted matches go.
        matches = select(Match.id).where(Match.item_id.in_(ids)).scalar_subquery()
        s.execute(delete(CaseMatch).where(CaseMatch.match_id.in_(matches)))
        s.execute(delete(Match).where(Match.item_id.in_(ids)))
        return _count(s.execute(delete(Item).where(Item.id.in_(ids))))


class Customers:
    """Screened customers kept for ongoing monitoring, by the time of their last screening."""

    name = "customers"

    def candidates(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int) -> list[Candidate]:
        q = select(Customer.id, Customer.ref).where(Customer.org_id == org_id, Customer.id > after,
                                                    Customer.screened_at < cutoff).order_by(Customer.id).limit(limit)
        return [Candidate(i, frozenset({f"customer:{ref}"})) for i, ref in s.execute(q)]

    def held_by_cases(self, s: Session, ids: Sequence[int]) -> set[int]:
        return set()

    def delete(self, s: Session, ids: Sequence[int]) -> int:
        return _count(s.execute(delete(Customer).where(Customer.id.in_(ids))))


class Frames:
    """Raw drone frames; a frame of a track under an open case stays.

    Frames are the largest table by far, so :meth:`purge_batch` does a batch in the database (two statements, no
    row comes back to Python) instead of the generic candidates-then-delete of the other parts.
    """

    name = "drone_frames"

    def purge_batch(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int,
                    needed: set[str]) -> tuple[int, int, int, int]:
        """Delete the next ``limit`` expired frames after ``after``: (rows seen, deleted, held, last id seen)."""
        held_tracks = sorted(int(n[6:]) for n in needed if n.startswith("track:") and n[6:].isdigit())
        window = select(DroneFrame.id, DroneFrame.track_id).where(
            DroneFrame.org_id == org_id, DroneFrame.id > after, DroneFrame.received_at < cutoff,
        ).order_by(DroneFrame.id).limit(limit).subquery()
        kept = window.c.track_id.in_(held_tracks)
        seen, last, held = s.execute(select(func.count(), func.max(window.c.id),
                                            func.count().filter(kept))).one()
        if not seen:
            return 0, 0, 0, after
        doomed = select(window.c.id).where(or_(window.c.track_id.is_(None), ~kept))
        deleted = _count(s.execute(delete(DroneFrame).where(DroneFrame.id.in_(doomed))))
        return int(seen), deleted, int(held or 0), int(last)

    def candidates(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int) -> list[Candidate]:
        q = select(DroneFrame.id, DroneFrame.track_id).where(
            DroneFrame.org_id == org_id, DroneFrame.id > after, DroneFrame.received_at < cutoff,
        ).order_by(DroneFrame.id).limit(limit)
        return [Candidate(i, frozenset({f"track:{t}"} if t is not None else ())) for i, t in s.execute(q)]

    def held_by_cases(self, s: Session, ids: Sequence[int]) -> set[int]:
        return set()

    def delete(self, s: Session, ids: Sequence[int]) -> int:
        return _count(s.execute(delete(DroneFrame).where(DroneFrame.id.in_(ids))))


class Tracks:
    """Drone tracks last seen before the cutoff, with their positions and alerts (frames keep their own rule)."""

    name = "drone_tracks"

    def candidates(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int) -> list[Candidate]:
        q = select(DroneTrack.id).where(DroneTrack.org_id == org_id, DroneTrack.id > after,
                                        DroneTrack.last_seen < cutoff).order_by(DroneTrack.id).limit(limit)
        return [Candidate(i, frozenset({f"track:{i}"})) for i in s.scalars(q)]

    def held_by_cases(self, s: Session, ids: Sequence[int]) -> set[int]:
        return set()

    def delete(self, s: Session, ids: Sequence[int]) -> int:
        s.execute(delete(DronePosition).where(DronePosition.track_id.in_(ids)))
        s.execute(delete(DroneAlert).where(DroneAlert.track_id.in_(ids)))
        s.execute(update(DroneFrame).where(DroneFrame.track_id.in_(ids)).values(track_id=None))
        return _count(s.execute(delete(DroneTrack).where(DroneTrack.id.in_(ids))))


class Deliveries:
    """Finished webhook deliveries (delivered, dead or cancelled) and their attempts; pending ones stay."""

    name = "webhook_deliveries"

    def candidates(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int) -> list[Candidate]:
        q = select(Delivery.id).where(Delivery.org_id == org_id, Delivery.id > after, Delivery.created_at < cutoff,
                                      Delivery.status.in_(FINISHED)).order_by(Delivery.id).limit(limit)
        return [Candidate(i, frozenset()) for i in s.scalars(q)]

    def held_by_cases(self, s: Session, ids: Sequence[int]) -> set[int]:
        return set()

    def delete(self, s: Session, ids: Sequence[int]) -> int:
        s.execute(delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)))
        return _count(s.execute(delete(Delivery).where(Delivery.id.in_(ids))))


PARTS: dict[str, tuple[Part, ...]] = {
    "items": (Items(screening=False),),
    "customers": (Customers(), Items(screening=True)),
    "drone_frames": (Frames(),),
    "drone_tracks": (Tracks(),),
    "webhook_deliveries": (Deliveries(),),
}
