"""A fifth pair evaluation for the name matcher: new pair kinds, from list entries that no pair of the four tuning
splits names, split by entry into a tuning half (``names_dev5``) and a frozen half (``names_fifth``), read once at
the end.

Why a fifth one: wave 14 read the fourth frozen split once (docs/benchmarks.md, "Name screening, wave 14"); its
figures no longer judge later changes. This one is built from kinds no earlier builder wrote, and written (its hash
frozen in ``bench/names_eval.py``) before any change it judges:

- **The pool** is every cluster none of whose entries a pair of ``tune``, ``dev2``, ``dev3`` or ``dev4`` names.
  These are the entries of the four frozen splits, whose pairs were scored in aggregate (and the fourth's by kind),
  and the entries no pair named. The matcher was never tuned on a pair of theirs.
- **The pairs are new**: a pair whose two names an earlier split holds (any of the eight, either order) is dropped.
- **Nothing here looks at a matcher**: "alike" names use rapidfuzz and ``anyascii`` on plain text.

Positives (label 1):

- ``romanized5:<style>``: the Latin name of a person of Arabic origin respelt in a style no earlier builder wrote:
  ``alalc`` (the library scheme: ʿ and ʾ, long vowels with macrons, dotted ḥ ṣ ḍ ṭ ẓ where the Arabic-script name
  has those letters, ʿAbd al-), ``din`` (DIN 31635: š ṯ ḏ ḫ ġ ǧ for the digraphs, besides the marks), ``bs``
  (Bosnian and Balkan: dž, š, č, h for kh, v for w, Muhamed, no article) and ``uz`` (Uzbek and Tajik Latin: x for
  kh, final -a and -o, Abdulla, no article). The primary name in three styles, and another Latin alias that is
  the entry's Arabic-script name too in two; each against the Latin name it came from, and against the entry's
  Arabic-script name when it is the same name;
- ``latin2cyr5:ru``: the Latin name of a person from a country that writes Cyrillic (or whose last part has a
  Slavic ending) written back in Russian Cyrillic, against that Latin name;
- ``person5:<how>``: a Latin person name with one ``vowel`` of a long part changed (Osama, Usama), one consonant
  ``dropped`` from a long part, or a ``phonetic`` respelling (ph/f, ck/k, c/k, w/v, y/i);
- ``org5:<how>``: an organization name with its generic words ``translated`` to French, Spanish or German
  (adjective after noun where those languages put it), or a company's English legal form written the Russian
  way (``ru-form``: OOO "NAME", AO «NAME»);
- ``mixed5``: a person name written partly in Latin letters and partly in Arabic script, word by word from the
  entry's Latin and Arabic-script names of the same name, against the Latin name.

Negatives (label 0):

- ``sibling5``: a listed person name of two or more parts with its last part replaced by the last part of another
  pool person's name of the same origin (a cousin: the given names are shared), against the listed name;
  ``sibling5-x``: the same made from a ``romanized5`` spelling against the entry's Arabic-script name;
- ``similar5``: names of two different entries of one list that rapidfuzz's WRatio calls alike (90 or more) but
  whose words differ, the shorter at least 60 % of the longer's length;
- ``common5:<lang>``: generated common names in Bosnian, Uzbek, Azerbaijani, Bengali, Malay, Swahili, Kurdish,
  Amazigh (Latin letters) and Persian (Persian script), from name pools no earlier builder used, against the listed
  person name most like them.

Run once: ``.venv/bin/python bench/names_fifth.py`` writes ``bench/data/names_{dev5,fifth}.jsonl.gz`` and prints
their SHA-256; ``bench/names_eval.py`` holds the frozen half's (``FIFTH_SHA256``) and refuses to read it without
``--final``.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basira.finance.lists.base import ListedEntry
from names_fourth import _NATION, EARLIER, TUNING, to_russian
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
from names_third import _read, _sub, _title, tuning_entries

SEED5 = 20261212  # no earlier builder's seed: a shared one would split this pool along an earlier split
FIFTH_SHARE = 50  # percent of the pool's clusters in the frozen half
TUNING5 = (*TUNING, OUT / "names_dev4.jsonl.gz")
EARLIER5 = (*EARLIER, OUT / "names_dev4.jsonl.gz", OUT / "names_fourth.jsonl.gz")


def script5(text: str) -> str:
    """``names_pairs.script`` with ALA-LC's ʿ and ʾ (modifier letters) read as Latin."""
    return script(text.replace("ʿ", "").replace("ʾ", ""))


def pair5(q: str, r: str, label: int, kind: str, entries: tuple[str, ...], r_entry: str, qk: str,
          rk: str) -> Pair:
    p = _pair(q, r, label, kind, entries, r_entry, qk, rk)
    p["scripts"] = f"{script5(q)}-{script5(r)}"
    return p


