"""A fourth pair evaluation for the name matcher: new pair kinds, from list entries that no pair of the three tuning
splits names, split by entry into a tuning half (``names_dev4``) and a frozen half (``names_fourth``), read once at
the end.

Why a fourth one: the third frozen split was read once in wave 13 and showed Arabic<->Latin recall 3.5 points under
its tuning half's (92.1 % against 95.6 %); the rules written while looking at ``dev3`` fitted its kinds. A split
with the same kinds would judge the same fit, so this one is built from kinds no earlier builder wrote, and written
(with its hash frozen in ``bench/names_eval.py``) before any change it judges:

- **The pool** is every cluster none of whose entries a pair of ``tune``, ``dev2`` or ``dev3`` names (nor, through
  the first evaluation's clusters, a party a tuning pair stood for). These are the entries of the three frozen
  splits, whose pairs were never read one by one (each was scored once, in aggregate), and the entries no pair
  named.
- **The pairs are new**: a pair whose two names an earlier split holds (any of the six, either order) is dropped.
- **Nothing here looks at a matcher**: "alike" names use rapidfuzz and ``anyascii`` on plain text.

Positives (label 1):

- ``romanized4:<style>``: the Latin name of a person with an Arabic-script name (or an Arabic-speaking country's
  nationality) respelt in a romanization style no earlier builder wrote: ``ma`` (Maghrebi civil registers: ou, ch,
  joined el- and Bou-, Mohamed, ss between vowels, ph), ``so`` (Somali orthography: x for ح, c for ع, doubled long
  vowels), ``de`` (German: sch, dsch, ch for kh, j for y), ``es`` (Spanish: j for kh, y for j, z for th), ``sa``
  (Pakistani and Malay registers: Mohd, -uddin, ee, ullah). The primary name in three styles, and another Latin
  alias that is the entry's Arabic-script name too in two; each against the Latin name it came from, and against
  the entry's Arabic-script name when it is the same name;
- ``cyr-arabic:ru``: such a name as Russian writes it in Cyrillic (Мухаммед, аль-, дж), against the listed
  Latin name and the entry's Arabic-script name when it is the same name;
- ``latin2ar:dict``: the Arabic-script spelling of a listed Latin name of an Arabic-origin person whose entry has
  no Arabic-script name, each word written as the UN and OFAC lists write that word in other entries' Arabic-script
  names (a word the lists never write is not guessed: such a name is skipped). Against the listed Latin name;
- ``arabic4:<how>``: a listed Arabic-script name with ``tashkeel`` (short-vowel marks) or ``kashida``
  (tatweel) as typed text often has them, against the entry's Latin name when it is the same name;
- ``person4:<how>``: a Latin person name with two letters ``transposed``, a letter ``doubled`` or a double
  letter single, a long part ``split`` in two or two parts ``fused``, two parts ``hyphen``-ated, ``accents``
  added or taken off, or ``ocr`` slips (rn/m, l/I, 0/O);
- ``cyrillic4:<scheme>``: a listed Cyrillic name romanized by a scheme no earlier builder used: ``iso9``
  (š, č, ž, ŝ, û, â), ``pl`` (Polish: sz, cz, w, j), ``es`` (Spanish: y, j for х, ch), ``ua`` (Ukrainian
  national: h for г, y for и, i for і), against that Cyrillic name and the entry's Latin name when it is the
  same name;
- ``org4:<how>``: an organization name with a ``spacing`` change (a word split or two words joined) or a
  ``typo`` (one slip in its most distinctive word).

Negatives (label 0):

- ``sibling4``: a listed person name of three or more parts with only its first part changed (a brother or
  cousin: the rest of the name is shared), against the listed name; ``sibling4-x``: the same made from a
  ``romanized4`` spelling against the entry's Arabic-script name, and from a ``latin2ar`` spelling against the
  listed Latin name (both directions across the scripts);
- ``similar4``: names of two different entries of one list that rapidfuzz's token-set ratio calls alike (90 or
  more) but whose words differ;
- ``common4:<lang>``: generated common names in de/it/pt/id/so/ps/ha, Arabic names in Latin letters (``arl``)
  and in Arabic script (``ar``), from name pools no earlier builder used, against the listed person name most
  like them.

Run once: ``.venv/bin/python bench/names_fourth.py`` writes ``bench/data/names_{dev4,fourth}.jsonl.gz`` and prints
their SHA-256; ``bench/names_eval.py`` holds the frozen half's (``FOURTH_SHA256``) and refuses to read it without
``--final``.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basira.finance.lists.base import ListedEntry
from names_holdout import load_ofac_advanced
from names_pairs import (
    _KIND,
    OUT,
    Pair,
    _pair,
    alike_pairs,
    clusters,
    common_names,
    cross_list_links,
    fold,
    load,
    nearest,
    script,
    script_alike,
    split_by_cluster,
    tokens,
    write_splits,
)
from names_third import ARABIC_NATIONS, _read, _sub, _title, tuning_entries

SEED4 = 20261211  # no earlier builder's seed: a shared one would split this pool along an earlier split
FOURTH_SHARE = 50  # percent of the pool's clusters in the frozen half
TUNING = (OUT / "names_tune.jsonl.gz", OUT / "names_dev2.jsonl.gz", OUT / "names_dev3.jsonl.gz")
EARLIER = (*TUNING, OUT / "names_test.jsonl.gz", OUT / "names_holdout.jsonl.gz", OUT / "names_third.jsonl.gz")


#: A nationality or place of birth (OFAC gives the place alone: "Baghdad, Iraq") in a country whose Latin names are
#: mostly romanized Arabic.
_NATION = re.compile(r"\b(?:" + "|".join(sorted(ARABIC_NATIONS, key=len, reverse=True)) + r")\b")


def half4(cluster: str) -> str:
    h = int(hashlib.sha256(f"fourth:{SEED4}:{cluster}".encode()).hexdigest(), 16) % 100
    return "fourth" if h < FOURTH_SHARE else "dev4"


# --- romanization styles no earlier builder wrote ----------------------------------------------------------------

def _articles4(text: str, style: str, rng: random.Random) -> str:
    def abd(m: re.Match[str]) -> str:
        rest = m.group(1)
        if style == "ma":
            joined = f"abde{rest}" if rest[:1] in "rsnt" else f"abdel{rest}"  # Abderrahmane, Abdennour
            return rng.choice((f"abdel{rest}", f"abdel {rest}", joined))
        if style == "so":
            return rng.choice((f"cabdi{rest}", f"cabdi {rest}", f"cabdul {rest}"))
        if style == "de":
            return rng.choice((f"abd al-{rest}", f"abdul {rest}", f"abdul-{rest}"))
        if style == "es":
            joined = f"abderr{rest[1:]}" if rest[:1] == "r" else f"abdel {rest}"  # Abderramán
            return rng.choice((f"abd al {rest}", f"abdel {rest}", joined))
        return rng.choice((f"abdul {rest}", f"abdul{rest}", f"abd-ul-{rest}"))

    text = re.sub(r"\babd(?:ul|ol|el|[ -]?al|[ -]?el|[ -]?ul)?[- ](\w+)", abd, text)

    def art(m: re.Match[str]) -> str:
        rest = m.group(1)
        if style == "ma":
            return rng.choice((f"el{rest}", f"el {rest}", rest))
        if style == "so":
            return rng.choice((f"al-{rest}", rest))
        if style == "de":
            return rng.choice((f"al-{rest}", f"el-{rest}"))
        if style == "es":
            return rng.choice((f"al {rest}", f"el {rest}"))
        return rng.choice((f"al {rest}", rest, f"al{rest}"))

    text = re.sub(r"\b(?:al|el|ul)[- ](\w+)", art, text)
    if style == "ma":
        text = _sub(r"\babu ?(?=\w)", "bou", text, rng, 0.7)
        text = _sub(r"\b(?:bin|ibn)\b", "ben", text, rng, 0.8)
    if style == "sa":
        text = _sub(r"\b(\w+) (?:ad|al|ud|ed)[- ]?din\b", lambda m: f"{m.group(1)}uddin", text, rng, 0.8)
        text = _sub(r"\bmu?ha?mm?[ae]d\b", lambda m: rng.choice(("mohd", "md", "muhammad")), text, rng, 0.5)
    return text


_STYLE4: dict[str, tuple[tuple[str, str, float], ...]] = {
    "ma": (
        (r"sh", "ch", 0.8),
        (r"(?<=[aeiou])s(?=[aeiou])", "ss", 0.7),
        (r"(?<=s)f", "ph", 0.5),
        (r"\bmu?ha?mm?[ae]d\b", "mohamed", 0.8),
        (r"(?<![aeo])u(?!u)", "ou", 0.8),
        (r"(?<=[aeiu])w(?=[aeiou])", "ou", 0.7),
        (r"\bw(?=[aeiou])", "ou", 0.7),
        (r"(?<=[^aeiou\s])y(?=a)", "i", 0.5),
        (r"q", "k", 0.5),
        (r"(?<=[aeiou])(?:dh|th)", "d", 0.5),
        (r"ah\b", "a", 0.8),
        (r"ee", "i", 0.8),
        (r"ullah\b", "ellah", 0.5),
    ),
    "so": (
        (r"\bmu?ha?mm?[ae]d\b", "maxamed", 0.8),
        (r"\bah?med\b|\bahmad\b", "axmed", 0.8),
        (r"\bhass?an\b", "xasan", 0.8),
        (r"\bhus?ss?[ae]in\b|\bhusayn\b", "xuseen", 0.8),
        (r"\bali\b", "cali", 0.8),
        (r"\bo?u?mar\b", "cumar", 0.8),
        (r"\bo?uth?s?man\b", "cismaan", 0.8),
        (r"\bmahm[ou]o?d\b", "maxamuud", 0.8),
        (r"\by[ou]u?ss?[ue]f\b", "yuusuf", 0.8),
        (r"\bibrahim\b", "ibraahim", 0.8),
        (r"\bisma[ie]il\b", "ismaaciil", 0.8),
        (r"\bmusa\b", "muuse", 0.8),
        (r"\bnur\b|\bnoor\b", "nuur", 0.8),
        (r"\bsa[iy]e?e?d\b", "siciid", 0.8),
        (r"ullahi?\b", "ullaahi", 0.7),
        (r"rahman\b", "raxmaan", 0.7),
        (r"(?<=[^aeiou\s])ee", "ii", 0.8),
        (r"oo", "uu", 0.8),
        (r"q", "q", 1.0),
    ),
    "de": (
        (r"sh", "sch", 0.8),
        (r"(?<![dk])j", "dsch", 0.7),
        (r"kh", "ch", 0.7),
        (r"(?<=[^\s])y(?=[aeiou])|\by(?=[aeiou])", "j", 0.8),
        (r"(?<=[aeiou])s(?=[aeiou])", "ss", 0.6),
        (r"\bz|(?<=[aeiou])z", "s", 0.4),
        (r"ou", "u", 0.8),
        (r"ee", "i", 0.8),
        (r"q", "k", 0.6),
        (r"(?<=[aeiou])dh", "d", 0.6),
        (r"ah\b", "a", 0.5),
    ),
    "es": (
        (r"kh", "j", 0.8),
        (r"(?<![dk])j", "y", 0.6),
        (r"th", "z", 0.5),
        (r"dh", "d", 0.7),
        (r"sh", "ch", 0.3),
        (r"q(?=[aou])", "c", 0.6),
        (r"q(?=[ei])", "qu", 0.6),
        (r"k(?=[aou])", "c", 0.4),
        (r"w(?=[aeiou])", "u", 0.5),
        (r"ou", "u", 0.8),
        (r"ee", "i", 0.8),
        (r"ah\b", "a", 0.7),
        (r"(?<=[^aeiou\s])an\b", "án", 0.3),
        (r"(?<=[^aeiou\s])ir\b", "ir", 1.0),
    ),
    "sa": (
        (r"(?<=[^aeiou\s])i(?=[^aeiou\s]\w)", "ee", 0.3),
        (r"(?<=[^aeiou\s])ai?(?=d\b)", "ee", 0.4),
        (r"(?<=[^aeiou\s])u(?=[^aeiou\s]\b)", "oo", 0.3),
        (r"dh", "z", 0.8),
        (r"th", "s", 0.6),
        (r"ullah\b", " ullah", 0.4),
        (r"ah\b", "a", 0.5),
    ),
}
STYLES4 = tuple(_STYLE4)


def restyle4(name: str, style: str, rng: random.Random, arabic: str | None = None) -> str:
    """A Latin spelling of an Arabic-origin name respelt in ``style``. With the name in Arabic script, th and dh
    are respelt only where it writes the letters they stand for, and Somali's x and c only where it writes ح and
    ع."""
    t = " ".join(name.lower().replace("'", "").replace("`", "").replace("’", "").split())
    if arabic is not None:
        if "ث" not in arabic:
            t = t.replace("th", "t\u200dh")
        if not ({"ذ", "ظ"} & set(arabic)):
            t = t.replace("dh", "d\u200dh")
    t = _articles4(t, style, rng)
    for pattern, repl, p in _STYLE4[style]:
        t = _sub(pattern, repl, t, rng, p)
    if style == "so" and arabic is not None:  # the letters Somali writes with x and c, where Arabic has them
        if "ح" in arabic:
            t = _sub(r"(?<![sckgdtz])h(?=[aeiou])", "x", t, rng, 0.7)
        if "ع" in arabic:
            t = _sub(r"\b(?=[aeiou])(?!al\b|abd)", "c", t, rng, 0.4)
        t = _sub(r"(?<=[^aeiou\s])a(?=[^aeiou\s][aeiou])", "aa", t, rng, 0.3)
    t = re.sub(r"\s+", " ", t.replace("- ", " ").replace("\u200d", "")).strip(" -")
    return _title(t)


# --- Arabic-origin names in Russian Cyrillic ---------------------------------------------------------------------

_RU = (("shch", "щ"), ("sh", "ш"), ("kh", "х"), ("ch", "ч"), ("zh", "ж"), ("th", "с"), ("dh", "з"), ("gh", "г"),
       ("ts", "ц"), ("ya", "я"), ("yu", "ю"), ("ye", "е"), ("yo", "ё"), ("ou", "у"), ("oo", "у"), ("ee", "и"),
       ("dj", "дж"), ("j", "дж"), ("y", "й"), ("w", "в"), ("q", "к"), ("h", "х"), ("c", "к"), ("x", "кс"),
       ("a", "а"), ("b", "б"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("i", "и"), ("k", "к"), ("l", "л"),
       ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"),
       ("z", "з"))


def to_russian(name: str, rng: random.Random) -> str:
    """A Latin name of Arabic origin as Russian writes it: аль- for al-, дж for j, х for h and kh, э for an initial
    e, ль before a consonant at a word's end (аль-), and Мухаммед for Muhammad."""
    t = " ".join(fold(name).split())
    t = re.sub(r"\bmu?ha?mm?[ae]d\b", lambda m: rng.choice(("мухаммед", "мохаммед", "мухаммад")), t)
    t = re.sub(r"\b(?:al|el) (\w)", lambda m: rng.choice(("аль-", "ал-", "эль-")) + m.group(1), t)
    out = []
    for word in t.split(" "):
        w, i = "", 0
        while i < len(word):
            if not word[i].isascii() or not word[i].isalpha():
                w += word[i]
                i += 1
                continue
            if i == 0 and word[i] == "e":
                w += "э"
                i += 1
                continue
            for lat, cyr in _RU:
                if word.startswith(lat, i):
                    w += cyr
                    i += len(lat)
                    break
            else:
                i += 1
        out.append(w)
    return " ".join(w[:1].upper() + w[1:] for w in out if w)


