"""An eighth pair evaluation for the name matcher: new pair kinds, from list entries that no pair of the seven tuning
splits names, split by entry into a tuning half (``names_dev8``) and a frozen half (``names_eighth``), read once at
the end.

Why an eighth one: wave 17 read the seventh frozen split once (docs/benchmarks.md, "Name screening, wave 17"); its
figures no longer judge later changes. This one is built from kinds no earlier builder wrote, and written (its hash
frozen in ``bench/names_eval.py``) before any change it judges:

- **The pool** is every cluster none of whose entries a pair of ``tune`` or ``dev2`` to ``dev7`` names: the entries
  of the seven frozen splits (scored in aggregate and by kind, never tuned on pair by pair) and those no pair named.
- **The pairs are new**: a pair whose two names an earlier split holds (any of the fourteen, either order) is
  dropped.
- **Nothing here looks at a matcher**: "alike" names use rapidfuzz and ``anyascii`` on plain text.

Positives (label 1):

- ``romanized8:<style>``: the Latin name of a person of Arabic origin respelt in a style no earlier builder wrote:
  ``sahel`` (French-speaking West Africa and Mauritania: Mamadou, Amadou, Oumar, Ousmane, Aboubacar, Abdoulaye,
  Alassane, Seydou, Souleymane, Ibrahima, Cheick; ou for u, dj for j, ch for sh; ag or ould for bin, mint for
  bint; no article), ``ku`` (Kurmanji Kurdish: Mihemed, Ehmed, Ebdullah, Elî, Hesen; x for kh, ş, ç, c for j, e
  for a some of the time, î and û) and ``az`` (Azerbaijani: Məhəmməd, Əli, Həsən, Hüseyn, Cəfər; x for kh, c for
  j, ş, ç, ğ for gh, ə for a some of the time). The primary name in the three styles and up to two other Latin
  aliases that are the entry's Arabic-script name too in two, each against the Latin name it came from and against
  the entry's Arabic-script name when it is the same name;
- ``cyr8:<lang>``: the Latin name of a person of Arabic origin written in ``tt`` (Tatar: Габдулла for Abdullah,
  Гали for Ali, Гомәр for Umar, ә, ө, җ, a final т for d: Әхмәт), ``tg`` (Tajik: ҳ, ҷ, ғ, қ, ӣ, ӯ, o for a long a:
  Абдуллоҳ, Раҳмон) or ``uz`` (Uzbek: ҳ, қ, ғ, ў, ж for j, Абдулла, Абдураҳмон) Cyrillic (the primary name in two
  of them, those aliases in one), against that Latin name and against the entry's Arabic-script name when it is the
  same name;
- ``ar8:order``: an Arabic-script name of three or more words with its last word (the family name or nisba) put
  first, as registers sorted by family name write it, against the entry's Latin name of the same name;
- ``lat2ar8:ur``: the Latin name of a person not of Arabic origin in Urdu script as Urdu news writes foreign names
  (ٹ and ڈ for t and d, ے for a final e or ay, تھ for th, چ, گ, پ, و for v), against that Latin name;
- ``cyrillic8:<scheme>``: a listed Cyrillic-script name romanized as ``tr`` (Turkish: ç, ş, j for ж, y for й, ı for
  ы), ``ro`` (Romanian: ș, ț, ci and ce, gh and ch before e and i, î for ы), ``pt`` (Portuguese: ch for ш, tch for
  ч, j for ж, gu before e and i) or ``nl`` (Dutch: oe for у, sj for ш, tsj for ч, zj for ж, ch for х, j for й)
  write it, against the Cyrillic name and against the entry's Latin name of the same name;
- ``org8:<how>``: an organization name with its legal form (LLC or a joint-stock form) moved to the front
  (``legal-front``: LLC X, JSC X, as registers of the former Soviet Union write them), in Turkish legal form
  (``tr``: X LİMİTED ŞİRKETİ, X A.Ş., X TİC. LTD. ŞTİ.) or, half the time for a limited company, in a free-zone
  form of the Emirates (``fz``: X FZE, X FZCO, X FZ-LLC, X DMCC) for the one it has.

Negatives (label 0):

- ``similar8-cyr``: Cyrillic names of two different entries that rapidfuzz's ratio calls alike (75 or more) but
  whose words differ;
- ``similar8-lc``: the Latin name of one entry against the Cyrillic name of another entry of the lists whose
  ``anyascii`` readings rapidfuzz's ratio calls alike (85 or more) but whose words differ;
- ``common8:<lang>``: generated common names of the Sahel (``sahel``, Latin letters), Kurmanji (``kmr``, Latin),
  Dagestan (``dag``, Cyrillic), Sorani Kurdish (``ckb``, Arabic script), Mongolia (``mn``, Cyrillic), Greece
  (``el``, Greek), Thailand (``th``, Thai), Japan (``ja``, katakana), Tamil Nadu and Sri Lanka (``ta``, Tamil),
  Vietnam (``vi``, Latin) and the Philippines (``tl``, Latin), from name pools no earlier builder used, against the
  listed person name most like them. A made name whose words hold a listed person's name of two or more words (or
  are held by one) is left out.

Run once: ``.venv/bin/python bench/names_eighth.py`` writes ``bench/data/names_{dev8,eighth}.jsonl.gz`` and prints
their SHA-256; ``bench/names_eval.py`` holds the frozen half's (``EIGHTH_SHA256``) and refuses to read it without
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
    fold,
    nearest,
    script,
    script_alike,
    split_by_cluster,
    write_splits,
)
from names_seventh import EARLIER7, TUNING7
from names_sixth import by_table, told_apart_from
from names_third import _sub, _title

SEED8 = 20261215  # no earlier builder's seed: a shared one would split this pool along an earlier split
EIGHTH_SHARE = 50  # percent of the pool's clusters in the frozen half
TUNING8 = (*TUNING7, OUT / "names_dev7.jsonl.gz")
EARLIER8 = (*EARLIER7, OUT / "names_dev7.jsonl.gz", OUT / "names_seventh.jsonl.gz")


def half8(cluster: str) -> str:
    h = int(hashlib.sha256(f"eighth:{SEED8}:{cluster}".encode()).hexdigest(), 16) % 100
    return "eighth" if h < EIGHTH_SHARE else "dev8"


def _plain(name: str) -> str:
    """A Latin name in lower case with its apostrophes left out and its spaces single."""
    t = " ".join(name.lower().replace("’", "'").replace("`", "'").replace("‘", "'").split())
    return t.replace("'", "")


def _forms(t: str, table: tuple[tuple[str, tuple[str, ...]], ...], rng: random.Random) -> str:
    """Each whole-word match of a row's pattern respelt as one of its forms."""
    for pattern, forms in table:
        t = re.sub(rf"\b(?:{pattern})\b", lambda m, f=forms: rng.choice(f), t)  # type: ignore[misc]
    return t


