"""Helpers shared by the name tests: one parsed part, the Latin similarity of two parts, an entry's best score,
filler people for a small index."""

from __future__ import annotations

from basira.finance.name_forms import index_keys, latin_form_keys, parse_name, query_keys
from basira.finance.name_similarity import cross_similarity, latin_similarity, vowel_penalty
from basira.finance.names import NameIndex, NameRecord, NameVariant
from basira.lang.nameparts import NamePart
from basira.lang.translit import latin_plain, latin_vowel_pattern, latin_word_key, skeleton_variants


def part(text: str) -> NamePart:
    """The one part of a one-word name."""
    ((_, (p,)),) = parse_name(text)
    return p


def latin(a: str, b: str) -> float:
    """:func:`latin_similarity` of two one-word Latin names."""
    pa, pb = part(a), part(b)
    return latin_similarity(pa.skeleton, pa.vowels, pb.skeleton, pb.vowels, pa.pattern, pb.pattern)


def filler(given: tuple[str, ...], family: tuple[str, ...]) -> list[NameRecord]:
    """Other people, every given name with every family name, so that the parts of a small test index weigh as in a
    real list."""
    return [NameRecord(f"filler{i}", (NameVariant(f"{a} {b}"),), "person")
            for i, (a, b) in enumerate((a, b) for a in given for b in family)]


def best(index: NameIndex, query: str, entry: str) -> float:
    """The best score ``query`` gives ``entry`` in ``index`` (0 when it is not among the hits)."""
    return max((h.score for h in index.query(query) if h.entry_id == entry), default=0.0)


def assert_one_name_across_scripts(latin_name: str, arabic: str) -> None:
    """A Latin and an Arabic-script one-word name are one name: the same skeleton, no vowel against it, and keys on
    which the query path meets either from the other."""
    lat, ar = part(latin_name), part(arabic)
    assert cross_similarity(lat.skeleton, ar.skeleton) == 1.0
    assert vowel_penalty(ar.pattern, lat.pattern) == 0.0
    assert query_keys(lat.skeleton, True) & index_keys(ar.skeleton)
    assert query_keys(ar.skeleton, False) & index_keys(lat.skeleton)


def assert_read_alike_between_latin_spellings(word: str, plain_word: str) -> None:
    """A folded Latin word with a marker and the word with that letter written as Latin spellings read it: the
    same vowel form, plain skeleton, weight (first spelling), vowel pattern and Latin keys."""
    skel, vowels = latin_word_key(word)
    p_skel, p_vowels = latin_word_key(plain_word)
    assert vowels == p_vowels
    assert latin_plain(skel) == latin_plain(p_skel)
    assert skeleton_variants(skel)[0] == skeleton_variants(p_skel)[0]
    assert latin_vowel_pattern(word) == latin_vowel_pattern(plain_word)
    assert latin_form_keys(skel) == latin_form_keys(p_skel)