# --- Arabic script from a dictionary of the UN list's own spellings -------------------------------------------------

_LAT_PARTICLES = {"al", "el", "ul"}


def word_dictionary(u: list[ListedEntry]) -> dict[str, Counter[str]]:
    """Folded Latin word -> the Arabic-script words the lists (UN, OFAC) write for it, from entries whose Arabic-script
    name's words each meet, in order, a Latin word of one of its Latin names that is alike (an ``al`` joined to the
    next word on both sides)."""
    words: dict[str, Counter[str]] = defaultdict(Counter)
    for x in u:
        latin = [n.name for n in x.names if script(n.name) == "latin"]
        arabic = [n.name for n in x.names if script(n.name) == "arabic"]
        for ar in arabic:
            aw = ar.split()
            for la in latin:
                lw = re.sub(r"\b(al|el|ul)[- ]", r"\1", fold(la.replace("-", " "))).split()
                pairs, j = [], 0
                for a in aw:  # in order; a Latin word with no Arabic-script word beside it is passed over
                    while j < len(lw) and not script_alike(a, lw[j]):
                        j += 1
                    if j == len(lw):
                        break
                    pairs.append((a, lw[j]))
                    j += 1
                if len(pairs) == len(aw):
                    for a, b in pairs:
                        words[b][a] += 1
    return words


