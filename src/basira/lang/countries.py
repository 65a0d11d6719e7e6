"""Country names and codes to ISO 3166-1 alpha-2, from the CLDR territory names Babel ships (BSD licence) in several
languages, its alpha-3 aliases, and the long forms the UN list writes ("United Kingdom of Great Britain and Northern
Ireland", "Iran (Islamic Republic of)"), so that "United Kingdom", "GB", "GBR" and the UN's long form agree.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

from babel import Locale
from babel.core import get_global

_LOCALES = ("en", "fr", "ar", "es", "ru", "de")
# Long and former names lists use that CLDR does not give as territory names.
_LONG_FORMS = {
    "united kingdom of great britain and northern ireland": "GB", "great britain": "GB", "england": "GB",
    "united states of america": "US", "usa": "US", "iran islamic republic of": "IR",
    "islamic republic of iran": "IR", "syrian arab republic": "SY", "democratic peoples republic of korea": "KP",
    "north korea": "KP", "republic of korea": "KR", "south korea": "KR", "russian federation": "RU",
    "united republic of tanzania": "TZ", "bolivia plurinational state of": "BO",
    "venezuela bolivarian republic of": "VE", "lao peoples democratic republic": "LA", "republic of moldova": "MD",
    "viet nam": "VN", "democratic republic of the congo": "CD", "congo democratic republic of the": "CD",
    "republic of the congo": "CG", "libyan arab jamahiriya": "LY", "libya": "LY", "state of palestine": "PS",
    "palestinian territory": "PS", "turkiye": "TR", "micronesia federated states of": "FM", "burma": "MM",
    "ivory coast": "CI", "cote divoire": "CI", "the former yugoslav republic of macedonia": "MK",
    "north macedonia": "MK", "czech republic": "CZ", "swaziland": "SZ", "cape verde": "CV", "east timor": "TL",
    "holy see": "VA", "kosovo": "XK", "taiwan province of china": "TW", "hong kong sar": "HK",
}


def _key(text: str) -> str:
    t = unicodedata.normalize("NFKD", text.casefold())
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = re.sub(r"[’'`]", "", t)
    return " ".join(re.sub(r"[^\w]+", " ", t).split()).removeprefix("the ")


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for loc in _LOCALES:
        for code, name in Locale(loc).territories.items():
            if len(code) == 2 and code.isalpha():
                table.setdefault(_key(name), code)
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1:
            table.setdefault(alias.casefold(), targets[0])
    for name, code in _LONG_FORMS.items():
        table[_key(name)] = code
    return table


def country_table() -> dict[str, str]:
    """A copy of the table :func:`country_code` reads (folded names and alpha-3 codes -> alpha-2), for a holder
    that looks names up without Babel's locale data (see :func:`code_in`)."""
    return dict(_table())


def code_in(table: Mapping[str, str], text: str) -> str | None:
    """:func:`country_code` over a :func:`country_table` kept by the caller: the same answers, without loading
    Babel's locale data (several MB) on the first call."""
    key = _key(text)
    if not key:
        return None
    if len(key) == 2 and key.isascii() and key.isalpha():
        return key.upper() if key.upper() in table.values() else None
    code = table.get(key)
    if code is None and "(" in text:
        code = table.get(_key(re.sub(r"\(.*?\)", " ", text)))
    return code


@functools.lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country name (English, French, Arabic, Spanish, Russian, German, or a UN
    long form) or of an alpha-2 / alpha-3 code; ``None`` when it is none of these."""
    key = _key(text)
    if not key:
        return None
    if len(key) == 2 and key.isascii() and key.isalpha():
        return key.upper() if key.upper() in Locale("en").territories else None
    table = _table()
    code = table.get(key)
    if code is None and "(" in text:
        code = table.get(_key(re.sub(r"\(.*?\)", " ", text)))  # "Iran (Islamic Republic of)" -> Iran
    return code
