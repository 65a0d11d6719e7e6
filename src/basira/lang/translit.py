"""Rule-based Arabic→Latin transliteration and Latin-side folding into shared comparison keys.

Both scripts are reduced to one small alphabet of consonant classes (``b t j h k d z r s x f l m n w y``) and
three vowel classes (``a i u``), so that ``محمد``, ``Muhammad``, ``Mohammed`` and ``Mohamed`` share the consonant
skeleton ``mhmd``. The rules follow how names are actually written on lists and forms, not a scholarly standard:
emphatic and plain consonants merge (ص/س, ط/ت, ض/د), q/k/g and kh/gh merge, ع and hamza vanish, a word-initial
alef is a vowel, medial و/ي are long vowels, ta marbuta is a vowel. All functions are pure and never raise.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from anyascii import anyascii

from basira.lang.arabic import char_script, light

# Arabic letter → class string; a vowel class is upper-case while building, so that it can be told from a consonant.
_AR = {
    "ا": "A", "أ": "A", "إ": "I", "آ": "A", "ٱ": "A", "ى": "A", "ة": "A",
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "θ", "ٹ": "t", "ٿ": "ƫ",
    "ج": "j", "چ": "x", "ژ": "j", "ڗ": "ʐ",
    "ح": "h", "ه": "h", "ہ": "h", "ھ": "h", "ۀ": "h", "ۃ": "A",
    "خ": "ꜧ", "غ": "k", "ق": "k", "ك": "k", "ک": "k", "گ": "k", "ڨ": "k", "ڭ": "k",
    "د": "d", "ذ": "ð", "ض": "ð", "ڈ": "d", "ظ": "ð", "ز": "z",
    "ر": "r", "ڑ": "r", "ڕ": "ŀ", "س": "s", "ڛ": "ᶊ", "ص": "s", "ش": "x",
    "ع": "", "ء": "", "ئ": "", "ؤ": "",
    "ف": "f", "ڤ": "f", "ڢ": "ꝑ", "ڦ": "ɸ", "ل": "l", "م": "m", "ن": "n", "ں": "n",
    "و": "w", "ۆ": "w", "ۇ": "w", "ي": "y", "ی": "y", "ې": "y", "ے": "y",
    # Pashto letters (Zadran / ځدران, Haqqani network names): the nearest Arabic-script consonant.
    "ځ": "z", "څ": "s", "ښ": "x", "ږ": "j", "ډ": "d", "ټ": "t", "ړ": "r", "ګ": "k", "ڼ": "n", "ۍ": "y",
}
# Readable romanisation of the same letters (used for display and the Jaro-Winkler baseline).
_AR_READ = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ى": "a", "ة": "a", "ب": "b", "ت": "t", "ث": "th",
    "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s",
    "ض": "d", "ط": "t", "ظ": "z", "ع": "'", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h", "و": "w", "ي": "y", "ء": "'", "ئ": "'", "ؤ": "'", "پ": "p", "چ": "ch", "ژ": "zh",
    "ک": "k", "گ": "g", "ی": "y", "ہ": "h", "ھ": "h", "ۀ": "h", "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n", "ے": "y",
}
_SUN = set("تثدذرزسشصضطظلن")
_SUN_LATIN = set("tdrzsn")

# Latin digraphs first (longest first), then single letters.
_LAT_DIGRAPHS = (
    ("dzh", "j"), ("dsch", "j"), ("sch", "x"), ("tch", "x"), ("dj", "j"), ("kh", "χ"), ("gh", "k"), ("sh", "ʃ"),
    ("ch", "x"),
    ("th", "t"), ("dh", "d"), ("ph", "f"), ("ck", "k"), ("zh", "ʒ"),
    # Dutch and old Indonesian spellings: sj is sh (Sjarif, Hasjim).
    ("sj", "ʃ"),
    ("ou", "U"), ("oo", "U"), ("ee", "I"), ("ei", "I"),
    ("ai", "AI"), ("ay", "AI"), ("aw", "AU"),
)
_LAT = {
    "a": "A", "e": "I", "i": "I", "o": "U", "u": "U", "y": "y", "w": "w",
    "b": "b", "p": "b", "t": "t", "j": "j", "h": "h", "k": "k", "q": "k", "g": "k", "c": "k", "x": "ks",
    "d": "d", "z": "z", "r": "r", "s": "s", "f": "f", "v": "ʋ", "l": "l", "m": "m", "n": "n",
}
_LAT_RE = re.compile("|".join(d for d, _ in _LAT_DIGRAPHS) + "|[a-z]")
_LAT_MAP = dict(_LAT_DIGRAPHS) | _LAT
# Letters whose Latin spelling varies by region or whose Latin digraph may be two letters: a skeleton keeps a
# marker, and ``skeleton_variants`` spells it out every way (ذ/ض/ظ: d, z or th; ث: th or s; Latin kh/sh: one
# letter or two, Is-haq / Ishaq).
# Latin v is f, or a Persian vav that Arabic script writes و, which inside a word the Arabic key reads as a long
# vowel (Javad / جواد, Siavash / سیاوش, Parvar / پرور): a v inside a word and before a vowel (ʋ) may vanish across
# scripts; any other v (ⱱ: first, last, before a consonant) is f or w there (Vahid / وحید), so the last v of
# Borislav is no vowel of باسل. Between two Latin spellings either may vanish (Belarusian ў written u: Mikhaltsou /
# Mikhaltsov; Davud / Daud). Latin zh is z and h (Azhar), or Persian and Russian zh (ژ, ж).
# Latin ts before i (ʦ) is ts across scripts, and between two Latin spellings also t: the Belarusian ц of a soft т
# (Канстанцін / Константин, Kanstantsin / Konstantin, Tsitova / Titova, Vetsianevich / Vetenevich).
# Latin c before a, o, u, a consonant or the word's end (ç) is k, or across scripts a ç whose cedilla was lost:
# French s (Fayçal / Faycal, فيصل) or Turkish ch (Koçak / Kocak, کوچک), or the Turkish c of ج (Cafer / جعفر,
# Recep / رجب, Cabir / جابر). Before e, i or y (ȼ) it is k, or across scripts the s of English and French (Cyrus /
# سيروس, Lucien / لوسيان) or the Turkish c of ج (Cihad / جهاد, Cemil / جميل). Between two Latin spellings either is
# k (see ``_CEDILLA_C``, ``_SOFT_C``): Cemal is Kemal's spelling there, and Jamal's only as
# ``name_similarity.cross_latin_similarity`` reads two Latin spellings of one Arabic name (0.9).
# A French or Maghrebi ou before a, e or i that starts a word (ŵ) is w (Ouali / Wali / والي, Ouahab / وهاب,
# Abdelouadoud / عبد الودود), or across scripts the vowel u (Ouais / عويس, after a silent ʿayn); between two Latin
# spellings it is w (Ouali / Wali, and Ouali is not Ali; see ``_OU_W``). Inside a word an ou is a vowel either way:
# so is a w there on both sides (Zaouahiri / Zawahiri / الظواهري, Mouad / معاذ).
# A Turkish ş (ʂ) is sh across scripts (Şams / شمس), and between two Latin spellings sh or an s whose cedilla was
# lost (Diş / Dis); a written ç (ƈ) is Turkish ch or French s, and between Latin spellings also a c without its
# cedilla (Çelik / Celik, Fayçal / Faycal).
# A Latin g that is not gh (ǧ) is k, or across scripts the Egyptian and Sudanese g of ج (Gamal / جمال, Ragab / رجب,
# Mogtaba / مجتبی, Hagi / حاجی); between two Latin spellings it is k, as before (Gamal is Kamal's spelling, and
# Jamal's only as cross_latin_similarity reads it: see ``_EGYPTIAN_G``).
# A Latin th or dh after a vowel (ŧ, đ) is t or d, the one letter of ث, ذ, ض, ظ, or across scripts two, the t or d
# and an h of ح or ه after it (Fathi / فتحی, Fathallah / فتح الله, Adham / أدهم, Medhat / مدحت); between two
# Latin spellings it is t or d, as before (see ``_TH_DH``).
# A Latin s before y and another letter (ᶊ) is s, or across scripts the ش of an Indonesian and Malay sy (Syarif /
# شريف, Rasyid / رشيد, Rusydi / رشدي); between two Latin spellings it is s, as before (Syed / Sayed; see
# ``_INDONESIAN_SY``).
# Arabic-script خ (ꜧ) is k, as q, k and gh are, or across scripts the h of a Turkish spelling (Halil / خلیل, Halid /
# خالد, Ahund / آخوند, Muhtar / مختار); two Arabic-script parts read it k only (see ``arabic_plain``).
# Latin kh (χ) is k, or two letters (Is-haq), or the h of ح and ه as Russian and Central Asian spellings write it
# (Mukhammad, Akhmed, Khasan: Cyrillic х, which is also the kh of Slavic names, Khodorkovsky).
# Latin ch (ȟ) is the sh or ch of ش and چ, or across scripts the kh of German spellings (Chalid / خالد, Chatib /
# خطیب); between two Latin spellings it is sh or ch, as before. German dsch is j (Dschamal / جمال). A j before a
# vowel, first or after a vowel (ĵ), is j, or across scripts the y of German, Dutch and Balkan spellings (Jusuf /
# يوسف, Jadollah / یدالله, Sejed / سید); two Latin spellings meet on it as cross_latin_similarity reads them.
# Latin x (ẋ) is ks, or the h of ح as Somali writes it (Maxamed / محمد, Xasan / حسن, Axmed / أحمد), both between
# Latin spellings and across scripts. A word's first c before a, o or u (ĉ) is k, as before; across scripts also the
# s, ch or j of ç, or the silent ʿayn Somali writes c (Cabdi / عبدي, Cali / علي, Cumar / عمر). Between two Latin
# spellings it stays k (Latin parts found alike must share a Latin key), unless the whole name is read as Somali
# (``basira.lang.nameparts.somali_latin``: Cali Axmed is Ali Ahmed).
# ꝑ is the Hebrew פ, p or f (Putin פוטין, Rafael רפאל), which a Hebrew name brings to the Arabic path as ڢ
# (basira.lang.scripts.hebrew_as_arabic).
# ŀ, ʐ, ƫ, ᶊ and ɸ are Japanese r (r or l), ジ (j or z), チ (t or ch), シ (s or sh) and a フ with no vowel of its own
# (f, h or kh), and ʐ the ज and জ Hindi and Bengali write j and z with, which Katakana, Devanagari and Bengali names
# bring to the Arabic path as ڕ, ڗ, ٿ, ڛ and ڦ (basira.lang.scripts.katakana_as_arabic, indic_as_arabic); ڕ is also
# the Kurdish r.
_AMBIGUOUS = {"ꝑ": ("b", "f"), "ŀ": ("r", "l"), "ʐ": ("j", "z"), "ƫ": ("t", "x"), "ɸ": ("f", "h", "k"),
              "ð": ("d", "z", "t"), "θ": ("t", "s"), "χ": ("k", "h", "kh"), "ʃ": ("x", "sh"),
              "ʋ": ("f", "w", ""),
              "ⱱ": ("f", "w"), "ʒ": ("zh", "j"), "ʦ": ("ts",), "ç": ("k", "s", "x", "j"), "ŵ": ("w", ""), "ʂ": ("x",),
              "ƈ": ("x", "s"), "ǧ": ("k", "j"), "ꜧ": ("k", "h"), "ȼ": ("k", "s", "j"),
              "ᶊ": ("s", "x"), "ŧ": ("t", "th"), "đ": ("d", "dh"), "ẋ": ("ks", "h"), "ĉ": ("k", "s", "x", "j", ""),
              "ȟ": ("x", "k"), "ĵ": ("j", "y")}
_LATIN_AMBIGUOUS = _AMBIGUOUS | {"ⱱ": ("f", "w", ""), "ʦ": ("ts", "t"), "ç": ("k",), "ŵ": ("w",), "ʂ": ("x", "s"),
                                 "ƈ": ("x", "s", "k"), "ǧ": ("k",), "ȼ": ("k",), "ᶊ": ("s",), "ŧ": ("t",), "đ": ("d",),
                                 "ĉ": ("k",), "ȟ": ("x",), "ĵ": ("j",)}
_REPEAT = re.compile(r"(.)\1+")
_APOSTROPHES = str.maketrans("", "", "'’‘`ʿʾ´ʼʻ")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _finish(classes: str) -> tuple[str, str]:
    """Collapses doubled letters, turns non-initial w/y into vowels; returns (skeleton, vowel form)."""
    if classes[1:]:
        # A w or y after the first letter is almost always a long vowel in names (Yusuf, Husayn, Marwan).
        classes = classes[0] + classes[1:].replace("w", "U").replace("y", "I")
    classes = _REPEAT.sub(r"\1", classes)
    skeleton = "".join(c for c in classes if c.islower() or c in _AMBIGUOUS)
    return skeleton, _REPEAT.sub(r"\1", classes.lower().replace("-", ""))


@functools.lru_cache(maxsize=65536)
def _expand(skeleton: str, latin: bool = False) -> tuple[str, ...]:
    """Every spelling of a skeleton's ambiguous-letter markers, in order (at most eight, the first is canonical);
    ``latin``: as two Latin spellings are compared."""
    table = _LATIN_AMBIGUOUS if latin else _AMBIGUOUS
    out = [""]
    for ch in skeleton:
        out = [o + c for o in out for c in table.get(ch, (ch,))][:8]
    return tuple(out)


@functools.lru_cache(maxsize=65536)
def skeleton_variants(skeleton: str) -> tuple[str, ...]:
    """Every plain spelling of a skeleton with ambiguous-letter markers (at most eight, the first is canonical)."""
    return tuple(_REPEAT.sub(r"\1", o) for o in _expand(skeleton))


@functools.lru_cache(maxsize=65536)
def spellings(skeleton: str) -> frozenset[str]:
    """Every plain spelling of a skeleton's ambiguous-letter markers, letters that meet doubled kept doubled.

    Unlike :func:`skeleton_variants`, ``knn`` (Kanaan) and ``kn`` (Kony) stay apart: between two Latin spellings
    the consonants a vowel kept apart are real consonants; and any v may vanish (see ``_AMBIGUOUS``).
    """
    return frozenset(_expand(skeleton, True))


_KHA_BY_K = re.compile("ꜧ+(?=k)|(?<=k)ꜧ+")


# A first تش before a long vowel letter is the ch of a foreign name as Arabic writes it (تشول / Chol, تشاد / Chad),
# which Persian writes چ; elsewhere it stays t and sh (محتشم / Mohtasham, تشغيل / tashghil).
_FIRST_TSH = re.compile("^تش(?=[اآويىی])")


# After three letters or more, the last of them a consonant: not the -avo of Gustavo (گوستاوو), v and a vowel.
_FINAL_OV = re.compile("(?<=..[^واآىیيئ])وو(?=ا?$)")
_FINAL_OV_CLASSES = re.compile("ww(?=A?$)")


# Urdu's ھ after t, d, k, g, p or ch (تھ, ڈھ, کھ, گھ, پھ, چھ) marks the aspiration Latin writes th, dh, kh, gh, ph
# and chh, which the Latin key reads as one letter (Thaci / تھاسی, Khan / کھان): no letter of its own there. After
# b or j (بھٹو, Bhutto) Latin keeps its h, and so does the key.
_ASPIRATE = re.compile("(?<=[تدکگپچٹڈ])ھ")


@functools.lru_cache(maxsize=65536)
def arabic_word_key(word: str) -> tuple[str, str]:
    """(consonant skeleton, vowel form) of one Arabic-script word, which should already have no article."""
    if "ھ" in word:
        word = _ASPIRATE.sub("", word)
    if word.startswith("تش"):
        word = _FIRST_TSH.sub("چ", word)
    classes = "".join(_AR.get(ch, "") for ch in word)
    if _FINAL_OV.search(word):
        # A final وو (or وو and alif) after a consonant is the -ov (-ova) of a foreign name as Persian and Urdu write
        # it: a vowel and a v that may not vanish (ماتوو / Matveev, ایوانووا / Ivanova).
        classes = _FINAL_OV_CLASSES.sub("wⱱ", classes)
    if word[:1] in "عءئؤ":
        # After a silent first letter (ʿIsa, ʿUmar) a y or w is a vowel, not the word's first consonant.
        classes = "-" + classes
    if "ꜧ" not in classes:
        return _finish(classes)
    # A خ next to another k (غ, ق, ك) is one k with it, as it was before its marker; the vowel form, which no
    # comparison across scripts reads, writes it k.
    skeleton, vowels = _finish(_KHA_BY_K.sub("k", classes))
    return skeleton, arabic_plain(vowels)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters, digits and spaces: accents dropped, apostrophes and ʿayn marks removed."""
    if text.isascii():
        # The common case on Latin lists and forms: nothing for Unicode normalisation to do.
        return _NOT_ALNUM.sub(" ", text.translate(_APOSTROPHES).lower()).strip()
    return _fold_any(text)


