"""The screening service: persons, organizations and wallets against the lists in force, one or a batch at a time.

Names go through the Arabic-aware :class:`~basira.finance.names.NameIndex` (one per list bank, rebuilt when the
bank changes); wallets and document numbers match exactly. Every hit carries its features, the list and its
version, and the settings in force (their version too). Alerting hits are recorded as matches, with a
``match.recorded`` event of case kind ``screening_hit`` in the same transaction, so each becomes a review case.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import hmac
import os
import pickle
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core import outbox
from basira.core.errors import InvalidInput, InvalidSignal
from basira.core.models import Bank, Entry, Item, Match, Signal, SignalChange, utcnow
from basira.core.principal import Principal
from basira.core.visibility import Access, Visibility
from basira.finance import wallets
from basira.finance.lists.base import ListedEntry
from basira.finance.lists.history import latest_by_bank
from basira.finance.models import Customer, ListImport
from basira.finance.name_types import FEATURE_WEIGHTS
from basira.finance.names import DateSpan, EntryId, Kind, NameIndex, NameRecord, NameVariant
from basira.finance.settings import SettingsView, current_settings
from basira.finance.signals import clean_identifier, clean_name

KINDS = ("person", "organization", "wallet", "any")
MAX_BATCH = 10_000
MAX_NAMES = 20
_KINDS: dict[str, Kind] = {"person": "person", "organization": "organization", "vessel": "vessel",
                           "aircraft": "aircraft"}


@dataclass
class ScreenQuery:
    """One customer or counterparty to screen.

    Attributes:
        ref: The caller's customer id (cases group by it; monitoring keeps it).
        kind: ``person``, ``organization``, ``wallet`` or ``any``.
        names: Names and aliases, any script.
        birth_date: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.
        nationality: Country names or ISO codes.
        documents: Passport or id numbers.
        wallets: Addresses, bare or as ``CURRENCY:ADDRESS``.
    """

    ref: str = ""
    kind: str = "person"
    names: list[str] = field(default_factory=list)
    birth_date: str | None = None
    nationality: list[str] = field(default_factory=list)
    gender: str | None = None
    documents: list[str] = field(default_factory=list)
    wallets: list[str] = field(default_factory=list)


@dataclass
class ScreenOptions:
    """How to screen: ``threshold`` and ``bank_ids`` override the settings for this request only."""

    threshold: float | None = None
    bank_ids: list[int] | None = None
    limit: int = 10
    record: bool = True
    monitor: bool = True


@dataclass
class _Clean:
    ref: str
    kind: str
    names: list[str]
    birth: DateSpan | None
    birth_text: str | None
    nationality: list[str]
    gender: str | None
    documents: list[str]
    wallets: list[tuple[str, str]]  # (canonical, currency)


def parse_birth_date(value: str) -> DateSpan:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as a span of days; InvalidInput for ``1961-13-45`` and the like."""
    v = value.strip()
    try:
        if len(v) == 10:
            d = dt.date.fromisoformat(v)
            return DateSpan(d, d)
        if len(v) == 7:
            first = dt.date.fromisoformat(v + "-01")
            nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return DateSpan(first, nxt - dt.timedelta(days=1))
        if len(v) == 4 and v.isdigit() and int(v) >= 1:
            return DateSpan(dt.date(int(v), 1, 1), dt.date(int(v), 12, 31))
    except ValueError:
        pass
    raise InvalidInput(f"birth date {value[:40]!r} is not a valid date (YYYY-MM-DD, YYYY-MM or YYYY)")


