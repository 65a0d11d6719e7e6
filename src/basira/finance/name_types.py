"""The name matcher's shared types: what is indexed (records, names, birth-date spans), what a query returns (hits
and their named features) and the limits; a leaf that imports no other name module, so that the index, its
scoring and its evidence all depend on it and never on each other through it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from basira.core.errors import InvalidInput

EntryId = int | str
Quality = Literal["strong", "weak"]
Gender = Literal["male", "female"]
Kind = Literal["person", "organization", "vessel", "aircraft", "other"]

#: A hit at or above this score raises an alert (chosen on the tuning halves of the benchmark's query sets).
DEFAULT_THRESHOLD = 0.8
#: Names longer than this are refused with :class:`basira.core.errors.InvalidInput`.
MAX_NAME_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Feature:
    """One named contribution to a screening score; ``doc`` is the user documentation of what it measures."""

    name: str
    weight: float
    doc: str


#: Every feature a score can hold, with its weight (the most it adds or, when negative, takes away).
FEATURES: tuple[Feature, ...] = (
    Feature("name_match", 1.0, "How well the two names explain each other, whatever their word order: each part "
            "of the query is paired with its most similar part of the listed name (across scripts on consonant "
            "keys, so محمد, Muhammad and Mohamed agree, and the long vowels Arabic writes must agree too, so جمال is "
            "not Jamil; between two Latin spellings all vowels count, so Hamad is not Hamza), and each part "
            "weighs by how rare it is on the lists themselves, so that a shared 'Mohammed' counts far less than a "
            "shared 'Zawahiri'. The value is the share of the query that the listed name explains times the share "
            "of the listed name that the query explains: 'Fadi Nasser' explains only part of a listed 'Fadi Nabih "
            "Nasser', whose rare 'Nabih' it lacks."),
    Feature("weak_alias", -0.15, "The matched name is an alias the list itself calls weak (low quality): it takes "
            "away this share of the name match."),
    Feature("low_information", -0.25, "The query holds little that is distinctive (one part, or only very common "
            "parts such as 'Mohammed Ali'): the less information, the more is taken away, so common names do not "
            "flood."),
    Feature("number_mismatch", -0.3, "Both names hold numbers and they differ ('SAM JONG 1' is not 'SAM JONG 2', "
            "'YV1003' not 'YV1009'; a Roman numeral ending a name counts as its number, 'BICENTENARIO XII' is not "
            "'BICENTENARIO XI'), or both are an aircraft's registration mark and they differ ('EP-ITC' is not "
            "'EP-ITG'), or both name countries in brackets and none is the same (branches: 'AL-HARAMAIN FOUNDATION "
            "(KENYA)' is not its '(PAKISTAN)' branch): vessels, aircraft and companies are often told apart by a "
            "number alone."),
    Feature("birth_date_match", 0.05, "A birth date given with the query falls in one of the listed dates or ranges."),
    Feature("birth_date_mismatch", -0.1, "A birth date was given and is more than a year away from every listed "
            "date or range: evidence against, never enough alone to cancel an exact name (lists get dates wrong)."),
    Feature("nationality_match", 0.03, "A given nationality is one of the listed ones."),
    Feature("nationality_mismatch", -0.08, "Nationalities were given and none of them is listed for the entry."),
    Feature("gender_mismatch", -0.25, "The query's gender differs from the listed gender."),
    Feature("document_match", 0.3, "A document number given with the query equals a listed one (ignoring spaces, "
            "dashes and letter case)."),
)
FEATURE_WEIGHTS: dict[str, float] = {f.name: f.weight for f in FEATURES}


@dataclass(frozen=True, slots=True)
class NameVariant:
    """One name or alias of a listed party.

    Attributes:
        name: The name as written on the list, in any script; a string mixing scripts is split per script.
        quality: ``"weak"`` for aliases the list itself calls low quality; they match with reduced weight.
        script: ``"latin"``, ``"arabic"`` ...; detected from the text when ``None``.
    """

    name: str
    quality: Quality = "strong"
    script: str | None = None

    def __reduce__(self) -> tuple[type[NameVariant], tuple[object, ...]]:
        return NameVariant, (self.name, self.quality, self.script)  # fast unpickling of saved indexes


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A birth date as an inclusive span of days: an exact day, a month, a year, an approximate year or a range."""

    earliest: dt.date
    latest: dt.date

    def __reduce__(self) -> tuple[type[DateSpan], tuple[object, ...]]:
        return DateSpan, (self.earliest, self.latest)

    @classmethod
    def parse(cls, text: str) -> DateSpan:
        """Reads ``1961-05-02``, ``1961-05``, ``1961``, ``circa 1961`` / ``~1961`` (±2 years) or ``1958..1962``.

        Raises:
            InvalidInput: The text is no date, or names an impossible day such as ``1961-13-45``.
        """
        return parse_date_span(text)

    @classmethod
    def of(cls, value: str | dt.date | DateSpan) -> DateSpan:
        """Turns a string, a date or a span into a span."""
        if isinstance(value, DateSpan):
            return value
        if isinstance(value, dt.date):
            return cls(value, value)
        return cls.parse(value)


@dataclass(frozen=True, slots=True)
class NameRecord:
    """A listed party as the matcher sees it.

    Attributes:
        entry_id: The id of the list entry (a bank entry id or the list's own reference).
        names: All names and aliases, strong and weak, in every script.
        kind: Person, organization ...; persons and organizations are never matched against each other
            when the query states its kind.
        birth_dates: Exact dates, approximate years and ranges, as spans.
        nationalities: Nationalities or citizenships, ISO 3166 alpha-2 codes or English country names.
        gender: Gender when the list states it.
        documents: Passport, national id and other document numbers, as written.
    """

    entry_id: EntryId
    names: tuple[NameVariant, ...]
    kind: Kind = "person"
    birth_dates: tuple[DateSpan, ...] = ()
    nationalities: tuple[str, ...] = ()
    gender: Gender | None = None
    documents: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type[NameRecord], tuple[object, ...]]:
        return NameRecord, (self.entry_id, self.names, self.kind, self.birth_dates, self.nationalities, self.gender,
                            self.documents)


@dataclass(frozen=True, slots=True)
class NameHit:
    """One listed party that resembles the query.

    Attributes:
        entry_id: The matched entry.
        score: 0..1, the clamped sum of ``features``.
        matched_name: The listed name (or alias) that matched best.
        query_name: The query as given.
        features: Named contributions to the score (positive corroborates, negative contradicts);
            ``FEATURES`` documents each one.
        alert: Whether ``score`` reached the threshold the query ran with.
    """

    entry_id: EntryId
    score: float
    matched_name: str
    query_name: str
    features: dict[str, float] = field(default_factory=dict)
    alert: bool = False

    def explain(self) -> str:
        """A few lines a compliance officer can read: the score, then each feature's contribution."""
        lines = [f"{self.query_name!r} ~ {self.matched_name!r}: score {self.score:.2f}"
                 + (" (alert)" if self.alert else "")]
        for name, value in sorted(self.features.items(), key=lambda kv: -abs(kv[1])):
            lines.append(f"  {value:+.2f}  {name}")
        return "\n".join(lines)


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
    """See :meth:`DateSpan.parse`."""
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
