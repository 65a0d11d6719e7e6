"""The home page, the first-run welcome with the demo, languages and the security headers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from babel.dates import format_datetime
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD, make_user

from basira.api.app import create_app
from basira.core import banks, orgs, setup
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.models import AuditEntry, Entry, Match, Signal, User
from basira.core.principal import Principal, system_principal
from basira.drones.demo import UAS_ID

from .helpers import csrf_of, sign_in

HASH_A = "a" * 64
HASH_R = "e" * 64


def _bank(instance: Instance, p: Principal, name: str, tlp: str, values: list[str],
          negative: bool = False) -> int:
    with instance.db.session() as s:
        bank = banks.create_bank(s, p, instance.registry, banks.BankSpec(name=name, tlp=tlp, negative=negative))
        banks.add_signals(s, p, instance.registry, instance.settings, bank.id,
                          [banks.SignalSpec("sha256", v) for v in values], audit_each=False)
        return bank.id


@pytest.fixture
def world(instance: Instance, admin: Principal, user: User) -> dict[str, int]:
    """acme owns two banks; a partner shares a RED bank (match only) and keeps an AMBER bank to itself."""
    with instance.db.session() as s:
        partner = orgs.create_org(s, "test", "partner", "Partner NGO")
    pp = system_principal(partner.id, actor="partner")
    ids = {
        "own": _bank(instance, admin, "Crisis incident 2027-03", "AMBER", [HASH_A, f"{1:064x}", f"{2:064x}"]),
        "arabic": _bank(instance, admin, "بنك الأزمة", "GREEN", [f"{n:064x}" for n in range(3, 7)]),
        "red": _bank(instance, pp, "Partner secret list", "RED", [HASH_R]),
        "amber": _bank(instance, pp, "Partner private", "AMBER", [f"{9:064x}"]),
    }
    with instance.db.session() as s:
        banks.share_bank(s, pp, ids["red"], org="acme")
        for value, ref in ((HASH_A, "upload-1.jpg"), (HASH_R, "upload-2.jpg")):
            match_item(s, admin, instance.registry, instance.indexes, instance.settings,
                       MatchRequest(signals=[("sha256", value)], ref=ref))
    return ids


def test_home_lists_the_banks_the_user_can_match_with_marking_and_size(
        client: TestClient, world: dict[str, int]) -> None:
    page = sign_in(client, "alice", PASSWORD).text
    assert "<bdi class=\"bank-name\">Crisis incident 2027-03</bdi>" in page
    assert "<bdi class=\"bank-name\">بنك الأزمة</bdi>" in page
    assert "TLP:AMBER" in page and "TLP:GREEN" in page and "TLP:RED" in page
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r'<bdi class="bank-name">(.*?)</bdi>.*?<td class="num"><bdi>([^<]*)</bdi>',
        page.split('id="matches"', 1)[0], re.S)}
    assert rows == {"Crisis incident 2027-03": "3", "بنك الأزمة": "4"}
    # The partner's RED bank is listed for matching, but neither its name nor its size is shown.
    assert "Partner secret list" not in page
    assert "Restricted bank of <bdi>Partner NGO</bdi>" in page
    # Not shared with acme: not there at all.
    assert "Partner private" not in page


def test_home_shows_recent_matches_without_revealing_restricted_banks(
        client: TestClient, world: dict[str, int], instance: Instance) -> None:
    page = sign_in(client, "alice", PASSWORD).text
    matches = page.split('id="matches"', 1)[1]
    assert "upload-1.jpg" in matches and "upload-2.jpg" in matches
    assert f'title="{HASH_A}"' in matches
    assert "Partner secret list" not in matches


def test_french_page_localises_numbers_and_dates(client: TestClient, world: dict[str, int],
                                                 instance: Instance) -> None:
    with instance.db.session() as s:
        # Rows written directly: 1,230 more signals through the service would only slow the test down.
        entry = Entry(bank_id=world["arabic"], ref="many", content_type="photo")
        s.add(entry)
        s.flush()
        s.add_all(Signal(entry_id=entry.id, bank_id=world["arabic"], signal_type="sha256", value=f"{n:064x}")
                  for n in range(100, 1330))
    sign_in(client, "alice", PASSWORD)
    page = client.get("/?lang=fr").text
    assert '<html lang="fr" dir="ltr">' in page
    assert "Banques" in page and "Correspondances récentes" in page
    assert "1\u202f234" in page  # French groups thousands with a narrow no-break space
    with instance.db.session() as s:
        when = s.scalars(select(Match.created_at)).first()
    assert when is not None
    assert format_datetime(when, "medium", tzinfo=dt.UTC, locale="fr") in page


def test_arabic_page_is_right_to_left_and_isolates_names(client: TestClient, world: dict[str, int]) -> None:
    sign_in(client, "alice", PASSWORD)
    page = client.get("/?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in page
    assert "البنوك" in page and "أحدث المطابقات" in page
    assert "<bdi>alice</bdi>" in page and '<bdi dir="ltr">TLP:AMBER</bdi>' in page
    assert "بنك مقيَّد تملكه <bdi>Partner NGO</bdi>" in page


def test_the_language_choice_is_kept_in_a_cookie(client: TestClient, user: User) -> None:
    r = client.get("/login?lang=ar")
    assert "basira_lang=ar" in r.headers["set-cookie"]
    assert '<html lang="ar" dir="rtl">' in client.get("/login").text
    assert '<html lang="fr" dir="ltr">' in client.get("/login?lang=fr").text
    assert "Se connecter" in client.get("/login").text


def test_unknown_languages_fall_back_to_english(client: TestClient, user: User) -> None:
    page = client.get("/login?lang=xx", headers={"accept-language": "de-DE,de;q=0.9"})
    assert '<html lang="en" dir="ltr">' in page.text and "set-cookie" not in {
        k for k, v in page.headers.items() if "basira_lang" in v}


def test_the_browser_language_is_used_when_nothing_else_says(client: TestClient, user: User) -> None:
    page = client.get("/login", headers={"accept-language": "de;q=1, fr-CA;q=0.8, ar;q=0.5"}).text
    assert '<html lang="fr" dir="ltr">' in page and "Mot de passe" in page


def test_the_users_locale_comes_before_the_browser_language(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    make_user(instance, admin, "samira", "analyst", locale="ar")
    sign_in(client, "samira", PASSWORD)
    page = client.get("/", headers={"accept-language": "fr"}).text
    assert '<html lang="ar" dir="rtl">' in page and "محلل" in page


@pytest.mark.parametrize("path", ["/login", "/static/basira.css", "/v1/health", "/does-not-exist"])
def test_security_headers_are_on_every_response(client: TestClient, path: str) -> None:
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def test_api_docs_are_served_from_vendored_assets_without_a_cdn(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert assets and all(a.startswith("/static/vendor/swagger-ui/") for a in assets), assets
    for a in assets:
        assert client.get(a).status_code == 200


def _token(instance: Instance, ttl_s: float = 600.0, now: dt.datetime | None = None) -> str:
    with instance.db.session() as s:
        return setup.issue_token(s, ttl_s, now=now)


def _orgs(instance: Instance) -> int:
    with instance.db.session() as s:
        return len(orgs.list_orgs(s))


def test_an_empty_instance_asks_for_the_set_up_token_before_the_demo(client: TestClient) -> None:
    page = client.get("/").text
    assert "Welcome to Basira" in page and "Load the demo" in page and "Set-up token" in page
    assert 'action="/demo"' in page and 'action="/setup"' in page
    assert 'name="token" value=""' in page


def test_the_link_that_serve_prints_fills_in_the_token(client: TestClient) -> None:
    page = client.get("/", params={"token": "abc-123"}).text
    assert page.count('name="token" value="abc-123"') == 2


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 5000])
def test_the_demo_without_a_valid_token_creates_nothing_and_says_why(
        client: TestClient, instance: Instance, token: str) -> None:
    _token(instance)  # a real token exists, but the visitor does not hold it
    r = client.post("/demo", data={"csrf": csrf_of(client.get("/").text), "token": token})
    assert r.status_code == 403
    assert 'id="setup-refused"' in r.text and "shown only this once" not in r.text
    assert _orgs(instance) == 0


def test_a_used_token_is_refused(client: TestClient, instance: Instance) -> None:
    token = _token(instance)
    with instance.db.session() as s:
        setup.spend_token(s, token)
    r = client.post("/demo", data={"csrf": csrf_of(client.get("/").text), "token": token})
    assert r.status_code == 403 and "wrong, used or expired" in r.text
    assert _orgs(instance) == 0


def test_an_expired_token_is_refused(client: TestClient, instance: Instance) -> None:
    token = _token(instance, ttl_s=60, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    r = client.post("/setup", data={"csrf": csrf_of(client.get("/").text), "token": token, "org_name": "Acme",
                                    "org_slug": "acme", "username": "ada", "password": "a-long-password-1"})
    assert r.status_code == 403 and "wrong, used or expired" in r.text
    assert _orgs(instance) == 0


def test_the_demo_is_not_offered_when_the_setting_is_off(client: TestClient, instance: Instance) -> None:
    instance.settings = dataclasses.replace(instance.settings, demo=False)
    page = client.get("/").text
    assert "Load the demo" not in page and 'action="/setup"' in page
    r = client.post("/demo", data={"csrf": csrf_of(client.get("/").text), "token": _token(instance)})
    assert r.status_code == 403 and "turned off" in r.text


def test_the_demo_needs_the_csrf_token(client: TestClient, instance: Instance) -> None:
    client.get("/")
    assert client.post("/demo", data={"csrf": "forged", "token": _token(instance)}).status_code == 403
    assert _orgs(instance) == 0


def test_a_remote_visitor_with_the_token_may_claim_the_instance(instance: Instance) -> None:
    """The token, not the address, proves that the visitor read the server's console."""
    token = _token(instance)
    with TestClient(create_app(instance), client=("203.0.113.7", 40000)) as remote:
        refused = remote.post("/demo", data={"csrf": csrf_of(remote.get("/").text)})
        assert refused.status_code == 403 and _orgs(instance) == 0
        r = remote.post("/setup", data={"csrf": csrf_of(remote.get("/").text), "token": token,
                                        "org_name": "Acme Platform", "org_slug": "acme", "username": "ada",
                                        "password": "a-long-password-1"})
    assert r.status_code == 200 and r.url.path == "/login"
    with instance.db.session() as s:
        org = orgs.get_org(s, "acme")
        ada = s.scalars(select(User).where(User.username == "ada")).one()
        assert org.operator and ada.org_id == org.id and ada.role == "admin"
        claim = s.scalars(select(AuditEntry).where(AuditEntry.action == "instance.claim")).one()
        assert claim.details["client"] == "203.0.113.7"


