"""A ninth pair evaluation for the name matcher: names in Hebrew, Greek and Georgian script, from list entries that no
pair of the eight tuning splits names, split by entry into a tuning half (``names_dev9``) and a frozen half
(``names_ninth``), read once at the end.

Why a ninth one: wave 18 read the eighth frozen split once (docs/benchmarks.md, "Name screening, wave 18"); its
figures no longer judge later changes. Every earlier evaluation held Hebrew, Greek and Georgian names only as
negatives (made common names), so nothing measured whether a listed person written in those scripts is found. This
one is built from kinds no earlier builder wrote, and written (its hash frozen in ``bench/names_eval.py``) before
any change it judges:

- **The pool** is every cluster none of whose entries a pair of ``tune`` or ``dev2`` to ``dev8`` names.
- **The pairs are new**: a pair whose two names an earlier split holds (any of the sixteen, either order) is
  dropped.
- **Nothing here looks at a matcher**: "alike" names use rapidfuzz and ``anyascii`` on plain text.

Positives (label 1):

- ``heb9:ar``: the Arabic-script name of a person of Arabic origin written in Hebrew letters as the Israeli press
  writes Arabic names (ג׳ for ج, ח׳ for خ, ע׳ for غ, ד׳ for ذ, ת׳ for ث, צ for ص, ט for ط, the article אל- with
  a hyphen, final letter forms), against the entry's Latin name of the same name and against the Arabic-script name;
- ``heb9:lat``: the Latin name of a person (of any origin: few Arabic-script names are left in the pool) in Hebrew
  letters as the press writes names it hears (ו for v, o and u, י for i and e, ט for t, פ for p and f, ג׳ for j,
  צ׳ for ch, ז׳ for zh, ח for kh, final forms), against that Latin name;
- ``el9``: the Latin name of a person in Greek letters as the Greek press writes foreign names (μπ for b, ντ for d,
  γκ for g, ου for u, τζ for j, τσ for ch, σ for sh, χ for kh and h, final ς), against that Latin name;
- ``ka9``: a listed Cyrillic person's name in Georgian letters as Georgian writes Russian names (the nominative -ი
  after a final consonant most of the time: პუტინი), against the Cyrillic name and against the entry's Latin name
  of the same name;
- ``org9:gr``: an organization name with its English legal form (LIMITED, LTD) in the Greek letters of Cyprus
  registers (ΛΤΔ, ΛΙΜΙΤΕΔ), against the name as listed.

Negatives (label 0):

- ``common9:<lang>``: generated common names of Arab citizens of Israel in Hebrew letters (``heb-ar``: the
  Latin spelling is used to find the listed person name most like it), Bulgaria (``bg``, Cyrillic), Romania
  (``ro``) and Poland (``pl``), from name pools no earlier builder used, against the listed person name most like
  them. A made name whose words hold a listed person's name of two or more words (or are held by one) is left out.

Run once: ``.venv/bin/python bench/names_ninth.py`` writes ``bench/data/names_{dev9,ninth}.jsonl.gz`` and prints
their SHA-256; ``bench/names_eval.py`` holds the frozen half's (``NINTH_SHA256``) and refuses to read it without
``--final``.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from names_eighth import EARLIER8, TUNING8
from names_fifth import entry_names, names, pair_adder, pool_of
from names_pairs import (
    OUT,
    Pair,
    common_names,
    fold,
    nearest,
    script_alike,
    split_by_cluster,
    write_splits,
)
from names_sixth import by_table, told_apart_from
from names_third import _sub

SEED9 = 20261216  # no earlier builder's seed: a shared one would split this pool along an earlier split
NINTH_SHARE = 50  # percent of the pool's clusters in the frozen half
TUNING9 = (*TUNING8, OUT / "names_dev8.jsonl.gz")
EARLIER9 = (*EARLIER8, OUT / "names_dev8.jsonl.gz", OUT / "names_eighth.jsonl.gz")


def half9(cluster: str) -> str:
    h = int(hashlib.sha256(f"ninth:{SEED9}:{cluster}".encode()).hexdigest(), 16) % 100
    return "ninth" if h < NINTH_SHARE else "dev9"


# --- Hebrew letters ------------------------------------------------------------------------------------------------

_GERESH = "׳"
_AR_TO_HE = {"ا": "א", "أ": "א", "إ": "א", "آ": "א", "ء": "א", "ئ": "א", "ؤ": "ו", "ب": "ב", "ت": "ת",
             "ث": "ת" + _GERESH, "ج": "ג" + _GERESH, "ح": "ח", "خ": "ח" + _GERESH, "د": "ד", "ذ": "ד" + _GERESH,
             "ر": "ר", "ز": "ז", "س": "ס", "ش": "ש", "ص": "צ", "ض": "ד" + _GERESH, "ط": "ט", "ظ": "ט" + _GERESH,
             "ع": "ע", "غ": "ע" + _GERESH, "ف": "פ", "ق": "ק", "ك": "כ", "ک": "כ", "ل": "ל", "م": "מ", "ن": "נ",
             "ه": "ה", "ة": "ה", "و": "ו", "ي": "י", "ی": "י", "ى": "א", "پ": "פ", "گ": "ג", "چ": "צ" + _GERESH}
_FINAL_HE = {"כ": "ך", "מ": "ם", "נ": "ן", "פ": "ף", "צ": "ץ"}


def _finals(word: str) -> str:
    """A Hebrew word with its last letter in its final form (not before a geresh: ג׳, צ׳ keep theirs)."""
    if word and word[-1] in _FINAL_HE:
        return word[:-1] + _FINAL_HE[word[-1]]
    return word


def arabic_to_hebrew(arabic: str, rng: random.Random) -> str:
    """An Arabic-script name in Hebrew letters (see the module's text); the article written אל- with a hyphen most of
    the time, and a ו for the u of Muhammad as the press writes it (מוחמד)."""
    words = []
    for w in arabic.split():
        if w in ("محمد", "الله", "اللہ"):  # Muhammad and Allah as the press writes them
            words.append("מוחמד" if w == "محمد" else "אללה")
            continue
        article = ""
        if w.startswith("ال") and len(w) > 3:
            article, w = rng.choice(("אל-", "אל-", "א-", "אל")), w[2:]
        he = "".join(_AR_TO_HE.get(c, "") for c in w)
        words.append(article + _finals(he))
    return " ".join(w for w in words if w.strip("-"))


_TO_HEBREW = (("shch", "שצ" + _GERESH), ("sch", "ש"), ("sh", "ש"), ("ch", "צ" + _GERESH), ("zh", "ז" + _GERESH),
              ("kh", "ח"), ("ts", "צ"), ("tz", "צ"), ("th", "ת"), ("ph", "פ"), ("ck", "ק"), ("ou", "ו"),
              ("oo", "ו"), ("ee", "י"), ("ie", "י"), ("ey", "יי"), ("ay", "יי"), ("yu", "יו"), ("ya", "יה"),
              ("a", ""), ("b", "ב"), ("c", "ק"), ("d", "ד"), ("e", ""), ("f", "פ"), ("g", "ג"), ("h", "ה"), ("i", "י"),
              ("j", "ג" + _GERESH), ("k", "ק"), ("l", "ל"), ("m", "מ"), ("n", "נ"), ("o", "ו"), ("p", "פ"), ("q", "ק"),
              ("r", "ר"), ("s", "ס"), ("t", "ט"), ("u", "ו"), ("v", "ו"), ("w", "ו"), ("x", "קס"), ("y", "י"),
              ("z", "ז"))


def latin_to_hebrew(name: str, rng: random.Random) -> str:
    """A Latin name in Hebrew letters by ``_TO_HEBREW``: a first vowel on א, a final a as ה or א, an inner a or e
    written as א or י some of the time and else left out, a doubled letter once, final forms."""
    words = []
    for w in fold(name).split():
        w = re.sub(r"(.)\1", r"\1", re.sub(r"c(?=[eiy])", "s", w))
        head = "א" if w[:1] in "aeiou" else ""
        if head and w[:1] in "ae":
            w = w[1:]
        tail = ""
        if len(w) > 2 and w.endswith("a"):
            w, tail = w[:-1], rng.choice(("ה", "א"))
        w = w[:1] + _sub(r"(?<=[^aeiou])a(?=[^aeiouy])", "A", w[1:], rng, 0.3)
        w = _sub(r"(?<=[^aeiou])e(?=[^aeiouy])", "E", w, rng, 0.3)
        he = "".join({"A": "א", "E": "י"}.get(part) or by_table(part, _TO_HEBREW) for part in re.split("([AE])", w))
        words.append(_finals(head + he + tail))
    return " ".join(w for w in words if w)


# --- Greek letters -------------------------------------------------------------------------------------------------

_TO_GREEK = (("shch", "σς"), ("sch", "σ"), ("sh", "σ"), ("ch", "τσ"), ("zh", "ζ"), ("kh", "χ"), ("ts", "τσ"),
             ("tz", "τζ"), ("th", "θ"), ("ph", "φ"), ("ck", "κ"), ("ou", "ου"), ("oo", "ου"), ("ee", "ι"),
             ("ie", "ι"), ("ey", "ει"), ("ay", "αϊ"), ("yu", "γιου"), ("ya", "για"), ("mb", "μπ"), ("nd", "ντ"),
             ("ng", "νγκ"), ("a", "α"), ("b", "μπ"), ("c", "κ"), ("d", "ντ"), ("e", "ε"), ("f", "φ"), ("g", "γκ"),
             ("h", "χ"), ("i", "ι"), ("j", "τζ"), ("k", "κ"), ("l", "λ"), ("m", "μ"), ("n", "ν"), ("o", "ο"),
             ("p", "π"), ("q", "κ"), ("r", "ρ"), ("s", "σ"), ("t", "τ"), ("u", "ου"), ("v", "β"), ("w", "ου"),
             ("x", "ξ"), ("y", "ι"), ("z", "ζ"))


def latin_to_greek(name: str, rng: random.Random) -> str:
    """A Latin name in Greek capitals or lower case with its first letter capital, by ``_TO_GREEK``; a final s as
    ς, a doubled letter once, an o as ω some of the time."""
    words = []
    for w in fold(name).split():
        w = re.sub(r"(.)\1", r"\1", re.sub(r"c(?=[eiy])", "s", w))
        gr = by_table(w, _TO_GREEK)
        gr = _sub("(?<![αε])ο(?![υι])", "ω", gr, rng, 0.15)  # not the ο of ου, οι
        if gr.endswith("σ"):
            gr = gr[:-1] + "ς"
        words.append(gr)
    if rng.random() < 0.3:
        return " ".join(w.upper() for w in words if w)
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


# --- Georgian letters ----------------------------------------------------------------------------------------------

_CYR_TO_KA = dict(zip("абвгдежзийклмнопрстуфхцчшыэ", "აბვგდეჟზიიკლმნოპრსტუფხცჩშიე", strict=True)) | {
    "ё": "იო", "щ": "შჩ", "ъ": "", "ь": "", "ю": "იუ", "я": "ია", "і": "ი", "ї": "იი", "є": "იე", "ґ": "გ"}
_KA_VOWELS = "აეიოუ"


def cyrillic_to_georgian(name: str, rng: random.Random) -> str:
    """A Cyrillic name in Georgian letters; the nominative -ი after a word's final consonant, most of the time."""
    words = []
    for w in name.lower().split():
        ka = "".join(_CYR_TO_KA.get(c, "") for c in w)
        if ka and ka[-1] not in _KA_VOWELS and rng.random() < 0.7:
            ka += "ი"
        words.append(ka)
    return " ".join(w for w in words if w)


# --- organization names: a Cyprus legal form in Greek letters --------------------------------------------------------

def org9(name: str, rng: random.Random) -> list[tuple[str, str]]:
    upper = " ".join(name.upper().split())
    m = re.fullmatch(r"(?:THE )?(.+?)[,\s]+(?:LIMITED|LTD\.?)", upper)
    if not m or len(m.group(1)) < 3:
        return []
    return [("org9:gr", f"{m.group(1)} {rng.choice(('ΛΤΔ', 'ΛΙΜΙΤΕΔ', 'ΛΙΜΙΤΕΔ', 'ΛΤΔ.'))}")]


# --- common names from pools no earlier builder used ---------------------------------------------------------------

# Arab citizens of Israel: (Latin, Hebrew) for each name, so that the listed name most like the made one is found on
# its Latin spelling and the pair holds its Hebrew one.
HEB_AR: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = (
    (("Muhammad", "מוחמד"), ("Ahmad", "אחמד"), ("Mahmoud", "מחמוד"), ("Yousef", "יוסף"), ("Ibrahim", "איברהים"),
     ("Khaled", "ח׳אלד"), ("Omar", "עומר"), ("Ali", "עלי"), ("Samir", "סמיר"), ("Nizar", "ניזאר"),
     ("Jamal", "ג׳מאל"), ("Rami", "ראמי"), ("Fadi", "פאדי"), ("Amal", "אמל"), ("Rana", "רנא"),
     ("Samira", "סמירה"), ("Lina", "לינא"), ("Hanan", "חנאן"), ("Aisha", "עאישה"), ("Manal", "מנאל")),
    (("Mahameed", "מחאמיד"), ("Jabareen", "ג׳בארין"), ("Aghbaria", "אגבאריה"), ("Zoabi", "זועבי"),
     ("Masarwa", "מסארווה"), ("Abu Rabia", "אבו רביעה"), ("Tibi", "טיבי"), ("Odeh", "עודה"), ("Ghanem", "ע׳אנם"),
     ("Khatib", "ח׳טיב"), ("Badarneh", "בדארנה"), ("Assadi", "אסדי"), ("Taha", "טאהא"), ("Nassar", "נסאר"),
     ("Haj Yahia", "חאג׳ יחיא"), ("Abu Snan", "אבו סנאן"), ("Darawshe", "דראושה"), ("Kabha", "כבהא"),
     ("Sweid", "סוייד"), ("Hamdan", "חמדאן")),
)
COMMON9: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bg": (("Георги", "Иван", "Димитър", "Николай", "Петър", "Христо", "Стоян", "Тодор", "Васил", "Красимир",
            "Мария", "Иванка", "Елена", "Йорданка", "Пенка", "Десислава", "Цветелина", "Радка", "Веселина",
            "Снежана"),
           ("Георгиев", "Иванов", "Димитров", "Петров", "Николов", "Христов", "Стоянов", "Тодоров", "Илиев",
            "Атанасов", "Пеев", "Колев", "Ангелов", "Маринов", "Цветков", "Йорданов", "Вълчев", "Кирилов",
            "Стефанов", "Костадинов")),
    "ro": (("Andrei", "Alexandru", "Mihai", "Ionuț", "Florin", "Cristian", "Gheorghe", "Vasile", "Bogdan", "Răzvan",
            "Elena", "Ioana", "Maria", "Andreea", "Cristina", "Mihaela", "Alina", "Roxana", "Daniela", "Simona"),
           ("Popescu", "Ionescu", "Popa", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei", "Ciobanu",
            "Rusu", "Munteanu", "Constantin", "Marin", "Tudor", "Moldovan", "Dinu", "Lungu", "Barbu", "Nistor")),
    "pl": (("Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Grzegorz", "Jakub", "Łukasz",
            "Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Magdalena", "Joanna", "Dorota",
            "Zofia"),
           ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
            "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk",
            "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski")),
}


