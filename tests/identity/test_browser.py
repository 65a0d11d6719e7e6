"""One sign-in through the identity provider in headless Chromium: button, provider, callback, signed-in page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import need

from .provider import Provider

pytestmark = pytest.mark.browser


# One backend is enough here: the TestClient tests cover both databases.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_browser_signs_in_through_the_provider_and_out_again(server: str, configured: Provider,
                                                             tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="fr-FR")
            page.goto(f"{server}/login")
            button = page.get_by_role("link", name="Se connecter avec Acme Login")
            button.click()
            page.wait_for_url(f"{server}/")
            assert "rana@acme.example" in page.content()
            page.screenshot(path=str(tmp_path / "signed-in.png"), full_page=True)
            configured.user = {**configured.user, "groups": []}
            page.context.clear_cookies()
            page.goto(f"{server}/login")
            page.get_by_role("link", name="Se connecter avec Acme Login").click()
            page.wait_for_load_state()
            assert "Connexion refusée" in page.content()
        finally:
            browser.close()
