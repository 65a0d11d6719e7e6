"""The engine behind :class:`basira.finance.names.NameIndex`: blocking on name-part keys, alignment and features.

Name-part weights are inverse document frequencies computed from the indexed lists themselves, so the index
needs no outside name statistics and common parts ("Mohammed", "Abu") weigh little wherever they appear.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler

from basira.core.errors import InvalidInput
from basira.finance.names import (
    FEATURE_WEIGHTS,
    MAX_NAME_CHARS,
    DateSpan,
    EntryId,
    Gender,
    Kind,
    NameHit,
    NameRecord,
)
from basira.lang.arabic import split_scripts
from basira.lang.nameparts import NamePart, name_parts
from basira.lang.translit import skeleton_variants

#: Names scored in full per query, out of those the blocking step finds (best pre-scores first).
CANDIDATES = 25
#: Similarity of one part to two adjacent parts that spell it out exactly (final h aside).
FUSED_SIM = 0.97
#: Keys on more names than this are only used to re-rank names that rarer keys found.
COMMON_POSTINGS = 300
#: Below this similarity two name parts count as different.
PART_FLOOR = 0.8
_W = FEATURE_WEIGHTS
Pair = tuple[float, tuple[int, ...], tuple[int, ...]]  # similarity, query part(s), candidate part(s)


@dataclass(slots=True)
class _Name:
    entry_id: EntryId
    text: str
    weak: bool
    arabic: bool
    parts: tuple[NamePart, ...]
    keys: tuple[str, ...]
    skeys: tuple[str, ...] = ()  # per part: the cache key of a cross-script comparison
    lkeys: tuple[str, ...] = ()  # per part: the cache key of a Latin-to-Latin comparison
    joined: str = ""
    weights: tuple[float, ...] = ()
    stamp: int = -1  # the index version ``weights`` were computed at

    singles: dict[str, int] = field(default_factory=dict)  # spelt-out skeleton (final h dropped) -> part
    doubles: dict[str, int] = field(default_factory=dict)  # two adjacent parts written together -> first part

    def __post_init__(self) -> None:
        self.skeys = tuple(p.skeleton for p in self.parts)
        self.lkeys = tuple(p.skeleton + "|" + p.vowels for p in self.parts)
        self.joined = "".join(self.skeys)
        self.singles, self.doubles = _fusion_keys(self.skeys)


def _fusion_keys(skels: tuple[str, ...]) -> tuple[dict[str, int], dict[str, int]]:
    """Lookup tables that find one part on one side written as two adjacent parts on the other."""
    singles = {v.removesuffix("h"): i for i, s in enumerate(skels) if len(s) >= 4 for v in skeleton_variants(s)}
    doubles = {
        v.removesuffix("h"): j
        for j in range(len(skels) - 1) if skels[j] and skels[j + 1]
        for v in skeleton_variants(skels[j] + skels[j + 1])
    }
    return singles, doubles


def _keys(parts: tuple[NamePart, ...]) -> tuple[str, ...]:
    skels = [skeleton_variants(p.skeleton) for p in parts if p.skeleton]
    keys = {v for vs in skels for v in vs}
    # Adjacent pairs and the whole name catch fused spellings (Hizballah / حزب الله, Walijan / ولی جان).
    keys.update(a[0] + b[0] for a, b in itertools.pairwise(skels))
    if len(skels) > 2:
        keys.add("".join(vs[0] for vs in skels))
    # One-letter deletions of longer skeletons (marked "~") find parts one edit apart without a scan of all keys.
    for vs in skels:
        for v in vs:
            if len(v) >= 4:
                keys.update(_deletions(v))
    return tuple(sorted(keys))


def _deletions(skeleton: str) -> tuple[str, ...]:
    return tuple(sorted({"~" + skeleton[:i] + skeleton[i + 1:] for i in range(len(skeleton))} | {"~" + skeleton}))


_PAREN = re.compile(r"\(([^()]*)\)")
_ALIAS_SPLIT = re.compile(r"\s*;\s*|\s+/\s+")


def _parse(text: str, *, aliases: bool = False) -> list[tuple[bool, tuple[NamePart, ...]]]:
    """Each single-script run of ``text`` as (is_arabic, parts); with ``aliases``, a bracketed part is a name
    of its own (``JAMAAT-UL-AHRAR (JuA)``)."""
    runs = split_scripts(text)
    if aliases and any(c in text for c in "(;/"):
        # Lists pack several names into one field: "A (B)", "A; B", "A / B". Short bracketed acronyms
        # (GDAE, JuA) are dropped: two or three consonants match far too many names.
        inner = [t for t in _PAREN.findall(text) if " " in t.strip() or len(t.strip()) > 5]
        texts = [t for chunk in (_PAREN.sub(" ", text), *inner) for t in _ALIAS_SPLIT.split(chunk)]
        runs = [r for t in texts for r in split_scripts(t)]
    out = []
    for script, run in runs:
        if script in ("arabic", "latin"):
            parts = tuple(name_parts(run))
            if parts:
                out.append((script == "arabic", parts))
    return out


class IndexState:
    """Mutable state of one name index."""

    def __init__(self) -> None:
        self.records: dict[EntryId, NameRecord] = {}
        self.names: dict[int, _Name] = {}
        self.by_entry: dict[EntryId, list[int]] = {}
        self.postings: dict[str, set[int]] = {}
        self.df: Counter[str] = Counter()
        self._next = 0
        self._weights: dict[str, float] = {}  # cleared on every change: weights depend on all names
        self._version = 0

    def size(self) -> int:
        return len(self.records)

    def add(self, records: Iterable[NameRecord]) -> None:
        for rec in records:
            self.remove((rec.entry_id,))
            self.records[rec.entry_id] = rec
            ids = self.by_entry.setdefault(rec.entry_id, [])
            for variant in rec.names:
                for arabic, parts in _parse(variant.name, aliases=True):
                    name = _Name(rec.entry_id, variant.name, variant.quality == "weak", arabic, parts, _keys(parts))
                    nid, self._next = self._next, self._next + 1
                    self.names[nid] = name
                    ids.append(nid)
                    for key in name.keys:
                        self.postings.setdefault(key, set()).add(nid)
                        self.df[key] += 1
        self._weights.clear()
        self._version += 1

    def remove(self, entry_ids: Iterable[EntryId]) -> None:
        for eid in entry_ids:
            self.records.pop(eid, None)
            for nid in self.by_entry.pop(eid, []):
                name = self.names.pop(nid)
                for key in name.keys:
                    self.postings[key].discard(nid)
                    self.df[key] -= 1
                    if not self.postings[key]:
                        del self.postings[key], self.df[key]
        self._weights.clear()
        self._version += 1

    def weight(self, key: str) -> float:
        """Inverse document frequency of a key among all indexed names (unknown keys weigh the most)."""
        w = self._weights.get(key)
        if w is None:
            w = self._weights[key] = math.log(1.0 + (len(self.names) + 1) / (self.df.get(key, 0) + 0.5))
        return w

    def _block(self, q_parts: tuple[NamePart, ...]) -> dict[int, float]:
        """Pre-scores of the indexed names that share a key with the query (rarest keys first)."""
        pre: dict[int, float] = {}
        found = [(len(ids), key, ids) for key in _keys(q_parts) if (ids := self.postings.get(key))]
        for n, key, ids in sorted(found, key=lambda t: t[0]):
            w = self.weight(key) * (0.7 if key[0] == "~" else 1.0)
            if n > COMMON_POSTINGS and len(pre) >= CANDIDATES:
                # A very common key (Mohammed, Abu) only adds to names already found: walking its whole
                # posting list would cost more than the rest of the query.
                for nid in pre:
                    if nid in ids:
                        pre[nid] += w
                continue
            for nid in ids:
                pre[nid] = pre.get(nid, 0.0) + w
        return pre

    def _shortlist(self, pre: dict[int, float]) -> list[int]:
        """The best pre-scored names, at most three per entry, from at most ``CANDIDATES`` entries: an entry with
        many aliases must not crowd out the others."""
        out: list[int] = []
        per_entry: Counter[EntryId] = Counter()
        for nid, _ in heapq.nlargest(CANDIDATES * 4, pre.items(), key=lambda kv: kv[1]):
            eid = self.names[nid].entry_id
            if per_entry[eid] < 3 and (eid in per_entry or len(per_entry) < CANDIDATES):
                per_entry[eid] += 1
                out.append(nid)
        return out

    def query(self, name: str, *, birth_date: DateSpan | None, nationality: tuple[str, ...], gender: Gender | None,
              documents: tuple[str, ...], kind: Kind | None, limit: int, threshold: float) -> list[NameHit]:
        if len(name) > MAX_NAME_CHARS:
            raise InvalidInput(f"the name is {len(name)} characters long; at most {MAX_NAME_CHARS} are screened")
        runs = _parse(name)
        if not runs:
            raise InvalidInput("the name has no letters that can be screened")
        q_arabic = all(a for a, _ in runs)
        q_parts = tuple(p for _, parts in runs for p in parts)
        pre = self._block(q_parts)
        best: dict[EntryId, tuple[float, _Name, dict[str, float]]] = {}
        q_fusion = _fusion_keys(tuple(p.skeleton for p in q_parts))
        rows: list[dict[str, float]] = [{} for _ in q_parts]  # per query part: similarity by candidate part key
        q_weights = [self.weight(p.skeleton) for p in q_parts]
        info = sum(q_weights)
        # As much information as one part no listed name has: the penalty then vanishes, whatever the index size.
        full_info = self.weight("\0")
        for nid in self._shortlist(pre):
            cand = self.names[nid]
            rec = self.records[cand.entry_id]
            if kind and {kind, rec.kind} <= {"person", "organization"} and kind != rec.kind:
                continue
            latin = not (q_arabic or cand.arabic)
            if cand.stamp != self._version:
                cand.weights, cand.stamp = tuple(self.weight(k) for k in cand.skeys), self._version
            match = _name_match(q_parts, q_weights, cand, latin, rows, q_fusion)
            feats = {"name_match": match}
            if cand.weak:
                feats["weak_alias"] = _W["weak_alias"] * match
            if info < full_info:
                feats["low_information"] = _W["low_information"] * (1.0 - info / full_info)
            feats.update(_corroboration(rec, birth_date, nationality, gender, documents))
            score = max(0.0, min(1.0, sum(feats.values())))
            old = best.get(cand.entry_id)
            if old is None or score > old[0]:
                best[cand.entry_id] = (score, cand, feats)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], str(kv[0])))[:limit]
        return [
            NameHit(eid, round(score, 4), cand.text, name, {k: round(v, 4) for k, v in feats.items()},
                    score >= threshold)
            for eid, (score, cand, feats) in ranked
        ]


def _skeleton_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a.removesuffix("h") == b.removesuffix("h"):
        return 0.95  # a final h: Mullah / ملا, Hamzah / حمزة
    if min(len(a), len(b)) < 3:
        return 0.0  # skeletons of one or two letters (Ali, Abu) are too short to be "close"
    return JaroWinkler.normalized_similarity(a, b)


def _part_sim(q: NamePart, c: NamePart, latin: bool) -> float:
    if latin:
        sim = _skeleton_sim(q.skeleton, c.skeleton)  # both sides carry the same markers
    else:
        sim = max(_skeleton_sim(a, b) for a in skeleton_variants(q.skeleton) for b in skeleton_variants(c.skeleton))
    if latin and sim > 0.0:
        # Between two Latin spellings the vowels tell Fadi from Fuad; the skeleton still forgives o/u and e/i.
        sim = 0.35 * sim + 0.65 * JaroWinkler.normalized_similarity(q.vowels, c.vowels)
    return sim if sim >= PART_FLOOR else 0.0


def _name_match(q: tuple[NamePart, ...], qw: list[float], cand: _Name, latin: bool,
                rows: list[dict[str, float]], q_fusion: tuple[dict[str, int], dict[str, int]]) -> float:
    c, cw = cand.parts, cand.weights
    keys = cand.lkeys if latin else cand.skeys
    pairs: list[Pair] = []
    for i, a in enumerate(q):
        row = rows[i]
        for j, key in enumerate(keys):
            sim = row.get(key)
            if sim is None:
                sim = row[key] = _part_sim(a, c[j], latin)
            if sim > 0.0:
                pairs.append((sim, (i,), (j,)))
    used_q, used_c = _greedy(pairs)
    if (len(used_q) < len(q) or len(used_c) < len(c)) and (q_fusion[0] or q_fusion[1]) and (
        cand.singles or cand.doubles
    ):
        # Some part is left over: see whether two parts written apart on one side are one part on the other,
        # and keep that alignment when it covers more.
        fused = pairs + _fused_pairs(q_fusion, cand)
        fq, fc = _greedy(fused)
        if sum(fq.values()) + sum(fc.values()) > sum(used_q.values()) + sum(used_c.values()):
            used_q, used_c = fq, fc
    q_cov = sum(qw[i] * s for i, s in used_q.items()) / (sum(qw) or 1.0)
    c_cov = sum(cw[j] * s for j, s in used_c.items()) / (sum(cw) or 1.0)
    aligned = 0.6 * q_cov + 0.4 * c_cov
    if len(q) != len(c):
        # One side may fuse parts the other writes apart (Hizballah / Hizb Allah, Abdulaziz / Abd al-Aziz).
        if len(joined := "".join(p.skeleton for p in q)) >= 5 and joined == cand.joined:
            aligned = max(aligned, 0.95)
    return aligned * _W["name_match"]


def _greedy(pairs: list[Pair]) -> tuple[dict[int, float], dict[int, float]]:
    """Best pairs first, each part used once."""
    used_q: dict[int, float] = {}
    used_c: dict[int, float] = {}
    for sim, qi, cj in sorted(pairs, reverse=True):
        if not any(i in used_q for i in qi) and not any(j in used_c for j in cj):
            used_q.update(dict.fromkeys(qi, sim))
            used_c.update(dict.fromkeys(cj, sim))
    return used_q, used_c


def _fused_pairs(q_fusion: tuple[dict[str, int], dict[str, int]], cand: _Name) -> list[Pair]:
    """Two adjacent parts on one side equal to one part on the other (Kakazada / کاکا زاده, Walijan / ولی جان)."""
    q_singles, q_doubles = q_fusion
    out: list[Pair] = [(FUSED_SIM, (i,), (j, j + 1)) for v, i in q_singles.items() if (j := cand.doubles.get(v))
                       is not None]
    out += [(FUSED_SIM, (j, j + 1), (i,)) for v, j in q_doubles.items() if (i := cand.singles.get(v)) is not None]
    return out


def _norm_doc(doc: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", doc).upper()


def _norm_country(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold())


def _corroboration(rec: NameRecord, birth: DateSpan | None, nationality: tuple[str, ...], gender: Gender | None,
                   documents: tuple[str, ...]) -> dict[str, float]:
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
