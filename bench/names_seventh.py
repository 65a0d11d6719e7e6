"""A seventh pair evaluation for the name matcher: new pair kinds, from list entries that no pair of the six tuning
splits names, split by entry into a tuning half (``names_dev7``) and a frozen half (``names_seventh``), read once at
the end.

Why a seventh one: wave 16 read the sixth frozen split once (docs/benchmarks.md, "Name screening, wave 16"); its
figures no longer judge later changes, among them the reading of a first ال as the name's own letters (c124b9a),
which came after that reading. This one is built from kinds no earlier builder wrote, and written (its hash frozen
in ``bench/names_eval.py``) before any change it judges:

- **The pool** is every cluster none of whose entries a pair of ``tune`` or ``dev2`` to ``dev6`` names: the entries
  of the six frozen splits (scored in aggregate and by kind, never tuned on pair by pair) and those no pair named.
- **The pairs are new**: a pair whose two names an earlier split holds (any of the twelve, either order) is dropped.
- **Nothing here looks at a matcher**: "alike" names use rapidfuzz and ``anyascii`` on plain text.

Positives (label 1):

- ``romanized7:<style>``: the Latin name of a person of Arabic origin respelt in a style no earlier builder wrote:
  ``pk`` (South Asian English: Abdur Rehman, Naseer-ud-Din, Saifullah, ee and oo for the long vowels where the
  Arabic-script word has ي and و, z for dh, s for th), ``ru`` (through Russian: kh or g for h, dzh for j, v for w,
  Magomed, Abdulla, no article), ``sq`` (Albanian: xh for j, j for y, ç for ch, h for kh, Muhamet) and ``my``
  (Malaysian: Mohd, Md, Abd., b. for bin, bt. for binti, sy for sh). The primary name in all four styles and
  another Latin alias that is the entry's Arabic-script name too in three, each against the Latin name it came from
  and against the entry's Arabic-script name when it is the same name;
- ``ar7:urdu``: an Arabic-script name (up to three of an entry's) in Urdu letters (ک, ی, ہ, ۃ, اللہ, الرحمٰن),
  against the entry's Latin name of the same name; ``ar7:compound``: an Arabic-script name with its compounds
  joined or split (عبد الله / عبدالله, أبو بكر / أبوبكر, نور الدين / نورالدين), against the same;
- ``lat2ar7:fa``: the Latin name of a person not of Arabic origin in Persian script as Persian news writes foreign
  names (پ, گ, چ, ژ, و for v, آ for an initial a, ه for a final e), against that Latin name;
- ``latin2cyr7:<lang>``: the Latin name of a person from a Cyrillic-writing country (or with a Slavic last part)
  in ``be`` (Belarusian: і, ы, ў, дз, а for an unstressed o), ``mk`` (Macedonian: ј, ѓ, ќ, џ, ѕ) or ``kk``
  (Kazakh: қ, ғ, ұ, ү) Cyrillic, against that Latin name;
- ``cyrillic7:<scheme>``: a listed Cyrillic-script name romanized as ``hu`` (Hungarian: gy, ty, ny, cs, zs, sz, s for
  ш), ``cs`` (Czech: č, š, ž, ch, j), ``lv`` (Latvian: Czech letters and, on a person's name, a masculine -s:
  Vladimirs, Dmitrijs) or ``it`` (Italian: ci, sc, z, ch, i for й) write it, against the Cyrillic name and against
  the entry's Latin name of the same name;
- ``org7:<how>``: an organization name with a ``branch`` added (X, DUBAI BRANCH) or its generic word written as
  the Arabic word in Latin letters (``ar-word``: MUASSASAT X for X FOUNDATION, SHARIKAT X for X COMPANY).

Negatives (label 0):

- ``similar7-ar``: Arabic-script names of two different entries of one list that rapidfuzz's ratio calls alike (70
  or more: Arabic-script names of different people rarely come closer) but whose words differ;
- ``common7:<lang>``: generated common names in Albanian, Turkmen, Pakistani English and Levantine Arabic (Latin
  letters), Kyrgyz and Tatar (Cyrillic), Dari (Persian script), Korean (Hangul), Georgian, Hebrew and Armenian,
  from name pools no earlier builder used, against the listed person name most like them. A made name whose words
  hold a listed person's name of two or more words (or are held by one) is left out.

Run once: ``.venv/bin/python bench/names_seventh.py`` writes ``bench/data/names_{dev7,seventh}.jsonl.gz`` and prints
their SHA-256; ``bench/names_eval.py`` holds the frozen half's (``SEVENTH_SHA256``) and refuses to read it without
``--final``.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from names_fifth import alike_negatives, entry_names, names, pair5, pair_adder, pool_of
from names_fourth import word_dictionary
from names_pairs import (
    OUT,
    Pair,
    common_names,
    fold,
    nearest,
    script,
    script_alike,
    split_by_cluster,
    write_splits,
)
from names_sixth import EARLIER6, TUNING6, by_table, told_apart_from
from names_third import _sub, _title

SEED7 = 20261214  # no earlier builder's seed: a shared one would split this pool along an earlier split
SEVENTH_SHARE = 50  # percent of the pool's clusters in the frozen half
TUNING7 = (*TUNING6, OUT / "names_dev6.jsonl.gz")
EARLIER7 = (*EARLIER6, OUT / "names_dev6.jsonl.gz", OUT / "names_sixth.jsonl.gz")


def half7(cluster: str) -> str:
    h = int(hashlib.sha256(f"seventh:{SEED7}:{cluster}".encode()).hexdigest(), 16) % 100
    return "seventh" if h < SEVENTH_SHARE else "dev7"


# --- romanization styles no earlier builder wrote ----------------------------------------------------------------

STYLES7 = ("pk", "ru", "sq", "my")
_MUHAMMAD = r"\bmu?ha?mm?[ae]d\b|\bmohamm?[ae]d\b"


def _long_vowels(t: str, arabic: str | None, rng: random.Random) -> str:
    """ee for the one i and oo for the one u of a word whose Arabic-script word (the names lining up word by word) has
    ي or و between its first and last letters, before the word's last consonant: Rasheed for رشيد, Mahmood for
    محمود (Hamid for حامد stays: Hameed is حميد; a final nisba ي is a final -i)."""
    words = t.split()
    aw = arabic.split() if arabic else []
    if len(aw) != len(words):
        return t
    out = []
    for w, a in zip(words, aw, strict=True):
        stem = a.removeprefix("ال")[1:-1]
        if ("ي" in stem or "ی" in stem) and w.count("i") == 1:
            w = _sub(r"(?<=[^aeiou\W])i(?=[^aeiou\W]$)", "ee", w, rng, 0.8)
        if "و" in stem and w.count("u") == 1:
            w = _sub(r"(?<=[^aeiou\W])u(?=[^aeiou\W]$)", "oo", w, rng, 0.8)
        out.append(w)
    return " ".join(out)


def _pk_compounds(t: str, rng: random.Random) -> str:
    def abd(m: re.Match[str]) -> str:
        rest = m.group(1)
        link = "ur" if rest[0] == "r" else "us" if rest[0] == "s" else "uz" if rest[0] == "z" else "ul"
        return rng.choice((f"abd{link} {rest}", f"abd{link}{rest}", f"abdul {rest}"))

    t = re.sub(r"\babd(?:ul|al|el|ur|us)?[ -](?:al-|el-|ar-|as-)?(\w+)", abd, t)
    t = re.sub(r"\b(\w+)[ -](?:al|ad|ud|el|ed)[ -]d(?:i|ee)n\b",
               lambda m: rng.choice((f"{m.group(1)}-ud-din", f"{m.group(1)}uddin", f"{m.group(1)} uddin")), t)
    return re.sub(r"\b(\w+) allah\b", lambda m: rng.choice((f"{m.group(1)}ullah", f"{m.group(1)} ullah")), t)


def restyle7(name: str, style: str, rng: random.Random, arabic: str | None = None) -> str:
    """A Latin spelling of an Arabic-origin name respelt in ``style`` (see the module's text)."""
    t = " ".join(name.lower().replace("’", "'").replace("`", "'").replace("‘", "'").split())
    t = t.replace("'", "")
    if style == "pk":
        t = _long_vowels(t, arabic, rng)
        t = _pk_compounds(t, rng)
        t = re.sub(_MUHAMMAD, lambda m: rng.choice(("muhammad", "mohammad", "muhammad")), t)
        for pattern, repl, p in ((r"\b(?:al|el)-(?=\w)", "", 0.6), (r"rahman\b", "rehman", 0.7),
                                 (r"rahmat", "rehmat", 0.7), (r"dh", "z", 0.7), (r"th", "s", 0.6),
                                 (r"\buthman\b|\busman\b|\bothman\b", "usman", 0.9), (r"ou", "oo", 0.5)):
            t = _sub(pattern, repl, t, rng, p)
    elif style == "ru":
        t = re.sub(_MUHAMMAD, lambda m: rng.choice(("magomed", "mukhammad", "mukhammed")), t)
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.85)
        for pattern, repl, p in ((r"allah\b", "alla", 0.8), (r"ah\b", "a", 0.6), (r"(?<![dg])j", "dzh", 0.8),
                                 (r"w", "v", 0.7), (r"th", "s", 0.6), (r"dh", "z", 0.7), (r"q", "k", 0.8),
                                 (r"gh", "g", 0.6), (r"ou|oo", "u", 0.8), (r"ee", "i", 0.8)):
            t = _sub(pattern, repl, t, rng, p)
        # h on its own (not of kh, sh, zh, ch, dzh) as kh, or as g the older way (Gusein, Gasan), word by word
        words = []
        for w in t.split():
            h = rng.choice(("kh", "kh", "kh", "g", "h"))
            words.append(re.sub(r"(?<![kszcgdt])h", h, w))
        t = " ".join(words)
    elif style == "sq":
        t = re.sub(_MUHAMMAD, lambda m: rng.choice(("muhamet", "muhamed")), t)
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.9)
        for pattern, repl, p in ((r"(?<![dg])j", "xh", 0.8), (r"y(?=[aeiou])", "j", 0.8),
                                 (r"ch", "ç", 0.8), (r"kh", "h", 0.8), (r"q", "k", 0.6), (r"w", "v", 0.8),
                                 (r"ou|oo", "u", 0.8), (r"ee", "i", 0.8), (r"allah\b", "alla", 0.5)):
            t = _sub(pattern, repl, t, rng, p)
    else:  # my
        t = re.sub(_MUHAMMAD, lambda m: rng.choice(("mohd", "muhd", "md", "mohd", "muhammad")), t)
        t = re.sub(r"\babd(?:ul|al|el)?[ -](?:al-|el-)?(\w+)", lambda m: rng.choice(("abd. ", "abdul ", "abd "))
                   + m.group(1), t)
        for pattern, repl, p in ((r"\bbin\b", "b.", 0.6), (r"\bbinti?\b|\bbint\b", "bt.", 0.7),
                                 (r"\b(?:al|el)-(?=\w)", "", 0.7), (r"sh", "sy", 0.8), (r"th", "s", 0.7),
                                 (r"dh", "z", 0.7), (r"q", "k", 0.5), (r"ou|oo", "u", 0.8), (r"ee", "i", 0.8)):
            t = _sub(pattern, repl, t, rng, p)
    t = re.sub(r"\s+", " ", t).strip(" -")
    return _title(t)


