"""What the query path derives from a name index: each skeleton's forms as flat rows that the blocking loop
unpacks without attribute or mapping look-ups, the lengths typing slips need, and the shortlist of the names
blocking found, from their pre-scores.

The rows hold nothing the index does not: gathered on first use after a change, dropped at the next change, and
never saved (a saved index gathers them again as it is queried).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import cast

import numpy as np
from numpy.typing import NDArray

from basira.finance.name_forms import Form
from basira.finance.name_similarity import TRANSPOSED_SHORT, TYPO_SHORT

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
    one side only, one letter more on parts of three or more; two adjacent letters swapped from
    ``TRANSPOSED_SHORT`` letters."""
    by_vowels = set(_edits_apart(vowels))
    by_text = set(_edits_apart(text))
    if vowels >= 3:
        by_vowels.add(vowels + 1)
    if vowels >= 4:
        by_vowels.add(vowels - 1)
    if vowels >= TRANSPOSED_SHORT:
        by_vowels.add(vowels)  # two adjacent letters swapped
    if text >= TRANSPOSED_SHORT:
        by_text.add(text)
    return frozenset(by_vowels), frozenset(by_text)


def _edits_apart(n: int) -> list[int]:
    """Lengths ``m`` with max(n, m) >= TYPO_SHORT, min(n, m) >= TYPO_SHORT - 1 and |n - m| <= 2."""
    return [m for m in range(n - 2, n + 3) if max(n, m) >= TYPO_SHORT and min(n, m) >= TYPO_SHORT - 1]


class QueryTables:
    """The forms of each skeleton as the blocking loop reads them, gathered on first use.

    A skeleton's rows are built the first time a query meets it (a fresh or reloaded index pays nothing for
    the skeletons no query reaches) and kept until the index changes, which makes new tables.
    """

    __slots__ = ("_form_names", "_form_weight", "_forms", "_rows", "_skeleton_forms")

    def __init__(self, forms: Mapping[int, Form], skeleton_forms: Mapping[str, set[int]],
                 form_names: Mapping[int, NDArray[np.int64]], form_weight: Mapping[int, float]) -> None:
        self._forms, self._skeleton_forms = forms, skeleton_forms
        self._form_names, self._form_weight = form_names, form_weight
        self._rows: dict[str, tuple[tuple[LatinRow, ...], tuple[ArabicRow, ...]]] = {}

    def rows(self, skeleton: str) -> tuple[tuple[LatinRow, ...], tuple[ArabicRow, ...]]:
        """The Latin and the Arabic-script forms of an indexed skeleton, each in the order the index's own set
        of its forms runs (pre-scores are summed in that order, so it is kept; a name holds forms of its own
        script only, so keeping the two apart changes no name's sum)."""
        found = self._rows.get(skeleton)
        if found is None:
            forms, names, weights = self._forms, self._form_names, self._form_weight
            fids = self._skeleton_forms[skeleton]
            latin = tuple((f, forms[f].vowels, names[f], weights[f], *nisba_keys(forms[f].vowels),
                           len(forms[f].vowels)) for f in fids if not forms[f].arabic)
            arabic = tuple((names[f], weights[f]) for f in fids if forms[f].arabic)
            found = self._rows[skeleton] = (latin, arabic)
        return found


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
