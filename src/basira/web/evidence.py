"""Evidence written for a reviewer: the parts of a case's evidence JSON that the case page lays out per kind.

A screening hit becomes the customer and the listed entry side by side (names aligned part by part, dates, countries,
documents, list and version) with a score breakdown that gives each feature's weight and contribution; a content
match gets its matched time ranges, shared text shingles and canonical URL forms; a drone alert gets its rule
codes split from their details. Nothing here trusts the evidence: values are checked for shape, lists are capped,
and the templates escape every string. The words shown (feature names, alert kinds, rule reasons) are translated
by the templates' ``_evidence_labels.html``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from basira.lang.arabic import light
from basira.lang.countries import country_code
from basira.lang.nameparts import name_parts
from basira.lang.translit import latin_fold

MAX_LIST = 40
MAX_SHINGLES = 256
#: Two name parts this alike (on their consonant keys) are shown as a close pair rather than apart.
CLOSE_PARTS = 0.75
_HEX8 = re.compile(r"[0-9a-f]{8}")
_ISO_DAY = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def number(v: Any) -> float | None:
    """A finite number, or None for anything else (booleans included)."""
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None


def text(v: Any, limit: int = 500) -> str:
    """A short string of a scalar; "" for None, containers and the like."""
    if isinstance(v, str):
        return v[:limit]
    return str(v)[:limit] if isinstance(v, int | float) and not isinstance(v, bool) else ""


def mapping(v: Any) -> dict[str, Any]:
    """``v`` when it is a JSON object, else an empty one."""
    return v if isinstance(v, dict) else {}


def texts(v: Any, limit: int = MAX_LIST) -> list[str]:
    """The non-empty strings of a list (or of one string)."""
    items = [v] if isinstance(v, str) else v if isinstance(v, list) else []
    return [t for t in (text(x) for x in items[:limit]) if t]


# -- the score breakdown --------------------------------------------------------------------------------------


@dataclass
class FeatureRow:
    """One feature of a score: how strongly it fired, its full weight and what it added (or took away)."""

    name: str
    contribution: float | None
    weight: float | None = None
    strength: float | None = None
    detail: list[tuple[str, str]] = field(default_factory=list)


def _multipliers(explanation: Mapping[str, Any]) -> dict[str, float]:
    """The organization's feature multipliers in force when the score was made (screening settings)."""
    settings = explanation.get("settings")
    raw = settings.get("weights") if isinstance(settings, dict) else None
    if not isinstance(raw, dict):
        return {}
    return {str(k): n for k, v in raw.items() if (n := number(v)) is not None}


def feature_rows(explanation: Mapping[str, Any], defaults: Mapping[str, float]) -> list[FeatureRow]:
    """The features of a matcher's explanation as rows a reviewer reads, biggest effect first.

    ``features`` is ``{name: contribution}`` (the name matcher) or ``{name: {score, weight, contribution}}`` or a
    list of ``{"name": ...}``. A feature's full weight comes from the explanation's ``feature_weights``, else from
    ``defaults`` (the front's :class:`basira.core.fronts.EvidenceView`); the organization's multipliers scale both.
    """
    raw = explanation.get("features")
    pairs: list[tuple[str, Any]] = []
    if isinstance(raw, dict):
        pairs = [(str(k)[:80], v) for k, v in raw.items()]
    elif isinstance(raw, list):
        pairs = [(text(f.get("name"), 80) or f"#{i + 1}", f) for i, f in enumerate(raw) if isinstance(f, dict)]
    recorded = explanation.get("feature_weights")
    weights = {**defaults, **({str(k): n for k, v in recorded.items() if (n := number(v)) is not None}
                              if isinstance(recorded, dict) else {})}
    mult = _multipliers(explanation)
    rows = [_row(name, v, weights, mult) for name, v in pairs[:MAX_LIST]]
    return sorted(rows, key=lambda r: -abs(r.contribution or 0.0))