def clean_query(q: ScreenQuery, listed_unverified: Callable[[str], bool] | None = None) -> _Clean:
    """The query validated and canonical, or InvalidInput/InvalidSignal with the reason.

    ``listed_unverified`` says whether a wallet value that fails validation is carried as such by a list in
    force (lists do hold values with bad checksums, kept "unverified"): such a value is screened as written."""
    kind = (q.kind or "person").strip().lower()
    if kind not in KINDS:
        raise InvalidInput(f"kind {kind[:30]!r} is not one of {', '.join(KINDS)}")
    if len(q.ref) > 300:
        raise InvalidInput("a customer reference has at most 300 characters")
    if len(q.names) > MAX_NAMES or len(q.wallets) > MAX_NAMES or len(q.documents) > MAX_NAMES:
        raise InvalidInput(f"at most {MAX_NAMES} names, wallets or documents per query")
    names = list(dict.fromkeys(clean_name(n) for n in q.names if n is not None))
    found: list[tuple[str, str]] = []
    for w in q.wallets:
        cur, sep, addr = w.partition(":")
        try:
            wallet = wallets.normalise(addr, cur) if sep and cur.upper() in wallets.SUPPORTED | {"BTC"} else \
                wallets.normalise(w)
        except InvalidSignal:
            raw = wallets.loose(addr if sep and cur.upper() in wallets.SUPPORTED | {"BTC"} else w)
            if listed_unverified is None or not listed_unverified(raw):
                raise
            found.append((raw, "unverified"))
            continue
        found.append((wallet.address, wallet.currency))
    if not names and not found:
        raise InvalidInput("a query needs a name or a wallet")
    docs = [clean_identifier(d) for d in q.documents if d and d.strip()]
    gender = (q.gender or "").strip().lower() or None
    if gender not in (None, "male", "female"):
        raise InvalidInput(f"gender {gender[:20]!r} is not male or female")
    birth = parse_birth_date(q.birth_date) if q.birth_date and q.birth_date.strip() else None
    return _Clean(q.ref.strip(), kind, names, birth, q.birth_date.strip() if birth and q.birth_date else None,
                  [n.strip()[:100] for n in q.nationality if n and n.strip()], gender, docs, found)


# -- name indexes per bank ---------------------------------------------------------------------------------------


def _span(bd: dict[str, Any]) -> DateSpan | None:
    try:
        if bd.get("kind") == "range":
            return DateSpan(dt.date(int(bd["from"]), 1, 1), dt.date(int(bd["to"]), 12, 31))
        span = parse_birth_date(str(bd.get("date", "")))
    except (InvalidInput, ValueError, KeyError):
        return None
    if bd.get("kind") == "approximate":
        # "About 1961" is taken as one year either side.
        return DateSpan(span.earliest.replace(year=span.earliest.year - 1, month=1, day=1),
                        span.latest.replace(year=span.latest.year + 1, month=12, day=31))
    return span


def record_of(entry: Entry, names: dict[str, int]) -> NameRecord | None:
    """The matcher's view of a listed entry; ``names`` are its enabled name signals (value → quality)."""
    return record_of_attributes(entry.id, entry.attributes, names)


def record_of_listed(entry_id: EntryId, listed: ListedEntry) -> NameRecord | None:
    """The matcher's view of an entry as a list file gives it (benchmarks, tests): strong names at quality 100,
    weak ones at 50, as the import stores them."""
    names: dict[str, int] = {}
    for n in listed.names:
        names.setdefault(n.name, 100 if n.quality == "strong" else 50)
    return record_of_attributes(entry_id, listed.attributes(), names)


def record_of_attributes(entry_id: EntryId, a: dict[str, Any], names: dict[str, int]) -> NameRecord | None:
    """The matcher's view of an entry's stored attributes and enabled names (value → quality)."""
    if not names:
        return None
    kind: Kind = _KINDS.get(str(a.get("kind")), "other")
    spans = tuple(s for s in (_span(b) for b in a.get("birth_dates", []) if isinstance(b, dict)) if s)
    gender = a.get("gender") if a.get("gender") in ("male", "female") else None
    return NameRecord(
        entry_id=entry_id,
        names=tuple(NameVariant(n, "weak" if (q or 100) < 100 else "strong") for n, q in names.items()),
        kind=kind, birth_dates=spans, nationalities=tuple(str(x) for x in a.get("nationalities", [])),
        gender=gender, documents=tuple(str(d.get("number", "")) for d in a.get("documents", [])
                                       if isinstance(d, dict) and d.get("number")))