# --- romanization styles no earlier builder wrote ----------------------------------------------------------------

STYLES8 = ("sahel", "ku", "az")
_MUHAMMAD = r"mu?ha?mm?[ae]d|mohamm?[ae]d|mohd"
_ABDALLAH = r"abd(?:ul|al|el)?[ -]?(?:al-?)?lah|abdallah|abdullah"
_SAHEL = ((_ABDALLAH, ("abdoulaye", "abdoulaye", "abdallah")),
          (r"abd(?:ul|al|el|ur|ar)?[ -]?(?:al-|ar-)?rah?man", ("abdourahmane", "abdourahamane")),
          (_MUHAMMAD, ("mamadou", "mahamadou", "mohamed")), (r"ahm[ae]d", ("amadou", "hamadou", "ahmed")),
          (r"abu ?bakr?|abubakar", ("aboubacar", "boubacar", "aboubakar")), (r"u?mar|omar", ("oumar",)),
          (r"uthman|othman|osman|usman", ("ousmane",)), (r"(?:al[- ])?hass?an", ("hassane", "alassane")),
          (r"husa?yn|husa?in|hussein|hussain", ("housseini", "houssein")), (r"sayy?id|sayed|seyyid", ("seydou",)),
          (r"musa", ("moussa",)), (r"sul[ae]y?man|sulaiman|suleiman", ("souleymane",)),
          (r"ibrahim", ("ibrahima", "ibrahim")), (r"ism[ae]e?il|ismail", ("ismaila",)),
          (r"sh[ae]y?kh|sheikh", ("cheick", "cheikh")), (r"ya[qk]ub|yacoub", ("yacouba",)), (r"idris", ("idrissa",)),
          (r"isa", ("issa",)), (r"ali", ("aliou", "ali")), (r"hamid", ("hamidou",)))
_KU = ((_ABDALLAH, ("ebdullah", "ebdila")), (_MUHAMMAD, ("mihemed", "muhemed", "mihemmed")),
       (r"ahm[ae]d", ("ehmed",)), (r"ali", ("elî",)), (r"u?mar|omar", ("omer",)), (r"hass?an", ("hesen",)),
       (r"husa?yn|husa?in|hussein|hussain", ("hisên", "huseyn")), (r"ibrahim", ("îbrahîm", "birahîm")),
       (r"ism[ae]e?il|ismail", ("îsmaîl",)), (r"khalil", ("xelîl",)), (r"mahmo?ud", ("mehmûd",)),
       (r"must[ae]pha|mustafa", ("mistefa",)), (r"yusu?f|yousef|youssef", ("ûsiv", "yûsif")),
       (r"sul[ae]y?man|sulaiman|suleiman", ("silêman",)), (r"ja[a']?far", ("cefer",)), (r"abbas", ("ebas",)))
_AZ = ((_ABDALLAH, ("abdulla",)), (_MUHAMMAD, ("məhəmməd", "mahammad", "məhəmməd")), (r"ahm[ae]d", ("əhməd",)),
       (r"ali", ("əli",)), (r"hass?an", ("həsən",)), (r"husa?yn|husa?in|hussein|hussain", ("hüseyn",)),
       (r"ja[a']?far", ("cəfər",)), (r"ism[ae]e?il|ismail", ("ismayıl",)), (r"u?mar|omar", ("ömər",)),
       (r"rah?im", ("rəhim",)), (r"sal[ae]h|salih", ("saleh",)), (r"kh?alil", ("xəlil",)))