def pair_adder(pairs: list[Pair], earlier: set[frozenset[str]], kinds: dict[str, str]
               ) -> Callable[[str, str, int, str, str], None]:
    """``add(q, r, label, kind, key)``, which appends the pair of ``q`` and ``r`` (``key``'s names) to ``pairs``
    unless its two names are the same words in one script (no test of a matcher), ``q`` has no letter or digit, or
    an earlier split holds the pair."""

    def add(q: str, r: str, label: int, kind: str, key: str) -> None:
        if tokens(q) == tokens(r) and script5(q) == script5(r):
            return
        if not fold(q) or frozenset((q, r)) in earlier:
            return
        pairs.append(pair5(q, r, label, kind, (key,), key, kinds[key], kinds[key]))

    return add


def words_differ(a: str, b: str) -> bool:
    return tokens(a) != tokens(b)


def alike_negatives(rows: list[tuple[str, str]], cols: list[tuple[str, str]], texts: tuple[list[str], list[str]],
                    cutoff: int, cluster: dict[str, str], earlier: set[frozenset[str]], *, top: int = 12,
                    take: int = 2, differ: Callable[[str, str], bool] = words_differ
                    ) -> Iterator[tuple[str, str, str, str]]:
    """(a, name, b, name) of names of ``rows`` and ``cols`` (entry key, name) whose ``texts`` rapidfuzz's ratio
    calls alike (``cutoff`` or more): among each row's ``top`` likest, at most ``take`` of another cluster, whose
    words differ (``differ``) and whose pair no earlier split holds."""
    scores = process.cdist(texts[0], texts[1], scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=2)
    for i, (a, na) in enumerate(rows):
        row = scores[i]
        taken = 0
        for j in np.argsort(-row.astype(np.int16))[:top]:
            if row[j] < cutoff or taken == take:
                break
            b, nb = cols[j]
            if cluster[a] == cluster[b] or not differ(na, nb) or frozenset((na, nb)) in earlier:
                continue
            yield a, na, b, nb
            taken += 1


def half5(cluster: str) -> str:
    h = int(hashlib.sha256(f"fifth:{SEED5}:{cluster}".encode()).hexdigest(), 16) % 100
    return "fifth" if h < FIFTH_SHARE else "dev5"


# --- romanization styles no earlier builder wrote ----------------------------------------------------------------

STYLES5 = ("alalc", "din", "bs", "uz")
_DOTTED = (("ص", r"(?<![cz])s(?!h)", "ṣ"), ("ض", r"d(?!h)", "ḍ"), ("ط", r"t(?!h)", "ṭ"), ("ظ", r"z", "ẓ"))


def _marks(w: str, a: str, aligned: bool, rng: random.Random) -> str:
    """ALA-LC's letter marks on one lower-case Latin word, from its Arabic-script word (``aligned``) or, when the
    two names do not line up word by word, from the whole Arabic-script name (then no mark that needs the word)."""
    if "ح" in a:
        w = _sub(r"(?<![cksgdtz])h", "ḥ", w, rng, 0.4 if "ه" in a else 0.8)
    for letter, pattern, marked in _DOTTED:
        if letter in a:
            w = _sub(pattern, marked, w, rng, 0.6)
    w = w.replace("'", "ʿ" if "ع" in a else "ʾ")
    if aligned:
        stem = a.removeprefix("ال")
        article, rest = re.match(r"((?:al|el)-)?(.*)", w).groups()  # type: ignore[union-attr]
        if stem.startswith("ع") and rest[:1] in ("a", "e", "i", "o", "u") and rng.random() < 0.7:
            w = (article or "") + "ʿ" + {"o": "u", "e": "i"}.get(rest[0], rest[0]) + rest[1:]  # ʿUmar, ʿIsa
        for letter, vowel, long in (("ا", "a", "ā"), ("ي", "i", "ī"), ("و", "u", "ū")):
            if letter in stem[1:]:
                w = _sub(rf"(?<=[^aeiouʿ-]){vowel}(?=[^aeiou-])", long, w, rng, 0.4)
    return w


