"""A sixth pair evaluation for the name matcher: new pair kinds, from list entries that no pair of the five tuning
splits names, split by entry into a tuning half (``names_dev6``) and a frozen half (``names_sixth``), read once at
the end.

Why a sixth one: wave 15 read the fifth frozen split once (docs/benchmarks.md, "Name screening, wave 15"); its
figures no longer judge later changes. This one is built from kinds no earlier builder wrote, and written (its hash
frozen in ``bench/names_eval.py``) before any change it judges:

- **The pool** is every cluster none of whose entries a pair of ``tune``, ``dev2``, ``dev3``, ``dev4`` or ``dev5``
  names: the entries of the five frozen splits (scored in aggregate and by kind, never tuned on pair by pair) and
  the entries no pair named.
- **The pairs are new**: a pair whose two names an earlier split holds (any of the ten, either order) is dropped.
- **Nothing here looks at a matcher**: "alike" names use rapidfuzz and ``anyascii`` on plain text.

Positives (label 1):

- ``romanized6:<style>``: the Latin name of a person of Arabic origin respelt in a style no earlier builder wrote:
  ``wa`` (West African registers, Hausa and Fulani: Muhammadu, Abubakar, Aliyu, Abdullahi, a final -u, k for q and
  kh, s for th, z for dh, no article), ``ea`` (East African, Swahili: a final -i, h for kh, Mohamed, Athumani, no
  article), ``chat`` (Arabic chat alphabet as social media write it: 3 for ع, 7 for ح, 5 for خ, 2 for hamza, 9 for
  ق, 6 for ط, where the Arabic-script name has those letters; lower case; only for a name whose Arabic-script
  spelling the entry holds) and ``nl`` (Dutch and old Indonesian
  spelling: oe, dj, tj, sj, ch for kh, j for y). The primary name in three styles and another Latin alias that is
  the entry's Arabic-script name too in two, each against the Latin name it came from and against the entry's
  Arabic-script name when it is the same name;
- ``ar6:bin``: an Arabic-script name of three or more words with بن (بنت for a woman) written between its first
  words (the nasab spelt out), against the entry's Latin name of as many words when it is the same name;
- ``lat6:short``: a Latin name of three or more words that is the entry's Arabic-script name too, with one middle
  word left out, against that Arabic-script name;
- ``lat2ar6:news``: the Latin name of a person not of Arabic origin (no word of it one the lists also write in
  Arabic script) written in Arabic script as Arabic news writes foreign names (vowels as long letters, ب for p, ف
  for v, غ for a hard g, تش for ch), against that Latin name;
- ``latin2cyr6:<lang>``: the Latin name of a person from a Cyrillic-writing country (or with a Slavic last part)
  written in ``uk`` (Ukrainian: г for h, и for y, і, ї, є), ``sr`` (Serbian: ј, љ, њ, ћ, ђ, џ) or ``bg``
  (Bulgarian: щ for sht, ъ) Cyrillic, against that Latin name;
- ``org6:<how>``: an organization name with its head noun moved (``reordered``: BANK OF X as X BANK and back),
  a generic word in the other number (``plural``: SERVICE, SERVICES), or ``&`` and AND swapped (``amp``).

Negatives (label 0):

- ``similar6-x``: the Arabic-script name of one entry against the Latin name of another entry of the same list
  whose consonant skeletons rapidfuzz calls alike (85 or more) but which are different people or bodies;
- ``similar6``: names of two different entries of one list that rapidfuzz's token-sort ratio calls alike (88 or
  more) but whose words differ, the shorter at least 60 % of the longer's length;
- ``common6:<lang>``: generated common names in Yoruba, Chechen, Gulf Arabic (Latin letters, ``gulfl``, and Arabic
  script, ``gulf``), Uyghur (Arabic script), Tajik and Kazakh (Cyrillic), Amharic (Ethiopic) and Hindi
  (Devanagari), from name pools no earlier builder used, against the listed person name most like them. A made name
  whose words hold a listed person's name of two or more words (or are held by one) is left out: such a pair tells
  nothing from the name alone.

Run once: ``.venv/bin/python bench/names_sixth.py`` writes ``bench/data/names_{dev6,sixth}.jsonl.gz`` and prints
their SHA-256; ``bench/names_eval.py`` holds the frozen half's (``SIXTH_SHA256``) and refuses to read it without
``--final``.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basira.finance.lists.base import ListedEntry
from names_fifth import EARLIER5, TUNING5, entry_names, names, pair5, pair_adder, pool_of
from names_fourth import word_dictionary
from names_pairs import (
    _PARTICLES,
    OUT,
    Pair,
    _skel,
    alike_pairs,
    common_names,
    fold,
    nearest,
    script,
    script_alike,
    split_by_cluster,
    tokens,
    write_splits,
)
from names_third import _sub, _title

SEED6 = 20261213  # no earlier builder's seed: a shared one would split this pool along an earlier split
SIXTH_SHARE = 50  # percent of the pool's clusters in the frozen half
TUNING6 = (*TUNING5, OUT / "names_dev5.jsonl.gz")
EARLIER6 = (*EARLIER5, OUT / "names_dev5.jsonl.gz", OUT / "names_fifth.jsonl.gz")


def half6(cluster: str) -> str:
    h = int(hashlib.sha256(f"sixth:{SEED6}:{cluster}".encode()).hexdigest(), 16) % 100
    return "sixth" if h < SIXTH_SHARE else "dev6"


def by_table(word: str, table: tuple[tuple[str, str], ...]) -> str:
    """``word`` (lower-case ASCII) written by ``table``'s (source, target) rows, longest first where they start
    alike (the table's order); a character no row has is left out."""
    out, i = "", 0
    while i < len(word):
        for src, dst in table:
            if word.startswith(src, i):
                out += dst
                i += len(src)
                break
        else:
            i += 1
    return out


# --- romanization styles no earlier builder wrote ----------------------------------------------------------------

STYLES6 = ("wa", "ea", "chat", "nl")
_WA_NAMES = ((r"\bmu?ha?mm?[ae]d\b", ("muhammadu", "muhammad", "mohammed")), (r"\babu ?bakr?\b", ("abubakar",)),
             (r"\bali\b", ("aliyu",)), (r"\babd ?(?:al|ul|el)?[ -]?lah\b", ("abdullahi",)),
             (r"\buthman\b|\bothman\b|\bosman\b", ("usman",)), (r"\bumar\b|\bomar\b", ("umaru", "umar")),
             (r"\byusu?f\b|\byousef\b|\byoussef\b", ("yusuf", "yusufu")), (r"\bmusa\b|\bmoussa\b", ("musa",)),
             (r"\bibrahim\b", ("ibrahim", "ibrahimu")), (r"\bsani\b", ("sani",)))
_EA_NAMES = ((r"\bmu?ha?mm?[ae]d\b", ("mohamed", "mohammed", "mohamedi")), (r"\bkhamis\b", ("hamisi",)),
             (r"\buthman\b|\bothman\b", ("athumani", "othmani")), (r"\bsha'?ban\b", ("shabani",)),
             (r"\brashid\b", ("rashidi",)), (r"\bsalim\b", ("salimu", "salim")), (r"\bomar\b|\bumar\b", ("omari",)),
             (r"\bbakr\b|\bbakar\b", ("bakari",)))


# A word (not a hyphenated part, not a particle) ending in a consonant that takes the style's final vowel.
_FINAL_WA = r"(?<![\w-])(?!abubakar|abd|ben\b|bin\b)(\w{2,}[bdfmr])(?=\s|$)"
_FINAL_EA = r"(?<![\w-])(?!abd|bin\b|ben\b|ibn\b)(\w{2,}[bdfkmnrst])(?=\s|$)"


def _names(t: str, table: tuple[tuple[str, tuple[str, ...]], ...], rng: random.Random) -> str:
    for pattern, forms in table:
        t = re.sub(pattern, lambda m, f=forms: rng.choice(f), t)  # type: ignore[misc]
    return t


def _arabizi(w: str, a: str) -> str:
    """One lower-case Latin word in the Arabic chat alphabet, from the letters of its Arabic-script word ``a`` (or
    of the whole Arabic-script name when the words do not line up): a digit only where that letter is."""
    stem = a.removeprefix("ال")
    article, rest = re.match(r"((?:al|el)-)?(.*)", w).groups()  # type: ignore[union-attr]
    if "ع" in stem and rest:
        at = stem.index("ع")
        if at == 0 and rest[:1] in tuple("aeiou"):
            rest = "3" + rest
        elif "'" in rest:
            rest = rest.replace("'", "3", 1)
        elif at == len(stem) - 1:
            rest += "3"  # Rabi3
        else:  # after the vowel nearest where ع stands in the Arabic word: Ja3far, Isma3il
            target = at / len(stem) * len(rest)
            spots = [j for j in range(1, len(rest)) if rest[j - 1] in "aeiou"]
            if spots:
                j = min(spots, key=lambda j: abs(j - target))
                rest = rest[:j] + "3" + rest[j:]
    if "ح" in stem:
        rest = re.sub(r"(?<![csktdgz])h", "7", rest, count=1 if "ه" in stem else 2)
    if "خ" in stem:
        rest = rest.replace("kh", "5", 1)
    if "ق" in stem and "ك" not in stem:
        rest = re.sub(r"q|k(?!h)", "9", rest, count=1)
    if "ط" in stem:
        rest = re.sub(r"t(?!h)", "6", rest, count=1)
    if any(h in stem for h in "ءأإئؤ"):
        rest = rest.replace("'", "2", 1)
    return (article or "") + rest


def restyle6(name: str, style: str, rng: random.Random, arabic: str | None = None) -> str:
    """A Latin spelling of an Arabic-origin name respelt in ``style`` (see the module's text)."""
    t = " ".join(name.lower().replace("’", "'").replace("`", "'").split())
    if style == "wa":
        t = t.replace("'", "")
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.9)
        t = _names(t, _WA_NAMES, rng)
        t = re.sub(r"\babd(?:ul|al|el)?[ -](\w+)", r"abdul\1", t)
        for pattern, repl, p in ((r"kh", "k", 0.6), (r"q", "k", 0.8), (r"th", "s", 0.7), (r"dh", "z", 0.8),
                                 (_FINAL_WA, r"\1u", 0.4), (r"ou|oo", "u", 0.8)):
            t = _sub(pattern, repl, t, rng, p)
    elif style == "ea":
        t = t.replace("'", "")
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.8)
        t = _names(t, _EA_NAMES, rng)
        for pattern, repl, p in ((r"kh", "h", 0.8), (_FINAL_EA, r"\1i", 0.4),
                                 (r"ou|oo", "u", 0.8), (r"q", "k", 0.5)):
            t = _sub(pattern, repl, t, rng, p)
    elif style == "chat":
        words = t.split()
        aw = arabic.split() if arabic else []
        if arabic is not None:
            aligned = len(words) == len(aw)
            t = " ".join(_arabizi(w, aw[i] if aligned else arabic) for i, w in enumerate(words))
        t = _sub(r"\bal-", "el ", t, rng, 0.5)
        t = _sub(r"(?<=\w)u(?=\w)", "o", t, rng, 0.5)
        t = _sub(r"(?<=\w)i(?=\w)", "e", t, rng, 0.4)
        t = t.replace("'", "")
        return " ".join(t.split())  # chat is written in lower case
    else:  # nl
        t = t.replace("'", "")
        for pattern, repl, p in ((r"(?<!d)j", "dj", 0.8), (r"(?<=[aeiou])y(?=[aeiou])|\by(?=[aeiou])", "j", 0.8),
                                 (r"ch", "tj", 0.8), (r"sh", "sj", 0.8), (r"kh", "ch", 0.8), (r"ou|oo", "oe", 0.9),
                                 (r"(?<=[^aeio])u", "oe", 0.8), (r"ee", "i", 0.8), (r"q", "k", 0.6)):
            t = _sub(pattern, repl, t, rng, p)
    t = re.sub(r"\s+", " ", t).strip(" -")
    return _title(t)


