"""The removal-order form (missing Annex I fields listed, a forged signature refused, the receipt and deadline
shown) and each bank's provenance page (what it shows, to whom), through the real pages; and in Chromium, the form
filled and sent in Arabic."""

from __future__ import annotations

import datetime as dt
import shutil
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD, make_bank, make_user

from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.models import AuditEntry, Opinion, Signal
from basira.core.principal import Principal, system_principal
from basira.legal import authorities
from basira.legal.models import RemovalClock, RemovalOrder
from conftest import need

from .helpers import csrf_of, sign_in

SECRET = "5a" * 32
ORDER = {"kind": "order", "authority": "DE-BKA", "reference": "BKA-2027-114", "member_state": "de",
         "urls": "https://video.example.com/v/1\nhttps://video.example.com/v/2", "grounds": "Glorifies an attack.",
         "grounds_points": ["a", "c"], "redress": "Verwaltungsgericht Wiesbaden.", "signatory": "K. Weber, BKA",
         "issued_at": "2027-03-28T01:30"}


@pytest.fixture
def authority(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        authorities.register(s, admin, authorities.AuthoritySpec("DE-BKA", "DE", "Europe/Berlin"))
        authorities.register(s, admin, authorities.AuthoritySpec("FR-PHAROS", "FR", "Europe/Paris", "hmac-sha256",
                                                                 SECRET))


def _post(client: TestClient, form: dict[str, Any]) -> Any:
    page = client.get("/legal/orders/new")
    return client.post("/legal/orders", data={"csrf": csrf_of(page.text), **form})


# One backend: what the database does here is covered by the tests of the services.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_complete_order_is_received_with_its_one_hour_deadline(
        client: TestClient, instance: Instance, user: Any, authority: None) -> None:
    sign_in(client, "alice", PASSWORD)
    r = _post(client, ORDER)
    assert r.status_code == 201, r.text
    with instance.db.session() as s:
        order = s.scalars(select(RemovalOrder)).one()
        clock = s.get(RemovalClock, order.clock_id)
    assert order.reference == "BKA-2027-114" and order.member_state == "DE" and len(order.urls) == 2
    assert clock is not None and clock.deadline_at - order.received_at == dt.timedelta(hours=1)
    # Issued at 01:30 Berlin time on the night clocks change (CET, +01:00): 00:30 UTC.
    assert order.issued_at == dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)
    assert order.receipt in r.text and clock.deadline_at.isoformat() in r.text


# One backend: what the database does here is covered by the tests of the services.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_missing_annex_fields_are_listed_and_a_forged_signature_is_refused_both_audited(
        client: TestClient, instance: Instance, user: Any, authority: None) -> None:
    sign_in(client, "alice", PASSWORD)
    r = _post(client, {**ORDER, "grounds": "", "signatory": "", "grounds_points": []})
    assert r.status_code == 422
    for name in ("grounds", "grounds_points", "signatory"):
        assert f"<code>{name}</code>" in r.text
    assert 'value="BKA-2027-114"' in r.text  # what was typed stays in the form
    forged = _post(client, {**ORDER, "authority": "FR-PHAROS", "member_state": "FR", "signature": "00" * 32})
    assert forged.status_code == 403 and "signature" in forged.text
    bad_date = _post(client, {**ORDER, "issued_at": "yesterday"})
    assert bad_date.status_code == 422 and "<code>issued_at</code>" in bad_date.text
    with instance.db.session() as s:
        assert s.scalar(select(RemovalOrder.id)) is None
        refusals = s.scalars(select(AuditEntry.action).where(AuditEntry.action == "legal.order.refuse")).all()
    assert len(refusals) == 2


# One backend: what the database does here is covered by the tests of the services.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_analysts_may_not_enter_orders_and_the_form_needs_its_csrf_token(
        client: TestClient, instance: Instance, admin: Principal, authority: None) -> None:
    make_user(instance, admin, "ana", "analyst")
    sign_in(client, "ana", PASSWORD)
    assert client.get("/legal/orders/new").status_code == 403
    assert client.post("/legal/orders", data=ORDER).status_code == 403


def test_the_provenance_page_tells_origin_labels_history_and_use_and_hides_red_banks(
        client: TestClient, instance: Instance, admin: Principal, user: Any) -> None:
    [first, _] = make_bank(instance, admin, "Crisis 2027-03", ["a" * 32, "b" * 32], labels=["ideology:religious"],
                           provenance="GIFCT hash-sharing, 2027-03-02")
    with instance.db.session() as s:
        s.add(Opinion(org_id=admin.org_id, signal_id=first, kind="false_positive"))
        bank_id = s.scalar(select(Signal.bank_id).where(Signal.id == first))
        partner = orgs.create_org(s, "test", "partner", "Partner NGO")
        red = banks.create_bank(s, system_principal(partner.id), instance.registry,
                                banks.BankSpec(name="Partner RED bank", tlp="RED"))
        banks.share_bank(s, system_principal(partner.id), red.id, org="acme")
    sign_in(client, "alice", PASSWORD)
    home = client.get("/")
    assert f'href="/banks/{bank_id}/provenance"' in home.text and f"/banks/{red.id}/provenance" not in home.text
    page = client.get(f"/banks/{bank_id}/provenance?lang=fr")
    assert page.status_code == 200 and "Pourquoi est-ce ici" in page.text
    assert "GIFCT hash-sharing, 2027-03-02" in page.text and "ideology:religious" in page.text
    assert '<td class="num" id="signal-total">2</td>' in page.text
    assert '<td class="num" id="false-positives">1</td>' in page.text
    assert "bank.create" in page.text  # the owner sees the bank's history
    assert client.get(f"/banks/{red.id}/provenance").status_code == 404
    assert client.get("/banks/999999/provenance").status_code == 404
    assert client.get("/banks/x%00/provenance").status_code == 400  # a NUL in a path is refused before routing


# One backend is enough in the browser: the database's part is covered above.
@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_order_form_in_arabic_runs_right_to_left_and_records_the_order(
        server: str, instance: Instance, user: Any, authority: None) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{server}/login?lang=ar")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")
            page.click('nav.sections a[href$="/legal/orders/new"]')
            page.wait_for_url("**/legal/orders/new")
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert page.locator("h1").first.inner_text() == "إدخال أمر إزالة"
            page.fill("#reference", ORDER["reference"])
            page.fill("#member_state", "DE")
            page.fill("#urls", ORDER["urls"])
            page.fill("#grounds", "يمجّد هجومًا")
            page.check('input[name=grounds_points][value="a"]')
            page.fill("#redress", ORDER["redress"])
            page.fill("#issued_at", ORDER["issued_at"])
            page.click("button[type=submit].primary")  # the signatory is missing
            page.wait_for_selector("#missing")
            assert "signatory" in page.locator("#missing").inner_text()
            assert page.input_value("#reference") == ORDER["reference"]
            page.fill("#signatory", "ك. فيبر")
            page.click("button[type=submit].primary")
            page.wait_for_selector("#receipt")
            assert page.locator("h1").first.inner_text() == "سُجّل الأمر"
            received = page.locator("#received-at").inner_text()
            deadline = page.locator("#deadline").inner_text()
            assert dt.datetime.fromisoformat(deadline) - dt.datetime.fromisoformat(received) == dt.timedelta(hours=1)
        finally:
            browser.close()
    with instance.db.session() as s:
        order = s.scalars(select(RemovalOrder)).one()
    assert order.grounds == "يمجّد هجومًا" and order.signatory == "ك. فيبر"
