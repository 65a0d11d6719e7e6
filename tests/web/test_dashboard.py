"""The home page's dashboard: every number it shows against a count made straight from the tables, the filters its
links carry, what another organization's data and restricted banks look like, right-to-left charts, and a hostile
``?days=``.

The world: content, screening and drone cases of the ``acme`` organization opened today and 1 to 100 days ago,
matched against its own banks, a partner's RED bank shared for matching only and a partner's bank shared then
unshared; decisions that find a violation, none, or ask for more; an appeal that overturns one and an undo of
another's webhook action; and an organization of its own whose cases must count nowhere.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from tests.factories import PASSWORD, A, B, C, make_bank, make_user, run_consumer, submit

from basira.actions.dispatch import dispatch
from basira.actions.models import Action
from basira.actions.undo import undo_action
from basira.actions.webhooks import WebhookSpec, create_webhook
from basira.api.app import create_app
from basira.core import banks, orgs, outbox
from basira.core.instance import Instance
from basira.core.models import Bank, Match, Role, utcnow
from basira.core.principal import Principal, system_principal
from basira.review import appeals, decisions
from basira.review.models import OPEN_STATUSES, Appeal, Case, CaseMatch, Decision, DecisionState
from basira.review.taxonomy import reason_for
from conftest import need

from .helpers import sign_in


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """SQLite by default; the figures (whose SQL differs by database) are checked on both."""
    return str(request.param)

D, E, F = "d" * 32, "e" * 32, "f" * 32
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


@dataclass
class World:
    """What the tests look up: case ids by name and bank ids by name."""

    cases: dict[str, int] = field(default_factory=dict)
    banks: dict[str, int] = field(default_factory=dict)
    other_org_bank: int = 0


def _newest_case(instance: Instance) -> int:
    with instance.db.session() as s:
        return int(s.scalars(select(Case.id).order_by(Case.id.desc()).limit(1)).one())


def _alert(instance: Instance, org_id: int, track: str) -> None:
    with instance.db.session() as s:
        outbox.emit(s, "alert.raised", {"track_id": track, "alert_id": f"al-{track}", "alert_kind": "ENTER",
                                        "at": "2026-03-01T10:00:00Z", "uas_id": f"UAS{track}"}, org_id=org_id)


def _age(instance: Instance, case_id: int, age: dt.timedelta) -> None:
    """Move a case's opening (and its deadline with it) ``age`` into the past."""
    with instance.db.session() as s:
        case = s.get_one(Case, case_id)
        sla = case.due_at - case.created_at
        case.created_at = utcnow() - age
        case.due_at = case.created_at + sla