# --- Arabic script: the nasab spelt out -----------------------------------------------------------------------

def with_bin(arabic: str, latin: str, rng: random.Random, female: bool = False) -> str | None:
    """An Arabic-script name of three or more words with بن (بنت for a woman) between its first and second words
    and, half the time, بن between its second and third, when it has as many words as its Latin name and no بن,
    ابن, أبو, عبد or الله among its first three; else None."""
    w = arabic.split()
    if len(w) < 3 or len(w) != len(latin.split()) or w[1].startswith("ال"):
        return None
    if any(x in ("بن", "ابن", "بنت", "أبو", "ابو", "عبد", "الله") for x in w[:3]):
        return None
    out = [w[0], "بنت" if female else "بن", w[1]]
    rest = w[2:]
    if rng.random() < 0.5 and not rest[0].startswith("ال"):
        out.append("بن")
    return " ".join([*out, *rest])


def short(latin: str, rng: random.Random) -> str | None:
    """A Latin name of three or more words with one middle word (not a particle) left out; else None."""
    w = latin.split()
    middle = [i for i in range(1, len(w) - 1) if fold(w[i]) not in _PARTICLES and fold(w[i - 1]) not in _PARTICLES]
    if len(w) < 3 or not middle:
        return None
    i = rng.choice(middle)
    return " ".join([*w[:i], *w[i + 1:]])