# --- Arabic script: Urdu letters, compounds joined or split -----------------------------------------------------

def urdu(arabic: str, rng: random.Random) -> str:
    """An Arabic-script name in Urdu letters: ک for ك, ی for ي and ى, ہ for a ه (ۃ or ہ for ة), اللہ, الرحمٰن, and
    hamza on alif left out half the time."""
    t = arabic.replace("ك", "ک").replace("ي", "ی").replace("ى", "ی")
    t = t.replace("الله", "اللہ").replace("الرحمن", "الرحمٰن").replace("رحمن", "رحمٰن")
    t = re.sub("ة", lambda m: rng.choice(("ۃ", "ہ")), t)
    t = t.replace("ه", "ہ")
    return _sub("[أإ]", "ا", t, rng, 0.5)


_JOINS = (r"\b(عبد) (\w+)", r"\b(أبو|ابو) (\w+)", r"(\w+) (الدين)\b", r"\b(\w+) (الله|اللہ)\b")


def compound(arabic: str, rng: random.Random) -> str | None:
    """An Arabic-script name with its compounds (عبد X, أبو X, X الدين, X الله) joined where written apart and split
    where written joined (عبدالله, أبوبكر, نورالدين); None when it has none."""
    t = arabic
    for pattern in _JOINS:
        t = re.sub(pattern, r"\1\2", t)
    if t != arabic:
        return t
    t = re.sub(r"\b(عبد|أبو|ابو)(?=\w{2,})", r"\1 ", arabic)
    t = re.sub(r"(?<=\w{2})(الدين|الله)\b", r" \1", t)
    return t if t != arabic else None


