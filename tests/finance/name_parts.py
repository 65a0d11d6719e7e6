"""Helpers shared by the name tests: one parsed part, the Latin similarity of two parts, an entry's best score."""

from __future__ import annotations

from basira.finance.name_forms import parse_name
from basira.finance.name_similarity import latin_similarity
from basira.finance.names import NameIndex
from basira.lang.nameparts import NamePart


def part(text: str) -> NamePart:
    """The one part of a one-word name."""
    ((_, (p,)),) = parse_name(text)
    return p


def latin(a: str, b: str) -> float:
    """:func:`latin_similarity` of two one-word Latin names."""
    pa, pb = part(a), part(b)
    return latin_similarity(pa.skeleton, pa.vowels, pb.skeleton, pb.vowels, pa.pattern, pb.pattern)


def best(index: NameIndex, query: str, entry: str) -> float:
    """The best score ``query`` gives ``entry`` in ``index`` (0 when it is not among the hits)."""
    return max((h.score for h in index.query(query) if h.entry_id == entry), default=0.0)
