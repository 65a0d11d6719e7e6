"""A third pair evaluation for the name matcher: new pairs and new pair kinds, from list entries that no pair of a
tuning split names, split by entry into a tuning half (``names_dev3``) and a frozen half (``names_third``), read
once at the end.

Why a third one: the two earlier frozen splits (``names_test``, ``names_holdout``) were each read once with
``--final``, and the matcher changed a great deal after both readings (waves 8 to 11, tuned on ``tune`` and
``dev2``), so their figures no longer judge it. The lists in ``shared/data`` hold no entry that neither earlier
evaluation used, so this one is made differently:

- **The pool** is every cluster (one party on two lists is one cluster, linked as the earlier builders link them)
  none of whose entries a pair of the two *tuning* splits names (nor, through the first evaluation's own
  clusters, a party a tuning pair stood for). These are the entries of the two frozen splits and the entries no
  earlier pair named: no change to the matcher was ever made by looking at one of their pairs.
- **The pairs are new**: kinds that no earlier builder made (below), written before any change this evaluation
  judges; and a pair whose two names an earlier split already holds (either split, either order) is dropped, so
  nothing here was read before. The earlier frozen files are read for that alone (their names, never a score).
- **Nothing here looks at a matcher**: same-name checks and "alike" names (hard negatives, the listed name a
  common name is tried against) use rapidfuzz and ``anyascii`` on plain text, as the earlier builders did.

Positives (label 1):

- ``romanized:<style>``: the Latin name of a person who has an Arabic-script name (or an Arabic-speaking
  country's nationality), respelt in another romanization style: ``fr`` (French and Maghrebi: ch, dj, ou, el,
  Abdel, sun letters assimilated as in Abderrahmane, a final -ane), ``eg`` (Egyptian and Levantine: g for j, s
  for th, z for dh, o and e for u and i), ``fa`` (Persian and South Asian: o for u, v for w, gh for q, -eh,
  -ollah, -uddin), ``tr`` (Turkish: c, ş, ç, v, k, ğ), ``id`` (Indonesian and Malay: sy, ts, Abdul), ``en``
  (informal English: ee, oo, joined articles). Each against the listed Latin name it came from and against the
  entry's Arabic-script name when that is the same name (not another alias: ``script_alike``);
- ``arabic-orth``: a listed Arabic-script name as another writer types it (hamza seats, ta marbuta, alif maqsura,
  Persian ya and kaf, ``abd al`` joined or split, an article or a middle name left out), against the entry's Latin
  name when it is the same name (Arabic to Latin) and against the listed Arabic-script name itself when the
  change is more than a letter's form (an article or a name left out);
- ``cyrillic:<scheme>``: a listed Cyrillic-script name romanized by another scheme (``bgn``, ``icao``, ``fr``,
  ``de``), sometimes without its patronymic, against that Cyrillic name and against the entry's Latin name when
  it is the same name;
- ``person3:<how>``: a Latin person name ``reordered`` (family name first, with or without a comma), with a
  ``title``, compound parts ``joined`` or split (Abdul Rahman / Abdulrahman), the second name as an ``initial``, a
  ``keyboard`` slip (a neighbouring key) in a long part;
- ``org3:<how>``: an organization's ``legal-equiv`` (the same form written another way: L.L.C., Limited Liability
  Company, S.A.R.L.), ``abbrev`` (Intl, Trdg, Mfg, Bros, &), ``punct`` (dots and hyphens dropped, lower case),
  ``the`` added or dropped, ``legal-typo`` (one slip in a long legal form).

Negatives (label 0):

- ``similar3``: names of two different entries of one list that rapidfuzz's WRatio calls alike (88 or more) but
  whose words differ, a measure the earlier builders did not use;
- ``namesake:given`` / ``namesake:family``: a listed person's family name with another given name, or their first
  given name with another family name (another person of the same family or the same first name), against the
  listed name; ``namesake-x:given`` / ``namesake-x:family``: the same made from a romanized spelling, against the
  listed Arabic-script name (Latin to Arabic negatives); ``namesake-ar:given``: a listed Arabic-script name with
  another first name and its middle names left out, against the entry's Latin name (Arabic to Latin negatives);
- ``org3:sibling``: an organization's most distinctive word replaced by another, the rest kept;
- ``common3:<lang>``: generated common names in ar/en/fr/ru/zh/tr/ur/fa/es from name pools no earlier builder
  used, against the listed person name most like them.

Run once: ``.venv/bin/python bench/names_third.py`` writes ``bench/data/names_{dev3,third}.jsonl.gz`` and prints
their SHA-256; ``bench/names_eval.py`` holds the frozen half's (``THIRD_SHA256``) and refuses to read it without
``--final``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import sys
from collections.abc import Callable
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
    spelled_alike,
    split_by_cluster,
    tokens,
    write_splits,
)

SEED3 = 20261208
THIRD_SHARE = 50  # percent of the pool's clusters in the frozen half
TUNING = (OUT / "names_tune.jsonl.gz", OUT / "names_dev2.jsonl.gz")
EARLIER = (*TUNING, OUT / "names_test.jsonl.gz", OUT / "names_holdout.jsonl.gz")

#: Nationalities (as the lists write them, folded) whose Latin names are mostly romanized Arabic.
ARABIC_NATIONS = {
    "afghanistan", "algeria", "bahrain", "egypt", "iraq", "jordan", "kuwait", "lebanon", "libya", "mauritania",
    "morocco", "oman", "pakistan", "palestinian", "qatar", "saudi arabia", "somalia", "sudan", "syria",
    "syrian arab republic", "tunisia", "united arab emirates", "yemen", "iran", "west bank", "gaza",
}


def _read(path: Path) -> list[Pair]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


def half3(cluster: str) -> str:
    h = int(hashlib.sha256(f"{SEED3}:{cluster}".encode()).hexdigest(), 16) % 100
    return "third" if h < THIRD_SHARE else "dev3"


# --- Arabic names in other romanization styles -----------------------------------------------------------------

_SUN = ("th", "dh", "sh", "t", "d", "r", "z", "s", "n", "l")


def _sub(pattern: str, repl: str | Callable[[re.Match[str]], str], text: str, rng: random.Random,
         p: float = 0.8) -> str:
    """Applies the substitution at each match with probability ``p`` (one romanizer is not always consistent)."""

    letter = len(pattern) == 1 and pattern.isalpha()  # a doubled letter is respelt as one: Fawwaz, Fevvaz

    def one(m: re.Match[str]) -> str:
        if rng.random() >= p:
            return m.group(0)
        if letter and isinstance(repl, str):
            return repl * len(m.group(0))
        return repl(m) if callable(repl) else m.expand(repl)

    return re.sub(f"{pattern}+" if letter else pattern, one, text)


def _articles(text: str, style: str, rng: random.Random) -> str:
    """``abd al-x`` and ``al-x`` as a style writes them."""

    def abd(m: re.Match[str]) -> str:
        rest = m.group(1)
        sun = next((s for s in _SUN if rest.startswith(s)), None)
        if style == "fr":
            return rng.choice((f"abdel{rest}", f"abdel {rest}", f"abd{'e' + sun if sun else 'el'}{rest}"))
        if style == "fa":
            return rng.choice((f"abdol{rest}", f"abdul {rest}"))
        if style in ("id", "en"):
            return rng.choice((f"abdul{rest}", f"abdul {rest}"))
        if style == "tr":
            return rng.choice((f"abdul{rest}", f"abdül{rest}"))
        return rng.choice((f"abd el-{rest}", f"abdel {rest}"))

    text = re.sub(r"\babd(?:ul|ol|el|[ -]?al|[ -]?el|[ -]?ul)?[- ](\w+)", abd, text)

    def art(m: re.Match[str]) -> str:
        rest = m.group(1)
        sun = next((s for s in _SUN if rest.startswith(s)), None)
        if style == "fr":
            return rng.choice((f"el {rest}", f"el-{rest}", f"e{sun}-{rest}" if sun else f"el{rest}"))
        if style == "eg":
            return rng.choice((f"el-{rest}", f"el {rest}"))
        if style == "tr":
            return rest
        if style == "en":
            return rng.choice((f"al{rest}", rest, f"al {rest}"))
        return rng.choice((f"al {rest}", f"al-{rest}", rest))

    return re.sub(r"\b(?:al|el|ul)[- ](\w+)", art, text)


#: Each style's respellings in the order they apply: (pattern, replacement, probability at each match).
_STYLE_RULES: dict[str, tuple[tuple[str, str | Callable[[re.Match[str]], str], float], ...]] = {
    "fr": (
        (r"sh", "ch", 0.8),
        (r"(?<![dk])j", "dj", 0.8),
        (r"aw(?![aeiou])", "aou", 0.8),
        (r"(?<=[aeiu])w(?=[aeiou])", "ou", 0.8),
        (r"\bw(?=[aeiou])", "ou", 0.8),
        (r"(?<![aeo])u(?!u)", "ou", 0.8),
        (r"(?<=a)i(?![aeiou])", "ï", 0.5),
        (r"(?<=[^aeiou\s])y(?=a)", "i", 0.5),
        (r"q", "k", 0.4),
        (r"(?<=[aeiou])(dh|th)", lambda m: m.group(1)[0], 0.6),
        (r"ah\b", "a", 0.8),
        (r"(?<=[mw]a)n\b", "ne", 0.6),
        (r"ee", "i", 0.8),
    ),
    "eg": (
        (r"j", "g", 0.8),
        (r"th", "s", 0.7),
        (r"dh", "z", 0.7),
        (r"(?<=[^aeiou\s])u(?=[^aeiou\s])", "o", 0.6),
        (r"(?<=[^aeiou\s])i(?=[^aeiou\s]{2})", "e", 0.5),
        (r"ah\b", "a", 0.8),
    ),
    "fa": (
        (r"(?<=[^aeiou\s])u(?=[^aeiou\s])", "o", 0.8),
        (r"w", "v", 0.8),
        (r"dh", "z", 0.8),
        (r"th", "s", 0.8),
        (r"q", "gh", 0.7),
        (r"(?<=[^aeiou\s])ah\b", "eh", 0.7),
        (r"(?<=[^aeiou\s])i(?=[^aeiou\s]{2})", "e", 0.4),
    ),
    "tr": (
        (r"sh", "ş", 0.8),
        (r"ch", "ç", 0.8),
        (r"kh", "h", 0.8),
        (r"gh", "ğ", 0.5),
        (r"j", "c", 0.8),
        (r"w", "v", 0.8),
        (r"q", "k", 0.8),
        (r"dh", "z", 0.8),
        (r"th", "s", 0.8),
        (r"ammad\b", "ammed", 0.8),
        (r"ah\b", "a", 0.8),
    ),
    "id": (
        (r"sh", "sy", 0.8),
        (r"q", "k", 0.8),
        (r"dh", "d", 0.8),
        (r"th", "ts", 0.8),
        (r"ee", "i", 0.8),
    ),
    "en": (
        (r"(?<=[^aeiou\s])i(?=[^aeiou\s]\b)", "ee", 0.6),
        (r"(?<=[^aeiou\s])u(?=[^aeiou\s]\b)", "oo", 0.5),
        (r"q", "k", 0.5),
        (r"-", "", 0.8),
        (r"ammad\b", "ammed", 0.5),
    ),
}


def restyle(name: str, style: str, rng: random.Random, arabic: str | None = None) -> str:
    """A Latin spelling of an Arabic-origin name respelt the way another romanization style writes it. With the
    name in Arabic script, th and dh are respelt only where it writes the letters they stand for (ث; ذ or ظ): in
    Fathi (فتحي) the t and h are two letters."""
    t = " ".join(name.lower().replace("'", "").replace("`", "").replace("’", "").split())
    if arabic is not None:
        if "ث" not in arabic:
            t = t.replace("th", "t\u200dh")
        if not ({"ذ", "ظ"} & set(arabic)):
            t = t.replace("dh", "d\u200dh")
    if style == "fa":  # compounds of Allah and al-Din first: Persian writes them as one word
        t = _sub(r"\b(\w+) ?[au]llah\b", lambda m: f"{m.group(1)}ollah", t, rng)
        t = _sub(r"\b(\w+) (?:ad|al|ud|ed)[- ]?din\b|\b(\w+)eddine?\b",
                 lambda m: f"{m.group(1) or m.group(2)}uddin", t, rng)
    t = _articles(t, style, rng)
    for pattern, repl, p in _STYLE_RULES[style]:
        t = _sub(pattern, repl, t, rng, p)
    t = re.sub(r"[\s]+", " ", t.replace("- ", " ").replace("\u200d", "")).strip(" -")
    return _title(t)


def _title(text: str) -> str:
    """Each word and each part of a hyphenated word with a capital first letter, the rest as it is."""
    return " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in text.split())


STYLES = ("fr", "eg", "fa", "tr", "id", "en")

# --- Arabic-script spellings of an Arabic-script name ----------------------------------------------------------

def arabic_orthography(name: str, rng: random.Random) -> str:
    """The same name as another writer types it in Arabic script: hamza seats left out or added, ta marbuta as ha,
    alif maqsura and ya swapped, Persian ya and kaf, ``abd al`` joined or split, an article dropped, a middle name
    left out."""
    t = name
    t = _sub(r"[أإآ]", "ا", t, rng, 0.7)
    t = _sub(r"(?<!\S)ا(?=[^ل])", "أ", t, rng, 0.3)
    t = _sub(r"ة(?!\S)", "ه", t, rng, 0.6)
    t = _sub(r"ى(?!\S)", "ي", t, rng, 0.6)
    t = _sub(r"ي(?!\S)", "ى", t, rng, 0.2)
    t = _sub(r"[يك]", lambda m: "ی" if m.group(0) == "ي" else "ک", t, rng, 0.25)
    t = _sub(r"عبد ال", "عبدال", t, rng, 0.6)
    t = _sub(r"عبدال", "عبد ال", t, rng, 0.4)
    t = _sub(r"(?<= )(?<!عبد )ال(?=\S{3})", "", t, rng, 0.2)
    words = t.split()
    if len(words) >= 4 and rng.random() < 0.3:
        del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


# --- Cyrillic romanization schemes ------------------------------------------------------------------------------

_CYR_COMMON = dict(zip("абвгдзклмнопрстуфыэ", ("a", "b", "v", "g", "d", "z", "k", "l", "m", "n", "o", "p", "r",
                                                "s", "t", "u", "f", "y", "e"), strict=True))
_CYR_COMMON |= {"і": "i", "ґ": "g", "ъ": "", "ь": ""}
SCHEMES: dict[str, dict[str, str]] = {
    "bgn": {"ж": "zh", "и": "i", "й": "y", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu",
            "я": "ya", "ё": "yo", "ї": "yi", "є": "ye", "ў": "w"},
    "icao": {"ж": "zh", "и": "i", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "iu",
             "я": "ia", "ё": "e", "ъ": "ie", "ї": "i", "є": "ie", "ў": "u"},
    "fr": {"ж": "j", "и": "i", "й": "i", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch", "щ": "chtch", "у": "ou",
           "ю": "iou", "я": "ia", "ё": "io", "ї": "i", "є": "ie", "ў": "ou"},
    "de": {"в": "w", "ж": "sch", "з": "s", "и": "i", "й": "j", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
           "щ": "schtsch", "ю": "ju", "я": "ja", "ё": "jo", "ї": "ji", "є": "je", "ў": "w", "ы": "y"},
}


def romanize(name: str, scheme: str, rng: random.Random) -> str:
    table = _CYR_COMMON | SCHEMES[scheme]
    out = []
    for word in name.lower().split():
        w = []
        for i, ch in enumerate(word):
            prev = word[i - 1] if i else ""
            if ch == "е":
                initial = not prev or prev in "аеёиоуыэюяъь"
                w.append(("ye" if scheme == "bgn" else "ie" if scheme == "fr" else "je" if scheme == "de" else "e")
                         if initial else "e")
            elif ch == "й" and prev in "иы" and i == len(word) - 1:
                w.append({"bgn": "y", "icao": "i", "fr": "", "de": "j"}[scheme])
            elif ch in table:
                w.append(table[ch])
            elif ch.isalpha():
                w.append(ch)
            else:
                w.append(ch)
        text = "".join(w)
        if scheme == "fr":
            text = re.sub(r"(?<=[aeiou])s(?=[aeiou])", "ss", text)
            if rng.random() < 0.3:
                text = re.sub(r"ov\b", "off", text)
        if scheme == "de" and rng.random() < 0.5:
            text = re.sub(r"ow\b", "ov", text)
        out.append(text)
    words = [w for w in out if w]
    # Often written without the patronymic: the second word (given, patronymic, family) or the last (family,
    # given, patronymic) when it ends as one does; a family name such as Kulinich is kept.
    if len(words) >= 3 and rng.random() < 0.35:
        ends = r"(vich|vitch|witsch|vna|wna|ichna|itschna)$"
        at = 1 if re.search(ends, words[1]) else len(words) - 1 if re.search(ends, words[-1]) else None
        if at is not None:
            del words[at]
    return " ".join(w[:1].upper() + w[1:] for w in words)


# --- person and organization spellings -------------------------------------------------------------------------

TITLES = ("Dr.", "Sheikh", "Hajji", "Mullah", "Sayyid", "Prof.", "Haji", "Maulana", "Eng.", "Dr")
#: Words that belong to the family name after them (moved with it when a name is written family name first).
_PARTICLES = {"al", "el", "bin", "ben", "ibn", "bint", "abu", "de", "del", "della", "van", "von", "da", "dos", "la",
              "le", "ould", "ag"}
_KEYS = "qwertyuiop asdfghjkl zxcvbnm"


def _neighbour(ch: str, rng: random.Random) -> str:
    rows = _KEYS.split()
    for r, row in enumerate(rows):
        i = row.find(ch.lower())
        if i < 0:
            continue
        near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
        near += [rows[rr][i] for rr in (r - 1, r + 1) if 0 <= rr < len(rows) and i < len(rows[rr])]
        new = rng.choice(near)
        return new.upper() if ch.isupper() else new
    return ch


def person3(name: str, rng: random.Random) -> list[tuple[str, str]]:
    words = name.replace(",", " ").split()
    out: list[tuple[str, str]] = []
    if len(words) < 2:
        return out
    if rng.random() < 0.5:
        cut = len(words) - 2 if len(words) >= 3 and words[-2].lower() in _PARTICLES else len(words) - 1
        last = " ".join(words[cut:])
        rest = " ".join(words[:cut])
        out.append(("person3:reordered", rng.choice((f"{last.upper()}, {rest}", f"{last} {rest}"))))
    if rng.random() < 0.3:
        out.append(("person3:title", f"{rng.choice(TITLES)} {name}"))
    low = " ".join(words)
    joined = re.sub(r"\b(abdul|abdel|abd al|abd el|abu|abou|bin|ben|al|el)[ -](\w{3,})",
                    lambda m: m.group(1).replace(" ", "") + m.group(2).lower(), low, count=1, flags=re.IGNORECASE)
    if joined != low:
        out.append(("person3:joined", joined))
    else:
        split = re.sub(r"\b(Abdul|Abdel|Abu|Abou)(\w{3,})", lambda m: f"{m.group(1)} {m.group(2).title()}", low,
                       count=1, flags=re.IGNORECASE)
        if split != low:
            out.append(("person3:joined", split))
    if len(words) >= 3 and rng.random() < 0.5 and len(words[1]) > 2 and words[1].lower() not in (
            "al", "el", "bin", "ben", "ibn", "abu", "abd", "abdul", "de", "del", "van", "von"):
        out.append(("person3:initials", " ".join([words[0], f"{words[1][0]}.", *words[2:]])))
    longest = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[longest]
    if len(w) >= 6:
        i = rng.randrange(1, len(w) - 1)
        slip = w[:i] + _neighbour(w[i], rng) + w[i + 1:]
        if slip != w:
            out.append(("person3:keyboard", " ".join([*words[:longest], slip, *words[longest + 1:]])))
    return out


# Legal forms written other ways (the same form), and words with their usual abbreviations.
LEGAL_EQUIV = (
    ("LLC", ("L.L.C.", "Limited Liability Company", "L.L.C")), ("LTD", ("Limited", "Ltd.", "LTD.")),
    ("LIMITED", ("Ltd", "Ltd.")), ("CO", ("Company", "Co.")), ("COMPANY", ("Co.", "Co")),
    ("CORP", ("Corporation", "Corp.")), ("CORPORATION", ("Corp.", "Corp")), ("INC", ("Incorporated", "Inc.")),
    ("JSC", ("Joint Stock Company", "J.S.C.", "Joint-Stock Co.")), ("SARL", ("S.A.R.L.", "S.à r.l.")),
    ("SA", ("S.A.", "Sociedad Anonima")), ("GMBH", ("G.m.b.H.", "Gesellschaft mit beschränkter Haftung")),
    ("FZE", ("F.Z.E.", "Free Zone Establishment")), ("FZCO", ("FZ Co.", "F.Z.C.O.")), ("PJSC", ("P.J.S.C.",)),
    ("OOO", ("LLC",)), ("LLP", ("L.L.P.",)), ("PLC", ("P.L.C.", "Public Limited Company")),
    ("EST", ("Establishment", "Est.")), ("ESTABLISHMENT", ("Est.", "Est")),
)
ABBREV = (("INTERNATIONAL", "INTL"), ("TRADING", "TRDG"), ("MANUFACTURING", "MFG"), ("BROTHERS", "BROS"),
          ("AND", "&"), ("GROUP", "GRP"), ("DEVELOPMENT", "DEV"), ("INDUSTRIES", "INDS"), ("SERVICES", "SVCS"),
          ("ENTERPRISES", "ENT"), ("HOLDING", "HLDG"), ("INVESTMENT", "INV"), ("SHIPPING", "SHPG"),
          ("MANAGEMENT", "MGMT"), ("ASSOCIATION", "ASSN"), ("TECHNOLOGY", "TECH"), ("COMPANY", "CO"))
LONG_FORMS = ("LIMITED", "COMPANY", "CORPORATION", "INCORPORATED", "ESTABLISHMENT", "AKTIENGESELLSCHAFT",
              "GESELLSCHAFT", "SOCIEDAD", "ANONIMA", "LIABILITY")
SIBLING_WORDS = ("Atlas", "Horizon", "Phoenix", "Golden", "Crescent", "Delta", "Pacific", "Sapphire", "Orient",
                 "Nova", "Summit", "Meridian", "Falcon", "Cedar", "Emerald", "Pioneer", "Unity", "Zenith", "Aurora",
                 "Harbor", "Silverline", "Northstar", "Evergreen", "Vertex", "Alliance", "Coral", "Sahara", "Nile",
                 "Baltic", "Andes")


def org3(name: str, rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    words = name.replace(",", " , ").split()
    upper = [w.upper().strip(".") for w in words]
    for form, others in LEGAL_EQUIV:
        if form in upper:
            i = upper.index(form)
            other = [f for f in others if fold(f) != fold(words[i])]
            if other:
                new = [*words[:i], rng.choice(other), *words[i + 1:]]
                out.append(("org3:legal-equiv", " ".join(new).replace(" ,", ",")))
            break
    for word, short in ABBREV:
        if word in upper:
            i = upper.index(word)
            new = [*words[:i], short.title() if short != "&" else "&", *words[i + 1:]]
            out.append(("org3:abbrev", " ".join(new).replace(" ,", ",")))
            break
        if short in upper and short != "CO":
            i = upper.index(short)
            new = [*words[:i], word.title() if short != "&" else "and", *words[i + 1:]]
            out.append(("org3:abbrev", " ".join(new).replace(" ,", ",")))
            break
    bare = re.sub(r"[.,'\"()-]", " ", name)
    bare = " ".join(bare.split())
    if rng.random() < 0.5:
        bare = bare.lower()
    if bare.lower() != name.lower() or rng.random() < 0.3:
        out.append(("org3:punct", bare))
    if upper and upper[0] == "THE":
        out.append(("org3:the", " ".join(words[1:]).replace(" ,", ",")))
    elif rng.random() < 0.2:
        out.append(("org3:the", f"The {name}"))
    for i, u in enumerate(upper):
        if u in LONG_FORMS:
            w = words[i]
            j = rng.randrange(1, len(w) - 1)
            how = rng.choice(("drop", "swap", "key"))
            slip = (w[:j] + w[j + 1:] if how == "drop" else w[:j] + w[j + 1] + w[j] + w[j + 2:] if how == "swap"
                    else w[:j] + _neighbour(w[j], rng) + w[j + 1:])
            if slip.upper() != u:
                out.append(("org3:legal-typo", " ".join([*words[:i], slip, *words[i + 1:]]).replace(" ,", ",")))
            break
    return out


def org_sibling(name: str, rng: random.Random) -> str | None:
    """The organization's longest word that is no legal form or common business word, replaced by another."""
    generic = {f for f, _ in LEGAL_EQUIV} | {w for w, _ in ABBREV} | set(LONG_FORMS) | {
        "THE", "OF", "FOR", "AND", "GENERAL", "NATIONAL", "BANK", "FOUNDATION", "ORGANIZATION", "ORGANISATION",
        "IMPORT", "EXPORT", "COMMERCIAL", "INDUSTRIAL", "ENGINEERING", "PETROLEUM", "OIL", "GAS", "ENERGY"}
    words = name.split()
    cand = [i for i, w in enumerate(words) if len(w) >= 4 and w.upper().strip(".,") not in generic]
    if len(words) < 2 or not cand:
        return None
    i = max(cand, key=lambda k: len(words[k]))
    new = rng.choice(SIBLING_WORDS)
    if words[i].isupper():
        new = new.upper()
    return " ".join([*words[:i], new, *words[i + 1:]])