# --- Latin names in Persian script, as Persian news writes foreign names ------------------------------------------

_TO_PERSIAN = (("sch", "ش"), ("sh", "ش"), ("ch", "چ"), ("zh", "ژ"), ("kh", "خ"), ("ts", "تس"), ("tz", "تس"),
               ("th", "ت"), ("ph", "ف"), ("gh", "غ"), ("ck", "ک"), ("qu", "ک"), ("ou", "و"), ("oo", "و"),
               ("ee", "ی"), ("ie", "ی"), ("ai", "ای"), ("ay", "ای"), ("ei", "ی"), ("ey", "ی"), ("yu", "یو"),
               ("ya", "یا"), ("yo", "یو"), ("a", "ا"), ("b", "ب"), ("c", "ک"), ("d", "د"), ("e", ""), ("f", "ف"),
               ("g", "گ"), ("h", "ه"), ("i", "ی"), ("j", "ج"), ("k", "ک"), ("l", "ل"), ("m", "م"), ("n", "ن"),
               ("o", "و"), ("p", "پ"), ("q", "ک"), ("r", "ر"), ("s", "س"), ("t", "ت"), ("u", "و"), ("v", "و"),
               ("w", "و"), ("x", "کس"), ("y", "ی"), ("z", "ز"))
_INITIAL_FA = (("a", "آ"), ("e", "ا"), ("i", "ای"), ("o", "او"), ("u", "او"))


