"""The yearly transparency report of Regulation (EU) 2021/784: a hosting provider's (Art. 7) and the figures an
authority reports on the orders it issued (Art. 8), computed from the records and nothing else.

A year is a calendar year in UTC. Orders count in the year they were received; confirmations, complaints and
reinstatements in the year they happened. Human-rights safeguard figures are in :mod:`basira.reports.safeguards`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from basira.core.errors import InvalidInput
from basira.core.fronts import default_fronts
from basira.core.models import Match, Organization
from basira.core.principal import Principal
from basira.legal.authorities import get_authority
from basira.legal.models import Authority, Complaint, RemovalClock, RemovalOrder
from basira.legal.orders import READ_ROLES
from basira.reports import operations
from basira.reports.operations import TimeToAction
from basira.reports.safeguards import Safeguards, safeguards
from basira.review.models import Appeal, Case, Decision, DecisionState
from basira.review.taxonomy import reason_for

FIRST_YEAR, LAST_YEAR = 2000, 2200


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``year`` and of the next one, in UTC."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"a report covers a year between {FIRST_YEAR} and {LAST_YEAR}")
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)


@dataclass
class NotExecuted:
    """An order that was not executed, and the grounds the authority was given."""

    order_id: int
    authority: str
    reference: str
    grounds: str


@dataclass
class Outcomes:
    """Complaints or appeals: received in the year, and decided in it by outcome."""

    received: int = 0
    upheld: int = 0
    overturned: int = 0
    pending: int = 0


@dataclass
class ProviderReport:
    """Art. 7(3): the provider's measures, removals, orders not executed, complaints and reinstatements."""

    organization: str
    year: int
    generated_at: str
    orders_received: int = 0
    referrals_received: int = 0
    orders_executed: int = 0
    orders_executed_in_time: int = 0
    median_minutes_to_action: float | None = None
    items_removed_under_orders: int = 0
    orders_not_executed: list[NotExecuted] = field(default_factory=list)
    orders_by_member_state: dict[str, int] = field(default_factory=dict)
    orders_by_month: list[int] = field(default_factory=lambda: [0] * 12)
    matches_recorded: int = 0
    content_cases_decided: int = 0
    content_removed_own_measures: int = 0
    complaints: Outcomes = field(default_factory=Outcomes)
    appeals: Outcomes = field(default_factory=Outcomes)
    reinstated_after_complaint_or_scrutiny: int = 0
    reinstated_after_appeal: int = 0
    time_to_action_by_ideology: list[TimeToAction] = field(default_factory=list)
    time_to_action_by_platform: list[TimeToAction] = field(default_factory=list)
    safeguards: Safeguards | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["safeguards"] = self.safeguards.as_dict() if self.safeguards else None
        return out


def within(column: Any, start: dt.datetime, end: dt.datetime) -> Any:
    return and_(column >= start, column < end)


def _count(session: Session, *where: Any, model: Any = RemovalOrder) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _orders_part(session: Session, report: ProviderReport, org_id: int, start: dt.datetime,
                 end: dt.datetime) -> None:
    mine = RemovalOrder.org_id == org_id
    received = list(session.scalars(select(RemovalOrder).where(mine, within(RemovalOrder.received_at, start, end))))
    report.orders_received = sum(1 for o in received if o.kind == "order")
    report.referrals_received = sum(1 for o in received if o.kind == "referral")
    for o in received:
        if o.kind == "order":
            report.orders_by_member_state[o.member_state] = report.orders_by_member_state.get(o.member_state, 0) + 1
            report.orders_by_month[o.received_at.month - 1] += 1
    executed = list(session.scalars(select(RemovalOrder).where(
        mine, RemovalOrder.kind == "order", RemovalOrder.executed_at.is_not(None),
        within(RemovalOrder.executed_at, start, end))))
    report.orders_executed = len(executed)
    minutes = []
    for o in executed:
        clock = session.get(RemovalClock, o.clock_id) if o.clock_id else None
        if o.executed_at is None:  # selected as not null: only here to narrow the type
            continue
        if clock is not None and o.executed_at <= clock.deadline_at:
            report.orders_executed_in_time += 1
        minutes.append((o.executed_at - o.received_at).total_seconds() / 60)
    report.median_minutes_to_action = round(statistics.median(minutes), 1) if minutes else None
    report.items_removed_under_orders = len({u for o in executed for u in o.urls})
    names = {a.id: a.name for a in session.scalars(select(Authority).where(Authority.org_id == org_id))}
    report.orders_not_executed = [
        NotExecuted(o.id, names.get(o.authority_id, "?"), o.reference, o.not_executed_grounds)
        for o in received if o.status == "not_executed"]
    report.reinstated_after_complaint_or_scrutiny = _count(
        session, mine, RemovalOrder.reinstated_at.is_not(None), within(RemovalOrder.reinstated_at, start, end))
    complaints = Complaint.org_id == org_id
    report.complaints = Outcomes(
        received=_count(session, complaints, within(Complaint.received_at, start, end), model=Complaint),
        upheld=_count(session, complaints, Complaint.outcome == "upheld", within(Complaint.decided_at, start, end),
                      model=Complaint),
        overturned=_count(session, complaints, Complaint.outcome == "overturned",
                          within(Complaint.decided_at, start, end), model=Complaint),
        pending=_count(session, complaints, Complaint.outcome.is_(None), Complaint.received_at < end,
                       model=Complaint))