# --- Latin names in Arabic script, as Arabic news writes foreign names -------------------------------------------

_TO_ARABIC = (("sch", "ش"), ("shch", "شتش"), ("sh", "ش"), ("ch", "تش"), ("zh", "ج"), ("kh", "خ"), ("ts", "تس"),
              ("tz", "تس"), ("th", "ث"), ("ph", "ف"), ("gh", "غ"), ("ck", "ك"), ("qu", "ك"), ("ou", "و"),
              ("oo", "و"), ("ee", "ي"), ("ie", "ي"), ("ai", "اي"), ("ay", "اي"), ("ei", "ي"), ("ey", "ي"),
              ("yu", "يو"), ("ya", "يا"), ("yo", "يو"), ("a", "ا"), ("b", "ب"), ("ce", "سي"), ("ci", "سي"),
              ("c", "ك"), ("d", "د"), ("e", "ي"), ("f", "ف"), ("g", "غ"), ("h", "ه"), ("i", "ي"), ("j", "ج"),
              ("k", "ك"), ("l", "ل"), ("m", "م"), ("n", "ن"), ("o", "و"), ("p", "ب"), ("q", "ك"), ("r", "ر"),
              ("s", "س"), ("t", "ت"), ("u", "و"), ("v", "ف"), ("w", "و"), ("x", "كس"), ("y", "ي"), ("z", "ز"))
