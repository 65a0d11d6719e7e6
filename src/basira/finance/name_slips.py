"""Typing slips between one query's Latin parts and the listed Latin forms left over in an alignment (Badege /
Basege, Scholz / Scholze), each pair of a query part and a form compared once per query.

Only a pair whose lengths some slip rule allows, and whose keys are at most two edits apart, is handed to the
rules of :mod:`basira.finance.name_similarity`: nearly every pair is neither, and is 0 without them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rapidfuzz.distance import OSA

from basira.finance.name_forms import Form
from basira.finance.name_similarity import OnePair, text_slip, typo_similarity
from basira.finance.name_tables import slip_lengths
from basira.lang.nameparts import NamePart

#: The most edits any slip rule allows between two keys.
_MOST_EDITS = 2


class Slips:
    """The typing-slip similarities of one query's parts, computed on demand and kept for the query."""

    def __init__(self, parts: Sequence[NamePart], latin: Sequence[bool], forms: Mapping[int, Form]) -> None:
        self.parts, self.forms = parts, forms
        # Latin query part -> Latin form -> similarity (None for an Arabic-script query part), and the vowel-form
        # and text lengths a form must have for a slip rule to apply to that part.
        self.known: list[dict[int, float] | None] = [{} if is_latin else None for is_latin in latin]
        self.allowed = [slip_lengths(len(p.vowels), len(p.text)) for p in parts]

    def pairs(self, fids: tuple[int, ...], used_q: dict[int, float], used_c: dict[int, float]) -> list[OnePair]:
        """Pairs of a Latin query part and a form of the listed name ``fids``, both left over (not in ``used_q``
        and ``used_c``), that are slips of each other; in query part, then listed part order."""
        found: list[OnePair] = []
        forms = self.forms
        for i, known in enumerate(self.known):
            if known is None or i in used_q:
                continue
            ok_vowels, ok_text = self.allowed[i]
            for j, f in enumerate(fids):
                if j in used_c:
                    continue
                s = known.get(f)
                if s is None:
                    form = forms[f]
                    by_vowels, by_text = len(form.vowels) in ok_vowels, len(form.text) in ok_text
                    s = known[f] = self._compare(i, f, by_vowels, by_text) if by_vowels or by_text else 0.0
                if s > 0.0:
                    found.append((s, i, j))
        return found

    def _compare(self, i: int, fid: int, by_vowels: bool, by_text: bool) -> float:
        """Query part ``i`` against form ``fid`` on the keys whose lengths allow a slip: ``typo_similarity`` on
        the vowel forms, else ``text_slip`` on the written parts."""
        part, form = self.parts[i], self.forms[fid]
        s = 0.0
        if by_vowels and OSA.distance(part.vowels, form.vowels, score_cutoff=_MOST_EDITS) <= _MOST_EDITS:
            s = typo_similarity(part.vowels, form.vowels, part.pattern, form.pattern)
        if not s and by_text and OSA.distance(part.text, form.text, score_cutoff=_MOST_EDITS) <= _MOST_EDITS:
            s = text_slip(part.text, form.text)
        return s
