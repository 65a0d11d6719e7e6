"""The queue as lists see it: every filter a reviewer or a dashboard link may set, counted, paged, streamed for an
export, and re-run for a decision on every case that matches (capped).

One query serves all of them, so that the page, its total, its export and "decide all matching" always agree.
Order: priority, then deadline, then id (the most urgent first).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import get_bank
from basira.core.errors import InvalidInput, NotFound
from basira.core.fronts import default_fronts
from basira.core.models import Match, utcnow
from basira.core.principal import Principal
from basira.core.search import DateRange, contains, json_contains
from basira.core.visibility import Access
from basira.review.models import OPEN_STATUSES, Case, CaseMatch, CaseStatus

#: The statuses a queue filter takes: one status, ``open`` (new or in review) or ``all``.
STATUS_FILTERS = ("open", *(s.value for s in CaseStatus), "all")


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. ``assignee``: an actor, or ``""`` for cases nobody holds, or None for anyone;
    ``bank``: cases with a hit in that bank; ``text``: the case number, its reference (item, customer, track),
    its assignee or any value of its evidence (a UAS ID, a hash, a URL)."""

    status: str = "open"
    kind: str | None = None
    priority: int | None = None
    assignee: str | None = None
    overdue: bool = False
    bank_id: int | None = None
    dates: DateRange = field(default_factory=DateRange)
    text: str = ""


def check_filter(session: Session, principal: Principal, f: QueueFilter) -> None:
    """InvalidInput naming what is wrong: an unknown status or kind, or a bank the caller cannot match against."""
    if f.status not in STATUS_FILTERS:
        raise InvalidInput(f"unknown status {f.status!r} ({', '.join(STATUS_FILTERS)})")
    if f.kind is not None:
        default_fronts().case_kind(f.kind)
    if f.bank_id is not None:
        try:
            get_bank(session, principal, f.bank_id, Access.MATCH_ONLY)
        except NotFound:
            raise InvalidInput(f"no bank {f.bank_id}") from None


def _text(text: str) -> ColumnElement[bool]:
    number = text.removeprefix("#")
    by_id = [Case.id == int(number)] if number.isascii() and number.isdigit() and len(number) < 19 else []
    return or_(*by_id, contains(Case.group_key, text), contains(Case.assignee, text),
               json_contains(Case.evidence, text))


def queue_query(principal: Principal, f: QueueFilter) -> Select[Case]:
    """The organization's cases that pass ``f``, most urgent first (the caller checked ``f``)."""
    q = select(Case).where(Case.org_id == principal.org_id)
    if f.status == "open":
        q = q.where(Case.status.in_(OPEN_STATUSES))
    elif f.status != "all":
        q = q.where(Case.status == f.status)
    if f.kind is not None:
        q = q.where(Case.kind == f.kind)
    if f.priority is not None:
        q = q.where(Case.priority == f.priority)
    if f.assignee == "":
        q = q.where(or_(Case.assignee.is_(None), Case.assignee == ""))
    elif f.assignee is not None:
        q = q.where(Case.assignee == f.assignee)
    if f.overdue:
        q = q.where(Case.due_at < utcnow(), Case.status.in_(OPEN_STATUSES))
    if f.bank_id is not None:
        q = q.where(exists().where(CaseMatch.case_id == Case.id, Match.id == CaseMatch.match_id,
                                   Match.bank_id == f.bank_id))
    if (when := f.dates.clause(Case.created_at)) is not None:
        q = q.where(when)
    if f.text:
        q = q.where(_text(f.text))
    return q.order_by(Case.priority, Case.due_at, Case.id)


def count_cases(session: Session, principal: Principal, f: QueueFilter) -> int:
    sub = queue_query(principal, f).order_by(None).with_only_columns(Case.id).subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


@dataclass(frozen=True)
class Page:
    """One page of the queue: its cases, the page number (from 1), the page size, the total and the page count."""

    cases: list[Case]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.cases else 0

    @property
    def last_row(self) -> int:
        return (self.number - 1) * self.size + len(self.cases)


#: The page sizes a queue offers.
PAGE_SIZES = (25, 50, 100, 200)


def page_of(session: Session, principal: Principal, f: QueueFilter, number: int, size: int) -> Page:
    """Page ``number`` (from 1; past the last page: the last page) of ``size`` cases, with the total."""
    check_filter(session, principal, f)
    if size not in PAGE_SIZES:
        raise InvalidInput(f"a page holds {', '.join(map(str, PAGE_SIZES))} cases")
    if number < 1:
        raise InvalidInput("pages are numbered from 1")
    total = count_cases(session, principal, f)
    number = min(number, max(1, -(-total // size)))
    found = list(session.scalars(queue_query(principal, f).limit(size).offset((number - 1) * size)))
    return Page(found, number, size, total)


def iter_cases(session: Session, principal: Principal, f: QueueFilter, chunk: int = 500) -> Iterator[Case]:
    """Every case that passes ``f``, in queue order, read ``chunk`` rows at a time (for an export)."""
    check_filter(session, principal, f)
    yield from session.scalars(queue_query(principal, f).execution_options(yield_per=chunk))


@dataclass(frozen=True)
class Matching:
    """The open cases a "decide all matching" would decide: their ids (at most the cap), and how many matched."""

    ids: list[int]
    total: int

    @property
    def capped(self) -> bool:
        return self.total > len(self.ids)


def open_matching(session: Session, principal: Principal, f: QueueFilter, cap: int) -> Matching:
    """The open cases (those a decision can take) that pass ``f``, most urgent first, at most ``cap``."""
    check_filter(session, principal, f)
    if cap < 1:
        raise InvalidInput("the most cases one bulk decision takes is at least 1")
    q = queue_query(principal, f).where(Case.status.in_(OPEN_STATUSES))
    total = int(session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0)
    return Matching(list(session.scalars(q.with_only_columns(Case.id).limit(cap))), total)


def record_bulk(session: Session, principal: Principal, filters: dict[str, str], matching: Matching,
                decided: int) -> None:
    """The audit entry of a "decide all matching": the filters it re-ran, how many cases matched, how many it took
    (the cap) and how many were decided (each decision has its own entry too)."""
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="case.bulk_decide",
                 target="cases", details={"filters": {k: v for k, v in filters.items() if v},
                                          "matched": matching.total, "taken": len(matching.ids), "decided": decided})