# --- new common-name pools (none of these names is in the earlier builders' pools) ---------------------------

COMMON3: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ar": (("سعد", "رائد", "نزار", "بشير", "وسام", "إياد", "معتز", "تامر", "شادي", "عماد", "هالة", "سهى", "ريم",
            "نور", "آمنة", "خديجة", "جميلة", "وفاء", "كمال", "غسان"),
           ("الطحان", "العلي", "الزعبي", "الخياط", "القباني", "النعيمي", "الكبيسي", "العبيدي", "الشمري", "الدوري",
            "الراوي", "الجبوري", "السامرائي", "المالكي", "التميمي", "الساعدي", "الحمداني", "البياتي", "الخزرجي",
            "الربيعي")),
    "en": (("Brian", "Gary", "Timothy", "Jason", "Jeffrey", "Ryan", "Jacob", "Nicholas", "Eric", "Jonathan",
            "Kimberly", "Emily", "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca"),
           ("Collins", "Stewart", "Morris", "Rogers", "Reed", "Cook", "Morgan", "Bell", "Murphy", "Bailey",
            "Cooper", "Richardson", "Cox", "Howard", "Ward", "Peterson", "Gray", "James", "Watson", "Brooks")),
    "fr": (("Antoine", "Guillaume", "Vincent", "Olivier", "Thierry", "Aurélie", "Camille", "Chloé", "Manon", "Élodie",
            "Kamel", "Nordine", "Redouane", "Abdelkader", "Mourad", "Fatiha", "Yamina", "Khadidja", "Soufiane",
            "Ilyes"),
           ("Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefevre", "Mathieu", "Clement",
            "Gauthier", "Boumediene", "Benhamou", "Taleb", "Bouchareb", "Rahmani", "Khelifi", "Belaid", "Djebbar",
            "Ait Ali")),
    "ru": (("Аркадий", "Геннадий", "Эдуард", "Тимур", "Руслан", "Кирилл", "Фёдор", "Семён", "Лариса", "Маргарита",
            "Валентина", "Оксана", "Алина", "Юлия", "Виталий", "Ярослав", "Всеволод", "Глеб", "Елизавета", "Тамара"),
           ("Белов", "Комаров", "Орлов", "Макаров", "Андреев", "Ковалёв", "Жуков", "Никитин", "Захаров", "Зуев",
            "Тарасов", "Беляев", "Медведев", "Антонов", "Тимофеев", "Филиппов", "Марков", "Герасимов", "Богданов",
            "Осипов")),
    "zh": (("建华", "秀兰", "丽华", "红梅", "志明", "海涛", "文静", "晓燕", "鹏飞", "雪梅", "德华", "春华", "小龙",
            "瑞", "婷婷", "嘉欣", "梓轩", "诗涵", "宏伟", "兰英"),
           ("潘", "田", "任", "姜", "范", "方", "石", "姚", "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔",
            "康", "毛")),
    "tr": (("Cengiz", "Oğuz", "Tuncay", "Sinan", "Kaan", "Berk", "Ozan", "Selim", "Canan", "Pınar", "Aslı", "Derya",
            "Gül", "Hülya", "Serdar", "Ümit", "Yasemin", "Filiz", "Ercan", "Nihat"),
           ("Yavuz", "Aksoy", "Güler", "Oral", "Bozkurt", "Duman", "Karaca", "Özer", "Ateş", "Kocabaş", "Uysal",
            "Sönmez", "Yüksel", "Akın", "Çakır", "Coşkun", "Erdem", "Toprak", "Yalçın", "Bayram")),
    "ur": (("ندیم", "تنویر", "خرم", "عدنان", "سہیل", "فرحان", "ذیشان", "عمیر", "مہوش", "سدرہ", "حنا", "ارم",
            "شازیہ", "تحسین", "قیصر", "منیر", "اسلم", "جمیل", "رفیق", "طارق"),
           ("چیمہ", "گوندل", "باجوہ", "ورک", "سندھو", "ساہی", "کاظمی", "عثمانی", "فاروقی", "خٹک", "مروت", "بنگش",
            "چٹھہ", "گھمن", "ڈار", "لون", "وانی", "منہاس", "جنجوعہ", "ستی")),
    "fa": (("حمید", "مجید", "سعید", "بهروز", "فرهاد", "کاوه", "بابک", "آرش", "نگار", "شیرین", "پروین", "مهناز",
            "ژاله", "سیاوش", "داریوش", "کوروش", "بیژن", "منیژه", "فریبا", "لادن"),
           ("احمدی", "محمدی", "حسینی", "رضایی", "موسوی", "کریمی", "جعفری", "صادقی", "رحیمی", "قاسمی", "طاهری",
            "نوری", "یزدانی", "شریفی", "اکبری", "کاظمی", "نجفی", "امیری", "باقری", "فراهانی")),
    "es": (("José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Alejandro", "Fernando", "Ricardo", "Javier",
            "María", "Guadalupe", "Rosa", "Carmen", "Lucía", "Sofía", "Valentina", "Gabriela", "Andrés", "Raúl"),
           ("García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez",
            "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez", "Ortiz",
            "Chávez")),
}
#: Latin given and family names for namesakes, by the style of the name they replace a part of.
NAMESAKE_GIVEN = ("Karim", "Nizar", "Samir", "Rafik", "Bassam", "Walid", "Tarek", "Hisham", "Marwan", "Jamal",
                  "Fouad", "Adnan", "Ziad", "Munir", "Rashid", "Sami", "Nabil", "Amir", "Faisal", "Hamza")