def latin_to_persian(name: str, rng: random.Random) -> str:
    """A Latin name in Persian script by ``_TO_PERSIAN``: an inner e left out (Persian writes no short vowels), a
    final e after a consonant as ه half the time (Daniele) and else left out (Pierre), an initial vowel on alif (آ
    for a), a doubled letter once, a soft c as س."""
    words = []
    for w in fold(name).split():
        w = re.sub(r"c(?=[eiy])", "s", w)
        w = re.sub(r"(.)\1", r"\1", w)
        tail = ""
        if len(w) > 2 and w.endswith("e") and w[-2] not in "aeiouy":
            w, tail = w[:-1], rng.choice(("ه", ""))
        head = ""
        for lat, fa in _INITIAL_FA:
            if w.startswith(lat) and not w.startswith(("ai", "ay", "ei", "ey", "ou", "oo", "ee", "ie")):
                head, w = fa, w[1:]
                break
        words.append(head + by_table(w, _TO_PERSIAN) + tail)
    return " ".join(w for w in words if w)


# --- Latin names in Belarusian, Macedonian and Kazakh Cyrillic -------------------------------------------------

CYR7 = ("be", "mk", "kk")
_CYR7_SHARED = (("a", "а"), ("b", "б"), ("v", "в"), ("d", "д"), ("z", "з"), ("k", "к"), ("l", "л"), ("m", "м"),
                ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("f", "ф"), ("x", "кс"),
                ("c", "к"), ("w", "в"), ("q", "к"))
