"""The engine behind :class:`basira.finance.names.NameIndex`: the index itself (add, remove, weights) and the
features of a hit.

Name-part weights are inverse document frequencies computed from the indexed lists themselves, so the index
needs no outside name statistics and common parts ("Mohammed", "Abu") weigh little wherever they appear.
Blocking and alignment live in :mod:`basira.finance.name_query`, the index's data in
:mod:`basira.finance.name_forms`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from basira.core.errors import InvalidInput
from basira.finance.name_evidence import corroboration
from basira.finance.name_forms import Form, IndexedName, index_keys, pair_keys, parse_name, unfinal
from basira.finance.name_numbers import identifiers, told_apart
from basira.finance.name_query import QueryRun
from basira.finance.name_tables import QueryTables
from basira.finance.name_types import (
    FEATURE_WEIGHTS,
    MAX_NAME_CHARS,
    DateSpan,
    EntryId,
    Gender,
    Kind,
    NameHit,
    NameRecord,
)
from basira.lang.countries import country_table
from basira.lang.nameparts import NamePart
from basira.lang.scripts import (
    first_al_as_letters,
    muhammad_written_out,
    regional_given_names,
    translate_org_words,
    without_georgian_nominative,
)
from basira.lang.translit import (
    albanian_letters,
    azerbaijani_kurdish_letters,
    dutch_cyrillic,
    finnic_cyrillic,
    has_marker,
    latin_plain,
    latvian_endings,
    lithuanian_endings,
    skeleton_variants,
)

_W = FEATURE_WEIGHTS
#: A query of one part that at least this many listed names hold is a common name alone ("Omar", "Hassan"): it
#: takes the full ``low_information`` weight away, so that it cannot alert on a one-word alias.
COMMON_PART = 3
#: ... but against a listed organization, vessel or aircraft, a query that writes other words beside its one part
#: (a legal form, a number, an article: "Denise Company", "103 Arsenal", "Al Qaeda") is a company's whole name: only
#: its information counts, unless this many listed entries hold the part ("Golden", "Ali": as good as no name).
COMMON_ORG_PART = 20


def readings_of(name: str, kind: Kind | None) -> tuple[str, ...]:
    """The texts a name is read as, the name as written first: with generic organization words in another
    language, in English too (``translate_org_words``: "INVERSIONES X" is also "investment X"); a person's name
    (or one of unknown kind) whose first word starts with ال, with those letters read as a name's too
    (``first_al_as_letters``: الیاس is Elyas as well as al-Yas); a person's name with a short or Russian form of
    Muhammad, with it written out too (``muhammad_written_out``: Mohd Jaber, Magomed Gamsho; Mhd Amer still meets
    Mhd Amer as written); a person's name with Albanian's xh, with it read j too (``albanian_letters``: Xhafer is
    Jafer, and Xhavit still meets a Xhvait typed or a Ksh of Cyrillic); a person's name with Latvian's masculine
    -s, without it too (``latvian_endings``: Sergejs Zubkovs; Marks Blats still meets Prof. Marks Blats); any name
    in Dutch or Swedish romanization of Russian, read as English too (``dutch_cyrillic``: Michail Iljitsj Pavljoek,
    Nikolajevitj), and in Finnish or Estonian (``finnic_cyrillic``: Mihail Hodorkovski, Vostotšnõi); a person's name
    with a Russian man's Lithuanian endings, without them too (``lithuanian_endings``: Igoris Savinas); a
    person's name with regional forms of Arabic given names or Azerbaijani and Kurmanji letters, written as English
    writes them too (``regional_given_names``, ``azerbaijani_kurdish_letters``: Mamadou, Ehmed, Əli Cəfər); a
    Georgian person's name without the nominative -i too (``without_georgian_nominative``: პუტინი). Each listed
    name is indexed under each of its readings, and scored by the best of them against the best of the query's."""
    out = [name]
    english = translate_org_words(name)
    if english != name:
        out.append(english)
    finnic = finnic_cyrillic(name)
    for reading in (dutch_cyrillic(name), finnic):
        if reading != name and reading not in out:
            out.append(reading)
    if kind != "organization":
        letters = first_al_as_letters(name)
        if letters != name:
            out.append(letters)
        written_out = muhammad_written_out(regional_given_names(azerbaijani_kurdish_letters(name)))
        lithuanian = lithuanian_endings(name)
        for reading in (written_out, albanian_letters(name), albanian_letters(written_out), latvian_endings(name),
                        without_georgian_nominative(name), lithuanian,
                        finnic if lithuanian == name else finnic_cyrillic(lithuanian)):
            if reading != name and reading not in out:
                out.append(reading)
    return tuple(out)


