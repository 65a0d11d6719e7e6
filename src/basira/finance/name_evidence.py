"""What corroborates or contradicts a name hit (birth date, nationality, gender, documents), birth-date parsing,
and the plain-text explanation of a hit."""

from __future__ import annotations

import datetime as dt
import re

from basira.core.errors import InvalidInput
from basira.finance.names import FEATURE_WEIGHTS, DateSpan, Gender, NameHit, NameRecord

_W = FEATURE_WEIGHTS


def _norm_doc(doc: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", doc).upper()


def _norm_country(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold())


def corroboration(rec: NameRecord, birth: DateSpan | None, nationality: tuple[str, ...], gender: Gender | None,
                  documents: tuple[str, ...]) -> dict[str, float]:
    """The features the details given with a query add to a hit on ``rec`` (none when a detail is missing)."""
    feats: dict[str, float] = {}
    if birth is not None and rec.birth_dates:
        gaps = [max((s.earliest - birth.latest).days, (birth.earliest - s.latest).days) for s in rec.birth_dates]
        if min(gaps) <= 0:
            feats["birth_date_match"] = _W["birth_date_match"]
        elif min(gaps) > 366:
            feats["birth_date_mismatch"] = _W["birth_date_mismatch"]
    if nationality and rec.nationalities:
        given = {_norm_country(n) for n in nationality} - {""}
        listed = {_norm_country(n) for n in rec.nationalities} - {""}
        # Codes are compared with codes and country names with names, so two vocabularies never contradict.
        comparable = any((len(a) == 2) == (len(b) == 2) for a in given for b in listed)
        if given & listed:
            feats["nationality_match"] = _W["nationality_match"]
        elif comparable:
            feats["nationality_mismatch"] = _W["nationality_mismatch"]
    if gender and rec.gender and gender != rec.gender:
        feats["gender_mismatch"] = _W["gender_mismatch"]
    if documents and rec.documents:
        if {_norm_doc(d) for d in documents} & {_norm_doc(d) for d in rec.documents} - {""}:
            feats["document_match"] = _W["document_match"]
    return feats


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                         "dec"), 1)}


def _span(year: int, month: int | None = None, day: int | None = None) -> DateSpan:
    try:
        if day is not None and month is not None:
            d = dt.date(year, month, day)
            return DateSpan(d, d)
        if month is not None:
            start = dt.date(year, month, 1)
            nxt = dt.date(year + month // 12, month % 12 + 1, 1)
            return DateSpan(start, nxt - dt.timedelta(days=1))
        return DateSpan(dt.date(year, 1, 1), dt.date(year, 12, 31))
    except ValueError as exc:
        raise InvalidInput(f"not a real date: {exc}") from None


def parse_date_span(text: str) -> DateSpan:
    """See :meth:`basira.finance.names.DateSpan.parse`."""
    t = text.strip().casefold()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        return _span(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", t)
    if m:
        return _span(int(m[1]), int(m[2]))
    m = re.fullmatch(r"(\d{1,2}) ([a-z]{3})[a-z]* (\d{4})", t)
    if m and m[2] in _MONTHS:
        return _span(int(m[3]), _MONTHS[m[2]], int(m[1]))
    m = re.fullmatch(r"([a-z]{3})[a-z]* (\d{4})", t)
    if m and m[1] in _MONTHS:
        return _span(int(m[2]), _MONTHS[m[1]])
    m = re.fullmatch(r"(\d{4})", t)
    if m:
        return _span(int(m[1]))
    m = re.fullmatch(r"(?:~|circa|ca\.?|c\.|approx\.?|approximately)\s*(\d{4})", t)
    if m:
        y = int(m[1])
        return DateSpan(_span(y - 2).earliest, _span(y + 2).latest)
    m = re.fullmatch(r"(\d{4})\s*(?:\.\.|to|-|–)\s*(\d{4})", t)
    if m and int(m[1]) <= int(m[2]):
        return DateSpan(_span(int(m[1])).earliest, _span(int(m[2])).latest)
    raise InvalidInput(f"not a birth date: {text[:40]!r} (use YYYY-MM-DD, YYYY-MM, YYYY, ~YYYY or YYYY..YYYY)")


def explain_hit(hit: NameHit) -> str:
    """See :meth:`basira.finance.names.NameHit.explain`."""
    lines = [f"{hit.query_name!r} ~ {hit.matched_name!r}: score {hit.score:.2f}" + (" (alert)" if hit.alert else "")]
    for name, value in sorted(hit.features.items(), key=lambda kv: -abs(kv[1])):
        lines.append(f"  {value:+.2f}  {name}")
    return "\n".join(lines)