@dataclass
class BankIndex:
    """A bank's name index and what hits need from the database (signal ids per entry and name); ``entries`` is
    empty for an index read back from disk, whose hits fetch their entry from the session."""

    index: NameIndex
    signal_ids: dict[tuple[int, str], int]
    entries: dict[int, Entry]
    stamp: tuple[int, int, str]
    bank_id: int = 0

    def entry(self, session: Session, entry_id: int) -> Entry | None:
        if self.entries:
            return self.entries.get(entry_id)
        found = session.get(Entry, entry_id)
        return found if found is not None and found.bank_id == self.bank_id else None


_lock = threading.Lock()
_cache: dict[tuple[str, int], BankIndex] = {}
#: Where name indexes are saved between processes (``basira screen`` sets it), and the key that signs them.
_disk: tuple[Path, bytes] | None = None
_DISK_FORMAT = 42  # 2: forms keep their text; legal forms read at the start of a name too; 3: -iii endings fold once;
# 4: a Latin v that may not vanish across scripts has a marker of its own; Cyrillic words typed with Latin
# look-alikes are read as Cyrillic; Belarusian dz and Ulad- folded; 5: a final dz, Hienadz and Mikalai folded;
# 6: a soft ts before i has a marker of its own, dz before a final -k(a) and the h of Ihar, Siarhei, Aleh, Halina,
# Yauhen and Hryhory folded; 7: a Latin c that may be a ç has a marker of its own (and the index its twins);
# 8: Abol- is a fused Abu, and the article after a fused Abu is dropped (Abulfazl); 9: a skeleton of two or three
# letters ending in t has a key without it (a ta marbuta written t); 10: Arabic-script and Persian legal forms;
# 11: Urdu "group"; 12: a bin, ibn or ould that starts a Latin name is a connector; 13: index_keys (keys only
# a part in Arabic script looks up are marked); 14: the index keeps a table of country names (brackets); 15: a
# first ou before a vowel has a marker of its own (w, or u across scripts), the index's twins are plain_twins;
# 16: a long legal form written with a typing slip is set aside (Limied, Liabiltiy); 17: a Latin nisba ending in
# -i is no theophoric second half (al-Houghi, al-Adani are names, not al-Haqq, ad-Din); 18: more legal forms
# (OOD, EAD, SASU, EURL, SNC, SPRL, BVBA, ApS, ASA, Oyj, Ltd. Şti., Joint-Stock, S.à r.l., sp. z o.o., d.o.o.);
# 19: Turkish ş and ç have markers of their own, German romanisation of Cyrillic names is read as English,
# organization abbreviations are read as the word and a leading The is set aside (wave12-spell); 20: a Latin g
# that may be the Egyptian g of ج and Arabic-script خ have markers of their own (k, or j and h across scripts),
# Abdool and Abdoel written apart are Abd compounds, romanised Arabic and Persian legal forms (Sharikat,
# Moasseseh, Sahami-ye Khass, Tazamoni), the w of Persian خوا writes no vowel in a vowel pattern (wave12-arlat);
# 21: a g right after gh is k with it (Baghgan), not the marker of an Egyptian g; 22: a nisba is a written
# final -i (ad-Dine is ad-Din), and al-Din after a bare Abu is a name of its own, as ad-Din written as one word is;
# and the silent w of خوا is read before Allah's article (خوالله); 23: a Latin c may be the Turkish c of ج across
# scripts, and a c before e, i or y has a marker of its own (k, or s and j across scripts); 24: an s before y (the
# Indonesian sy of ش) and a th or dh after a vowel (t or d and h) have markers of their own, and a final ي after
# two consonants has a vowel-pattern letter of its own (J: ī, or ى written with dots); 25: a final -aj is a Slavic
# ending only after l (Nikolaj), the j of Faraj and Siraj is kept; 26: Latin kh may be h, x (ks or Somali h) and a
# first c before a, o or u (k or Somali ʿayn) have markers of their own, dzh is j, Czech and ISO 9 š, č, ž, ŝ and a
# first û, â are read as their sounds, and Polish romanisation of Cyrillic names is read as English (wave14);
# 27: German ch (kh) and j (y) have markers of their own, dsch is j; 28: Somali spellings read as English when the
# name shows them, and the c of a name with carons is ts; 29: two parts written as one word have a key of their own
# (the second's first y or w a vowel, letters that meet doubled one); 30: a name with generic organization words in
# another language is indexed read in English too (wave 15); 31: the Arabic chat alphabet is read as letters
# (mo7amed, 5aled, sa9r) and a Dutch sj is sh (wave 16); 32: a first Arabic-script تش before a long vowel is ch;
# 33: a person's name whose first word starts with ال is indexed read with those letters as a name's too (الیاس);
# 34: Hungarian romanisation of Russian names read as English, a branch or office qualifier set aside, Russian legal
# forms in Central European letters, and a person's name indexed with Muhammad's short forms written out, Albanian
# xh read j and Latvian -s dropped too (wave 17); 35: a name indexed with Dutch romanisation of Russian read as
# English, and a person's with regional forms of Arabic given names and Azerbaijani and Kurdish letters read as
# English too; Turkish, free-zone and more Russian legal forms; L.L.C without its last dot is LLC; a Persian- or
# Urdu-script name with a letter Arabic lacks reads every ال as letters; a final وو is -ov; Urdu's ھ after t, d,
# k, g, p or ch is no letter (wave 18); 36: Hebrew names read as the Arabic-script letters they spell, Greek as
# the Greek press writes foreign names, a Georgian person's name indexed without the nominative -i too (wave 18);
# 37: Kurdish ڕ read r or l, Sindhi-letter markers for Katakana and Devanagari readings (wave 19); 38: Swedish,
# Finnish, Estonian and Lithuanian readings of Russian names, tš folded č (wave 19); 39: a Katakana フ with no vowel
# of its own read f, h or kh (wave 19); 40: a word read with a fused article keeps its text (wave 19); 41: Abdul
# written apart (عبدل قدوس) is Abd; 42: the scripts of Devanagari's layout read as Devanagari (wave 19)


