"""One query against a name index: blocking on the forms that share a key with its parts, vectorised pre-scores,
then the full alignment of the best names.

A query part is compared with each form (or, across scripts, each skeleton) that shares a key with it once per
query, not once per listed name; the names holding the forms that matched are pre-scored from those comparisons
alone, in one pass over their postings, and only the best ``CANDIDATES`` are aligned in full.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import Levenshtein

from basira.finance.name_forms import Form, IndexedName, joined_skeleton, latin_form_keys, query_keys, unfinal
from basira.finance.name_similarity import (
    FUSED_SIM,
    LONG_SKELETON,
    LOOSE,
    MAX_STEPS,
    PART_FLOOR,
    SHORT_TA_MARBUTA,
    SHORT_VOWELS,
    SPELLING_SWAPS,
    VOWEL_CONTRADICTION,
    OnePair,
    Pair,
    align,
    align_parts,
    arabic_letters_differ,
    cross_latin_similarity,
    cross_similarity,
    joined_pattern,
    latin_similarity,
    letter_apart,
    same_skeleton_similarity,
    shares,
    short_ta_marbuta,
    vowel_penalty,
    vowel_steps,
)
from basira.finance.name_slips import Slips
from basira.finance.name_tables import QueryTables, nisba_keys, shortlist
from basira.finance.name_types import EntryId, Kind
from basira.lang.nameparts import KUNYA_PATTERN, NamePart, fused_prefix
from basira.lang.translit import arabic_plain, has_marker, latin_plain, latin_word_key, skeleton_variants, spellings

#: Similarity of an initial (one letter, with or without its dot) to a longer part that starts with it, both left
#: over (Maria T. / Maria Teresa): below ``LOOSE``, so the initial explains no more of the name than it weighs.
INITIAL_SIM = 0.95
#: An initial pairs only when at least this many other parts of the two names pair: alone with one more part it
#: would make a name of two letters and a family name alert ('J. Smith', 'A. Zawahiri').
INITIAL_AFTER = 2
#: Similarity at most of two Latin parts of one skeleton, one the other with a final -i, when the query part stands
#: where no nisba does: before the last part of its name and without an article. There the -i is a spelling (the
#: Swahili Rashidi, Hamisi for Rashid, Khamis; Hausa and Persian registers), not the nisba that makes another
#: family name of a last part (Sharif / Sharifi, Abdallah / Abdollahi), which stays apart.
NISBA_INNER = 0.9
#: ... and on the last part too when at least this many parts before it end in such an -i (see QueryRun).
REGISTER_I = 2
_FINAL_I = re.compile(r"[^aeiouy]i$")
#: Both persons' last parts left over cost in full, as both first parts do (see :func:`combine`): a name whose
#: family name is another is a cousin's or a namesake's (Juan Carlos Duran Nunez / Juan Carlos Duran Shaikh,
#: Yasir Sabawi Ibrahim Hasan al-Tikriti / ... Atwa), not the listed name with a part left out. A generational
#: suffix (Jr., Sr., III, Arabic الابن) is no family name: two of them left over stay cheap.
GENERATIONAL = frozenset({"jr", "sr", "junior", "senior", "ii", "iii", "iv", "الابن", "الإبن", "الأبن"})
#: Listed names aligned in full per query, out of those the blocking step pre-scores (best first).
CANDIDATES = 20
#: At most this many names of one entry are aligned in full: an entry with many aliases must not crowd out others.
PER_ENTRY = 3


#: How much the parts one name has and the other lacks cost once two or more parts pair, the first parts of both
#: included, and no rare part of the listed name is left out: the share of the less explained name is raised to
#: this power (1 would cost them in full). A customer record often carries a given name more or less than the list
#: (Ayman Mohammed al-Zawahiri, Taha Ramadan al-Jizrawi).
MISSING_EXPONENT = 0.22
#: A listed part that at most this many listed names hold is rare: left out of the query ('Fadi Nasser' for the
#: listed 'Fadi Nabih Nasser'), it costs in full.
RARE_PART = 1
#: A person's listed middle parts left over cost little, however rare, when the query pairs both the first and the
#: last part of the listed name and that last part is a family name at most this many listed names hold
#: (Akeel Baidhani / Aqeel Muftin Khafif al-Baidhani: an Arabic name's short form leaves out the father's and
#: grandfather's names); with a common last part they still cost in full ('Fadi Nasser' / 'Fadi Nabih Nasser').
RARE_FAMILY = 10
#: A first part left over costs little only when at least this many listed names hold it (Abdullah Ayman
#: al-Zawahiri): a rarer one is more likely a relative's own given name before the listed person's name.
COMMON_FIRST = 20
#: What a listed word of a company's name costs once more when the query has a word of its own in its place
#: (Research and Production Complex / Research and Crescent Complex): another word there names another company.
SWAP_COST = 1.0
#: ... and at least this share of the score, however little the two words weigh (Main Directorate / Main Sapphire
#: for Combating Organized Crime: a common word in a long name).
SWAP_FLOOR = 0.1
#: A company's first word in the place of another counts as one (SWAP_COST) when at least this many words of the
#: two names pair after it: Golden / Joint Stock Company Argus SFK; before fewer, a city or a group before one name.
SWAP_FIRST = 4
#: Two words in the same place of two company names that are at least this alike (normalised Levenshtein of the
#: words as parsed, in either script) are one word spelt otherwise, not another word (see ``SWAP_COST``).
SWAP_ALIKE = 0.5
#: How alike a word of a company's name and the word it abbreviates are, in the same place of both names (Corp /
#: Corporation): see :func:`abbreviates`.
ABBREVIATION_SIM = 0.9
#: Honorifics that lists and records write before a name or leave out (al-Hajj, Mullah, Mawlawi, Qari, Sheikh, Hafiz,
#: Agha: "Alhaj Mir Rahman Rahmani" / "Mir Rahman Rahmani"), as parts' folded texts: one left over on either side is
#: no rare part missing and no first part of another person (see :meth:`QueryRun._cheap`). Not Sayed, Mir or Khan,
#: which are as often a name of their own.
HONORIFICS = frozenset({
    "alhaj", "alhajj", "alhaji", "alhadj", "elhaj", "elhadj", "haj", "hajj", "haji", "hajji", "hadji", "hadj",
    "mullah", "mulla", "molla", "mollah", "maulavi", "mawlawi", "maulvi", "mawlavi", "moulavi", "molvi", "maulana",
    "mawlana", "qari", "kari", "sheikh", "shaikh", "shaykh", "sheik", "cheikh", "hafiz", "hafez", "agha", "aga",
    "aqa", "mufti", "ustad", "ustadh",
    "الحاج", "حاج", "حاجي", "حاجى", "ملا", "مولوي", "مولوى", "مولانا", "قاري", "قارى", "الشيخ", "شيخ", "حافظ",
    "آغا", "اغا", "آقا", "مفتي", "استاد",
})
# ... and each Latin one with an article fused to it (Elhajj, Alsheikh), as a part's text keeps it (the parser reads
# keys without it).
HONORIFICS |= {f"{article}{h}" for article in ("al", "el") for h in HONORIFICS
               if h.isascii() and h[0] not in "aeiouy" and len(h) >= 4}
#: A Slavic patronymic (Venediktovich, Ivanovna, Ivanivna): a middle name that records and documents often leave
#: out, so a listed person's patronymic left over is no rare part missing, however rare it is (a patronymic is
#: nearly always rare). Only between the first and the last part: a family name may end so too (Nikiforovich).
_PATRONYMIC = re.compile(r"(?:ovich|evich|ovych|evych|ovitch|evitch|owitsch|ewitsch|ovna|evna|ivna|yevna|ievna|"
                         r"ichna|ович|евич|овна|евна|івна|ична)$")


def abbreviates(short: str, long: str) -> bool:
    """Whether a folded word may be a shortened form of another: its start, at most half of it and two letters or
    more (Co / Company, Corp / Corporation, Dev / Development) or four letters or more and two fewer at least (a
    stem: Tamil / Tamilsk, Krylov / Krylovsky, Machine / Machinery, Iran / Iranian; not Rah / Rahab); or three
    consonants or more that the longer word has in the same order, the first its first (Mfg / Manufacturing, Ltd /
    Limited); not two letters alone, which are as often a name's initials (JT / Juliet)."""
    if len(short) < 2 or len(long) < len(short) + 2 or short[0] != long[0] or " " in short or " " in long:
        return False
    if long.startswith(short):
        return len(short) >= 4 or 2 * len(short) <= len(long)
    if len(short) < 3 or any(c in "aeiou" for c in short):
        return False
    it = iter(long)
    return all(c in it for c in short)