def _scholarly(t: str, arabic: str | None, rng: random.Random) -> str:
    """ALA-LC's marks on a lower-case Latin name: with the Arabic-script name the letters only it tells apart (ح,
    the emphatics, ع) and, word by word where the two line up, an initial ʿ and long vowels; then ʿAbd al-, Abū
    and the vowels ALA-LC does not write (e, o)."""
    if arabic is not None:
        words, aw = t.split(), arabic.split()
        aligned = len(words) == len(aw)
        t = " ".join(_marks(w, aw[i] if aligned else arabic, aligned, rng) for i, w in enumerate(words))
    t = re.sub(r"\bʿ?abd(?:[ -](?:ul|al|el|ol)[ -]|(?:ul|al|el|ol)?[ -])(?=\w)",
               lambda m: rng.choice(("ʿabd al-", "ʿabd al-", "ʿabdul ")), t)
    t = re.sub(r"\b(?:al|el)[- ](?=\w)", "al-", t)
    t = _sub(r"\babu\b", "abū", t, rng, 0.8)
    t = t.replace("aa", "ā").replace("ee", "ī").replace("ii", "ī").replace("oo", "ū").replace("uu", "ū")
    t = _sub(r"ou", "ū", t, rng, 0.8)
    t = _sub(r"(?<=\w)e", "i", t, rng, 0.6)
    t = _sub(r"(?<=\w)o", "u", t, rng, 0.6)
    return t


def _title5(text: str) -> str:
    """Capitals as ALA-LC writes them: each word's first letter (after ʿ or ʾ), the article al- in lower case."""
    def cap(part: str) -> str:
        if part == "al":
            return part
        k = 1 if part[:1] in "ʿʾ" else 0
        return part[:k] + part[k:k + 1].upper() + part[k + 1:]
    return " ".join("-".join(cap(p) for p in w.split("-")) for w in text.split())


def restyle5(name: str, style: str, rng: random.Random, arabic: str | None = None) -> str:
    """A Latin spelling of an Arabic-origin name respelt in ``style`` (see the module's text); with the name in
    Arabic script, marks that stand for its letters are written only where it has them."""
    t = " ".join(name.lower().replace("’", "'").replace("`", "'").split())
    if style in ("alalc", "din"):
        t = _scholarly(t, arabic, rng)
        if style == "din":
            for digraph, letter, p in (("sh", "š", 0.9), ("th", "ṯ", 0.8), ("dh", "ḏ", 0.8), ("kh", "ḫ", 0.8),
                                       ("gh", "ġ", 0.8), ("dj", "ǧ", 0.9), ("j", "ǧ", 0.8)):
                t = _sub(digraph, letter, t, rng, p)
    elif style == "bs":
        t = t.replace("'", "")
        t = _sub(r"\bmu?ha?mm?[ae]d\b", "muhamed", t, rng, 0.7)
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.7)
        for pattern, repl, p in ((r"dj|(?<![dz])j", "dž", 0.8), (r"sh", "š", 0.8), (r"ch", "č", 0.8),
                                 (r"kh", "h", 0.8), (r"th", "t", 0.8), (r"dh", "d", 0.8), (r"gh", "g", 0.6),
                                 (r"(?<=[aeiou])y(?=[aeiou])|\by(?=[aeiou])", "j", 0.8), (r"w", "v", 0.8),
                                 (r"ou|oo", "u", 0.8), (r"ee", "i", 0.8), (r"q", "k", 0.7), (r"ah\b", "a", 0.7),
                                 (r"ss", "s", 0.6)):
            t = _sub(pattern, repl, t, rng, p)
    else:  # uz
        t = t.replace("'", "")
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.8)
        for pattern, repl, p in ((r"kh", "x", 0.8), (r"ullah\b", "ulla", 0.7), (r"ah\b", "a", 0.6),
                                 (r"(?<=[^aeiou\s])an\b", "on", 0.3), (r"w", "v", 0.8), (r"ou|oo", "u", 0.8),
                                 (r"ee", "i", 0.8), (r"(?<=[^aeiou\s])e(?=[^aeiou\s])", "a", 0.3),
                                 (r"gh", "g'", 0.6), (r"\by(?=[ou])", "y", 1.0), (r"dh|th", "z", 0.5)):
            t = _sub(pattern, repl, t, rng, p)
    t = re.sub(r"\s+", " ", t).strip(" -")
    return _title5(t) if style in ("alalc", "din") else _title(t)


# --- Latin names of Cyrillic-writing countries, written back in Cyrillic ------------------------------------------

_CYRILLIC_NATIONS = re.compile(r"\b(?:russia|russian federation|ukraine|belarus|kazakhstan|kyrgyzstan|tajikistan|"
                               r"bulgaria|serbia|north macedonia|macedonia|mongolia|moldova|uzbekistan)\b")
_SLAVIC_END = re.compile(r"(?:ov|ev|yov|in|yn|sky|skiy|skii|ko|enko|vich|ich|ova|eva|ina|aya)$")


def latin_to_cyrillic(name: str, rng: random.Random) -> str:
    """A Latin name as Russian writes it: the fourth builder's letter table, and -iy/-yy/-y endings as -ий/-ый."""
    words = []
    for w in fold(name).split():
        w = re.sub(r"(?<=[aeou])i$", "y", w)  # Borodai: Бородай
        end = ""
        if re.search(r"(?:iy|ii|yi)$", w) and len(w) > 4:
            w, end = w[:-2], rng.choice(("ий", "ий", "ый"))
        elif re.search(r"[^aeiou]y$", w) and len(w) > 4:
            w, end = w[:-1], "ый"
        words.append(to_russian(w, rng).lower() + end)
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


