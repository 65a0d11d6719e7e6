"""Every HTML page of the app on a phone (390 CSS pixels wide), in English and in Arabic, and on a desktop (1,280),
in Chromium: nothing is wider than the screen (``scrollWidth`` of the document at most the screen's width); a
failure names the elements that stick out. The pages are found from the app's routes (``tests/web/site.py``), with
data of every kind."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from tests.web.conftest import Walk
from tests.web.site import BROWSER_HEADERS

from conftest import need

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Both directions on a phone; a desktop too (a long hash once made a case 1,459 px wide at 1,280).
SCREENS = [("en", PHONE), ("ar", PHONE), ("en", DESKTOP)]

# The elements that stick out of the screen and whose parent does not: where an overflow starts.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  const sticksOut = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && (r.right > width + 1 || r.left < -1); };
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || (el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement)))
      continue;
    let hidden = false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') { hidden = true; break; }
    }
    if (hidden) continue;
    const r = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].join('.') : '');
    out.push(`${name} [${Math.round(r.left)}..${Math.round(r.right)}]`);
  }
  if (!out.length) {  // positioned outside a scrolling box that is not its containing block
    for (const el of document.body.querySelectorAll('*')) {
      const position = getComputedStyle(el).position;
      if ((position === 'absolute' || position === 'fixed') && sticksOut(el))
        out.push(el.tagName.toLowerCase() + (el.classList.length ? '.' + [...el.classList].join('.') : ''));
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, out: out.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def _screen(browser: Any, walk: Walk, signed_in: bool, viewport: dict[str, int]) -> Any:
    """A page of ``viewport``'s size in a new browser context, signed in as the demo admin or not."""
    context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                  extra_http_headers=BROWSER_HEADERS)
    page = context.new_page()
    if signed_in:
        page.goto(f"{walk.base}/login")
        page.fill("#username", walk.site.username)
        page.fill("#password", walk.site.password)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{walk.base}/")
    return page


@pytest.mark.parametrize(("lang", "viewport"), SCREENS, ids=["phone-en", "phone-ar", "desktop-en"])
def test_no_page_is_wider_than_its_screen(browser: Any, walk: Walk, lang: str, viewport: dict[str, int]) -> None:
    phones = {True: _screen(browser, walk, True, viewport), False: _screen(browser, walk, False, viewport)}
    wide: list[str] = []
    try:
        for p in walk.pages:
            page = phones[p.signed_in]
            sep = "&" if "?" in p.url else "?"
            page.goto(f"{walk.base}{p.url}{sep}lang={lang}", wait_until="load")
            m = page.evaluate(OVERFLOW)
            if m["scroll"] > viewport["width"]:
                wide.append(f"{p.url} ({lang}): {m['scroll']} px wide; sticking out: {', '.join(m['out']) or '?'}")
    finally:
        for page in phones.values():
            page.context.close()
    assert not wide, f"wider than {viewport['width']} px:\n" + "\n".join(wide)