def restyle8(name: str, style: str, rng: random.Random) -> str:
    """A Latin spelling of an Arabic-origin name respelt in ``style`` (see the module's text)."""
    t = _plain(name)
    if style == "sahel":
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.8)
        t = _forms(t, _SAHEL, rng)
        link = rng.choice(("ag", "ould"))
        t = re.sub(r"\b(?:bin|ibn|ben)\b", link, t)
        t = re.sub(r"\bbint\b", "mint", t)
        for pattern, repl, p in ((r"(?<![o])u", "ou", 0.8), (r"(?<!d)j", "dj", 0.8), (r"sh", "ch", 0.9),
                                 (r"q", "k", 0.5), (r"(?<=[aeiou])w(?=[aeiou])", "ou", 0.5), (r"ee", "i", 0.8)):
            t = _sub(pattern, repl, t, rng, p)
    elif style == "ku":
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.9)
        t = _forms(t, _KU, rng)
        for pattern, repl, p in ((r"kh", "x", 0.9), (r"sh", "ş", 0.9), (r"ch", "ç", 0.9), (r"(?<![dg])j", "c", 0.9),
                                 (r"gh", "x", 0.5), (r"ee", "î", 0.9), (r"ou|oo", "û", 0.9),
                                 (r"(?<=\w)a(?=[^aeiou\W])", "e", 0.35), (r"(?<=\w)i(?=[^aeiou\W])", "î", 0.25)):
            t = _sub(pattern, repl, t, rng, p)
    else:  # az
        t = _sub(r"\b(?:al|el)[- ](?=\w)", "", t, rng, 0.9)
        t = _forms(t, _AZ, rng)
        for pattern, repl, p in ((r"kh", "x", 0.9), (r"sh", "ş", 0.9), (r"ch", "ç", 0.9), (r"(?<![dg])j", "c", 0.9),
                                 (r"gh", "ğ", 0.8), (r"th", "s", 0.7), (r"dh", "z", 0.7), (r"w", "v", 0.8),
                                 (r"ee", "i", 0.9), (r"ou|oo", "u", 0.9), (r"(?<=\w)a(?=[^aeiou\W])", "ə", 0.35)):
            t = _sub(pattern, repl, t, rng, p)
    t = re.sub(r"\s+", " ", t).strip(" -")
    return _title(t)


# --- Arabic-origin names in Tatar, Tajik and Uzbek Cyrillic -------------------------------------------------------