def to_arabic(name: str, words: dict[str, Counter[str]], rng: random.Random) -> str | None:
    lw = re.sub(r"\b(al|el|ul)[- ]", r"\1", fold(name.replace("-", " "))).split()
    out = []
    for w in lw:
        seen = words.get(w)
        if not seen:
            return None
        spellings, counts = zip(*seen.most_common(3), strict=True)
        out.append(rng.choices(spellings, weights=counts)[0])
    return " ".join(out) if out else None


# --- Arabic-script typing ------------------------------------------------------------------------------------------

_HARAKAT = ("\u064e", "\u064f", "\u0650", "\u0652", "\u0651")


def tashkeel(name: str, rng: random.Random) -> str:
    out = []
    for ch in name:
        out.append(ch)
        if "\u0621" <= ch <= "\u064a" and rng.random() < 0.45:
            out.append(rng.choice(_HARAKAT))
    return "".join(out)


def kashida(name: str, rng: random.Random) -> str:
    joining = set("بتثجحخسشصضطظعغفقكلمنهي")
    out = []
    for i, ch in enumerate(name):
        out.append(ch)
        if ch in joining and i + 1 < len(name) and name[i + 1] != " " and rng.random() < 0.35:
            out.append("ـ" * rng.choice((1, 1, 2)))
    return "".join(out)


