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
import re
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

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
    return po_translations(po_path(lang), lang)


def po_translations(path: Path, lang: str) -> gettext.GNUTranslations:
    """The translations in the .po file at ``path``, compiled in memory (fuzzy entries left out, as gettext would)."""
    with path.open("rb") as f:
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
    # Markup: Babel's output is trusted, and the bidi marks it puts in Arabic numbers and dates must stay marks.
    return escape(format_decimal(value, locale=ctx["lang"]))


def as_moment(value: dt.datetime | str) -> dt.datetime:
    """``value`` as an aware moment: an ISO 8601 string (as the audit log and JSON keep moments) is read, and a
    moment without a zone is taken as UTC (how the database stores them).

    Raises:
        ValueError: ``value`` is a string that is not an ISO 8601 moment.
    """
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@pass_context
def datetime_filter(ctx: Context, value: dt.datetime | str) -> str:
    """A moment in UTC (or an ISO 8601 string of one), written the way the page's language writes dates and
    times."""
    return escape(format_datetime(as_moment(value), "medium", tzinfo=dt.UTC, locale=ctx["lang"]))


@pass_context
def date_filter(ctx: Context, value: dt.date | str) -> str:
    """A day (or the day of an ISO 8601 moment, in UTC), written the way the page's language writes dates."""
    day = as_moment(value).astimezone(dt.UTC).date() if isinstance(value, (str, dt.datetime)) else value
    return escape(format_date(day, "medium", locale=ctx["lang"]))


# Characters that reorder or hide text: bidi embeddings, overrides, isolates and marks, and C0/C1 controls.
# Shown as a visible code instead (a name with U+202E cannot then disguise itself or what follows it).
_HIDDEN = frozenset([*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u200e", "\u200f",
                     "\u061c", *(chr(c) for c in range(0x20) if chr(c) not in "\n\r\t"), "\x7f",
                     *map(chr, range(0x80, 0xA0))])


def visible(value: str) -> str:
    """``value`` with every hidden control character written as a visible ``⟦U+202E⟧``."""
    if not any(c in _HIDDEN for c in value):
        return value
    return "".join(f"⟦U+{ord(c):04X}⟧" if c in _HIDDEN else c for c in value)


def finalize(value: Any) -> Any:
    """Jinja's last step before output: plain strings from data are made visible; trusted markup is left."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


@pass_context
def due_filter(ctx: Context, value: dt.datetime) -> str:
    """A deadline relative to now, in the page's language ("in 3 hours", "2 days ago")."""
    now = dt.datetime.now(dt.UTC)
    return escape(format_timedelta(value - now, add_direction=True, threshold=1.0, locale=ctx["lang"]))


@pass_context
def partial_date_filter(ctx: Context, value: str) -> str:
    """A date as lists write it (``1961``, ``1961-05``, ``1961-05-02``) in the page's language, to the precision it
    has; any other text is shown as it is."""
    m = _PARTIAL_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if not m:
        return escape(value)
    try:
        day = dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return escape(value)
    lang = ctx["lang"]
    if m[3]:
        return escape(format_date(day, "medium", locale=lang))
    if m[2]:
        return escape(format_skeleton("yMMMM", day, locale=lang))
    return escape(format_skeleton("y", day, locale=lang))


@pass_context
def country_filter(ctx: Context, code: str | None) -> str:
    """A country's name in the page's language from its ISO 3166-1 alpha-2 code ("" when the code is unknown)."""
    if not code:
        return ""
    return escape(Locale.parse(ctx["lang"]).territories.get(code.upper(), ""))


_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