CYR8 = ("tt", "tg", "uz")
_CYR8_SHARED = (("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("th", "с"),
                ("dh", "з"), ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ou", "у"), ("oo", "у"), ("ee", "и"),
                ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("d", "д"), ("z", "з"), ("k", "к"), ("l", "л"),
                ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("f", "ф"),
                ("x", "кс"), ("c", "к"), ("i", "и"), ("e", "е"), ("u", "у"), ("y", "й"))
_CYR8_TABLES = {
    "tt": (("gh", "г"), ("j", "җ"), ("q", "к"), ("h", "х"), ("g", "г"), *_CYR8_SHARED),
    "tg": (("gh", "ғ"), ("j", "ҷ"), ("q", "қ"), ("h", "ҳ"), ("g", "г"), *_CYR8_SHARED),
    "uz": (("gh", "ғ"), ("j", "ж"), ("q", "қ"), ("h", "ҳ"), ("g", "г"), *_CYR8_SHARED),
}
_CYR8_FORMS = {
    "tt": ((_ABDALLAH, ("gabdulla",)), (_MUHAMMAD, ("mökhəmmət", "mukhammed")), (r"ahm[ae]d", ("əkhmət",)),
           (r"ali", ("gali",)), (r"u?mar|omar", ("gomər",)), (r"uthman|othman|osman|usman", ("gosman",)),
           (r"abbas", ("gabbas",)), (r"aziz", ("gəziz",)), (r"hass?an", ("khəsən",))),
    "tg": ((_ABDALLAH, ("abdulloh", "abdullo")), (_MUHAMMAD, ("muhammad",)),
           (r"abd(?:ul|al|el|ur|ar)?[ -]?(?:al-|ar-)?rah?man", ("abdurahmon",))),
    "uz": ((_ABDALLAH, ("abdulla",)), (_MUHAMMAD, ("muhammad",)),
           (r"abd(?:ul|al|el|ur|ar)?[ -]?(?:al-|ar-)?rah?man", ("abdurahmon", "abdurahmon")),
           (r"u?mar|omar", ("umar",))),
}
_TT_LETTERS = {"ə": "ә", "ö": "ө"}


def arabic_to_cyrillic8(name: str, lang: str, rng: random.Random) -> str:
    """A Latin Arabic-origin name in ``lang``'s Cyrillic: the language's own forms of the common names (Tatar writes
    an initial ع as г: Габдулла, Гали), no article, then letter by letter; Tatar writes a final d as т and a as ә
    some of the time, Tajik a final -ah and -an as -оҳ and -он some of the time (Абдуллоҳ, Раҳмон)."""
    t = _plain(name)
    t = re.sub(r"\b(?:al|el|ad|ar|as|an|at|az|ash|ud|ul)[- ](?=\w)", "", t)
    t = re.sub(r"\b(?:bin|ibn|ben)\b", rng.choice(("ibn", "bin")), t)
    if lang == "tt":
        t = re.sub(rf"\b(?:{_ABDALLAH})\b", "gabdulla", t)
        t = re.sub(r"\babd(?:ul|al|el)?[ -]?(\w{3,})", r"gabdel\1", t)
    t = _forms(t, _CYR8_FORMS[lang], rng)
    words = []
    for w in t.replace("-", " ").split():
        if lang == "tt":
            w = _sub(r"d$", "t", w, rng, 0.7)
            w = _sub(r"(?<=\w)a(?=[^aeiouy])", "ə", w, rng, 0.4)
        elif lang == "tg":
            w = _sub(r"ah$", "oh", w, rng, 0.6)
            w = _sub(r"(?<=[^aeiou])an$", "on", w, rng, 0.4)
            w = _sub(r"(?<=[^aeiou])i$", "ӣ", w, rng, 0.6)
        else:  # uz
            w = _sub(r"ah$", "a", w, rng, 0.8)
            w = _sub(r"(?<=[^aeiou])o(?=[^aeiou])", "ў", w, rng, 0.3)
        out = ""
        for part in re.split(r"([әөӣў])", "".join(_TT_LETTERS.get(c, c) for c in w)):
            out += part if part in ("ә", "ө", "ӣ", "ў") else by_table(part, _CYR8_TABLES[lang])
        words.append(out)
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


# --- Arabic script: the family name first --------------------------------------------------------------------------

def family_first(arabic: str) -> str | None:
    """An Arabic-script name of three or more words with its last word put first; None for a shorter name or one
    whose last word is a compound's second half (الدين, الله) or follows بن, أبو or عبد."""
    w = arabic.split()
    if len(w) < 3 or w[-1] in ("الدين", "الله", "الرحمن") or w[-2] in ("بن", "ابن", "بنت", "أبو", "ابو", "عبد"):
        return None
    return " ".join([w[-1], *w[:-1]])


# --- Latin names in Urdu script ------------------------------------------------------------------------------------

_TO_URDU = (("sch", "ش"), ("sh", "ش"), ("ch", "چ"), ("zh", "ژ"), ("kh", "خ"), ("ts", "ٹس"), ("tz", "ٹس"),
            ("th", "تھ"), ("ph", "ف"), ("gh", "گھ"), ("ck", "ک"), ("qu", "کو"), ("ou", "و"), ("oo", "و"),
            ("ee", "ی"), ("ie", "ی"), ("ai", "ائ"), ("ay", "ے"), ("ei", "ائ"), ("ey", "ے"), ("yu", "یو"),
            ("ya", "یا"), ("yo", "یو"), ("a", "ا"), ("b", "ب"), ("c", "ک"), ("d", "ڈ"), ("e", "ی"), ("f", "ف"),
            ("g", "گ"), ("h", "ہ"), ("i", "ی"), ("j", "ج"), ("k", "ک"), ("l", "ل"), ("m", "م"), ("n", "ن"),
            ("o", "و"), ("p", "پ"), ("q", "ک"), ("r", "ر"), ("s", "س"), ("t", "ٹ"), ("u", "و"), ("v", "و"),
            ("w", "و"), ("x", "کس"), ("y", "ی"), ("z", "ز"))
_INITIAL_UR = (("a", "ا"), ("e", "ا"), ("i", "ا"), ("o", "او"), ("u", "ا"))


def latin_to_urdu(name: str, rng: random.Random) -> str:
    """A Latin name in Urdu script by ``_TO_URDU``: a short inner e or a left out some of the time (Urdu writes few
    short vowels), a final e or ay as ے, an initial vowel on alif, a doubled letter once, a soft c as س."""
    words = []
    for w in fold(name).split():
        w = re.sub(r"c(?=[eiy])", "s", w)
        w = re.sub(r"(.)\1", r"\1", w)
        tail = ""
        if len(w) > 2 and w.endswith("e") and w[-2] not in "aeiouy":
            w, tail = w[:-1], rng.choice(("ے", ""))
        if len(w) > 2:
            w = w[:2] + _sub(r"(?<=[^aeiou])e(?=[^aeiouy])", "", w[2:], rng, 0.7)
        head = ""
        for lat, ur in _INITIAL_UR:
            if w.startswith(lat) and not w.startswith(("ai", "ay", "ei", "ey", "ou", "oo", "ee", "ie")):
                head, w = ur, w[1:]
                break
        words.append(re.sub("ے(?=.)", "ی", head + by_table(w, _TO_URDU)) + tail)  # ے only at a word's end
    return " ".join(w for w in words if w)


# --- Cyrillic names as Turkish, Romanian, Portuguese and Dutch write them -----------------------------------------

_VOWELS_CYR = "аеёиоуыэюяіїє"
_CYR8_BASE = dict(zip("абвгдзклмнопрстуф", ("a", "b", "v", "g", "d", "z", "k", "l", "m", "n", "o", "p", "r", "s",
                                            "t", "u", "f"), strict=True))
SCHEMES8: dict[str, dict[str, str]] = {
    "tr": {"ж": "j", "и": "i", "й": "y", "х": "h", "ц": "ts", "ч": "ç", "ш": "ş", "щ": "şç", "ю": "yu", "я": "ya",
           "ё": "yo", "ы": "ı", "ъ": "", "ь": "", "е": "e", "э": "e", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
           "ў": "u"},
    "ro": {"ж": "j", "и": "i", "й": "i", "х": "h", "ц": "ț", "ч": "ci", "ш": "ș", "щ": "șci", "ю": "iu", "я": "ia",
           "ё": "io", "ы": "î", "ъ": "", "ь": "", "е": "e", "э": "e", "і": "i", "ї": "i", "є": "ie", "ґ": "g",
           "ў": "u"},
    "pt": {"ж": "j", "и": "i", "й": "i", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch", "щ": "chtch", "ю": "iu",
           "я": "ia", "ё": "io", "ы": "y", "ъ": "", "ь": "", "е": "e", "э": "e", "і": "i", "ї": "i", "є": "ie",
           "ґ": "g", "ў": "u"},
    "nl": {"ж": "zj", "и": "i", "й": "j", "х": "ch", "ц": "ts", "ч": "tsj", "ш": "sj", "щ": "sjtsj", "ю": "joe",
           "я": "ja", "ё": "jo", "ы": "y", "ъ": "", "ь": "", "е": "e", "э": "e", "у": "oe", "і": "i", "ї": "ji",
           "є": "je", "ґ": "g", "ў": "oe"},
}
_INITIAL_E8 = {"tr": "ye", "ro": "ie", "pt": "ie", "nl": "je"}


def romanize8(name: str, scheme: str) -> str:
    """A Cyrillic name as ``scheme`` writes it (see the module's text)."""
    table = _CYR8_BASE | SCHEMES8[scheme]
    out = []
    for word in name.lower().split():
        w = []
        for i, ch in enumerate(word):
            prev = word[i - 1] if i else ""
            nxt = word[i + 1:i + 2]
            front = bool(nxt) and nxt in "еиієэё"
            if ch == "е" and (not prev or prev in _VOWELS_CYR + "ъь"):
                w.append(_INITIAL_E8[scheme])
            elif scheme == "ro" and ch == "ч" and front:
                w.append("c")  # Cerneenko: ce, ci
            elif scheme == "ro" and ch in "гк" and front:
                w.append({"г": "gh", "к": "ch"}[ch])
            elif ch == "ё" and prev in "жчшщ":
                w.append("o")  # Hrușciov, Chroesjtsjov
            elif scheme == "pt" and ch == "г" and front:
                w.append("gu")
            elif scheme == "pt" and ch == "с" and prev and prev in _VOWELS_CYR and nxt and nxt in _VOWELS_CYR:
                w.append("ss")
            elif ch in table:
                w.append(table[ch])
            else:
                w.append(ch)
        out.append("".join(w))
    return " ".join(w[:1].upper() + w[1:] for w in out if w)


# --- organization names: the legal form in front, Turkish, free-zone -----------------------------------------------

_FORM = (r"LIMITED LIABILITY COMPANY|LIMITED LIABILITY PARTNERSHIP|JOINT STOCK COMPANY|CLOSED JOINT STOCK COMPANY|"
         r"LIMITED|LTD\.?|L\.?L\.?C\.?|JSC|CJSC|PJSC|OJSC|CO\.?,? LTD\.?|COMPANY LIMITED|INC\.?|CORP\.?|"
         r"CORPORATION|COMPANY|CO\.?|FZE|FZCO|FZC|FZ-?LLC|S\.?A\.?|GMBH|AG")
_TR_FORMS = (r"LIMITED|LTD\.?|L\.?L\.?C\.?|LIMITED LIABILITY COMPANY|COMPANY LIMITED|CO\.?,? LTD\.?",
             ("LİMİTED ŞİRKETİ", "LTD. ŞTİ.", "TİC. LTD. ŞTİ.", "TICARET LIMITED SIRKETI"))
_TR_JSC = (r"JSC|JOINT STOCK COMPANY|INC\.?|CORP\.?|CORPORATION|COMPANY|CO\.?|S\.?A\.?|AG",
           ("A.Ş.", "ANONİM ŞİRKETİ", "AS"))
_FZ = ("FZE", "FZCO", "FZ-LLC", "FZ LLC", "DMCC")
_FZ_FROM = r"LIMITED|LTD\.?|L\.?L\.?C\.?|LIMITED LIABILITY COMPANY|COMPANY|CO\.?|FZE|FZCO|FZC|FZ-?LLC"


def org8(name: str, rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    upper = " ".join(name.upper().split())
    m = re.fullmatch(rf"(?:THE )?(.+?)[,\s]+({_FORM})", upper)
    if not m or len(m.group(1)) < 3 or re.search(r"\bOF\b|\bAND\b|&", m.group(1)):
        return out
    rest, form = m.group(1).strip(" ,-"), m.group(2)
    short = {"LIMITED LIABILITY COMPANY": "LLC", "JOINT STOCK COMPANY": "JSC",
             "CLOSED JOINT STOCK COMPANY": "CJSC"}.get(form, form)
    if short in ("LLC", "JSC", "CJSC", "PJSC", "OJSC", "L.L.C.", "L.L.C"):
        out.append(("org8:legal-front", rng.choice((f"{short} {rest}", f'{short} "{rest}"', f"{form} {rest}"))))
    for pattern, forms in (_TR_FORMS, _TR_JSC):
        if re.fullmatch(pattern, form):
            out.append(("org8:tr", f"{rest} {rng.choice(forms)}"))
            break
    if rng.random() < 0.5 and re.fullmatch(_FZ_FROM, form):
        choices = [f for f in _FZ if f.replace("-", " ") != form.replace("-", " ")]
        out.append(("org8:fz", f"{rest} {rng.choice(choices)}"))
    return out


# --- common names from pools no earlier builder used ---------------------------------------------------------------

COMMON8: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sahel": (("Mamadou", "Amadou", "Oumar", "Ousmane", "Boubacar", "Abdoulaye", "Seydou", "Moussa", "Souleymane",
               "Ibrahima", "Adama", "Bakary", "Modibo", "Issiaka", "Drissa", "Aminata", "Fatoumata", "Mariam",
               "Kadiatou", "Awa", "Rokia", "Oumou", "Assétou", "Djeneba"),
              ("Diallo", "Traoré", "Coulibaly", "Keïta", "Touré", "Cissé", "Sangaré", "Diarra", "Konaté", "Maïga",
               "Sidibé", "Camara", "Bah", "Sow", "Diop", "Ndiaye", "Barry", "Kane", "Dembélé", "Ouédraogo")),
    "kmr": (("Azad", "Baran", "Berxwedan", "Dilovan", "Hejar", "Kawa", "Rêber", "Serhat", "Şoreş", "Welat", "Zana",
             "Agirî", "Rojda", "Berfîn", "Dilan", "Jiyan", "Nêrgiz", "Rojîn", "Şîrîn", "Zozan"),
            ("Amed", "Botan", "Çiya", "Dersim", "Goyan", "Hakkarî", "Mêrdîn", "Qamişlo", "Serhed", "Zaxo", "Baksî",
             "Berwarî", "Dêrsimî", "Hekarî", "Kurdo", "Mîran", "Soran", "Torî", "Xalid", "Zêbarî")),
    "dag": (("Магомед", "Гаджи", "Ахмед", "Шамиль", "Рамазан", "Магомедрасул", "Гасан", "Абдулла", "Муса", "Арсен",
             "Патимат", "Марьям", "Айшат", "Загидат", "Хадижат", "Зарема", "Мадина", "Умукусум", "Салимат", "Загра"),
            ("Гаджиев", "Магомедов", "Алиев", "Гасанов", "Абдуллаев", "Омаров", "Рамазанов", "Курбанов",
             "Исмаилов", "Нурмагомедов", "Газимагомедов", "Дибиров", "Хизриев", "Шейхов", "Абакаров", "Гамзатов",
             "Сулейманов", "Мусаев", "Атаев", "Халилов")),
    "ckb": (("ئارام", "هێمن", "ڕێبوار", "شێرکۆ", "دلێر", "سەردار", "کاروان", "ئاسۆ", "بەختیار", "هەژار", "ژیلا",
             "شیلان", "ڕووناک", "نەسرین", "گەلاوێژ", "بەفرین", "ڤیان", "هێرۆ", "ئاوات", "سۆران"),
            ("مەحموود", "ڕەشید", "حەمە", "عەزیز", "کەریم", "قادر", "ئەمین", "سەعید", "ڕەسووڵ", "فەتاح", "مستەفا",
             "حەسەن", "عوسمان", "ئیبراهیم", "تاهیر", "جەلال", "کاکەیی", "بارزانی", "تاڵەبانی", "هەورامی")),
    "mn": (("Бат-Эрдэнэ", "Ганбаатар", "Батбаяр", "Мөнхбат", "Эрдэнэбат", "Төмөрбаатар", "Болд", "Ганзориг",
            "Нямдорж", "Сүхбаатар", "Оюунчимэг", "Сарангэрэл", "Мөнхзул", "Уранчимэг", "Энхжаргал", "Навчаа",
            "Солонго", "Алтанцэцэг", "Ариунаа", "Бямбасүрэн"),
           ("Баатар", "Дорж", "Ганболд", "Пүрэв", "Цэрэн", "Батсүх", "Лхагва", "Даваа", "Жаргал", "Нэргүй",
            "Отгон", "Сэргэлэн", "Түвшин", "Энхбаяр", "Чулуун", "Гантулга", "Болормаа", "Дашдорж", "Эрдэнэ",
            "Ганхуяг")),
    "el": (("Γιώργος", "Δημήτρης", "Κωνσταντίνος", "Νίκος", "Γιάννης", "Παναγιώτης", "Βασίλης", "Χρήστος",
            "Αθανάσιος", "Μιχάλης", "Μαρία", "Ελένη", "Αικατερίνη", "Βασιλική", "Σοφία", "Αγγελική", "Γεωργία",
            "Δήμητρα", "Ευαγγελία", "Ιωάννα"),
           ("Παπαδόπουλος", "Βλάχος", "Αγγελόπουλος", "Νικολάου", "Γεωργίου", "Πετρόπουλος", "Οικονόμου",
            "Μακρής", "Ιωάννου", "Κωνσταντινίδης", "Δημητρίου", "Παπανικολάου", "Αντωνίου", "Καραγιάννης",
            "Χατζηγεωργίου", "Σταματόπουλος", "Μιχαηλίδης", "Παπαγεωργίου", "Λαμπράκης", "Τσακίρης")),
    "th": (("สมชาย", "สมศักดิ์", "ประเสริฐ", "วิชัย", "สุรชัย", "อนันต์", "ธนพล", "ณัฐพล", "กิตติ", "ชัยวัฒน์",
            "สมหญิง", "มาลี", "สุดารัตน์", "วันเพ็ญ", "รัตนา", "นภา", "กัญญา", "พรทิพย์", "ศิริพร", "อรุณี"),
           ("แซ่ตั้ง", "ศรีสุข", "สุขสวัสดิ์", "วงศ์ใหญ่", "บุญมา", "ทองดี", "แก้วมณี", "จันทร์เพ็ญ", "รุ่งเรือง",
            "สมบูรณ์", "พึ่งบุญ", "ใจดี", "มีสุข", "เจริญผล", "ศรีวงศ์", "ทองคำ", "บุญเรือง", "สายสุวรรณ",
            "พรหมมา", "อินทรวงศ์")),
    "ja": (("ヒロシ", "タケシ", "ケンジ", "ダイスケ", "ショウタ", "ユウキ", "リョウ", "カズヤ", "マコト", "ツヨシ",
            "ユミコ", "アキコ", "サクラ", "ハルカ", "ミサキ", "ナオミ", "ケイコ", "ヨウコ", "マユミ", "アヤカ"),
           ("サトウ", "スズキ", "タカハシ", "タナカ", "ワタナベ", "イトウ", "ヤマモト", "ナカムラ", "コバヤシ",
            "カトウ", "ヨシダ", "ヤマダ", "ササキ", "ヤマグチ", "マツモト", "イノウエ", "キムラ", "ハヤシ", "シミズ",
            "モリ")),
    "ta": (("முருகன்", "செல்வம்", "கார்த்திக்", "சுரேஷ்", "ராஜேஷ்", "பாலசுப்ரமணியம்", "கணேசன்", "ஆனந்த்",
            "விஜய்", "அருண்", "லட்சுமி", "மீனா", "பிரியா", "கவிதா", "சரண்யா", "தேவி", "அனிதா", "கீதா",
            "வசந்தி", "மாலதி"),
           ("சுப்பிரமணியம்", "ராமசாமி", "கிருஷ்ணன்", "வேலு", "பழனிசாமி", "சண்முகம்", "நடராஜன்", "ராஜா",
            "துரைசாமி", "பெருமாள்", "சிவகுமார்", "ஆறுமுகம்", "கந்தசாமி", "மணி", "சேகர்", "ரவி", "குமார்",
            "சந்திரன்", "வெங்கடேசன்", "இளங்கோ")),
    "vi": (("Văn Hùng", "Minh Tuấn", "Quốc Bảo", "Đức Anh", "Thanh Tùng", "Hữu Phước", "Công Minh", "Trọng Nghĩa",
            "Thị Lan", "Thị Hương", "Ngọc Anh", "Thu Trang", "Thị Mai", "Phương Linh", "Hồng Nhung", "Bảo Ngọc",
            "Gia Huy", "Hoàng Long", "Tiến Dũng", "Khánh Linh"),
           ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Lương")),
    "tl": (("Jose", "Juan", "Mark", "Jerome", "Rodrigo", "Ferdinand", "Romeo", "Danilo", "Rolando", "Reynaldo",
            "Maricel", "Rowena", "Lourdes", "Marites", "Jocelyn", "Corazon", "Imelda", "Analyn", "Jennilyn", "Liza"),
           ("Dela Cruz", "Garcia", "Reyes", "Ramos", "Mendoza", "Santos", "Flores", "Gonzales", "Bautista",
            "Villanueva", "Fernandez", "Cruz", "De Leon", "Tolentino", "Aquino", "Castillo", "Manalo", "Pascual",
            "Dimaculangan", "Macapagal")),
}


