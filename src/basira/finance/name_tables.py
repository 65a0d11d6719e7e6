"""Flat tables a name index derives for its query path: what the blocking and alignment loops read of each form
and listed name, gathered into tuples and lists indexed by id so that the loops reach them without attribute or
mapping look-ups; and the shortlist of the names blocking found, from their pre-scores.

They hold nothing the index does not: built from it on the first query after a change, dropped at the next
change, and never saved (a saved index builds them again when it is first queried).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

from basira.finance.name_forms import Form, IndexedName
from basira.finance.name_similarity import TYPO_SHORT

#: One Latin form as the blocking loop reads it: id, vowel form, ids of the names that hold it, weight, what
#: says whether it is a nisba apart from a query part (see :func:`nisba_keys`), and its vowel form's length.
LatinRow = tuple[int, str, NDArray[np.int64], float, bool, str, str | None, int]
#: One Arabic-script form as the blocking loop reads it: ids of the names that hold it, weight.
ArabicRow = tuple[NDArray[np.int64], float]


def nisba_keys(vowels: str) -> tuple[bool, str, str | None]:
    """What :func:`basira.finance.name_similarity.latin_similarity`'s nisba test reads of one vowel form ``v``:
    whether it can be the bare name (three letters or more, ending in a consonant), its last letter, and the
    letter before a final -i (``None`` without one). ``a`` is ``b`` with a nisba -i added exactly when
    ``a``'s letter before its -i is ``b``'s last letter and ``b`` can be the bare name."""
    bare = len(vowels) >= 3 and vowels[-1] not in "aiu"
    return bare, vowels[-1:], vowels[-2:-1] if vowels.endswith("i") else None


@functools.lru_cache(maxsize=1024)
def slip_lengths(vowels: int, text: int) -> tuple[frozenset[int], frozenset[int]]:
    """The lengths of a listed part's vowel form and text that can be typing slips of a Latin part whose vowel
    form and text have these lengths, as :func:`basira.finance.name_similarity.typo_similarity` and
    :func:`basira.finance.name_similarity.text_slip` test them: one or two edits between parts of
    ``TYPO_SHORT - 1`` and ``TYPO_SHORT`` letters or more; on vowel forms also a first h or a final e written on
    one side only, one letter more on parts of three or more."""
    by_vowels = set(_edits_apart(vowels))
    if vowels >= 3:
        by_vowels.add(vowels + 1)
    if vowels >= 4:
        by_vowels.add(vowels - 1)
    return frozenset(by_vowels), frozenset(_edits_apart(text))


def _edits_apart(n: int) -> list[int]:
    """Lengths ``m`` with max(n, m) >= TYPO_SHORT, min(n, m) >= TYPO_SHORT - 1 and |n - m| <= 2."""
    return [m for m in range(n - 2, n + 3) if max(n, m) >= TYPO_SHORT and min(n, m) >= TYPO_SHORT - 1]


@dataclass(slots=True)
class QueryTables:
    """The tables themselves.

    Attributes:
        latin_rows: Skeleton -> its Latin forms as :data:`LatinRow`, in the order the index's own set of its
            forms runs (pre-scores are summed in that order, so it is kept).
        arabic_rows: Skeleton -> its Arabic-script forms as :data:`ArabicRow`, in that order too (a name holds
            forms of its own script only, so keeping them apart from the Latin ones changes no name's sum).
        name_totals: Name id -> the sum of its parts' weights, summed in part order (0.0 for a removed id).
        rare_ok: Form id -> whether more than ``rare_part`` listed names hold its canonical skeleton.
        all_rare_ok: Name id -> whether every one of its forms is ``rare_ok``.
        common: Form id -> whether at least ``common_first`` listed names hold it.
        slip_lengths: Form id -> the lengths of its vowel form and of its text, which say whether a typing
            slip can pair it with a query part (see :func:`slip_lengths`).
    """

    latin_rows: dict[str, tuple[LatinRow, ...]]
    arabic_rows: dict[str, tuple[ArabicRow, ...]]
    name_totals: list[float]
    rare_ok: list[bool]
    all_rare_ok: list[bool]
    common: list[bool]
    slip_lengths: list[tuple[int, int]]


def build_tables(forms: Mapping[int, Form], names: Mapping[int, IndexedName], skeleton_forms: Mapping[str, set[int]],
                 form_names: Mapping[int, NDArray[np.int64]], form_weight: Mapping[int, float], df: Counter[str],
                 rare_part: int, common_first: int) -> QueryTables:
    """The tables of an index whose weights are fresh (``form_names`` and ``form_weight`` computed)."""
    size = max(forms, default=-1) + 1
    rare_ok, common = [False] * size, [False] * size
    lengths = [(0, 0)] * size
    for f, form in forms.items():
        held = df.get(form.canon, 0)
        rare_ok[f], common[f] = held > rare_part, held >= common_first
        lengths[f] = (len(form.vowels), len(form.text))
    latin_rows: dict[str, tuple[LatinRow, ...]] = {}
    arabic_rows: dict[str, tuple[ArabicRow, ...]] = {}
    for skel, fids in skeleton_forms.items():
        latin_rows[skel] = tuple((f, forms[f].vowels, form_names[f], form_weight[f], *nisba_keys(forms[f].vowels),
                                  len(forms[f].vowels)) for f in fids if not forms[f].arabic)
        arabic = tuple((form_names[f], form_weight[f]) for f in fids if forms[f].arabic)
        if arabic:
            arabic_rows[skel] = arabic
    totals = [0.0] * (max(names, default=-1) + 1)
    all_rare_ok = [False] * len(totals)
    for nid, name in names.items():
        totals[nid] = sum(name.weights)
        all_rare_ok[nid] = all(rare_ok[f] for f in name.fids)
    return QueryTables(latin_rows, arabic_rows, totals, rare_ok, all_rare_ok, common, lengths)


def shortlist(chunks: list[NDArray[np.int64]], q_vals: list[float], c_vals: list[float],
              totals: NDArray[np.float64], q_total: float, keep: int) -> list[int]:
    """The names in ``chunks`` (posting lists, each with its contribution to the query's and to the name's
    matched weight), best pre-score first, at most ``keep``: the query weight a name matches, capped at the
    query's ``q_total`` (a part the query repeats, Uthman Ahmad Uthman, is credited once), times the share of its
    own weight (``totals``) it matches, capped at 1.

    The contributions are summed per name in the order of ``chunks``. Between names the caps leave tied, the
    fuller name first: an entry's short aliases must not take its places before its full name.
    """
    if not chunks:
        return []
    ids = np.concatenate(chunks)
    # np.unique(ids, return_inverse=True), its steps written out: the same names, in the same order.
    perm = ids.argsort()
    ordered = ids[perm]
    first = np.empty(len(ordered), np.bool_)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    uniq = ordered[first]
    where = np.empty(len(ids), np.intp)
    where[perm] = np.cumsum(first) - 1
    lengths = [len(c) for c in chunks]
    q_acc = cast(NDArray[np.float64], np.bincount(where, weights=np.repeat(q_vals, lengths)))
    c_acc = cast(NDArray[np.float64], np.bincount(where, weights=np.repeat(c_vals, lengths)))
    held = totals[uniq]
    np.minimum(q_acc, q_total, out=q_acc)
    np.divide(c_acc, held, out=c_acc)
    np.minimum(c_acc, 1.0, out=c_acc)
    q_acc *= c_acc
    q_acc += 1e-9 * held
    neg = np.negative(q_acc, out=q_acc)  # sorted on the negated pre-score: best first
    if len(neg) > keep:
        top = np.argpartition(neg, keep)[:keep]
        top = top[np.argsort(neg[top], kind="stable")]
    else:
        top = np.argsort(neg, kind="stable")
    return cast(list[int], uniq[top].tolist())
