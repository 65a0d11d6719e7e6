"""What tells two otherwise equal names apart by number: the numbers written in them, a Roman numeral at the end
("BICENTENARIO XII", "RIM GROUP INVESTMENTS II CORP."), an aircraft's registration mark ("EP-ITC"), whose
letters are an identifier, not a name to spell loosely, and a country in brackets, which names one branch of an
organization ("AL-HARAMAIN FOUNDATION (KENYA)" is not its "(PAKISTAN)" branch).
:class:`basira.finance.name_scoring.IndexState` compares them (``number_mismatch``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from basira.lang.countries import code_in, country_code
from basira.lang.scripts import normalize_name, screenable

_NUMBER = re.compile(r"\d+")
# I, V and X only: C, D, L and M at the end of a name are far more often initials or legal forms (S. de R.L. de
# C.V., "CC", "Car Care Center CCC").
_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
# A word of I, V and X in capitals anywhere in a name: only such a name is read further for a trailing numeral.
_ROMAN_WORD = re.compile(r"(?<![^\W\d_])[IVX]+(?![^\W\d_])")
# A registration mark as aircraft are registered: a nationality prefix of one or two letters or digits, a hyphen,
# two to five letters or digits (EP-ITC, YK-AKA, 4L-GEO, UP-I7601).
_MARK = re.compile(r"^[A-Z0-9]{1,2}-[A-Z0-9]{2,5}$")
_BRACKETED = re.compile(r"\(([^()]*)\)")
#: The kinds of identifier other than numbers, each compared only with its own kind.
_KINDS = ("mark:", "place:")


def numbers(text: str) -> frozenset[str]:
    """The numbers written in a name, without leading zeros."""
    return frozenset(n.lstrip("0") or "0" for n in _NUMBER.findall(text))


def roman_value(word: str) -> int | None:
    """The value of a Roman numeral of I, V and X written in capitals ("XII" -> 12), else None."""
    if not word or not word.isupper() or not _ROMAN.match(word):
        return None
    values = [_ROMAN_VALUES[c] for c in word]
    return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))


def trailing_roman(text: str) -> int | None:
    """The Roman numeral that ends a name of two words or more once its legal forms are set aside ("BICENTENARIO
    XII", "RIM GROUP INVESTMENTS I CORP."), else None. A numeral first or inside a name is left alone: "XI
    Jinping", Serbian "I" (and) in "Promet I Usluge", an initial ("Tatiana V Chernykh")."""
    if not _ROMAN_WORD.search(text):
        return None  # most names: no legal forms to set aside for nothing
    words = normalize_name(text).split()
    if len(words) < 2:
        return None
    return roman_value(words[-1].strip(".,;:"))


def registration_mark(text: str) -> str | None:
    """A one-word name written as a registration mark ("EP-ITC" -> "EPITC"), else None."""
    word = screenable(text).strip().upper()
    return word.replace("-", "") if _MARK.match(word) else None


def bracketed_countries(text: str, table: Mapping[str, str] | None = None) -> frozenset[str]:
    """The ISO codes of the countries a name writes in brackets ("AL-HARAMAYN FOUNDATION (KENYA)" -> KE), as
    :func:`told_apart` reads the ``place:`` identifiers; with ``table`` (:func:`basira.lang.countries.country_table`),
    looked up there."""
    return _countries(_bracketed(text), table)


def _bracketed(text: str) -> frozenset[str]:
    """What a name writes in brackets, each stripped (empty brackets left out)."""
    return frozenset(inner for inner in (m.strip() for m in _BRACKETED.findall(text)) if inner)


def _countries(texts: frozenset[str], table: Mapping[str, str] | None) -> frozenset[str]:
    texts = frozenset(t for t in texts if t and not any(c.isdigit() for c in t))
    if table is None:
        codes = [country_code(t) for t in texts]
    else:
        codes = [code_in(table, t) for t in texts]
    return frozenset(code for code in codes if code)


def identifiers(text: str, aircraft: bool) -> frozenset[str]:
    """What tells two names apart by number: the numbers written in ``text``, a Roman numeral at its end counted
    as a number ("BICENTENARIO II" holds 2, as "BICENTENARIO 2" does), and, when ``aircraft`` is set (a listed
    aircraft, or a query that may be one), the registration mark the name is; and the countries it writes in
    brackets."""
    found = set(numbers(screenable(text)))
    if "(" in text:
        # As written: the table of country names is read only when both names bracket something (told_apart).
        found.update(f"place:{inner}" for inner in _bracketed(text))
    roman = trailing_roman(text)
    if roman is not None:
        found.add(str(roman))
    if aircraft:
        mark = registration_mark(text)
        if mark is not None:
            found.add(f"mark:{mark}")
    return frozenset(found)


def told_apart(query: frozenset[str], listed: frozenset[str], countries: Mapping[str, str] | None = None) -> bool:
    """Whether two names' :func:`identifiers` tell them apart: both hold numbers and they differ, both are
    registration marks and they differ, or both name countries in brackets and none is the same. A number, a mark
    or a country on one side only says nothing (lists leave them out). ``countries``: the table countries are
    looked up in (the index keeps one, so that no query loads Babel's locale data)."""
    q_rest, l_rest = set(query), set(listed)
    for kind in _KINDS:
        q_kind = frozenset(x.removeprefix(kind) for x in query if x.startswith(kind))
        l_kind = frozenset(x.removeprefix(kind) for x in listed if x.startswith(kind))
        q_rest -= {kind + x for x in q_kind}
        l_rest -= {kind + x for x in l_kind}
        if not (q_kind and l_kind):
            continue
        if kind == "place:":
            q_kind, l_kind = _countries(q_kind, countries), _countries(l_kind, countries)
            if q_kind and l_kind and not q_kind & l_kind:
                return True
        elif q_kind != l_kind:
            return True
    return bool(q_rest) and bool(l_rest) and q_rest != l_rest
