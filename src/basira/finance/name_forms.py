"""What a name index holds: each distinct spelling of a name part (a *form*) once, the listed names as tuples of
forms, and the keys on which a query part meets the forms that may be like it.

A listed name is parsed once, when it is indexed; a field that packs several names ("A (B)", "A; B", a Latin and an
Arabic-script name) becomes several names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from basira.finance.name_types import EntryId, Kind
from basira.lang.arabic import split_scripts
from basira.lang.nameparts import NamePart, name_parts
from basira.lang.scripts import (
    expand_abbreviations,
    join_initials,
    read_chat_alphabet,
    screenable,
    strip_legal_forms,
    without_branch,
)
from basira.lang.translit import (
    german_cyrillic,
    hungarian_cyrillic,
    latin_plain,
    polish_cyrillic,
    skeleton_variants,
    spellings,
)


@dataclass(slots=True)
class Form:
    """One spelling of a name part, and where it occurs: name id -> positions in that name."""

    skeleton: str
    vowels: str
    arabic: bool
    canon: str
    pattern: str = ""  # consonant units and written vowels, checked across scripts (see NamePart.pattern)
    names: dict[int, tuple[int, ...]] = field(default_factory=dict)
    text: str = ""  # the first spelling indexed with these keys, as written (folded): typing slips are read on it

    def __reduce__(self) -> tuple[type[Form], tuple[object, ...]]:
        # Saved indexes hold tens of thousands of forms: a plain constructor call unpickles far faster than the
        # dataclass's own state protocol.
        return Form, (self.skeleton, self.vowels, self.arabic, self.canon, self.pattern, self.names, self.text)


@dataclass(slots=True)
class IndexedName:
    """One listed name (or alias) of an entry, as the tuple of its parts' forms."""

    entry_id: EntryId
    text: str
    weak: bool
    arabic: bool
    kind: Kind
    fids: tuple[int, ...]
    skeletons: tuple[str, ...]
    joined: str
    weights: tuple[float, ...] = ()  # per part, set when the index refreshes its weights

    def __reduce__(self) -> tuple[type[IndexedName], tuple[object, ...]]:
        return IndexedName, (self.entry_id, self.text, self.weak, self.arabic, self.kind, self.fids, self.skeletons,
                             self.joined, self.weights)


@functools.lru_cache(maxsize=65536)
def form_keys(skeleton: str) -> frozenset[str]:
    """The keys on which two parts that may be alike meet, so that no query scans all forms: plain spellings of
    the skeleton; from four letters on, its one-letter deletions (marked "~"), which two skeletons one edit apart
    share, and from three letters on the skeleton itself marked the same way, which meets the deletions of one a
    letter longer; a skeleton without its final h (Mulla / Mullah), or without the final t of a skeleton of two
    or three letters (a ta marbuta written t: Jamiat / جمعية, Hayat / هيئة); one without a first l (an article
    fused to a word that starts with a vowel, Alazhar / Azhar). Every two Latin parts that ``latin_similarity``
    finds alike share a key."""
    return _keys(skeleton, True)


@functools.lru_cache(maxsize=65536)
def latin_form_keys(skeleton: str) -> frozenset[str]:
    """The keys of :func:`form_keys` on which two Latin parts meet: those of the skeleton as Latin spellings
    compare it (:func:`basira.lang.translit.latin_plain`), without the ones only a part in Arabic script needs (a
    c spelt s or ch, a ta marbuta's t left out). Every two Latin parts that ``latin_similarity`` finds alike
    share one of these, so the query path compares no other Latin pair."""
    return _keys(latin_plain(skeleton), False)


#: Marks a key that only a part in Arabic script looks up (see :func:`index_keys`).
CROSS = "×"


@functools.lru_cache(maxsize=65536)
def index_keys(skeleton: str) -> frozenset[str]:
    """The keys an indexed skeleton is stored under: its :func:`latin_form_keys`, and the rest of its
    :func:`form_keys` marked ``CROSS``, which only a part in Arabic script looks up (:func:`query_keys`). So a
    Latin query part never meets a Latin form on the s or ch of a c (Faycal and Faisal), nor on a ta marbuta's t
    left out (Jamiat and Jama), which no Latin pair shares."""
    latin = latin_form_keys(skeleton)
    return latin | frozenset(CROSS + k for k in form_keys(skeleton) - latin)


@functools.lru_cache(maxsize=65536)
def query_keys(skeleton: str, latin: bool) -> frozenset[str]:
    """The keys a query part looks up: its :func:`form_keys`; for a part in Arabic script, also marked ``CROSS``
    (see :func:`index_keys`)."""
    keys = form_keys(skeleton)
    return keys if latin else keys | frozenset(CROSS + k for k in keys)


