"""The transparency report on a year of synthetic activity: every figure is checked against a ledger the test
keeps while making the activity, and against its own queries of the records, never against the report code."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from tests.factories import make_bank, run_consumer, submit

from basira.core.instance import Instance
from basira.core.models import Item, Match, Role, Signal
from basira.core.principal import Principal
from basira.legal import authorities, complaints, execution
from basira.legal.models import RemovalOrder
from basira.legal.orders import OrderRequest, annex_fields, receive
from basira.reports import export, statements, transparency
from basira.review.appeals import AppealRequest, decide_appeal, record_appeal
from basira.review.decisions import DecisionRequest, decide
from basira.review.models import Case, CaseMatch, Decision
from basira.web.reports_html import render_report

YEAR = 2026
SECRET = "44" * 32


@dataclass
class Ledger:
    """What the test did, counted as it did it."""

    received: int = 0
    referrals: int = 0
    executed: int = 0
    in_time: int = 0
    minutes: list[float] = field(default_factory=list)
    urls_removed: set[str] = field(default_factory=set)
    declined: list[str] = field(default_factory=list)
    by_month: list[int] = field(default_factory=lambda: [0] * 12)
    by_state: dict[str, int] = field(default_factory=dict)
    complaints: int = 0
    complaints_upheld: int = 0
    complaints_overturned: int = 0
    decided_violating: int = 0
    decided: int = 0
    appeals_overturned: int = 0
    appeals_upheld: int = 0
    platform_minutes: dict[str, list[float]] = field(default_factory=dict)
    ideology_of: dict[str, str] = field(default_factory=dict)  # item ref -> its signal's ideology label


def _request(authority: str, state: str, ref: str, url: str, issued: dt.datetime) -> OrderRequest:
    req = OrderRequest(authority=authority, reference=ref, member_state=state, urls=[url], grounds="Made-up.",
                       grounds_points=["a"], redress="Court.", signatory="Officer", issued_at=issued)
    if authority == "DE-BKA":
        req.signature = authorities.sign_hmac(SECRET, authorities.signed_body(annex_fields(req, authority)))
    return req


def _orders(instance: Instance, admin: Principal, other: Principal, ledger: Ledger) -> None:
    with instance.db.session() as s:
        authorities.register(s, admin, authorities.AuthoritySpec("DE-BKA", "DE", "Europe/Berlin", "hmac-sha256",
                                                                 SECRET))
        authorities.register(s, admin, authorities.AuthoritySpec("FR-OCLCTIC", "FR", "Europe/Paris"))
    # An order of the year before, executed ten minutes into this year: counted executed here, received there.
    late_eve = dt.datetime(YEAR - 1, 12, 31, 23, 55, tzinfo=dt.UTC)
    prior = receive(instance.db.session, admin, _request("FR-OCLCTIC", "FR", "FR-prior", "https://x.example/p",
                                                         late_eve), instance.secret_key, now=late_eve)
    with instance.db.session() as s:
        execution.confirm(s, admin, prior.id, now=late_eve + dt.timedelta(minutes=15))
    ledger.executed += 1
    ledger.in_time += 1
    ledger.minutes.append(15.0)
    ledger.urls_removed.add("https://x.example/p")
    ledger.platform_minutes["x.example"] = [15.0]  # no public suffix: the host itself
    n = 0
    for month in range(1, 13):
        for k in range(month % 3 + 1):
            n += 1
            at = dt.datetime(YEAR, month, 1 + k, 10, 0, tzinfo=dt.UTC)
            authority, state = ("DE-BKA", "DE") if n % 2 else ("FR-OCLCTIC", "FR")
            host, platform = ("video.example.com", "example.com") if n % 2 else ("cdn.files.example.org",
                                                                                "example.org")
            url = f"https://{host}/{n}"
            order = receive(instance.db.session, admin, _request(authority, state, f"R-{n}", url, at),
                            instance.secret_key, now=at)
            ledger.received += 1
            ledger.by_month[month - 1] += 1
            ledger.by_state[state] = ledger.by_state.get(state, 0) + 1
            with instance.db.session() as s:
                if n % 5 == 0:
                    execution.decline(s, admin, order.id, f"grounds {n}", now=at)
                    ledger.declined.append(f"R-{n}")
                    continue
                if n % 7 == 0:
                    execution.pause(s, admin, order.id, "force_majeure", "outage", now=at)
                    continue
                minutes = 70 if n % 4 == 0 else 10 + n % 40
                execution.confirm(s, admin, order.id, now=at + dt.timedelta(minutes=minutes))
            ledger.executed += 1
            ledger.in_time += int(minutes <= 60)
            ledger.minutes.append(float(minutes))
            ledger.urls_removed.add(url)
            ledger.platform_minutes.setdefault(platform, []).append(float(minutes))
            if n % 3 == 0:
                with instance.db.session() as s:
                    c = complaints.record(s, admin, order.id, f"uploader-{n}", now=at + dt.timedelta(days=1))
                    outcome = "overturned" if n % 6 == 0 else "upheld"
                    complaints.decide(s, other, c.id, outcome, now=at + dt.timedelta(days=2))
                ledger.complaints += 1
                ledger.complaints_overturned += int(outcome == "overturned")
                ledger.complaints_upheld += int(outcome == "upheld")
    ref_at = dt.datetime(YEAR, 6, 1, tzinfo=dt.UTC)
    receive(instance.db.session, admin, OrderRequest(authority="FR-OCLCTIC", reference="REF-1",
                                                     urls=["https://v.example/ref"], kind="referral"),
            instance.secret_key, now=ref_at)
    ledger.referrals += 1


def _cases(instance: Instance, admin: Principal, reviewers: list[Principal], ledger: Ledger) -> None:
    values = [f"{i:032x}" for i in range(1, 7)]
    signal_ids = make_bank(instance, admin, "Crisis bank", values)
    # Decided as violating below: posts 0, 1, 3 and 4 (two ethno-nationalist, one religious, one without label).
    ideologies = ["ideology:ethno_nationalist", "ideology:religious", "ideology:ethno_nationalist", "",
                  "ideology:ethno_nationalist", "ideology:religious"]
    with instance.db.session() as s:
        for i, sid in enumerate(signal_ids):
            label = ideologies[i]
            s.get(Signal, sid).labels = ["test", label] if label else ["test"]  # type: ignore[union-attr]
            ledger.ideology_of[f"post-{i}"] = label.removeprefix("ideology:") or "unlabelled"
    for i, v in enumerate(values):
        submit(instance, admin, [v], ref=f"post-{i}", content_type="photo")
    run_consumer(instance)
    with instance.db.session() as s:
        case_ids = [c.id for c in s.scalars(select(Case).order_by(Case.id))]
    first, second = reviewers
    for i, cid in enumerate(case_ids):
        reason = "not_violating" if i % 3 == 2 else "incites"
        with instance.db.session() as s:
            decide(s, first, cid, DecisionRequest(reason=reason))
        ledger.decided += 1
        ledger.decided_violating += int(reason == "incites")
        if reason == "incites" and i < 2:
            with instance.db.session() as s:
                record_appeal(s, first, cid, AppealRequest(complainant=f"user-{i}"))
                outcome = "overturned" if i == 0 else "upheld"
                decide_appeal(s, second, cid, outcome)
            ledger.appeals_overturned += int(outcome == "overturned")
            ledger.appeals_upheld += int(outcome == "upheld")


@pytest.fixture
def year_of_activity(instance: Instance, admin: Principal, org_id: int) -> Ledger:
    ledger = Ledger()
    rita, sami = Principal(org_id, Role.REVIEWER, "rita"), Principal(org_id, Role.REVIEWER, "sami")
    _orders(instance, admin, rita, ledger)
    _cases(instance, admin, [rita, sami], ledger)
    return ledger


def _report(instance: Instance, admin: Principal) -> transparency.ProviderReport:
    with instance.db.session() as s:
        return transparency.provider_report(s, admin, YEAR)


def test_order_figures_match_the_ledger(instance: Instance, admin: Principal, year_of_activity: Ledger) -> None:
    r, want = _report(instance, admin), year_of_activity
    assert (r.orders_received, r.referrals_received) == (want.received, want.referrals)
    assert (r.orders_executed, r.orders_executed_in_time) == (want.executed, want.in_time)
    ordered = sorted(want.minutes)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    assert r.median_minutes_to_action == round(median, 1)
    assert r.items_removed_under_orders == len(want.urls_removed)
    assert sorted(o.reference for o in r.orders_not_executed) == sorted(want.declined)
    assert r.orders_by_month == want.by_month and r.orders_by_member_state == want.by_state
    _check_time_to_action(instance, admin, want)  # on the same year of activity (it takes a while to make)


def test_order_figures_match_the_records(instance: Instance, admin: Principal, year_of_activity: Ledger) -> None:
    r = _report(instance, admin)
    start, end = dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC), dt.datetime(YEAR + 1, 1, 1, tzinfo=dt.UTC)
    with instance.db.session() as s:
        rows = list(s.scalars(select(RemovalOrder)))
    assert r.orders_received == sum(1 for o in rows if o.kind == "order" and start <= o.received_at < end)
    assert r.orders_executed == sum(1 for o in rows if o.executed_at and start <= o.executed_at < end)
    assert r.reinstated_after_complaint_or_scrutiny == sum(1 for o in rows if o.status == "reinstated")


def test_complaint_appeal_and_safeguard_figures_match_the_ledger(
        instance: Instance, admin: Principal, year_of_activity: Ledger) -> None:
    r, want = _report(instance, admin), year_of_activity
    assert (r.complaints.received, r.complaints.upheld, r.complaints.overturned, r.complaints.pending) == (
        want.complaints, want.complaints_upheld, want.complaints_overturned, 0)
    assert r.reinstated_after_complaint_or_scrutiny == want.complaints_overturned
    assert (r.appeals.upheld, r.appeals.overturned) == (want.appeals_upheld, want.appeals_overturned)
    assert r.reinstated_after_appeal == want.appeals_overturned
    assert (r.content_cases_decided, r.content_removed_own_measures) == (want.decided, want.decided_violating)
    s = r.safeguards
    assert s is not None and s.human_decisions == want.decided
    decided = want.appeals_upheld + want.appeals_overturned + want.complaints
    assert s.reversal_rate == round((want.appeals_overturned + want.complaints_overturned) / decided, 4)
    (bank,) = s.banks
    # Each decision set one opinion; an overturned appeal turned one confirmed into a false positive.
    assert (bank.false_positive, bank.confirmed) == (
        want.decided - want.decided_violating + want.appeals_overturned,
        want.decided_violating - want.appeals_overturned)


def test_the_authority_report_counts_only_its_own_orders(instance: Instance, admin: Principal,
                                                         year_of_activity: Ledger) -> None:
    with instance.db.session() as s:
        de = transparency.authority_report(s, admin, "DE-BKA", YEAR)
        fr = transparency.authority_report(s, admin, "FR-OCLCTIC", YEAR)
    assert de.orders_issued == year_of_activity.by_state["DE"] and fr.orders_issued == year_of_activity.by_state["FR"]
    assert len(de.not_executed) + len(fr.not_executed) == len(year_of_activity.declined)


def test_statements_of_reasons_cover_every_restriction_without_personal_data(
        instance: Instance, admin: Principal, year_of_activity: Ledger) -> None:
    with instance.db.session() as s:
        rows = statements.statements(s, admin, YEAR)
    assert len(rows) == year_of_activity.executed + year_of_activity.decided_violating
    assert len({r["puid"] for r in rows}) == len(rows)
    text = statements.to_json(rows) + statements.to_csv(rows)
    for personal in ("https://", "rita", "sami", "uploader-", "user-"):
        assert personal not in text
    assert rows[0]["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert rows[-1]["content_type"] == ["CONTENT_TYPE_IMAGE"] and rows[-1]["automated_detection"] == "Yes"
    assert statements.to_csv(rows).splitlines()[0].split(",") == list(statements.FIELDS)


def test_json_and_csv_carry_the_same_figures(instance: Instance, admin: Principal,
                                             year_of_activity: Ledger) -> None:
    r = _report(instance, admin)
    as_json: dict[str, Any] = json.loads(export.to_json(r))
    csv_rows = dict(line.split(",", 1) for line in export.to_csv(r).splitlines()[1:])
    assert as_json["orders_received"] == year_of_activity.received
    assert csv_rows["orders_received"] == str(year_of_activity.received)
    assert csv_rows["complaints.overturned"] == str(year_of_activity.complaints_overturned)


@pytest.mark.parametrize(("lang", "direction", "title"), [
    ("en", "ltr", "Transparency report 2026"), ("ar", "rtl", "تقرير الشفافية لعام 2026"),
    ("fr", "ltr", "Rapport de transparence 2026")])
def test_the_html_report_speaks_each_language_with_inline_charts(
        instance: Instance, admin: Principal, year_of_activity: Ledger, lang: str, direction: str,
        title: str) -> None:
    page = render_report(_report(instance, admin), lang)
    assert f'dir="{direction}"' in page and title in page
    assert page.count("<svg") == 3 and "<?xml" not in page


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _check_time_to_action(instance: Instance, admin: Principal, want: Ledger) -> None:
    """Time to action by platform against the ledger, by ideology against the records."""
    r = _report(instance, admin)
    platforms = {t.label: t for t in r.time_to_action_by_platform}
    assert set(platforms) == set(want.platform_minutes)
    for platform, minutes in want.platform_minutes.items():
        got = platforms[platform]
        assert (got.count, got.median_minutes) == (len(minutes), round(_median(minutes), 1)), platform
        assert got.p90_minutes in minutes and sum(m <= got.p90_minutes for m in minutes) >= 0.9 * len(minutes)
    # By ideology, from the records: each case decided as violating, opening to decision, under its item's label.
    expected: dict[str, list[float]] = {}
    with instance.db.session() as s:
        rows = s.execute(select(Item.ref, Case.created_at, Decision.decided_at, Decision.reason_code)
                         .join(Decision, Decision.case_id == Case.id).join(CaseMatch, CaseMatch.case_id == Case.id)
                         .join(Match, Match.id == CaseMatch.match_id).join(Item, Item.id == Match.item_id)).all()
    for ref, opened, decided, code in rows:
        if code == "incites":
            expected.setdefault(want.ideology_of[ref], []).append((decided - opened).total_seconds() / 60)
    ideologies = {t.label: t for t in r.time_to_action_by_ideology}
    assert set(ideologies) == set(expected) and "unlabelled" in ideologies
    for label, minutes in expected.items():
        assert (ideologies[label].count, ideologies[label].median_minutes) == (len(minutes),
                                                                               round(_median(minutes), 1))
    page = render_report(r, "fr")
    assert "Délai d'action" in page and "example.org" in page and "religious" in page
