"""The home page's figures for one organization: cases opened per day by kind and by bank, time to decision,
backlog and missed deadlines, and how often each bank's hits were found harmless or had their decision reversed.

Every figure over a period counts the cases *opened* in it (a cohort: day 1 to day N in UTC), so that the case list
filtered by the same kind, bank and dates (``/cases?kind=&bank=&since=&until=``) shows exactly the cases behind it.
Backlog figures are as of now. A case counts under every bank it matched; a drone alert matches no bank.

- Decided: the case has a taken decision whose reason decides it (the first such decision is *the* decision).
- Time to decision: from the case's opening to that decision (median and 90th percentile, per kind).
- Decided late: that decision came after the case's deadline. Overdue: an open case past its deadline.
- False-positive rate of a bank: the share of its decided cases whose reason found no violation (``not_violating``,
  ``false_positive``, ``benign``...). Reversal rate: the share whose decision was overturned on appeal or whose
  ``case.decided`` action was undone.

Visibility is the API's: cases of the caller's organization only, and a bank's name only where the caller may see
the bank (a bank shared for matching only is named by its owner; one no longer reachable by nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, union
from sqlalchemy import case as when
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Float, String

from basira.actions.models import Action, ActionStatus
from basira.core.banks import list_banks
from basira.core.errors import InvalidInput
from basira.core.fronts import FrontRegistry, Reason, default_fronts
from basira.core.models import Match, Organization, utcnow
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.reports.operations import TimeToAction, summarise
from basira.reports.transparency import within
from basira.review.models import OPEN_STATUSES, Appeal, AppealOutcome, Case, CaseMatch, Decision, DecisionState

#: The periods the dashboard offers, in days; the first page shows the default.
PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


class utc_day(FunctionElement[str]):
    """The UTC calendar day of a timestamp column, as ``YYYY-MM-DD`` text, on SQLite and PostgreSQL alike."""

    type = String()
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTCDateTime values as naive UTC text: its date() reads the day off them.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # A timestamptz's day depends on the session's time zone unless it is asked for in UTC.
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


class scanned(FunctionElement[int]):
    """A column that SQLite should not look up through an index (``+column``); the column itself elsewhere.

    Without statistics (no ``ANALYZE``), SQLite answers ``org_id = ? AND created_at >= ?`` through an index on
    ``org_id`` alone, one table lookup per case of the organization: four times slower than reading the table
    once when one organization holds most cases, which is SQLite's usual install. PostgreSQL's planner has
    statistics and chooses well by itself.
    """

    inherit_cache = True


@compiles(scanned)
def _scanned(element: scanned, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(scanned, "sqlite")
def _scanned_sqlite(element: scanned, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


class minutes_between(FunctionElement[float]):
    """The minutes from the first timestamp column to the second, as a float, on SQLite and PostgreSQL alike
    (cheaper to read than two timestamps per row)."""

    type = Float()
    inherit_cache = True


@compiles(minutes_between)
def _minutes_sqlite(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 60.0)"


@dataclass(frozen=True)
class Window:
    """The days a dashboard covers, ``since`` to ``until`` inclusive (UTC)."""

    since: dt.date
    until: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.since, dt.time(), tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the window."""
        return dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    @property
    def days(self) -> list[dt.date]:
        return [self.since + dt.timedelta(days=n) for n in range((self.until - self.since).days + 1)]


def period(days: int | str | None, now: dt.datetime | None = None) -> Window:
    """The window of the last ``days`` days up to today (UTC); None means :data:`DEFAULT_PERIOD`.

    Raises:
        InvalidInput: ``days`` is not one of :data:`PERIODS`.
    """
    chosen = DEFAULT_PERIOD if days is None or days == "" else days
    allowed = ", ".join(map(str, PERIODS))
    if isinstance(chosen, str):
        if not (chosen.isascii() and chosen.isdigit() and len(chosen) <= 3):
            raise InvalidInput(f"the period is a number of days: one of {allowed}")
        chosen = int(chosen)
    if chosen not in PERIODS:
        raise InvalidInput(f"the period is one of {allowed} days, not {chosen}")
    today = (now or utcnow()).astimezone(dt.UTC).date()
    return Window(today - dt.timedelta(days=chosen - 1), today)