NAMESAKE_FAMILY = ("Haddad", "Khoury", "Nasser", "Saleh", "Mansour", "Darwish", "Hijazi", "Barakat", "Shaheen",
                   "Qasim", "Jaber", "Nassar", "Othman", "Yassin", "Hamdan", "Suleiman", "Zaidan", "Awad", "Daher",
                   "Farouk")
NAMESAKE_GIVEN_ANY = ("Daniel", "Peter", "Maria", "Anna", "Viktor", "Elena", "Carlos", "Jorge", "Li", "Wei",
                      "Omar", "Ali", "Hassan", "Ivan", "Sergei", "Ahmed", "Jose", "Luis", "Mehmet", "Reza")
NAMESAKE_FAMILY_ANY = ("Novak", "Kowalski", "Meyer", "Schmidt", "Rossi", "Ferrari", "Silva", "Santos", "Kim",
                       "Nguyen", "Tanaka", "Popescu", "Horvath", "Jensen", "Larsen", "Murray", "Dubois", "Moreau",
                       "Ivanenko", "Petrenko")


# --- building --------------------------------------------------------------------------------------------------


def tuning_entries(u: list[ListedEntry], o_csv: list[ListedEntry], e: list[ListedEntry],
                   tuning: tuple[Path, ...] = TUNING) -> set[str]:
    """Every entry a pair of a ``tuning`` split stands for: the entries and listed entries its pairs name, and every
    member of a first-evaluation cluster a tune pair names (that evaluation wrote a cluster by one member's key)."""
    used: set[str] = set()
    for path in tuning:
        for p in _read(path):
            used.update(p["entries"])
            used.add(p["r_entry"])
    first = {f"{src}:{x.ref}": f"{src}:{x.ref}" for src, lst in (("un", u), ("ofac", o_csv), ("eu", e))
             for x in lst}
    for a, b in sorted(cross_list_links(u, o_csv, e)):
        first[b] = first[a]
    return used | {k for k, c in first.items() if c in used}


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED3)
    u, o_csv, e = load()
    o = load_ofac_advanced()
    used = tuning_entries(u, o_csv, e)
    earlier: set[frozenset[str]] = set()
    for path in EARLIER:
        for p in _read(path):
            earlier.add(frozenset((p["q"], p["r"])))
    by_key = {f"un:{x.ref}": x for x in u} | {f"ofac:{x.ref}": x for x in o} | {f"eu:{x.ref}": x for x in e}
    kinds = {k: _KIND.get(x.kind, "other") for k, x in by_key.items()}
    cluster, members = clusters(by_key, cross_list_links(u, o, e))
    pool = {c for c, ks in members.items() if not (ks | {c}) & used}
    in_pool = sorted(k for k in by_key if cluster[k] in pool)

    def names(x: ListedEntry) -> list[str]:
        return list(dict.fromkeys(n.name for n in x.names if n.quality == "strong"))

    pairs: list[Pair] = []

    def add(q: str, r: str, label: int, kind: str, entries: tuple[str, ...], r_entry: str, qk: str,
            rk: str) -> None:
        if tokens(q) == tokens(r):  # the same words: no test of a matcher
            return
        if not fold(q) or frozenset((q, r)) in earlier:
            return
        pairs.append(_pair(q, r, label, kind, entries, r_entry, qk, rk))

    for key in in_pool:
        x, k = by_key[key], kinds[key]
        ns = names(x)
        latin = [n for n in ns if script(n) == "latin"]
        arabic = [n for n in ns if script(n) == "arabic"]
        cyrillic = [n for n in ns if script(n) == "cyrillic"]
        primary = next((n.name for n in x.names if n.kind == "primary" and script(n.name) == "latin"),
                       latin[0] if latin else None)
        if k == "person" and primary:
            nations = {fold(n) for n in x.nationalities}
            if arabic or nations & ARABIC_NATIONS:
                sources = [primary, *[n for n in latin if n != primary][:1]]
                for src in sources:
                    same_ar = [ar for ar in arabic if script_alike(ar, src)][:1]  # the same name, not an alias
                    for style in rng.sample(STYLES, 2):
                        v = restyle(src, style, rng, same_ar[0] if same_ar else None)
                        if tokens(v) == tokens(src):
                            continue
                        add(v, src, 1, f"romanized:{style}", (key,), key, k, k)
                        for ar in same_ar:
                            add(v, ar, 1, f"romanized:{style}", (key,), key, k, k)
                        # Namesakes made from the respelt name: another given name, or another family name.
                        vw = v.split()
                        if len(vw) >= 2 and rng.random() < 0.5:
                            own = {t for n in ns for t in fold(n).split()}
                            g = rng.choice([n for n in NAMESAKE_GIVEN if fold(n) not in own])
                            f = rng.choice([n for n in NAMESAKE_FAMILY if fold(n) not in own])
                            given_x = f"{g} {vw[-1]}"
                            family_x = f"{vw[0]} {f}"
                            add(given_x, src, 0, "namesake:given", (key,), key, k, k)
                            add(family_x, src, 0, "namesake:family", (key,), key, k, k)
                            for ar in same_ar:
                                add(given_x, ar, 0, "namesake-x:given", (key,), key, k, k)
                                add(family_x, ar, 0, "namesake-x:family", (key,), key, k, k)
        if arabic and latin and k == "person":
            ar = arabic[0]
            same = next((la for la in latin if script_alike(ar, la)), None)
            if same:
                v = arabic_orthography(ar, rng)
                if v != ar:
                    add(v, same, 1, "arabic-orth", (key,), key, k, k)
                    add(v, ar, 1, "arabic-orth", (key,), key, k, k)
                words = ar.split()
                if len(words) >= 2 and rng.random() < 0.5:
                    given = [g for g in COMMON3["ar"][0] if g not in words]
                    add(f"{rng.choice(given)} {words[-1]}", same, 0, "namesake-ar:given", (key,), key, k, k)
        if cyrillic and k in ("person", "organization"):
            for cy in cyrillic[:1]:
                for scheme in rng.sample(sorted(SCHEMES), 2):
                    v = romanize(cy, scheme, rng)
                    if not v:
                        continue
                    add(v, cy, 1, f"cyrillic:{scheme}", (key,), key, k, k)
                    for la in latin[:2]:
                        if script_alike(cy, la) and spelled_alike(v, la):
                            add(v, la, 1, f"cyrillic:{scheme}", (key,), key, k, k)
                            break
        if primary and rng.random() < 0.35:
            if k == "person":
                for how, v in person3(primary, rng):
                    add(v, primary, 1, how, (key,), key, k, k)
                words = primary.replace(",", " ").split()
                if len(words) >= 2 and rng.random() < 0.5:
                    own = {t for n in ns for t in fold(n).split()}
                    g = rng.choice([n for n in NAMESAKE_GIVEN_ANY if fold(n) not in own])
                    f = rng.choice([n for n in NAMESAKE_FAMILY_ANY if fold(n) not in own])
                    add(f"{g} {words[-1]}", primary, 0, "namesake:given", (key,), key, k, k)
                    add(f"{words[0]} {f}", primary, 0, "namesake:family", (key,), key, k, k)
            elif k == "organization":
                for how, v in org3(primary, rng):
                    add(v, primary, 1, how, (key,), key, k, k)
                sib = org_sibling(primary, rng)
                if sib and tokens(sib) not in {tokens(n) for n in ns}:
                    add(sib, primary, 0, "org3:sibling", (key,), key, k, k)

    # Hard negatives: different entries of one list whose names WRatio calls alike.
    for src in ("un", "ofac"):
        keyed = [(key, n) for key in in_pool if key.startswith(src + ":") for n in names(by_key[key])[:2]]
        for i, j in alike_pairs(keyed, cluster, rng, fuzz.WRatio, 88, 2, 8000):
            (a, na), (b, nb) = keyed[i], keyed[j]
            add(na, nb, 0, "similar3", (a, b), b, kinds[a], kinds[b])

    # Generated common names against the pool's listed person name most like them.
    listed = [(k, n) for k in in_pool for n in names(by_key[k]) if kinds[k] == "person"]
    all_person_tokens = {tokens(n) for k, x in by_key.items() if kinds[k] == "person" for n in names(x)}
    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON3:
        made = [n for n in common_names(lang, rng, 300, COMMON3) if tokens(n) not in all_person_tokens]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            add(n, listed[j][1], 0, f"common3:{lang}", (listed[j][0],), listed[j][0], "person", "person")

    dev3, third = split_by_cluster(pairs, cluster, half3, "third", drop_contradicting=True)
    print(f"pool: {len(pool)} clusters ({len(in_pool)} entries) of {len(members)}; the tuning splits stand for "
          f"{len(used)} entries")
    return dev3, third


def main() -> None:
    dev3, third = build()
    write_splits({"dev3": dev3, "third": third})


if __name__ == "__main__":
    main()