# Turkish ş and ç (sh and ch), kept by :func:`latin_fold` as markers of their own (ʂ, ƈ): a cedilla NFKD would drop
# makes Mohtaşam another name than Mohtasham. ğ (gh) and g have one key, and ı is i, so those fold as before.
# The š and č of Czech, Croatian and Lithuanian names and of ISO 9 romanised Cyrillic (Šešelj, Čolić, Ŝukin) are
# the same sounds, read the same way; ISO 9's ŝ is щ (shch) and ž is zh, and a word's first û or â is ю or я (Ûrij
# / Yuri, Âkovlev / Yakovlev; inside a word the y is a vowel, and Turkish Kâzım keeps its spelling).
_TURKISH = str.maketrans({"ş": "ʂ", "Ş": "ʂ", "ç": "ƈ", "Ç": "ƈ", "š": "ʂ", "Š": "ʂ", "č": "ƈ", "Č": "ƈ",
                          "ŝ": "ʂch", "Ŝ": "ʂch", "ž": "zh", "Ž": "zh"})
_NOT_ALNUM_MARKED = re.compile(r"[^a-z0-9ʂƈ]+")


def latin_fold(text: str) -> str:
    """:func:`ascii_fold`, but a Turkish ş or ç is kept as a marker (``ʂ``, ``ƈ``) that :func:`latin_word_key`
    reads as sh or ch, or as s and c written without the cedilla (Mohtaşam / Mohtasham, Diş / Dis, Çelik /
    Celik; the French ç of Fayçal is s)."""
    if text.isascii() or not any(c in text for c in "şŞçÇšŠčČŝŜžŽûÛâÂ"):
        return ascii_fold(text)
    if "š" in text or "Š" in text:
        text = finnic_ch(text)
    if any(c in text for c in "šŠčČŝŜžŽ"):
        # A name with a caron or ISO 9's ŝ is Czech, Croatian or ISO 9 romanised Cyrillic: its c is ts (Akcionernoe,
        # Centr, Râbceva; not a c alone, the preposition с) and its â and û are я and ю anywhere (Novaâ, Kompaniâ).
        text = _ISO9_C.sub(_iso9_c, text.replace("â", "ya").replace("Â", "Ya").replace("û", "yu").replace("Û", "Yu"))
    return _fold_any(_ISO9_START.sub(_iso9_start, text.translate(_TURKISH)), _NOT_ALNUM_MARKED)