@dataclass
class KindBacklog:
    """One case kind's open cases now, those past their deadline, and cases of the window decided late."""

    kind: str
    open: int = 0
    overdue: int = 0
    decided_late: int = 0


@dataclass
class BankFigures:
    """One bank's cases in the window: opened per day, decided, found harmless, and reversed.

    ``name`` is None where the caller may not see the bank's name; ``access`` is ``none`` for a bank the caller can
    no longer reach (deleted or unshared since).
    """

    bank_id: int
    name: str | None
    owner: str
    access: str
    per_day: list[int]
    decided: int = 0
    no_violation: int = 0
    reversed: int = 0

    @property
    def opened(self) -> int:
        return sum(self.per_day)

    @property
    def false_positive_rate(self) -> float | None:
        return self.no_violation / self.decided if self.decided else None

    @property
    def reversal_rate(self) -> float | None:
        return self.reversed / self.decided if self.decided else None


@dataclass
class Dashboard:
    """The figures of one organization's dashboard (see the module docstring for what each one counts)."""

    window: Window
    now: dt.datetime
    kinds: list[str]
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    banks: list[BankFigures] = field(default_factory=list)
    time_to_decision: list[TimeToAction] = field(default_factory=list)
    backlog: list[KindBacklog] = field(default_factory=list)

    @property
    def opened(self) -> int:
        return sum(sum(v) for v in self.by_kind.values())


def _codes(fronts: FrontRegistry, keep: Any, kind: Any = Case.kind) -> ColumnElement[bool]:
    """Decisions whose reason (of the case's ``kind``) passes ``keep``: the taxonomy lives in the fronts'
    manifests, so it becomes one SQL condition per kind."""
    conds = [and_(kind == k.name, Decision.reason_code.in_([r.code for r in k.reasons if keep(r)]))
             for k in fronts.case_kinds()]
    return or_(*conds) if conds else false()


def _deciding(r: Reason) -> bool:
    return r.decides


def _harmless(r: Reason) -> bool:
    return r.decides and not r.violating


def dashboard(session: Session, principal: Principal, window: Window, *, now: dt.datetime | None = None,
              fronts: FrontRegistry | None = None) -> Dashboard:
    """The dashboard of the caller's organization over ``window`` (any role of the organization may read it)."""
    registry = fronts or default_fronts()
    out = Dashboard(window=window, now=now or utcnow(), kinds=[k.name for k in registry.case_kinds()])
    cohort = and_(scanned(Case.org_id) == principal.org_id, within(Case.created_at, window.start, window.end))
    index = {d.isoformat(): n for n, d in enumerate(window.days)}
    for day, kind, n in session.execute(select(utc_day(Case.created_at), Case.kind, func.count())
                                        .where(cohort).group_by(utc_day(Case.created_at), Case.kind)):
        if str(day) in index:
            out.by_kind.setdefault(kind, [0] * len(index))[index[str(day)]] = int(n)
    first = (select(Decision.case_id.label("case_id"), func.min(Decision.id).label("decision_id"))
             .join(Case, Case.id == Decision.case_id)
             .where(cohort, Decision.state == DecisionState.TAKEN.value, _codes(registry, _deciding))
             .group_by(Decision.case_id).subquery())
    late = _decisions(session, out, cohort, first)
    out.backlog = _backlog(session, out, principal.org_id, late)
    out.banks = _banks(session, principal, out, cohort, first, index, registry)
    return out


def _decisions(session: Session, out: Dashboard, cohort: ColumnElement[bool], first: Any) -> dict[str, int]:
    """Time to decision per kind into ``out``; returns the cases of each kind decided after their deadline."""
    minutes: dict[str, list[float]] = {}
    late: dict[str, int] = {}
    rows = session.execute(select(Case.kind, minutes_between(Case.created_at, Decision.decided_at),
                                  Decision.decided_at > Case.due_at)
                           .join(first, first.c.case_id == Case.id)
                           .join(Decision, Decision.id == first.c.decision_id).where(cohort))
    for kind, taken, after_due in rows:
        minutes.setdefault(kind, []).append(float(taken))
        late[kind] = late.get(kind, 0) + int(bool(after_due))
    out.time_to_decision = summarise(minutes)
    return late