# --- Latin person spellings ----------------------------------------------------------------------------------------

_PARTICLE = {"al", "el", "bin", "ben", "ibn", "abu", "abd", "van", "von", "de", "da", "del", "der", "le", "la"}
_PHONETIC = ((r"ph", "f"), (r"f", "ph"), (r"ck", "k"), (r"c(?=[aou])", "k"), (r"k(?=[aou])", "c"), (r"w", "v"),
             (r"(?<=[^aeiou])y\b", "i"), (r"(?<=[^aeiou])i\b", "y"), (r"x", "ks"), (r"tz", "z"))


def person5(name: str, rng: random.Random) -> list[tuple[str, str]]:
    words = name.replace(",", " ").split()
    out: list[tuple[str, str]] = []
    if len(words) < 2:
        return out
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and fold(w) not in _PARTICLE]
    if long and rng.random() < 0.6:
        i = rng.choice(long)
        w = words[i]
        spots = [j for j in range(1, len(w)) if w[j].lower() in "aeiou"]
        if spots:
            j = rng.choice(spots)
            repl = {"a": "e", "e": rng.choice("ai"), "i": "e", "o": "u", "u": "o"}[w[j].lower()]
            v = w[:j] + (repl.upper() if w[j].isupper() else repl) + w[j + 1:]
            out.append(("person5:vowel", " ".join([*words[:i], v, *words[i + 1:]])))
    longer = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if longer and rng.random() < 0.5:
        i = rng.choice(longer)
        w = words[i]
        spots = [j for j in range(1, len(w) - 1) if w[j].lower() not in "aeiou" and w[j].lower() != w[j - 1].lower()]
        if spots:
            j = rng.choice(spots)
            out.append(("person5:dropped", " ".join([*words[:i], w[:j] + w[j + 1:], *words[i + 1:]])))
    if rng.random() < 0.5:
        low = name.lower()
        rules = [(p, r) for p, r in _PHONETIC if re.search(p, low)]
        if rules:
            p, r = rng.choice(rules)
            v = re.sub(p, r, low, count=1)
            v = v.upper() if name.isupper() else _title(v)
            if fold(v) != fold(name):
                out.append(("person5:phonetic", v))
    return out


# --- organization spellings ------------------------------------------------------------------------------------

_TRANSLATE: dict[str, tuple[str, str, str]] = {  # English word -> (French, Spanish, German)
    "COMPANY": ("COMPAGNIE", "COMPAÑÍA", "GESELLSCHAFT"), "TRADING": ("COMMERCE", "COMERCIO", "HANDEL"),
    "INTERNATIONAL": ("INTERNATIONALE", "INTERNACIONAL", "INTERNATIONAL"), "BANK": ("BANQUE", "BANCO", "BANK"),
    "GROUP": ("GROUPE", "GRUPO", "GRUPPE"), "INDUSTRIES": ("INDUSTRIES", "INDUSTRIAS", "INDUSTRIE"),
    "FOUNDATION": ("FONDATION", "FUNDACIÓN", "STIFTUNG"), "ORGANIZATION": ("ORGANISATION", "ORGANIZACIÓN",
                                                                          "ORGANISATION"),
    "ASSOCIATION": ("ASSOCIATION", "ASOCIACIÓN", "VEREINIGUNG"), "SOCIETY": ("SOCIÉTÉ", "SOCIEDAD", "GESELLSCHAFT"),
    "SERVICES": ("SERVICES", "SERVICIOS", "DIENSTE"), "SHIPPING": ("NAVIGATION", "NAVIERA", "SCHIFFFAHRT"),
    "ISLAMIC": ("ISLAMIQUE", "ISLÁMICO", "ISLAMISCHE"), "NATIONAL": ("NATIONALE", "NACIONAL", "NATIONALE"),
    "GENERAL": ("GÉNÉRALE", "GENERAL", "ALLGEMEINE"), "COMMITTEE": ("COMITÉ", "COMITÉ", "KOMITEE"),
    "FRONT": ("FRONT", "FRENTE", "FRONT"), "ARMY": ("ARMÉE", "EJÉRCITO", "ARMEE"), "BRIGADE": ("BRIGADE", "BRIGADA",
                                                                                                  "BRIGADE"),
    "MOVEMENT": ("MOUVEMENT", "MOVIMIENTO", "BEWEGUNG"), "CHARITABLE": ("CARITATIVE", "BENÉFICA", "KARITATIVE"),
    "RELIEF": ("SECOURS", "SOCORRO", "HILFSWERK"), "INVESTMENT": ("INVESTISSEMENT", "INVERSIONES", "INVESTITION"),
    "EXCHANGE": ("CHANGE", "CAMBIO", "WECHSELSTUBE"), "ELECTRONICS": ("ÉLECTRONIQUE", "ELECTRÓNICA", "ELEKTRONIK"),
    "OIL": ("PÉTROLE", "PETRÓLEO", "ÖL"), "INDUSTRIAL": ("INDUSTRIELLE", "INDUSTRIAL", "INDUSTRIELLE"),
    "PARTY": ("PARTI", "PARTIDO", "PARTEI"), "UNION": ("UNION", "UNIÓN", "UNION"), "COUNCIL": ("CONSEIL", "CONSEJO",
                                                                                                "RAT"),
    "BATTALION": ("BATAILLON", "BATALLÓN", "BATAILLON"), "STATE": ("ÉTAT", "ESTADO", "STAAT"),
    "OF": ("DE", "DE", "VON"), "AND": ("ET", "Y", "UND"), "THE": ("LA", "LA", "DIE"),
}
_ADJECTIVES = {"ISLAMIC", "NATIONAL", "INTERNATIONAL", "GENERAL", "CHARITABLE", "INDUSTRIAL"}
_RU_FORMS = ((r"\bLIMITED LIABILITY COMPANY\b|\bLLC\b", ("OOO", "OOO", "ООО")),
             (r"\bCLOSED JOINT STOCK COMPANY\b|\bCJSC\b", ("ZAO", "ЗАО")),
             (r"\bOPEN JOINT STOCK COMPANY\b|\bOJSC\b", ("OAO", "ОАО")),
             (r"\bPUBLIC JOINT STOCK COMPANY\b|\bPJSC\b", ("PAO", "ПАО")),
             (r"\bJOINT STOCK COMPANY\b|\bJSC\b", ("AO", "АО")))


