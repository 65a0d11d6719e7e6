"""A tenth pair evaluation for the name matcher: names in Devanagari, Bengali, Ethiopic and Katakana script, from list
entries that no pair of the nine tuning splits names, split by entry into a tuning half (``names_dev10``) and a
frozen half (``names_tenth``), read once at the end.

Why a tenth one: wave 18 read the ninth frozen split once (docs/benchmarks.md, "Name screening, wave 18
(continued)"); its figures no longer judge later changes. No earlier evaluation held a name in the scripts of South
Asia (Hindi, Bengali), the Horn of Africa (Amharic, Tigrinya) or Japan, where platforms and banks screen names that
their users type in those scripts. This one is built from kinds no earlier builder wrote, and written (its hash
frozen in ``bench/names_eval.py``) before any change it judges:

- **The pool** is every cluster none of whose entries a pair of ``tune`` or ``dev2`` to ``dev9`` names. After nine
  evaluations few listed people are left in it (about 170 of the lists' persons); the kinds here are all persons'.
- **The pairs are new**: a pair whose two names an earlier split holds (any of the eighteen, either order) is
  dropped.
- **Nothing here looks at a matcher**: "alike" names use rapidfuzz on plain text.

Positives (label 1), each the Latin name of a listed person against that Latin name (and against the entry's
Arabic-script name of the same name, where it has one), written as the press of that script writes foreign names
it hears:

- ``hi10``: Devanagari as Hindi writes it: consonants with their vowel signs, the short a unwritten, a cluster
  joined by the virama most of the time, a t and d written with the dental or the retroflex letter, an a or i long
  or short, nukta letters for z, f and q some of the time (ज़, फ़, क़);
- ``bn10``: Bengali script as Bengali writes it: the same shape with Bengali letters, ভ for v, য় for y between
  vowels;
- ``am10``: Ethiopic as Amharic writes it: one syllable letter for a consonant and its vowel (the sixth order for
  a consonant with none), a first vowel on አ;
- ``ja10``: Katakana as Japanese writes foreign names: one kana for a consonant and its vowel, an added u (o after
  t and d) after a consonant with none, r for l, ン for n, ッ before a doubled consonant, ー for a long vowel some
  of the time, the words apart by ・ or a space.

Negatives (label 0):

- ``common10:<lang>``: generated common names of India (``hi``, Devanagari), Bangladesh (``bn``, Bengali script),
  Ethiopia (``am``, Ethiopic) and Japan (``ja``, Katakana), from name pools no earlier builder used, written by the
  same writers, against the listed person name most like their Latin spelling. A made name whose words hold a
  listed person's name of two or more words (or are held by one) is left out.

Run once: ``.venv/bin/python bench/names_tenth.py`` writes ``bench/data/names_{dev10,tenth}.jsonl.gz`` and prints
their SHA-256; ``bench/names_eval.py`` holds the frozen half's (``TENTH_SHA256``) and refuses to read it without
``--final``.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from names_fifth import entry_names, names, pair_adder, pool_of
from names_ninth import EARLIER9, TUNING9
from names_pairs import OUT, Pair, common_names, fold, nearest, script_alike, split_by_cluster, write_splits
from names_sixth import told_apart_from

SEED10 = 20261217  # no earlier builder's seed: a shared one would split this pool along an earlier split
TENTH_SHARE = 50  # percent of the pool's clusters in the frozen half
TUNING10 = (*TUNING9, OUT / "names_dev9.jsonl.gz")
EARLIER10 = (*EARLIER9, OUT / "names_dev9.jsonl.gz", OUT / "names_ninth.jsonl.gz")


def half10(cluster: str) -> str:
    h = int(hashlib.sha256(f"tenth:{SEED10}:{cluster}".encode()).hexdigest(), 16) % 100
    return "tenth" if h < TENTH_SHARE else "dev10"


# --- a Latin name as sounds ----------------------------------------------------------------------------------------

# Latin spellings read as (consonant or vowel) sounds, longest first; vowels are upper case (A short a, AA long a,
# I, II, U, UU, E, AI, O, AU).
_SOUNDS = (("shch", "sh ch"), ("tch", "ch"), ("sch", "sh"), ("sh", "sh"), ("ch", "ch"), ("kh", "kh"), ("gh", "gh"),
           ("th", "th"), ("dh", "dh"), ("ph", "f"), ("zh", "zh"), ("ts", "ts"), ("ck", "k"), ("dj", "j"),
           ("aa", "AA"), ("ee", "II"), ("oo", "UU"), ("ou", "UU"), ("ai", "AI"), ("ay", "AI"), ("ei", "E"), ("ey", "E"),
           ("au", "AU"), ("aw", "AU"), ("ie", "II"), ("a", "A"), ("e", "E"), ("i", "I"), ("o", "O"), ("u", "U"),
           ("b", "b"), ("c", "k"), ("d", "d"), ("f", "f"), ("g", "g"), ("h", "h"), ("j", "j"), ("k", "k"), ("l", "l"),
           ("m", "m"), ("n", "n"), ("p", "p"), ("q", "q"), ("r", "r"), ("s", "s"), ("t", "t"), ("v", "v"), ("w", "w"),
           ("x", "k s"), ("y", "y"), ("z", "z"))
_VOWEL_SOUNDS = {"A", "AA", "I", "II", "U", "UU", "E", "AI", "O", "AU"}
_GLIDES = {"ay", "aw", "ey"}


def sounds(word: str) -> list[str]:
    """A folded Latin word as its sounds (see ``_SOUNDS``): a c before e, i or y is s; a y between vowels or first
    before a vowel is the consonant y, else the vowel i."""
    w = re.sub(r"c(?=[eiy])", "s", word)
    out: list[str] = []
    i = 0
    while i < len(w):
        for src, dst in _SOUNDS:
            if src in _GLIDES and w[i + 2:i + 3] in tuple("aeiou"):
                continue  # Zawahiri, Sayid: the w or y between vowels is a consonant
            if w.startswith(src, i):
                out.extend(dst.split())
                i += len(src)
                break
        else:
            i += 1
    for k, s in enumerate(out):
        if s == "y" and not (k + 1 < len(out) and out[k + 1] in _VOWEL_SOUNDS):
            out[k] = "I"
    return out


# --- Devanagari and Bengali --------------------------------------------------------------------------------------

_DEVANAGARI = {
    "k": ("क",), "kh": ("ख", "ख़"), "g": ("ग",), "gh": ("घ", "ग़"), "ch": ("च",), "j": ("ज",), "t": ("त", "ट"),
    "th": ("थ",), "d": ("द", "ड"), "dh": ("ध",), "n": ("न",), "p": ("प",), "f": ("फ़", "फ"), "b": ("ब",),
    "m": ("म",), "y": ("य",), "r": ("र",), "l": ("ल",), "v": ("व",), "w": ("व",), "s": ("स",), "sh": ("श",),
    "zh": ("ज़",), "h": ("ह",), "z": ("ज़", "ज"), "q": ("क़", "क"), "ts": ("त्स",)}
_DEV_VOWELS = {"A": ("अ", ""), "AA": ("आ", "ा"), "I": ("इ", "ि"), "II": ("ई", "ी"), "U": ("उ", "ु"),
               "UU": ("ऊ", "ू"), "E": ("ए", "े"), "AI": ("ऐ", "ै"), "O": ("ओ", "ो"), "AU": ("औ", "ौ")}
_BENGALI = {
    "k": ("ক",), "kh": ("খ",), "g": ("গ",), "gh": ("ঘ", "গ"), "ch": ("চ",), "j": ("জ",), "t": ("ত", "ট"),
    "th": ("থ",), "d": ("দ", "ড"), "dh": ("ধ",), "n": ("ন",), "p": ("প",), "f": ("ফ",), "b": ("ব",), "m": ("ম",),
    "y": ("য়",), "r": ("র",), "l": ("ল",), "v": ("ভ",), "w": ("ওয়",), "s": ("স",), "sh": ("শ",),
    "zh": ("জ",), "h": ("হ",), "z": ("জ", "য"), "q": ("ক",), "ts": ("ৎস",)}
_BN_VOWELS = {"A": ("অ", ""), "AA": ("আ", "া"), "I": ("ই", "ি"), "II": ("ঈ", "ী"), "U": ("উ", "ু"),
              "UU": ("ঊ", "ূ"), "E": ("এ", "ে"), "AI": ("ঐ", "ৈ"), "O": ("ও", "ো"), "AU": ("ঔ", "ৌ")}
_INDIC = {"hi": (_DEVANAGARI, _DEV_VOWELS, "्"), "bn": (_BENGALI, _BN_VOWELS, "্")}


def _lengthen(s: list[str], rng: random.Random) -> list[str]:
    """A Latin a, i or u is long or short in the other script: a last a or i long, one inside long some of the
    time."""
    out = []
    for k, v in enumerate(s):
        last = k == len(s) - 1
        if v == "A" and (last or rng.random() < 0.45):
            v = "AA"
        elif v == "I" and (last or rng.random() < 0.3):
            v = "II"
        elif v == "U" and rng.random() < 0.2:
            v = "UU"
        out.append(v)
    return out


def latin_to_indic(name: str, lang: str, rng: random.Random) -> str:
    """A Latin name in Devanagari (``hi``) or Bengali (``bn``) letters (see the module's text)."""
    consonants, vowels, virama = _INDIC[lang]
    words = []
    for w in fold(name).split():
        s = _lengthen(sounds(w), rng)
        out = ""
        k = 0
        while k < len(s):
            v = s[k]
            if v in _VOWEL_SOUNDS:
                out += vowels[v][0]  # a vowel no consonant carries: its own letter
                k += 1
                continue
            c = rng.choice(consonants[v]) if v in ("t", "d", "z", "q", "f", "gh", "kh") else consonants[v][0]
            doubled = k + 1 < len(s) and s[k + 1] == v
            if doubled:
                k += 1  # a doubled consonant: one letter, joined to itself by the virama
                out += c + virama
            nxt = s[k + 1] if k + 1 < len(s) else None
            if nxt in _VOWEL_SOUNDS:
                out += c + vowels[nxt][1]
                k += 2
            elif nxt is None:
                out += c
                k += 1
            else:
                out += c + (virama if rng.random() < 0.8 else "")
                k += 1
        words.append(out)
    return " ".join(w for w in words if w)


def _two_vowels(s: list[str]) -> list[str]:
    """AI and AU as the two vowels a syllabary writes them with (Ayman: አይማን, アイマン)."""
    out: list[str] = []
    for v in s:
        out.extend({"AI": ("A", "y"), "AU": ("A", "w")}.get(v, (v,)))
    return out


# --- Ethiopic ------------------------------------------------------------------------------------------------------

_ETHIOPIC_BASE = {"h": 0x1200, "l": 0x1208, "m": 0x1218, "r": 0x1228, "s": 0x1230, "sh": 0x1238, "q": 0x1240,
                  "b": 0x1260, "v": 0x1268, "t": 0x1270, "ch": 0x1278, "n": 0x1290, "": 0x12A0, "k": 0x12A8,
                  "kh": 0x12B8, "w": 0x12C8, "z": 0x12D8, "zh": 0x12E0, "y": 0x12E8, "d": 0x12F0, "j": 0x1300,
                  "g": 0x1308, "p": 0x1350, "f": 0x1348, "ts": 0x1338, "th": 0x1270, "dh": 0x12D8, "gh": 0x1308}
# The orders: 0 ä (a short a), 1 u, 2 i, 3 a, 4 e, 5 ə or no vowel, 6 o.
_ETHIOPIC_ORDER = {"A": 3, "AA": 3, "I": 2, "II": 2, "U": 1, "UU": 1, "E": 4, "AI": 4, "O": 6, "AU": 6}


def latin_to_ethiopic(name: str, rng: random.Random) -> str:
    """A Latin name in Ethiopic syllables (see the module's text); a short a written in the first order some of the
    time."""
    words = []
    for w in fold(name).split():
        s = _two_vowels(sounds(w))
        out = ""
        k = 0
        while k < len(s):
            v = s[k]
            if v in _VOWEL_SOUNDS:
                out += chr(_ETHIOPIC_BASE[""] + (0 if v in ("A", "AA") else _ETHIOPIC_ORDER[v]))
                k += 1
                continue
            if k + 1 < len(s) and s[k + 1] == v:
                k += 1  # a doubled consonant: written once (Amharic does not mark length)
            nxt = s[k + 1] if k + 1 < len(s) else None
            if nxt in _VOWEL_SOUNDS:
                order = 0 if nxt == "A" and k > 0 and rng.random() < 0.35 else _ETHIOPIC_ORDER[nxt]
                out += chr(_ETHIOPIC_BASE[v] + order)
                k += 2
            else:
                out += chr(_ETHIOPIC_BASE[v] + 5)
                k += 1
        words.append(out)
    return " ".join(w for w in words if w)


# --- Katakana ------------------------------------------------------------------------------------------------------

_KANA_ROWS = {  # consonant: kana for a, i, u, e, o
    "": "アイウエオ", "k": "カキクケコ", "g": "ガギグゲゴ", "s": "サシスセソ", "z": "ザジズゼゾ", "t": "タチツテト",
    "d": "ダジヅデド", "n": "ナニヌネノ", "h": "ハヒフヘホ", "b": "バビブベボ", "p": "パピプペポ", "m": "マミムメモ",
    "y": "ヤイユエヨ", "r": "ラリルレロ", "w": "ワイウエオ"}
_KANA_SPECIAL = {("t", "I"): "ティ", ("t", "U"): "トゥ", ("d", "I"): "ディ", ("d", "U"): "ドゥ", ("s", "I"): "シ",
                 ("z", "I"): "ジ", ("f", "A"): "ファ", ("f", "I"): "フィ", ("f", "U"): "フ", ("f", "E"): "フェ",
                 ("f", "O"): "フォ", ("v", "A"): "ヴァ", ("v", "I"): "ヴィ", ("v", "U"): "ヴ", ("v", "E"): "ヴェ",
                 ("v", "O"): "ヴォ", ("w", "I"): "ウィ", ("w", "E"): "ウェ", ("w", "O"): "ウォ", ("y", "E"): "イェ",
                 ("h", "U"): "フ", ("ts", "U"): "ツ"}
_KANA_Y = {"sh": ("シ", "シャ", "シ", "シュ", "シェ", "ショ"), "ch": ("チ", "チャ", "チ", "チュ", "チェ", "チョ"),
           "j": ("ジ", "ジャ", "ジ", "ジュ", "ジェ", "ジョ"), "zh": ("ジ", "ジャ", "ジ", "ジュ", "ジェ", "ジョ"),
           "ts": ("ツ", "ツァ", "ツィ", "ツ", "ツェ", "ツォ")}
_KANA_AS = {"l": "r", "q": "k", "kh": "h", "gh": "g", "th": "s", "dh": "z", "c": "k"}
_VOWEL_COLUMN = {"A": 0, "AA": 0, "I": 1, "II": 1, "U": 2, "UU": 2, "E": 3, "AI": 3, "O": 4, "AU": 4}


def _kana(c: str, v: str) -> str:
    """One kana (or two) for consonant ``c`` (``""`` for none) and vowel ``v``."""
    if c in _KANA_Y:
        return _KANA_Y[c][1 + _VOWEL_COLUMN[v]]
    if (c, v[:1]) in _KANA_SPECIAL:
        return _KANA_SPECIAL[(c, v[:1])]
    if c in ("f", "v"):
        c = "h" if c == "f" else "b"
    return _KANA_ROWS[c][_VOWEL_COLUMN[v]]


def latin_to_katakana(name: str, rng: random.Random) -> str:
    """A Latin name in Katakana (see the module's text)."""
    words = []
    for w in fold(name).split():
        s = [_KANA_AS.get(x, x) for x in _two_vowels(sounds(w))]
        out = ""
        k = 0
        while k < len(s):
            v = s[k]
            if v in _VOWEL_SOUNDS:
                out += _kana("", v) + ("ー" if v in ("AA", "II", "UU") and rng.random() < 0.5 else "")
                k += 1
                continue
            nxt = s[k + 1] if k + 1 < len(s) else None
            if v == "n" and nxt not in _VOWEL_SOUNDS:
                out += "ン"
                k += 1
                continue
            if nxt == v and v not in ("m", "n"):
                out += "ッ"  # a doubled consonant: the small tsu before it
                k += 1
                continue
            if nxt == v:  # mm, nn: ン then the consonant
                out += "ン"
                k += 1
                continue
            if nxt in _VOWEL_SOUNDS:
                out += _kana(v, nxt) + ("ー" if nxt in ("AA", "II", "UU") and rng.random() < 0.5 else "")
                k += 2
            elif v in ("y", "w"):
                out += "イ" if v == "y" else "ウ"  # a glide after a vowel: the vowel's kana (アイマン)
                k += 1
            else:
                out += _kana(v, "O" if v in ("t", "d") else ("I" if v in ("ch", "j", "sh") else "U"))
                k += 1
        words.append(out)
    return rng.choice(("・", "・", " ")).join(w for w in words if w)


WRITERS = {"hi10": lambda n, rng: latin_to_indic(n, "hi", rng), "bn10": lambda n, rng: latin_to_indic(n, "bn", rng),
           "am10": latin_to_ethiopic, "ja10": latin_to_katakana}


# --- common names from pools no earlier builder used ---------------------------------------------------------------

COMMON10: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "hi": (("Rahul", "Amit", "Sunil", "Rajesh", "Sanjay", "Vijay", "Priya", "Pooja", "Anjali", "Suresh", "Ramesh",
            "Deepak", "Manoj", "Anil", "Sunita", "Neha", "Kavita", "Arjun", "Rohit", "Vikram"),
           ("Sharma", "Verma", "Gupta", "Singh", "Kumar", "Yadav", "Patel", "Mishra", "Pandey", "Joshi", "Reddy",
            "Nair", "Mehta", "Chauhan", "Agarwal", "Tiwari", "Dubey", "Saxena", "Srivastava", "Thakur")),
    "bn": (("Mizanur", "Habibur", "Anisur", "Rafiqul", "Shafiqul", "Mahbub", "Sumon", "Rubel", "Shahin", "Jahangir",
            "Nasrin", "Fatema", "Rokeya", "Shirin", "Taslima", "Sharmin", "Shapla", "Mithu", "Tanvir", "Sabbir"),
           ("Rahman", "Hossain", "Islam", "Uddin", "Chowdhury", "Alam", "Miah", "Sarkar", "Talukder", "Bhuiyan",
            "Mollah", "Haque", "Kabir", "Akter", "Begum", "Das", "Roy", "Biswas", "Mondal", "Sikder")),
    "am": (("Abebe", "Alemu", "Bekele", "Girma", "Kebede", "Tesfaye", "Mulugeta", "Dawit", "Yonas", "Meseret",
            "Tigist", "Almaz", "Hirut", "Selam", "Genet", "Biruk", "Mekonnen", "Tadesse", "Getachew", "Yohannes"),
           ("Wolde", "Desta", "Gebre", "Tefera", "Ayele", "Asfaw", "Lemma", "Negash", "Worku", "Zewde", "Haile",
            "Tsegaye", "Demissie", "Assefa", "Berhanu", "Mengistu", "Abera", "Kassa", "Shiferaw", "Teshome")),
    "ja": (("Hiroshi", "Takashi", "Kenji", "Yuki", "Akira", "Satoshi", "Naoko", "Keiko", "Yumiko", "Haruka",
            "Daisuke", "Kazuo", "Makoto", "Shota", "Yuta", "Emi", "Aya", "Mai", "Rina", "Sakura"),
           ("Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
            "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori",
            "Abe")),
}
_COMMON_WRITER = {"hi": "hi10", "bn": "bn10", "am": "am10", "ja": "ja10"}