def _row(name: str, v: Any, weights: Mapping[str, float], mult: Mapping[str, float]) -> FeatureRow:
    if isinstance(v, dict):
        score = number(v.get("score", v.get("value")))
        weight = number(v.get("weight"))
        own = number(v.get("contribution"))
        if own is None and score is not None and weight is not None:
            own = round(score * weight, 4)
        rest = [(str(k)[:80], text(x)) for k, x in list(v.items())[:10]
                if k not in ("name", "score", "weight", "contribution", "value") and text(x)]
        return FeatureRow(name, own, weight, score, rest)
    value = number(v)
    if value is None:
        return FeatureRow(name, None, detail=[("", text(v))] if text(v) else [])
    base = weights.get(name)
    if base is None:
        # A score without a documented weight (a text resemblance): the value is how strongly it fired.
        return FeatureRow(name, None, None, value)
    k = mult.get(name, 1.0) if mult else 1.0
    weight, contribution = base * k, value * k
    strength = max(0.0, min(1.0, contribution / weight)) if weight else None
    return FeatureRow(name, round(contribution, 4), round(weight, 4), strength)


# -- a screening hit: the customer and the listed entry ------------------------------------------------------


@dataclass
class NamePair:
    """One row of two names aligned part by part: ``how`` is ``same``, ``close`` or "" (no counterpart)."""

    query: str
    listed: str
    how: str


def align_names(query: str, listed: str) -> list[NamePair]:
    """The parts of two names paired in the query's order: the same consonant key (across scripts, so محمد and
    Mohamed agree), else the closest key at least :data:`CLOSE_PARTS` alike; parts left over stand alone."""
    try:
        qp, lp = name_parts(query[:300]), name_parts(listed[:300])
    except (ValueError, IndexError):
        return []
    free = list(range(len(lp)))
    rows: list[NamePair] = []
    qw, lw = query.split(), listed.split()
    qtext = [_as_written(p.text, qw) for p in qp]
    ltext = [_as_written(p.text, lw) for p in lp]
    for i, q in enumerate(qp[:MAX_LIST]):
        same = next((j for j in free if lp[j].skeleton == q.skeleton and q.skeleton), None)
        how = "same"
        if same is None:
            scored = [(difflib.SequenceMatcher(None, q.skeleton, lp[j].skeleton).ratio(), j) for j in free]
            best = max(scored, default=(0.0, -1))
            same, how = (best[1], "close") if best[0] >= CLOSE_PARTS else (None, "")
        if same is None:
            rows.append(NamePair(qtext[i], "", ""))
            continue
        free.remove(same)
        rows.append(NamePair(qtext[i], ltext[same], how))
    rows += [NamePair("", ltext[j], "") for j in free]
    return rows


def _as_written(part: str, words: list[str]) -> str:
    """A name part in the spelling of the name as given (parts are normalised: lower case, light Arabic forms),
    word by word; a word the name does not hold as such is shown normalised."""
    out = []
    for token in part.split():
        found = next((w for w in words if w.casefold() == token or light(w) == token
                      or latin_fold(w).casefold() == token), None)
        if found is not None:
            words.remove(found)
        out.append(found or token)
    return " ".join(out)


@dataclass
class BirthDate:
    """A listed or given birth date: ``kind`` is ``exact``, ``approximate`` or ``range`` (``date`` or ``start`` and
    ``end`` as partial ISO dates, ``YYYY[-MM[-DD]]``)."""

    kind: str
    date: str = ""
    start: str = ""
    end: str = ""
    note: str = ""


def birth_dates(raw: Any) -> list[BirthDate]:
    out = []
    for d in raw[:MAX_LIST] if isinstance(raw, list) else [raw] if isinstance(raw, str) else []:
        if isinstance(d, str) and d:
            out.append(BirthDate("exact", d[:40]))
        elif isinstance(d, dict):
            kind = text(d.get("kind"), 20) or "exact"
            out.append(BirthDate(kind if kind in ("exact", "approximate", "range") else "exact",
                                 text(d.get("date"), 40), text(d.get("from"), 40), text(d.get("to"), 40),
                                 text(d.get("note"), 200)))
    return out


def partial_date(value: str) -> tuple[dt.date, str] | None:
    """A partial ISO date as a date and its precision (``day``, ``month``, ``year``); None when it is not one."""
    m = _ISO_DAY.fullmatch(value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1)), "day" if m[3] else "month" if m[2] else "year"
    except ValueError:
        return None


@dataclass
class Country:
    """A nationality as listed or given, with its ISO 3166 code when it names a country (the page localises it)."""

    given: str
    code: str | None


def countries(raw: Any) -> list[Country]:
    return [Country(t, country_code(t)) for t in texts(raw)]


@dataclass
class Document:
    """An identity document: its type and number as the list writes them, the issuing country, a note."""

    kind: str
    number: str
    country: Country | None
    note: str = ""