def build_world(instance: Instance, admin: Principal) -> World:
    w = World()
    rita = Principal(admin.org_id, Role.REVIEWER, "rita")
    tala = Principal(admin.org_id, Role.REVIEWER, "tala")
    with instance.db.session() as s:
        partner_id = orgs.create_org(s, "test", "partner", "Partner NGO").id
        other_id = orgs.create_org(s, "test", "other", "Other Platform").id
    partner, other = system_principal(partner_id, actor="test"), system_principal(other_id, actor="test")
    make_bank(instance, admin, "Crisis 2027-03", [A], tlp="AMBER")
    make_bank(instance, admin, "بنك الأزمة", [B], tlp="GREEN")
    make_bank(instance, admin, "Sanctions list", [C], content_type="person", tlp="CLEAR")
    make_bank(instance, admin, "Twice listed", [F], copies=2)  # one item matches two of its signals: one case
    make_bank(instance, partner, "Partner red hashes", [D], tlp="RED")
    make_bank(instance, partner, "Partner amber hashes", [E], tlp="AMBER")
    make_bank(instance, other, "Other's own", [A], tlp="AMBER")
    with instance.db.session() as s:
        w.banks = {b.name: b.id for b in s.scalars(select(Bank))}
        w.other_org_bank = w.banks.pop("Other's own")
        banks.share_bank(s, partner, w.banks["Partner red hashes"], org="acme")
        banks.share_bank(s, partner, w.banks["Partner amber hashes"], org="acme")
        create_webhook(s, admin, WebhookSpec(url="http://127.0.0.1:9/hook", name="T&S", events=["case.decided"]),
                       allowlist=LOOPBACK)
    # (name, values, content type, age): every case opened, then aged, then decided.
    plan: list[tuple[str, list[str], str, dt.timedelta]] = [
        ("today", [A], "", dt.timedelta(minutes=5)),
        ("today-two-banks", [A, B], "", dt.timedelta(minutes=3)),
        ("2d", [B], "", dt.timedelta(days=2)),
        ("5d", [A], "", dt.timedelta(days=5, hours=3)),
        ("10d", [B], "", dt.timedelta(days=10)),
        ("10d-open", [A], "", dt.timedelta(days=10, hours=1)),
        ("40d", [A], "", dt.timedelta(days=40)),
        ("100d", [A], "", dt.timedelta(days=100)),
        ("screen-3d", [C], "person", dt.timedelta(days=3)),
        ("screen-today", [C], "person", dt.timedelta(hours=1)),
        ("screen-1d", [C], "person", dt.timedelta(days=1, hours=2)),
        ("red-1d", [D], "", dt.timedelta(days=1)),
        ("gone-4d", [E], "", dt.timedelta(days=4)),
        ("twice-3d", [F], "", dt.timedelta(days=3)),
    ]
    for name, values, content_type, _ in plan:
        submit(instance, admin, values, ref=f"item-{name}", content_type=content_type)
        run_consumer(instance)
        w.cases[name] = _newest_case(instance)
    for name, track in (("drone-1d", "1"), ("drone-1h", "2")):
        _alert(instance, admin.org_id, track)
        run_consumer(instance)
        w.cases[name] = _newest_case(instance)
    submit(instance, other, [A], ref="other-item")
    run_consumer(instance)
    w.cases["other-org"] = _newest_case(instance)
    for name, _, _, age in plan:
        _age(instance, w.cases[name], age)
    _age(instance, w.cases["drone-1d"], dt.timedelta(days=1))
    _age(instance, w.cases["drone-1h"], dt.timedelta(hours=1))  # open and 45 minutes past its 15-minute deadline
    _age(instance, w.cases["other-org"], dt.timedelta(days=1))
    decided = {"today": "incites", "2d": "not_violating", "5d": "incites", "10d": "glorification",
               "40d": "not_violating", "100d": "incites", "screen-3d": "false_positive",
               "screen-1d": "needs_information", "drone-1d": "benign", "gone-4d": "not_violating",
               "twice-3d": "not_violating"}
    for name, reason in decided.items():
        with instance.db.session() as s:
            decisions.decide(s, rita, w.cases[name], decisions.DecisionRequest(reason))
    with instance.db.session() as s:
        banks.share_bank(s, partner, w.banks["Partner amber hashes"], org="acme", unshare=True)
    dispatch(instance.db.session)
    with instance.db.session() as s:
        appeals.record_appeal(s, rita, w.cases["5d"], appeals.AppealRequest("user-77"))
        appeals.decide_appeal(s, tala, w.cases["5d"], "overturned", "Satire, not glorification.")
    dispatch(instance.db.session)  # the overturned appeal undoes the decision's webhook action
    with instance.db.session() as s:
        action = s.scalars(select(Action).where(Action.case_id == w.cases["10d"])).one()
        undo_action(s, rita, action.id, "Decided in error.")
    return w


@pytest.fixture
def world(instance: Instance, admin: Principal) -> World:
    make_user(instance, admin, "alice", "admin")
    return build_world(instance, admin)


def _client(instance: Instance) -> TestClient:
    c = TestClient(create_app(instance))
    assert sign_in(c, "alice", PASSWORD).url.path == "/"
    return c


# -- the reference: counted straight from the tables, in plain Python ------------------------------------------------

