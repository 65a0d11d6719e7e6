"""The reviewer's day in a real browser (Debian's headless Chromium driven by Playwright): sign in with a password
and a TOTP code, open a case from the queue with the keyboard, reveal a blurred image, decide, see the webhook
delivered and signed, undo it, and read the pages right to left in Arabic and in French.

Screenshots of the queue and the case page in the three languages land in pytest's tmp_path (or in
``$BASIRA_SCREENSHOTS`` when set) for a person to look at.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
from pathlib import Path

import pyotp
import pytest
from tests.factories import PASSWORD, make_user
from tests.receiver import Receiver

from basira.actions.config import ActionsConfig
from basira.actions.webhooks import WebhookSpec, create_webhook
from basira.core.instance import Instance
from basira.core.models import User
from basira.core.principal import Principal
from basira.web import media
from basira.worker import run_once
from conftest import need

from .helpers import photo_case

pytestmark = pytest.mark.browser
LOOPBACK = ActionsConfig(timeout=5, allowlist=(ipaddress.ip_network("127.0.0.0/8"),))


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("BASIRA_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("backend", ["sqlite"])  # the TestClient tests cover both databases
def test_a_reviewer_signs_in_with_totp_reveals_decides_sees_the_webhook_and_undoes_it(
        server: str, instance: Instance, admin: Principal, receiver: Receiver, shots: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    uid = make_user(instance, admin, "rita", "reviewer")
    secret = pyotp.random_base32()
    with instance.db.session() as s:
        s.get(User, uid).totp_secret = secret  # type: ignore[union-attr]
        media.save_settings(s, admin, require_totp=True, item_media_url=f"{receiver.base}/items/{{item_ref}}",
                            entry_media_url=f"{receiver.base}/bank/{{bank_id}}/{{entry_ref}}")
        _, receiver.secret = create_webhook(s, admin, WebhookSpec(url=f"{receiver.base}/hook", name="Trust & Safety",
                                                                 events=["case.decided", "action.undone"]),
                                           allowlist=LOOPBACK.allowlist)
    cid = photo_case(instance, admin, "upload-7731.jpg", ["a" * 32])
    photo_case(instance, admin, "صورة-مرفوعة-٢.jpg", ["b" * 32], bank="بنك الأزمة")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{server}/cases")
            page.fill("#username", "rita")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url("**/login/totp")
            page.fill("#code", pyotp.TOTP(secret).now())
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")

            page.goto(f"{server}/cases")
            page.screenshot(path=str(shots / "queue-en.png"), full_page=True)
            # Keyboard: j selects the first (most urgent) row, o opens it.
            page.keyboard.press("j")
            expect(page.locator("tr.current")).to_have_count(1)
            page.keyboard.press("o")
            page.wait_for_url("**/cases/*")
            case_url = page.url
            assert case_url.endswith(f"/cases/{cid}")

            figure = page.locator("figure.medium").first
            img = figure.locator("img")
            expect(figure).to_have_class("medium veiled")
            img.evaluate("i => i.decode()")  # the browser loaded it from the content source (allowed by the CSP)
            assert img.evaluate("i => i.naturalWidth") == 320
            assert "blur" in img.evaluate("i => getComputedStyle(i).filter")
            page.screenshot(path=str(shots / "case-en.png"), full_page=True)
            figure.locator("button.reveal").click()
            expect(figure).to_have_class("medium")
            # The blur fades out in 0.2 s.
            page.wait_for_function("i => getComputedStyle(i).filter === 'none'", arg=img.element_handle(),
                                   timeout=3000)
            expect(page.locator("#exposure-count")).to_have_text("1")
            # Only this one: the bank's image stays blurred.
            expect(page.locator("figure.medium.veiled")).to_have_count(1)

            page.keyboard.press("d")
            assert page.evaluate("document.activeElement.id") == "reason"
            page.select_option("#reason", "incites")
            page.fill("#rationale", "Calls for attacks; branded.")
            page.click("#decide-form button[type=submit]")
            expect(page.locator(".alert.ok")).to_have_text("The decision is recorded.")

            run_once(instance, config=LOOPBACK)
            (hook,) = receiver.requests
            assert hook.event == "case.decided" and hook.signed and hook.idempotency_key
            assert str(cid) in json.dumps(json.loads(hook.body))
            page.reload()
            expect(page.locator("#actions tr.delivery-delivered")).to_have_count(1)
            page.fill("#actions input[name=reason]", "Decided in error.")
            page.click("#actions .undo-form button")
            expect(page.locator(".alert.ok")).to_contain_text("The action is undone")
            run_once(instance, config=LOOPBACK)
            assert [h.event for h in receiver.requests] == ["case.decided", "action.undone"]
            assert all(h.signed for h in receiver.requests)
            page.reload()
            expect(page.locator("#actions .status", has_text="Undone")).to_have_count(1)

            page.click("nav.langs a[lang=ar]")
            page.wait_for_url("**?lang=ar")
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert "القضية" in page.locator("h1").first.inner_text()
            brand, langs = page.locator(".brand").bounding_box(), page.locator("nav.langs").bounding_box()
            assert brand and langs and brand["x"] > langs["x"]
            page.screenshot(path=str(shots / "case-ar.png"), full_page=True)
            page.goto(f"{server}/cases?status=all")
            assert page.evaluate("document.documentElement.dir") == "rtl"
            page.screenshot(path=str(shots / "queue-ar.png"), full_page=True)
            page.goto(f"{server}/cases?status=all&lang=fr")
            assert page.locator("h1").first.inner_text() == "File d'examen"
            page.screenshot(path=str(shots / "queue-fr.png"), full_page=True)
            page.goto(f"{case_url}?lang=fr")
            page.screenshot(path=str(shots / "case-fr.png"), full_page=True)
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
    for name in ("queue-en", "queue-ar", "queue-fr", "case-en", "case-ar", "case-fr"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