def documents(raw: Any) -> list[Document]:
    out = []
    for d in raw[:MAX_LIST] if isinstance(raw, list) else []:
        if isinstance(d, str) and d:
            out.append(Document("", d[:100], None))
        elif isinstance(d, dict) and text(d.get("number")):
            where = text(d.get("country"), 100)
            out.append(Document(text(d.get("type"), 100), text(d.get("number"), 100),
                                Country(where, country_code(where)) if where else None, text(d.get("note"), 300)))
    return out


@dataclass
class ListedName:
    """A name of a listed party: ``kind`` is ``primary``, ``alias``, ``original`` or ``former``; ``weak`` marks the
    aliases the list itself calls low quality; ``matched`` the one the score is about."""

    name: str
    kind: str
    weak: bool
    matched: bool


@dataclass
class Party:
    """One side of a screening hit, as the page shows it."""

    names: list[ListedName] = field(default_factory=list)
    kind: str = ""
    birth_dates: list[BirthDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[Country] = field(default_factory=list)
    gender: str = ""
    documents: list[Document] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    wallets: list[str] = field(default_factory=list)
    regime: str = ""
    programs: list[str] = field(default_factory=list)
    listed_on: str = ""
    titles: list[str] = field(default_factory=list)
    remarks: str = ""


def listed_party(attributes: Mapping[str, Any], matched: str) -> Party:
    """The listed entry's attributes (the list importers' shape, see ``ListedEntry``) that a reviewer compares."""
    names = []
    for n in attributes.get("names", [])[:MAX_LIST] if isinstance(attributes.get("names"), list) else []:
        name = text(n.get("name"), 300) if isinstance(n, dict) else text(n, 300)
        if name:
            kind = text(n.get("kind"), 20) if isinstance(n, dict) else ""
            weak = isinstance(n, dict) and n.get("quality") == "weak"
            names.append(ListedName(name, kind, weak, name == matched))
    wallets = [f"{text(w.get('currency'), 20)}: {text(w.get('address'), 200)}" if isinstance(w, dict) else text(w)
               for w in attributes.get("wallets", [])[:MAX_LIST]] if isinstance(attributes.get("wallets"), list) else []
    return Party(
        names=names, kind=text(attributes.get("kind"), 30), birth_dates=birth_dates(attributes.get("birth_dates")),
        birth_places=texts(attributes.get("birth_places")), nationalities=countries(attributes.get("nationalities")),
        gender=text(attributes.get("gender"), 20), documents=documents(attributes.get("documents")),
        addresses=texts(attributes.get("addresses")), wallets=[w for w in wallets if w],
        regime=text(attributes.get("regime"), 300), programs=texts(attributes.get("programs")),
        listed_on=text(attributes.get("listed_on"), 40), titles=texts(attributes.get("titles")),
        remarks=text(attributes.get("remarks"), 4000))


def customer_party(query: Any, matched_query: str, kind: str) -> Party:
    """What the customer was screened with (``explanation.query``, recorded with the hit), or only the name that
    matched when the hit predates it."""
    q = query if isinstance(query, dict) else {}
    given = texts(q.get("names")) or [matched_query]
    return Party(names=[ListedName(n, "", False, n == matched_query) for n in given], kind=kind,
                 birth_dates=birth_dates(q.get("birth_date")), nationalities=countries(q.get("nationality")),
                 gender=text(q.get("gender"), 20), documents=documents(texts(q.get("documents"))))


@dataclass
class ListVersion:
    """The list a hit came from: its name, importer, version and publication time."""

    name: str
    source: str
    version: str
    published: str


def list_version(explanation: Mapping[str, Any], bank_name: str) -> ListVersion | None:
    raw = explanation.get("list")
    if not isinstance(raw, dict):
        return None
    return ListVersion(text(raw.get("name"), 300) or bank_name, text(raw.get("source"), 40),
                       text(raw.get("version"), 100), text(raw.get("published"), 40))


def raw_record(value: Any) -> str:
    """The record as JSON, indented, for the "details" fold (capped)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)[:20_000]


def screening(m: Mapping[str, Any], item: Mapping[str, Any] | None, defaults: Mapping[str, float]) -> dict[str, Any]:
    """Everything the screening template shows of one hit (the listed side is empty for a matching-only bank)."""
    explanation, signal, bank = mapping(m.get("explanation")), mapping(m.get("signal")), mapping(m.get("bank"))
    entry = mapping(m.get("entry")) or None
    query = text(m.get("query_value"), 300)
    matched = text(explanation.get("matched_name"), 300) or text(signal.get("value"), 300)
    attributes = mapping(entry.get("attributes")) if entry else {}
    return {
        "customer": customer_party(explanation.get("query"), query, text(item.get("content_type")) if item else ""),
        "listed": listed_party(attributes, matched) if entry else None,
        "matched_name": matched,
        "alignment": align_names(query, matched) if matched and m.get("signal_type") == "name" else [],
        "score": number(explanation.get("score")), "threshold": number(explanation.get("threshold")),
        "list": list_version(explanation, text(bank.get("name"), 300)),
        "monitoring": explanation.get("monitoring") is True,
        "breakdown": feature_rows(explanation, defaults),
        "raw": raw_record({"entry": entry, "explanation": explanation}) if entry else "",
    }


# -- content: video ranges, text shingles, URL forms ---------------------------------------------------------


def clock(seconds: float) -> str:
    """Seconds as ``m:ss`` (``h:mm:ss`` from an hour), the way a video player writes a position."""
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def time_ranges(raw: Any) -> list[tuple[str, str]]:
    """``[[start, end], ...]`` seconds as readable ranges."""
    out = []
    for r in raw[:MAX_LIST] if isinstance(raw, list) else []:
        if isinstance(r, list) and len(r) == 2 and (a := number(r[0])) is not None and (b := number(r[1])) is not None:
            out.append((clock(a), clock(b)))
    return out


def video(explanation: Mapping[str, Any]) -> dict[str, Any] | None:
    """A video match's shares of each video that matched and its matched time ranges (vPDQ's explanation)."""
    if "query_ranges" not in explanation and "bank_ranges" not in explanation:
        return None
    return {"query_share": number(explanation.get("query_share")), "bank_share": number(explanation.get("bank_share")),
            "query_ranges": time_ranges(explanation.get("query_ranges")),
            "bank_ranges": time_ranges(explanation.get("bank_ranges"))}


@dataclass
class Shingles:
    """Two texts' shingle fingerprints (hashes of short runs of characters), the shared ones marked."""

    query: list[tuple[str, bool]]
    bank: list[tuple[str, bool]]
    shared: int
    resemblance: float | None
    containment: float | None