def combine(q_share: float, c_share: float, matched: int, cheap: bool = True) -> float:
    """How well two names match from the shares of each that the other explains and how many parts paired;
    ``cheap`` says whether the parts left over may cost little (see ``MISSING_EXPONENT``). When one name's first
    part is left over, the other name is more likely a relative's (Saja Barzan Ibrahim / Barzan Ibrahim: a
    daughter's name starts with her own given name, then her father's), and then they cost in full; so they do
    when both persons' first parts are left over (Mohammad Barzan Ibrahim / Khawla Barzan Ibrahim: a brother and
    a sister, each with their own given name before their father's, whatever how common those given names are).
    A company's first word left over on both sides stays cheap (a city or a group before the same name)."""
    if matched < 2 or not cheap:
        return q_share * c_share
    low, high = min(q_share, c_share), max(q_share, c_share)
    return float(high * low ** MISSING_EXPONENT)


class IndexView(Protocol):
    """What a query reads of the index (:class:`basira.finance.name_scoring.IndexState` holds it): forms and names,
    the postings from keys to forms and from forms to names, and the weights of parts."""

    forms: dict[int, Form]
    names: dict[int, IndexedName]
    skeleton_forms: dict[str, set[int]]
    key_skeletons: dict[str, set[str]]
    single_forms: dict[str, set[int]]
    pair_names: dict[str, dict[int, int]]
    skeleton_weight: dict[str, float]
    form_weight: dict[int, float]
    form_names: dict[int, NDArray[np.int64]]
    skeleton_names: dict[str, NDArray[np.int64]]
    totals: NDArray[np.float64]
    df: Counter[str]

    def weight(self, skeleton: str) -> float: ...

    def tables(self) -> QueryTables: ...


def _less(sim: float, penalty: float) -> float:
    """A similarity less a penalty, or 0 when that leaves it below ``PART_FLOOR``."""
    sim -= penalty
    return sim if sim >= PART_FLOOR else 0.0


def _rest_similarity(rest: NamePart, skeleton: str, vowels: str, pattern: str, arabic: bool) -> float:
    """How alike a Latin part's rest after a fused prefix is to a part with these keys (in Arabic script or not)."""
    if arabic:
        sim = cross_similarity(rest.skeleton, skeleton)
        return _less(sim, vowel_penalty(pattern, rest.pattern)) if sim >= LOOSE else 0.0
    if not spellings(rest.skeleton) & spellings(skeleton):
        return 0.0  # another consonant: a typing slip's case, not a fused prefix's
    return latin_similarity(rest.skeleton, rest.vowels, skeleton, vowels, rest.pattern, pattern)