class IndexState:
    """Mutable state of one name index."""

    def __init__(self) -> None:
        self.records: dict[EntryId, NameRecord] = {}
        self.names: dict[int, IndexedName] = {}
        self.by_entry: dict[EntryId, list[int]] = {}
        self.forms: dict[int, Form] = {}
        self.form_ids: dict[tuple[str, str, bool, str], int] = {}
        self.skeleton_forms: dict[str, set[int]] = {}  # skeleton -> its forms (spellings with other vowels)
        self.key_skeletons: dict[str, set[str]] = {}  # index_keys -> skeletons
        # latin_plain -> skeletons with a marker Latin spellings read one way (a c that may be a ç, a first ou w)
        self.plain_twins: dict[str, set[str]] = {}
        self.single_forms: dict[str, set[int]] = {}  # unfinal of skeletons of 4+ letters -> forms
        self.pair_names: dict[str, dict[int, int]] = {}  # two adjacent parts written together -> name -> position
        self.df: Counter[str] = Counter()  # canonical skeleton -> how many names hold it
        self._next = 0
        self._next_form = 0
        self._weights: dict[str, float] = {}  # cleared on every change: weights depend on all names
        self.skeleton_weight: dict[str, float] = {}  # indexed skeleton -> weight(skeleton), set by refresh()
        self.form_weight: dict[int, float] = {}
        self.form_names: dict[int, NDArray[np.int64]] = {}  # form -> ids of the names that hold it
        self.skeleton_names: dict[str, NDArray[np.int64]] = {}  # skeleton -> ids of the names that hold it
        self.totals: NDArray[np.float64] = np.ones(0)  # name id -> sum of its parts' weights
        # Country names -> ISO codes (basira.lang.countries.country_table), read for countries written in
        # brackets (name_numbers): kept and saved with the index, so that no query loads Babel's locale data.
        self.countries: dict[str, str] = {}
        self._fresh = False
        self._tables: QueryTables | None = None  # derived on the first query after a change, never saved

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_tables", None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._tables = None
        if "countries" not in state:  # a state pickled before the index kept one: refilled on the next change
            self.countries = country_table()

    def tables(self) -> QueryTables:
        """The rows the query path reads (:mod:`basira.finance.name_tables`), for weights that are fresh; kept
        until the next change."""
        self.refresh()
        if self._tables is None:
            self._tables = QueryTables(self.forms, self.skeleton_forms, self.form_names, self.form_weight)
        return self._tables

    def size(self) -> int:
        return len(self.records)

    def add(self, records: Iterable[NameRecord]) -> None:
        for rec in records:
            self.remove((rec.entry_id,))
            self.records[rec.entry_id] = rec
            ids = self.by_entry.setdefault(rec.entry_id, [])
            for variant in rec.names:
                # Each reading of the name (readings_of) is indexed under the name's own text.
                for reading in readings_of(variant.name, rec.kind):
                    for arabic, parts in parse_name(reading, aliases=True):
                        nid, self._next = self._next, self._next + 1
                        ids.append(nid)
                        self._add_name(nid, rec, variant.name, variant.quality == "weak", arabic, parts)
        self._changed()

    def _add_name(self, nid: int, rec: NameRecord, text: str, weak: bool, arabic: bool,
                  parts: tuple[NamePart, ...]) -> None:
        fids = tuple(self._form(p, arabic) for p in parts)
        positions: dict[int, list[int]] = {}
        for j, f in enumerate(fids):
            positions.setdefault(f, []).append(j)
        for f, js in positions.items():
            self.forms[f].names[nid] = tuple(js)
        self.df.update({self.forms[f].canon for f in positions})
        skels = [p.skeleton for p in parts]
        for j, key in pair_keys(skels):
            self.pair_names.setdefault(key, {}).setdefault(nid, j)
        self.names[nid] = IndexedName(rec.entry_id, text, weak, arabic, rec.kind, fids, tuple(skels), "".join(skels))

    def _form(self, part: NamePart, arabic: bool) -> int:
        key = (part.skeleton, part.vowels, arabic, part.pattern)
        fid = self.form_ids.get(key)
        if fid is None:
            fid = self.form_ids[key] = self._next_form
            self._next_form += 1
            self.forms[fid] = Form(part.skeleton, part.vowels, arabic, skeleton_variants(part.skeleton)[0],
                                   part.pattern, text=part.text)
            if part.skeleton not in self.skeleton_forms:
                self.skeleton_forms[part.skeleton] = set()
                for k in index_keys(part.skeleton):
                    self.key_skeletons.setdefault(k, set()).add(part.skeleton)
                if has_marker(part.skeleton):
                    self.plain_twins.setdefault(latin_plain(part.skeleton), set()).add(part.skeleton)
            self.skeleton_forms[part.skeleton].add(fid)
            if len(part.skeleton) >= 4:
                for k in unfinal(part.skeleton):
                    self.single_forms.setdefault(k, set()).add(fid)
        return fid

    def remove(self, entry_ids: Iterable[EntryId]) -> None:
        for eid in entry_ids:
            self.records.pop(eid, None)
            for nid in self.by_entry.pop(eid, []):
                self._remove_name(nid)
        self._changed()

    def _remove_name(self, nid: int) -> None:
        name = self.names.pop(nid)
        keys = pair_keys(name.skeletons)
        for f in set(name.fids):
            form = self.forms[f]
            form.names.pop(nid, None)
            self.df[form.canon] -= 1
            if self.df[form.canon] <= 0:
                del self.df[form.canon]
            if not form.names:
                self._drop_form(f)
        for _, key in keys:
            holders = self.pair_names.get(key)
            if holders is not None:
                holders.pop(nid, None)
                if not holders:
                    del self.pair_names[key]

    def _drop_form(self, fid: int) -> None:
        form = self.forms.pop(fid)
        del self.form_ids[(form.skeleton, form.vowels, form.arabic, form.pattern)]
        for k in unfinal(form.skeleton):
            fids = self.single_forms.get(k)
            if fids is not None:
                fids.discard(fid)
                if not fids:
                    del self.single_forms[k]
        same = self.skeleton_forms[form.skeleton]
        same.discard(fid)
        if not same:
            del self.skeleton_forms[form.skeleton]
            for k in index_keys(form.skeleton):
                skels = self.key_skeletons[k]
                skels.discard(form.skeleton)
                if not skels:
                    del self.key_skeletons[k]
            twins = self.plain_twins.get(latin_plain(form.skeleton))
            if twins is not None:
                twins.discard(form.skeleton)
                if not twins:
                    del self.plain_twins[latin_plain(form.skeleton)]

    def _changed(self) -> None:
        self._weights.clear()
        self._fresh = False
        self._tables = None

    def refresh(self) -> None:
        """Recomputes every part weight after the lists changed (once, on the first query that follows)."""
        if self._fresh:
            return
        if not self.countries:
            self.countries = country_table()
        self.skeleton_weight = {skel: self.weight(skel) for skel in self.skeleton_forms}
        sw = self.skeleton_weight
        self.form_weight = {f: sw[form.skeleton] for f, form in self.forms.items()}
        self.form_names = {f: np.fromiter(form.names, np.int64, len(form.names)) for f, form in self.forms.items()}
        self.skeleton_names = {
            skel: np.unique(np.concatenate([self.form_names[f] for f in fids]))
            for skel, fids in self.skeleton_forms.items()
        }
        fw = self.form_weight
        self.totals = np.ones(self._next)
        for nid, name in self.names.items():
            name.weights = tuple(fw[f] for f in name.fids)
            self.totals[nid] = sum(name.weights) or 1.0
        self._fresh = True

    def weight(self, skeleton: str) -> float:
        """Inverse document frequency of a part's skeleton among all indexed names (unknown ones weigh the most)."""
        canon = skeleton_variants(skeleton)[0] if skeleton else skeleton
        w = self._weights.get(canon)
        if w is None:
            w = self._weights[canon] = math.log(1.0 + (len(self.names) + 1) / (self.df.get(canon, 0) + 0.5))
        return w


    def holders(self, part: NamePart, arabic: bool) -> int:
        """How many listed entries hold a one-part query, at most ``COMMON_PART``: an Arabic-script part, any with
        its consonant skeleton (so that one common Arabic name never alerts alone); a Latin part, those with its
        spelling (see :meth:`spelled_holders`)."""
        if arabic:
            return self.df.get(skeleton_variants(part.skeleton)[0], 0)
        return self.spelled_holders(part.skeleton, part.vowels, False, COMMON_PART)

    def spelled_holders(self, skeleton: str, vowels: str, arabic: bool, enough: int) -> int:
        """How many listed entries hold a part spelt this way (its skeleton and vowel form, in its script), counted
        up to ``enough``. Short skeletons of unrelated words coincide (Qusay, Qays and Kass are all "ks"; a
        company's one-word name "Machanga" and "Mohsen"), so a part's skeleton says little of how common the name
        is; and entries, not names: one company listed with five spellings of its name does not make it common."""
        entries: set[EntryId] = set()
        skeletons = {skeleton}
        if not arabic:
            # Kocak and Kokak, Ouali and Wali are one spelling between Latin names (see latin_plain).
            plain = latin_plain(skeleton)
            skeletons |= {plain, *self.plain_twins.get(plain, ())}
        for skel in sorted(skeletons):
            for f in self.skeleton_forms.get(skel, ()):
                form = self.forms[f]
                if form.arabic != arabic or form.vowels != vowels:
                    continue
                for nid in form.names:
                    entries.add(self.names[nid].entry_id)
                    if len(entries) >= enough:
                        return enough
        return len(entries)

    def query(self, name: str, *, birth_date: DateSpan | None, nationality: tuple[str, ...], gender: Gender | None,
              documents: tuple[str, ...], kind: Kind | None, limit: int, threshold: float,
              only: tuple[EntryId, str] | None = None) -> list[NameHit]:
        if len(name) > MAX_NAME_CHARS:
            raise InvalidInput(f"the name is {len(name)} characters long; at most {MAX_NAME_CHARS} are screened")
        runs = parse_name(name)
        if not runs:
            raise InvalidInput("the name has no letters that can be screened")
        self.refresh()
        details = birth_date is not None or bool(nationality or gender or documents)
        q_numbers = identifiers(name, kind in (None, "aircraft"))
        numbered: dict[tuple[str, bool], bool] = {}
        evidence: dict[EntryId, dict[str, float]] = {}
        best: dict[EntryId, tuple[float, float, IndexedName, float, float]] = {}
        targets = None
        if only is not None:
            targets = [nid for nid in self.by_entry.get(only[0], []) if self.names[nid].text == only[1]]
        # Each reading of the query (readings_of), each listed name scored by the best (see add); a reading that
        # parses to nothing adds nothing.
        readings = [runs, *(r for other in readings_of(name, kind)[1:] if (r := parse_name(other)))]
        for reading in readings:
            q = QueryRun(self, [(arabic, p) for arabic, parts in reading for p in parts])
            low, low_org = self._low_information(q, name, kind, q_numbers)
            for cand, match in q.matches(kind, targets):
                eid = cand.entry_id
                score = match * (_W["name_match"] + (_W["weak_alias"] if cand.weak else 0.0)) + \
                    (low if cand.kind == "person" else low_org)
                if q_numbers:
                    listed_key = (cand.text, cand.kind == "aircraft")
                    apart = numbered.get(listed_key)
                    if apart is None:
                        apart = numbered[listed_key] = told_apart(q_numbers, identifiers(*listed_key),
                                                                  self.countries)
                    if apart:
                        score += _W["number_mismatch"]
                if details:
                    found = evidence.get(eid)
                    if found is None:
                        found = evidence[eid] = corroboration(self.records[eid], birth_date, nationality, gender,
                                                              documents)
                    score += sum(found.values())
                score = max(0.0, min(1.0, score))
                old = best.get(eid)
                if old is None or score > old[0]:
                    best[eid] = (score, match, cand, low, low_org)
        hits = []
        for eid, (score, match, cand, low, low_org) in sorted(best.items(),
                                                              key=lambda kv: (-kv[1][0], str(kv[0])))[:limit]:
            feats = {"name_match": match * _W["name_match"]}
            if cand.weak:
                feats["weak_alias"] = _W["weak_alias"] * match
            cand_low = low if cand.kind == "person" else low_org
            if cand_low:
                feats["low_information"] = cand_low
            if q_numbers and numbered.get((cand.text, cand.kind == "aircraft")):
                feats["number_mismatch"] = _W["number_mismatch"]
            feats.update(evidence.get(eid, {}))
            hits.append(NameHit(eid, round(score, 4), cand.text, name, {k: round(v, 4) for k, v in feats.items()},
                                score >= threshold))
        return hits

    def _low_information(self, q: QueryRun, name: str, kind: Kind | None,
                         q_numbers: frozenset[str]) -> tuple[float, float]:
        """The low-information penalty of a query reading, against a listed person and against anything else."""
        # As much information as one part no listed name has: the penalty then vanishes, whatever the index size.
        full_info, info = self.weight("\0"), sum(q.weights)
        low = _W["low_information"] * (1.0 - info / full_info) if info < full_info else 0.0
        # One common part ("Omar", "Hassan") never alerts alone. Against a listed organization, vessel or aircraft,
        # a query that writes more than its one part (a legal form, a number, an article: "Denise Company", "Joint
        # Stock Company 103 Arsenal", "Al Qaeda") is a company's whole name: only its information counts.
        low_org = low
        if len(q.parts) == 1 and self.holders(q.parts[0], not q.latin[0]) >= COMMON_PART:
            low = _W["low_information"]
            part = q.parts[0]
            if not ((q_numbers or (len(name.split()) > 1 and kind != "person"))
                    and self.spelled_holders(part.skeleton, part.vowels, not q.latin[0], COMMON_ORG_PART)
                    < COMMON_ORG_PART):
                low_org = low
        return low, low_org


