"""What tells two otherwise equal names apart by number: the numbers written in them, a Roman numeral at the end
("BICENTENARIO XII", "RIM GROUP INVESTMENTS II CORP."), and an aircraft's registration mark ("EP-ITC"), whose
letters are an identifier, not a name to spell loosely. :class:`basira.finance.name_scoring.IndexState` compares
them (``number_mismatch``)."""

from __future__ import annotations

import functools
import re

from basira.lang.scripts import normalize_name, screenable

_NUMBER = re.compile(r"\d+")
# I, V and X only: C, D, L and M at the end of a name are far more often initials or legal forms (S. de R.L. de
# C.V., "CC", "Car Care Center CCC").
_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
# A registration mark as aircraft are registered: a nationality prefix of one or two letters or digits, a hyphen,
# two to five letters or digits (EP-ITC, YK-AKA, 4L-GEO, UP-I7601).
_MARK = re.compile(r"^[A-Z0-9]{1,2}-[A-Z0-9]{2,5}$")


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
    words = normalize_name(text).split()
    if len(words) < 2:
        return None
    return roman_value(words[-1].strip(".,;:"))


def registration_mark(text: str) -> str | None:
    """A one-word name written as a registration mark ("EP-ITC" -> "EPITC"), else None."""
    word = screenable(text).strip().upper()
    return word.replace("-", "") if _MARK.match(word) else None


@functools.lru_cache(maxsize=65536)
def identifiers(text: str, aircraft: bool) -> frozenset[str]:
    """What tells two names apart by number: the numbers written in ``text``, a Roman numeral at its end counted
    as a number ("BICENTENARIO II" holds 2, as "BICENTENARIO 2" does), and, when ``aircraft`` is set (a listed
    aircraft, or a query that may be one), the registration mark the name is."""
    found = set(numbers(screenable(text)))
    roman = trailing_roman(text)
    if roman is not None:
        found.add(str(roman))
    if aircraft:
        mark = registration_mark(text)
        if mark is not None:
            found.add(f"mark:{mark}")
    return frozenset(found)


def told_apart(query: frozenset[str], listed: frozenset[str]) -> bool:
    """Whether two names' :func:`identifiers` tell them apart: both hold numbers and they differ, or both are
    registration marks and they differ. A number or a mark on one side only says nothing (lists leave them out)."""
    q_marks = {x for x in query if x.startswith("mark:")}
    l_marks = {x for x in listed if x.startswith("mark:")}
    if q_marks and l_marks and q_marks != l_marks:
        return True
    q_nums, l_nums = query - q_marks, listed - l_marks
    return bool(q_nums) and bool(l_nums) and q_nums != l_nums
