"""The reviewer's pages: queue and filters, the case page's evidence, decisions, races, roles, bulk, four-eyes,
appeals, media from the content source with wellbeing defaults, and names that try to reorder the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD, make_user

from basira.api.app import create_app
from basira.core import banks, outbox
from basira.core.instance import Instance
from basira.core.models import Item, Match, User, utcnow
from basira.core.principal import Principal
from basira.review import consume
from basira.review.models import Case, Decision
from basira.web import accounts, media

from .helpers import csrf_of, photo_case, sign_in

A, B, C = "a" * 32, "b" * 32, "c" * 32


@pytest.fixture
def team(instance: Instance, admin: Principal) -> dict[str, int]:
    return {name: make_user(instance, admin, name, role) for name, role in
            (("rita", "reviewer"), ("sami", "reviewer"), ("aude", "auditor"), ("nora", "analyst"))}


def _client(instance: Instance, who: str) -> TestClient:
    c = TestClient(create_app(instance))
    assert sign_in(c, who, PASSWORD).url.path == "/"
    return c


def _case(instance: Instance, case_id: int) -> Case:
    with instance.db.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case


def _decide(c: TestClient, case_id: int, reason: str = "incites", version: str | None = None) -> object:
    page = c.get(f"/cases/{case_id}").text
    v = version or re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    return c.post(f"/cases/{case_id}/decide", data={"csrf": csrf_of(page), "reason": reason,
                                                    "rationale": "Branded call to violence.", "version": v})


def test_the_queue_lists_open_cases_and_filters_them(instance: Instance, admin: Principal,
                                                     team: dict[str, int]) -> None:
    first = photo_case(instance, admin, "post-1", [A])
    second = photo_case(instance, admin, "post-2", [B], bank="Second bank")
    c = _client(instance, "rita")
    page = c.get("/cases").text
    assert f'data-case="{first}"' in page and f'data-case="{second}"' in page
    assert "Content match" in page and 'src="/static/review.js"' in page
    c.post(f"/cases/{first}/assign", data={"csrf": csrf_of(page), "assignee": "me", "version": "1"})
    mine = c.get("/cases?assignee=me").text
    assert f'data-case="{first}"' in mine and f'data-case="{second}"' not in mine
    assert f'data-case="{second}"' in c.get("/cases?assignee=none").text
    assert "No case matches these filters." in c.get("/cases?kind=drone_alert").text
    assert "No case matches" in c.get("/cases?overdue=1").text  # due in 24 hours
    assert f'data-case="{first}"' in c.get("/cases?priority=2&status=in_review").text
    bad = c.get("/cases?status=bogus")
    assert bad.status_code == 422 and "does not know" in bad.text


def test_the_case_page_shows_the_evidence_side_by_side(instance: Instance, admin: Principal,
                                                       team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-9.jpg", [A, B], labels=["branded", "2027-03"])
    page = _client(instance, "aude").get(f"/cases/{cid}").text
    assert page.count('class="match"') == 2
    assert "Submitted item" in page and "Bank entry" in page
    assert "<bdi>post-9.jpg</bdi>" in page and f">{A}</bdi>" in page
    assert "Distance <bdi>0</bdi>" in page and "threshold" in page
    assert '<span class="tag"><bdi>branded</bdi></span>' in page and "Partner hash list 2027-03" in page
    assert "TLP:AMBER" in page and "Crisis incident 2027-03/0.jpg" in page
    # No content source is set: no image, and the page says why.
    assert "<img" not in page and "content source is not set" in page


def test_media_come_from_the_content_source_blurred_and_allowed_by_that_pages_policy_only(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    with instance.db.session() as s:
        media.save_settings(s, admin, require_totp=False, item_media_url="https://cdn.example/items/{item_ref}",
                            entry_media_url="https://media.example:8443/b/{bank_id}/{entry_ref}")
    cid = photo_case(instance, admin, "up load/1.jpg", [A])
    c = _client(instance, "rita")
    r = c.get(f"/cases/{cid}")
    # The reference is one path segment, percent-encoded: it cannot climb out of the template's folder.
    assert 'src="https://cdn.example/items/up%20load%2F1.jpg"' in r.text
    assert re.search(r'src="https://media\.example:8443/b/\d+/Crisis%20incident%202027-03%2F0\.jpg"', r.text)
    assert r.text.count('class="medium veiled"') == 2 and 'referrerpolicy="no-referrer"' in r.text
    csp = r.headers["content-security-policy"]
    assert "img-src 'self' https://cdn.example https://media.example:8443" in csp
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert "cdn.example" not in c.get("/cases").headers["content-security-policy"]


def test_a_video_never_plays_by_itself_and_starts_muted(instance: Instance, admin: Principal,
                                                        team: dict[str, int]) -> None:
    with instance.db.session() as s:
        media.save_settings(s, admin, require_totp=False, item_media_url="https://cdn.example/{item_ref}",
                            entry_media_url="")
    cid = photo_case(instance, admin, "clip-1.mp4", [A], content_type="video")
    page = _client(instance, "rita").get(f"/cases/{cid}").text
    video = re.search(r"<video[^>]*>", page).group(0)  # type: ignore[union-attr]
    assert "muted" in video and "autoplay" not in video and 'preload="none"' in video


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_revealing_a_medium_counts_toward_todays_exposure(instance: Instance, admin: Principal,
                                                          team: dict[str, int], accept: str) -> None:
    with instance.db.session() as s:
        media.save_settings(s, admin, require_totp=False, item_media_url="https://cdn.example/{item_ref}",
                            entry_media_url="")
    cid = photo_case(instance, admin, "post-3.jpg", [A])
    c = _client(instance, "rita")
    page = c.get(f"/cases/{cid}").text
    assert 'Revealed today: <bdi id="exposure-count">0</bdi>' in page
    key = re.search(r'name="item" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = c.post(f"/cases/{cid}/reveal", data={"csrf": csrf_of(page), "item": key}, headers={"accept": accept})
    if accept == "application/json":
        assert r.json() == {"exposure": 1}
    else:
        assert f'id="{key}"' in r.text and 'class="medium"' in r.text  # that one is shown unblurred
    assert 'Revealed today: <bdi id="exposure-count">1</bdi>' in c.get("/cases").text
    with instance.db.session() as s:
        assert accounts.exposure_today(s, team["rita"]) == 1 and accounts.exposure_today(s, team["sami"]) == 0
    assert c.post(f"/cases/{cid}/reveal", data={"csrf": "forged", "item": key}).status_code == 403


def test_a_decision_is_recorded_with_its_audit_trail(instance: Instance, admin: Principal,
                                                     team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    c = _client(instance, "rita")
    r = _decide(c, cid)
    assert r.url.path == f"/cases/{cid}" and "The decision is recorded." in r.text  # type: ignore[attr-defined]
    assert _case(instance, cid).status == "decided"
    trail = r.text.split('id="trail"', 1)[1]  # type: ignore[attr-defined]
    assert "<bdi>rita</bdi>" in trail and "Decision taken" in trail and "Incites terrorist offences" in trail
    assert 'id="decide-form"' not in r.text  # type: ignore[attr-defined]


def test_two_reviewers_deciding_the_same_case_one_wins_the_other_is_told(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    rita, sami = _client(instance, "rita"), _client(instance, "sami")
    rita_page, sami_page = rita.get(f"/cases/{cid}").text, sami.get(f"/cases/{cid}").text
    form = {"reason": "incites", "rationale": "", "version": "1"}
    won = rita.post(f"/cases/{cid}/decide", data={**form, "csrf": csrf_of(rita_page)})
    lost = sami.post(f"/cases/{cid}/decide", data={**form, "reason": "not_violating", "rationale": "News.",
                                                   "csrf": csrf_of(sami_page)})
    assert won.status_code == 200 and lost.status_code == 409
    assert "Someone else acted on this case first." in lost.text and "<strong>Decided</strong>" in lost.text
    assert _case(instance, cid).status == "decided"
    with instance.db.session() as s:
        assert [d.reviewer for d in s.scalars(select(Decision).where(Decision.case_id == cid))] == ["user:rita"]


def test_a_decision_on_a_closed_case_is_refused(instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    c = _client(instance, "rita")
    _decide(c, cid)
    page = c.get(f"/cases/{cid}").text
    closed = c.post(f"/cases/{cid}/close", data={"csrf": csrf_of(page), "version": "2"})
    assert "The case is closed." in closed.text
    r = _decide(c, cid, version="3")
    assert r.status_code == 409 and "This case is closed" in r.text  # type: ignore[attr-defined]
    assert _case(instance, cid).status == "closed"


@pytest.mark.parametrize("who", ["aude", "nora"])
def test_auditors_and_analysts_read_cases_but_cannot_change_them(
        instance: Instance, admin: Principal, team: dict[str, int], who: str) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    c = _client(instance, who)
    page = c.get(f"/cases/{cid}").text
    assert "Evidence" in page and "Your role lets you read this case, not decide it." in page
    assert 'action="/cases/' + str(cid) + '/decide"' not in page and 'name="case"' not in c.get("/cases").text
    token = csrf_of(page)
    for path, data in ((f"/cases/{cid}/decide", {"reason": "incites", "version": "1"}),
                       (f"/cases/{cid}/assign", {"assignee": "me", "version": "1"}),
                       (f"/cases/{cid}/close", {"version": "1"}),
                       ("/cases/bulk", {"case": f"{cid}:1", "reason": "incites"}),
                       ("/admin/users", {"username": "x", "password": PASSWORD, "role": "admin"})):
        assert c.post(path, data={**data, "csrf": token}).status_code == 403, path
    assert _case(instance, cid).status == "new"


def test_a_forged_csrf_token_changes_nothing(instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    c = _client(instance, "rita")
    r = c.post(f"/cases/{cid}/decide", data={"csrf": "forged", "reason": "incites", "version": "1"})
    assert r.status_code == 403 and "This form has expired" in r.text
    assert _case(instance, cid).status == "new"


def test_bulk_decisions_decide_each_case_and_report_those_that_changed(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    ids = [photo_case(instance, admin, f"post-{n}", [v], bank=f"bank {n}") for n, v in enumerate((A, B, C))]
    c = _client(instance, "rita")
    page = c.get("/cases").text
    assert len(re.findall(r'name="case" value="\d+:1"', page)) == 3
    # The third case changes after the page was loaded: its decision must not go through.
    c.post(f"/cases/{ids[2]}/assign", data={"csrf": csrf_of(page), "assignee": "me", "version": "1"})
    r = c.post("/cases/bulk", data={"csrf": csrf_of(page), "case": [f"{i}:1" for i in ids],
                                    "reason": "not_violating", "rationale": "Press coverage."})
    assert "Bulk decision: <bdi>2</bdi> cases decided." in r.text and f"#{ids[2]} (Conflict)" in r.text
    assert [_case(instance, i).status for i in ids] == ["decided", "decided", "in_review"]


def test_four_eyes_needs_a_second_different_reviewer(instance: Instance, admin: Principal,
                                                     team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A], four_eyes_kinds=frozenset({"content_match"}))
    rita, sami = _client(instance, "rita"), _client(instance, "sami")
    assert "a second reviewer must confirm it" in _decide(rita, cid).text  # type: ignore[attr-defined]
    own = rita.get(f"/cases/{cid}").text
    assert "A different reviewer must confirm or reject it." in own and "/confirm" not in own
    page = sami.get(f"/cases/{cid}").text
    assert "<bdi>rita</bdi> proposes: <strong>Incites terrorist offences</strong>." in page
    r = sami.post(f"/cases/{cid}/confirm", data={"csrf": csrf_of(page), "agree": "yes", "version": "2",
                                                 "note": "Agreed."})
    assert "You confirmed the decision" in r.text and _case(instance, cid).status == "decided"


def test_an_appeal_is_recorded_and_decided_by_a_reviewer_who_took_no_part(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    rita = _client(instance, "rita")
    _decide(rita, cid)
    page = rita.get(f"/cases/{cid}").text
    r = rita.post(f"/cases/{cid}/appeal", data={"csrf": csrf_of(page), "version": "2",
                                                "complainant": "account-7731", "statement": "It is satire."})
    assert "The appeal is recorded" in r.text and _case(instance, cid).status == "appealed"
    own = rita.post(f"/cases/{cid}/appeal-decision", data={"csrf": csrf_of(page), "version": "3",
                                                            "outcome": "overturned"})
    assert own.status_code == 403 and "You may not do this." in own.text
    sami = _client(instance, "sami")
    page = sami.get(f"/cases/{cid}").text
    assert "<bdi>account-7731</bdi>" in page and "It is satire." in page
    done = sami.post(f"/cases/{cid}/appeal-decision", data={"csrf": csrf_of(page), "version": "3",
                                                             "outcome": "overturned", "rationale": "Satire."})
    assert "The appeal is decided." in done.text and "Overturned" in done.text
    assert _case(instance, cid).status == "decided"


def test_a_right_to_left_override_in_a_name_is_isolated_and_made_visible(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    ref = "محمد\u202egpj.exe"
    cid = photo_case(instance, admin, ref, [A], bank="بنك\u202eالأزمة")
    c = _client(instance, "rita")
    for page in (c.get(f"/cases/{cid}?lang=ar").text, c.get("/cases").text):
        assert "\u202e" not in page
        assert "<bdi class=\"ref\">محمد⟦U+202E⟧gpj.exe</bdi>" in page
    assert "<bdi class=\"bank-name\">بنك⟦U+202E⟧الأزمة</bdi>" in c.get(f"/cases/{cid}").text


def test_the_case_page_speaks_arabic_right_to_left_and_french(instance: Instance, admin: Principal,
                                                              team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    c = _client(instance, "rita")
    ar = c.get(f"/cases/{cid}?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in ar and "يحرّض على جرائم إرهابية" in ar and "الأدلة" in ar
    fr = c.get(f"/cases/{cid}?lang=fr").text
    assert '<html lang="fr" dir="ltr">' in fr and "Incite à commettre des infractions terroristes" in fr
    assert "Preuves" in fr and "File d'examen" in c.get("/cases").text


def test_a_screening_hit_shows_the_feature_breakdown(instance: Instance, admin: Principal,
                                                     team: dict[str, int]) -> None:
    # What the finance front does: a listed person in a bank, a screened customer matched with the features of
    # its name matcher, and match.recorded in the same transaction.
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="UN 1267 list", tlp="CLEAR"))
        (sig,) = banks.add_signals(s, admin, instance.registry, instance.settings, bank.id, [banks.SignalSpec(
            "md5", A, entry_ref="QDi.999", content_type="person", provenance="UN consolidated list",
            attributes={"names": ["Abu Example", "أبو مثال"], "birth_dates": ["1970"]})], audit_each=False)
        item = Item(org_id=admin.org_id, ref="customer-42", content_type="person")
        s.add(item)
        s.flush()
        m = Match(item_id=item.id, org_id=admin.org_id, signal_id=sig.id, bank_id=bank.id, entry_id=sig.entry_id,
                  signal_type="name", query_value="ابو مثال", distance=0.12,
                  explanation={"score": 0.88, "features": {"name_literal": 0.61, "birth_year": 0.27,
                                                           "nationality_mismatch": -0.05}})
        s.add(m)
        s.flush()
        outbox.emit(s, "match.recorded", {"item_id": item.id, "match_ids": [m.id], "case_kind": "screening_hit",
                                          "customer_ref": "customer-42"}, org_id=admin.org_id)
    consume(instance.db.session)
    with instance.db.session() as s:
        cid = s.scalars(select(Case.id).where(Case.kind == "screening_hit")).one()
    page = _client(instance, "rita").get(f"/cases/{cid}").text
    assert "Screening hit" in page and "How the score was made" in page
    # A feature the page has no word for is shown by its name; a known one in words, with its weight.
    assert re.search(r"name_literal</bdi></td>\s*<td class=\"num\"><span class=\"muted\">—</span></td>\s*"
                     r"<td class=\"num\"><bdi>61&nbsp;%</bdi>", page)
    assert "Nationality differs" in page and "<bdi dir=\"ltr\">-0.05</bdi>" in page
    assert "<bdi>Abu Example</bdi>" in page and "<bdi>أبو مثال</bdi>" in page and "<bdi>ابو مثال</bdi>" in page
    assert "True match" in page and "False positive" in page and "Incites" not in page
    assert "Removed from its list" not in page
    # The list drops the entry: the open case is marked, and its page says so (in each language).
    with instance.db.session() as s:
        outbox.emit(s, "list.entries_removed", {"bank_id": bank.id, "bank": "UN 1267 list", "version": "2026-09-01",
                                                "entry_ids": [sig.entry_id], "refs": ["QDi.999"]},
                    org_id=admin.org_id)
    assert consume(instance.db.session).marked == 1
    page = _client(instance, "rita").get(f"/cases/{cid}").text
    assert "Removed from its list" in page and "<bdi>QDi.999</bdi>" in page and "<bdi>2026-09-01</bdi>" in page
    assert "Retiré de sa liste" in _client(instance, "rita").get(f"/cases/{cid}?lang=fr").text


def test_a_drone_alert_draws_its_track(instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    with instance.db.session() as s:
        for n, (lat, lon) in enumerate(((48.8566, 2.3522), (48.8570, 2.3530), (48.8581, 2.3541))):
            outbox.emit(s, "alert.raised", {
                "track_id": "trk-7", "alert_id": f"al-{n}", "alert_kind": "ENTER" if n == 0 else "LOITER",
                "at": f"2027-03-01T10:0{n}:00Z", "uas_id": "1596F3A8B2", "zone_name": "Stade",
                "position": {"lat": lat, "lon": lon, "alt_m": 80.0 + n},
                "operator_position": {"lat": 48.8550, "lon": 2.3500} if n == 0 else None,
            }, org_id=admin.org_id)
    consume(instance.db.session)
    with instance.db.session() as s:
        cid = s.scalars(select(Case.id).where(Case.kind == "drone_alert")).one()
    page = _client(instance, "rita").get(f"/cases/{cid}").text
    points = re.search(r'<polyline points="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert len(points.split()) == 3 and all(0 <= float(v) <= 480 for p in points.split() for v in p.split(","))
    assert 'class="operator"' in page and "Confirmed" in page and "Spoofed" in page
    assert "<bdi>Stade</bdi>" in page and "High" in page  # ENTER puts the case at the top


def test_unknown_and_foreign_cases_are_not_found(instance: Instance, admin: Principal,
                                                 team: dict[str, int]) -> None:
    c = _client(instance, "rita")
    for path in ("/cases/999999", "/cases/abc", "/cases/-1", "/cases/" + "9" * 40):
        assert c.get(path).status_code == 404, path
    assert c.post("/cases/abc/decide", data={"csrf": csrf_of(c.get("/cases").text), "reason": "x"}
                  ).status_code == 404


def test_a_deleted_reviewer_cannot_decide_with_an_old_session(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    c = _client(instance, "rita")
    page = c.get(f"/cases/{cid}").text
    with instance.db.session() as s:
        s.get(User, team["rita"]).deleted_at = utcnow()  # type: ignore[union-attr]
    r = c.post(f"/cases/{cid}/decide", data={"csrf": csrf_of(page), "reason": "incites", "version": "1"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert _case(instance, cid).status == "new"


def test_an_unknown_case_verb_is_the_not_found_page_and_changes_nothing(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    cid = photo_case(instance, admin, "post-1", [A])
    c = _client(instance, "rita")
    page = c.get(f"/cases/{cid}").text
    r = c.post(f"/cases/{cid}/explode", data={"csrf": csrf_of(page), "version": "1"}, follow_redirects=False)
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert _case(instance, cid).status == "new"


@pytest.mark.parametrize("path", ["/cases", "/cases/1", "/admin/users", "/account"])
def test_every_page_sends_a_stranger_to_sign_in(instance: Instance, admin: Principal, path: str) -> None:
    r = TestClient(create_app(instance)).get(f"{path}?lang=fr", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?lang=fr"


@pytest.mark.parametrize("verb", ["decide", "confirm", "assign", "close", "appeal", "appeal-decision", "reveal"])
def test_every_case_verb_sends_a_stranger_to_sign_in(instance: Instance, admin: Principal, verb: str) -> None:
    r = TestClient(create_app(instance)).post(f"/cases/1/{verb}", data={"csrf": "x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_the_queue_names_the_drone_refreshes_itself_and_due_soon_cases_stand_out(
        instance: Instance, admin: Principal, team: dict[str, int]) -> None:
    with instance.db.session() as s:
        outbox.emit(s, "alert.raised", {"track_id": "41", "alert_id": "al-1", "alert_kind": "ENTER",
                                        "at": "2027-03-01T10:00:00Z", "uas_id": "1596F3A8B2"}, org_id=admin.org_id)
    consume(instance.db.session)
    with instance.db.session() as s:
        case = s.scalars(select(Case).where(Case.kind == "drone_alert")).one()
        case.due_at = utcnow() + dt.timedelta(minutes=3)
    page = _client(instance, "rita").get("/cases").text
    row = page[page.index(f'data-case="{case.id}"'):]
    row = row[:row.index("</tr>")]
    assert "due-soon" in row and "1596F3A8B2" in row and "track 41" in row
    assert 'id="queue" data-refresh-s="30"' in page