def common_heb_ar(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` distinct made (Latin, Hebrew) names of Arab citizens of Israel: given name then family name, with the
    father's given name between them some of the time."""
    given, family = HEB_AR
    out: dict[str, str] = {}
    while len(out) < n:
        g, f = rng.choice(given), rng.choice(family)
        if rng.random() < 0.3:
            father = rng.choice(given[:15])
            out[f"{g[0]} {father[0]} {f[0]}"] = f"{g[1]} {father[1]} {f[1]}"
        else:
            out[f"{g[0]} {f[0]}"] = f"{g[1]} {f[1]}"
    return sorted(out.items())


# --- building --------------------------------------------------------------------------------------------------


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED9)
    pl = pool_of(TUNING9, EARLIER9)
    earlier, by_key, kinds, cluster, members = pl.earlier, pl.by_key, pl.kinds, pl.cluster, pl.members
    pool, in_pool, used = pl.pool, pl.in_pool, pl.used

    pairs: list[Pair] = []

    add = pair_adder(pairs, earlier, kinds)

    for key in in_pool:
        x, k = by_key[key], kinds[key]
        latin, arabic, cyrillic, primary, where = entry_names(x, k)
        if k == "person" and where == "arabic":
            for ar in arabic[:2]:
                la = next((la for la in latin if script_alike(ar, la)), None)
                if la is None:
                    continue
                he = arabic_to_hebrew(ar, rng)
                add(he, la, 1, "heb9:ar", key)
                add(he, ar, 1, "heb9:ar", key)
        if k == "person" and primary and rng.random() < 0.6:
            v = latin_to_hebrew(primary, rng)
            if v:
                add(v, primary, 1, "heb9:lat", key)
        if k == "person" and primary and rng.random() < 0.5:
            v = latin_to_greek(primary, rng)
            if v:
                add(v, primary, 1, "el9", key)
        if cyrillic and k == "person":
            cy = cyrillic[0]
            v = cyrillic_to_georgian(cy, rng)
            if v:
                add(v, cy, 1, "ka9", key)
                same = next((la for la in latin[:3] if script_alike(cy, la)), None)
                if same:
                    add(v, same, 1, "ka9", key)
        if primary and k == "organization" and rng.random() < 0.7:
            for how, v in org9(primary, rng):
                add(v, primary, 1, how, key)

    # Generated common names against the pool's listed person name most like them.
    listed = [(k, n) for k in in_pool for n in names(by_key[k]) if kinds[k] == "person"]
    told_apart = told_apart_from(by_key, kinds)
    ltexts = [fold(n) for _, n in listed]
    made_pairs = [(la, he) for la, he in common_heb_ar(rng, 300) if told_apart(la)]
    for (_, he), j in zip(made_pairs, nearest([la for la, _ in made_pairs], ltexts), strict=True):
        add(he, listed[j][1], 0, "common9:heb-ar", listed[j][0])
    for lang in COMMON9:
        made = [n for n in common_names(lang, rng, 300, COMMON9) if told_apart(n)]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            add(n, listed[j][1], 0, f"common9:{lang}", listed[j][0])

    dev9, ninth = split_by_cluster(pairs, cluster, half9, "ninth", drop_contradicting=True)
    print(f"pool: {len(pool)} clusters ({len(in_pool)} entries) of {len(members)}; the tuning splits stand for "
          f"{len(used)} entries")
    return dev9, ninth


def main() -> None:
    dev9, ninth = build()
    write_splits({"dev9": dev9, "ninth": ninth})


if __name__ == "__main__":
    main()