def keep_indexes_in(folder: Path | None, key: str = "") -> None:
    """Save each bank's name index under ``folder`` and read it back in later processes while the bank is
    unchanged (``None``: memory only). Files are signed with ``key`` (HMAC-SHA256) and a file whose signature
    does not verify is never unpickled: it is rebuilt and replaced."""
    global _disk
    _disk = (folder, hashlib.sha256(key.encode()).digest()) if folder is not None else None


def _disk_path(url: str, bank_id: int) -> Path | None:
    if _disk is None:
        return None
    db = hashlib.sha256(url.encode()).hexdigest()[:16]
    return _disk[0] / f"names-{db}-{bank_id}.idx"


def _read_saved(path: Path, stamp: tuple[int, int, str]) -> BankIndex | None:
    assert _disk is not None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    mac, body = raw[:32], raw[32:]
    if len(raw) < 33 or not hmac.compare_digest(mac, hmac.new(_disk[1], body, "sha256").digest()):
        return None  # not a file this instance wrote: never unpickled
    # Unpickling builds some two hundred thousand small objects; the cyclic collector, run over and over meanwhile
    # and after, took half of the load time. Saved indexes are read by `basira screen` only, a process that keeps
    # what it loads until it ends: what it holds now is moved out of the collector's sight (gc.freeze).
    collecting = gc.isenabled()
    gc.disable()
    try:
        saved = pickle.loads(body)  # noqa: S301 - signed above with the instance's own key
        gc.freeze()
    except Exception:  # a damaged cache is rebuilt, whatever unpickling says
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(saved, dict) or saved.get("format") != _DISK_FORMAT or tuple(saved.get("stamp", ())) != stamp:
        return None
    index, ids, bank_id = saved.get("index"), saved.get("signal_ids"), saved.get("bank_id")
    if not isinstance(index, NameIndex) or not isinstance(ids, dict) or not isinstance(bank_id, int):
        return None
    return BankIndex(index, ids, {}, stamp, bank_id)


