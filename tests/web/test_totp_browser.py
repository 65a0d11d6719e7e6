"""TOTP as a person meets it in Chromium: the enrolment page's QR code, read back from a screenshot as a phone's
camera would (zxing-cpp), gives the app its key; the ten recovery codes shown once sign in once each."""

from __future__ import annotations

import io
import shutil
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from PIL import Image
from tests.factories import PASSWORD, make_user

from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.web import media, totp
from conftest import need

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"])
def test_enrol_by_the_qr_code_then_sign_in_with_a_recovery_code_once(
        server: str, instance: Instance, admin: Principal) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    import zxingcpp
    from playwright.sync_api import Page, sync_playwright

    make_user(instance, admin, "rita", "reviewer")
    with instance.db.session() as s:
        media.save_settings(s, admin, require_totp=True, item_media_url="", entry_media_url="")

    def sign_in(page: Page) -> None:
        page.goto(f"{server}/login")
        page.fill("#username", "rita")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")

    def recover(page: Page, code: str) -> None:
        sign_in(page)
        page.wait_for_url(f"{server}/login/totp")
        page.click("details.recovery summary")
        page.fill("#recovery_code", code)
        page.click("details.recovery button[type=submit]")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            sign_in(page)
            page.wait_for_url(f"{server}/login/enrol")
            shot = page.locator("#totp-qr svg").screenshot()
            found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)).convert("L"))
            assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
            uri = found[0].text
            assert uri.startswith("otpauth://totp/") and "rita" in uri
            secret = parse_qs(urlparse(uri).query)["secret"][0]
            # The QR holds the same key as the one written out beside it.
            assert page.inner_text("#totp-secret").replace(" ", "") == secret
            page.fill("#code", pyotp.TOTP(secret).now())
            page.click("form[action$='/login/enrol'] button[type=submit]")
            codes = page.locator("#recovery-codes li").all_inner_texts()
            assert len(codes) == totp.RECOVERY_CODES and len(set(codes)) == totp.RECOVERY_CODES
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
            page.click("a.button.primary")
            page.wait_for_url(f"{server}/")
            page.click("form.signout button")

            recover(page, codes[0])
            page.wait_for_url(f"{server}/account")
            assert "9" in page.inner_text("#codes-left")
            page.click("form.signout button")

            recover(page, codes[0])  # the same code a second time
            page.wait_for_url(f"{server}/login/recovery")
            # Rita's own language (English) wins over the browser's: the page says what happened.
            assert "already used" in page.inner_text("[role=alert]")
        finally:
            browser.close()
