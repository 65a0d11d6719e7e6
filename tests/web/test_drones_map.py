"""The live drone map page speaks English, Arabic (right to left) and French: its catalogs are complete, and the
page is served in the language the other pages would choose."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.models import Organization
from basira.core.principal import Principal
from basira.web import drones_map as mappage

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
PASSWORD = "correct horse battery staple"
TEMPLATE = mappage.WEB_DIR / "map.html"
SCRIPT = mappage.WEB_DIR / "static" / "drones-map.js"


def signed_in(client: Any, instance: Instance, admin: Principal, username: str, locale: str = "en") -> None:
    """A user of the admin's organization, signed in through the real form."""
    with instance.db.session() as s:
        orgs.create_user(s, admin, admin.org_id, username, PASSWORD, "analyst", locale=locale)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    r = client.post("/login", data={"csrf": token.group(1), "username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text


def page_msgids() -> set[str]:
    with TEMPLATE.open("rb") as f:
        found = babel_extract(f, ("_", "gettext", "ngettext"), [],
                              {"newstyle_gettext": "true", "trimmed": "true", "extensions": "jinja2.ext.i18n"})
        return {m for _line, _func, message, _c in found
                for m in (message if isinstance(message, tuple) else (message,)) if m}


def catalog(lang: str) -> Catalog:
    with mappage.po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def embedded_texts(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="map-text">(.*?)</script>', html, re.S)
    assert found, "the page carries no words for its script"
    texts: dict[str, Any] = json.loads(found.group(1))
    return texts


def test_the_page_takes_its_words_from_the_catalog() -> None:
    assert len(page_msgids()) > 30


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_word_of_the_page_is_translated_and_no_other(lang: str) -> None:
    cat, used = catalog(lang), page_msgids()
    missing = sorted(m for m in used if not (e := cat.get(m)) or not e.string or e.fuzzy)
    stale = sorted(e.id for e in cat if e.id and e.id not in used)
    assert not missing, f"untranslated in {lang}.po: {missing}"
    assert not stale, f"remove these from {lang}.po: {stale}"


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_translations_keep_their_placeholders(lang: str) -> None:
    wrong = [e.id for e in catalog(lang) if isinstance(e.id, str) and isinstance(e.string, str)
             and sorted(PLACEHOLDER.findall(e.id)) != sorted(PLACEHOLDER.findall(e.string))]
    assert not wrong


def test_the_script_shows_no_english_of_its_own() -> None:
    # Every word it shows comes from the page's JSON (T.…); its own string literals are classes, keys and names.
    code = "\n".join(line for line in SCRIPT.read_text().splitlines() if not line.strip().startswith("//"))
    literals = " | ".join(re.findall(r'"((?:[^"\\]|\\.)*)"', code))
    assert "verdict-" in literals  # the scan sees the literals
    for phrase in ("connecting", "authorised", "operator of", "cannot be reached", "m/s", "No tile", "allowlist"):
        assert phrase not in literals, phrase


@pytest.mark.parametrize("backend", ["sqlite"])  # no database work beyond signing in
def test_the_map_renders_in_arabic_right_to_left(client: Any, instance: Instance, admin: Principal) -> None:
    signed_in(client, instance, admin, "layla")
    r = client.get("/drones?lang=ar")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>الطائرات المسيّرة</h1>" in html and "المسارات" in html and "التنبيهات" in html
    assert "Tracks" not in html and "connecting…" not in html
    # The map keeps Leaflet's left-to-right layout inside the right-to-left page.
    assert re.search(r'<div id="map" dir="ltr"', html)
    texts = embedded_texts(html)
    assert texts["verdict"]["suspect"] == "مشبوه" and texts["kind"]["ENTER"] == "دخل منطقة"
    assert texts["authorised"] == "مُصرَّح لها: %(purpose)s"  # the script fills the placeholder
    # The choice is remembered, as on the other pages: the next visit without ?lang= stays in Arabic.
    assert r.cookies.get("basira_lang") == "ar"
    assert '<html lang="ar" dir="rtl">' in client.get("/drones").text


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(("asked", "direction", "heading", "status"), [
    ("fr", "ltr", "Drones", "connexion…"),
    ("en", "ltr", "Drones", "connecting…"),
])
def test_the_map_renders_in_french_and_english(client: Any, instance: Instance, admin: Principal, asked: str,
                                               direction: str, heading: str, status: str) -> None:
    signed_in(client, instance, admin, "luc")
    html = client.get(f"/drones?lang={asked}").text
    assert f'<html lang="{asked}" dir="{direction}">' in html
    assert f"<h1>{heading}</h1>" in html and status in html
    assert embedded_texts(html)["tiles_unreachable"] == mappage.translations(asked).gettext(
        "Map tiles cannot be reached: plain vector map.")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_users_own_language_applies_without_asking(client: Any, instance: Instance, admin: Principal) -> None:
    signed_in(client, instance, admin, "amira", locale="ar")
    assert 'dir="rtl"' in client.get("/drones").text.split(">", 2)[1]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_names_cannot_reorder_the_header(client: Any, instance: Instance, admin: Principal) -> None:
    # A right-to-left override in the organization's name is shown as a visible code, inside an isolate.
    with instance.db.session() as s:
        org = s.get(Organization, admin.org_id)
        assert org is not None
        org.name = "Acme\u202egnp.exe"
    signed_in(client, instance, admin, "eve")
    html = client.get("/drones?lang=en").text
    assert "\u202e" not in html and "<bdi>Acme⟦U+202E⟧gnp.exe</bdi> · <bdi>eve</bdi>" in html


def test_an_unknown_language_falls_back_to_english() -> None:
    html = mappage.render("xx", "ltr", tile_url="", tile_attribution="", org="", user="", switch_path="/drones",
                          languages=[])
    assert '<html lang="en" dir="ltr">' in html and "<h1>Drones</h1>" in html


def test_catalog_files_sit_beside_the_template() -> None:
    assert {p.name for p in Path(mappage.TRANSLATIONS_DIR).glob("*.po")} == {"ar.po", "fr.po"}


@pytest.mark.parametrize("url", ["https://t\u202eiles.example/{z}/{x}/{y}.png", "https://a.example;script-src*/{z}.png",
                                 "ftp://tiles.example/{z}.png", "https://tilés.example/{z}.png"])
def test_a_tile_url_unfit_for_the_policy_header_falls_back_to_the_vector_map(instance: Instance, url: str) -> None:
    from basira.drones.settings import DroneSettings
    from basira.web.drones_map import tile_settings

    def with_url(u: str) -> Any:
        return type("Inst", (), {"settings": instance.settings.with_section(DroneSettings(drones_tile_url=u))})()

    assert tile_settings(with_url(url))[0] == ""
    good = "https://{s}.tile.example:8443/{z}/{x}/{y}.png"
    assert tile_settings(with_url(good))[0] == good
