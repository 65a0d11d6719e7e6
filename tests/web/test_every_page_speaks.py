"""Every HTML page of the app, with data of every kind, in Arabic and in French: no English word of our catalogs,
no code as stored (``text_minhash``, ``OPERATOR_IN_ZONE``), no ISO moment (``2027-03-01T10:00``) on the page.

The pages are found from the app's routes (``tests/web/site.py``), so a new page is checked as soon as it exists.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from tests.web.conftest import Walk
from tests.web.helpers import sign_in
from tests.web.site import browser_client
from tests.web.source_words import leaks, source_words

from basira.drones.alerts import AlertKind

LANGS = ("ar", "fr")
# Alert kinds are written in capitals, as codes: the word check leaves capitals alone, so they are named here.
CODES = frozenset(k.value for k in AlertKind)
# Leaks known on pages that are being rewritten elsewhere (the case page's evidence, the home page's dashboard):
# (route, what leaks). Remove an entry when its page is fixed; the test fails on an entry that no longer leaks.
KNOWN: frozenset[tuple[str, str]] = frozenset()  # leaks seen and not yet mended (none now)


def _iso(token: str) -> str:
    return "ISO moment" if token[:1].isdigit() else token


def _leaks_by_page(walk: Walk, lang: str) -> dict[tuple[str, str], list[str]]:
    """Every leak of every page in ``lang``: (route, leak) → where it was seen."""
    words = source_words(lang)
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    with browser_client(walk.base) as anon, browser_client(walk.base) as signed:
        sign_in(signed, walk.site.username, walk.site.password)
        for page in walk.pages:
            html = (signed if page.signed_in else anon).get(page.url, params={"lang": lang}).text
            assert f'<html lang="{lang}"' in html, f"{page.url} is not in {lang}"
            for token, context in leaks(html, lang, words, CODES):
                found[(page.route, _iso(token))].append(f"{page.url} ({lang}): {token!r} in …{context}…")
    return found


@pytest.fixture(scope="module")
def found(walk: Walk) -> dict[str, dict[tuple[str, str], list[str]]]:
    return {lang: _leaks_by_page(walk, lang) for lang in LANGS}


def test_the_walk_covers_a_page_of_every_kind(walk: Walk) -> None:
    routes = {p.route for p in walk.pages}
    assert {"/", "/login", "/cases", "/cases/{case_id}", "/admin/users", "/account", "/sharing", "/drones",
            "/exercise/{slug}", "(error)"} <= routes
    assert len(walk.site.params["case_id"]) >= 4  # a photo, a text, a screening and a drone case


def test_the_source_words_are_english_words_of_the_catalogs() -> None:
    fr, ar = source_words("fr"), source_words("ar")
    assert {"the", "review", "decided", "bank"} <= fr & ar
    assert "signal" not in fr and "signal" in ar  # French writes "signal" too
    assert "basira" not in ar  # a name


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_shows_an_english_source_string(found: dict[str, dict[tuple[str, str], list[str]]],
                                                lang: str) -> None:
    new = {key: where for key, where in found[lang].items() if key not in KNOWN}
    assert not new, "untranslated:\n" + "\n".join(w for where in new.values() for w in where[:3])


def test_every_known_leak_still_leaks(found: dict[str, dict[tuple[str, str], list[str]]]) -> None:
    seen = set(found["ar"]) | set(found["fr"])
    gone = sorted(KNOWN - seen)
    assert not gone, f"fixed: remove these from KNOWN in {__file__}: {gone}"