def org5(name: str, rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    upper = name.upper()
    words = upper.replace(",", "").split()
    if any(w in _TRANSLATE for w in words if w not in ("OF", "AND", "THE")):
        lang = rng.randrange(3)
        if lang < 2:  # French and Spanish put the adjective after its noun
            i = 0
            while i < len(words) - 1:
                nxt = words[i + 1]
                if words[i] in _ADJECTIVES and nxt in _TRANSLATE and nxt not in _ADJECTIVES | {"OF", "AND", "THE"}:
                    words[i], words[i + 1] = nxt, words[i]
                    i += 1  # each adjective moves once, past its own noun
                i += 1
        legal = {i + 1 for i, w in enumerate(words) if w in ("LIABILITY", "STOCK")}  # a legal form's COMPANY
        v = " ".join(_TRANSLATE[w][lang] if w in _TRANSLATE and i not in legal else w for i, w in enumerate(words))
        if fold(v) != fold(upper):
            out.append(("org5:translated", v))
    for pattern, forms in _RU_FORMS:
        if re.search(pattern, upper):
            rest = " ".join(re.sub(pattern, " ", upper).replace(",", " ").split())
            if len(rest) >= 3:
                form = rng.choice(forms)
                quote = rng.choice(('"{}"', "«{}»", "{}"))
                out.append(("org5:ru-form", f"{form} {quote.format(rest)}"))
            break
    return out


# --- names written partly in each script ------------------------------------------------------------------------

def mixed(latin: str, arabic: str, rng: random.Random) -> str | None:
    """The name word by word from its Latin and Arabic-script spellings (some words of each), when the two have as
    many words and each word pair is the same name; else None."""
    lw, aw = latin.split(), arabic.split()
    if len(lw) != len(aw) or len(lw) < 2:
        return None
    if sum(not script_alike(a, b) for a, b in zip(aw, lw, strict=True)) > 1:
        return None  # anyascii reads some letters otherwise (ظ as dh): one word pair may look unalike
    cut = rng.randrange(1, len(lw))
    return " ".join([*lw[:cut], *aw[cut:]] if rng.random() < 0.5 else [*aw[:cut], *lw[cut:]])


# --- common names from pools no earlier builder used ---------------------------------------------------------------

COMMON5: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bs": (("Adnan", "Amir", "Armin", "Edin", "Emir", "Haris", "Jasmin", "Kenan", "Mirza", "Nedim", "Almir",
            "Amela", "Lejla", "Selma", "Emina", "Azra", "Merima", "Ajla", "Dženana", "Šejla"),
           ("Hodžić", "Hadžić", "Delić", "Kovačević", "Begović", "Mehmedović", "Husić", "Omerović", "Salihović",
            "Čaušević", "Imamović", "Mujić", "Alić", "Hasanović", "Suljić", "Smajić", "Softić", "Tahirović",
            "Zukić", "Bešić")),
    "uz": (("Bekzod", "Dilshod", "Jasur", "Otabek", "Sardor", "Sherzod", "Ulugbek", "Farrux", "Javlon", "Sanjar",
            "Dilnoza", "Gulnora", "Nigora", "Shahnoza", "Zarina", "Malika", "Nodira", "Feruza", "Kamola", "Saida"),
           ("Karimov", "Tursunov", "Yusupov", "Rashidov", "Ergashev", "Nazarov", "Sobirov", "Xolmatov", "Qodirov",
            "Mirzayev", "Jurayev", "Saidov", "Umarov", "Aliyev", "Rahimov", "Normatov", "Zokirov", "Ismoilov",
            "Tojiboyev", "Boboyev")),
    "az": (("Elnur", "Elvin", "Rashad", "Orxan", "Tural", "Vusal", "Kamran", "Ilgar", "Anar", "Farid", "Aysel",
            "Günel", "Leyla", "Nigar", "Sevinj", "Türkan", "Aynur", "Könül", "Lala", "Ulviyya"),
           ("Məmmədov", "Həsənov", "Quliyev", "Hüseynov", "Əliyev", "Abbasov", "Babayev", "Cəfərov", "İsmayılov",
            "Kərimov", "Nəsirov", "Rzayev", "Səfərov", "Vəliyev", "Zeynalov", "Bağırov", "Orucov", "Paşayev",
            "Qasımov", "Şirinov")),
    "bn": (("Rahim", "Karim", "Rafiq", "Shafiq", "Tanvir", "Imran", "Sohel", "Masud", "Arif", "Habib", "Nasrin",
            "Shirin", "Ruma", "Tania", "Moushumi", "Farzana", "Sharmin", "Rokeya", "Nusrat", "Sabina"),
           ("Chowdhury", "Hossain", "Rahman", "Talukder", "Sarkar", "Mia", "Bhuiyan", "Sikder", "Mollah", "Howlader",
            "Khandaker", "Majumder", "Biswas", "Akhter", "Begum", "Uddin", "Mondal", "Sheikh", "Patwary", "Kabir")),
    "ms": (("Azlan", "Faizal", "Hafiz", "Hakim", "Iskandar", "Khairul", "Razak", "Syafiq", "Zulkifli", "Amirul",
            "Nurul", "Siti", "Aisyah", "Farah", "Hidayah", "Izzati", "Nabilah", "Syazwani", "Wan", "Zulaikha"),
           ("bin Ismail", "bin Osman", "binti Yusof", "bin Hamzah", "binti Ahmad", "bin Rahman", "binti Salleh",
            "bin Jaafar", "bin Abdullah", "binti Musa", "bin Ibrahim", "bin Othman", "binti Hashim", "bin Sulaiman",
            "binti Idris", "bin Zakaria", "bin Ramli", "binti Kassim", "bin Mahmud", "binti Daud")),
    "sw": (("Juma", "Baraka", "Hamisi", "Rashidi", "Shabani", "Athumani", "Bakari", "Omari", "Salimu", "Mussa",
            "Mwanaisha", "Zuhura", "Rehema", "Halima", "Mwajuma", "Tatu", "Saida", "Asha", "Fatuma", "Neema"),
           ("Mwinyi", "Kombo", "Mzee", "Mohamedi", "Rajabu", "Mbarouk", "Haji", "Makame", "Shaaban", "Abdalla",
            "Khamis", "Seif", "Salim", "Mfaume", "Chande", "Kitwana", "Msuya", "Said", "Bakari", "Hemed")),
    "ku": (("Azad", "Rebwar", "Dilshad", "Hawar", "Kawa", "Shirwan", "Soran", "Zana", "Baran", "Hemin", "Shilan",
            "Rojin", "Nazdar", "Berivan", "Zhilwan", "Hêvî", "Awaz", "Shno", "Lana", "Nishtiman"),
           ("Barzani", "Talabani", "Ahmad", "Kakai", "Jaf", "Hawrami", "Mukriani", "Dizayee", "Zebari", "Shwani",
            "Baban", "Goran", "Sorani", "Kurdistani", "Mahmoud", "Rashid", "Qadir", "Hussein", "Salih", "Karim")),
    "ber": (("Amazigh", "Idir", "Massinissa", "Yuba", "Aksil", "Mazigh", "Amayas", "Koceila", "Juba", "Gaya",
             "Tafsut", "Tiziri", "Dihya", "Thiziri", "Lounja", "Tanina", "Kahina", "Tinhinane", "Siham", "Nouara"),
            ("Aït Ahmed", "Aït Menguellet", "Amrouche", "Ferhat", "Hamadouche", "Ouali", "Belaïd", "Tizi",
             "Aït Saïd", "Ouyahia", "Mammeri", "Kaci", "Boudiaf", "Haddadi", "Ouchène", "Amirouche", "Meziane",
             "Yacine", "Bellil", "Laceb")),
    "fa": (("آرش", "بهرام", "داریوش", "فرهاد", "کامران", "مهرداد", "نیما", "پویا", "سیاوش", "کوروش", "شیرین",
            "پریسا", "مهسا", "نسرین", "لاله", "ستاره", "آزاده", "مریم", "نگار", "بیتا"),
           ("احمدی", "محمدی", "حسینی", "رضایی", "کریمی", "موسوی", "جعفری", "قاسمی", "صادقی", "مرادی", "رحیمی",
            "کاظمی", "تهرانی", "شیرازی", "اصفهانی", "نوری", "یزدانی", "فرهادی", "بهرامی", "شریفی")),
}