class QueryRun:
    """One query's parts and the similarities computed for it, each (query part, form) pair once."""

    def __init__(self, state: IndexView, parts: list[tuple[bool, NamePart]]) -> None:
        self.state = state
        self.tables = state.tables()
        self.parts = [p for _, p in parts]
        self.latin = [not arabic for arabic, _ in parts]
        self.weights = [state.weight(p.skeleton) for p in self.parts]
        self.total = sum(self.weights)
        self.joined = "".join(p.skeleton for p in self.parts)
        # Latin form -> (similarity > 0, Latin query part) for each Latin query part blocking found like it.
        self.hits: dict[int, list[tuple[float, int]]] = {}
        self._arabic_parts = [i for i, latin in enumerate(self.latin) if not latin]
        self._cross: list[dict[str, float]] = [{} for _ in self.parts]
        self._vowels: dict[tuple[int, int], float] = {}  # (query part, form) -> vowel penalty across scripts
        self._slips = Slips(self.parts, self.latin, state.forms)
        self._prefixed: dict[tuple[int, int], float] = {}  # (query part, form) -> see _prefixed_pairs
        # Each Latin query part without an article or a Ben fused to its start (None: it has none).
        self._rests = [fused_prefix(p.text) if is_latin else None
                       for p, is_latin in zip(self.parts, self.latin, strict=True)]
        self._any_rest = any(r is not None for r in self._rests)
        # Whether a first query part left over may cost little (see COMMON_FIRST): the same for every name.
        self._canon = [skeleton_variants(p.skeleton)[0] if p.skeleton else p.skeleton for p in self.parts]
        self._first_common = bool(self.parts) and state.df.get(self._canon[0], 0) >= COMMON_FIRST
        # The query's honorifics, and each listed name's (see HONORIFICS, _titled_forms).
        self._titled = [i for i, p in enumerate(self.parts) if p.text in HONORIFICS]
        self._titled_of: dict[tuple[int, ...], list[int]] = {}
        # Query parts that stand where no nisba does (see NISBA_INNER): before the last part, without an article.
        self._inner = [i < len(self.parts) - 1 and p.role not in ("nisba", "family") for i, p in enumerate(self.parts)]
        if sum(inner and is_latin and _FINAL_I.search(p.vowels) is not None
               for inner, is_latin, p in zip(self._inner, self.latin, self.parts, strict=True)) >= REGISTER_I:
            # A name that writes -i on two parts before its last is written in a register that adds it (Nayifi
            # Shindah Thamiri Ghalibi): its last part's -i is that spelling too, unless it has an article.
            self._inner[-1] = self.parts[-1].role not in ("nisba", "family")
        # Query parts no listed name holds (see _inherited_weights).
        self._unknown = {i for i, c in enumerate(self._canon) if state.df.get(c, 0) == 0}

    def _cross_sim(self, i: int, skeleton: str) -> float:
        cache = self._cross[i]
        s = cache.get(skeleton)
        if s is None:
            s = cache[skeleton] = cross_similarity(self.parts[i].skeleton, skeleton)
        return s

    def _with_vowels(self, i: int, fid: int, sim: float) -> float:
        """A cross-script similarity less what the two parts' written vowels say against it. Vowels are compared
        only between parts whose consonants agree (``LOOSE`` or more): lined up on consonants that differ, they
        would say little that the consonants have not."""
        pen = self._vowels.get((i, fid))
        if pen is None:
            form, part = self.state.forms[fid], self.parts[i]
            if form.arabic != self.latin[i]:
                # Two Arabic-script parts: only a kunya marker against a name (أبو / الأيوبي) is checked, and a
                # ta marbuta written t, which only a Latin part writes so (سانا / صنعت).
                pen = 1.0 if (form.pattern == KUNYA_PATTERN) != (part.pattern == KUNYA_PATTERN) else 0.0
                if sim == SHORT_TA_MARBUTA and short_ta_marbuta(form.skeleton, part.skeleton):
                    pen = 1.0
                elif not self.latin[i] and sim >= LOOSE and arabic_letters_differ(form.pattern, part.pattern):
                    pen = VOWEL_CONTRADICTION  # both in Arabic script: the long vowels it writes must agree
                elif not self.latin[i] and sim < 1.0 and letter_apart(part.skeleton, form.skeleton):
                    pen = 1.0  # both in Arabic script, a short name with another letter: نزار / نضال, حمد / حمز
                if "ꜧ" in form.skeleton or "ꜧ" in part.skeleton:
                    # خ is h only across scripts (a Turkish spelling): two Arabic-script parts read it k.
                    plain = cross_similarity(arabic_plain(part.skeleton), arabic_plain(form.skeleton))
                    pen = max(pen, sim - plain)
            elif sim < LOOSE:
                pen = 1.0 if KUNYA_PATTERN in (form.pattern, part.pattern) and form.pattern != part.pattern else 0.0
                if not pen and letter_apart(part.skeleton, form.skeleton, SPELLING_SWAPS):
                    pen = 1.0  # Tarek / ثروت: another letter, no other spelling of one
            elif form.arabic:
                pen = vowel_penalty(form.pattern, part.pattern)
                if pen and self._inner[i] and len(part.pattern) > 2 and part.pattern.endswith("I") and \
                        part.pattern[-2].islower():
                    # A final -i where no nisba stands is a spelling (see NISBA_INNER): Khaledi / خالد.
                    pen = min(pen, vowel_penalty(form.pattern, part.pattern[:-1]))
            else:
                pen = vowel_penalty(part.pattern, form.pattern)
            self._vowels[(i, fid)] = pen
        return _less(sim, pen)

    def matches(self, kind: Kind | None, only: Iterable[int] | None = None) -> Iterable[tuple[IndexedName, float]]:
        """The shortlisted listed names, each with how well it matches (0..1, before the other features); with
        ``only``, those listed names (ids) whatever the blocking step ranks first."""
        ranked, fused = self._block()
        names = self.state.names
        if only is not None:
            for nid in only:
                cand = names[nid]
                if kind and {kind, cand.kind} <= {"person", "organization"} and kind != cand.kind:
                    continue
                yield cand, self._align(cand, fused.get(nid, []))
            return
        # Only a person or an organization query can turn a listed name away for its kind.
        other_kind = {"person": "organization", "organization": "person"}.get(kind) if kind else None
        per_entry: dict[EntryId, int] = {}
        done: dict[tuple[int, ...], float] = {}
        taken = 0
        for nid in ranked:
            cand = names[nid]
            if cand.kind == other_kind:
                continue
            seen = per_entry.get(cand.entry_id, 0)
            if seen >= PER_ENTRY:
                continue
            per_entry[cand.entry_id] = seen + 1
            match = done.get(cand.fids)
            if match is None:
                match = done[cand.fids] = self._align(cand, fused.get(nid, []))
            yield cand, match
            taken += 1
            if taken >= CANDIDATES:
                break

    def _block(self) -> tuple[list[int], dict[int, list[Pair]]]:
        """The names that share a form with the query, best pre-score first, and the pairs where one part on
        one side is two on the other.

        A name's pre-score is the query weight its forms match times the share of its own weight they match,
        both from the part similarities alone (no alignment), summed in one vectorised pass over the postings.
        """
        st = self.state
        sw, key_skeletons = st.skeleton_weight, st.key_skeletons
        rows_of = self.tables.rows
        chunks: list[NDArray[np.int64]] = []
        q_vals: list[float] = []
        c_vals: list[float] = []
        # Bound once: this loop runs for every form that shares a key with a query part.
        add_chunk, add_q, add_c = chunks.append, q_vals.append, c_vals.append
        steps_of, same_skeleton = Levenshtein.distance, same_skeleton_similarity
        cross_latin = cross_latin_similarity
        forms = st.forms
        for i, part in enumerate(self.parts):
            skels: set[str] = set()
            latin = self.latin[i]
            short = latin and len(part.skeleton) < LONG_SKELETON
            for k in query_keys(part.skeleton, latin):
                if short and k.startswith("~"):
                    continue  # a Latin part meets another one consonant apart only from LONG_SKELETON on
                hit = key_skeletons.get(k)
                if hit:
                    skels.update(hit)
            qw = self.weights[i]
            if not latin:
                # Across scripts only the skeleton counts: one comparison and one posting list per skeleton.
                for skel in skels:
                    s = self._cross_sim(i, skel)
                    if s > 0.0:
                        add_chunk(st.skeleton_names[skel])
                        add_q(qw * s)
                        add_c(sw[skel] * s)
                continue
            p_skel, p_vowels, p_pattern = part.skeleton, part.vowels, part.pattern
            p_len = len(p_vowels)
            p_kh = "χ" in p_vowels
            p_short = len(p_skel) < SHORT_VOWELS
            p_plain = latin_plain(p_skel)
            p_marked = p_plain != p_skel
            p_variants = frozenset(skeleton_variants(p_skel))
            p_latin_keys: frozenset[str] | None = None
            # A query part of two or three letters ending in t met forms a t shorter on a ta marbuta's key.
            p_skel_len = len(p_skel)
            p_ta_key = p_skel_len < 4 and p_skel.endswith("t")
            hits = self.hits
            p_bare, p_last, p_before_i = nisba_keys(p_vowels)
            inner = self._inner[i]
            for skel in skels:
                latin_rows, arabic = rows_of(skel)
                if arabic:
                    s = self._cross_sim(i, skel)
                    if s > 0.0:
                        for holders, weight in arabic:
                            add_chunk(holders)
                            add_q(qw * s)
                            add_c(weight * s)
                if not latin_rows:
                    continue
                marked = p_marked or has_marker(skel)
                if marked or (p_ta_key and len(skel) == p_skel_len - 1):
                    # Met on a key only a part in Arabic script needs (a c spelt s, a first ou read as a vowel, a
                    # ta marbuta's t left out): no Latin pair is alike there (see latin_form_keys).
                    if p_latin_keys is None:
                        own = latin_form_keys(p_skel)
                        p_latin_keys = frozenset(k for k in own if not (short and k.startswith("~")))
                    if p_latin_keys.isdisjoint(latin_form_keys(skel)):
                        if marked and not p_variants.isdisjoint(skeleton_variants(skel)):
                            # One name of another script spelt two ways, a marker read as that script reads it
                            # (Gamal / Jamal, Cihad / Jihad): alike only as cross_latin_similarity finds them.
                            for f, _v, holders, weight, *_rest in latin_rows:
                                s = cross_latin(p_skel, p_pattern, skel, forms[f].pattern)
                                if s > 0.0:
                                    hits.setdefault(f, []).append((s, i))
                                    add_chunk(holders)
                                    add_q(qw * s)
                                    add_c(weight * s)
                        continue
                # latin_similarity's cases, the common ones without its call (those that give 0 in any order).
                same = skel == p_skel or (marked and latin_plain(skel) == p_plain)
                for f, vowels, holders, weight, bare, last, before_i, length in latin_rows:
                    if vowels == p_vowels:
                        s = 1.0
                    elif p_len - length > MAX_STEPS or length - p_len > MAX_STEPS:
                        continue  # more vowel-form edits apart than any case allows
                    elif (p_bare and before_i == p_last) or (bare and p_before_i == last):
                        # One is the other with a nisba -i added: another family name (Sharif / Sharifi), unless
                        # the query part stands where no nisba does (see NISBA_INNER).
                        if not (inner and same):
                            continue
                        s = min(NISBA_INNER, same_skeleton(p_short, steps_of(p_vowels, vowels, score_cutoff=MAX_STEPS),
                                                           p_pattern, forms[f].pattern))
                        if s <= 0.0:
                            continue
                    else:
                        steps = steps_of(p_vowels, vowels, score_cutoff=MAX_STEPS)
                        if steps and (p_kh or "χ" in vowels):
                            steps = vowel_steps(p_vowels, vowels)  # a kh written for h (see vowel_steps)
                        if same:
                            # latin_similarity's own case for one skeleton (akanye, two names of one root).
                            s = same_skeleton(p_short, steps, p_pattern, forms[f].pattern)
                        elif steps > MAX_STEPS:
                            continue
                        else:
                            s = latin_similarity(p_skel, p_vowels, skel, vowels, p_pattern, forms[f].pattern)
                        if s <= 0.0:
                            continue
                    found = hits.get(f)
                    if found is None:
                        hits[f] = [(s, i)]
                    else:
                        found.append((s, i))
                    add_chunk(holders)
                    add_q(qw * s)
                    add_c(weight * s)
        fused = self._fused(chunks, q_vals, c_vals)
        return shortlist(chunks, q_vals, c_vals, st.totals, self.total, CANDIDATES * 3), fused

    def _fused(self, chunks: list[NDArray[np.int64]], q_vals: list[float],
               c_vals: list[float]) -> dict[int, list[Pair]]:
        """One part written as two adjacent parts on the other side (Kakazada / کاکا زاده, Walijan / ولی جان):
        the pairs by name, their pre-score contributions added to ``chunks``.

        The skeletons written together must agree; between two Latin spellings their vowels must too, as for
        single parts (Souad Alaoui is not Asadullah).
        """
        st = self.state
        fused: dict[int, list[Pair]] = {}
        parts = self.parts
        for i, part in enumerate(parts):
            if len(part.skeleton) < 4:
                continue
            found: set[int] = set()
            holders = {(nid, j) for v in unfinal(part.skeleton) for nid, j in st.pair_names.get(v, {}).items()}
            # The similarity depends only on the two listed forms (a form's script is its name's), not on which
            # name holds them: each pair of forms is compared once.
            joined: dict[tuple[int, int], float] = {}
            for nid, j in holders:
                fids = st.names[nid].fids
                key = (fids[j], fids[j + 1])
                s = joined.get(key)
                if s is None:
                    s = joined[key] = self._joined_sim(i, st.forms[key[0]], st.forms[key[1]])
                if s > 0.0:
                    fused.setdefault(nid, []).append((s, (i,), (j, j + 1)))
                    found.add(nid)
            if found:
                chunks.append(np.fromiter(found, np.int64, len(found)))
                q_vals.append(self.weights[i] * FUSED_SIM)
                c_vals.append(self.weights[i] * FUSED_SIM)
        for i in range(len(parts) - 1):
            first, second = parts[i], parts[i + 1]
            if not (first.skeleton and second.skeleton):
                continue
            w = (self.weights[i] + self.weights[i + 1]) * FUSED_SIM
            latin = self.latin[i] and self.latin[i + 1]
            # Both query parts in one script: the listed form in the other is checked for its vowels.
            cross = self.latin[i] if self.latin[i] == self.latin[i + 1] else None
            skeleton, vowels = first.skeleton + second.skeleton, first.vowels + second.vowels
            both = joined_pattern(first.pattern, second.pattern) if cross is not None else ""
            keys = unfinal(skeleton)
            if latin and first.text.isalpha() and second.text.isalpha():
                # One Latin word written in two (Mik Haylovich, Jonat Han): the key of the word written whole,
                # whose letters may make one (k and h: kh) or meet doubled.
                whole, whole_vowels = latin_word_key(first.text + second.text)
                if whole != skeleton:
                    keys = keys | unfinal(whole)
                    skeleton, vowels = whole, whole_vowels
            for v in keys:
                for f in st.single_forms.get(v, ()):
                    form = st.forms[f]
                    s = FUSED_SIM
                    if latin and not form.arabic:
                        s = min(s, latin_similarity(skeleton, vowels, form.skeleton, form.vowels))
                    elif cross is not None and form.arabic == cross:
                        pen = vowel_penalty(form.pattern, both) if cross else vowel_penalty(both, form.pattern)
                        s = _less(s, pen)
                    if s > 0.0:
                        for nid, js in form.names.items():
                            fused.setdefault(nid, []).extend((s, (i, i + 1), (j,)) for j in js)
                        chunks.append(st.form_names[f])
                        q_vals.append(w)
                        c_vals.append(w)
        return fused

    def _joined_sim(self, i: int, left: Form, right: Form) -> float:
        """How well query part ``i`` matches two adjacent listed parts written together (at most ``FUSED_SIM``)."""
        part, latin = self.parts[i], self.latin[i]
        if latin and not left.arabic:
            vowels, written = left.vowels + right.vowels, left.skeleton + right.skeleton
            s = latin_similarity(part.skeleton, part.vowels, written, vowels)
            whole = joined_skeleton(left.skeleton, right.skeleton)
            if whole != written:  # as one word writes them (see joined_skeleton): compared only when it differs
                s = max(s, latin_similarity(part.skeleton, part.vowels, whole, vowels))
            return min(FUSED_SIM, s)
        both = joined_pattern(left.pattern, right.pattern)
        if left.arabic and latin:
            pen = vowel_penalty(both, part.pattern)
        elif not (left.arabic or latin):
            pen = vowel_penalty(part.pattern, both)
        else:
            pen = 0.0
        return _less(FUSED_SIM, pen)

    def _align(self, cand: IndexedName, fused: list[Pair]) -> float:
        """Share of the query the listed name explains times share of the listed name the query explains."""
        nq, fids = len(self.parts), cand.fids
        nc, c_weights = len(fids), cand.weights
        if cand.arabic:
            pairs: list[OnePair] = []
            unkeyed = self._cross_pairs(range(nq), cand, pairs)
        else:
            # Pairs of Latin parts that share a key were compared by blocking: two that are alike always share one.
            hits = self.hits
            pairs = [(s, i, j) for j, f in enumerate(fids) if (found := hits.get(f)) for s, i in found]
            unkeyed = self._cross_pairs(self._arabic_parts, cand, pairs) if self._arabic_parts else []
        weights, used_q, used_c = self._realign(pairs, c_weights)
        if unkeyed and (len(used_q) < nq or len(used_c) < nc):
            # Only parts left over on both sides can gain from a comparison blocking did not make.
            more = []
            for i, j in unkeyed:
                if i not in used_q and j not in used_c:
                    s = self._cross_sim(i, cand.skeletons[j])
                    if s > 0.0:
                        s = self._with_vowels(i, fids[j], s)
                    if s > 0.0:
                        more.append((s, i, j))
            if more:
                pairs += more
                weights, used_q, used_c = self._realign(pairs, c_weights)
        if len(used_q) < nq and len(used_c) < nc and not cand.arabic:
            # Latin parts left over on both sides: typing slips the spelling rules do not allow (Badege / Basege).
            slips = self._slips.pairs(fids, used_q, used_c)
            if slips:
                pairs += slips
                weights, used_q, used_c = self._realign(pairs, c_weights)
        if len(used_q) < nq and len(used_c) < nc:
            # A part with an article or a Ben fused to it, left over against the part written without them
            # (Elassad / الاسد, Benahmed / Ben Ahmed): the spelling rules compare whole words.
            prefixed = self._prefixed_pairs(cand, used_q, used_c)
            if prefixed:
                pairs += prefixed
                weights, used_q, used_c = self._realign(pairs, c_weights)
            if cand.kind == "person" and not cand.arabic and len(used_q) < nq and len(used_c) < nc and \
                    len(used_q) - [*used_q.values()].count(0.0) >= INITIAL_AFTER:
                # A Latin initial left over on one side, a Latin part it may stand for on the other (Maria T. /
                # Maria Teresa): evidence, not proof, so only once other parts pair (J. Smith is not John Smith),
                # and only in a person's name (a letter in a company's name is a name of its own: Sun Ship
                # Management D).
                initials = self._initial_pairs(fids, used_q, used_c)
                if initials:
                    pairs += initials
                    weights, used_q, used_c = self._realign(pairs, c_weights)
        if cand.kind == "organization" and len(used_q) < nq and len(used_c) < nc:
            abbreviated = self._abbreviated_pairs(cand, used_q, used_c)
            if abbreviated:
                pairs += abbreviated
                weights, used_q, used_c = self._realign(pairs, c_weights)
        if fused and (len(used_q) < nq or len(used_c) < nc):
            # Some part is left over: keep the alignment where two parts on one side are one on the other
            # when it accounts for more.
            wide: list[Pair] = [(s, (i,), (j,)) for s, i, j in pairs]
            fq, fc = align(wide + fused, weights, c_weights)
            if sum(fq.values()) + sum(fc.values()) > sum(used_q.values()) + sum(used_c.values()):
                used_q, used_c = fq, fc
        return self._score(cand, used_q, used_c, weights)

    def _realign(self, pairs: list[OnePair], c_weights: tuple[float, ...] | list[float]
                 ) -> tuple[list[float], dict[int, float], dict[int, float]]:
        """The query parts' weights for this listed name (see :meth:`_inherited_weights`) and the alignment of
        ``pairs`` with them."""
        weights = self._inherited_weights(pairs, c_weights)
        used_q, used_c = align_parts(pairs, weights, c_weights)
        return weights, used_q, used_c

    def _inherited_weights(self, pairs: list[OnePair], c_weights: Sequence[float]) -> list[float]:
        """The query parts' weights for one listed name: a part no list holds takes the weight of the most telling
        listed part it is paired with. Such a word would otherwise weigh the most there is; but it is most often a
        typing slip or an unusual spelling of a listed word (Mohanmed / Mohammed, Alvsrez / Alvarez), as common
        as that word, and weighing it the most made the part pair it is in drown the rest of the name."""
        unknown = self._unknown
        if not unknown:
            return self.weights  # the usual case: every query part is a word some list holds
        inherited: dict[int, float] = {}
        for _, i, j in pairs:
            if i in unknown:
                inherited[i] = max(inherited.get(i, 0.0), c_weights[j])
        if not inherited:
            return self.weights
        weights = list(self.weights)
        for i, w in inherited.items():
            weights[i] = min(weights[i], w)
        return weights

    def _prefixed_pairs(self, cand: IndexedName, used_q: dict[int, float], used_c: dict[int, float]) -> list[OnePair]:
        """Pairs of a query part and a part of ``cand``, both left over, one of them Latin with an article or a
        Ben fused to it (see :func:`basira.lang.nameparts.fused_prefix`), the other like what follows it."""
        found: list[OnePair] = []
        forms, parts, rests, any_rest = self.state.forms, self.parts, self._rests, self._any_rest
        left: list[int] | None = None
        for j, f in enumerate(cand.fids):
            if j in used_c:
                continue
            form = forms[f]
            theirs = None if form.arabic else fused_prefix(form.text)
            if theirs is None and not any_rest:
                continue  # the usual case: neither side has a prefix
            if left is None:
                left = [i for i in range(len(parts)) if i not in used_q]
            for i in left:
                mine = rests[i]
                if mine is None and theirs is None:
                    continue  # the usual case: neither has a prefix
                key = (i, f)
                sim = self._prefixed.get(key)
                if sim is None:
                    sim = 0.0
                    if mine is not None:
                        sim = _rest_similarity(mine, form.skeleton, form.vowels, form.pattern, form.arabic)
                    if theirs is not None and not sim:
                        part = parts[i]
                        sim = _rest_similarity(theirs, part.skeleton, part.vowels, part.pattern, not self.latin[i])
                    self._prefixed[key] = sim = min(sim, LOOSE)
                if sim > 0.0:
                    found.append((sim, i, j))
        return found

    def _initial_pairs(self, fids: tuple[int, ...], used_q: dict[int, float],
                       used_c: dict[int, float]) -> list[OnePair]:
        """Pairs of a Latin query part and a Latin form of ``fids``, both left over, one of them a single letter
        (an initial) and the other a longer part that starts with it, at ``INITIAL_SIM``."""
        found: list[OnePair] = []
        forms = self.state.forms
        for i, part in enumerate(self.parts):
            if i in used_q or not self.latin[i] or not part.text:
                continue
            q = part.text
            for j, f in enumerate(fids):
                if j in used_c:
                    continue
                c = forms[f].text
                if c and c[0] == q[0] and (len(q) == 1) != (len(c) == 1):
                    found.append((INITIAL_SIM, i, j))
        return found

    def _cross_pairs(self, parts: Sequence[int], cand: IndexedName, pairs: list[OnePair]) -> list[tuple[int, int]]:
        """Adds to ``pairs`` those of query ``parts`` and ``cand``'s parts in the other script that blocking
        compared; returns the (query part, listed part) pairs it did not compare. Across scripts a Jaro-Winkler
        match may share no key (Barich / بريخ): those are looked for once the alignment leaves both over."""
        unkeyed: list[tuple[int, int]] = []
        fids = cand.fids
        for i in parts:
            cache = self._cross[i]
            for j, skel in enumerate(cand.skeletons):
                found = cache.get(skel)
                if found is None:
                    unkeyed.append((i, j))
                elif found > 0.0:
                    found = self._with_vowels(i, fids[j], found)
                    if found > 0.0:
                        pairs.append((found, i, j))
        return unkeyed

    def _score(self, cand: IndexedName, used_q: dict[int, float], used_c: dict[int, float],
               weights: list[float]) -> float:
        """The name match of one alignment: each name's share the other explains, the parts left over costing
        little or in full (see ``combine``); ``weights`` the query parts' weights for this name (see
        :meth:`_inherited_weights`)."""
        q_total = self.total if weights is self.weights else sum(weights)
        c_total = sum(cand.weights)
        if self._titled:
            # An honorific left over is no part of the name at all (see HONORIFICS).
            q_total -= sum(weights[i] for i in self._titled if not used_q.get(i))
        c_titled = self._titled_forms(cand) if len(used_c) < len(cand.fids) or 0.0 in used_c.values() else ()
        if c_titled:
            c_total -= sum(cand.weights[j] for j in c_titled if not used_c.get(j))
        if q_total <= 1e-9 or c_total <= 1e-9:
            return 0.0
        # Similarity of the paired parts, and which share of each name is paired at all: only parts left over
        # may cost little, never parts that are paired but spelt otherwise.
        q_cov, q_in, paired = shares(weights, used_q, q_total)
        c_cov, c_in, _ = shares(cand.weights, used_c, c_total)
        if q_in <= 0.0 or c_in <= 0.0:
            return 0.0
        swap = 0.0
        if cand.kind == "organization" and paired >= 2 and min(q_in, c_in) < 1.0 - 1e-9:
            c_swapped, q_swapped = self._swapped(cand, used_q, used_c, weights)
            if c_swapped:
                swap = max(SWAP_FLOOR, SWAP_COST * max(c_swapped / c_total, q_swapped / q_total))
        if not swap and paired >= 2 and min(q_in, c_in) < 1.0 - 1e-9 and self._cheap(cand, used_q, used_c):
            match = math.sqrt((q_cov / q_in) * (c_cov / c_in)) * combine(q_in, c_in, paired, True)
        else:
            # A word in the place of another is no word left out: it costs in full, and once more (SWAP_COST).
            match = q_cov * c_cov * (1.0 - swap)
        if len(self.parts) != len(cand.fids) and len(self.joined) >= 5 and self.joined == cand.joined:
            # One side fuses parts the other writes apart (Hizballah / Hizb Allah, Abdulaziz / Abd al-Aziz).
            match = max(match, 0.95)
        return match

    def _slot_pairs(self, cand: IndexedName, used_q: dict[int, float], used_c: dict[int, float]
                    ) -> list[tuple[int, int]]:
        """(query part, listed part) left over in the same place of both names: as many paired parts before
        each (Research and Production Complex / Research and Crescent Complex: Production and Crescent)."""
        q_paired = sorted(i for i, s in used_q.items() if s > 0.0)
        c_paired = sorted(j for j, s in used_c.items() if s > 0.0)
        q_slots: dict[int, list[int]] = {}
        for i in range(len(self.parts)):
            if not used_q.get(i):
                q_slots.setdefault(bisect.bisect(q_paired, i), []).append(i)
        if not q_slots:
            return []
        return [(i, j) for j in range(len(cand.fids)) if not used_c.get(j)
                for i in q_slots.get(bisect.bisect(c_paired, j), ())]

    def _abbreviated_pairs(self, cand: IndexedName, used_q: dict[int, float], used_c: dict[int, float]
                           ) -> list[OnePair]:
        """A word of a company's name and the word it abbreviates, in the same place of both names (Corp /
        Corporation, Dev / Development, Co. / Company: see ``ABBREVIATION_SIM``)."""
        forms = self.state.forms
        out: list[OnePair] = []
        for i, j in self._slot_pairs(cand, used_q, used_c):
            if self.latin[i] and not forms[cand.fids[j]].arabic:
                a, b = self.parts[i].text, forms[cand.fids[j]].text
                if abbreviates(a, b) or abbreviates(b, a):
                    out.append((ABBREVIATION_SIM, i, j))
        return out

    def _swapped(self, cand: IndexedName, used_q: dict[int, float], used_c: dict[int, float],
                 weights: Sequence[float]) -> tuple[float, float]:
        """The weight of the listed words, and of the query's, left over where the query has another word of its
        own in their place (see ``SWAP_COST``): not a spelling of it (Rasres / Разрез), which a rule missed; not a
        first word before fewer than ``SWAP_FIRST`` paired words (Global / Golden Haokun Energy Trading), which
        stays cheap (see ``combine``)."""
        forms, fids = self.state.forms, cand.fids
        swapped: set[int] = set()
        q_swapped: set[int] = set()
        paired = [j for j, s in used_c.items() if s > 0.0]
        # Before the first paired word only in a long name: before a short one, a city or a group before the same
        # name (see ``combine``).
        c_first = -1 if len(paired) >= SWAP_FIRST else min(paired, default=len(fids))
        for i, j in self._slot_pairs(cand, used_q, used_c):
            if j > c_first and j not in swapped and i not in q_swapped and Levenshtein.normalized_similarity(
                    self.parts[i].text, forms[fids[j]].text) < SWAP_ALIKE:
                swapped.add(j)
                q_swapped.add(i)
        return sum(cand.weights[j] for j in swapped), sum(weights[i] for i in q_swapped)

    def _titled_forms(self, cand: IndexedName) -> list[int]:  # called only when a listed part is left over
        """The positions of a listed name's honorifics (see ``HONORIFICS``)."""
        titled = self._titled_of.get(cand.fids)
        if titled is None:
            forms = self.state.forms
            titled = self._titled_of[cand.fids] = [j for j, f in enumerate(cand.fids) if forms[f].text in HONORIFICS]
        return titled

    def _cheap(self, cand: IndexedName, used_q: dict[int, float], used_c: dict[int, float]) -> bool:
        """Whether the parts left over may cost little (see ``MISSING_EXPONENT``): no rare listed part left
        out (but a person's middle parts between a first and a rare last part both paired, see ``RARE_FAMILY``,
        and an honorific, see ``HONORIFICS``), a first part left over on either side only when it is common (see
        ``COMMON_FIRST``) or an honorific, and never both persons' first parts (see ``combine``: Muhammad Salih
        Abd-Rabbuh / Said Salih Abd-Rabbuh, brothers) unless one is an honorific."""
        st, fids = self.state, cand.fids
        last = len(fids) - 1
        ends = (cand.kind == "person" and last >= 2 and bool(used_c.get(0)) and bool(used_c.get(last))
                and bool(used_q.get(0)) and bool(used_q.get(len(self.parts) - 1))
                and st.df.get(st.forms[fids[last]].canon, 0) <= RARE_FAMILY)
        if not all(st.df.get(st.forms[f].canon, 0) > RARE_PART
                   or (cand.kind == "person" and 0 < j < last and _PATRONYMIC.search(st.forms[f].text))
                   or (ends and 0 < j < last) or st.forms[f].text in HONORIFICS
                   for j, f in enumerate(fids) if not used_c.get(j)):
            return False
        if cand.kind == "person" and not used_q.get(len(self.parts) - 1) and not used_c.get(last) and \
                self.parts[-1].text not in GENERATIONAL and st.forms[fids[last]].text not in GENERATIONAL:
            return False  # both last parts left over: another family name, a cousin's (see GENERATIONAL)
        q_first_titled = not used_q.get(0) and self.parts[0].text in HONORIFICS
        c_first_titled = not used_c.get(0) and st.forms[fids[0]].text in HONORIFICS
        if not used_q.get(0) and not self._first_common and not q_first_titled:
            return False
        if not used_q.get(0) and not used_c.get(0) and cand.kind == "person" and not (q_first_titled
                                                                                      or c_first_titled):
            return False
        return bool(used_c.get(0)) or c_first_titled or st.df.get(st.forms[fids[0]].canon, 0) >= COMMON_FIRST