_INITIAL = (("a", "أ"), ("e", "إ"), ("i", "إ"), ("o", "أو"), ("u", "أو"))


def latin_to_arabic(name: str, rng: random.Random) -> str:
    """A Latin name in Arabic script by ``_TO_ARABIC``: an initial vowel on alif with hamza, a doubled letter once,
    an inner e left out half the time (Arabic writes no short vowels), a final e after a consonant left out."""
    words = []
    for w in fold(name).split():
        w = re.sub(r"c(?=[eiy])", "s", w)  # a soft c: Cesar, سيزار
        w = re.sub(r"(.)\1", r"\1", w)
        w = re.sub(r"(?<=[^aeiouy])e$", "", w) if len(w) > 3 else w
        w = _sub(r"(?<=([^aeiouy]))e(?=[^aeiouy])(?!\1)", "", w, rng, 0.5)
        head = ""
        for lat, ar in _INITIAL:
            if w.startswith(lat) and not w.startswith(("ai", "ay", "ei", "ey", "ou", "oo", "ee", "ie")):
                head, w = ar, w[1:]
                break
        words.append(head + by_table(w, _TO_ARABIC))
    return " ".join(w for w in words if w)


# --- Latin names in Ukrainian, Serbian and Bulgarian Cyrillic ---------------------------------------------------