_ISO9_START = re.compile(r"(?<!\w)[ûÛâÂ]")
_ISO9_C = re.compile(r"[cC](?![hH])(?=\w)")  # not a c alone: Cyrillic с (with) typed as a Latin c
# Finnish and Estonian write the ch of Russian ч as tš and щ as štš (Nikolajevitš, Hruštšov): one letter, č and šč
# as Czech writes them.
_FINNIC_CH = re.compile("[tT][šŠ]")


def finnic_ch(text: str) -> str:
    """``text`` with Finnish and Estonian tš written č (see above)."""
    return _FINNIC_CH.sub(lambda m: "č" if m.group()[1] == "š" else "Č", text)


def _iso9_c(m: re.Match[str]) -> str:
    return "ts" if m.group() == "c" else "Ts"


def _iso9_start(m: re.Match[str]) -> str:
    return "yu" if m.group() in "ûÛ" else "ya"


def _fold_any(text: str, not_alnum: re.Pattern[str] = _NOT_ALNUM) -> str:
    """:func:`ascii_fold` for any text (the same result on ASCII text, only slower)."""
    text = unicodedata.normalize("NFKD", light(text).translate(_APOSTROPHES))
    # Latin letters that do not decompose (þ, ð, ł, đ) are written as anyascii writes them.
    text = "".join(c if c.isascii() or c in "ʂƈ" or char_script(c) != "latin" else anyascii(c)
                   for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("œ", "oe").replace("ı", "i")
    return not_alnum.sub(" ", text).strip()


# Slavic names romanised several ways (Aleksej / Aleksei / Alexey, Sosonnyj / Sosonnyy / Sosonnyi, Iurii / Yuriy):
# the endings -ij, -yj, -iy, -yy, -ii, -ej, -ey, -oj, -uj and -laj written -i / -ei, and a first Iu / Ia written Yu /
# Ya. Not another -aj: the j of Arabic Faraj, Siraj, Miraj (فرج, سراج) is a consonant.
_SLAVIC_END = re.compile(r"(?:(?<=[a-zʂƈ]{2})[iy][ijy]+|(?<=[eou])j|(?<=la)j|(?<=e)y)$")
_SLAVIC_START = re.compile(r"^i(?=[au][^aeiou])")


# Belarusian spellings of the names Russian writes with д and В-: dz for a soft d, before i, y, e, j or m (Дзмітрый /
# Дмитрий, Вадзім / Вадим, Дзяніс / Денис; not dz before a, Persian Abedzadeh and Pashto Ahmadzai, nor dzh,
# Джохар), Ulad- for Vlad- (Уладзімір / Владимир, Уладзіслаў / Владислав).
_BELARUSIAN_DZ = re.compile(r"dz(?=[iyemj]|k[ao]$)")
# A final dz after a vowel is the Belarusian soft d of a name's end, which Russian writes -дий (Генадзь / Геннадий,
# Henadz / Gennadiy);
# and the Belarusian and Ukrainian h and i of a few first names whose Russian spelling has g and o (Hienadz,
# Hennadiy / Gennadiy; Мікалай / Николай, Mikalaevich / Nikolaevich): whole starts only, never any h or a.
_BELARUSIAN_FINAL_DZ = re.compile(r"(?<=[aeiouy])dz$")
_BELARUSIAN_START = re.compile(r"^(?:hi?enn?ad(?=[aeiouy]|$)|mikala(?=[ijy]$|[jy]?e))")


def _belarusian_start(m: re.Match[str]) -> str:
    return "genad" if m.group()[0] == "h" else "nikola"


# The Belarusian and Ukrainian h of г in the commonest first names whose Russian spelling has g, at the start of a
# word and before a vowel or the word's end (their patronymics too): Ihar / Ihor (Игорь), Siarhei / Serhii
# (Сергей), Aleh / Oleh (Олег), Halina / Halyna (Галина), Yauhen / Yevhen (Евгений), Hryhoryi (Григорий).
# Евгений is also written with or without a first y (Yevgeniy, Evgenii; Jauhien, Eugene in English): one start,
# evgen-, for all of them, and evgeni for the bare name (Yauhen, Yevhen), whose Russian spelling ends in -ий.
_H_FOR_G = re.compile(
    r"^(?:ih[ao]r|s[iy]?[ae]rh(?=[eiy])|[ao]leh|hal[iy]n|(?:[yj][ae]|i[ae]|e)[uvw][hg]i?en|hr[iy]h)(?=[aeiouy]|$)")
_H_FOR_G_NAMES = {"i": "igor", "s": "serg", "a": "oleg", "o": "oleg", "h": "galin"}


def _h_for_g(m: re.Match[str]) -> str:
    found = m.group()
    if found.endswith("en"):
        return "evgeni" if m.end() == len(m.string) else "evgen"
    if found[:2] == "hr":
        return "grig"
    return _H_FOR_G_NAMES[found[0]]


def slavic_fold(word: str) -> str:
    """One spelling of the romanised Slavic endings and starts above (a folded Latin word), Belarusian dz and
    Ulad- written as Russian writes them."""
    if len(word) < 4:
        return word
    if "dz" in word:
        word = _BELARUSIAN_FINAL_DZ.sub("di", _BELARUSIAN_DZ.sub("d", word))
    if word[0] in "hm":
        word = _BELARUSIAN_START.sub(_belarusian_start, word)
    if word[0] in "isaohyej":
        word = _H_FOR_G.sub(_h_for_g, word)
    if word.startswith("ulad"):
        word = "vlad" + word[4:]
    return _SLAVIC_START.sub("y", _SLAVIC_END.sub("i", word))


# German romanisation of Cyrillic names (Duden: w for в, sch for ш and ж, tsch for ч, schtsch for щ, ch for х, z for
# ц, j for й and for the y of я, ю, е): Wladimir Iwanowitsch Ryschkow is Vladimir Ivanovich Ryzhkov. A name is
# read so only when it shows the German spelling of a Russian ending or letter: -witsch, -wna, -owa, -ewa, -oje,
# -yje, -skaja, -naja, -ij, -yj or -ej after a consonant (Dmitrij, Sergej; not Wareij), or tsch anywhere (not -ow
# or -ew alone: Barlow, Andrew; nor any -aja: Raja, Tabaja)
_GERMAN_CLUE = re.compile(r"(?:\w(?:witsch|[eo]wna|[eo]wa|oje|yje|skaja|naja)|[b-df-hk-np-tv-xz][iye]j)\b|tsch",
                          re.IGNORECASE)
# ... and when it shows no English spelling of one (zh, kh, sh, -vich, -vna, ya, yu, ye), nor the háček of Czech and
# ISO 9 (Sergej Jevgenjevič, Evgenij Grigor'evič), nor an -ov or -ev with no w or sch besides (``_ENGLISH_V``):
# Andrej Nikolaevich, Mozhelyanskij, Sergej Zubkov are spelt otherwise.
_ENGLISH_CLUE = re.compile(r"zh|kh|(?<!c)sh|vich|vna|y[aeu]|[čšžŝ]", re.IGNORECASE)
# An -ov or -ev ending in a name with no w and no sch: Sergej Zubkov is not German (Subkow), though Letscha Bogatirov
# and Michail Sergejewitsch Kiseljov are.
_ENGLISH_V = re.compile(r"[eo]v\b", re.IGNORECASE)
_GERMAN = re.compile(r"schtsch|tsch|sch|ch|w|z|j")
_GERMAN_LETTERS = {"schtsch": "shch", "tsch": "ch", "sch": "sh", "ch": "kh", "w": "v", "z": "ts"}


def _german_letter(m: re.Match[str]) -> str:
    found = m.group()
    if found != "j":
        return _GERMAN_LETTERS[found]
    word, at = m.string, m.start()
    after = word[at + 1:at + 2]
    if after == "e" and (at == 0 or word[at - 1] in "aeiouy"):
        return ""  # je for е at the start or after a vowel: Jelena / Elena, Nikolajewna / Nikolaevna
    return "y"  # й, and the y of я, ю: Nikolaj, Majorowa / Mayorova, Julija / Yuliya, Tjurin / Tyurin


# Polish romanisation of Cyrillic names (sz for ш, cz for ч, szcz for щ, ż for ж, ch for х, w for в, ł for л, j for
# й and for the y of я, ю, е: Paweł Andriejewicz Biełousow is Pavel Andreevich Belousov). A name is read so only
# when it shows sz or cz and a Polish spelling of a Russian ending (-wicz, -ewna, -owna, -ow, -ew, -owa, -ewa, -ij,
# -yj) or a ł: Hungarian Szabo (sz is s) and Czech names keep their letters.
_POLISH_CLUE = re.compile(r"(?:sz|cz)", re.IGNORECASE)
_POLISH_END = re.compile(r"\w(?:wicz|[eo]wna|[eo]wa?|[aoiy]j)\b|ł", re.IGNORECASE)
_POLISH = re.compile(r"szcz|sz|cz|ch|ż|ł|w|j(?=[aeiou])")
_POLISH_LETTERS = {"szcz": "shch", "sz": "sh", "cz": "ch", "ch": "kh", "ż": "zh", "ł": "l", "w": "v", "j": "y"}


# Hungarian romanisation of Cyrillic names (sz for с, s for ш, cs for ч, zs for ж, scs for щ, gy, ty and ny for a
# д, т or н before a soft vowel, j for й and for the y of я, ю, е): Vlagyimir Vlagyimirovics Putyin is Vladimir
# Vladimirovich Putin. A name is read so only when it shows a Hungarian letter no other romanisation writes (cs, zs,
# sz, a gy, ty or ny before i or j: not Tatyana, Simonyan) twice, one of them cs, zs or sz (one is a typing slip as
# often: SERVICS; the reading writes none of these three, so it is idempotent), no Polish
# letter (cz, w, ł), and a Russian ending as Hungarian writes it (-vics, -vna, -ov, -ev, -ova, -eva, -ij) or a
# Russian company's legal form (OOO, AO: Ooo Treszt Roszszpecenyergomontazs):
# Hungarian names (Kovács Katalin, Szabó, Gyurcsány Ferenc) keep their letters.
_HUNGARIAN_CLUE = re.compile(r"cs|zs|sz|[gtn]y[ij]", re.IGNORECASE)
_POLISH_SIGN = re.compile(r"cz|w|ł", re.IGNORECASE)
_HUNGARIAN_END = re.compile(r"\w(?:vics|[eo]vna|[eo]va?|[aoiy]j)\b|\b(?:ooo|oao|zao|pao|ao)\b", re.IGNORECASE)
_HUNGARIAN = re.compile(r"scs|cs|zs|sz|[gtn]y(?=[aeiouj])|s|j")
_HUNGARIAN_LETTERS = {"scs": "shch", "cs": "ch", "zs": "zh", "sz": "s", "gy": "d", "ty": "t", "ny": "n", "s": "sh",
                      "j": "y"}


def hungarian_cyrillic(text: str) -> str:
    """``text`` with its Latin words written as English writes Russian names, lower-case, when the name shows
    Hungarian romanisation (see ``_HUNGARIAN_CLUE``); any other text as it is. Idempotent: the result shows no
    clue."""
    signs = _HUNGARIAN_CLUE.findall(text)
    if (len(signs) < 2 or not any(len(x) == 2 for x in signs) or not _HUNGARIAN_END.search(text)
            or _POLISH_SIGN.search(text)):
        return text
    return " ".join(_HUNGARIAN.sub(lambda m: _HUNGARIAN_LETTERS[m.group()], w.lower()) if w.isascii() else w
                    for w in text.split(" "))


# Latvian writes a masculine -s after Russian names (Sergejs Jevgeņjevičs Zubkovs, Jurijs Andresovs): a name with a
# Latvian ending of one (-ovs, -evs, -ijs, -ejs, -ičs), or of two words or more that all end in a consonant and s
# (Olegs Maticins; not James Jones, Charles Parks), is read with the -s of each word after a consonant dropped.
# Czech, Slovak and ISO 9 háčeks (Zubkov, Jevgenjevič) the Latin path reads as they are.
_LATVIAN_CLUE = re.compile(r"\w(?:[eo]vs|[ie]js|ičs)\b|^(?:[^\W\d_]*[^\W\daeiousš]s\s+)+[^\W\d_]*[^\W\daeiousš]s$",
                           re.IGNORECASE)
_LATVIAN_S = re.compile(r"(?<=\w{3}[^\W\daeiousš])s\b", re.IGNORECASE)


def _each_latin_word(text: str, read: Callable[[str], str]) -> str:
    """``text`` with ``read`` applied to each space-separated word all of whose letters are Latin; other words (a
    Cyrillic or Arabic-script one in a mixed name) as they are."""
    return " ".join(read(w) if all(char_script(c) in ("latin", None) for c in w) else w for w in text.split(" "))


def latvian_endings(text: str) -> str:
    """``text`` without Latvian's masculine -s when the name shows it (see ``_LATVIAN_CLUE``); any other text as it
    is. Idempotent: the result shows no such ending."""
    if not _LATVIAN_CLUE.search(text):
        return text
    return _each_latin_word(text, lambda w: _LATVIAN_S.sub("", w))


# Finnish and Estonian romanisation of Russian names write х as h (Mihail Hodorkovski) and Estonian ы as õ
# (Vostotšnõi, Võsotski); English writes kh and y. A name is read so only when it shows š, ž or õ and a Russian
# ending (-vitš, -ov, -ova, -ovna, -in, -ski, -skaja, -õi, -oje, -aja): Finnish and Estonian names (Põder, Mäkelä)
# show no such ending. A further reading beside the name as written.
_FINNIC_CLUE = re.compile(r"[šžõ]", re.IGNORECASE)
_FINNIC_END = re.compile(r"\w(?:vi[čc]|[eo]vn?a|[eo]v|ina?|skaja|ski|[yõi]i|[oa]je|aja)\b|obščestvo", re.IGNORECASE)
_FINNIC = re.compile(r"(?<![sczk])h|õ")


def finnic_cyrillic(text: str) -> str:
    """``text`` with its Latin words read as English writes Russian names (h kh, õ y), lower-case, when the name shows
    Finnish or Estonian romanisation (see above); any other text as it is. Idempotent: an h after k is left alone."""
    folded = finnic_ch(text)
    lower = folded.lower()
    if not _FINNIC_CLUE.search(folded) or not _FINNIC_END.search(folded) or ("h" not in lower and "õ" not in lower):
        return text
    return _each_latin_word(folded, lambda w: _FINNIC.sub(lambda m: "kh" if m.group() == "h" else "y", w.lower()))


# Lithuanian gives a Russian man's name its own endings (Vladimiras Vladimirovičius Putinas, Igoris, Dmitrijus): -as,
# -is or -us after a consonant, -ius after č, -ijus for -ий. A person's name is read without them too when it shows
# such a patronymic or family name (-ovičius, -ovičas, -ovas, -evas, -inas, -skis, -ijus); Lithuanian names keep
# theirs as written (Jonas Kazlauskas shows none).
_LITHUANIAN_CLUE = re.compile(r"\w(?:[eo]vi[čc]i?[au]s|[eo]vas|inas|skis|ijus)\b", re.IGNORECASE)
_LITHUANIAN_END = re.compile(r"(?<=[^\W\daeiouy])(?:ius|as|is|us)$|(?<=i)jus$", re.IGNORECASE)


def lithuanian_endings(text: str) -> str:
    """``text`` without the Lithuanian endings of a Russian man's name (see above); any other text as it is."""
    if not _LITHUANIAN_CLUE.search(text):
        return text
    return _each_latin_word(text, lambda w: _LITHUANIAN_END.sub(lambda m: "j" if m.group().lower() == "jus" else "",
                                                                w) if len(w) > 4 else w)


# Dutch (and Swedish) romanisation of Cyrillic names (sj for ш, tsj for ч, sjtsj for щ, zj for ж, oe for у, ch for
# х, j for й and for the y of я, ю, е): Michail Iljitsj Pavljoek is Mikhail Ilyich Pavlyuk, Obsjtsjestvo is
# Obshchestvo. A name is read so only when it shows a Dutch letter group of Russian (tsj, sj, zj, or oe) and a
# Russian ending or company word (-itsj, -ov, -eva, -ovna, -in, -ij, -aja, -oje, -enko); Dutch names (Sjoerd
# Hoekstra, Koen de Boer) show no such ending. A further reading beside the name as written
# (``basira.finance.name_scoring.readings_of``). Swedish writes the same letters but tj for ч and sjtj for щ
# (Nikolajevitj, Obsjtjestvo, Chrusjtjov), and u for у; its tju, like Dutch tjoe, is тю (Otvetstvennostju, Tjumen).
_DUTCH_CLUE = re.compile(r"tsj|sj|zj|oe|tj", re.IGNORECASE)
_DUTCH_END = re.compile(r"\w(?:its?j|[eo]v(?:n?a)?|ina?|[iy]j|aja|oje|enko)\b|obsjt?sjestvo", re.IGNORECASE)
_DUTCH = re.compile(r"sjtsj|sjtj|tsj|tj(?!u|oe)|sj|zj|oe|ch|j(?=[aeiou])|(?<=[aeiouy])j")
_DUTCH_LETTERS = {"sjtsj": "shch", "sjtj": "shch", "tsj": "ch", "tj": "ch", "sj": "sh", "zj": "zh",
                  "oe": "u", "ch": "kh"}


def dutch_cyrillic(text: str) -> str:
    """``text`` with its Latin words written as English writes Russian names, lower-case, when the name shows
    Dutch romanisation (see ``_DUTCH_CLUE``); any other text as it is. Idempotent: the result shows no clue."""
    if not _DUTCH_CLUE.search(text) or not _DUTCH_END.search(text):
        return text
    return _each_latin_word(text, lambda w: _DUTCH.sub(lambda m: _DUTCH_LETTERS.get(m.group(), "y"), w.lower()))


# Azerbaijani (ə, x for kh, c for j, ğ for gh: Əli Cəfər Xəlilov) and Kurmanji Kurdish (x for kh, c for j, ê, î, û:
# Xelîl Cefer) letters of a person's name read as English writes the same names (Ali Jafar Khalilov, Khelil Jefer).
# Only in a name that shows ə, or ê, î or û: Turkish writes c for j too, but Turkish x is no letter, and a plain
# Latin c or x elsewhere (Carlos, Alex) keeps its sound. A further reading beside the name as written.
_TURKIC_CLUE = re.compile(r"[əƏêÊîÎûÛ]")
_TURKIC = re.compile(r"[əƏxXcCğĞıêÊîÎûÛ]")
_TURKIC_LETTERS = {"ə": "a", "Ə": "A", "x": "kh", "X": "Kh", "c": "j", "C": "J", "ğ": "gh", "Ğ": "Gh", "ı": "i",
                   "ê": "e", "Ê": "E", "î": "i", "Î": "I", "û": "u", "Û": "U"}


def azerbaijani_kurdish_letters(text: str) -> str:
    """``text`` with Azerbaijani and Kurmanji letters read as English writes them (see ``_TURKIC_CLUE``); any other
    text as it is. Idempotent: the result has no ə, ê, î or û."""
    if not _TURKIC_CLUE.search(text):
        return text
    return _TURKIC.sub(lambda m: _TURKIC_LETTERS[m.group()], text)  # Latin letters only: a Cyrillic х stays


# Albanian writes the j of Arabic and Turkish names xh before a vowel (Xhemal, Haxhi, Xhafer, Rexhep, Batarxhi),
# where no other romanisation writes xh. A further reading of a person's name only, beside the name as written
# (``basira.finance.name_scoring.readings_of``): a typing slip such as EXHCANGE keeps its letters there.
_ALBANIAN_XH = re.compile(r"(x)h(?=[aeiouAEIOU])", re.IGNORECASE)


def albanian_letters(text: str) -> str:
    """``text`` with Albanian's xh written j (Xhafer is Jafer; see ``_ALBANIAN_XH``); any other text as it is."""
    if "xh" not in text.lower():
        return text
    return _ALBANIAN_XH.sub(lambda m: "J" if m.group(1) == "X" else "j", text)


def polish_cyrillic(text: str) -> str:
    """``text`` with its Latin words written as English writes Russian names, lower-case, when the name shows
    Polish romanisation (see ``_POLISH_CLUE``); any other text as it is."""
    if not _POLISH_CLUE.search(text) or not _POLISH_END.search(text):
        return text
    return _each_latin_word(text, lambda w: _POLISH.sub(lambda m: _POLISH_LETTERS[m.group()], w.lower()))


def german_cyrillic(text: str) -> str:
    """``text`` with its Latin words written as English writes Russian names (BGN), lower-case, when the name
    shows German romanisation (see ``_GERMAN_CLUE``); any other text as it is. Idempotent: the result shows no
    clue."""
    if not _GERMAN_CLUE.search(text) or _ENGLISH_CLUE.search(text):
        return text
    if _ENGLISH_V.search(text) and not any(c in text.lower() for c in ("w", "sch")):
        return text
    return " ".join(_GERMAN.sub(_german_letter, w.lower()) if w.isascii() else w for w in text.split(" "))


_VOWEL_LETTERS = frozenset("aeiouy")
_DOUBLE_V = re.compile("vv+")
# A v first, last or before a consonant: one that may not vanish across scripts (see ``_AMBIGUOUS``).
_FIXED_V = re.compile("^v|v(?![aeiouy])")
_LAT_RE_V = re.compile(_LAT_RE.pattern + "|ⱱ|ʦ|ç|ŵ|ʂ|ƈ|ǧ|ȼ|ᶊ|ŧ|đ|ẋ|ĉ|ĵ|ȟ")
_LAT_MAP_V = _LAT_MAP | {c: c for c in "ⱱʦçŵʂƈǧȼᶊŧđẋĉĵȟ"}
# A ts before i, or before y and a vowel (Cyrillic ця, це, цю as anyascii writes them): see ``_AMBIGUOUS``.
_SOFT_TS = re.compile(r"ts(?=i|y[aeiou])")
# A c that may be a ç without its cedilla (see ``_AMBIGUOUS``): not in ch, ck, sch or tch, not before e, i or y;
# one next to another letter read k (cc, kc, cq, cg, cx, ghc: Mecca) is k, so that it cannot be one k with it.
_CEDILLA_C = re.compile(r"(?<![ckqgxh])c(?![hkeiycqgx])")
# A c before e, i or y that may be s or the Turkish c of ج (see ``_AMBIGUOUS``): not in sc, nor after another letter
# read k (cc, kc, xc: Mecci), so that it cannot be one k with it.
_SOFT_C = re.compile(r"(?<![ckqgxhs])c(?=[eiy])")


# A word's first ou before a, e or i (see ``_AMBIGUOUS``), in a word of four letters or more: not ouo or ouu
# (Ououimbabazi: a doubled vowel), nor ouy (Ouyahia: the y is the consonant).
_OU_W = re.compile(r"^ou(?=[aei].)")
# A g that may be the Egyptian g of ج (see ``_AMBIGUOUS``): not the g of gh (غ); one next to another letter read k
# (gk, kg, cg, gq, gx: Thiongkol; a doubled g too, ggh; and a g right after gh, Baghgan) is k, so that it is one
# k with it, as it was before the marker. A doubled g is one unit (Haggag / حجاج).
_EGYPTIAN_G = re.compile(r"(?<![ckqxg])(?<!gh)g++(?![hckqx])")
# The s of an Indonesian and Malay sy, which writes ش (Syarif / شريف, Rasyid / رشيد, Rusydi / رشدي, Musyarraf), not
# at a word's end (Kelsy): see ``_AMBIGUOUS``; nor after another s, or an x (ks), which it is one s with.
_INDONESIAN_SY = re.compile(r"(?<![sx])s(?=y.)")
# A Latin th or dh inside a word, after a vowel (see ``_AMBIGUOUS``): not first (Thabit, Dhafer: ث, ذ), nor before
# its own letter (Athtar), which it would no longer be one letter with.
_TH_DH = re.compile(r"(?<=[aeiouy])([td])h(?!\1)")
# An x that may be the h of Somali spellings (see ``_AMBIGUOUS``): not next to another letter read k or s (kx, cx, xs,
# xx), which its k or s would be one letter with.
_SOMALI_X = re.compile(r"(?<![kcqgxs])x(?![kcqgsx])")
# A j before a vowel, first or after a vowel, that may be the y of German, Dutch, Scandinavian and Balkan spellings
# (see ``_AMBIGUOUS``): not in dj, dzh or dsch, which are j.
_GERMAN_J = re.compile(r"(?<![^aeiouy])j(?=[aeiou])")
# A ch that may be the kh of German spellings (see ``_AMBIGUOUS``): not in sch or tch.
_GERMAN_CH = re.compile(r"(?<![st])ch")


def _th_dh(m: re.Match[str]) -> str:
    return "ŧ" if m.group()[0] == "t" else "đ"


#: The markers two Latin spellings read one way and scripts apart several (see ``has_marker``).
_LATIN_MARKER = re.compile("[çŵǧȼᶊŧđĉĵȟ]")
_PLAIN = str.maketrans({"ç": "k", "ŵ": "w", "ǧ": "k", "ȼ": "k", "ᶊ": "s", "ŧ": "t", "đ": "d", "ĉ": "k", "ĵ": "j",
                        "ȟ": "x"})


def arabic_plain(skeleton: str) -> str:
    """The skeleton two Arabic-script parts are compared on: خ is k there (خالد is no حالد), as it was before its
    marker."""
    return skeleton.replace("ꜧ", "k") if "ꜧ" in skeleton else skeleton


def _jim(m: re.Match[str]) -> str:
    return "ǧ" * len(m.group())


def has_marker(skeleton: str) -> bool:
    """Whether a skeleton holds a letter that two Latin spellings read one way and scripts apart several (a c
    that may be a ç, an ou that may be w, a g that may be ج): see :func:`latin_plain`."""
    return not skeleton.isascii() and _LATIN_MARKER.search(skeleton) is not None


_MARKED_VOWELS = str.maketrans({"ⱱ": "ʋ", "ʦ": "t", "ç": "k", "ŵ": "w", "ʂ": "ʃ", "ƈ": "x", "ǧ": "k", "ȼ": "k",
                                "ẋ": "ks", "ĉ": "k", "ĵ": "j", "ȟ": "x", "ᶊ": "s", "ŧ": "t", "đ": "d"})


def latin_plain(skeleton: str) -> str:
    """The skeleton two Latin spellings are compared on: a c that may be a ç (see ``_AMBIGUOUS``) is k there, so
    Kocak and Kokak are spellings of one skeleton as they were before the marker; a first ou that may be w is w
    (Ouali and Wali); a g that may be ج is k (Gamal and Kamal, not Jamal)."""
    return skeleton.translate(_PLAIN) if has_marker(skeleton) else skeleton


def _may_vanish(word: str, i: int) -> bool:
    """Whether the v at ``word[i]`` may be a vav that Arabic script writes as a vowel: inside the word, before a
    vowel."""
    return 0 < i < len(word) - 1 and word[i + 1] in _VOWEL_LETTERS


@functools.lru_cache(maxsize=65536)
def latin_word_key(word: str) -> tuple[str, str]:
    """(consonant skeleton, vowel form) of one folded Latin word (``ascii_fold`` output, no article).

    A v inside the word and before a vowel may vanish across scripts, another v may not (see ``_AMBIGUOUS``); the
    vowel form, which only Latin spellings are compared on, writes both alike."""
    word = slavic_fold(word)
    if "ts" in word:
        word = _SOFT_TS.sub("ʦ", word)
    if "c" in word:
        if word[0] == "c" and word[1:2] in ("a", "o", "u") and len(word) > 2:
            word = "ĉ" + word[1:]
        word = _SOFT_C.sub("ȼ", _CEDILLA_C.sub("ç", word))
    if "x" in word:
        word = _SOMALI_X.sub("ẋ", word)
    if "j" in word:
        word = _GERMAN_J.sub("ĵ", word)
    if "ch" in word:
        word = _GERMAN_CH.sub("ȟ", word)
    if word[:2] == "ou":
        word = _OU_W.sub("ŵ", word)
    if "sy" in word:
        word = _INDONESIAN_SY.sub("ᶊ", word)
    if "h" in word:
        word = _TH_DH.sub(_th_dh, word)
    if "g" in word:
        word = _EGYPTIAN_G.sub(_jim, word)
    if "v" not in word and word.isascii():  # no v, and no marker (ʦ, ç, ȼ, ŵ, ᶊ, ŧ, đ, ǧ, ʂ, ƈ, ẋ, ĉ: none is ASCII)
        return _finish("".join(_LAT_MAP.get(m, "") for m in _LAT_RE.findall(word)))
    # One v for a doubled one (Petrovvich), and ⱱ for a v that may not vanish across scripts.
    word = _FIXED_V.sub("ⱱ", _DOUBLE_V.sub("v", word))
    skeleton, vowels = _finish("".join(_LAT_MAP_V.get(m, "") for m in _LAT_RE_V.findall(word)))
    # The vowel form, which only Latin spellings are compared on, writes both v alike, a soft ts as t, c as k, a
    # first ou that may be w as w, a Turkish ş and ç as sh and ch (Mohtaşam and Mohtasham one spelling, Mohtasam a
    # vowel-form step away), and a g that may be ج as k.
    return skeleton, vowels.translate(_MARKED_VOWELS)


def romanize(text: str) -> str:
    """A readable Latin rendering of Arabic-script text (other characters pass through).

    Articles are written ``al-`` and assimilate before sun letters (``ash-Sh``, ``ad-D``); short vowels,
    which Arabic does not write, are not guessed.
    """
    out: list[str] = []
    for word in light(text).split(" "):
        if len(word) > 3 and word.startswith("ال"):
            first = word[2]
            article = "a" + (_AR_READ.get(first, "l") if first in _SUN else "l") + "-"
            out.append(article + "".join(_AR_READ.get(c, c) for c in word[2:]))
        else:
            out.append("".join(_AR_READ.get(c, c) for c in word))
    return " ".join(w for w in out if w)


# Vowel patterns: the consonant units of a word (its skeleton's letters, one per unit) with the vowels written
# around each, so that an Arabic-script part and a Latin one can be checked for vowels that contradict each other.
# Vowels are upper-case: A E I O U on the Latin side (e and o kept apart from i and u, which Arabic cannot tell
# apart but which tell a Latin Jamel from a Jamil); on the Arabic side only the long vowels Arabic writes, A (ا),
# I (ي), U (و), H (a vanished ʿayn or hamza inside the word), T (ta marbuta, ة), Y (a final ى or Persian ی: ā in
# Arabic, Musa / موسى, ī in Dari, Haqqani / حقانى), J (a final ي after a consonant: ī, or ā written with dots)
# and ^ before a word that starts with alef, hamza or ʿayn.
# The Latin side marks ~ where a fused article may stand (Essabar).
# The vowel digraphs of _LAT_DIGRAPHS, then single vowels (e and o kept apart from i and u, unlike _LAT).
_LAT_PAT = {d: c for d, c in _LAT_DIGRAPHS if c.isupper()} | dict(zip("aeiou", "AEIOU", strict=True))
_AR_OPEN = set("اأإآٱعءئؤ")
_AR_PAT_VOWELS = {"ا": "A", "آ": "A", "ٱ": "A", "ى": "Y", "ة": "T", "ۃ": "T"}
# A final ي after a consonant (J) is ī (a nisba, Jabiri / جابري), or an alif maqsura written with its dots, as some
# hands and keyboards write it (موسي / Musa, مرتضي / Murtada, مصطفي / Mustafa): an a in the Latin agrees with it
# too; not in a word of one consonant before it, where the vowel is all that tells two names apart (علي / Ali is
# no علاء / Ala).
_AR_NOT_BEFORE_J = frozenset("اأإآٱوؤيئىةءع")
_AR_PAT_YW = {"و": "U", "ۆ": "U", "ۇ": "U", "ي": "I", "ی": "I", "ې": "I", "ے": "I"}


def _collapse_units(classes: list[str]) -> str:
    out: list[str] = []
    for c in classes:
        # A doubled consonant (Hassan, Abbas) is one unit, also across a vanished ʿayn (H), as in the skeleton.
        if out and not c.isupper() and c == next((x for x in reversed(out) if x != "H"), None):
            continue
        out.append(c)
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def latin_vowel_pattern(word: str) -> str:
    """Consonant units and written vowels of one folded Latin word (``Jamil`` -> ``jAmIl``; see above).

    A word that starts with a vowel and a doubled sun letter may carry a fused assimilated article (Essabar,
    Ettounsi): its first vowel is marked ``~``, unknown.
    """
    out: list[str] = []
    word = slavic_fold(word)
    if not word.isascii():
        word = word.replace("ʂ", "sh").replace("ƈ", "ch")  # Turkish ş and ç (see latin_fold)
    if len(word) > 4 and word[0] in "aeiou" and word[1] == word[2] and word[1] in _SUN_LATIN:
        out.append("~")
        word = word[1:]
    if "vv" in word:
        word = _DOUBLE_V.sub("v", word)
    if word[:2] == "ou":
        word = _OU_W.sub("w", word)  # a first ou that may be w: w, as two Latin spellings read it (latin_plain)
    for i, match in enumerate(_LAT_RE.finditer(word)):
        m = match[0]
        if m in _LAT_PAT:
            out.extend(_LAT_PAT[m])
        elif m in "wy":
            # As in the skeleton: a w or y after the first letter is a vowel.
            out.append(m if i == 0 else ("U" if m == "w" else "I"))
        elif m == "v":
            out.append("ʋ" if _may_vanish(word, match.start()) else "ⱱ")  # as in the skeleton
        else:
            out.extend(_LAT_MAP.get(m, ""))
    return _collapse_units(out)


@functools.lru_cache(maxsize=65536)
def arabic_vowel_pattern(word: str) -> str:
    """Consonant units and written long vowels of one Arabic-script word without its article (``جمال`` ->
    ``jmAl``, ``أحمد`` -> ``^hmd``; see above)."""
    if "ھ" in word:
        word = _ASPIRATE.sub("", word)  # Urdu's aspiration mark (see arabic_word_key)
    if word.startswith("تش"):
        word = _FIRST_TSH.sub("چ", word)  # the ch of a foreign name (see _FIRST_TSH)
    if "خوا" in word:
        # The w of Persian خوا is silent (خواجه / Khajeh, Khavajeh, Khwaja): the vowel is the alef's.
        word = word.replace("خوا", "خا")
    for allah in ("الله", "اللہ"):
        if allah in word[1:]:
            # The alef of Allah's article inside a word is no vowel (خيرالله / Khairullah, عبيدالله / Obaidullah).
            word = word[0] + word[1:].replace(allah, allah[1:])
    out: list[str] = []
    last = len(word) - 1
    final_ov = _FINAL_OV.search(word)
    for i, ch in enumerate(word):
        if final_ov is not None and i == final_ov.start() + 1:
            out.append("ⱱ")  # the v of a final -ov (see arabic_word_key)
        elif i == 0 and ch in _AR_OPEN:
            out.append("^")
            if ch == "آ":
                out.append("A")
        elif ch in "عءئؤ":
            out.append("H")  # a vanished ʿayn or hamza: Latin writes a vowel of its own here (Tali' / طالع)
        elif ch in _AR_PAT_VOWELS:
            out.append(_AR_PAT_VOWELS[ch] if i else "^")
        elif ch in _AR_PAT_YW:
            if not i:
                out.append(_AR[ch])  # a first و or ي is a consonant (Yusuf, Walid)
            else:
                if i == last and ch == "ی":
                    out.append("Y")
                elif (i == last and ch == "ي" and word[i - 1] not in _AR_NOT_BEFORE_J
                      and sum(1 for c in _collapse_units(out) if c.islower()) >= 2):
                    out.append("J")
                else:
                    out.append(_AR_PAT_YW[ch])
        else:
            c = "k" if ch == "خ" else _AR.get(ch, "")  # خ as it was before its marker: the units are what count
            if c:
                # A medial hamza on alef is no long vowel, but keeps the letters around it apart, as in the skeleton.
                out.append("_" if c.isupper() else c)
    return _collapse_units(out).replace("_", "")
