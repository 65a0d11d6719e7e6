"""The catalogs and the choice of language: every msgid of the templates is translated in Arabic and French."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from basira.web import i18n
from basira.web.pages import TEMPLATES_DIR

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def template_msgids() -> dict[str, str]:
    """Every msgid used in a template, with the first place it is used."""
    found: dict[str, str] = {}
    for path in sorted(Path(TEMPLATES_DIR).glob("*.html")):
        with path.open("rb") as f:
            for lineno, _func, message, _comments in babel_extract(
                    f, ("_", "gettext", "ngettext"), [], {"newstyle_gettext": "true", "trimmed": "true"}):
                msgids = message if isinstance(message, tuple) else (message,)
                for msgid in msgids:
                    if msgid:
                        found.setdefault(msgid, f"{path.name}:{lineno}")
    return found


def catalog(lang: str) -> Catalog:
    with i18n.po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def test_the_templates_use_the_catalog() -> None:
    assert len(template_msgids()) > 40


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_template_msgid_has_a_translation(lang: str) -> None:
    cat = catalog(lang)
    missing = [f"{where}: {msgid!r}" for msgid, where in template_msgids().items()
               if not (m := cat.get(msgid)) or not m.string or m.fuzzy]
    assert not missing, f"untranslated in {lang}.po:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_translations_keep_the_placeholders_of_their_msgid(lang: str) -> None:
    wrong = [m.id for m in catalog(lang) if m.id and isinstance(m.id, str) and isinstance(m.string, str)
             and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert not wrong


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_catalogs_hold_no_stale_msgids(lang: str) -> None:
    used = set(template_msgids())
    stale = [m.id for m in catalog(lang) if m.id and m.id not in used]
    assert not stale, f"remove these from {lang}.po: {stale}"


def test_the_runtime_catalog_translates() -> None:
    assert i18n.translations("ar").gettext("Sign in") == "تسجيل الدخول"
    assert i18n.translations("fr").gettext("Password") == "Mot de passe"
    assert i18n.translations("en").gettext("Password") == "Password"


@pytest.mark.parametrize(("query", "cookie", "locale", "accept", "expected"), [
    ("ar", "fr", "fr", "fr", "ar"),  # ?lang= wins over everything
    (None, "fr", "ar", "ar", "fr"),  # then an earlier ?lang=, kept in the cookie
    ("xx", None, "ar", "fr", "ar"),  # an unknown ?lang= is ignored; the user's locale follows
    (None, None, None, "de-DE, fr-CA;q=0.8, ar;q=0.9", "ar"),  # the browser's best supported language
    (None, None, None, "fr;q=0, en;q=0.1", "en"),  # q=0 means "not this one"
    (None, None, None, "ar_EG", "ar"),  # underscores and regions are tolerated
    (None, None, None, "", "en"),
    (None, None, None, ";;;,q=abc,fr;q=notanumber", "en"),  # garbage is not an error
    (None, None, None, "de," * 10_000 + "fr", "en"),  # only the first entries of a huge header are read
])
def test_the_language_is_chosen_in_order(query: str | None, cookie: str | None, locale: str | None,
                                         accept: str, expected: str) -> None:
    assert i18n.choose_language(query, cookie, locale, accept) == expected


def test_arabic_is_right_to_left_and_the_others_left_to_right() -> None:
    assert [i18n.direction(x) for x in i18n.LANGUAGES] == ["ltr", "rtl", "ltr"]
    assert [i18n.autonym(x) for x in i18n.LANGUAGES] == ["English", "العربية", "Français"]
