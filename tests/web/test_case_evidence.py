"""The case page's evidence written for a reviewer, per case kind, and its workflow: a screening hit side by side
with its score breakdown, content matches (video ranges, text shingles, URL forms, hashes that wrap), drone alerts
in words, and the page after a decision (next case, no due time), after an undo and under appeal."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.actions.helpers import hook
from tests.factories import PASSWORD, make_user
from tests.receiver import Receiver

from basira.actions.config import ActionsConfig
from basira.actions.dispatch import dispatch
from basira.actions.undo import list_actions
from basira.api.app import create_app
from basira.core import banks, outbox
from basira.core.instance import Instance
from basira.core.models import Item, Match
from basira.core.principal import Principal
from basira.finance.lists.store import ImportRequest, import_list
from basira.finance.screening import ScreenOptions, ScreenQuery, screen
from basira.review import consume
from basira.review.models import Case
from basira.web import evidence

from .helpers import csrf_of, photo_case, sign_in


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """These pages render what the services return: SQLite is enough here (the services' own tests run on both
    databases)."""
    return str(request.param)

HEADER = "ref,kind,name,aliases,weak_aliases,birth_dates,nationalities,gender,documents,regime,listed_on,remarks\n"
# A fictional listed person: two strong names, a weak alias, a date, two nationalities, a passport, long remarks.
ROW = ("NX-7,person,Zubayr Qasim Example,زبير قاسم المثال,The Example,1961-05-02,Iraq;JO,male,"
       "Passport:A1234567:IQ,Example regime,2020-03-01," + "Said to travel under other names. " * 5 + "\n")


@pytest.fixture
def rita(instance: Instance, admin: Principal) -> TestClient:
    make_user(instance, admin, "rita", "reviewer")
    c = TestClient(create_app(instance))
    assert sign_in(c, "rita", PASSWORD).url.path == "/"
    return c


def screening_case(instance: Instance, admin: Principal, tmp_path: Path, csv: str = HEADER + ROW,
                   **query: object) -> int:
    """A real screening hit: a CSV list imported into a bank, a customer screened against it, the review consumer."""
    path = tmp_path / "list.csv"
    path.write_text(csv, encoding="utf-8")
    with instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("csv", path, bank="National list", version="2026-09-01"))
    with instance.db.session() as s:
        found = screen(s, admin, [ScreenQuery(ref="CUST-1042", **query)],  # type: ignore[arg-type]
                       ScreenOptions(record=True, monitor=False))
    assert found["results"][0]["match_ids"], found
    consume(instance.db.session)
    with instance.db.session() as s:
        return s.scalars(select(Case.id).where(Case.kind == "screening_hit")).one()


def _screening_page(instance: Instance, admin: Principal, tmp_path: Path, client: TestClient,
                    lang: str = "en") -> str:
    cid = screening_case(instance, admin, tmp_path, names=["Zubair Kasim Example"], birth_date="1961-05-02",
                         nationality=["Jordan"], documents=["A 123 4567"])
    return client.get(f"/cases/{cid}?lang={lang}").text


def test_a_screening_hit_shows_customer_and_listed_entry_side_by_side(
        instance: Instance, admin: Principal, rita: TestClient, tmp_path: Path) -> None:
    page = _screening_page(instance, admin, tmp_path, rita)
    table = page[page.index('<table class="compare">'):]
    assert "Customer" in table and "Listed entry" in table and "<bdi>CUST-1042</bdi>" in table
    # Both sides' birth dates (localised), nationalities as country names, documents.
    assert table.count("<bdi>May 2, 1961</bdi>") == 2
    assert ">Jordan</bdi>" in table and ">Iraq</bdi>" in table
    assert table.count(">A1234567</bdi>") == 2 and "<bdi>Passport</bdi>" in table
    assert 'class="agrees"' in table  # the birth date and the document agree
    # The names, each with its kind in words; the weak alias said to be of low quality.
    assert "<bdi>زبير قاسم المثال</bdi>" in table and "main name" in table and "low quality" in table
    # List, version and remarks (folded), the stored record behind a fold.
    assert "<bdi>National list</bdi>" in page and "list version <bdi>Sep 1, 2026</bdi>" in page
    assert re.search(r'<details class="more remarks"><summary>Remarks of the list</summary>', page)
    assert re.search(r'<details class="more raw"><summary>Details: the record as stored</summary>'
                     r'<pre class="raw-record" dir="ltr">', page)


def test_a_screening_hit_shows_no_developer_keys_as_labels(
        instance: Instance, admin: Principal, rita: TestClient, tmp_path: Path) -> None:
    page = _screening_page(instance, admin, tmp_path, rita)
    shown = page.split('<pre class="raw-record"')[0]  # the raw record may say what it holds
    for key in ("names[1]", "extra.dataid", "content_hash", ">strong<", ">primary<", "name_match", "birth_dates"):
        assert key not in shown, key
    assert "content_hash" in page  # ...inside the fold


def test_the_score_breakdown_gives_each_features_weight_and_contribution(
        instance: Instance, admin: Principal, rita: TestClient, tmp_path: Path) -> None:
    page = _screening_page(instance, admin, tmp_path, rita)
    rows = re.findall(r"<tr class=\"(?:for|against|)\">\s*<td>(.*?)</td>\s*<td class=\"num\">(.*?)</td>\s*"
                      r"<td class=\"num\">(.*?)</td>\s*<td class=\"num\">(.*?)</td></tr>", page, re.S)
    by_label = {re.sub(r"<[^>]+>", "", label).strip(): (w, c) for label, w, _s, c in rows}
    assert "Name similarity" in by_label and "Birth date agrees" in by_label and "Document number agrees" in by_label
    weight, contribution = by_label["Birth date agrees"]
    assert ">0.05<" in weight and ">+0.05<" in contribution  # the full weight, all of it added
    weight, contribution = by_label["Name similarity"]
    assert ">1<" in weight and re.search(r">\+(1|0\.\d+)<", contribution)
    assert "Score <bdi>" in page and "alerts from" in page


def test_the_names_are_aligned_part_by_part_with_the_matching_parts_marked(
        instance: Instance, admin: Principal, rita: TestClient, tmp_path: Path) -> None:
    page = _screening_page(instance, admin, tmp_path, rita)
    parts = page[page.index('<table class="compact parts">'):]
    parts = parts[:parts.index("</table>")]
    assert re.search(r"<mark><bdi>Kasim</bdi></mark></td>\s*<td><mark><bdi>Qasim</bdi></mark>", parts)
    assert parts.count("<mark>") == 6  # three parts on each side, every one with its counterpart


@pytest.mark.parametrize(("lang", "words"), [
    ("ar", ("العراق", "الأردن", "الاسم الرئيسي", "تشابه الاسم")),
    ("fr", ("Irak", "Jordanie", "nom principal", "Similarité des noms", "2 mai 1961")),
])
def test_the_screening_evidence_speaks_the_pages_language(
        instance: Instance, admin: Principal, rita: TestClient, tmp_path: Path, lang: str,
        words: tuple[str, ...]) -> None:
    page = _screening_page(instance, admin, tmp_path, rita, lang)
    for w in words:
        assert w in page, w


def test_a_wallet_hit_shows_both_addresses_side_by_side(instance: Instance, admin: Principal, rita: TestClient,
                                                        tmp_path: Path) -> None:
    wallet = "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"
    cid = screening_case(instance, admin, tmp_path, f"ref,name,wallets\nW-1,Example Exchange Desk,XBT:{wallet}\n",
                         kind="wallet", wallets=[f"XBT:{wallet}"])
    page = rita.get(f"/cases/{cid}").text
    row = re.search(r'<tr class="agrees"><th scope="row">Wallets</th>(.*?)</tr>', page, re.S)
    assert row and row.group(1).count(f"{wallet}</bdi></mark>") == 2, page
    assert "Same wallet address" in page


def test_an_old_screening_explanation_gets_its_weights_from_the_fronts_manifest(
        instance: Instance, admin: Principal, rita: TestClient) -> None:
    # A hit recorded before explanations carried their feature weights and the customer's details.
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="UN 1267 list", tlp="CLEAR"))
        (sig,) = banks.add_signals(s, admin, instance.registry, instance.settings, bank.id, [banks.SignalSpec(
            "md5", "a" * 32, entry_ref="QDi.999", content_type="person", provenance="UN consolidated list",
            attributes={"names": ["Abu Example"], "birth_dates": ["1970"]})], audit_each=False)
        item = Item(org_id=admin.org_id, ref="customer-42", content_type="person")
        s.add(item)
        s.flush()
        m = Match(item_id=item.id, org_id=admin.org_id, signal_id=sig.id, bank_id=bank.id, entry_id=sig.entry_id,
                  signal_type="name", query_value="Abu Exampel", distance=0.12,
                  explanation={"score": 0.88, "features": {"name_match": 0.9, "weak_alias": -0.02}})
        s.add(m)
        s.flush()
        outbox.emit(s, "match.recorded", {"item_id": item.id, "match_ids": [m.id], "case_kind": "screening_hit",
                                          "customer_ref": "customer-42"}, org_id=admin.org_id)
    consume(instance.db.session)
    with instance.db.session() as s:
        cid = s.scalars(select(Case.id).where(Case.kind == "screening_hit")).one()
    page = rita.get(f"/cases/{cid}").text
    assert re.search(r"Low-quality alias</td>\s*<td class=\"num\"><bdi dir=\"ltr\">-0.15</bdi>", page)
    assert "<bdi>1970</bdi>" in page and "not given" in page  # the customer's date was not kept then


def test_feature_rows_apply_the_organizations_multipliers() -> None:
    rows = evidence.feature_rows({"features": {"name_match": 0.8, "birth_date_mismatch": -0.1},
                                  "settings": {"weights": {"name_match": 0.5}}},
                                 {"name_match": 1.0, "birth_date_mismatch": -0.1})
    assert [(r.name, r.weight, r.contribution, r.strength) for r in rows] == [
        ("name_match", 0.5, 0.4, 0.8), ("birth_date_mismatch", -0.1, -0.1, 1.0)]


def test_a_hostile_explanation_is_shown_as_data_never_as_markup() -> None:
    rows = evidence.feature_rows({"features": {"<b>x</b>": "nan", "y": float("inf"), "z": {"score": True}}}, {})
    assert [(r.contribution, r.weight, r.strength) for r in rows] == [(None, None, None)] * 3
    assert evidence.time_ranges([[0, 1e308], ["a", 2], [1]]) == [("0:00", evidence.clock(1e308))]
    assert evidence.shingles("zz" * 8, "00000001", {}) is None and evidence.rule_reasons([1, "<x>: y"])[0].code == ""


# -- content --------------------------------------------------------------------------------------------------


def content_case(instance: Instance, admin: Principal, signal_type: str, bank_value: str, query_value: str,
                  explanation: dict[str, object], content_type: str) -> int:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="Partner bank", tlp="GREEN"))
        (sig,) = banks.add_signals(s, admin, instance.registry, instance.settings, bank.id, [banks.SignalSpec(
            signal_type, bank_value, entry_ref="entry-1", content_type=content_type)], audit_each=False)
        item = Item(org_id=admin.org_id, ref="post-77", content_type=content_type)
        s.add(item)
        s.flush()
        m = Match(item_id=item.id, org_id=admin.org_id, signal_id=sig.id, bank_id=bank.id, entry_id=sig.entry_id,
                  signal_type=signal_type, query_value=query_value, distance=0.1, explanation=explanation)
        s.add(m)
        s.flush()
        outbox.emit(s, "match.recorded", {"item_id": item.id, "match_ids": [m.id]}, org_id=admin.org_id)
    consume(instance.db.session)
    with instance.db.session() as s:
        return s.scalars(select(Case.id).where(Case.kind == "content_match")).one()


def test_a_video_match_shows_its_matched_time_ranges(instance: Instance, admin: Principal,
                                                     rita: TestClient) -> None:
    value = f"0.000-1.000:{'f' * 64},1.000-2.000:{'0' * 64}"
    cid = content_case(instance, admin, "vpdq", value, value, {
        "query_share": 0.5, "bank_share": 1.0, "query_ranges": [[12, 47.5]], "bank_ranges": [[0, 35], [3600, 3725]],
        "threshold": 20}, "video")
    page = rita.get(f"/cases/{cid}").text
    assert "Matched time ranges" in page and "Video fingerprint (vPDQ)" in page
    assert ">0:12–0:47</bdi>" in page and ">1:00:00–1:02:05</bdi>" in page and "<bdi>50&nbsp;%</bdi>" in page


def test_a_text_match_highlights_the_shared_shingles(instance: Instance, admin: Principal,
                                                     rita: TestClient) -> None:
    bank_value = "".join(f"{n:08x}" for n in range(1, 9))
    query_value = "".join(f"{n:08x}" for n in range(5, 13))
    cid = content_case(instance, admin, "text_minhash", bank_value, query_value,
                        {"jaccard": 0.3333, "containment": 0.5, "features": {"jaccard": 0.3333, "containment": 0.5}},
                        "text")
    page = rita.get(f"/cases/{cid}").text
    assert "What the two texts share" in page and "Similar text" in page
    assert page.count("<mark><code>00000005</code></mark>") == 2 and page.count("<mark><code>") == 8
    assert "<code>00000001</code>" in page and "<bdi>33.3&nbsp;%</bdi>" in page
    assert "Media are blurred" not in page and "content source is not set" not in page  # a text has no media


def test_a_url_match_shows_both_canonical_forms_with_what_they_share(instance: Instance, admin: Principal,
                                                                    rita: TestClient) -> None:
    cid = content_case(instance, admin, "url_prefix", "https://files.example/group", "https://files.example/group/x1",
                        {"threshold": 0}, "url")
    page = rita.get(f"/cases/{cid}").text
    assert '<mark>https://files.example/group</mark>/x1</bdi>' in page and "canonical URL forms" in page


def test_a_long_hash_is_written_to_wrap(instance: Instance, admin: Principal, team_photo: int,
                                        rita: TestClient) -> None:
    page = rita.get(f"/cases/{team_photo}").text
    assert re.search(r'<bdi dir="ltr" class="mono hash-full">[0-9a-f]{32}</bdi>', page)
    css = (Path(__file__).parents[2] / "src/basira/web/static/basira.css").read_text()
    block = css[css.index("/* case evidence */"):]
    assert "overflow-wrap: anywhere" in block and ".hash-full" in block


@pytest.fixture
def team_photo(instance: Instance, admin: Principal) -> int:
    return photo_case(instance, admin, "post-9.jpg", ["a" * 32])


# -- drones ---------------------------------------------------------------------------------------------------


def drone_case(instance: Instance, admin: Principal) -> int:
    with instance.db.session() as s:
        outbox.emit(s, "alert.raised", {
            "track_id": "trk-9", "alert_id": "al-1", "alert_kind": "OPERATOR_IN_ZONE", "at": "2027-03-01T10:04:00Z",
            "uas_id": "1596F3A8B2", "zone_name": "Stade", "position": {"lat": 48.85, "lon": 2.35},
            "suspect_reasons": ["impossible_speed: 4.2 km in 3 s", "frozen_timestamp: 0 for 40 frames"]},
            org_id=admin.org_id)
    consume(instance.db.session)
    with instance.db.session() as s:
        return s.scalars(select(Case.id).where(Case.kind == "drone_alert")).one()


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("operator in a zone", "impossible speed", "timestamp frozen while moving", "Mar 1, 2027, 10:04:00")),
    ("fr", ("télépilote dans une zone", "vitesse impossible", "horodatage figé pendant le déplacement", "1 mars 2027")),
    ("ar", ("المشغّل داخل منطقة", "سرعة مستحيلة")),
])
def test_a_drone_alert_says_its_kind_and_rule_reasons_in_words(instance: Instance, admin: Principal,
                                                               rita: TestClient, lang: str,
                                                               words: tuple[str, ...]) -> None:
    page = rita.get(f"/cases/{drone_case(instance, admin)}?lang={lang}").text
    for w in words:
        assert w in page, w
    assert "OPERATOR_IN_ZONE" not in page and "impossible_speed" not in page
    assert "<bdi class=\"muted\">4.2 km in 3 s</bdi>" in page and "2027-03-01T10:04:00Z" not in page


# -- the workflow ---------------------------------------------------------------------------------------------


def _decide(c: TestClient, cid: int, **extra: str) -> object:
    page = c.get(f"/cases/{cid}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    return c.post(f"/cases/{cid}/decide", data={"csrf": csrf_of(page), "reason": "incites", "rationale": "x",
                                                "version": version, **extra}, follow_redirects=False)


def test_deciding_then_next_opens_the_next_open_case(instance: Instance, admin: Principal,
                                                     rita: TestClient) -> None:
    first = photo_case(instance, admin, "post-1", ["a" * 32])
    second = photo_case(instance, admin, "post-2", ["b" * 32], bank="Second bank")
    r = _decide(rita, first, then="next")
    assert r.headers["location"] == f"/cases/{first}/next"  # type: ignore[attr-defined]
    page = rita.get(f"/cases/{first}/next")
    assert page.url.path == f"/cases/{second}" and "The decision is recorded." in page.text
    # The decided case offers the next one and shows no deadline.
    decided = rita.get(f"/cases/{first}").text
    assert 'id="next-case"' in decided and "<dt>Due</dt>" not in decided
    assert "<dt>Due</dt>" in page.text
    # The last open case: nothing left, the page says so.
    _decide(rita, second)
    last = rita.get(f"/cases/{second}/next")
    assert last.url.path == f"/cases/{second}" and "No other open case is waiting" in last.text


def test_the_reason_options_are_numbered_for_their_keys(instance: Instance, admin: Principal,
                                                        rita: TestClient, team_photo: int) -> None:
    page = rita.get(f"/cases/{team_photo}").text
    assert re.search(r'<option value="incites">1 · Incites', page) and 'id="keys-help"' in page
    assert 'id="decide-next"' in page and 'src="/static/review.js"' in page


def test_an_undo_shows_the_case_reinstated(instance: Instance, admin: Principal, rita: TestClient,
                                           team_photo: int, receiver: Receiver) -> None:
    hook(instance, admin, receiver, ActionsConfig(allowlist=(ipaddress.ip_network("127.0.0.0/8"),)),
         ["case.decided"])
    _decide(rita, team_photo)
    dispatch(instance.db.session)  # the decision's action (nothing is delivered here)
    with instance.db.session() as s:
        (action,) = list_actions(s, admin, case_id=team_photo)
    page = rita.get(f"/cases/{team_photo}").text
    assert 'id="case-status">Decided<' in page
    rita.post(f"/cases/{team_photo}/actions/{action.id}/undo", data={"csrf": csrf_of(page), "reason": "wrong"})
    after = rita.get(f"/cases/{team_photo}").text
    assert 'class="status status-reinstated" id="case-status">Reinstated: the action was undone<' in after


def test_the_decider_is_not_offered_the_appeal_decision(instance: Instance, admin: Principal, rita: TestClient,
                                                        team_photo: int) -> None:
    _decide(rita, team_photo)
    page = rita.get(f"/cases/{team_photo}").text
    version = re.search(r'name="version" value="(\d+)"', page.split('id="appeals"')[1]).group(1)  # type: ignore
    rita.post(f"/cases/{team_photo}/appeal", data={"csrf": csrf_of(page), "complainant": "ticket-9",
                                                   "statement": "", "version": version})
    appealed = rita.get(f"/cases/{team_photo}").text
    assert 'id="appeal-form"' not in appealed and 'id="appeal-excluded"' in appealed
    make_user(instance, admin, "sami", "reviewer")
    sami = TestClient(create_app(instance))
    sign_in(sami, "sami", PASSWORD)
    assert 'id="appeal-form"' in sami.get(f"/cases/{team_photo}").text


def test_a_case_without_media_does_not_speak_of_blurred_media(instance: Instance, admin: Principal,
                                                              rita: TestClient) -> None:
    assert "Media are blurred" not in rita.get(f"/cases/{drone_case(instance, admin)}").text