_CYR7_TABLES = {
    "be": (("dzh", "дж"), ("shch", "шч"), ("sch", "шч"), ("J", "й"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
           ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("ye", "е"), ("yo", "ё"), ("ju", "ю"), ("ja", "я"),
           ("jo", "ё"), ("dz", "дз"), ("h", "г"), ("g", "г"), ("y", "ы"), ("i", "і"), ("j", "й"), ("e", "е"),
           ("u", "у"), *_CYR7_SHARED),
    "mk": (("dzh", "џ"), ("dz", "ѕ"), ("J", "ј"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
           ("gj", "ѓ"), ("kj", "ќ"), ("lj", "љ"), ("nj", "њ"), ("yu", "ју"), ("ya", "ја"), ("ye", "е"), ("h", "х"),
           ("g", "г"), ("y", "ј"), ("j", "ј"), ("i", "и"), ("e", "е"), ("u", "у"), *_CYR7_SHARED),
    "kk": (("dzh", "дж"), ("shch", "щ"), ("J", "й"), ("zh", "ж"), ("kh", "х"), ("gh", "ғ"), ("ts", "ц"), ("ch", "ч"),
           ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("ye", "е"), ("ju", "ю"), ("ja", "я"), ("h", "х"), ("g", "г"),
           ("y", "ы"), ("i", "и"), ("j", "ж"), ("e", "е"), ("u", "у"), *_CYR7_SHARED),
}


def latin_to_cyrillic7(name: str, lang: str, rng: random.Random) -> str:
    """A Latin name in ``lang``'s Cyrillic. Belarusian writes an unstressed o as а some of the time (Аляксандр), ў
    for a u after a vowel (Ўладзімір is not a spelling: only after a vowel inside a word); Macedonian writes an
    y between vowels as ј; Kazakh a q as қ, a gh as ғ, and an inner u of such a word as ұ or ү some of the time."""
    words = []
    for w in fold(name).split():
        w = re.sub(r"(?<=[aeou])[iy]$", "J", w)  # a final й
        w = re.sub(r"(?<=[aeiou])y(?![aeiou])", "J", w)  # Mikhaylovich: Михайлович
        if lang == "be":
            w = re.sub(r"(?<=[aeiou])u", "ў", w)
            w = _sub(r"(?<=[^aeiou])o(?=[^aeiou]+[aeiou])", "a", w, rng, 0.3)
            w = re.sub(r"(?<=[^aeiouy])y(?![aeiou])", "ы", w)
        elif lang == "kk":
            w = w.replace("q", "қ")
            if "қ" in w or "gh" in w:  # a Kazakh word (Nurlan is not told apart from a Russian one: left as is)
                w = _sub(r"(?<=[^aeiouy])u(?=[^aeiou])", rng.choice(("ұ", "ү")), w, rng, 0.5)
        else:  # mk
            w = re.sub(r"(?<=[^aeiouy])y(?![aeiou])", "i", w)
        out = ""
        for part in re.split(r"([ўқүұы])", w):
            out += part if part in ("ў", "қ", "ү", "ұ", "ы") else by_table(part, _CYR7_TABLES[lang])
        words.append(out)
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


# --- Cyrillic names as Hungarian, Czech, Latvian and Italian write them -----------------------------------------

_VOWELS_CYR = "аеёиоуыэюяіїє"
_CYR7_BASE = dict(zip("абвгдзклмнопрстуф", ("a", "b", "v", "g", "d", "z", "k", "l", "m", "n", "o", "p", "r", "s",
                                            "t", "u", "f"), strict=True))
SCHEMES7: dict[str, dict[str, str]] = {
    "hu": {"ж": "zs", "з": "z", "и": "i", "й": "j", "х": "h", "ц": "c", "ч": "cs", "ш": "s", "щ": "scs", "ю": "ju",
           "я": "ja", "ё": "jo", "ы": "i", "ъ": "", "ь": "", "е": "e", "э": "e", "с": "sz", "і": "i", "ї": "ji",
           "є": "je", "ґ": "g", "ў": "u"},
    "cs": {"ж": "ž", "и": "i", "й": "j", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ю": "ju", "я": "ja",
           "ё": "jo", "ы": "y", "ъ": "", "ь": "", "е": "e", "э": "e", "і": "i", "ї": "ji", "є": "je", "ґ": "g",
           "ў": "u"},
    "lv": {"ж": "ž", "и": "i", "й": "j", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ю": "ju", "я": "ja",
           "ё": "jo", "ы": "i", "ъ": "", "ь": "", "е": "e", "э": "e", "і": "i", "ї": "ji", "є": "je", "ґ": "g",
           "ў": "u"},
    "it": {"ж": "j", "и": "i", "й": "i", "х": "ch", "ц": "z", "ч": "c", "ш": "sc", "щ": "sc", "ю": "iu", "я": "ia",
           "ё": "io", "ы": "y", "ъ": "", "ь": "", "е": "e", "э": "e", "і": "i", "ї": "i", "є": "ie", "ґ": "g",
           "ў": "u"},
}


def romanize7(name: str, scheme: str, rng: random.Random, person: bool = True) -> str:
    """A Cyrillic name as ``scheme`` writes it (see the module's text); Latvian's -s only on a person's name."""
    table = _CYR7_BASE | SCHEMES7[scheme]
    out = []
    for word in name.lower().split():
        w = []
        for i, ch in enumerate(word):
            prev = word[i - 1] if i else ""
            nxt = word[i + 1:i + 2]
            initial = not prev or prev in _VOWELS_CYR + "ъь"
            if ch == "е" and initial and scheme in ("hu", "cs", "lv"):
                w.append("je")
            elif scheme == "hu" and ch in "дтн" and nxt and nxt in "еёиюяь":
                w.append({"д": "gy", "т": "ty", "н": "ny"}[ch])
            elif scheme == "hu" and ch in "яюё" and prev in "дтн":
                w.append({"я": "a", "ю": "u", "ё": "o"}[ch])
            elif ch == "ё" and prev in "жчшщ":
                w.append("o")  # Хрущёв: Hruscsov, Chruščov
            elif scheme == "it" and ch in "чшщ":
                soft = {"ч": "c", "ш": "sc", "щ": "sc"}[ch]
                if nxt and nxt in "еиіє":
                    w.append(soft)  # Sergej Cemezov, Scerbakov
                elif nxt and nxt in _VOWELS_CYR:
                    w.append(soft + "i")  # Gorbaciov, Chrusciov
                else:
                    w.append({"ч": "c", "ш": "s", "щ": "sc"}[ch])  # Siskin
            elif scheme == "it" and ch == "х" and not (nxt and nxt in "еиіє"):
                w.append("kh" if rng.random() < 0.5 else "ch")
            elif scheme == "it" and ch == "г" and nxt and nxt in "еиіє":
                w.append("gh")
            elif scheme == "it" and ch == "к" and nxt and nxt in "аоу" and rng.random() < 0.5:
                w.append("c")
            elif ch in table:
                w.append(table[ch])
            else:
                w.append(ch)
        text = "".join(w)
        if scheme == "lv" and person and re.search(r"[^\W\daeiouy]$", text):
            text = re.sub(r"ij$", "ijs", text) if text.endswith("ij") else text + "s"  # Dmitrijs, Putins
        out.append(text)
    words = [w for w in out if w]
    if len(words) >= 3 and rng.random() < 0.3:
        ends = r"(vič|vics|vich|vičs|vna|ovna|evna|ivna)$"
        at = 1 if re.search(ends, words[1]) else len(words) - 1 if re.search(ends, words[-1]) else None
        if at is not None:
            del words[at]
    return " ".join(w[:1].upper() + w[1:] for w in words)


# --- organization names: a branch, the generic word in Arabic -----------------------------------------------------

_CITIES = ("DUBAI", "BEIRUT", "HAMBURG", "ISTANBUL", "LONDON", "MOSCOW", "KARACHI", "DOHA", "SHARJAH", "PARIS")
_AR_WORDS = (("FOUNDATION", ("MUASSASAT", "MUASSASA")), ("ESTABLISHMENT", ("MUASSASAT",)),
             ("COMPANY", ("SHARIKAT", "SHARIKA")), ("ASSOCIATION", ("JAMIYAT", "JAMIYYAT")),
             ("SOCIETY", ("JAMIYAT",)), ("ORGANIZATION", ("MUNAZZAMAT", "MUNATHAMAT")),
             ("CHARITY", ("JAMIYAT KHAIRIYA",)), ("BANK", ("BANK", "MASRAF")), ("OFFICE", ("MAKTAB",)),
             ("COMMITTEE", ("LAJNAT",)))


def org7(name: str, rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    upper = " ".join(name.upper().split())
    if re.search(r"\b(?:BANK|COMPANY|CO\.?|LTD|LIMITED|LLC|EXCHANGE|TRADING|FOUNDATION|CORPORATION)\b", upper):
        city = rng.choice(_CITIES)
        out.append(("org7:branch", rng.choice((f"{upper}, {city} BRANCH", f"{upper} ({city} BRANCH)",
                                                f"{upper} - {city} OFFICE"))))
    for en, forms in _AR_WORDS:
        m = re.fullmatch(rf"(?:THE )?(.+?) {en}", upper)
        if m and len(m.group(1)) >= 3 and not re.search(r"\b(?:OF|FOR|AND|&)\b", m.group(1)):
            out.append(("org7:ar-word", f"{rng.choice(forms)} {m.group(1)}"))
            break
    return out


# --- common names from pools no earlier builder used ---------------------------------------------------------------

COMMON7: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sq": (("Arben", "Besnik", "Dritan", "Ermal", "Fatmir", "Gentian", "Ilir", "Jetmir", "Kastriot", "Luan", "Mentor",
            "Agron", "Blerim", "Valon", "Arta", "Blerta", "Drita", "Elona", "Fjolla", "Mimoza", "Teuta", "Vjosa",
            "Lindita", "Shpresa"),
           ("Hoxha", "Krasniqi", "Berisha", "Gashi", "Shala", "Morina", "Kelmendi", "Bytyqi", "Hasani", "Rexhepi",
            "Zeka", "Thaçi", "Ahmeti", "Kastrati", "Selimi", "Bajrami", "Dervishi", "Leka", "Murati", "Halili")),
    "tk": (("Annamyrat", "Serdar", "Döwlet", "Merdan", "Myrat", "Nurmuhammet", "Orazgeldi", "Rejep", "Täçmyrat",
            "Batyr", "Ogulgerek", "Aýna", "Bägül", "Maral", "Jemal", "Ogulsapar", "Selbi", "Gözel", "Aýgül",
            "Leýli"),
           ("Annaýew", "Berdiýew", "Orazow", "Gurbanow", "Nurmyradow", "Hojaýew", "Ataýew", "Saparow", "Meredow",
            "Myradow", "Rejepow", "Öwezow", "Amanow", "Garaýew", "Tagangeldiýew", "Çaryýew", "Babaýew", "Sähedow",
            "Ilýasow", "Hudaýberdiýew")),
    "pkl": (("Imran", "Kamran", "Faisal", "Shahid", "Asif", "Naveed", "Salman", "Rizwan", "Tahir", "Waqas", "Zeeshan",
             "Usman", "Bilal", "Adnan", "Sajid", "Ayesha", "Sana", "Saima", "Nadia", "Rabia"),
            ("Khan", "Malik", "Chaudhry", "Butt", "Qureshi", "Awan", "Rajput", "Mirza", "Sheikh", "Siddiqui", "Bhatti",
             "Gujjar", "Hashmi", "Ansari", "Naqvi", "Rana", "Abbasi", "Jutt", "Shah", "Iqbal")),
    "lev": (("Elie", "Georges", "Tony", "Charbel", "Fadi", "Rami", "Ziad", "Walid", "Nabil", "Samir", "Rita", "Nadine",
             "Carla", "Joelle", "Rania", "Lama", "Maya", "Hiba", "Dima", "Ghada"),
            ("Khoury", "Haddad", "Saade", "Nassar", "Gemayel", "Frangieh", "Karam", "Abi Nader", "Aoun", "Chidiac",
             "Daher", "Hayek", "Maalouf", "Nakhle", "Rizk", "Sfeir", "Tabet", "Zogby", "Bitar", "Mansour")),
    "ky": (("Бакыт", "Азамат", "Нурбек", "Эрлан", "Улан", "Талант", "Жоомарт", "Кубанычбек", "Алмазбек", "Садыр",
            "Айгерим", "Бермет", "Гулнара", "Жылдыз", "Чолпон", "Айзада", "Нургуль", "Мээрим", "Асель", "Бүбүсара"),
           ("Абдылдаев", "Асанов", "Бакиев", "Жапаров", "Исаков", "Кадыров", "Мамытов", "Осмонов", "Сыдыков",
            "Токтогулов", "Турдубаев", "Үсөнов", "Чыныбаев", "Шаршенов", "Эсенгулов", "Жумабеков", "Садыков",
            "Акматов", "Бообеков", "Кенжебаев")),
    "tt": (("Рөстәм", "Илдар", "Айдар", "Марат", "Ринат", "Фәрит", "Рамил", "Илнур", "Азат", "Тимур", "Гөлнара",
            "Лилия", "Әлфия", "Рәзилә", "Гүзәл", "Айгөл", "Ләйсән", "Эльмира", "Зөлфия", "Алсу"),
           ("Хәйруллин", "Гарипов", "Сафин", "Закиров", "Галиев", "Шәрипов", "Вәлиев", "Хисамов", "Миңнеханов",
            "Нуриев", "Фәттахов", "Мөхәммәтов", "Сабиров", "Гыйззәтуллин", "Яхин", "Әхмәтов", "Заһидуллин",
            "Шакиров", "Хафизов", "Бикбаев")),
    "prs": (("فرید", "نجیب", "حمید", "ذبیح‌الله", "وحید", "شفیق", "جاوید", "نوید", "مسعود", "سهراب", "فرشته",
             "زرغونه", "مریم", "شبنم", "ملالی", "نیلوفر", "پروین", "ثریا", "هما", "نرگس"),
            ("احمدزی", "پوپلزی", "نورزی", "کاکر", "صافی", "وردک", "مومند", "شینواری", "اچکزی", "ستانکزی", "رحیمی",
             "حبیبی", "نظری", "قاسمی", "عظیمی", "کریمی", "امیری", "هاشمی", "یوسفزی", "ملکزی")),
    "ko": (("민준", "서준", "도윤", "예준", "시우", "하준", "지호", "주원", "지훈", "현우", "서연", "서윤",
            "지우", "하은", "민서", "지유", "윤서", "채원", "수아", "지민"),
           ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황", "안", "송",
            "류", "홍")),
    "ka": (("გიორგი", "დავით", "ნიკოლოზ", "ლევან", "ირაკლი", "ზურაბ", "ალექსანდრე", "ლაშა", "გიგა", "თორნიკე",
            "ნინო", "მარიამ", "ანა", "თამარ", "ეკატერინე", "ნათია", "სალომე", "ქეთევან", "მაკა", "ელენე"),
           ("ბერიძე", "კაპანაძე", "გელაშვილი", "მაისურაძე", "გიორგაძე", "ლომიძე", "ცერცვაძე", "ბაქრაძე", "ნოზაძე",
            "ჯაფარიძე", "ხუციშვილი", "ალავიძე", "მელაძე", "ჩხეიძე", "გოგოლაძე", "კვარაცხელია", "ჯანელიძე",
            "ლორთქიფანიძე", "ქავთარაძე", "ტაბატაძე")),
    # No name that is an Arabic one too (עומר, חדד): such a pair would be the same name written in two scripts.
    "he": (("יוסף", "דוד", "משה", "אברהם", "יעקב", "דניאל", "אורי", "איתי", "נועם", "אריאל", "שרה", "רחל", "מרים",
            "נועה", "תמר", "מיכל", "יעל", "הילה", "שירה", "אביגיל"),
           ("כהן", "לוי", "מזרחי", "פרץ", "ביטון", "דהן", "פרידמן", "אזולאי", "מלכה", "כץ", "גולדברג", "אוחיון",
            "גבאי", "בן דוד", "שפירא", "אלון", "רוזנברג", "ברק", "שטרן", "וייס")),
    "hy": (("Արամ", "Դավիթ", "Գևորգ", "Հայկ", "Տիգրան", "Արմեն", "Սարգիս", "Վահե", "Կարեն", "Արտուր", "Անի", "Մարիամ",
            "Նարե", "Լիլիթ", "Սոնա", "Գայանե", "Անահիտ", "Արփի", "Տաթևիկ", "Հասմիկ"),
           ("Հովհաննիսյան", "Սարգսյան", "Խաչատրյան", "Գրիգորյան", "Պետրոսյան", "Հարությունյան", "Կարապետյան",
            "Ավետիսյան", "Մկրտչյան", "Գասպարյան", "Ղազարյան", "Մարտիրոսյան", "Աբրահամյան", "Սահակյան",
            "Մանուկյան", "Վարդանյան", "Ստեփանյան", "Բաղդասարյան", "Առաքելյան", "Դանիելյան")),
}


