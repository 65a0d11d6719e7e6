"""Search, the queue's pages and filters, select-all across pages, and the CSV/JSON downloads of the list pages:
each kind of value is found, another organization's cases and unshared signals never are, totals and filters
agree with the database, exports keep the filters and cannot plant a formula, and hostile filters get a 422 that
says why."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD, make_bank, make_user, run_consumer, submit

from basira.api.app import create_app
from basira.core import orgs, outbox
from basira.core.instance import Instance
from basira.core.models import AuditEntry, Bank, utcnow
from basira.core.principal import Principal, system_principal
from basira.drones.models import DroneTrack
from basira.finance.models import Customer
from basira.review.models import Case

from .helpers import csrf_of, photo_case, sign_in


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """SQLite by default; the tests whose SQL differs by database (JSON text search, dates, select-all) run on both."""
    return str(request.param)

A, B = "a" * 32, "b" * 32


@pytest.fixture
def team(instance: Instance, admin: Principal) -> dict[str, int]:
    return {name: make_user(instance, admin, name, role) for name, role in
            (("rita", "reviewer"), ("aude", "auditor"), ("nora", "analyst"))}


def _client(instance: Instance, who: str) -> TestClient:
    c = TestClient(create_app(instance))
    assert sign_in(c, who, PASSWORD).url.path == "/"
    return c


def _value(n: int) -> str:
    return f"{n:032x}"


def many_cases(instance: Instance, admin: Principal, n: int, bank: str, prefix: str, start: int = 0) -> list[int]:
    """``n`` content cases from one bank (``prefix-0``...), made with one consumer run; their ids in queue order."""
    values = [_value(start + i + 1) for i in range(n)]
    make_bank(instance, admin, bank, values)
    for i, v in enumerate(values):
        submit(instance, admin, [v], ref=f"{prefix}-{i}")
    run_consumer(instance)
    with instance.db.session() as s:
        return list(s.scalars(select(Case.id).where(Case.group_key.like(f"item:{prefix}-%"))
                              .order_by(Case.priority, Case.due_at, Case.id)))


def _bank_id(instance: Instance, name: str) -> int:
    with instance.db.session() as s:
        return s.scalars(select(Bank.id).where(Bank.name == name)).one()


def _ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-case="(\d+)"', page)]


def _other_org(instance: Instance) -> Principal:
    with instance.db.session() as s:
        return system_principal(orgs.create_org(s, "test", "beta", "Beta Bank").id, actor="beta-admin")


def _csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "the CSV starts with a byte order mark (Excel reads it as UTF-8)"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


# -- search ---------------------------------------------------------------------------------------------------------

def test_search_finds_a_case_and_its_item_by_reference_and_the_bank_signal_by_hash(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "upload-7731.jpg", [A])
    photo_case(instance, admin, "other.jpg", [B], bank="Second bank")
    c = _client(instance, "rita")
    page = c.get("/search", params={"q": "UPLOAD-7731"}).text
    assert f'href="/cases/{cid}"' in page and 'id="found-cases" data-total="1"' in page
    assert 'id="found-items" data-total="1"' in page and "other.jpg" not in page
    by_hash = c.get("/search", params={"q": A}).text
    assert 'id="found-signals" data-total="1"' in by_hash and "Crisis incident 2027-03/0.jpg" in by_hash
    assert 'id="found-items" data-total="1"' in by_hash  # the item's own signal value
    assert f'href="/banks/{_bank_id(instance, "Crisis incident 2027-03")}/provenance"' in by_hash


def test_search_by_label_finds_the_signals_and_the_cases_that_carry_it(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A], labels=["propaganda"])
    photo_case(instance, admin, "post-2", [B], bank="Other", labels=["recruitment"])
    page = _client(instance, "rita").get("/search", params={"label": "Propaganda"}).text
    assert 'id="found-signals" data-total="1"' in page and 'id="found-cases" data-total="1"' in page
    assert f'href="/cases/{cid}"' in page and 'id="found-items" data-total="0"' in page


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_search_finds_a_screened_customer_by_an_arabic_name_and_a_track_by_uas_id(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    now = utcnow()
    with instance.db.session() as s:
        s.add(Customer(org_id=admin.org_id, ref="cust-42", kind="person",
                       signals={"names": ["أبو مثال", "Abu Example"], "documents": ["P1234567"]}))
        s.add(DroneTrack(org_id=admin.org_id, uas_id="1596F3A8B2XYZ", operator_id="FRA-OP-77", first_seen=now,
                         last_seen=now))
        s.flush()
        track = s.scalars(select(DroneTrack.id)).one()
    c = _client(instance, "rita")
    page = c.get("/search", params={"q": "أبو مثال"}).text
    assert 'id="found-customers" data-total="1"' in page and "cust-42" in page
    assert 'id="found-customers" data-total="1"' in c.get("/search", params={"q": "p1234567"}).text
    by_drone = c.get("/search", params={"q": "1596f3a8"}).text
    assert 'id="found-tracks" data-total="1"' in by_drone and f'href="/drones/case/{track}"' in by_drone
    assert 'id="found-tracks" data-total="1"' in c.get("/search", params={"q": "FRA-OP"}).text
    only = c.get("/search", params={"q": "1596f3a8", "kind": "tracks"}).text
    assert 'id="found-tracks"' in only and 'id="found-cases"' not in only


def test_search_never_finds_another_organizations_cases_or_unshared_signals(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    beta = _other_org(instance)
    photo_case(instance, beta, "beta-secret-upload", [A], bank="Beta AMBER")  # AMBER, not shared
    make_bank(instance, beta, "Beta RED shared", [B], tlp="RED")
    with instance.db.session() as s:
        from basira.core.banks import share_bank
        share_bank(s, beta, "Beta RED shared", org="acme")  # match only: the value is never listed
    make_bank(instance, beta, "Beta public", ["c" * 32], tlp="CLEAR")
    c = _client(instance, "rita")
    page = c.get("/search", params={"q": "beta-secret"}).text
    assert 'id="found-cases" data-total="0"' in page and 'id="found-items" data-total="0"' in page
    assert 'id="found-signals" data-total="0"' in c.get("/search", params={"q": A}).text
    assert 'id="found-signals" data-total="0"' in c.get("/search", params={"q": B}).text
    assert 'id="found-signals" data-total="1"' in c.get("/search", params={"q": "c" * 32}).text
    assert "beta-secret-upload" not in c.get("/cases.csv", params={"status": "all"}).text


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_search_by_date_range_keeps_what_was_made_those_days(instance: Instance, admin: Principal,
                                                             team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    c = _client(instance, "rita")
    today = utcnow().date()
    assert f'href="/cases/{cid}"' in c.get("/search", params={"since": today.isoformat()}).text
    later = (today + dt.timedelta(days=1)).isoformat()
    page = c.get("/search", params={"since": later}).text
    assert 'id="found-cases" data-total="0"' in page and 'id="found-signals" data-total="0"' in page


@pytest.mark.parametrize(("params", "name", "says"), [
    ({"since": "2027-13-45"}, "since", "since is not a date"),
    ({"until": "yesterday"}, "until", "until is not a date"),
    ({"since": "2027-03-02", "until": "2027-03-01"}, "until", "since is after until"),
    ({"q": "x" * 5000}, "q", "at most 300 characters"),
    ({"q": "a\x1bb"}, "q", "control characters"),
    ({"label": "l" * 101}, "label", "at most 100 characters"),
    ({"q": "x", "kind": "secrets"}, "kind", "unknown kind"),
])
def test_hostile_search_input_is_refused_with_a_reason(instance: Instance, admin: Principal,
                                                       team: dict[str, int], params: dict[str, str],
                                                       name: str, says: str) -> None:
    c = _client(instance, "rita")
    r = c.get("/search", params=params)
    assert r.status_code == 422 and f'data-filter="{name}"' in r.text and "This search cannot be run" in r.text
    export = c.get("/search", params={**params, "format": "csv"})
    assert export.status_code == 422 and says in export.json()["detail"] and export.json()["filter"] == name
    assert "recherche ne peut pas" in c.get("/search", params={**params, "lang": "fr"}).text


# -- the queue: totals, pages, filters --------------------------------------------------------------------------------

def test_the_queue_pages_with_totals_instead_of_cutting_the_list(instance: Instance, admin: Principal,
                                                                 team: dict[str, int]) -> None:
    ids = many_cases(instance, admin, 30, "Bulk bank", "post")
    c = _client(instance, "rita")
    first = c.get("/cases", params={"per_page": "25"}).text
    assert _ids(first) == ids[:25] and 'data-total="30"' in first and "page <bdi>1</bdi> of <bdi>2</bdi>" in first
    assert 'rel="next"' in first and "per_page=25" in first
    second = c.get("/cases", params={"per_page": "25", "page": "2"}).text
    assert _ids(second) == ids[25:] and "rows <bdi>26</bdi>–<bdi>30</bdi>" in second
    assert _ids(c.get("/cases", params={"per_page": "25", "page": "9"}).text) == ids[25:]  # past the end: the last
    assert c.get("/cases", params={"per_page": "33"}).status_code == 422
    assert c.get("/cases", params={"page": "0"}).status_code == 422


def test_the_queue_filters_by_bank(instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    first = photo_case(instance, admin, "post-1", [A], bank="First")
    second = photo_case(instance, admin, "post-2", [B], bank="Second")
    page = _client(instance, "rita").get("/cases", params={"bank": str(_bank_id(instance, "Second"))}).text
    assert _ids(page) == [second] and first not in _ids(page)


def test_the_queue_filters_by_creation_day(instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    old = photo_case(instance, admin, "post-1", [A])
    new = photo_case(instance, admin, "post-2", [B], bank="Second")
    with instance.db.session() as s:
        s.get_one(Case, old).created_at = dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC)
    c = _client(instance, "rita")
    assert _ids(c.get("/cases", params={"since": "2026-03-01", "until": "2026-03-01"}).text) == [old]
    assert _ids(c.get("/cases", params={"until": "2026-02-28"}).text) == []
    assert _ids(c.get("/cases", params={"since": "2026-03-02"}).text) == [new]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_queue_filters_by_free_text_over_reference_uas_id_and_assignee(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    post = photo_case(instance, admin, "upload_50%.jpg", [A])
    other = photo_case(instance, admin, "upload-51.jpg", [B], bank="Second")
    with instance.db.session() as s:
        outbox.emit(s, "alert.raised", {"track_id": "41", "alert_id": "al-1", "alert_kind": "ENTER",
                                        "at": "2027-03-01T10:00:00Z", "uas_id": "1596F3A8B2"}, org_id=admin.org_id)
        s.get_one(Case, other).assignee = "rita"
    run_consumer(instance)
    with instance.db.session() as s:
        drone = s.scalars(select(Case.id).where(Case.kind == "drone_alert")).one()
    c = _client(instance, "rita")
    assert _ids(c.get("/cases", params={"q": "UPLOAD_50%"}).text) == [post]  # wildcards taken literally
    assert _ids(c.get("/cases", params={"q": "1596f3"}).text) == [drone]
    assert _ids(c.get("/cases", params={"q": "rita"}).text) == [other]
    assert _ids(c.get("/cases", params={"q": f"#{post}"}).text) == [post]


@pytest.mark.parametrize(("params", "name"), [
    ({"since": "2027-02-30"}, "since"),
    ({"until": "2027/03/01"}, "until"),
    ({"since": "2027-03-02", "until": "2027-03-01"}, "until"),
    ({"q": "x" * 301}, "q"),
    ({"bank": "999999"}, "bank"),
    ({"bank": "first"}, "bank"),
    ({"kind": "nonsense"}, "kind"),
    ({"per_page": "100000"}, "per_page"),
])
def test_hostile_queue_filters_are_refused_with_a_reason(instance: Instance, admin: Principal,
                                                         team: dict[str, int], params: dict[str, str],
                                                         name: str) -> None:
    c = _client(instance, "rita")
    r = c.get("/cases", params=params)
    assert r.status_code == 422 and f'data-filter="{name}"' in r.text and 'data-case="' not in r.text
    export = c.get("/cases.csv", params=params)
    if name != "per_page":  # a download has no pages
        assert export.status_code == 422 and export.json()["filter"] == name


def test_a_bank_of_another_organization_is_an_unknown_bank(instance: Instance, admin: Principal,
                                                          team: dict[str, int]) -> None:
    beta = _other_org(instance)
    make_bank(instance, beta, "Beta AMBER", [A])
    r = _client(instance, "rita").get("/cases", params={"bank": str(_bank_id(instance, "Beta AMBER"))})
    assert r.status_code == 422 and "No bank of that number" in r.text


# -- exports ----------------------------------------------------------------------------------------------------------

def test_the_queue_exports_as_csv_with_its_filters_and_is_audited(instance: Instance, admin: Principal,
                                                                  team: dict[str, int]) -> None:
    many_cases(instance, admin, 3, "First", "post")
    hostile = photo_case(instance, admin, "=HYPERLINK(\"http://evil.example\")", [B], bank="Second")
    arabic = photo_case(instance, admin, "@صورة-٢", ["c" * 32], bank="Second b")
    c = _client(instance, "rita")
    r = c.get("/cases.csv", params={"bank": str(_bank_id(instance, "Second"))})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = _csv(r.content)
    assert [int(x["id"]) for x in rows] == [hostile]
    assert rows[0]["reference"] == "'=HYPERLINK(\"http://evil.example\")"
    everything = _csv(c.get("/cases", params={"format": "csv"}).content)
    assert len(everything) == 5 and {x["reference"] for x in everything if x["id"] == str(arabic)} == {"'@صورة-٢"}
    assert {x["status"] for x in everything} == {"new"}
    with instance.db.session() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "list.export")).all()
        assert [(e.actor, e.target, e.details["format"]) for e in entries][:1] == [("user:rita", "list:cases", "csv")]
        assert entries[0].details["filters"]["bank"] == str(_bank_id(instance, "Second"))


def test_the_queue_exports_as_json_every_page_with_the_filters(instance: Instance, admin: Principal,
                                                               team: dict[str, int]) -> None:
    ids = many_cases(instance, admin, 30, "Bulk bank", "post")
    body = _client(instance, "rita").get("/cases.json", params={"per_page": "25", "q": "post-1"}).json()
    wanted = {f"post-{n}" for n in range(30) if str(n).startswith("1")}
    assert {r["reference"] for r in body["rows"]} == wanted and body["filters"] == {"q": "post-1", "status": "open"}
    assert set(ids) >= {r["id"] for r in body["rows"]}


def test_search_results_export_with_the_filters_and_leave_out_what_may_not_be_passed_on(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    photo_case(instance, admin, "-1+1.jpg", [A])
    make_bank(instance, admin, "Our RED", [A], tlp="RED")  # ours, but never passed on
    c = _client(instance, "rita")
    assert 'id="found-signals" data-total="2"' in c.get("/search", params={"q": A}).text
    rows = _csv(c.get("/search", params={"q": A, "format": "csv"}).content)
    assert sorted(r["kind"] for r in rows) == ["cases", "items", "signals"]  # the RED bank's signal is left out
    assert [r["reference"] for r in rows if r["kind"] == "items"] == ["'-1+1.jpg"]
    body = c.get("/search", params={"q": "-1+1", "kind": "cases", "format": "json"}).json()
    assert [r["kind"] for r in body["rows"]] == ["cases"] and body["filters"]["kind"] == "cases"
    with instance.db.session() as s:
        assert s.scalars(select(AuditEntry.target).where(AuditEntry.action == "list.export")).all() == [
            "list:search", "list:search"]


def test_the_users_banks_and_feeds_lists_export(instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    make_user(instance, admin, "=cmd", "reviewer")
    photo_case(instance, admin, "post-1", [A])
    c = _client(instance, "aude")
    users = _csv(c.get("/admin/users.csv").content)
    assert {u["username"] for u in users} == {"aude", "nora", "rita", "'=cmd"}
    assert [b["name"] for b in c.get("/banks.json").json()["rows"]] == ["Crisis incident 2027-03"]
    assert c.get("/sharing/feeds.json").json()["rows"] == []
    assert _client(instance, "rita").get("/admin/users.csv").status_code == 403
    assert c.get("/admin/users.xlsx").status_code == 404


# -- select all across pages ------------------------------------------------------------------------------------------

def _bulk(c: TestClient, query: dict[str, str], **form: str) -> object:
    page = c.get("/cases", params=query).text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    return c.post("/cases/bulk", data={**fields, "csrf": csrf_of(page), "reason": "not_violating", **form},
                  follow_redirects=False)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_select_all_decides_every_matching_case_on_every_page_and_keeps_the_filter(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    ids = many_cases(instance, admin, 30, "Bulk bank", "post")
    others = many_cases(instance, admin, 2, "Other bank", "keep", start=100)
    bank = str(_bank_id(instance, "Bulk bank"))
    c = _client(instance, "rita")
    r = _bulk(c, {"bank": bank, "per_page": "25"}, all="1")
    assert r.status_code == 303  # type: ignore[attr-defined]
    back = urlsplit(r.headers["location"])  # type: ignore[attr-defined]
    assert back.path == "/cases" and parse_qs(back.query) == {"bank": [bank], "per_page": ["25"]}
    page = c.get(r.headers["location"]).text  # type: ignore[attr-defined]
    assert "<bdi>30</bdi> of <bdi>30</bdi> open cases decided" in page
    with instance.db.session() as s:
        status = {i: st for i, st in s.execute(select(Case.id, Case.status))}
    assert {status[i] for i in ids} == {"decided"} and {status[i] for i in others} == {"new"}
    with instance.db.session() as s:
        bulk = s.scalars(select(AuditEntry).where(AuditEntry.action == "case.bulk_decide")).one()
    assert bulk.actor == "user:rita" and bulk.details == {"filters": {"bank": bank, "status": "open"}, "matched": 30,
                                                          "taken": 30, "decided": 30}


def test_select_all_is_capped_and_says_so(instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    ids = many_cases(instance, admin, 12, "Bulk bank", "post")
    instance.settings = dataclasses.replace(instance.settings, review_bulk_max=5)
    c = _client(instance, "rita")
    r = _bulk(c, {"q": "post"}, all="1")
    page = c.get(r.headers["location"]).text  # type: ignore[attr-defined]
    assert "<bdi>5</bdi> of <bdi>12</bdi> open cases decided" in page and "Only the first <bdi>5</bdi>" in page
    with instance.db.session() as s:
        decided = s.scalars(select(Case.id).where(Case.status == "decided")).all()
    assert sorted(decided) == sorted(ids[:5])  # the most urgent first


def test_a_bulk_decision_of_picked_cases_keeps_the_filter(instance: Instance, admin: Principal,
                                                          team: dict[str, int]) -> None:
    ids = many_cases(instance, admin, 3, "Bulk bank", "post")
    c = _client(instance, "rita")
    r = _bulk(c, {"q": "post", "status": "open", "per_page": "25", "page": "1"}, case=f"{ids[0]}:1")
    assert parse_qs(urlsplit(r.headers["location"]).query) == {  # type: ignore[attr-defined]
        "q": ["post"], "per_page": ["25"], "page": ["1"]}
    with instance.db.session() as s:
        assert s.get_one(Case, ids[0]).status == "decided" and s.get_one(Case, ids[1]).status == "new"


def test_select_all_with_a_forged_filter_decides_nothing(instance: Instance, admin: Principal,
                                                         team: dict[str, int]) -> None:
    many_cases(instance, admin, 3, "Bulk bank", "post")
    c = _client(instance, "rita")
    page = c.get("/cases").text
    r = c.post("/cases/bulk", data={"csrf": csrf_of(page), "reason": "not_violating", "all": "1",
                                    "since": "not-a-day"})
    assert "nothing was decided" in r.text
    with instance.db.session() as s:
        assert s.scalars(select(Case.id).where(Case.status == "decided")).all() == []
    auditor = _client(instance, "aude")
    refused = auditor.post("/cases/bulk", data={"csrf": csrf_of(auditor.get("/cases").text),
                                                "reason": "not_violating", "all": "1"})
    assert refused.status_code == 403
    with instance.db.session() as s:
        assert s.scalars(select(Case.id).where(Case.status == "decided")).all() == []


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"),  # a formula
    ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),  # a phone number a spreadsheet would add up
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),  # a tab or a carriage return before the formula
    ("\r=1", "'\r=1"),
    ("أبو مثال", "أبو مثال"),  # plain text is left alone
    (-5, "-5"),  # numbers stay numbers
    (["=a", "b"], "'=a; b"),  # a list is one cell, checked as a whole
    (None, ""),
    (True, "true"),
])
def test_no_csv_cell_starts_a_formula(value: object, cell: str) -> None:
    from basira.web.listexport import csv_cell

    assert csv_cell(value) == cell


@pytest.mark.parametrize("path", ["/search?q=x", "/search?q=x&format=csv", "/cases.csv", "/cases?format=json",
                                  "/banks.json", "/admin/users.csv", "/sharing/feeds.csv"])
def test_a_stranger_is_sent_to_sign_in_and_exports_nothing(instance: Instance, admin: Principal, path: str) -> None:
    r = TestClient(create_app(instance)).get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    with instance.db.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "list.export")).all() == []