def _backlog(session: Session, out: Dashboard, org_id: int, late: dict[str, int]) -> list[KindBacklog]:
    """Open and overdue cases per kind now, beside the window's cases decided late; in the fronts' order."""
    rows = {kind: KindBacklog(kind, decided_late=n) for kind, n in late.items()}
    overdue = func.count(when((Case.due_at < out.now, Case.id)))
    for kind, n_open, n_overdue in session.execute(
            select(Case.kind, func.count(), overdue)
            .where(Case.org_id == org_id, Case.status.in_(OPEN_STATUSES)).group_by(Case.kind)):
        row = rows.setdefault(kind, KindBacklog(kind))
        row.open, row.overdue = int(n_open), int(n_overdue)
    order = {k: n for n, k in enumerate(out.kinds)}
    return sorted(rows.values(), key=lambda r: (order.get(r.kind, len(order)), r.kind))


def _banks(session: Session, principal: Principal, out: Dashboard, cohort: ColumnElement[bool], first: Any,
           index: dict[str, int], registry: FrontRegistry) -> list[BankFigures]:
    # Each (case, bank) once, however many of the bank's signals the case matched; then one pass groups them.
    pairs = (select(Case.id.label("case_id"), Case.kind.label("kind"), utc_day(Case.created_at).label("day"),
                    Match.bank_id.label("bank_id"))
             .join(CaseMatch, CaseMatch.case_id == Case.id).join(Match, Match.id == CaseMatch.match_id)
             .where(cohort).distinct().subquery())
    reversed_cases = union(
        select(Appeal.case_id.label("case_id")).where(Appeal.outcome == AppealOutcome.OVERTURNED.value),
        select(Action.case_id.label("case_id")).where(
            Action.org_id == principal.org_id, Action.case_id.is_not(None), Action.webhook_event == "case.decided",
            Action.status == ActionStatus.UNDONE.value)).subquery()
    decided = first.c.decision_id.is_not(None)
    harmless = and_(decided, _codes(registry, _harmless, pairs.c.kind))
    undone = and_(decided, reversed_cases.c.case_id.is_not(None))
    grouped = (select(pairs.c.day, pairs.c.bank_id, func.count(), func.count(first.c.decision_id),
                      func.sum(when((harmless, 1), else_=0)), func.sum(when((undone, 1), else_=0)))
               .select_from(pairs).outerjoin(first, first.c.case_id == pairs.c.case_id)
               .outerjoin(Decision, Decision.id == first.c.decision_id)
               .outerjoin(reversed_cases, reversed_cases.c.case_id == pairs.c.case_id)
               .group_by(pairs.c.day, pairs.c.bank_id))
    per_day: dict[int, list[int]] = {}
    rates: dict[int, list[int]] = {}
    for day, bank_id, n, n_decided, n_harmless, n_reversed in session.execute(grouped):
        if str(day) not in index:
            continue
        per_day.setdefault(int(bank_id), [0] * len(index))[index[str(day)]] = int(n)
        totals = rates.setdefault(int(bank_id), [0, 0, 0])
        for i, v in enumerate((n_decided, n_harmless, n_reversed)):
            totals[i] += int(v or 0)
    reachable = {b.id: (b, a) for b, a, _ in list_banks(session, principal)}
    owners = {int(i): str(n) for i, n in session.execute(select(Organization.id, Organization.name))}
    rows = []
    for bank_id, counts in per_day.items():
        bank, access = reachable.get(bank_id, (None, Access.NONE))
        rows.append(BankFigures(
            bank_id, bank.name if bank is not None and access >= Access.SEE else None,
            owners.get(bank.org_id, "") if bank is not None else "", access.name.lower(), counts, *rates[bank_id]))
    return sorted(rows, key=lambda b: (-b.opened, b.bank_id))


def cases_of_matches(session: Session, principal: Principal, match_ids: list[int]) -> dict[int, int]:
    """The case of the caller's organization that holds each of ``match_ids`` (matches in no case are left out)."""
    if not match_ids:
        return {}
    rows = session.execute(select(CaseMatch.match_id, func.min(CaseMatch.case_id)).join(
        Case, Case.id == CaseMatch.case_id).where(Case.org_id == principal.org_id,
                                                  CaseMatch.match_id.in_(match_ids)).group_by(CaseMatch.match_id))
    return {int(m): int(c) for m, c in rows}
