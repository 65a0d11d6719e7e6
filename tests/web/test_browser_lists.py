"""Lists in a real browser (Debian's headless Chromium driven by Playwright): search for a case, open it, download
the results as CSV; then filter the queue by bank, page through it, select every matching case across the pages
and decide them in one go, landing back on the same filtered queue."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.factories import PASSWORD, make_user

from basira.core.instance import Instance
from basira.core.models import AuditEntry, Bank
from basira.core.principal import Principal
from basira.review.models import Case
from conftest import need

from .test_search_export import many_cases

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"])  # the TestClient tests cover both databases
def test_search_open_export_then_select_all_across_pages_and_decide(
        server: str, instance: Instance, admin: Principal, tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    make_user(instance, admin, "rita", "reviewer")
    ids = many_cases(instance, admin, 30, "Bulk bank", "post")
    others = many_cases(instance, admin, 2, "Other bank", "keep", start=100)
    with instance.db.session() as s:
        bank = s.scalars(select(Bank.id).where(Bank.name == "Bulk bank")).one()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True)
            errors: list[str] = []
            # (Chromium asks for /favicon.ico after the download's navigation; the pages name none.)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error"
                    and not m.location.get("url", "").endswith("/favicon.ico") else None)
            page.goto(f"{server}/login")
            page.fill("#username", "rita")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")

            # Search from the navigation, open a result.
            page.click("nav.sections a[href='/search']")
            page.fill("#search-q", "keep-1")
            page.click("form.search-form button[type=submit]")
            expect(page.locator("#found-cases")).to_have_attribute("data-total", "1")
            page.click("#found-cases a.result-link")
            page.wait_for_url(f"{server}/cases/{others[1]}")
            page.go_back()
            # On a phone the results, the filters and the bulk bar wrap instead of widening the page.
            page.set_viewport_size({"width": 390, "height": 800})
            for path in ("/search?q=post", f"/cases?bank={bank}&per_page=25"):
                page.goto(f"{server}{path}")
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            page.goto(f"{server}/search?q=keep-1")
            page.set_viewport_size({"width": 1280, "height": 900})

            # Download the results: a spreadsheet-safe CSV of every kind found.
            with page.expect_download() as dl:
                page.click("#export-csv")
            rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text("utf-8-sig"))))
            assert {(r["kind"], r["reference"]) for r in rows} == {("cases", "keep-1"), ("items", "keep-1")}

            # The queue of one bank, 25 a page: 30 cases on two pages.
            page.goto(f"{server}/cases?bank={bank}&per_page=25")
            expect(page.locator("#list-summary")).to_contain_text("30 cases match")
            expect(page.locator("#list-summary")).to_contain_text("page 1 of 2")
            expect(page.locator("tr[data-case]")).to_have_count(25)
            page.click(".pager a[rel=next]")
            expect(page.locator("tr[data-case]")).to_have_count(5)
            page.click(".pager a[rel=prev]")

            # The script shows the page's box; "all matching" checks the page too and takes every page.
            expect(page.locator("#select-page")).to_be_visible()
            page.check("#select-all")
            expect(page.locator("tr[data-case] input[name=case]:checked")).to_have_count(25)
            expect(page.locator("#select-page")).to_be_checked()
            page.select_option("#bulk-reason", "not_violating")
            page.fill("#bulk-rationale", "Press coverage of the incident.")
            page.click("#bulk button[type=submit].primary")
            page.wait_for_url(f"{server}/cases?bank={bank}&per_page=25&page=1")  # the same page of the same filter
            expect(page.locator(".alert.ok")).to_contain_text("30 of 30 open cases decided")
            expect(page.locator("tr[data-case]")).to_have_count(0)  # the open queue of that bank is empty
            assert errors == []
        finally:
            browser.close()

    with instance.db.session() as s:
        status = {i: st for i, st in s.execute(select(Case.id, Case.status))}
        exports = s.scalars(select(AuditEntry.target).where(AuditEntry.action == "list.export")).all()
    assert {status[i] for i in ids} == {"decided"} and {status[i] for i in others} == {"new"}
    assert exports == ["list:search"]
