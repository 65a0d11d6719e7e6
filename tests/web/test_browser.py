"""A real browser against a real server: headless Chromium (Debian's) driven by Playwright.

It signs in, switches to Arabic and checks that the page is laid out right to left, then to French; the
screenshots land in pytest's tmp_path for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.factories import PASSWORD

from basira.core import banks
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.models import User
from basira.core.principal import Principal
from conftest import need

pytestmark = pytest.mark.browser


@pytest.fixture
def stocked(instance: Instance, admin: Principal, user: User) -> None:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="Crisis incident 2027-03",
                                                                              tlp="AMBER"))
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                          [banks.SignalSpec("sha256", f"{n:064x}") for n in range(1, 4)])
        other = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="بنك الأزمة", tlp="GREEN"))
        banks.add_signals(s, admin, instance.registry, instance.settings, other.id,
                          [banks.SignalSpec("sha256", "b" * 64)])
        match_item(s, admin, instance.registry, instance.indexes, instance.settings,
                   MatchRequest(signals=[("sha256", f"{1:064x}")], ref="upload-1.jpg"))


# One backend is enough here: what the database does is covered by the TestClient tests.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_signed_in_page_turns_right_to_left_in_arabic(server: str, stocked: None, tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="en-GB")
            page.goto(f"{server}/")
            assert page.url.endswith("/login")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")
            names = page.locator("#banks td bdi.bank-name").all_inner_texts()
            assert names == ["Crisis incident 2027-03", "بنك الأزمة"]
            assert page.evaluate("getComputedStyle(document.documentElement).direction") == "ltr"
            page.screenshot(path=str(tmp_path / "home-en.png"), full_page=True)

            page.click("nav.langs a[lang=ar]")
            page.wait_for_url("**/?lang=ar")
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert page.locator("h1").first.inner_text() == "البنوك"
            # Laid out right to left: the brand is at the right edge, the language links at the left.
            brand = page.locator(".brand").bounding_box()
            langs = page.locator("nav.langs").bounding_box()
            assert brand and langs and brand["x"] > langs["x"]
            # The stylesheet loaded under the CSP (no inline style, nothing from elsewhere).
            assert page.evaluate("getComputedStyle(document.querySelector('.masthead')).display") == "flex"
            page.screenshot(path=str(tmp_path / "home-ar.png"), full_page=True)

            # The choice is remembered: a plain reload stays in Arabic.
            page.goto(f"{server}/")
            assert page.evaluate("document.documentElement.dir") == "rtl"

            page.click("nav.langs a[lang=fr]")
            page.wait_for_url("**/?lang=fr")
            assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
            assert page.locator("h1").first.inner_text() == "Banques"
            page.screenshot(path=str(tmp_path / "home-fr.png"), full_page=True)
        finally:
            browser.close()
    assert all((tmp_path / f"home-{x}.png").stat().st_size > 10_000 for x in ("en", "ar", "fr"))