def _cases_part(session: Session, report: ProviderReport, org_id: int, start: dt.datetime, end: dt.datetime) -> None:
    report.matches_recorded = _count(session, Match.org_id == org_id, within(Match.created_at, start, end), model=Match)
    kinds = default_fronts().moderation_kinds()
    rows = session.execute(select(Case.kind, Decision.reason_code).join(Case, Case.id == Decision.case_id).where(
        Case.org_id == org_id, Case.kind.in_(kinds),
        Decision.state == DecisionState.TAKEN.value, within(Decision.decided_at, start, end))).all()
    reasons = [reason_for(kind, code) for kind, code in rows]
    report.content_cases_decided = sum(1 for r in reasons if r.decides)
    report.content_removed_own_measures = sum(1 for r in reasons if r.decides and r.violating)
    content = and_(Case.org_id == org_id, Case.kind.in_(kinds))
    appeal_q = select(func.count()).select_from(Appeal).join(Case, Case.id == Appeal.case_id).where(content)
    report.appeals = Outcomes(
        received=int(session.scalar(appeal_q.where(within(Appeal.received_at, start, end))) or 0),
        upheld=int(session.scalar(appeal_q.where(Appeal.outcome == "upheld",
                                                 within(Appeal.decided_at, start, end))) or 0),
        overturned=int(session.scalar(appeal_q.where(Appeal.outcome == "overturned",
                                                     within(Appeal.decided_at, start, end))) or 0),
        pending=int(session.scalar(appeal_q.where(Appeal.outcome.is_(None), Appeal.received_at < end)) or 0))
    overturned = session.execute(select(Case.kind, Decision.reason_code).join(Appeal, Appeal.decision_id == Decision.id)
                                 .join(Case, Case.id == Appeal.case_id).where(
        content, Appeal.outcome == "overturned", within(Appeal.decided_at, start, end))).all()
    # An overturned decision that had found the content violating puts it back: a reinstatement.
    report.reinstated_after_appeal = sum(1 for kind, code in overturned if reason_for(kind, code).violating)


def provider_report(session: Session, principal: Principal, year: int,
                    now: dt.datetime | None = None) -> ProviderReport:
    """The provider's report for ``year`` (admins, reviewers and auditors of the organization)."""
    principal.require(READ_ROLES, "read transparency reports")
    start, end = year_bounds(year)
    org = session.get(Organization, principal.org_id)
    report = ProviderReport(organization=org.name if org else str(principal.org_id), year=year,
                            generated_at=(now or dt.datetime.now(dt.UTC)).isoformat())
    _orders_part(session, report, principal.org_id, start, end)
    _cases_part(session, report, principal.org_id, start, end)
    report.time_to_action_by_ideology = operations.by_ideology(
        session, principal.org_id, default_fronts().moderation_kinds(), start, end)
    report.time_to_action_by_platform = operations.by_platform(session, principal.org_id, start, end)
    report.safeguards = safeguards(session, principal.org_id, start, end)
    return report


@dataclass
class AuthorityReport:
    """Art. 8: what became of the orders one authority issued to this provider in a year."""

    authority: str
    member_state: str
    year: int
    orders_issued: int = 0
    executed: int = 0
    executed_in_time: int = 0
    not_executed: list[NotExecuted] = field(default_factory=list)
    paused: int = 0
    complaints: int = 0
    reinstated: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def authority_report(session: Session, principal: Principal, authority_ref: int | str, year: int) -> AuthorityReport:
    """The figures for one authority's orders received in ``year``."""
    principal.require(READ_ROLES, "read transparency reports")
    authority = get_authority(session, principal, authority_ref)
    start, end = year_bounds(year)
    issued = list(session.scalars(select(RemovalOrder).where(
        RemovalOrder.authority_id == authority.id, RemovalOrder.kind == "order",
        within(RemovalOrder.received_at, start, end)).order_by(RemovalOrder.id)))
    report = AuthorityReport(authority.name, authority.member_state, year, orders_issued=len(issued))
    for o in issued:
        clock = session.get(RemovalClock, o.clock_id) if o.clock_id else None
        if o.executed_at is not None:
            report.executed += 1
            report.executed_in_time += int(clock is not None and o.executed_at <= clock.deadline_at)
        if o.status == "not_executed":
            report.not_executed.append(NotExecuted(o.id, authority.name, o.reference, o.not_executed_grounds))
        report.paused += int(o.status == "paused")
        report.reinstated += int(o.reinstated_at is not None)
    ids = [o.id for o in issued]
    report.complaints = _count(session, Complaint.order_id.in_(ids), model=Complaint) if ids else 0
    return report