# --- building --------------------------------------------------------------------------------------------------


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED10)
    pl = pool_of(TUNING10, EARLIER10)
    by_key, kinds, in_pool = pl.by_key, pl.kinds, pl.in_pool
    pairs: list[Pair] = []
    add = pair_adder(pairs, pl.earlier, kinds)
    for key in in_pool:
        x, k = by_key[key], kinds[key]
        latin, arabic, _cyrillic, primary, _where = entry_names(x, k)
        if k != "person" or not primary:
            continue
        same_ar = [ar for ar in arabic if script_alike(ar, primary)][:1]
        for how, write in WRITERS.items():
            if rng.random() >= 0.6:
                continue
            v = write(primary, rng)
            if not v:
                continue
            add(v, primary, 1, how, key)
            for ar in same_ar:
                add(v, ar, 1, how, key)
        aliases = [la for la in latin if la != primary][:1]
        for alias in aliases:
            how = rng.choice(sorted(WRITERS))
            v = WRITERS[how](alias, rng)
            if v:
                add(v, alias, 1, how, key)

    # Generated common names, written in their script, against the pool's listed person name most like them.
    listed = [(k, n) for k in in_pool for n in names(by_key[k]) if kinds[k] == "person"]
    told_apart = told_apart_from(by_key, kinds)
    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON10:
        made = [n for n in common_names(lang, rng, 200, COMMON10) if told_apart(n)]
        write = WRITERS[_COMMON_WRITER[lang]]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            add(write(n, rng), listed[j][1], 0, f"common10:{lang}", listed[j][0])

    dev10, tenth = split_by_cluster(pairs, pl.cluster, half10, "tenth", drop_contradicting=True)
    print(f"pool: {len(pl.pool)} clusters ({len(in_pool)} entries) of {len(pl.members)}; the tuning splits stand "
          f"for {len(pl.used)} entries")
    return dev10, tenth


def main() -> None:
    dev10, tenth = build()
    write_splits({"dev10": dev10, "tenth": tenth})


if __name__ == "__main__":
    main()