def common7(lang: str, rng: random.Random, n: int) -> list[str]:
    """``n`` distinct made names in ``lang``: Korean family name and given name written together (김민준), Dari in
    three parts some of the time, the others given name then family name."""
    if lang != "ko":
        return common_names("fa" if lang == "prs" else lang, rng, n, {**COMMON7, "fa": COMMON7["prs"]})
    given, family = COMMON7[lang]
    out: set[str] = set()
    while len(out) < n:
        out.add(rng.choice(family) + rng.choice(given))
    return sorted(out)


# --- building --------------------------------------------------------------------------------------------------


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED7)
    pl = pool_of(TUNING7, EARLIER7)
    u, o = pl.u, pl.o
    earlier, by_key, kinds, cluster, members = pl.earlier, pl.by_key, pl.kinds, pl.cluster, pl.members
    pool, in_pool, used = pl.pool, pl.in_pool, pl.used

    arabic_words = set(word_dictionary(u)) | set(word_dictionary(o))  # Latin words the lists write in Arabic too
    pairs: list[Pair] = []

    add = pair_adder(pairs, earlier, kinds)

    for key in in_pool:
        x, k = by_key[key], kinds[key]
        latin, arabic, cyrillic, primary, where = entry_names(x, k)
        if k == "person" and primary and where == "arabic":
            alias = next((la for la in latin if la != primary and any(script_alike(ar, la) for ar in arabic)), None)
            for src, n_styles in ((primary, 4), *(((alias, 3),) if alias else ())):
                src_ar = [ar for ar in arabic if script_alike(ar, src)][:1]
                for style in rng.sample(STYLES7, n_styles):
                    v = restyle7(src, style, rng, src_ar[0] if src_ar else None)
                    if fold(v) == fold(src) and not src_ar:
                        continue
                    add(v, src, 1, f"romanized7:{style}", key)
                    for ar in src_ar:
                        add(v, ar, 1, f"romanized7:{style}", key)
        if k == "person" and where == "arabic":
            for ar in arabic[:3]:  # each Arabic-script name against a Latin name of the entry that is the same name
                la = next((la for la in latin if script_alike(ar, la)), None)
                if la is None:
                    continue
                v = urdu(ar, rng)
                if v != ar:
                    add(v, la, 1, "ar7:urdu", key)
                c = compound(ar, rng)
                if c:
                    add(c, la, 1, "ar7:compound", key)
        if (k == "person" and primary and where != "arabic" and rng.random() < 0.5
                and not set(fold(primary).split()) & arabic_words):
            v = latin_to_persian(primary, rng)
            if v:
                add(v, primary, 1, "lat2ar7:fa", key)
        if k == "person" and primary and where == "cyrillic" and rng.random() < 0.8:
            lang = rng.choice(CYR7)
            v = latin_to_cyrillic7(primary, lang, rng)
            if v:
                add(v, primary, 1, f"latin2cyr7:{lang}", key)
        if cyrillic and k in ("person", "organization"):
            cy = cyrillic[0]
            for scheme in rng.sample(sorted(SCHEMES7), 2):
                v = romanize7(cy, scheme, rng, person=k == "person")
                if not v:
                    continue
                add(v, cy, 1, f"cyrillic7:{scheme}", key)
                same = next((la for la in latin[:3] if script_alike(cy, la)), None)
                if same:
                    add(v, same, 1, f"cyrillic7:{scheme}", key)
        if primary and k == "organization" and rng.random() < 0.6:
            for how, v in org7(primary, rng):
                add(v, primary, 1, how, key)

    # Hard negatives in Arabic script: names of two different entries of one list that rapidfuzz calls alike.
    for src in ("un", "ofac"):
        keyed = [(key, n) for key in in_pool if key.startswith(src + ":") for n in names(by_key[key])
                 if script(n) == "arabic"]
        if len(keyed) < 2:
            continue
        texts = [" ".join(n.split()) for _, n in keyed]
        for a, na, b, nb in alike_negatives(keyed, keyed, (texts, texts), 70, cluster, earlier,
                                            differ=lambda x, y: set(x.split()) != set(y.split())):
            pairs.append(pair5(na, nb, 0, "similar7-ar", (a, b), b, kinds[a], kinds[b]))

    # Generated common names against the pool's listed person name most like them.
    listed = [(k, n) for k in in_pool for n in names(by_key[k]) if kinds[k] == "person"]
    told_apart = told_apart_from(by_key, kinds)

    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON7:
        made = [n for n in common7(lang, rng, 300) if told_apart(n)]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            add(n, listed[j][1], 0, f"common7:{lang}", listed[j][0])

    dev7, seventh = split_by_cluster(pairs, cluster, half7, "seventh", drop_contradicting=True)
    print(f"pool: {len(pool)} clusters ({len(in_pool)} entries) of {len(members)}; the tuning splits stand for "
          f"{len(used)} entries")
    return dev7, seventh


def main() -> None:
    dev7, seventh = build()
    write_splits({"dev7": dev7, "seventh": seventh})


if __name__ == "__main__":
    main()