def _hashes(value: str) -> list[str] | None:
    v = value.strip().lower()
    if not v or len(v) % 8 or len(v) > 8 * MAX_SHINGLES:
        return None
    parts = [v[i:i + 8] for i in range(0, len(v), 8)]
    return parts if all(_HEX8.fullmatch(p) for p in parts) else None


def shingles(query_value: str, bank_value: str, explanation: Mapping[str, Any]) -> Shingles | None:
    """The shared shingles of a text match (``text_minhash`` values are runs of 8-hex-digit shingle hashes)."""
    q, b = _hashes(query_value), _hashes(bank_value)
    if q is None or b is None:
        return None
    common = set(q) & set(b)
    return Shingles([(h, h in common) for h in q], [(h, h in common) for h in b], len(common),
                    number(explanation.get("jaccard")), number(explanation.get("containment")))


@dataclass
class UrlForms:
    """Two canonical URL forms split where they part: ``common`` is the part both share (a prefix or domain hit)."""

    common: str
    query_rest: str
    bank_rest: str


def url_forms(query_value: str, bank_value: str) -> UrlForms:
    q, b = query_value[:2000], bank_value[:2000]
    n = len(_common_prefix(q, b))
    return UrlForms(q[:n], q[n:], b[n:])


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


# -- drone alerts -----------------------------------------------------------------------------------------------


@dataclass
class RuleReason:
    """A rule that found a track suspect: its code (translated by the page) and the measured detail."""

    code: str
    detail: str


def rule_reasons(raw: Any) -> list[RuleReason]:
    """``"code: detail"`` strings as code and detail (a reason without a code keeps its whole text as detail)."""
    out = []
    for r in texts(raw, 20):
        code, sep, detail = r.partition(":")
        ok = sep and re.fullmatch(r"[a-z_]{2,40}", code.strip())
        out.append(RuleReason(code.strip(), detail.strip()) if ok else RuleReason("", r))
    return out


def iso_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time of the evidence as an aware datetime (UTC when it names no zone), or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)