# --- Latin person spellings ----------------------------------------------------------------------------------------

_ACCENTS = {"a": "áàâä", "e": "éèêë", "i": "íîï", "o": "óôö", "u": "úûü", "c": "ç", "n": "ñ"}


def person4(name: str, rng: random.Random) -> list[tuple[str, str]]:
    words = name.replace(",", " ").split()
    out: list[tuple[str, str]] = []
    if len(words) < 2:
        return out
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long:
        i = rng.choice(long)
        w = words[i]
        j = rng.randrange(1, len(w) - 2)
        if w[j].lower() != w[j + 1].lower():
            out.append(("person4:transposed", " ".join([*words[:i], w[:j] + w[j + 1] + w[j] + w[j + 2:],
                                                         *words[i + 1:]])))
    if long and rng.random() < 0.7:
        i = rng.choice(long)
        w = words[i]
        dbl = [j for j in range(1, len(w)) if w[j].lower() == w[j - 1].lower() and w[j].lower() not in "aeiou"]
        if dbl:
            j = dbl[0]
            v = w[:j] + w[j + 1:]
        else:
            cons = [j for j in range(1, len(w) - 1) if w[j].lower() in "bdfklmnprst"]
            v = w[:(j := rng.choice(cons)) + 1] + w[j] + w[j + 1:] if cons else w
        if v != w:
            out.append(("person4:doubled", " ".join([*words[:i], v, *words[i + 1:]])))
    if rng.random() < 0.5:
        split = [i for i, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
        if split:
            i = rng.choice(split)
            w = words[i]
            j = rng.randrange(3, len(w) - 2)
            out.append(("person4:split", " ".join([*words[:i], w[:j], w[j:].title() if w[0].isupper() and not
                                                    w.isupper() else w[j:], *words[i + 1:]])))
        else:
            i = rng.randrange(len(words) - 1)
            a, b = words[i], words[i + 1]
            fused = a + (b.lower() if not a.isupper() else b)
            out.append(("person4:fused", " ".join([*words[:i], fused, *words[i + 2:]])))
    if rng.random() < 0.3 and len(words) >= 3:
        i = rng.randrange(1, len(words) - 1)
        out.append(("person4:hyphen", " ".join([*words[:i], f"{words[i]}-{words[i + 1]}", *words[i + 2:]])))
    if rng.random() < 0.4:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        if plain != name:
            out.append(("person4:accents", plain))
        else:
            chars = list(name)
            spots = [k for k, c in enumerate(chars) if c.lower() in _ACCENTS and k > 0]
            for k in rng.sample(spots, min(len(spots), rng.choice((1, 2)))):
                acc = rng.choice(_ACCENTS[chars[k].lower()])
                chars[k] = acc.upper() if chars[k].isupper() else acc
            v = "".join(chars)
            if v != name:
                out.append(("person4:accents", v))
    if rng.random() < 0.3:
        v = _sub(r"m", "rn", name, rng, 0.6) if "m" in name else name
        v = _sub(r"(?<=[A-Z])O|O(?=[A-Z])", "0", v, rng, 0.5)
        v = _sub(r"l", "I", v, rng, 0.4) if v == name else v
        if v != name:
            out.append(("person4:ocr", v))
    return out


# --- Cyrillic schemes no earlier builder used ------------------------------------------------------------------

_CYR_BASE = dict(zip("абвгдзклмнопрстуфэ", ("a", "b", "v", "g", "d", "z", "k", "l", "m", "n", "o", "p", "r", "s",
                                            "t", "u", "f", "e"), strict=True))
SCHEMES4: dict[str, dict[str, str]] = {
    "iso9": {"ж": "ž", "и": "i", "й": "j", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ", "ю": "û", "я": "â",
             "ё": "ë", "ы": "y", "ъ": "'", "ь": "'", "е": "e", "і": "ì", "ї": "ï", "є": "ê", "ґ": "g̀"},
    "pl": {"ж": "ż", "и": "i", "й": "j", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz", "щ": "szcz", "ю": "ju",
           "я": "ja", "ё": "jo", "ы": "y", "ъ": "", "ь": "", "е": "e", "в": "w", "л": "ł", "і": "i", "ї": "ji",
           "є": "je", "ґ": "g"},
    "es": {"ж": "zh", "и": "i", "й": "i", "х": "j", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ю": "yu",
           "я": "ya", "ё": "io", "ы": "y", "ъ": "", "ь": "", "е": "e", "і": "i", "ї": "yi", "є": "ye", "ґ": "g"},
    "ua": {"ж": "zh", "и": "y", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "iu",
           "я": "ia", "ё": "io", "ы": "y", "ъ": "", "ь": "", "е": "e", "г": "h", "і": "i", "ї": "i", "є": "ie",
           "ґ": "g"},
}


def romanize4(name: str, scheme: str, rng: random.Random) -> str:
    """A Cyrillic name in ``scheme``; a letter the scheme has no spelling for (Belarusian ў) is left as it is."""
    table = _CYR_BASE | SCHEMES4[scheme]
    out = []
    for word in name.lower().split():
        w = []
        for i, ch in enumerate(word):
            prev = word[i - 1] if i else ""
            initial = not prev or prev in "аеёиоуыэюяъьіїє"
            if ch == "е" and initial and scheme in ("pl", "es"):
                w.append("je" if scheme == "pl" else "ye")
            elif ch == "л" and scheme == "pl" and word[i + 1:i + 2] in ("е", "ё", "и", "ю", "я", "ь", "і"):
                w.append("l")
            elif ch in ("ю", "я", "є", "ї") and scheme == "ua" and initial:
                w.append({"ю": "yu", "я": "ya", "є": "ye", "ї": "yi"}[ch])
            elif ch == "й" and scheme == "ua" and initial:
                w.append("y")
            elif ch in ("ю", "я", "ё") and scheme == "pl" and not initial and prev not in "ь":
                w.append({"ю": "iu", "я": "ia", "ё": "io"}[ch])
            elif ch in table:
                w.append(table[ch])
            else:
                w.append(ch)
        text = "".join(w)
        if scheme == "pl":
            text = re.sub(r"ij\b", "i", text)
        out.append(text)
    words = [w for w in out if w]
    if len(words) >= 3 and rng.random() < 0.3:
        ends = r"(wicz|vych|vich|vna|wna|ovna|ivna|ovich|evich)$"
        at = 1 if re.search(ends, words[1]) else len(words) - 1 if re.search(ends, words[-1]) else None
        if at is not None:
            del words[at]
    return " ".join(w[:1].upper() + w[1:] for w in words)


# --- organization spellings ------------------------------------------------------------------------------------

_GENERIC = {"THE", "OF", "FOR", "AND", "LTD", "LIMITED", "LLC", "CO", "COMPANY", "CORP", "CORPORATION", "INC", "SA",
            "GMBH", "AG", "JSC", "FZE", "PJSC", "OOO", "BANK", "TRADING", "INTERNATIONAL", "GROUP", "GENERAL",
            "NATIONAL", "INDUSTRIES", "SERVICES", "HOLDING", "ESTABLISHMENT", "FOUNDATION", "ORGANIZATION"}


def org4(name: str, rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    words = name.split()
    cand = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha() and w.upper() not in _GENERIC]
    if cand:
        i = max(cand, key=lambda k: len(words[k]))
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        how = rng.choice(("drop", "swap", "double"))
        slip = (w[:j] + w[j + 1:] if how == "drop" else w[:j] + w[j + 1] + w[j] + w[j + 2:] if how == "swap"
                else w[:j] + w[j] + w[j:])
        if slip.upper() != w.upper():
            out.append(("org4:typo", " ".join([*words[:i], slip, *words[i + 1:]])))
    if rng.random() < 0.6:
        longw = [i for i, w in enumerate(words) if len(w) >= 9 and w.isalpha()]
        pairs = [i for i in range(len(words) - 1) if words[i].isalpha() and words[i + 1].isalpha()
                 and words[i].upper() not in _GENERIC and len(words[i]) <= 7 and len(words[i + 1]) <= 7]
        if longw and (not pairs or rng.random() < 0.5):
            i = rng.choice(longw)
            w = words[i]
            j = rng.randrange(4, len(w) - 3)
            out.append(("org4:spacing", " ".join([*words[:i], w[:j], w[j:], *words[i + 1:]])))
        elif pairs:
            i = rng.choice(pairs)
            out.append(("org4:spacing", " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2:]])))
    return out


# --- name pools no earlier builder used ------------------------------------------------------------------------

COMMON4: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": (("Lukas", "Jonas", "Florian", "Tobias", "Sebastian", "Matthias", "Stefan", "Jürgen", "Katrin", "Sabine",
            "Ursula", "Monika", "Heike", "Birgit", "Dieter", "Klaus", "Uwe", "Wolfgang", "Anja", "Petra"),
           ("Schneider", "Fischer", "Weber", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein",
            "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann",
            "Lange")),
    "it": (("Giuseppe", "Giovanni", "Antonio", "Mario", "Francesco", "Luigi", "Angelo", "Vincenzo", "Pietro",
            "Salvatore", "Giulia", "Francesca", "Chiara", "Federica", "Alessandra", "Paola", "Roberta", "Simona",
            "Lorenzo", "Matteo"),
           ("Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti",
            "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana",
            "Santoro")),
    "pt": (("João", "Francisco", "Pedro", "Tiago", "Rui", "Paulo", "Nuno", "Miguel", "Ana", "Beatriz", "Mariana",
            "Inês", "Leonor", "Rita", "Joana", "Catarina", "Gonçalo", "Diogo", "Vitor", "Sérgio"),
           ("Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Sousa", "Fernandes", "Gonçalves",
            "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Moreira",
            "Correia")),
    "id": (("Budi", "Agus", "Bambang", "Hendra", "Dedi", "Eko", "Rudi", "Wahyu", "Sri", "Dewi", "Siti", "Ratna",
            "Indah", "Putri", "Rina", "Yanti", "Joko", "Slamet", "Teguh", "Bayu"),
           ("Santoso", "Wijaya", "Kusuma", "Saputra", "Hidayat", "Setiawan", "Nugroho", "Pratama", "Susanto",
            "Gunawan", "Halim", "Purnomo", "Lestari", "Wibowo", "Sutanto", "Hartono", "Suryadi", "Firmansyah",
            "Kurniawan", "Siregar")),
    "so": (("Faarax", "Warsame", "Jaamac", "Aadan", "Cawil", "Guuleed", "Xirsi", "Roble", "Samatar", "Geedi",
            "Hodan", "Sahra", "Ayaan", "Hibo", "Ubah", "Idil", "Nimco", "Caasha", "Deeqa", "Istahil"),
           ("Warsame", "Dirie", "Galaal", "Hirsi", "Samatar", "Egal", "Farah", "Duale", "Abtidoon", "Gaas", "Shire",
            "Jama", "Elmi", "Guled", "Raage", "Bile", "Dhoorre", "Afrax", "Waceys", "Gacal")),
    "ps": (("ګل", "زرین", "ملالۍ", "وږمه", "شینکی", "پښتون", "زلمی", "ننګیالی", "میرویس", "اجمل", "سپوږمۍ",
            "غمی", "لیمه", "ګلالۍ", "وحید", "ذبیح", "نجیب", "فرید", "سمیع", "حکمت"),
           ("زی", "ځدراڼ", "مومند", "یوسفزی", "وردګ", "ستانکزی", "احمدزی", "خوږیانی", "شینواری", "سافی",
            "اڅکزی", "کاکړ", "منګل", "جاجی", "تڼی", "لودین", "پوپلزی", "بارکزی", "علیزی", "نورزی")),
    "ha": (("Musa", "Sani", "Bala", "Garba", "Lawal", "Kabiru", "Nasiru", "Shehu", "Aminu", "Haruna", "Hadiza",
            "Binta", "Zainab", "Hauwa", "Amina", "Rakiya", "Maryam", "Halima", "Danjuma", "Audu"),
           ("Bello", "Danladi", "Dantata", "Maikudi", "Yakubu", "Tanko", "Gambo", "Dahiru", "Maigari", "Mohammed",
            "Dikko", "Gumel", "Kura", "Ringim", "Tukur", "Jibrin", "Bature", "Zubairu", "Waziri", "Lamido")),
    "arl": (("Anwar", "Bilal", "Idris", "Kamal", "Luqman", "Murad", "Nasir", "Qadir", "Rami", "Sharif", "Talal",
             "Usman", "Wael", "Yahya", "Zaki", "Hadi", "Jalal", "Mahdi", "Nadim", "Ayoub"),
            ("Al-Masri", "Khalaf", "Abboud", "Sabbagh", "Jaradat", "Tamimi", "Qureshi", "Bakri", "Hamdi", "Sultan",
             "Ghanem", "Rifai", "Haidar", "Mustafa", "Naji", "Ashour", "Obeid", "Fakhoury", "Zoubi", "Khatib")),
    "ar": (("أنور", "بلال", "إدريس", "لقمان", "مراد", "ناصر", "رامي", "شريف", "طلال", "عثمان", "وائل", "يحيى",
            "زكي", "هادي", "جلال", "مهدي", "نديم", "أيوب", "قاسم", "حمزة"),
           ("المصري", "خلف", "عبود", "الصباغ", "جرادات", "التميمي", "القرشي", "البكري", "حمدي", "السلطان", "غانم",
            "الرفاعي", "حيدر", "مصطفى", "ناجي", "عاشور", "عبيد", "الفاخوري", "الزعبي", "الخطيب")),
}
SIBLING_LATIN_AR = COMMON4["arl"][0]
SIBLING_LATIN_ANY = ("Andrei", "Pavel", "Mikhail", "Stefan", "Marco", "Tomas", "Jan", "Lars", "Henrik", "Kenji",
                     "Hyun", "Chen", "Emre", "Dario", "Boris", "Igor", "Anton", "Felix", "Oskar", "Viktor")