def _save(path: Path, built: BankIndex) -> None:
    assert _disk is not None
    body = pickle.dumps({"format": _DISK_FORMAT, "stamp": built.stamp, "index": built.index,
                         "signal_ids": built.signal_ids, "bank_id": built.bank_id}, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(hmac.new(_disk[1], body, "sha256").digest() + body)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs the next run its build time


def _stamp(session: Session, bank_id: int) -> tuple[int, int, str]:
    # Ids alone can repeat (a rolled-back SQLite transaction, a database emptied and refilled), so the time of
    # the latest import is part of the stamp too.
    changes = session.scalar(select(func.max(SignalChange.id)).where(SignalChange.bank_id == bank_id)) or 0
    last = session.execute(select(ListImport.id, ListImport.created_at).where(ListImport.bank_id == bank_id)
                           .order_by(ListImport.id.desc()).limit(1)).first()
    return int(changes), int(last[0]) if last else 0, last[1].isoformat() if last else ""


def bank_index(session: Session, bank_id: int, *, cache: bool = True) -> BankIndex:
    """The name index of a bank, from the cache while the bank is unchanged (``cache=False``: built afresh and not
    kept, for work inside a transaction that may still roll back)."""
    key = (str(session.get_bind().engine.url), bank_id)
    stamp = _stamp(session, bank_id)
    path = _disk_path(key[0], bank_id) if cache else None
    if cache:
        with _lock:
            hit = _cache.get(key)
        if hit is not None and hit.stamp == stamp:
            return hit
        if path is not None:
            saved = _read_saved(path, stamp)
            if saved is not None:
                with _lock:
                    _cache[key] = saved
                return saved
    rows = session.execute(select(Signal.id, Signal.entry_id, Signal.value, Signal.quality).where(
        Signal.bank_id == bank_id, Signal.signal_type == "name", Signal.enabled.is_(True))).all()
    per_entry: dict[int, dict[str, int]] = {}
    signal_ids: dict[tuple[int, str], int] = {}
    for sid, eid, value, quality in rows:
        per_entry.setdefault(eid, {})[value] = quality or 100
        signal_ids[(eid, value)] = sid
    entries = {e.id: e for e in session.scalars(select(Entry).where(Entry.bank_id == bank_id))}
    records = [r for r in (record_of(entries[eid], names) for eid, names in per_entry.items() if eid in entries) if r]
    built = BankIndex(NameIndex.build(records), signal_ids, entries, stamp, bank_id)
    if cache:
        with _lock:
            _cache[key] = built
        if path is not None:
            built.index.ready()
            _save(path, built)
    return built


# -- screening -------------------------------------------------------------------------------------------------


@dataclass
class _Hit:
    bank: Bank
    access: Access
    entry: Entry
    signal_id: int
    signal_type: str
    query_value: str
    score: float
    features: dict[str, float]
    matched: str


def _weighted(features: dict[str, float], weights: dict[str, float]) -> float:
    return max(0.0, min(1.0, sum(v * float(weights.get(k, 1.0)) for k, v in features.items())))


def lists_in_force(session: Session, principal: Principal, settings: SettingsView,
                   override: list[int] | None) -> list[tuple[Bank, Access, ListImport | None]]:
    """The banks screened: the request's, else the settings', else every list bank the caller may match."""
    vis = Visibility(session, principal.org_id)
    usable = [(b, a) for b, a in vis.banks(Access.MATCH_ONLY) if b.enabled and not b.negative]
    wanted = override if override is not None else settings.bank_ids
    latest = latest_by_bank(session, [b.id for b, _ in usable])
    if wanted is not None:
        usable = [(b, a) for b, a in usable if b.id in set(wanted)]
        missing = set(wanted) - {b.id for b, _ in usable}
        if missing:
            raise InvalidInput(f"no list bank {sorted(missing)[0]} that this organization may screen against")
    else:
        usable = [(b, a) for b, a in usable if b.id in latest]
    return [(b, a, latest.get(b.id)) for b, a in usable]


def _list_view(bank: Bank, access: Access, imp: ListImport | None) -> dict[str, Any]:
    view: dict[str, Any] = {"bank_id": bank.id if access >= Access.SEE else None,
                            "name": bank.name if access >= Access.SEE else None, "tlp": bank.tlp}
    if imp is not None:
        view.update(source=imp.source, version=imp.version,
                    published=imp.published_at.isoformat() if imp.published_at else None)
    return view


@dataclass(frozen=True)
class NameHit:
    """The best hit of a query's names on one listed entry, before the entry is read from the database (Dask
    workers compute these from a name index alone)."""

    entry_id: int
    signal_id: int
    query_value: str
    score: float
    features: dict[str, float]
    matched: str


def name_hits(index: NameIndex, signal_ids: dict[tuple[int, str], int], q: _Clean, threshold: float,
              weights: dict[str, float], limit: int) -> list[NameHit]:
    """The best hit per entry of ``q``'s names in ``index`` (those under ``threshold`` left out), in the order the
    entries were first met."""
    kind: Kind | None = "person" if q.kind == "person" else "organization" if q.kind == "organization" else None
    best: dict[int, NameHit] = {}
    for name in q.names:
        for h in index.query(name, birth_date=q.birth, nationality=q.nationality,
                             gender=q.gender,  # type: ignore[arg-type]
                             documents=q.documents, kind=kind, limit=limit, threshold=threshold):
            eid = int(h.entry_id)
            score = _weighted(h.features, weights) if weights else h.score
            if score < threshold:
                continue
            if eid not in best or best[eid].score < score:
                sid = signal_ids.get((eid, h.matched_name)) or next(
                    (s for (e, _), s in signal_ids.items() if e == eid), 0)
                best[eid] = NameHit(eid, sid, name, score, dict(h.features), h.matched_name)
    return list(best.values())


def screen_one(session: Session, q: _Clean, banks: list[tuple[Bank, Access, ListImport | None]], threshold: float,
               weights: dict[str, float], limit: int, only_entries: set[int] | None = None,
               cache: bool = True, indexes: dict[int, BankIndex] | None = None) -> list[_Hit]:
    """Hits of one clean query over ``banks``, best first (those under ``threshold`` left out).

    ``indexes`` holds the banks' name indexes already fetched for a batch (fetched here when absent).
    """
    hits: list[_Hit] = []
    known = indexes if indexes is not None else {}
    for bank, access, _ in banks:
        if q.names:
            bi = known.get(bank.id) or bank_index(session, bank.id, cache=cache)
            known[bank.id] = bi
            for n in name_hits(bi.index, bi.signal_ids, q, threshold, weights, limit):
                if only_entries is not None and n.entry_id not in only_entries:
                    continue
                entry = bi.entry(session, n.entry_id)
                if entry is not None:
                    hits.append(_Hit(bank, access, entry, n.signal_id, "name", n.query_value, n.score,
                                     n.features, n.matched))
        if q.wallets:
            values = {w for w, _ in q.wallets}
            rows = session.execute(select(Signal, Entry).join(Entry, Entry.id == Signal.entry_id).where(
                Signal.bank_id == bank.id, Signal.signal_type == "crypto_address", Signal.value.in_(values),
                Signal.enabled.is_(True))).all()
            for sig, entry in rows:
                if only_entries is None or entry.id in only_entries:
                    hits.append(_Hit(bank, access, entry, sig.id, "crypto_address", sig.value, 1.0,
                                     {"wallet_exact": 1.0}, sig.value))
    hits.sort(key=lambda h: (-h.score, h.bank.id, h.entry.id))
    return hits[:max(limit, 1) * max(len(banks), 1)]


def hit_view(h: _Hit, imp: ListImport | None, threshold: float) -> dict[str, Any]:
    """A hit as results show it (cut to the caller's access for RED banks shared for matching only)."""
    base: dict[str, Any] = {"list": _list_view(h.bank, h.access, imp), "signal_type": h.signal_type,
                            "query_value": h.query_value, "score": round(h.score, 4), "alert": h.score >= threshold}
    if h.access < Access.SEE:
        base["note"] = "a listed entry of a RED list shared for matching only matched"
        return base
    a = h.entry.attributes
    names = a.get("names", [])
    base.update(features={k: round(v, 4) for k, v in h.features.items()}, matched_name=h.matched,
                entry={"id": h.entry.id, "ref": h.entry.ref, "kind": a.get("kind"),
                       "name": names[0]["name"] if names else None, "regime": a.get("regime"),
                       "listed_on": a.get("listed_on"), "birth_dates": a.get("birth_dates", []),
                       "nationalities": a.get("nationalities", [])})
    return base


def record_hits(session: Session, org_id: int, actor: str, q: _Clean, hits: list[_Hit],
                imports: dict[int, ListImport | None], settings: dict[str, Any], threshold: float,
                monitoring: bool = False) -> list[int]:
    """Store the alerting hits as matches and emit one ``match.recorded`` (case kind ``screening_hit``)."""
    if not hits:
        return []
    signals = [{"signal_type": "name", "value": n} for n in q.names] + \
              [{"signal_type": "crypto_address", "value": w} for w, _ in q.wallets]
    kind = q.kind if q.kind in ("person", "organization", "wallet") else ("wallet" if not q.names else "person")
    item = Item(org_id=org_id, ref=q.ref[:300], content_type=kind, submitted_by=actor[:64], signals=signals)
    session.add(item)
    session.flush()
    matches = []
    for h in hits:
        imp = imports.get(h.bank.id)
        m = Match(item_id=item.id, org_id=org_id, signal_id=h.signal_id, bank_id=h.bank.id, entry_id=h.entry.id,
                  signal_type=h.signal_type, query_value=h.query_value, distance=round(1.0 - h.score, 6),
                  explanation={"score": round(h.score, 4), "threshold": threshold, "features": h.features,
                               "feature_weights": {k: FEATURE_WEIGHTS.get(k, 1.0) for k in h.features},
                               "matched_name": h.matched, "query": query_details(q),
                               "list": _list_view(h.bank, Access.OWNER, imp),
                               "settings": settings, "monitoring": monitoring})
        session.add(m)
        matches.append(m)
    session.flush()
    outbox.emit(session, "match.recorded", {
        "item_id": item.id, "item_ref": item.ref, "content_type": kind, "match_ids": [m.id for m in matches],
        "suppressed_match_ids": [], "bank_ids": sorted({m.bank_id for m in matches}), "suppressed": False,
        "case_kind": "screening_hit", "customer_ref": q.ref or f"item:{item.id}",
    }, org_id=org_id)
    return [m.id for m in matches]


def query_details(q: _Clean) -> dict[str, Any]:
    """What the customer was screened with beyond the matched name, kept with each of its hits so that the reviewer
    sees both sides (birth date, nationalities, gender, documents, the names given)."""
    return {"names": q.names[:20], "birth_date": q.birth_text, "nationality": q.nationality[:20],
            "gender": q.gender, "documents": q.documents[:20]}


def customer_signals(q: _Clean) -> dict[str, Any]:
    """What monitoring keeps of a customer: the signals, nothing else (data minimisation)."""
    return {"names": q.names, "birth_date": q.birth_text, "nationality": q.nationality, "gender": q.gender,
            "documents": q.documents, "wallets": [w for w, _ in q.wallets]}


def remember(session: Session, org_id: int, q: _Clean) -> None:
    if not q.ref:
        return
    row = session.scalar(select(Customer).where(Customer.org_id == org_id, Customer.ref == q.ref))
    if row is None:
        session.add(Customer(org_id=org_id, ref=q.ref, kind=q.kind, signals=customer_signals(q)))
    else:
        row.kind, row.signals, row.screened_at = q.kind, customer_signals(q), utcnow()


def wallet_checker(session: Session, bank_ids: list[int]) -> Callable[[str], bool]:
    """Whether a wallet value that fails validation is held as written by one of ``bank_ids`` (see
    :func:`clean_query`)."""

    def listed(value: str) -> bool:
        return bank_ids != [] and session.scalar(select(Signal.id).where(
            Signal.bank_id.in_(bank_ids), Signal.signal_type == "crypto_address", Signal.value == value,
            Signal.enabled.is_(True)).limit(1)) is not None

    return listed


def lists_checker(session: Session, principal: Principal, bank_ids: list[int] | None) -> Callable[[str], bool]:
    """:func:`wallet_checker` over the lists in force for ``principal`` (or ``bank_ids`` of them)."""
    settings = current_settings(session, principal.org_id)
    return wallet_checker(session, [b.id for b, _, _ in lists_in_force(session, principal, settings, bank_ids)])


def screen(session: Session, principal: Principal, queries: list[ScreenQuery],
           options: ScreenOptions | None = None) -> dict[str, Any]:
    """Screen one or a batch of queries; the JSON-ready result (see docs/finance.md for its shape).

    Raises:
        InvalidInput: A query is malformed (``errors`` lists each bad query with its index and reason), a list is
            unknown, or the batch is too large.
    """
    principal.require_match()
    opts = options or ScreenOptions()
    if not queries:
        raise InvalidInput("send at least one query")
    if len(queries) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} queries per request")
    if not 1 <= opts.limit <= 100:
        raise InvalidInput("limit is 1..100")
    settings = current_settings(session, principal.org_id)
    threshold = settings.threshold if opts.threshold is None else opts.threshold
    if not 0.0 < threshold <= 1.0:
        raise InvalidInput("threshold is in (0, 1]")
    banks = lists_in_force(session, principal, settings, opts.bank_ids)
    listed_unverified = wallet_checker(session, [b.id for b, _, _ in banks])
    clean: list[_Clean] = []
    errors: list[dict[str, Any]] = []
    for i, q in enumerate(queries):
        try:
            clean.append(clean_query(q, listed_unverified))
        except (InvalidInput, InvalidSignal) as e:
            errors.append({"index": i, "ref": q.ref[:300], "reason": e.detail})
    if errors:
        raise InvalidInput(f"{len(errors)} of {len(queries)} queries are invalid; nothing was screened",
                           errors=errors[:1000])
    imports = {b.id: imp for b, _, imp in banks}
    shown = {**settings.as_dict(), "threshold": threshold, "bank_ids": [b.id for b, _, _ in banks],
             "threshold_overridden": opts.threshold is not None}
    results = []
    indexes: dict[int, BankIndex] = {}
    for c in clean:
        hits = screen_one(session, c, banks, threshold, settings.weights, opts.limit, indexes=indexes)
        match_ids = record_hits(session, principal.org_id, principal.actor, c, hits, imports, shown, threshold) \
            if opts.record else []
        if opts.monitor:
            remember(session, principal.org_id, c)
        results.append({"ref": c.ref, "kind": c.kind, "matched": bool(hits), "match_ids": match_ids,
                        "hits": [hit_view(h, imports.get(h.bank.id), threshold) for h in hits]})
    return {"settings": shown, "lists": [_list_view(b, a, imp) for b, a, imp in banks], "results": results}
