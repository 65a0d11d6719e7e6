"""The sharing pages in headless Chromium: a feed whose partner answered garbage shows its error, a crisis incident
shows its push in the notification log, its hourly chart (an SVG image) and its debrief, in English and Arabic."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from tests.factories import PASSWORD
from tests.receiver import Receiver
from tests.sharing.live import Answer, Peer

from basira.core import banks
from basira.core.instance import Instance
from basira.core.models import User
from basira.core.principal import Principal
from basira.sharing import client, feeds, incidents
from basira.sharing.models import TaxiiFeed
from conftest import need

pytestmark = pytest.mark.browser
SECRET = "browser-push-secret-0123"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sharing_pages_show_feeds_errors_and_an_incident(server: str, instance: Instance, admin: Principal,
                                                          user: User, tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="Christchurch-style drill",
                                                                              tlp="AMBER")).id
        feed = feeds.add_feed(s, admin, instance.secret_key, feeds.FeedSpec(
            "partner-x", "http://127.0.0.1:9/taxii2/api/", "c0ffee00-0000-4000-8000-000000000001",
            "Christchurch-style drill")).id
    with Peer([Answer(body=b"<html>not TAXII</html>")]) as peer:
        with instance.db.session() as s:
            f = s.get(TaxiiFeed, feed)
            assert f is not None
            f.api_root = peer.api_root
        assert "not JSON" in client.sync_feed(instance, feed).error
    receiver = Receiver(secret=SECRET)
    try:
        with instance.db.session() as s:
            inc = incidents.declare(s, admin, "Drill 2027-03", bank).id
            incidents.add_subscriber(s, admin, instance.secret_key, "partner-y", receiver.url, SECRET)
            banks.add_signals(s, admin, instance.registry, instance.settings, bank,
                              [banks.SignalSpec("md5", "0" * 31 + "1")])
        with httpx.Client(timeout=5) as http:
            assert incidents.push_due(instance, http).sent == 1
        assert receiver.requests[0].signed
    finally:
        receiver.close()
    with instance.db.session() as s:
        incidents.close(s, admin, inc, "Contained; partner-y took the hash within a second.")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="en-GB")
            page.goto(f"{server}/login")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")
            page.click("nav.sections a[href$='/sharing']")
            page.wait_for_url(f"{server}/sharing")
            row = page.locator(f"#feeds tr[data-feed='{feed}']")
            assert row.locator(".feed-name").inner_text() == "partner-x"
            assert "not JSON" in row.locator(".feed-error").inner_text()
            assert "1 failures in a row" in row.locator(".feed-error").inner_text()
            assert page.locator("#partners .partner-name").inner_text() == "partner-y"
            page.click("#incidents a")
            page.wait_for_url(f"**/sharing/incidents/{inc}")
            assert page.locator("#signals-added").inner_text() == "1"
            assert page.locator("#partners-notified").inner_text() == "1"
            assert page.locator("#notifications td").first.inner_text() == "partner-y"
            assert "partner-y took the hash" in page.locator("#debrief").inner_text()
            # The chart is a real SVG image, drawn (not a broken image).
            assert page.evaluate("document.querySelector('#chart img').naturalWidth") > 100
            page.screenshot(path=str(tmp_path / "incident-en.png"), full_page=True)
            page.goto(f"{server}/sharing/incidents/{inc}?lang=ar")
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert page.locator("#notifications h2").inner_text() == "سجل الإشعارات"
            page.goto(f"{server}/sharing/incidents/999999")
            assert page.locator("h1").count() >= 1 and "Drill" not in page.content()
        finally:
            browser.close()