# --- building --------------------------------------------------------------------------------------------------


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED4)
    u, o_csv, e = load()
    o = load_ofac_advanced()
    used = tuning_entries(u, o_csv, e, TUNING)
    earlier: set[frozenset[str]] = set()
    for path in EARLIER:
        for p in _read(path):
            earlier.add(frozenset((p["q"], p["r"])))
    by_key = {f"un:{x.ref}": x for x in u} | {f"ofac:{x.ref}": x for x in o} | {f"eu:{x.ref}": x for x in e}
    kinds = {k: _KIND.get(x.kind, "other") for k, x in by_key.items()}
    cluster, members = clusters(by_key, cross_list_links(u, o, e))
    pool = {c for c, ks in members.items() if not (ks | {c}) & used}
    in_pool = sorted(k for k in by_key if cluster[k] in pool)
    dictionary = word_dictionary([*u, *o])

    def names(x: ListedEntry) -> list[str]:
        return list(dict.fromkeys(n.name for n in x.names if n.quality == "strong"))

    pairs: list[Pair] = []

    def add(q: str, r: str, label: int, kind: str, key: str) -> None:
        if tokens(q) == tokens(r) and script(q) == script(r):  # the same words: no test of a matcher
            return
        if not fold(q) or frozenset((q, r)) in earlier:
            return
        pairs.append(_pair(q, r, label, kind, (key,), key, kinds[key], kinds[key]))

    def sibling(name: str, pool_names: tuple[str, ...], own: set[str]) -> str | None:
        w = name.split()
        if len(w) < 3 or fold(w[0]) in ("al", "el", "abu", "abd", "bin", "ben"):
            return None
        given = [g for g in pool_names if fold(g) not in own]
        return " ".join([rng.choice(given), *w[1:]])

    for key in in_pool:
        x, k = by_key[key], kinds[key]
        ns = names(x)
        own = {t for n in ns for t in fold(n).split()}
        latin = [n for n in ns if script(n) == "latin"]
        arabic = [n for n in ns if script(n) == "arabic"]
        cyrillic = [n for n in ns if script(n) == "cyrillic"]
        primary = next((n.name for n in x.names if n.kind == "primary" and script(n.name) == "latin"),
                       latin[0] if latin else None)
        arabic_origin = bool(arabic) or any(_NATION.search(fold(t)) for t in (*x.nationalities, *x.birth_places))
        if k == "person" and primary and arabic_origin:
            same_ar = [ar for ar in arabic if script_alike(ar, primary)][:1]
            # The primary name in three styles; another Latin alias that is the Arabic-script name too, in two.
            alias = next((la for la in latin if la != primary and any(script_alike(ar, la) for ar in arabic)), None)
            for src, n_styles in ((primary, 3), *(((alias, 2),) if alias else ())):
                src_ar = [ar for ar in arabic if script_alike(ar, src)][:1]
                for style in rng.sample(STYLES4, n_styles):
                    v = restyle4(src, style, rng, src_ar[0] if src_ar else None)
                    if tokens(v) == tokens(src):
                        continue
                    add(v, src, 1, f"romanized4:{style}", key)
                    for ar in src_ar:
                        add(v, ar, 1, f"romanized4:{style}", key)
                        sib = sibling(v, SIBLING_LATIN_AR, own)
                        if sib and rng.random() < 0.6:
                            add(sib, ar, 0, "sibling4-x", key)
            if rng.random() < 0.5:
                ru = to_russian(primary, rng)
                if ru:
                    add(ru, primary, 1, "cyr-arabic:ru", key)
                    for ar in same_ar:
                        add(ru, ar, 1, "cyr-arabic:ru", key)
            if not arabic:
                ar_v = to_arabic(primary, dictionary, rng)
                if ar_v:
                    add(ar_v, primary, 1, "latin2ar:dict", key)
                    aw = ar_v.split()
                    if len(aw) >= 3 and not aw[0].startswith("ال") and aw[0] not in ("عبد", "أبو", "ابو", "بن"):
                        g = rng.choice([a for a in COMMON4["ar"][0] if a not in aw])
                        add(" ".join([g, *aw[1:]]), primary, 0, "sibling4-x", key)
        if k == "person" and arabic and latin:
            ar = arabic[0]
            same = next((la for la in latin if script_alike(ar, la)), None)
            if same:
                how = rng.choice(("tashkeel", "kashida"))
                v = tashkeel(ar, rng) if how == "tashkeel" else kashida(ar, rng)
                if v != ar:
                    add(v, same, 1, f"arabic4:{how}", key)
        if cyrillic and k in ("person", "organization"):
            for cy in cyrillic[:1]:
                for scheme in rng.sample(sorted(SCHEMES4), 2):
                    v = romanize4(cy, scheme, rng)
                    if not v:
                        continue
                    add(v, cy, 1, f"cyrillic4:{scheme}", key)
                    for la in latin[:2]:
                        if script_alike(cy, la):
                            add(v, la, 1, f"cyrillic4:{scheme}", key)
                            break
        if primary and rng.random() < 0.4:
            if k == "person":
                for how, v in person4(primary, rng):
                    add(v, primary, 1, how, key)
                sib = sibling(primary, SIBLING_LATIN_AR if arabic_origin else SIBLING_LATIN_ANY, own)
                if sib:
                    add(sib, primary, 0, "sibling4", key)
            elif k == "organization":
                for how, v in org4(primary, rng):
                    add(v, primary, 1, how, key)

    # Hard negatives: different entries of one list whose names the token-set ratio calls alike.
    for src in ("un", "ofac"):
        keyed = [(key, n) for key in in_pool if key.startswith(src + ":") for n in names(by_key[key])[:2]]
        for i, j in alike_pairs(keyed, cluster, rng, fuzz.token_set_ratio, 90, 2, 8000):
            (a, na), (b, nb) = keyed[i], keyed[j]
            if frozenset((na, nb)) in earlier or tokens(na) == tokens(nb):
                continue
            pairs.append(_pair(na, nb, 0, "similar4", (a, b), b, kinds[a], kinds[b]))

    # Generated common names against the pool's listed person name most like them.
    listed = [(k, n) for k in in_pool for n in names(by_key[k]) if kinds[k] == "person"]
    all_person_tokens = {tokens(n) for k, x in by_key.items() if kinds[k] == "person" for n in names(x)}
    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON4:
        made = [n for n in common_names(lang, rng, 300, COMMON4) if tokens(n) not in all_person_tokens]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            add(n, listed[j][1], 0, f"common4:{lang}", listed[j][0])

    dev4, fourth = split_by_cluster(pairs, cluster, half4, "fourth", drop_contradicting=True)
    print(f"pool: {len(pool)} clusters ({len(in_pool)} entries) of {len(members)}; the tuning splits stand for "
          f"{len(used)} entries; {len(dictionary)} Latin words in the lists' Arabic-script dictionary")
    return dev4, fourth


def main() -> None:
    dev4, fourth = build()
    write_splits({"dev4": dev4, "fourth": fourth})


if __name__ == "__main__":
    main()