def _keys(skeleton: str, ta_marbuta: bool) -> frozenset[str]:
    """:func:`form_keys`, or with ``ta_marbuta`` False without a ta marbuta's t left out."""
    # Spellings with doubled letters kept (what latin_similarity compares) and without (what crosses scripts).
    keys = set(skeleton_variants(skeleton)) | spellings(skeleton)
    for v in list(keys):
        if len(v) >= 4:
            keys.update("~" + v[:i] + v[i + 1:] for i in range(len(v)))
        if len(v) >= 3:
            keys.add("~" + v)  # meets the deletions of a skeleton one letter longer (Zadran / ځدران)
        if len(v) >= 2 and v.endswith("h"):
            keys.add(v[:-1])
        if ta_marbuta and 2 <= len(v) <= 3 and v.endswith("t"):
            keys.add(v[:-1])  # a ta marbuta written t after one or two consonants (Jamiat / جمعية)
        if len(v) >= 2 and v.startswith("l"):
            keys.add(v[1:])
    return frozenset(keys)


def unfinal(skeleton: str) -> set[str]:
    """Plain spellings without a final h, the key on which one part meets two parts written apart."""
    return {v.removesuffix("h") for v in skeleton_variants(skeleton)}


_REPEAT = re.compile(r"(.)\1+")


def joined_skeleton(first: str, second: str) -> str:
    """The skeleton of two parts written as one word: a y or w that starts the second is a vowel inside a word
    (Hasan Yusuf -> Hasanyusuf, Aykut Yavrucu), and letters that meet doubled are one (Samer Rayya -> Samerrayya)."""
    if second[:1] in ("y", "w"):
        second = second[1:]
    return _REPEAT.sub(r"\1", first + second)


def pair_keys(skeletons: Sequence[str]) -> list[tuple[int, str]]:
    """(position, key) of each two adjacent parts written together (Hizb Allah -> Hizballah), as written and as
    one word writes them (:func:`joined_skeleton`)."""
    out: list[tuple[int, str]] = []
    for j in range(len(skeletons) - 1):
        keys = unfinal(skeletons[j] + skeletons[j + 1]) | unfinal(joined_skeleton(skeletons[j], skeletons[j + 1]))
        out.extend((j, v) for v in sorted(keys))
    return out


_PAREN = re.compile(r"\(([^()]*)\)")
# A letter (a word character other than a digit or _) outside the Arabic-script blocks.
_NON_ARABIC_LETTER = re.compile(r"[^\W\d_\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_ALIAS_SPLIT = re.compile(r"\s*;\s*|\s+/\s+")


def _prepared(text: str) -> str:
    """What both parsers read of a name: other scripts transliterated (``screenable``), the chat alphabet read,
    dotted initials joined, Hungarian, Polish and German romanizations of Cyrillic read as English,
    company words' abbreviations written out, a branch's or an office's place set aside."""
    text = join_initials(read_chat_alphabet(screenable(text)))
    return without_branch(expand_abbreviations(german_cyrillic(polish_cyrillic(hungarian_cyrillic(text)))))


def parse_name(text: str, *, aliases: bool = False) -> list[tuple[bool, tuple[NamePart, ...]]]:
    """Each single-script run of ``text`` as (is_arabic, parts); with ``aliases``, a bracketed part is a name
    of its own (``JAMAAT-UL-AHRAR (JuA)``).

    Words in scripts other than Latin and Arabic are transliterated, homoglyphs read as Latin, invisible
    characters dropped (:func:`basira.lang.scripts.screenable`); dotted initials are one word and legal forms
    are set aside (:func:`basira.lang.scripts.strip_legal_forms`).
    """
    text = _prepared(text)
    if not (aliases and any(c in text for c in "(;/")):
        # The common cases, a name all in ASCII or all in Arabic script, need no split into runs.
        start = next((i for i, c in enumerate(text) if c.isalpha()), None)
        if start is None:
            return []
        end = next(i for i in range(len(text) - 1, -1, -1) if text[i].isalpha())
        if text.isascii():
            parts = tuple(name_parts(strip_legal_forms(text[start:end + 1]), "latin"))
            return [(False, parts)] if parts else []
        if not _NON_ARABIC_LETTER.search(text):
            parts = tuple(name_parts(strip_legal_forms(text[start:end + 1]), "arabic"))
            return [(True, parts)] if parts else _transliterated(text[start:end + 1])
    # Letters no path kept (a lone µ, a letter of an extended block) are read through anyascii as a last resort.
    return _split_and_parse_prepared(text, aliases) or _transliterated(text)


def _transliterated(run: str) -> list[tuple[bool, tuple[NamePart, ...]]]:
    """A run whose letters the Arabic and Latin paths do not keep (Sindhi, Pashto, Urdu extensions: ڊ, ڼ; a lone
    µ) read through anyascii as Latin, so that no name is refused for its script."""
    from anyascii import anyascii

    parts = tuple(name_parts(strip_legal_forms(anyascii(run)), "latin"))
    return [(False, parts)] if parts else []


def split_and_parse(text: str, *, aliases: bool = False) -> list[tuple[bool, tuple[NamePart, ...]]]:
    """:func:`parse_name` the long way, for any text: split into single-script runs, then parse each."""
    return _split_and_parse_prepared(_prepared(text), aliases)


def _split_and_parse_prepared(text: str, aliases: bool) -> list[tuple[bool, tuple[NamePart, ...]]]:
    """:func:`split_and_parse` of a text :func:`_prepared` already (as :func:`parse_name` has it)."""
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
            parts = tuple(name_parts(strip_legal_forms(run), script))
            if parts:
                out.append((script == "arabic", parts))
            elif script == "arabic":
                out.extend(_transliterated(run))
    return out
