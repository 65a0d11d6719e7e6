"""Languages of the web pages: gettext catalogs read from ``translations/*.po`` at run time, the choice of
language for a request, and numbers and dates in that language (Babel).

English is the msgid. To add strings: write them in a template inside ``{% trans %}`` or ``_()``, then add
the msgid and its translation to ``translations/ar.po`` and ``translations/fr.po`` (a test fails until both have
it). ``pybabel extract -F src/basira/web/translations/babel.cfg src/basira/web`` lists every msgid.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

LANGUAGES: tuple[str, ...] = ("en", "ar", "fr")
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
# An Accept-Language header is attacker-controlled: look at a bounded number of its entries only.
_MAX_ACCEPT_ENTRIES = 30


def po_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / f"{lang}.po"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang``, read from its .po file once per process (English has none).

    The catalog is turned into an in-memory .mo so that the standard library applies the plural rule of the
    Plural-Forms header; fuzzy entries are left out, as gettext would.
    """
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def normalise(tag: str | None) -> str | None:
    """The supported language of a tag like ``ar``, ``fr-CA`` or ``en_GB``, else None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str) -> str | None:
    """The supported language the browser prefers most (highest q, then the order given), else None."""
    ranked: list[tuple[float, int, str]] = []
    for pos, part in enumerate(header.split(",")[:_MAX_ACCEPT_ENTRIES]):
        tag, _, params = part.partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        lang = normalise(tag)
        if lang and q > 0:
            ranked.append((-q, pos, lang))
    return min(ranked)[2] if ranked else None


def choose_language(query: str | None, cookie: str | None, user_locale: str | None,
                    accept_language: str) -> str:
    """``?lang=`` first, then the language cookie (an earlier ``?lang=``), the user's locale, the browser's."""
    return (normalise(query) or normalise(cookie) or normalise(user_locale)
            or from_accept_language(accept_language) or DEFAULT_LANGUAGE)


def direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def autonym(lang: str) -> str:
    """A language's name in that language (from CLDR, not from our catalogs), e.g. "العربية"."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def template_context(lang: str) -> dict[str, Any]:
    """What every template needs to speak ``lang``: the gettext callables of Jinja's i18n extension.

    They are "new style": ``_("%(n)s signals", n=3)`` formats after translating, and the translated string is
    trusted markup while the variables are escaped.
    """
    tr = translations(lang)

    @pass_context
    def _gettext(ctx: Context, message: str, **variables: Any) -> str:
        rv = tr.gettext(message)
        if ctx.eval_ctx.autoescape:
            # Our own catalogs are trusted markup; the % operator of Markup escapes the variables.
            return Markup(rv) % variables  # noqa: S704
        return rv % variables if variables else rv

    @pass_context
    def _ngettext(ctx: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        rv = tr.ngettext(singular, plural, num)
        if ctx.eval_ctx.autoescape:
            return Markup(rv) % variables  # noqa: S704
        return rv % variables

    return {"gettext": _gettext, "ngettext": _ngettext, "lang": lang, "dir": direction(lang)}


@pass_context
def number_filter(ctx: Context, value: int | float) -> str:
    """A number written the way the page's language writes it (grouping, decimal sign)."""
    return format_decimal(value, locale=ctx["lang"])


@pass_context
def datetime_filter(ctx: Context, value: dt.datetime) -> str:
    """A moment in UTC, written the way the page's language writes dates and times."""
    return format_datetime(value, "medium", tzinfo=dt.UTC, locale=ctx["lang"])