# --- building --------------------------------------------------------------------------------------------------


def names(x: ListedEntry) -> list[str]:
    """An entry's strong names, each once, in its order."""
    return list(dict.fromkeys(n.name for n in x.names if n.quality == "strong"))


def primary_of(x: ListedEntry) -> str | None:
    """An entry's primary Latin name, else its first strong Latin name."""
    latin = [n for n in names(x) if script(n) == "latin"]
    return next((n.name for n in x.names if n.kind == "primary" and script(n.name) == "latin"),
                latin[0] if latin else None)


def origin(x: ListedEntry) -> str:
    """``arabic`` (an Arabic-script name, or a nationality or birth place of an Arabic-speaking country),
    ``cyrillic`` (a country that writes Cyrillic, or a Slavic last part) or ``other``."""
    places = [fold(t) for t in (*x.nationalities, *x.birth_places)]
    if any(script(n) == "arabic" for n in names(x)) or any(_NATION.search(t) for t in places):
        return "arabic"
    p = primary_of(x) or ""
    if any(_CYRILLIC_NATIONS.search(t) for t in places) or (len(fold(p).split()) >= 2
                                                                and _SLAVIC_END.search(fold(p).split()[-1])):
        return "cyrillic"
    return "other"


class EntryNames(NamedTuple):
    """An entry's strong names by script, its primary Latin name, and where a person comes from (``origin``;
    ``other`` for any other kind)."""

    latin: list[str]
    arabic: list[str]
    cyrillic: list[str]
    primary: str | None
    where: str


