"""The live drone map page in English, Arabic and French: its template and its words (gettext catalogs kept beside
the page, ``web/translations/<lang>.po``, read at run time like the web pages' own catalogs).

English is the msgid. Words the page's script shows (status, verdicts, alert kinds, rule names) are translated here
too and handed to the script as JSON, so the script holds no English of its own.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from basira.web import i18n

WEB_DIR = Path(__file__).parent / "web"
TRANSLATIONS_DIR = WEB_DIR / "translations"


def po_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / f"{lang}.po"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The page's catalog for ``lang`` (English, and any language it does not speak, get the msgids back).

    The catalog becomes an in-memory .mo so that gettext applies its plural rule; fuzzy entries are left out.
    """
    if lang not in i18n.LANGUAGES or lang == i18n.DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return i18n.po_translations(po_path(lang), lang)


@functools.cache
def environment(lang: str) -> Environment:
    """The page's template environment in ``lang`` (``_()`` formats after translating: new-style gettext)."""
    env = Environment(loader=FileSystemLoader(WEB_DIR), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(lang: str, direction: str, **context: Any) -> str:
    """The map page in ``lang`` written ``direction`` (``ltr`` or ``rtl``).

    Args:
        lang: One of :data:`basira.web.i18n.LANGUAGES` (another falls back to English).
        direction: The writing direction of ``lang``, as the web pages decide it.
        context: ``tile_url``, ``tile_attribution``, ``org``, ``user`` (already made safe to show) and
            ``languages``: (code, name, direction) of each language to offer, ``switch_path`` the page's path.
    """
    lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    return environment(lang).get_template("map.html").render(lang=lang, dir=direction, **context)
