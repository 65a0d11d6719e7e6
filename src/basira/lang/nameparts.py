"""Splits a personal or organization name into parts with roles and comparison keys, in Arabic or Latin script.

Arabic-style names are chains: an optional kunya (``Abu Bakr``, ``Umm Khalid``), a given name, a nasab
(``bin``/``ibn``/``ould`` + father's name), a nisba (``al-Baghdadi``). Particles (articles, ``bin``) are dropped
from the keys; ``Abd`` and ``ad-Din`` compounds become one part however they are spelt or fused.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from basira.lang.arabic import dominant_script, light
from basira.lang.translit import (
    arabic_vowel_pattern,
    arabic_word_key,
    latin_fold,
    latin_vowel_pattern,
    latin_word_key,
)


@dataclass(frozen=True, slots=True)
class NamePart:
    """One part of a name.

    Attributes:
        text: The part as written (after light normalisation).
        skeleton: Consonant-class key shared by both scripts (``mhmd``).
        vowels: Key with vowel classes kept; more telling between two Latin spellings.
        role: ``given``, ``kunya``, ``nasab``, ``nisba``, ``family`` (had an article) or ``name``.
        pattern: Consonant units with the vowels written around them, to check the vowels of two parts in
            different scripts against each other (``translit.arabic_vowel_pattern``); empty for compounds.
    """

    text: str
    skeleton: str
    vowels: str
    role: str
    pattern: str = ""


#: The vowel pattern of a kunya marker (Abu, Umm): it pairs across scripts only with another kunya marker.
KUNYA_PATTERN = "*"

_AR_CONNECTORS = {"بن", "ابن", "إبن", "بنت", "ولد"}
# Abd with the article, written apart from the name after it (Abdul Quddus: عبدل قدوس, عبدال قدوس; ڕ is the r or l
# of a Katakana name, basira.lang.scripts.katakana_as_arabic).
_AR_ABD_APART = {"عبدل", "عبدال", "عبدڕ", "عبدول"}
# Persian ezafe (Tehrik-e Taliban) and the Arabic "and" (Nusrat al-Islam wa al-Muslimin) join names, they are none.
_LAT_JOINERS = {"e", "i", "ye", "y", "wa", "wal"}
_AR_KUNYA = {"ابو": ("b", "abu"), "أبو": ("b", "abu"), "أبي": ("b", "abu"), "ابي": ("b", "abu"),
             "أبا": ("b", "abu"), "ابا": ("b", "abu"), "أم": ("m", "um"), "ام": ("m", "um")}
_LAT_CONNECTORS = {"bin", "ibn", "ben", "bint", "ould", "uld", "walad", "wuld", "bn", "b"}
# Connectors that are no name even first, in a family name written first ("Bin Al Shibh, Ramzi", "BIN LADIN,
# Usama"); not Ben, which is also a given name.
_LAT_LEADING_CONNECTORS = {"bin", "ibn", "bint", "ould", "uld", "wuld"}
_LAT_KUNYA = {"abu": ("b", "abu"), "abou": ("b", "abu"), "abo": ("b", "abu"), "aboo": ("b", "abu"),
              "abi": ("b", "abu"), "aba": ("b", "abu"), "umm": ("m", "um"), "um": ("m", "um"),
              "oum": ("m", "um"), "om": ("m", "um")}
_LAT_ARTICLES = {"al", "el", "ul", "il", "ol"}
# A particle with no name after it (a name cut short, or "bin" moved to the end) is no part of the name; a final
# "b" is an initial, not a connector.
_LAT_TRAILING = (_LAT_ARTICLES | _LAT_CONNECTORS) - {"b"}
# Assimilated article before a sun letter: written with that letter (ash-Shami, ad-Din, ar-Rahman).
_LAT_SUN_ARTICLES = {"ash": "sh", "esh": "sh", "ush": "sh", "as": "s", "es": "s", "us": "s", "ad": "d",
                     "ed": "d", "ud": "d", "at": "t", "et": "t", "ut": "t", "ath": "th", "adh": "dh",
                     "ar": "r", "er": "r", "ur": "r", "an": "n", "en": "n", "un": "n", "az": "z", "ez": "z",
                     "uz": "z", "ats": "ts"}
# Abd with its article, as a word of its own before the name it completes; Abdool (South Asian, Mauritian and
# Caribbean) and Abdoel (Dutch and Indonesian) write its u oo and oe.
_LAT_ABD = {"abd", "abdul", "abdel", "abdal", "abdol", "abdil", "abdu", "abdur", "abdus", "abdou", "abdoul",
            "abdool", "abdoel"}
_ABD_REST = re.compile(r"^(?:[aeiou]l(?=\w{3})|[aeiou](?=([^aeiou])\1)\w|[aeiou](?=[^aeiou]))")
# "ad-Din" written as one word of its own after the name it completes (Nor Eldin, Salah Eddine).
_LAT_DIN_WORDS = {"eldin", "aldin", "uldin", "eldine", "aldine", "eldeen", "aldeen", "eddin", "eddine", "uddin",
                  "addin", "uddeen", "eddeen", "iddin", "oddin"}
_DIN_SUFFIX = re.compile(r"^(\w{3,}?)(?:[aeiou]l?d|[aeiou]dd|dd)(?:in|ine|een|dine|dīn)$")
_AR_DIN = ("الدين", "الدین")  # ad-Din, with the Arabic and the Persian final ya
_AR_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]+")


def _lat_part(word: str, role: str, text: str | None = None) -> NamePart:
    skel, vow = latin_word_key(word)
    return NamePart(text or word, skel, vow, role, latin_vowel_pattern(word))


def _with_din(prev: NamePart, text: str) -> NamePart:
    """The part before an "ad-Din" written apart, with the ad-Din joined to it (Nur ad-Din)."""
    return NamePart(text, prev.skeleton + "dn", prev.vowels + "din", prev.role)


def _strip_fused_article(word: str) -> tuple[str, bool]:
    # Fused articles (Alzawahiri, Elmasri) only on long words, so Ali, Alam and Alwan stay whole.
    if len(word) >= 6 and word[:2] in ("al", "el") and word[2] not in "aeiouy":
        return word[2:], True
    return word, False


# Prefixes a Latin spelling fuses to a name that another writes apart: an article before a, i, o or u and a name of
# four letters or more (Elassad / al-Assad, Alamin; not Elena, Alexander, Elias; before a consonant the parser drops
# it already: Alzawahiri) and the Maghrebi Ben or Bin before four letters or more (Benahmed / Ben Ahmed).
_FUSED_PREFIX = re.compile(r"^(?:[ae]l(?=[aiou]\w{3})|b[ei]n(?=\w{4}))")


@functools.lru_cache(maxsize=65536)
def fused_prefix(word: str) -> NamePart | None:
    """The part a folded Latin word would be without an article or a Ben fused to its start (``elassad`` ->
    ``assad``, ``benahmed`` -> ``ahmed``), or ``None`` when it starts with neither. Only a guess: Alexander,
    Elena and Benjamin start so too, which is why the matcher tries it only on parts that nothing else pairs."""
    m = _FUSED_PREFIX.match(word)
    if m is None:
        return None
    rest = word[m.end():]
    return _lat_part(rest, "name")


def _fused_kunya(word: str) -> int:
    """The length of an Abu fused to the name after it (Abubakar, Aboutaleb, Abulfazl, Persian Abolfazl and
    Abolghasem, the article's l spelt o), or 0: Abu is written abu, abou, or abo before an article's l and a
    consonant (not Abolade, Abosede)."""
    cut = 4 if word.startswith("abou") else 3
    if word.startswith(("abu", "abou")) and len(word) >= cut + 4 and word[cut] not in "aeiou":
        return cut
    if word.startswith("abol") and len(word) >= 8 and word[4] not in "aeiouy":
        return 3
    return 0


# Somali spellings of Arabic names: c for ʿayn, x for ح, long vowels doubled (Cabdullaahi Maxamed Xasan, Cali
# Cumar, Ismaaciil, Siciid). A name is read so when it holds one of the commonest Somali spellings, or two doubled
# vowels (aa, ii, uu) and a first c before a, i or u or an x before a vowel; Carlos Costa, Alexander, Aaron Cox,
# Canaan and a typing slip such as Alejaandro are not. Then a first c before a vowel and a c between vowels are
# dropped, x is h and doubled vowels are single. Cabd- alone (Cabdi Rahim) is always an Abd compound.
_SOMALI_WORDS = frozenset({"maxamed", "maxamuud", "axmed", "xasan", "xuseen", "xaaji", "cali", "cumar", "cismaan",
                           "cusmaan", "ciise", "yuusuf", "ibraahim", "ismaaciil", "siciid", "faarax", "jaamac",
                           "muuse", "nuur", "aadan", "cabdi", "cabdulla", "cabdullaahi", "xamza", "caasha"})
_SOMALI_LONG_SIGN = re.compile(r"aa|ii|uu")
_SOMALI_LETTER_SIGN = re.compile(r"^c(?=[aiu])|x(?=[aeiou])")
_SOMALI_C = re.compile(r"^c(?=[aeiou])|(?<=[aeiou])c(?=[aeiou])")
_SOMALI_LONG = re.compile(r"([aiu])\1")


def somali_latin(words: list[str]) -> list[str]:
    """Folded Latin words of a name, Somali spellings of Arabic names written as English spells them (see
    ``_SOMALI_WORDS``); any other name as it is, but for a first Cabd-, an Abd compound."""
    if any(w in _SOMALI_WORDS for w in words) or (
            sum(len(_SOMALI_LONG_SIGN.findall(w)) for w in words) >= 2
            and any(_SOMALI_LETTER_SIGN.search(w) for w in words)):
        return [_SOMALI_LONG.sub(r"\1", _SOMALI_C.sub("", w)).replace("x", "h") for w in words]
    return [w[1:] if w.startswith("cabd") else w for w in words]


def _latin_parts(text: str) -> list[NamePart]:
    words = latin_fold(text).split()
    if any(w.startswith("c") for w in words) or "x" in text or "X" in text:
        words = somali_latin(words)
    while len(words) > 1 and words[-1] in _LAT_TRAILING:
        words.pop()
    parts: list[NamePart] = []
    role_next = ""
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if (parts or w in _LAT_LEADING_CONNECTORS) and w in _LAT_CONNECTORS and nxt:
            role_next, i = "nasab", i + 1
            continue
        if parts and nxt and w in _LAT_JOINERS:
            i += 1
            continue
        if parts and w in _LAT_DIN_WORDS and parts[-1].vowels not in ("abu", "um"):
            prev = parts.pop()
            parts.append(_with_din(prev, f"{prev.text} {w}"))
            i += 1
            continue
        if nxt and (w in _LAT_ARTICLES or (w in _LAT_SUN_ARTICLES and nxt.startswith(_LAT_SUN_ARTICLES[w]))):
            if nxt in ("din", "deen", "dine", "dien") and parts and parts[-1].vowels not in ("abu", "um"):
                prev = parts.pop()
                parts.append(_with_din(prev, f"{prev.text} {w}-{nxt}"))
                i += 2
                continue
            role_next = role_next or "family"
            i += 1
            continue
        if w in _LAT_KUNYA and nxt:
            skel, vow = _LAT_KUNYA[w]
            parts.append(NamePart(w, skel, vow, "kunya", KUNYA_PATTERN))
            role_next, i = "kunya", i + 1
            continue
        if w in _LAT_ABD and nxt:
            rest, _ = _strip_fused_article(nxt)
            if nxt in _LAT_ARTICLES | set(_LAT_SUN_ARTICLES) and i + 2 < len(words):
                rest, i = words[i + 2], i + 1
            skel, vow = latin_word_key(rest)
            parts.append(NamePart(f"{w} {rest}", "bd" + skel, "abd" + vow, role_next or _role(parts)))
            role_next, i = "", i + 2
            continue
        if w.startswith("abd") and len(w) >= 6:
            rest = _ABD_REST.sub("", w[3:])
            skel, vow = latin_word_key(rest)
            parts.append(NamePart(w, "bd" + skel, "abd" + vow, role_next or _role(parts)))
            role_next, i = "", i + 1
            continue
        cut = _fused_kunya(w)
        if cut:
            parts.append(NamePart(w[:cut], "b", "abu", "kunya", KUNYA_PATTERN))
            w = w[cut:]
            if w[0] == "l" and w[1] not in "aeiouy":
                w = w[1:]  # the article fused with it: Abulfazl, Abolfazl, Aboulkhair (Abu l-Fazl)
            role_next = "kunya"
        if w.startswith(("binal", "binel", "benal", "ibnal")) and len(w) >= 8:
            w, role_next = "al" + w[5:], "nasab"  # fused nasab and article: Binalshibh
        elif w.startswith("bel") and len(w) >= 8 and w[3] not in "aeioulh":
            w, role_next = w[3:], "nasab"  # Maghrebi "ben el" written as one word: Belmokhtar, Belkacem
        written = w
        w, had_article = _strip_fused_article(w)
        m = _DIN_SUFFIX.match(w)
        if m:
            skel, vow = latin_word_key(m.group(1))
            parts.append(NamePart(w, skel + "dn", vow + "din", role_next or _role(parts)))
        else:
            role = role_next or ("family" if had_article else _role(parts))
            if role == "family" and w.endswith(("i", "y")):
                role = "nisba"
            # The keys without the article, the text as written: a typing slip is read on the whole word (Alfonzo /
            # Alfonso, which the article's rule reads as al-Fonso).
            parts.append(_lat_part(w, role, written))
        role_next, i = "", i + 1
    return [p for p in parts if p.skeleton or p.vowels]


def _role(parts: list[NamePart]) -> str:
    return "name" if any(p.role != "kunya" for p in parts) else "given"


def _arabic_parts(text: str) -> list[NamePart]:
    words = _AR_WORD.findall(light(text))
    while len(words) > 1 and words[-1] in _AR_CONNECTORS:
        words.pop()
    # و fused to an article is "and" (والمسلمين, "and the Muslims"), not part of the word.
    words = [w[1:] if w.startswith("وال") and len(w) > 5 else w for w in words]
    parts: list[NamePart] = []
    role_next = ""
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if parts and w in _AR_CONNECTORS and nxt:
            role_next, i = "nasab", i + 1
            continue
        if w == "ال" and nxt:
            words[i + 1] = "ال" + nxt  # a detached article (جمات ال احرار)
            i += 1
            continue
        if w in _AR_KUNYA and nxt:
            skel, vow = _AR_KUNYA[w]
            parts.append(NamePart(w, skel, vow, "kunya", KUNYA_PATTERN))
            role_next, i = "kunya", i + 1
            continue
        for marker in ("أبو", "ابو"):
            if w.startswith(marker) and len(w) > len(marker) + 2:
                parts.append(NamePart(marker, "b", "abu", "kunya", KUNYA_PATTERN))  # fused kunya: أبوغيث, أبواليزيد
                w = w[len(marker):]
                role_next = "kunya"
        if w in _AR_ABD_APART and nxt:
            w = "عبد"  # Abdul written as a word of its own (عبدل قدوس, as Urdu and Hindi write it)
        if w == "عبد" and nxt:
            rest = nxt[2:] if nxt.startswith("ال") and len(nxt) > 3 else nxt
            skel, vow = arabic_word_key(rest)
            parts.append(NamePart(f"{w} {nxt}", "bd" + skel, "abd" + vow, role_next or _role(parts)))
            role_next, i = "", i + 2
            continue
        for din in _AR_DIN:
            if w.endswith(din) and len(w) > len(din) + 1 and nxt not in _AR_DIN:
                words[i:i + 1] = [w[:-len(din)], din]  # written together: نورالدین
                w, nxt = words[i], din
        if nxt in _AR_DIN:
            skel, vow = arabic_word_key(w)
            parts.append(NamePart(f"{w} {nxt}", skel + "dn", vow + "din", role_next or _role(parts)))
            role_next, i = "", i + 2
            continue
        if w.startswith("عبدال") and len(w) > 6:
            skel, vow = arabic_word_key(w[5:])
            parts.append(NamePart(w, "bd" + skel, "abd" + vow, role_next or _role(parts)))
            role_next, i = "", i + 1
            continue
        had_article = len(w) > 3 and w.startswith("ال")
        core = w[2:] if had_article else w
        skel, vow = arabic_word_key(core)
        role = role_next or ("family" if had_article else _role(parts))
        if role == "family" and core.endswith(("ي", "ى")):
            role = "nisba"
        # الله keeps its article in Latin (Allah): its vowels are not checked.
        pattern = arabic_vowel_pattern(core) if core not in ("له", "لہ") else ""
        parts.append(NamePart(w, skel, vow, role, pattern))
        role_next, i = "", i + 1
    return [p for p in parts if p.skeleton or p.vowels]


# Second halves of theophoric compounds (Ehsan-ullah, Hesam ad-Din, Ata ur-Rahman, Abdul Haq): written apart or
# fused, so they join the part before them.
_TAILS = {"lh", "dn", "rhmn", "hk"}
# (Latin ad-Din words are joined by _latin_parts itself: see _LAT_DIN_WORDS.)
_LAT_TAIL_WORDS = {"allah", "ullah", "ollah", "illah", "ulla", "alla"}


def _join_tails(parts: list[NamePart]) -> list[NamePart]:
    out: list[NamePart] = []
    for p in parts:
        tail = p.skeleton in _TAILS and (p.role in ("family", "nisba") or p.text in _LAT_TAIL_WORDS) and \
            not (p.text.isascii() and p.text.endswith("i"))  # a nisba (al-Houghi, al-Dani, al-Rahmani): a name; the
        # written -i, not the vowel form's, where a final e is i too (ad-Dine is ad-Din)
        # Never onto a bare kunya marker: Abu Abdallah's second word is a name of its own.
        if tail and out and out[-1].vowels not in ("abu", "um"):
            prev = out.pop()
            p = NamePart(f"{prev.text} {p.text}", prev.skeleton + p.skeleton, prev.vowels + p.vowels, prev.role)
        out.append(p)
    return out


def name_parts(text: str, script: str | None = None) -> list[NamePart]:
    """Parts of one name written in one script (Arabic-script names and Latin names; other letters are dropped).

    ``script`` (``"arabic"`` or ``"latin"``) skips detecting it when the caller already knows.
    """
    if script is None:
        script = "latin" if text.isascii() else dominant_script(text)
    if script == "arabic":
        return _join_tails(_arabic_parts(text))
    return _join_tails(_latin_parts(text))