def test_a_bad_organization_form_keeps_the_token_for_another_try(client: TestClient, instance: Instance) -> None:
    token = _token(instance)
    form = {"csrf": csrf_of(client.get("/").text), "token": token, "org_name": "Acme", "org_slug": "Not A Slug!",
            "username": "ada", "password": "a-long-password-1"}
    bad = client.post("/setup", data=form)
    assert bad.status_code == 422 and "slug" in bad.text and _orgs(instance) == 0
    good = client.post("/setup", data={**form, "org_slug": "acme"})
    assert good.url.path == "/login" and _orgs(instance) == 1
    # Spent, and the instance is claimed: the same token opens nothing more.
    again = client.post("/setup", data={**form, "org_slug": "other"})
    assert again.status_code == 403 and "set up already" in again.text and _orgs(instance) == 1


def test_loading_the_demo_signs_in_and_shows_the_credentials_once(client: TestClient, instance: Instance) -> None:
    page = client.get("/", params={"token": _token(instance)}).text
    r = client.post("/demo", data={"csrf": csrf_of(page), "token": re.search(r'name="token" value="([^"]+)"',
                                                                              page).group(1)})  # type: ignore[union-attr]
    assert r.status_code == 200
    assert "shown only this once" in r.text
    assert r.headers["cache-control"] == "no-store"
    key = re.search(r'class="mono secret">(bsk_[^<]+)<', r.text)
    assert key, "the API key is on the page"
    # The key works against the API, and the visitor is now signed in to the demo organization.
    assert client.get("/v1/health", headers={"authorization": f"Bearer {key.group(1)}"}).status_code == 200
    home = client.get("/")
    assert home.url.path == "/" and "Sign out" in home.text and "TLP:" in home.text
    with instance.db.session() as s:
        login = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.login")).one()
        assert login.details["via"] == "demo"
    # The queue opens with a case of every kind, and the drone map shows the demo flight.
    queue = client.get("/cases").text
    for kind in ("Content match", "Screening hit", "Drone alert", "demo:resized-copy.jpg", "demo-customer-001"):
        assert kind in queue
    feed = client.get("/drones/feed").json()
    assert UAS_ID in {t["uas_id"] for t in feed["tracks"] + feed["recent"]}
    assert {z["properties"]["ref"] for z in feed["zones"]["features"]} == {"demo-stadium"}
    # The offer is gone: a second post with the spent token is refused and shows no credentials.
    again = client.post("/demo", data={"csrf": csrf_of(home.text), "token": "anything"})
    assert again.status_code == 403 and "shown only this once" not in again.text
