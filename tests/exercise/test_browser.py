"""The trainer's page and the readiness questionnaire in a real browser (headless Chromium, Playwright), in Arabic:
laid out right to left, the trainer sends an inject and sees it land, and the questionnaire is scored with its
gaps linked to the features that close them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.exercise.conftest import Drill
from tests.factories import serving

from basira.api.app import create_app
from basira.exercise import service
from basira.exercise.scenario import parse
from conftest import need

pytestmark = pytest.mark.browser

SCENARIO = {"name": "Browser drill", "injects": [
    {"id": "hit", "kind": "list_update", "expect": "violating",
     "title": {"en": "A list update", "ar": "تحديث للقائمة", "fr": "Une mise à jour de liste"}}]}


def test_the_trainer_sends_an_inject_and_scores_readiness_in_arabic(drill: Drill, tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    inst = drill.inst
    plan = parse(SCENARIO, service.inject_functions(inst))
    started = service.start(inst, "test", plan=plan, site_name="stadium",
                            site_doc=service.load_plan(inst, "stadium-night", None)[2], slug="browser")
    with serving(create_app(inst)) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="ar")
            page.goto(f"{server}/login?lang=ar")
            page.fill("#username", started.trainer)
            page.fill("#password", started.trainer_password)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")
            page.goto(f"{server}/exercise/{started.org_slug}")
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert "تمرين" in page.locator(".exercise-banner").inner_text()
            row = page.locator("tr[data-inject=hit]")
            assert "تحديث للقائمة" in row.inner_text() and "لم يُرسَل بعد" in row.inner_text()
            row.locator("button[data-send=hit]").click()
            page.wait_for_url(f"**/exercise/{started.org_slug}?sent=hit")
            assert page.locator("#sent").is_visible()
            # The list update hit the customer: a case waits for the team's decision.
            assert "في انتظار قرار" in page.locator("tr[data-inject=hit]").inner_text()
            assert page.locator("button[data-send=hit]").count() == 0
            page.screenshot(path=str(tmp_path / "trainer-ar.png"), full_page=True)

            page.goto(f"{server}/readiness")
            assert page.evaluate("document.documentElement.dir") == "rtl"
            for question in page.locator(".question").all():
                qid = question.get_attribute("data-question")
                question.locator(f"input[value={'no' if qid == 'drones-detect' else 'yes'}]").check()
            page.click("#score")
            page.wait_for_selector("#result")
            assert "الجاهزية الإجمالية" in page.locator("#overall").inner_text()
            gaps = page.locator("li[data-gap]")
            assert gaps.count() == 1 and gaps.first.get_attribute("data-gap") == "drones-detect"
            assert page.locator("li[data-gap] a[href$='/drones']").count() == 1
            page.screenshot(path=str(tmp_path / "readiness-ar.png"), full_page=True)
        finally:
            browser.close()
    assert all((tmp_path / f"{x}-ar.png").stat().st_size > 10_000 for x in ("trainer", "readiness"))