def entry_names(x: ListedEntry, kind: str) -> EntryNames:
    ns = names(x)
    return EntryNames([n for n in ns if script(n) == "latin"], [n for n in ns if script(n) == "arabic"],
                      [n for n in ns if script(n) == "cyrillic"], primary_of(x),
                      origin(x) if kind == "person" else "other")


@dataclass
class Pool:
    """The lists, and the entries no pair of the given tuning splits names (see the module's text)."""

    u: list[ListedEntry]
    o: list[ListedEntry]  # OFAC's advanced XML
    e: list[ListedEntry]
    earlier: set[frozenset[str]]  # the name pairs of the earlier splits, either order
    by_key: dict[str, ListedEntry]
    kinds: dict[str, str]
    cluster: dict[str, str]
    members: dict[str, set[str]]
    pool: set[str]  # clusters
    in_pool: list[str]  # entries, sorted
    used: set[str]  # entries the tuning splits stand for


def pool_of(tuning: tuple[Path, ...], earlier_splits: tuple[Path, ...]) -> Pool:
    u, o_csv, e = load()
    o = load_ofac_advanced()
    used = tuning_entries(u, o_csv, e, tuning)
    earlier: set[frozenset[str]] = set()
    for path in earlier_splits:
        for p in _read(path):
            earlier.add(frozenset((p["q"], p["r"])))
    by_key = {f"un:{x.ref}": x for x in u} | {f"ofac:{x.ref}": x for x in o} | {f"eu:{x.ref}": x for x in e}
    kinds = {k: _KIND.get(x.kind, "other") for k, x in by_key.items()}
    cluster, members = clusters(by_key, cross_list_links(u, o, e))
    pool = {c for c, ks in members.items() if not (ks | {c}) & used}
    in_pool = sorted(k for k in by_key if cluster[k] in pool)
    return Pool(u, o, e, earlier, by_key, kinds, cluster, members, pool, in_pool, used)


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED5)
    pl = pool_of(TUNING5, EARLIER5)
    earlier, by_key, kinds, cluster, members = pl.earlier, pl.by_key, pl.kinds, pl.cluster, pl.members
    pool, in_pool, used = pl.pool, pl.in_pool, pl.used

    origins = {k: origin(by_key[k]) for k in in_pool if kinds[k] == "person"}
    # The last parts of the pool's person names, by origin (a cousin's family name comes from the lists).
    families: dict[str, list[str]] = {"arabic": [], "cyrillic": [], "other": []}
    for k, o_ in origins.items():
        p = primary_of(by_key[k])
        if p and len(p.split()) >= 2 and len(fold(p.split()[-1])) >= 4:
            families[o_].append(p.split()[-1])
    families = {o_: sorted(set(f)) for o_, f in families.items()}

    pairs: list[Pair] = []

    add = pair_adder(pairs, earlier, kinds)

    def cousin(name: str, from_origin: str, own: set[str]) -> str | None:
        w = name.replace(",", " ").split()
        if len(w) < 2:
            return None
        pool_ = [f for f in families.get(from_origin, []) if not set(fold(f).split()) & own]
        if not pool_:
            return None
        return " ".join([*w[:-1], rng.choice(pool_)])

    for key in in_pool:
        x, k = by_key[key], kinds[key]
        ns = names(x)
        own = {t for n in ns for t in fold(n).split()}
        latin = [n for n in ns if script(n) == "latin"]
        arabic = [n for n in ns if script(n) == "arabic"]
        primary = primary_of(x)
        where = origins.get(key, "other")
        if k == "person" and primary and where == "arabic":
            # The primary name in three styles; another Latin alias that is the Arabic-script name too, in two.
            alias = next((la for la in latin if la != primary and any(script_alike(ar, la) for ar in arabic)), None)
            for src, n_styles in ((primary, 3), *(((alias, 2),) if alias else ())):
                src_ar = [ar for ar in arabic if script_alike(ar, src)][:1]
                for style in rng.sample(STYLES5, n_styles):
                    v = restyle5(src, style, rng, src_ar[0] if src_ar else None)
                    if fold(v) == fold(src) and not src_ar:
                        continue
                    add(v, src, 1, f"romanized5:{style}", key)
                    for ar in src_ar:
                        add(v, ar, 1, f"romanized5:{style}", key)
                        sib = cousin(v, "arabic", own)
                        if sib and rng.random() < 0.5:
                            add(sib, ar, 0, "sibling5-x", key)
                for ar in src_ar:
                    v = mixed(src, ar, rng)
                    if v:
                        add(v, src, 1, "mixed5", key)
        if k == "person" and primary and where == "cyrillic" and rng.random() < 0.7:
            v = latin_to_cyrillic(primary, rng)
            if v:
                add(v, primary, 1, "latin2cyr5:ru", key)
        if primary and rng.random() < 0.5:
            if k == "person":
                for how, v in person5(primary, rng):
                    add(v, primary, 1, how, key)
                sib = cousin(primary, where, own)
                if sib:
                    add(sib, primary, 0, "sibling5", key)
            elif k == "organization":
                for how, v in org5(primary, rng):
                    add(v, primary, 1, how, key)

    # Hard negatives: different entries of one list whose names WRatio calls alike.
    for src in ("un", "ofac"):
        keyed = [(key, n) for key in in_pool if key.startswith(src + ":") for n in names(by_key[key])[:2]]
        for i, j in alike_pairs(keyed, cluster, rng, fuzz.WRatio, 90, 2, 8000):
            (a, na), (b, nb) = keyed[i], keyed[j]
            if frozenset((na, nb)) in earlier or tokens(na) == tokens(nb):
                continue
            la, lb = len(fold(na)), len(fold(nb))
            if min(la, lb) < 0.6 * max(la, lb):
                continue  # one name a small part of the other (TEX in VERTEX): WRatio's partial case, no test
            pairs.append(pair5(na, nb, 0, "similar5", (a, b), b, kinds[a], kinds[b]))

    # Generated common names against the pool's listed person name most like them.
    listed = [(k, n) for k in in_pool for n in names(by_key[k]) if kinds[k] == "person"]
    all_person_tokens = {tokens(n) for k, x in by_key.items() if kinds[k] == "person" for n in names(x)}
    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON5:
        made = [n for n in common_names(lang, rng, 300, COMMON5) if tokens(n) not in all_person_tokens]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            add(n, listed[j][1], 0, f"common5:{lang}", listed[j][0])

    dev5, fifth = split_by_cluster(pairs, cluster, half5, "fifth", drop_contradicting=True)
    print(f"pool: {len(pool)} clusters ({len(in_pool)} entries) of {len(members)}; the tuning splits stand for "
          f"{len(used)} entries; pool persons by origin: "
          + ", ".join(f"{o_} {sum(1 for v in origins.values() if v == o_)}" for o_ in families))
    return dev5, fifth


def main() -> None:
    dev5, fifth = build()
    write_splits({"dev5": dev5, "fifth": fifth})


if __name__ == "__main__":
    main()