CYR6 = ("uk", "sr", "bg")
_CYR_SHARED = (("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("d", "д"), ("e", "е"), ("z", "з"), ("k", "к"),
               ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
               ("u", "у"), ("f", "ф"), ("q", "к"), ("x", "кс"), ("c", "к"))
_CYR_TABLES = {
    "uk": (("shch", "щ"), ("sch", "ш"), ("J", "й"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
           ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("ye", "є"), ("yi", "ї"), ("iy", "ій"), ("yy", "ий"), ("h", "г"),
           ("g", "г"), ("y", "и"), ("i", "і"), ("j", "й"), *_CYR_SHARED),
    "sr": (("dzh", "џ"), ("sch", "ш"), ("J", "ј"), ("dj", "ђ"), ("lj", "љ"), ("nj", "њ"), ("zh", "ж"),
           ("kh", "х"), ("ts", "ц"), ("tch", "ч"), ("ch", "ч"), ("sh", "ш"), ("h", "х"), ("g", "г"), ("y", "ј"),
           ("j", "ј"), ("i", "и"), *_CYR_SHARED),
    "bg": (("sht", "щ"), ("shch", "щ"), ("sch", "ш"), ("J", "й"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
           ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("iy", "ий"), ("y", "й"), ("h", "х"), ("g", "г"),
           ("i", "и"), ("j", "дж"), *_CYR_SHARED),
}


def latin_to_cyrillic6(name: str, lang: str, rng: random.Random) -> str:
    """A Latin name in ``lang``'s Cyrillic; Bulgarian writes ъ for an unstressed a or u before a final consonant
    some of the time (Петъров is not a spelling, so only in -ăr, -ăl, -ăn endings)."""
    words = []
    for w in fold(name).split():
        w = re.sub(r"(?<=[aeou])[iy]$", "J", w)  # Borodai: Бородай (J: the table's й)
        if lang != "uk":  # Serbian and Bulgarian write и for a y after a consonant: Dmitry, Дмитри
            w = re.sub(r"(?<=[^aeiouy])y(?![aeiou])", "i", w)
        if lang == "bg":
            w = _sub(r"(?<=[^aeiou])[au](?=[rln]$)", "ъ", w, rng, 0.3)
        out = ""
        for part in re.split(r"(ъ)", w):
            out += part if part == "ъ" else by_table(part, _CYR_TABLES[lang])
        words.append(out)
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


# --- organization names reworded ---------------------------------------------------------------------------------

_HEADS = ("BANK", "ORGANIZATION", "FOUNDATION", "ASSOCIATION", "COMMITTEE", "INSTITUTE", "UNION", "FRONT",
          "ARMY", "PARTY", "CENTER", "CENTRE", "COUNCIL", "SOCIETY", "AGENCY", "MOVEMENT", "BRIGADE", "BRIGADES",
          "BATTALION", "ACADEMY", "UNIVERSITY", "FUND")
_HEAD = "|".join(_HEADS)
_PUBLIC = "BANK|FOUNDATION|ASSOCIATION|SOCIETY|INSTITUTE|UNIVERSITY|ACADEMY|COUNCIL|UNION|FRONT|ARMY|PARTY|MOVEMENT"
_LEGAL_TAIL = r"(?:\s*,?\s*(?:LTD\.?|LIMITED|LLC|INC\.?|CO\.?|S\.?A\.?|GMBH|PJSC|JSC|FZE|FZCO))?"
_PLURALS = (("INDUSTRY", "INDUSTRIES"), ("SERVICE", "SERVICES"), ("PRODUCT", "PRODUCTS"), ("SYSTEM", "SYSTEMS"),
            ("TECHNOLOGY", "TECHNOLOGIES"), ("HOLDING", "HOLDINGS"), ("ENTERPRISE", "ENTERPRISES"),
            ("INVESTMENT", "INVESTMENTS"), ("SOLUTION", "SOLUTIONS"), ("RESOURCE", "RESOURCES"),
            ("ELECTRONIC", "ELECTRONICS"), ("BROTHER", "BROTHERS"),
            ("COMMUNICATION", "COMMUNICATIONS"), ("MATERIAL", "MATERIALS"), ("CHEMICAL", "CHEMICALS"))


def org6(name: str, rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    upper = " ".join(name.upper().split())
    m = re.fullmatch(rf"(?:THE )?((?:[A-Z-]+ ){{0,2}}(?:{_HEAD})) OF (?:THE )?(.+?)({_LEGAL_TAIL})", upper)
    if m and len(m.group(2)) >= 3 and not re.search(r"\b(?:OF|FOR|THE|AND)\b|[.’']", m.group(2)):
        out.append(("org6:reordered", f"{m.group(2)} {m.group(1)}{m.group(3)}"))
    else:
        m = re.fullmatch(rf"(?:THE )?([A-Z-]+(?: [A-Z-]+)?) ({_PUBLIC})", upper)  # a body, not a company
        adjective = re.search(r"(?:IC|AL|AN|IST|ARY|IVE)$", m.group(1)) if m else None
        if m and len(m.group(1)) >= 3 and not adjective and not re.search(r"\b(?:OF|FOR|AND|THE)\b", m.group(1)):
            out.append(("org6:reordered", f"{m.group(2)} OF {m.group(1)}"))
    words = upper.split()
    spots = [(i, a, b) for i, w in enumerate(words) for a, b in _PLURALS if w.strip(",") in (a, b)]
    if spots:
        i, a, b = rng.choice(spots)
        w = words[i]
        words = [*words[:i], w.replace(b, a) if b in w else w.replace(a, b), *words[i + 1:]]
        out.append(("org6:plural", " ".join(words)))
    if "&" in upper:
        out.append(("org6:amp", " ".join(upper.replace("&", " AND ").split())))
    elif re.search(r"\bAND\b", upper):
        out.append(("org6:amp", re.sub(r"\s*\bAND\b\s*", rng.choice((" & ", "&")), upper, count=1)))
    return out


# --- common names from pools no earlier builder used ---------------------------------------------------------------

COMMON6: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "yo": (("Adebayo", "Oluwaseun", "Babatunde", "Olumide", "Ayodele", "Kehinde", "Taiwo", "Femi", "Segun", "Tunde",
            "Folake", "Funmilayo", "Abimbola", "Yetunde", "Titilayo", "Omolara", "Bukola", "Adunni", "Morenike",
            "Ronke"),
           ("Adeyemi", "Ogunleye", "Adewale", "Afolabi", "Ogunbiyi", "Olatunji", "Akinola", "Oyelaran", "Adebisi",
            "Ojo", "Oladipo", "Balogun", "Fashola", "Ogundipe", "Akande", "Adeleke", "Oyebanji", "Ajayi",
            "Oyewole", "Alabi")),
    "ce": (("Ruslan", "Aslan", "Magomed", "Ramzan", "Adam", "Islam", "Zelimkhan", "Turpal", "Apti", "Beslan",
            "Khava", "Zarema", "Kheda", "Madina", "Petimat", "Zulikhan", "Aminat", "Liana", "Malika", "Seda"),
           ("Dudayev", "Khasanov", "Magomadov", "Bisultanov", "Gairbekov", "Dzhabrailov", "Elmurzayev", "Ibragimov",
            "Khadzhiev", "Mutsayev", "Umarov", "Tsakayev", "Vakhayev", "Yandarbiev", "Zakriev", "Akhmadov",
            "Batalov", "Dadaev", "Edilov", "Gakayev")),
    "gulfl": (("Fahad", "Turki", "Saud", "Faisal", "Nawaf", "Bandar", "Mishal", "Majed", "Talal", "Meshari",
               "Hamad", "Rashed", "Sultan", "Thamer", "Noura", "Hessa", "Maha", "Reem", "Latifa", "Sheikha"),
              ("Al-Qahtani", "Al-Ghamdi", "Al-Otaibi", "Al-Dosari", "Al-Shammari", "Al-Mutairi", "Al-Harbi",
               "Al-Zahrani", "Al-Anazi", "Al-Subaie", "Al-Shehri", "Al-Asmari", "Al-Malki", "Al-Juhani",
               "Al-Balushi", "Al-Kaabi", "Al-Nuaimi", "Al-Marri", "Al-Ajmi", "Al-Hajri")),
    "gulf": (("فهد", "تركي", "سعود", "فيصل", "نواف", "بندر", "مشعل", "ماجد", "طلال", "مشاري", "حمد", "راشد",
              "سلطان", "ثامر", "نورة", "حصة", "مها", "ريم", "لطيفة", "شيخة"),
             ("القحطاني", "الغامدي", "العتيبي", "الدوسري", "الشمري", "المطيري", "الحربي", "الزهراني", "العنزي",
              "السبيعي", "الشهري", "الأسمري", "المالكي", "الجهني", "البلوشي", "الكعبي", "النعيمي", "المري",
              "العجمي", "الهاجري")),
    "ug": (("ئەخمەت", "مۇھەممەت", "ئابدۇرەھىم", "تۇرسۇن", "ئەركىن", "قۇربان", "مەمەتجان", "ئىلھام", "نۇرمەمەت",
            "ياسىن", "گۈلنار", "ئايگۈل", "مەرھابا", "پاتىگۈل", "زۆھرە", "رەيھان", "گۈلباھار", "مۇنىرە",
            "ئامىنە", "ساجىدە"),
           ("تۇرسۇن", "ئابلىز", "ھەسەن", "قادىر", "ئوسمان", "ئىمىن", "ئەھەت", "توختى", "ئىسمايىل", "مامۇت",
            "نىياز", "سايىت", "ئۆمەر", "ياقۇپ", "سىدىق", "ھوشۇر", "ئابدۇللا", "ئەمەت", "روزى", "مەتنىياز")),
    "tg": (("Фарҳод", "Далер", "Ҷамшед", "Сафарали", "Рустам", "Шавкат", "Бахтиёр", "Комрон", "Исмоил", "Зафар",
            "Мадина", "Нилуфар", "Гулноза", "Фотима", "Зарина", "Парвина", "Шаҳло", "Мавзуна", "Дилбар", "Сабрина"),
           ("Раҳмонов", "Саидов", "Назаров", "Қодиров", "Шарипов", "Ҳасанов", "Давлатов", "Мирзоев", "Каримов",
            "Сафаров", "Ҷӯраев", "Олимов", "Зоиров", "Неъматов", "Бобоев", "Холов", "Шоев", "Икромов", "Раҷабов",
            "Файзуллоев")),
    "kk": (("Нұрлан", "Ерлан", "Асқар", "Бауыржан", "Дәурен", "Ержан", "Қайрат", "Мұрат", "Серік", "Талғат",
            "Айгүл", "Гүлнар", "Жанар", "Динара", "Әсел", "Мәдина", "Ақмарал", "Салтанат", "Жұлдыз", "Сәуле"),
           ("Нұрғалиев", "Сейітов", "Жұмабаев", "Тоқаев", "Әбенов", "Қасымов", "Бекболатов", "Ермеков",
            "Омарова", "Сәрсенбаев", "Төлеуов", "Ысқақов", "Шәріпов", "Құдайбергенов", "Байжанов", "Мұқанов",
            "Оспанов", "Тұрсынов", "Әлиев", "Дүйсенов")),
    "am": (("አበበ", "ተስፋዬ", "ሙሉጌታ", "ዳዊት", "ሰለሞን", "ዮሐንስ", "ብርሃኑ", "ግርማ", "ታደሰ", "ሀይሉ",
            "መሰረት", "ትዕግስት", "ሄለን", "ብዙአየሁ", "ፀሐይ", "ሰላም", "ማርታ", "ቤተልሔም", "ዘውዲቱ", "አልማዝ"),
           ("ከበደ", "በቀለ", "ተሰማ", "ወልደ", "ገብሬ", "አለሙ", "መኮንን", "ደስታ", "ጌታቸው", "ሽፈራው",
            "አሰፋ", "ታምሩ", "ደምሴ", "ኃይሌ", "ወርቁ", "ሙላቱ", "ካሳ", "አየለ", "ፈለቀ", "ንጉሴ")),
    "hi": (("राहुल", "अमित", "सुनील", "विजय", "राजेश", "संजय", "अनिल", "मनोज", "दीपक", "अजय", "प्रिया",
            "सुनीता", "अनीता", "पूजा", "नेहा", "कविता", "रेखा", "मीना", "सीमा", "गीता"),
           ("शर्मा", "वर्मा", "गुप्ता", "सिंह", "कुमार", "यादव", "मिश्रा", "पांडे", "तिवारी", "जोशी", "अग्रवाल",
            "चौहान", "ठाकुर", "मेहता", "पटेल", "सक्सेना", "श्रीवास्तव", "दुबे", "त्रिपाठी", "भट्ट")),
}


# --- building --------------------------------------------------------------------------------------------------


def told_apart_from(by_key: dict[str, ListedEntry], kinds: dict[str, str]) -> Callable[[str], bool]:
    """Whether a made name can be told apart from every listed person's name by the name alone: not when its words
    hold a listed person's name of two or more words, nor when they are held by one."""
    person_sets = [frozenset(fold(n).split()) for k, x in by_key.items() if kinds[k] == "person" for n in names(x)]
    holders: dict[str, list[frozenset[str]]] = defaultdict(list)
    for s in person_sets:
        for t in s:
            holders[t].append(s)
    exact = set(person_sets)

    def told_apart(n: str) -> bool:
        words = frozenset(fold(n).split())
        if any(frozenset(c) in exact for r_ in range(2, len(words) + 1) for c in combinations(words, r_)):
            return False  # the made name holds a listed name
        return not any(words <= s for t in words for s in holders.get(t, ()))  # nor is it held by one

    return told_apart



def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED6)
    pl = pool_of(TUNING6, EARLIER6)
    u, o = pl.u, pl.o
    earlier, by_key, kinds, cluster, members = pl.earlier, pl.by_key, pl.kinds, pl.cluster, pl.members
    pool, in_pool, used = pl.pool, pl.in_pool, pl.used

    # Latin words the lists also write in Arabic script: a name with one is of Arabic origin (Mohammad Roslan bin
    # Ahmad), and Arabic news writes it the Arabic way, not letter by letter.
    arabic_words = set(word_dictionary(u)) | set(word_dictionary(o))
    pairs: list[Pair] = []

    add = pair_adder(pairs, earlier, kinds)

    for key in in_pool:
        x, k = by_key[key], kinds[key]
        latin, arabic, _, primary, where = entry_names(x, k)
        if k == "person" and primary and where == "arabic":
            alias = next((la for la in latin if la != primary and any(script_alike(ar, la) for ar in arabic)), None)
            for src, n_styles in ((primary, 3), *(((alias, 2),) if alias else ())):
                src_ar = [ar for ar in arabic if script_alike(ar, src)][:1]
                for style in rng.sample(STYLES6, n_styles):
                    if style == "chat" and not src_ar:
                        continue  # the chat alphabet's digits stand for Arabic letters: without them, no test
                    v = restyle6(src, style, rng, src_ar[0] if src_ar else None)
                    if fold(v) == fold(src) and not src_ar:
                        continue
                    add(v, src, 1, f"romanized6:{style}", key)
                    for ar in src_ar:
                        add(v, ar, 1, f"romanized6:{style}", key)
                for ar in src_ar:
                    v = with_bin(ar, src, rng, female=(x.gender or "").lower().startswith("f"))
                    if v:
                        add(v, src, 1, "ar6:bin", key)
                    v = short(src, rng)
                    if v:
                        add(v, ar, 1, "lat6:short", key)
        if (k == "person" and primary and where != "arabic" and rng.random() < 0.4
                and not set(fold(primary).split()) & arabic_words):
            v = latin_to_arabic(primary, rng)
            if v:
                add(v, primary, 1, "lat2ar6:news", key)
        if k == "person" and primary and where == "cyrillic" and rng.random() < 0.8:
            lang = rng.choice(CYR6)
            v = latin_to_cyrillic6(primary, lang, rng)
            if v:
                add(v, primary, 1, f"latin2cyr6:{lang}", key)
        if primary and rng.random() < 0.5:
            if k == "organization":
                for how, v in org6(primary, rng):
                    add(v, primary, 1, how, key)

    # Hard negatives: different entries of one list whose names token-sort ratio calls alike.
    for src in ("un", "ofac"):
        keyed = [(key, n) for key in in_pool if key.startswith(src + ":") for n in names(by_key[key])[:2]
                 if script(n) == "latin"]
        for i, j in alike_pairs(keyed, cluster, rng, fuzz.token_sort_ratio, 88, 2, 8000):
            (a, na), (b, nb) = keyed[i], keyed[j]
            if frozenset((na, nb)) in earlier or tokens(na) == tokens(nb):
                continue
            la, lb = len(fold(na)), len(fold(nb))
            if min(la, lb) < 0.6 * max(la, lb):
                continue
            pairs.append(pair5(na, nb, 0, "similar6", (a, b), b, kinds[a], kinds[b]))

    # Cross-script hard negatives: an Arabic-script name of one entry, a Latin name of another of the same list.
    def skeleton(n: str) -> str:
        return " ".join(sorted(_skel(t) for t in fold(n).split() if t not in _PARTICLES))

    for src in ("un", "ofac"):
        ar_side = [(key, n) for key in in_pool if key.startswith(src + ":") for n in names(by_key[key])
                   if script(n) == "arabic"]
        lat_side = [(key, n) for key in in_pool if key.startswith(src + ":") for n in names(by_key[key])[:3]
                    if script(n) == "latin"]
        if not ar_side or not lat_side:
            continue
        scores = process.cdist([skeleton(n) for _, n in ar_side], [skeleton(n) for _, n in lat_side],
                               scorer=fuzz.token_sort_ratio, score_cutoff=85, dtype=np.uint8, workers=2)
        for i, (a, na) in enumerate(ar_side):
            row = scores[i]
            taken = 0
            for j in np.argsort(-row.astype(np.int16))[:12]:
                b, nb = lat_side[j]
                if row[j] < 85 or taken == 2:
                    break
                if cluster[a] == cluster[b] or frozenset((na, nb)) in earlier:
                    continue
                pairs.append(pair5(na, nb, 0, "similar6-x", (a, b), b, kinds[a], kinds[b]))
                taken += 1

    # Generated common names against the pool's listed person name most like them.
    listed = [(k, n) for k in in_pool for n in names(by_key[k]) if kinds[k] == "person"]
    told_apart = told_apart_from(by_key, kinds)

    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON6:
        made = [n for n in common_names(lang, rng, 300, COMMON6) if told_apart(n)]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            add(n, listed[j][1], 0, f"common6:{lang}", listed[j][0])

    dev6, sixth = split_by_cluster(pairs, cluster, half6, "sixth", drop_contradicting=True)
    print(f"pool: {len(pool)} clusters ({len(in_pool)} entries) of {len(members)}; the tuning splits stand for "
          f"{len(used)} entries")
    return dev6, sixth


def main() -> None:
    dev6, sixth = build()
    write_splits({"dev6": dev6, "sixth": sixth})


if __name__ == "__main__":
    main()
