"""The case page in a real browser (Debian's Chromium driven by Playwright): the case pages of every kind fit a phone
and a laptop without sideways scrolling, in English and Arabic; ``?`` lists the keys, a digit picks a reason,
"decide and open the next case" opens the next open case, ``n`` goes on, and an undone action shows at once.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
from pathlib import Path

import pytest
from tests.actions.helpers import hook
from tests.factories import PASSWORD, make_user
from tests.receiver import Receiver

from basira.actions.config import ActionsConfig
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.web import media
from basira.worker import run_once
from conftest import need

from .helpers import photo_case
from .test_case_evidence import content_case, drone_case, screening_case

pytestmark = pytest.mark.browser
LOOPBACK = ActionsConfig(timeout=5, allowlist=(ipaddress.ip_network("127.0.0.0/8"),))
WIDTHS = (390, 1280)


@pytest.mark.parametrize("backend", ["sqlite"])  # the TestClient tests cover both databases
def test_case_pages_fit_every_width_and_the_keys_drive_the_review(
        server: str, instance: Instance, admin: Principal, receiver: Receiver, tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    make_user(instance, admin, "rita", "reviewer")
    with instance.db.session() as s:
        media.save_settings(s, admin, require_totp=False, item_media_url="", entry_media_url="")
    hook(instance, admin, receiver, LOOPBACK, ["case.decided"])
    screening = screening_case(instance, admin, tmp_path, names=["Zubair Kasim Example"], birth_date="1961-05-02",
                               nationality=["Jordan"], documents=["A1234567"])
    video = content_case(instance, admin, "vpdq", f"0.000-1.000:{'f' * 64}", f"0.000-1.000:{'f' * 64}",
                          {"query_share": 1.0, "bank_share": 1.0, "query_ranges": [[0, 1]], "bank_ranges": [[0, 1]]},
                          "video")
    drone = drone_case(instance, admin)
    photo = photo_case(instance, admin, "upload-" + "7" * 120 + ".jpg", ["a" * 32])
    kinds = {"screening": screening, "content": video, "drone": drone, "photo": photo}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            errors: list[str] = []
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(f"{server}/login")
            page.fill("#username", "rita")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")

            overflow = []
            shots = os.environ.get("BASIRA_SCREENSHOTS")  # for a person to look at
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for lang in ("en", "ar"):
                    for kind, cid in kinds.items():
                        page.goto(f"{server}/cases/{cid}?lang={lang}")
                        page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = true; })")
                        if shots:
                            page.screenshot(path=str(Path(shots) / f"case-{kind}-{lang}-{width}.png"), full_page=True)
                        wide = page.evaluate("document.documentElement.scrollWidth")
                        if wide > width:
                            overflow.append(f"{kind} {lang} at {width}px: {wide}px")
            assert not overflow, overflow
            # The TLP badge stays inside its card in Arabic.
            page.goto(f"{server}/cases/{screening}?lang=ar")
            badge, card = page.locator(".tlp").first.bounding_box(), page.locator("#evidence").bounding_box()
            assert badge and card and card["x"] <= badge["x"]
            assert badge["x"] + badge["width"] <= card["x"] + card["width"]

            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(f"{server}/cases/{photo}?lang=en")  # the language chosen last is kept in a cookie
            help_list = page.locator("#keys-help")
            expect(help_list).not_to_be_visible()
            page.keyboard.press("?")
            expect(help_list).to_be_visible()
            expect(help_list).to_contain_text("Pick the reason with that number")
            page.keyboard.press("Escape")
            expect(help_list).not_to_be_visible()
            page.keyboard.press("2")
            assert page.evaluate("document.activeElement.id") == "reason"
            assert page.input_value("#reason") == "solicits"
            page.fill("#rationale", "Asks readers to join.")
            page.click("#decide-next")
            # The most urgent open case is the drone alert (high priority).
            page.wait_for_url(f"{server}/cases/{drone}")
            expect(page.locator(".alert.ok")).to_have_text("The decision is recorded.")

            page.goto(f"{server}/cases/{photo}")
            expect(page.locator("#case-status")).to_have_text("Decided")
            run_once(instance, config=LOOPBACK)
            page.reload()
            page.fill("#actions input[name=reason]", "Decided in error.")
            page.click("#actions .undo-form button")
            expect(page.locator(".alert.ok")).to_contain_text("The action is undone")
            expect(page.locator("#case-status")).to_have_text("Reinstated: the action was undone")
            page.keyboard.press("n")
            page.wait_for_url(f"{server}/cases/{drone}")
            assert not errors, errors
        finally:
            browser.close()