def common8(lang: str, rng: random.Random, n: int) -> list[str]:
    """``n`` distinct made names in ``lang``: Vietnamese and Mongolian family name first (Mongolian with the
    father's name as its initial some of the time), Japanese family and given name written with a middle dot half
    the time, the others given name then family name."""
    given, family = COMMON8[lang]
    out: set[str] = set()
    while len(out) < n:
        g, f = rng.choice(given), rng.choice(family)
        if lang == "vi":
            out.add(f"{f} {g}")
        elif lang == "mn":
            out.add(f"{f[0]}. {g}" if rng.random() < 0.3 else f"{f} {g}")
        elif lang == "ja":
            out.add(f"{f}・{g}" if rng.random() < 0.5 else f"{f} {g}")
        else:
            out.add(f"{g} {f}")
    return sorted(out)


# --- building --------------------------------------------------------------------------------------------------


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED8)
    pl = pool_of(TUNING8, EARLIER8)
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
            aliases = [la for la in latin if la != primary and any(script_alike(ar, la) for ar in arabic)][:2]
            for src, n_styles in ((primary, 3), *((alias, 2) for alias in aliases)):
                src_ar = [ar for ar in arabic if script_alike(ar, src)][:1]
                for style in rng.sample(STYLES8, n_styles):
                    v = restyle8(src, style, rng)
                    if fold(v) == fold(src):
                        continue
                    add(v, src, 1, f"romanized8:{style}", key)
                    for ar in src_ar:
                        add(v, ar, 1, f"romanized8:{style}", key)
            for src, n_langs in ((primary, 2), *((alias, 1) for alias in aliases)):
                for lang in rng.sample(CYR8, n_langs):
                    v = arabic_to_cyrillic8(src, lang, rng)
                    if v:
                        add(v, src, 1, f"cyr8:{lang}", key)
                        for ar in [ar for ar in arabic if script_alike(ar, src)][:1]:
                            add(v, ar, 1, f"cyr8:{lang}", key)
            for ar in arabic[:2]:
                la = next((la for la in latin if script_alike(ar, la)), None)
                v = family_first(ar) if la is not None else None
                if la is not None and v is not None:
                    add(v, la, 1, "ar8:order", key)
        if (k == "person" and primary and where != "arabic" and rng.random() < 0.5
                and not set(fold(primary).split()) & arabic_words):
            v = latin_to_urdu(primary, rng)
            if v:
                add(v, primary, 1, "lat2ar8:ur", key)
        if cyrillic and k in ("person", "organization"):
            cy = cyrillic[0]
            for scheme in rng.sample(sorted(SCHEMES8), 2):
                v = romanize8(cy, scheme)
                if not v:
                    continue
                add(v, cy, 1, f"cyrillic8:{scheme}", key)
                same = next((la for la in latin[:3] if script_alike(cy, la)), None)
                if same:
                    add(v, same, 1, f"cyrillic8:{scheme}", key)
        if primary and k == "organization" and rng.random() < 0.7:
            for how, v in org8(primary, rng):
                add(v, primary, 1, how, key)

    # Hard negatives in Cyrillic: names of two different entries that rapidfuzz calls alike.
    keyed = [(key, n) for key in in_pool for n in names(by_key[key]) if script(n) == "cyrillic"]
    if len(keyed) >= 2:
        texts = [" ".join(n.lower().split()) for _, n in keyed]
        for a, na, b, nb in alike_negatives(keyed, keyed, (texts, texts), 75, cluster, earlier):
            pairs.append(pair5(na, nb, 0, "similar8-cyr", (a, b), b, kinds[a], kinds[b]))

    # Hard negatives across Latin and Cyrillic: a Latin name against another entry's Cyrillic name read alike.
    lat_keyed = [(key, n) for key in in_pool for n in names(by_key[key])[:4] if script(n) == "latin"]
    if keyed and lat_keyed:
        texts = ([fold(n) for _, n in lat_keyed], [fold(n) for _, n in keyed])
        for a, na, b, nb in alike_negatives(lat_keyed, keyed, texts, 85, cluster, earlier, top=6, take=1):
            pairs.append(pair5(na, nb, 0, "similar8-lc", (a, b), b, kinds[a], kinds[b]))

    # Generated common names against the pool's listed person name most like them.
    listed = [(k, n) for k in in_pool for n in names(by_key[k]) if kinds[k] == "person"]
    told_apart = told_apart_from(by_key, kinds)
    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON8:
        made = [n for n in common8(lang, rng, 300) if told_apart(n)]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            add(n, listed[j][1], 0, f"common8:{lang}", listed[j][0])

    dev8, eighth = split_by_cluster(pairs, cluster, half8, "eighth", drop_contradicting=True)
    print(f"pool: {len(pool)} clusters ({len(in_pool)} entries) of {len(members)}; the tuning splits stand for "
          f"{len(used)} entries")
    return dev8, eighth


def main() -> None:
    dev8, eighth = build()
    write_splits({"dev8": dev8, "eighth": eighth})


if __name__ == "__main__":
    main()