@dataclass
class Expected:
    since: dt.date
    until: dt.date
    by_kind: dict[str, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    by_bank: dict[int, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    minutes: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    late: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    open: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    overdue: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    bank_decided: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    bank_harmless: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    bank_reversed: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def expected(instance: Instance, org_id: int, days: int, today: dt.date) -> Expected:
    ex = Expected(since=today - dt.timedelta(days=days - 1), until=today)
    now = utcnow()
    with instance.db.session() as s:
        cases = [c for c in s.scalars(select(Case)) if c.org_id == org_id]
        taken = [d for d in s.scalars(select(Decision).order_by(Decision.id)) if d.state == DecisionState.TAKEN]
        banks_of: dict[int, set[int]] = defaultdict(set)
        for case_id, bank_id in s.execute(select(CaseMatch.case_id, Match.bank_id)
                                          .join(Match, Match.id == CaseMatch.match_id)):
            banks_of[case_id].add(bank_id)
        overturned = {a.case_id for a in s.scalars(select(Appeal)) if a.outcome == "overturned"}
        undone = {a.case_id for a in s.scalars(select(Action))
                  if a.status == "undone" and a.webhook_event == "case.decided"}
        for c in cases:
            if c.status in OPEN_STATUSES:
                ex.open[c.kind] += 1
                ex.overdue[c.kind] += int(c.due_at < now)
            day = c.created_at.astimezone(dt.UTC).date()
            if not ex.since <= day <= ex.until:
                continue
            ex.by_kind[c.kind][day] += 1
            for b in banks_of[c.id]:
                ex.by_bank[b][day] += 1
            first = next((d for d in taken if d.case_id == c.id and reason_for(c.kind, d.reason_code).decides), None)
            if first is None or first.decided_at is None:
                continue
            ex.minutes[c.kind].append((first.decided_at - c.created_at).total_seconds() / 60)
            ex.late[c.kind] += int(first.decided_at > c.due_at)
            for b in banks_of[c.id]:
                ex.bank_decided[b] += 1
                ex.bank_harmless[b] += int(not reason_for(c.kind, first.reason_code).violating)
                ex.bank_reversed[b] += int(c.id in overturned or c.id in undone)
    return ex


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    rank = -(-9 * len(ordered) // 10)  # nearest rank: ceil(0.9 n)
    return ordered[rank - 1]


# -- what the page shows --------------------------------------------------------------------------------------------

def _doc(html: str) -> Any:
    return lxml.html.fromstring(html)


def _day_table(doc: Any, table_id: str, attr: str) -> dict[str, dict[dt.date, int]]:
    (table,) = doc.xpath(f'//table[@id="{table_id}"]')
    keys = [th.get(attr) for th in table.xpath("./thead/tr/th")[1:]]
    out: dict[str, dict[dt.date, int]] = {k: {} for k in keys}
    for tr in table.xpath("./tbody/tr"):
        day = dt.date.fromisoformat(tr.get("data-day"))
        for key, td in zip(keys, tr.xpath("./td"), strict=True):
            out[key][day] = int(td.get("data-value"))
            assert td.text_content().strip() == str(int(td.get("data-value")))
    return out


def _rows(doc: Any, table_id: str, attr: str) -> dict[str, list[Any]]:
    found = doc.xpath(f'//table[@id="{table_id}"]')
    if not found:
        return {}
    return {tr.get(attr): tr.xpath("./td") for tr in found[0].xpath("./tbody/tr")}


def _nonzero(table: dict[Any, dict[dt.date, int]]) -> dict[str, dict[dt.date, int]]:
    return {str(k): {d: n for d, n in v.items() if n} for k, v in table.items() if any(v.values())}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_every_number_on_the_dashboard_matches_a_count_of_the_tables(instance: Instance, admin: Principal,
                                                                    world: World) -> None:
    c = _client(instance)
    for days in (7, 30, 90):  # one world (slow to build), three periods
        _check_numbers(c, instance, admin, days)


def _check_numbers(c: TestClient, instance: Instance, admin: Principal, days: int) -> None:
    page = c.get(f"/?days={days}")
    assert page.status_code == 200
    doc = _doc(page.text)
    ex = expected(instance, admin.org_id, days, utcnow().date())
    (since,) = doc.xpath('//section[@id="dashboard"]//p[@class="muted"]/time[1]/@datetime')
    assert dt.date.fromisoformat(since) == ex.since

    assert _nonzero(_day_table(doc, "table-kind-days", "data-kind")) == _nonzero(ex.by_kind)
    assert _nonzero(_day_table(doc, "table-bank-days", "data-bank")) == _nonzero(ex.by_bank)
    total = sum(n for v in ex.by_kind.values() for n in v.values())
    assert doc.xpath('//section[@id="dashboard"]//p[@class="muted"]')[0].text_content().strip().startswith("From")
    assert f"cases opened: {total}." in doc.xpath('//section[@id="dashboard"]//p[@class="muted"]')[0].text_content()
    # Each bar of a chart says the same number as the table, in its title too.
    for bar in doc.xpath('//figure[starts-with(@id, "kind-")]//*[@class="bar"]'):
        kind = bar.xpath("ancestor::figure/@id")[0].removeprefix("kind-")
        day = dt.date.fromisoformat(bar.get("data-day"))
        assert int(bar.get("data-value")) == ex.by_kind[kind][day]
        assert bar.xpath("./title")[0].text.endswith(f": {ex.by_kind[kind][day]}")

    decided = _rows(doc, "table-decisions", "data-kind")
    assert set(decided) == {k for k, v in ex.minutes.items() if v}
    for kind, (count, median, ninety) in decided.items():
        assert int(count.get("data-value")) == len(ex.minutes[kind])
        assert float(median.get("data-value")) == round(statistics.median(ex.minutes[kind]), 1)
        assert float(ninety.get("data-value")) == round(p90(ex.minutes[kind]), 1)

    backlog = _rows(doc, "table-backlog", "data-kind")
    assert set(backlog) == {k for k in (*ex.open, *ex.late) if ex.open[k] or ex.late[k]}
    for kind, (n_open, n_overdue, n_late) in backlog.items():
        assert int(n_open.get("data-value")) == ex.open[kind]
        assert int(n_overdue.get("data-value")) == ex.overdue[kind]
        assert int(n_late.get("data-value")) == ex.late[kind]

    rates = _rows(doc, "table-banks", "data-bank")
    assert set(rates) == {str(b) for b, v in ex.by_bank.items() if sum(v.values())}
    for bank, (opened, n_decided, harmless, reversed_) in rates.items():
        b = int(bank)
        assert int(opened.get("data-value")) == sum(ex.by_bank[b].values())
        assert int(n_decided.get("data-value")) == ex.bank_decided[b]
        assert int(harmless.get("data-value")) == ex.bank_harmless[b]
        assert int(reversed_.get("data-value")) == ex.bank_reversed[b]
        share = f"{round(100 * ex.bank_harmless[b] / ex.bank_decided[b])}%" if ex.bank_decided[b] else "—"
        assert share in harmless.text_content()


def test_the_world_exercises_every_figure(instance: Instance, admin: Principal, world: World) -> None:
    # The reference above would agree with a dashboard of zeros on an empty world: this one is not empty.
    ex = expected(instance, admin.org_id, 30, utcnow().date())
    crisis, green = world.banks["Crisis 2027-03"], world.banks["بنك الأزمة"]
    assert set(ex.by_kind) == {"content_match", "screening_hit", "drone_alert"}
    assert ex.bank_reversed[crisis] == 1 and ex.bank_reversed[green] == 1  # an appeal, an undo
    assert ex.bank_harmless[green] == 1 and ex.late["content_match"] >= 2 and ex.overdue["drone_alert"] == 1
    assert ex.open["screening_hit"] == 2  # "needs information" keeps a case open
    assert sum(ex.by_bank[crisis].values()) == 4  # today, today with two banks, 5 and 10 days (40 and 100 out)
    assert sum(ex.by_bank[world.banks["Twice listed"]].values()) == 1 == ex.bank_harmless[world.banks["Twice listed"]]
    with instance.db.session() as s:
        twice = s.scalars(select(CaseMatch).where(CaseMatch.case_id == world.cases["twice-3d"])).all()
    assert len(twice) == 2  # two matches of one bank in one case: counted once


def _params(href: str) -> dict[str, str]:
    parts = urlsplit(href)
    assert parts.path == "/cases"
    return {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}


def test_every_bar_and_figure_links_to_the_case_list_with_its_filters(instance: Instance, world: World) -> None:
    doc = _doc(_client(instance).get("/?days=7").text)
    today = utcnow().date()
    since = (today - dt.timedelta(days=6)).isoformat()
    kind_bars = doc.xpath('//figure[starts-with(@id, "kind-")]//a[@class="bar"]')
    bank_bars = doc.xpath('//figure[starts-with(@id, "bank-")]//a[@class="bar"]')
    assert kind_bars and bank_bars
    for bar in kind_bars:
        kind = bar.xpath("ancestor::figure/@id")[0].removeprefix("kind-")
        day = bar.get("data-day")
        assert _params(bar.get("href")) == {"kind": kind, "since": day, "until": day, "status": "all"}
    for bar in bank_bars:
        bank = bar.xpath("ancestor::figure/@id")[0].removeprefix("bank-")
        day = bar.get("data-day")
        assert _params(bar.get("href")) == {"bank": bank, "since": day, "until": day, "status": "all"}
    caption = doc.xpath('//figure[@id="kind-content_match"]/figcaption/a/@href')[0]
    assert _params(caption) == {"kind": "content_match", "since": since, "until": today.isoformat(), "status": "all"}
    drone = _rows(doc, "table-backlog", "data-kind")["drone_alert"]
    assert _params(drone[0].xpath(".//a/@href")[0]) == {"kind": "drone_alert", "status": "open"}
    assert _params(drone[1].xpath(".//a/@href")[0]) == {"kind": "drone_alert", "status": "open", "overdue": "1"}
    crisis = str(world.banks["Crisis 2027-03"])
    row = _rows(doc, "table-banks", "data-bank")[crisis]
    assert _params(row[0].xpath(".//a/@href")[0]) == {"bank": crisis, "since": since, "until": today.isoformat(),
                                                      "status": "all"}
    assert doc.xpath(f'//table[@id="table-banks"]//tr[@data-bank="{crisis}"]/th/a/@href') == [
        f"/banks/{crisis}/provenance"]


def test_banks_and_matches_on_home_are_links(instance: Instance, world: World) -> None:
    doc = _doc(_client(instance).get("/").text)
    links = doc.xpath('//section[@id="banks"]//a[@class="bank-link"]/@href')
    red = world.banks["Partner red hashes"]
    assert f"/banks/{world.banks['Crisis 2027-03']}/provenance" in links
    # A bank shared for matching only has no page the viewer may open: its name leads to the cases it raised.
    assert f"/cases?bank={red}&status=all" in links and f"/banks/{red}/provenance" not in links
    case_of = {f"item-{n}": c for n, c in world.cases.items()}
    rows = doc.xpath('//section[@id="matches"]//tbody/tr')
    # Every match of acme's 14 items (one matched two banks, one two signals of a bank), none of the other's.
    assert len(rows) == 16
    for tr in rows:
        item = tr.xpath("./td[2]")[0].text_content().strip()
        assert tr.xpath('./td[2]/a[@class="case-link"]/@href') == [f"/cases/{case_of[item]}"]
        # The bank unshared since leads nowhere; every other one to its page or its cases.
        assert bool(tr.xpath('./td[4]/a[@class="bank-link"]/@href')) == (item != "item-gone-4d")


def test_another_organizations_cases_and_unreachable_banks_stay_out_of_sight(instance: Instance, admin: Principal,
                                                                             world: World) -> None:
    html = _client(instance).get("/?days=30").text
    doc = _doc(html)
    rates = _rows(doc, "table-banks", "data-bank")
    assert str(world.other_org_bank) not in rates and "Other's own" not in html
    red, gone = world.banks["Partner red hashes"], world.banks["Partner amber hashes"]
    red_name = doc.xpath(f'//table[@id="table-banks"]//tr[@data-bank="{red}"]/th')[0].text_content()
    gone_row = doc.xpath(f'//table[@id="table-banks"]//tr[@data-bank="{gone}"]')[0]
    assert "Restricted bank of Partner NGO" in red_name and "Partner red hashes" not in html
    assert "A bank no longer available to you" in gone_row.text_content() and "Partner amber hashes" not in html
    assert not gone_row.xpath(".//a") and not doc.xpath(f'//figure[@id="bank-{gone}"]//a')


def test_charts_run_right_to_left_in_arabic_with_arabic_labels(instance: Instance, world: World) -> None:
    c = _client(instance)
    for lang, later_is_left in (("en", False), ("ar", True)):
        doc = _doc(c.get(f"/?days=7&lang={lang}").text)
        bars = doc.xpath('//figure[@id="kind-content_match"]//a[@class="bar"]')
        assert len(bars) >= 2
        by_day = sorted(bars, key=lambda b: b.get("data-day"))
        xs = [float(b.xpath("./rect/@x")[0]) for b in by_day]
        assert xs == sorted(xs, reverse=later_is_left)
        assert all(0 <= x <= 600 for x in xs)
    ar = c.get("/?days=7&lang=ar").text
    assert "القضايا المفتوحة يوميًا، حسب النوع" in ar and "زمن اتخاذ القرار" in ar
    assert 'dir="rtl"' in ar and "Cases opened per day" not in ar


@pytest.mark.parametrize("days", ["abc", "0", "31", "-7", "7.0", "9" * 50, "٧", "7 ", "%00"])
def test_a_period_other_than_7_30_or_90_days_is_refused_with_its_reason(instance: Instance, admin: Principal,
                                                                       days: str) -> None:
    make_user(instance, admin, "alice", "admin")
    r = _client(instance).get("/", params={"days": days})
    assert r.status_code == 422
    doc = _doc(r.text)
    assert doc.xpath('//p[@id="dashboard-problem"]')[0].text_content() == "The period must be 7, 30 or 90 days."
    # The rest of home is still there, and the periods on offer are links.
    assert doc.xpath('//section[@id="banks"]') and len(doc.xpath('//nav[@class="periods"]/a')) == 3


def test_an_empty_organization_sees_an_empty_dashboard(instance: Instance, admin: Principal) -> None:
    make_user(instance, admin, "alice", "admin")
    r = _client(instance).get("/")
    assert r.status_code == 200
    assert "No case was opened in these days." in r.text and "No case is open." in r.text
    assert 'aria-current="true">30 days' in r.text


# -- in a real browser ----------------------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"])  # the TestClient tests above cover both databases
def test_the_dashboard_fits_phones_and_desktops_in_english_and_arabic_and_a_bar_opens_its_cases(
        server: str, instance: Instance, world: World, tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            errors: list[str] = []
            # (The browser's own request for /favicon.ico, which Basira does not serve, is not the page's error.)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error"
                    and not m.location.get("url", "").endswith("/favicon.ico") else None)
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(f"{server}/login")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")
            for lang in ("en", "ar"):
                for width in (1280, 390):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(f"{server}/?days=30&lang={lang}")
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 0, f"{lang} at {width} px overflows by {overflow} px"
                    chart = page.locator("figure#kind-content_match svg").bounding_box()
                    assert chart and 0 < chart["x"] and chart["x"] + chart["width"] <= width
                    page.screenshot(path=str(tmp_path / f"dashboard-{lang}-{width}.png"), full_page=True)
                    bars = page.locator("figure#kind-content_match a.bar")
                    days = bars.evaluate_all("bs => bs.map(b => b.dataset.day)")
                    xs = [bars.nth(n).bounding_box()["x"] for n in range(bars.count())]  # type: ignore[index]
                    # Time runs with the reading direction: the latest day at the end of the line.
                    latest_first = [x for _, x in sorted(zip(days, xs, strict=True), reverse=True)]
                    assert latest_first == sorted(xs, reverse=lang == "en")
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(f"{server}/?days=7&lang=en")
            bar = page.locator("figure#kind-content_match a.bar").last
            href = bar.get_attribute("href")
            bar.click()
            page.wait_for_url("**/cases?**")
            assert page.url == f"{server}{href}"
            params = _params(urlsplit(page.url).path + "?" + urlsplit(page.url).query)
            assert params["kind"] == "content_match" and params["status"] == "all"
            assert params["since"] == params["until"]
            kinds = page.locator("table.queue tbody tr td:nth-child(3)").all_inner_texts()
            assert kinds and set(kinds) == {"Content match"}
            assert not errors, errors
        finally:
            browser.close()
    assert all((tmp_path / f"dashboard-{lang}-{w}.png").stat().st_size > 10_000
               for lang in ("en", "ar") for w in (1280, 390))


def test_a_case_counts_on_its_utc_day_whatever_the_database_sessions_time_zone(
        instance: Instance, admin: Principal) -> None:
    from basira.reports.dashboard import dashboard, period

    make_bank(instance, admin, "Crisis 2027-03", [A])
    submit(instance, admin, [A], ref="late-evening")
    run_consumer(instance)
    case_id = _newest_case(instance)
    now = utcnow()
    yesterday = now.date() - dt.timedelta(days=1)
    with instance.db.session() as s:
        # 23:30 UTC is already the next day in Tokyo (UTC+9) and still the same day in Honolulu (UTC-10).
        s.get_one(Case, case_id).created_at = dt.datetime.combine(yesterday, dt.time(23, 30), tzinfo=dt.UTC)
    for zone in ("Asia/Tokyo", "Pacific/Honolulu"):
        with instance.db.session() as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(text(f"SET LOCAL TIME ZONE '{zone}'"))
            figures = dashboard(s, admin, period(7, now))
        days = dict(zip(figures.window.days, figures.by_kind["content_match"], strict=True))
        assert days[yesterday] == 1 and sum(days.values()) == 1, zone
        assert figures.banks[0].per_day == figures.by_kind["content_match"]
