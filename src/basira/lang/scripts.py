"""Names in any script made screenable: Latin and Arabic script pass through (each has its own path in the name
matcher); Hebrew, Devanagari, Bengali and Katakana, which like Arabic leave short vowels unwritten or can be read so,
are written in the Arabic-script letters they spell and take the Arabic path; Greek is read as the Greek press
writes foreign names; every other script is transliterated to Latin with ``anyascii`` (ISC licence). Homoglyphs
hidden in a Latin word are read as the Latin letters they imitate, invisible format characters are removed, and the
legal forms of companies are set aside.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from anyascii import anyascii
from rapidfuzz.distance import OSA

from basira.lang.arabic import char_script

# Cyrillic and Greek letters that look like Latin ones: in a word that also has Latin letters they are read as
# those (a Cyrillic а in "Bаsira" is an attack or a keyboard slip, not a Russian name).
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "һ": "h",
    "ӏ": "l", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "α": "a", "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
# Scripts whose characters are syllables of a name written without spaces (王伟 is Wang Wei, 김정은 Kim Jong Un):
# each character becomes a word of its own, as the Latin spellings on the lists write them.
_SYLLABLES = frozenset({"han", "hangul"})


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """A word: letters and digits with the combining marks they carry (the vowel signs and viramas of Indic scripts,
    Thai and Ethiopic marks), so that a word is read whole and no mark is left over between two halves of it."""
    ranges, start = [], None
    for cp in range(0x300, 0x20000):
        mark = unicodedata.category(chr(cp))[0] == "M"
        if mark and start is None:
            start = cp
        elif not mark and start is not None:
            ranges.append(f"{chr(start)}-{chr(cp - 1)}" if cp - 1 > start else chr(start))
            start = None
    return re.compile(r"[^\W_](?:[^\W_]|[" + "".join(ranges) + "])*")


# Latin letters that look like Cyrillic ones, as typed into Cyrillic words (Belarusian and Ukrainian і as the Latin
# i, a Latin P or A from the wrong keyboard layout: Вiктар, ТPиБУн, Aндрей).
_TO_CYRILLIC = str.maketrans(dict(zip("AaBEeKkMHOoPpCcTXxYyIi", "АаВЕеКкМНОоРрСсТХхУуІі", strict=True)))


def _cyrillic_with_latin(word: str) -> str | None:
    """A Cyrillic word with a few Latin look-alikes typed in it, written all in Cyrillic; ``None`` for any other
    word. It is Cyrillic when Cyrillic letters outnumber Latin ones and every Latin letter looks like a Cyrillic
    one: then it is read as Cyrillic, not as look-alikes of a Latin word (Вiктар is not "Biktap")."""
    latin = [c for c in word if char_script(c) == "latin"]
    cyrillic = sum(char_script(c) == "cyrillic" for c in word)
    if cyrillic <= len(latin) or any(c.translate(_TO_CYRILLIC) == c for c in latin):
        return None
    return word.translate(_TO_CYRILLIC)


def _word(m: re.Match[str]) -> str:
    word = m.group(0)
    kinds = {char_script(c) for c in word} - {None}
    if kinds <= {"latin", "arabic"}:
        return word
    if kinds == {"greek"}:
        return greek_to_latin(word)
    if "latin" in kinds and "cyrillic" in kinds and (cyrillic := _cyrillic_with_latin(word)) is not None:
        word = cyrillic
    elif "latin" in kinds:
        word = word.translate(_CONFUSABLES)
        kinds = {char_script(c) for c in word} - {None}
        if kinds <= {"latin"}:
            return word
    out = []
    for c in word:
        s = char_script(c)
        if s is None and unicodedata.category(c)[0] == "M":
            out.append(anyascii(c))  # a vowel sign or virama of the script it follows
        elif s in ("latin", "arabic") or s is None:
            out.append(c)
        elif s in _SYLLABLES:
            out.append(f" {anyascii(c)} ")
        else:
            out.append(anyascii(c))
    return "".join(out)


# Hebrew, like Arabic, writes consonants and long vowels (ו for o and u, י for i and e) and leaves short vowels
# out; the Israeli press writes Arabic names letter for letter (מוחמד, ח׳אלד, אל-בע׳דאדי) and foreign names as heard
# (ולדימיר פוטין). A Hebrew name is read as the Arabic-script name its letters spell, so that it takes the Arabic
# path (consonant skeletons, vowel letters): a letter with a geresh is the Arabic letter Hebrew lacks (ג׳ ج, ח׳ خ,
# ע׳ غ, ד׳ ذ, ת׳ ث, ט׳ ظ, ז׳ ژ, צ׳ چ), פ is p or f (ڢ, which the Arabic path reads so) and its final form ף f, a
# doubled ו is the consonant v or w (ڤ), the article with a hyphen or maqaf (אל-, א-) is the Arabic article, vowel
# points are dropped.
_HEBREW_LETTER = re.compile("[\u05d0-\u05ea\u05f0-\u05f2]")
_HEBREW_POINTS = re.compile("[\u0591-\u05bd\u05bf-\u05c7]")  # points and accents; not the maqaf (U+05BE)
_HEBREW_GERESH = re.compile("([גזצחעדתט])[׳'’`]")
_HEBREW_WITH_GERESH = {"ג": "ج", "ז": "ژ", "צ": "چ", "ח": "خ", "ע": "غ", "ד": "ذ", "ת": "ث", "ט": "ظ"}
_HEBREW_ARTICLE = re.compile("(?<![\u05d0-\u05ea])(?:אל|א)[-־]\\s*(?=[\u05d0-\u05ea])")
# A last ה is the vowel a or e that Arabic writes ة (אולגה, Olga; עודה, Odeh). A first אל joined to the rest of a
# word is read both as the article and as the letters of a name (אלנה, Elena), as first_al_as_letters reads it.
_HEBREW_FINAL_HE = re.compile("(?<=[\u05d0-\u05ea])ה(?![\u05d0-\u05ea\u05f3'’])")
_HEBREW_LETTERS = str.maketrans({
    "א": "ا", "ב": "ب", "ג": "گ", "ד": "د", "ה": "ه", "ו": "و", "ז": "ز", "ח": "ح", "ט": "ط", "י": "ی", "כ": "ک",
    "ך": "ک", "ל": "ل", "מ": "م", "ם": "م", "נ": "ن", "ן": "ن", "ס": "س", "ע": "ع", "פ": "ڢ", "ף": "ف", "צ": "ص",
    "ץ": "ص", "ק": "ق", "ר": "ر", "ש": "ش", "ת": "ت", "װ": "و", "ױ": "وی", "ײ": "یی", "־": "-", "׳": "", "״": "",
})


def hebrew_as_arabic(text: str) -> str:
    """``text`` with its Hebrew words written in the Arabic-script letters they spell (see above); other text as
    it is."""
    if not _HEBREW_LETTER.search(text):
        return text
    text = _HEBREW_POINTS.sub("", text)
    text = _HEBREW_ARTICLE.sub("ال", _HEBREW_GERESH.sub(lambda m: _HEBREW_WITH_GERESH[m.group(1)], text))
    text = _HEBREW_FINAL_HE.sub("ة", text)
    return text.replace("וו", "ڤ").translate(_HEBREW_LETTERS)


# Devanagari (Hindi, Marathi, Nepali) and Bengali script write what Urdu writes in Arabic letters: consonants, long
# vowels as vowel signs, the short a unwritten (मोहम्मद, মুহাম্মদ, محمد). A word in them is read as the Urdu spelling
# its letters give, so that it takes the Arabic path (consonant skeletons, long-vowel letters), where Urdu names
# and the foreign names Urdu writes are found: the short i and u signs and the virama are no letter, the long
# vowels are ا, ی and و, an aspirate is the letter with Urdu's ھ, the retroflex letters are Urdu's ٹ, ڈ and ڑ, a
# nukta letter is the Arabic one it stands for (ज़ ز, फ़ ف, ख़ خ, ग़ غ, क़ ق), and ज, জ without it j or z (ڗ, which
# the Arabic path reads as either: Hindi and Bengali write a z so too). Bengali writes a v as ভ and a z as য; its
# য় is y.
_INDIC_LETTER = re.compile("[\u0900-\u09ff]")
_DEVANAGARI_NUKTA = {"क": "ق", "ख": "خ", "ग": "غ", "ज": "ز", "फ": "ف", "ड": "ڑ", "ढ": "ڑھ", "य": "ی"}
_INDIC = {
    # Devanagari consonants
    "क": "ک", "ख": "کھ", "ग": "گ", "घ": "گھ", "ङ": "ن", "च": "چ", "छ": "چھ", "ज": "ڗ", "झ": "جھ", "ञ": "ن",
    "ट": "ٹ", "ठ": "ٹھ", "ड": "ڈ", "ढ": "ڈھ", "ण": "ن", "त": "ت", "थ": "تھ", "द": "د", "ध": "دھ", "न": "ن",
    "प": "پ", "फ": "ف", "ब": "ب", "भ": "بھ", "म": "م", "य": "ی", "र": "ر", "ल": "ل", "ळ": "ل", "व": "و",
    "श": "ش", "ष": "ش", "स": "س", "ह": "ہ",
    # Devanagari vowels: first in a word, then as signs; the anusvara and candrabindu n, the visarga h
    "अ": "ا", "आ": "آ", "इ": "ا", "ई": "ای", "उ": "ا", "ऊ": "او", "ए": "ای", "ऐ": "ای", "ओ": "او", "औ": "او",
    "ऑ": "ا", "ऋ": "ر", "ा": "ا", "ि": "", "ी": "ی", "ु": "", "ू": "و", "े": "ی", "ै": "ی", "ो": "و", "ौ": "و",
    "ॉ": "ا", "ृ": "ر", "्": "", "ं": "ن", "ँ": "ن", "ः": "ہ", "़": "",
    # Bengali consonants
    "ক": "ک", "খ": "کھ", "গ": "گ", "ঘ": "گھ", "ঙ": "ن", "চ": "چ", "ছ": "چھ", "জ": "ڗ", "ঝ": "جھ", "ঞ": "ن",
    "ট": "ٹ", "ঠ": "ٹھ", "ড": "ڈ", "ঢ": "ڈھ", "ণ": "ن", "ত": "ت", "থ": "تھ", "দ": "د", "ধ": "دھ", "ন": "ن",
    "প": "پ", "ফ": "ف", "ব": "ب", "ভ": "و", "ম": "م", "য": "ز", "র": "ر", "ল": "ل", "শ": "ش", "ষ": "ش",
    "স": "س", "হ": "ہ", "ৎ": "ت",
    # Bengali vowels, signs and marks
    "অ": "ا", "আ": "آ", "ই": "ا", "ঈ": "ای", "উ": "ا", "ঊ": "او", "এ": "ای", "ঐ": "ای", "ও": "او", "ঔ": "او",
    "ঋ": "ر", "া": "ا", "ি": "", "ী": "ی", "ু": "", "ূ": "و", "ে": "ی", "ৈ": "ی", "ো": "و", "ৌ": "و", "ৃ": "ر",
    "্": "", "ং": "ن", "ঁ": "", "ঃ": "ہ", "়": "",
}
_INDIC_NUKTA = re.compile("([कखगजफडढय])\u093c|([ডঢয])\u09bc")
_BENGALI_NUKTA = {"ড": "ڑ", "ঢ": "ڑھ", "য": "ی"}
# Bengali's ওয় before a vowel sign is w (ওয়ালি, Wali; জাওয়াহিরি, Zawahiri). A vowel letter inside a word (after a
# letter or a sign) follows another vowel: no alef carries it, a short one is no letter at all.
_BENGALI_W = re.compile("ও\u09af\u09bc")
_INDIC_MID = dict(zip("अआइईउऊएऐओऔঅআইঈউঊএঐওঔ", ("", "ا", "", "ی", "", "و", "ی", "ی", "و", "و") * 2, strict=True))
# A word's last vowel sign, short i or u, is the long vowel Arabic writes there (আলি, Ali; ज़वाहिरि, Zawahiri).
_INDIC_FINAL_SHORT = re.compile("[\u093f\u0941\u09bf\u09c1](?![\u0900-\u09ff])")
_INDIC_MID_VOWEL = re.compile("(?<=[\u0901-\u094d\u0981-\u09cd])[अआइईउऊएऐओऔঅআইঈউঊএঐওঔ]")


# Abd-, which Hindi, Bengali and Japanese cannot write with its ʿayn (अब्दुल, আব্দুল, アブドゥル: Abdul), is عبد.
_FIRST_ABD = re.compile("(?<![\u0600-\u06ff])[اآ]ب[دڈ](?=[\u0600-\u06ff])")


# Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada and Malayalam share Devanagari's layout, each in a block of its
# own (Gujarati ક is Devanagari क 0x180 further on): a letter of theirs is read as the Devanagari letter in its
# place. Gurmukhi's tippi is the anusvara, its addak (a doubled consonant) no letter. Tamil, which writes k and g
# alike (க), reads as the plain letters.
_BRAHMIC_LETTER = re.compile("[\u0a00-\u0d7f]")


@functools.cache
def _brahmic_to_devanagari() -> dict[int, str]:
    table: dict[int, str] = {}
    for block in range(0x0A00, 0x0D80, 0x80):
        for offset in range(0x80):
            if unicodedata.name(chr(block + offset), "") and unicodedata.name(chr(0x0900 + offset), ""):
                table[block + offset] = chr(0x0900 + offset)
    return table | {0x0A70: "ं", 0x0A71: ""}


def indic_as_arabic(text: str) -> str:
    """``text`` with its Devanagari and Bengali words, and those of the scripts that share their layout, written in
    the Urdu letters they spell (see above); other text as it is."""
    if not _INDIC_LETTER.search(text) and not _BRAHMIC_LETTER.search(text):
        return text
    text = unicodedata.normalize("NFC", text)
    if _BRAHMIC_LETTER.search(text):
        text = text.translate(_brahmic_to_devanagari())
    text = _BENGALI_W.sub("و", text)  # nukta letters apart, two-part signs whole (NFC)
    text = _INDIC_NUKTA.sub(lambda m: _DEVANAGARI_NUKTA[m.group(1)] if m.group(1) else _BENGALI_NUKTA[m.group(2)],
                            text)
    text = _INDIC_MID_VOWEL.sub(lambda m: _INDIC_MID[m.group()], text)
    text = _INDIC_FINAL_SHORT.sub(lambda m: "ی" if m.group() in "\u093f\u09bf" else "و", text)
    return _FIRST_ABD.sub("عبد", "".join(_INDIC.get(c, c) for c in text))


# Katakana writes a foreign name one syllable at a time, a vowel after every consonant: ヴィクトル (Victor),
# ムハンマド (Muhammad). A Katakana name is read as the Urdu-script spelling of its syllables, so that it takes the
# Arabic path, where a short vowel is no letter: the vowel u, which Japanese adds after a consonant that has none
# (ク, ス, ル, ド...), and the o it adds after t and d (ト, ド) are left unwritten like a short vowel, the others
# written as the long-vowel letters Urdu writes for a foreign name's vowels (a ا, i and e ی, o و); Japanese r is r
# or l (ڕ, which the Arabic path reads as either), シ is si or shi (ڛ), ジ zi or ji (ڗ), チ ti or chi (ٿ), フ with
# no vowel of its own f, h or kh (ڦ: Japanese writes a syllable's last h as フ, アフマド Ahmad); ン is n, ッ (a doubled
# consonant) no letter, ー a long vowel (a u or o written); アル written apart is the article.
_KATAKANA_WORD = re.compile("[\u30a1-\u30fa\u30fc]+")


def _kana_table() -> dict[str, tuple[str, str]]:
    """Each Katakana letter of a syllable: (its consonant in Urdu letters, its vowel)."""
    table: dict[str, tuple[str, str]] = {}
    for row, consonants in (
            ("アイウエオ", ("", "", "", "", "")), ("カキクケコ", ("ک",) * 5), ("ガギグゲゴ", ("گ",) * 5),
            ("サシスセソ", ("س", "ڛ", "س", "س", "س")), ("ザジズゼゾ", ("ز", "ڗ", "ز", "ز", "ز")),
            ("タチツテト", ("ت", "ٿ", "تس", "ت", "ت")), ("ダヂヅデド", ("د", "ج", "ز", "د", "د")),
            ("ナニヌネノ", ("ن",) * 5), ("ハヒフヘホ", ("ہ", "ہ", "ف", "ہ", "ہ")), ("バビブベボ", ("ب",) * 5),
            ("パピプペポ", ("پ",) * 5), ("マミムメモ", ("م",) * 5), ("ラリルレロ", ("ڕ",) * 5)):
        for kana, consonant, vowel in zip(row, consonants, "aiueo", strict=True):
            table[kana] = (consonant, vowel)
    return table | {"ヤ": ("ی", "a"), "ユ": ("ی", "u"), "ヨ": ("ی", "o"), "ワ": ("و", "a"), "ヲ": ("", "o"),
                    "ヴ": ("و", "u"), "ヰ": ("و", "i"), "ヱ": ("و", "e")}


_KANA = _kana_table()
_KANA_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}
_KANA_SMALL_VOWEL = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}
_KANA_PALATAL = {"ڛ", "ٿ", "ڗ", "ج"}  # シャ is sha, not shya
_KANA_VOWEL_LETTER = {"a": "ا", "i": "ی", "e": "ی", "o": "و", "u": "", "U": "و", "O": "و"}
_KANA_FIRST_VOWEL = {"a": "ا", "i": "ای", "e": "ای", "o": "او", "u": "او"}


def _katakana_word(m: re.Match[str]) -> str:
    """One Katakana word in Urdu letters (see above)."""
    if m.group() == "アル":
        return "ال"  # the article, written apart (アル・カフタニ)
    syllables: list[list[str]] = []  # [consonant, vowel]
    for ch in m.group():
        if ch in _KANA:
            syllables.append(list(_KANA[ch]))
        elif ch in _KANA_SMALL_Y and syllables:
            last = syllables[-1]
            if last[0] not in _KANA_PALATAL:
                last[0] += "ی"  # キャ kya
            last[1] = _KANA_SMALL_Y[ch]
        elif ch in _KANA_SMALL_VOWEL and syllables:
            last = syllables[-1]
            if last[0] == "" and last[1] == "u":
                last[0] = "و"  # ウィ wi, ウェ we, ウォ wo
            last[1] = _KANA_SMALL_VOWEL[ch]
        elif ch == "ン":
            syllables.append(["ن", ""])
        elif ch == "ー" and syllables and syllables[-1][1] in ("u", "o"):
            syllables[-1][1] = syllables[-1][1].upper()  # プー: a long u, written (و)
        # ッ, ー and the small kana with nothing before them: no letter
    for syllable in syllables:
        if syllable[1] and syllable[0] in _KANA_PALATAL and syllable[1] != "i":
            syllable[0] = {"ڛ": "ش", "ڗ": "ج", "ٿ": "چ"}.get(syllable[0], syllable[0])  # シャ, ジャ, チャ: sh, j, ch
    for k, syllable in enumerate(syllables):
        if syllable == ["ف", "u"] and (k + 1 == len(syllables) or syllables[k + 1][0]):
            syllable[0] = "ڦ"  # フ with no vowel of its own: h or kh as often as f (アフマド, ファフリザデ, ユスフ)
    out = []
    for k, (c, v) in enumerate(syllables):
        if not c and k == 0:
            out.append(_KANA_FIRST_VOWEL.get(v, ""))
        elif not c:
            out.append({"a": "ا", "i": "ئی", "e": "ئی", "o": "و", "u": ""}.get(v, ""))
        elif v == "o" and c in ("ت", "د") and (k + 1 == len(syllables) or syllables[k + 1][0]):
            out.append(c)  # ト, ド before a consonant or last: the o Japanese adds
        else:
            out.append(c + _KANA_VOWEL_LETTER.get(v, ""))
    return "".join(out)


def katakana_as_arabic(text: str) -> str:
    """``text`` with its Katakana words written in the Urdu letters they spell (see above), the middle dot between
    them a space; other text as it is."""
    if not _KATAKANA_WORD.search(text):
        return text.replace("・", " ") if "・" in text else text
    return _FIRST_ABD.sub("عبد", _KATAKANA_WORD.sub(_katakana_word, text.replace("・", " ").replace("･", " ")))


# Greek as the Greek press writes foreign names: μπ for b, ντ for d and γκ for g, inside a word too (Μπασάρ Άσαντ,
# Bashar Assad; Βλαντιμίρ, Vladimir), ου for u, τζ for j, χ for kh and h, β for v; αι e, ει and οι i, αυ av, ευ ev;
# η, υ and ι i. anyascii reads ου as oy and μπ as mp, which meet no Latin spelling of the name. A Greek name's own
# mb, nd or ng (Λαμπράκης, Lambrakis) is read b, d or g: the lists' names are foreign ones.
_GREEK_PAIRS = {"ντσ": "nch", "ντζ": "nj", "ου": "u", "αυ": "av", "ευ": "ev", "αι": "e", "ει": "i", "οι": "i",
                "υι": "i", "μπ": "b", "ντ": "d", "γκ": "g", "γγ": "ng", "γχ": "nkh", "τζ": "j", "τσ": "ts"}
_GREEK_ONE = str.maketrans({"α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
                            "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r",
                            "σ": "s", "ς": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "kh", "ψ": "ps", "ω": "o"})
_GREEK_PAIR = re.compile("|".join(_GREEK_PAIRS))
_GREEK_APART = re.compile("([αεοη])\u0301[ιυ]")
# Where Greek writes the y of other languages (Γιούρι, Yuri; Ιεγκόρ, Yegor), their w (Ουάλι, Wali: ou, which the
# Latin key reads as a w that may be written), and their ch (Τσεν, Chen; -βιτς, -vich: a first τσ and a last τς).
_GREEK_EDGES = ((re.compile("^γι(?=[αεοουω])|^ι(?=[αεοω])"), "y"), (re.compile("^ου(?=[αεηιοω])"), "ou"),
                (re.compile("^τσ|τς$"), "ch"))


def greek_to_latin(word: str) -> str:
    """One Greek word in Latin letters, lower-case, as the Greek press's spelling of foreign names reads (see
    above); a diaeresis, or an accent on the first of two vowels, keeps them apart (Σεΐχ, Seikh; Αντρέι, Andrei)."""
    w = word.lower().replace("ϊ", "I").replace("ΐ", "I").replace("ϋ", "I").replace("ΰ", "I")
    w = unicodedata.normalize("NFD", w)
    if "\u0301" in w:  # an accent on a pair's first vowel keeps the two apart (Αντρέι, Andrei; not Αντρεί)
        w = _GREEK_APART.sub(r"\1I", w)
    w = "".join(c for c in w if not unicodedata.combining(c))
    for edge, latin in _GREEK_EDGES:
        w = edge.sub(latin, w)
    return _GREEK_PAIR.sub(lambda m: _GREEK_PAIRS[m.group()], w).translate(_GREEK_ONE).replace("I", "i")


@functools.lru_cache(maxsize=4096)
def screenable(text: str) -> str:
    """``text`` with every word in a script other than Latin or Arabic written in Latin letters (Hebrew, Devanagari,
    Bengali and Katakana in the Arabic-script letters they spell, :func:`hebrew_as_arabic`, :func:`indic_as_arabic`,
    :func:`katakana_as_arabic`; Greek as :func:`greek_to_latin` reads it),
    homoglyphs in Latin words read as Latin, and format characters (zero-width, bidi controls) removed. ASCII is
    returned as it is."""
    if text.isascii():
        return text
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = katakana_as_arabic(indic_as_arabic(hebrew_as_arabic(text)))
    return " ".join(_word_pattern().sub(_word, text).split())


# -- the Arabic chat alphabet ------------------------------------------------------------------------------------

# Digits that the Arabic chat alphabet (Arabizi) writes for letters Latin has no letter of its own for, and a digit
# with an apostrophe for the dotted letter beside it: 2 hamza, 3 ع, 3' غ, 5 خ, 6 ط, 6' ظ, 7 ح, 7' خ, 8 غ (some
# write ق), 9 ق (some write ص), 9' ض. Hamza and ع are written as Latin lists write them: not at all.
_CHAT_LETTERS = {"2": "", "3": "", "3'": "gh", "5": "kh", "6": "t", "6'": "z", "7": "h", "7'": "kh", "8": "gh",
                 "9": "q", "9'": "d"}
_CHAT_DIGIT = re.compile(r"[3679]'|[235-9]")
# A chat-alphabet word: two letters or more, each digit one of those letters and next to a vowel (3omar, mo7amed,
# rabi3, 5aled), no two digits side by side. Model numbers and codes (7SEAS, PS5, A320, MIG29, 3M) are no such
# word: their digit stands beside a consonant, beside another digit, or among fewer than two letters.
_CHAT_WORD = re.compile(r"(?<![\w'])(?=(?:[^\W\d_]*[235-9]'?){1,3}[^\W\d_]*(?![\w']))(?=(?:[\d']*[^\W\d_]){2})"
                        r"(?:[^\W\d_]|[235-9]'?(?!\d))+(?![\w'])")
_NEXT_TO_VOWEL = re.compile(r"(?:(?<=[aeiouyAEIOUY])(?:[3679]'|[235-9])|(?:[3679]'|[235-9])(?=[aeiouyAEIOUY]))")


def _chat_word(m: re.Match[str]) -> str:
    word = m.group(0)
    if len(_NEXT_TO_VOWEL.findall(word)) != len(_CHAT_DIGIT.findall(word)):
        return word  # a digit between consonants or at a consonant's side: a code, not a letter
    return _CHAT_DIGIT.sub(lambda d: _CHAT_LETTERS[d.group(0)], word)


def read_chat_alphabet(text: str) -> str:
    """``text`` with each word of the Arabic chat alphabet written in letters: mo7amed is mohamed, 5aled khaled,
    sa9r saqr, 3omar omar (see ``_CHAT_LETTERS``). A word with a digit that is not one of those letters, two
    digits side by side, a digit next to no vowel or fewer than two letters is left as it is."""
    if not any(c in text for c in "2356789"):
        return text
    return _CHAT_WORD.sub(_chat_word, text)


# -- legal forms -------------------------------------------------------------------------------------------------

_FOLD = re.compile(r"[^\w]+")


def _fold_word(word: str) -> str:
    # Turkish dotless ı (Otkrıtoye, ŞİRKETİ); Finnish and Estonian tš for ч (Obštšestvo: Czech Obščestvo).
    w = unicodedata.normalize("NFKD", word.casefold().replace("ı", "i").replace("tš", "č"))
    return _FOLD.sub("", "".join(c for c in w if not unicodedata.combining(c)))


# Written at the end of a company's name (one, two or more in a row: "CO., LTD."), as folded words.
_TRAILING = {
    "ltd", "limited", "co", "company", "corp", "corporation", "inc", "incorporated", "llc", "llp", "plc", "lp",
    "gmbh", "ag", "kg", "sa", "sarl", "sas", "sal", "bv", "nv", "spa", "srl", "sl", "sro", "as", "ab", "oy",
    "jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao", "pao", "fze", "fzco", "fzc", "fzllc", "pte", "pvt", "pty",
    "lda", "ltda", "cia", "est", "establishment", "aktiengesellschaft", "kft", "zrt", "doo", "ad", "eood",
    "sdn", "bhd", "tbk", "jv", "group", "ооо", "оао", "зао", "пао", "ао", "тов", "dmcc", "sirketi",
    # More of Europe's: Bulgarian OOD and EAD, French SASU, EURL and SNC, Belgian SPRL and BVBA, Danish ApS,
    # Norwegian ASA, Finnish Oyj, Turkish Şti (Ltd. Şti.), Luxembourg's S.à r.l. as join_initials writes it.
    "ood", "ead", "sasu", "eurl", "snc", "sprl", "bvba", "aps", "asa", "oyj", "sti", "ltdsti",
    "оод", "еоод", "ад", "еад",  # the Bulgarian ones in Cyrillic
    # Arabic-script forms: dotted abbreviations as join_initials writes them (ش.ذ.م.م, limited liability company;
    # ذ.م.م; ش.م.ل, Lebanese S.A.L.; ش.م.م; ش.م.ع and ش.م.خ, public and private joint stock; م.د.م.س, DMCC),
    # "limited" in Arabic (المحدودة, محدودة) and respelt from English (ليمتد).
    "شذمم", "ذمم", "شمل", "شمم", "شمع", "شمخ", "مدمس", "المحدودة", "المحدوده", "محدودة", "محدوده", "ليمتد", "لیمتد",
    "گروپ",  # Urdu "group", as "group"
}
# Russian "company" (общество) as the Latin alphabets of Central Europe write it: Czech and Latvian Obščestvo,
# Italian Obscestvo, Hungarian Obscsesztvo; and Romanian Obșciestvo, Portuguese and French Obchtchestvo, Dutch
# Obsjtsjestvo (Turkish Obşçestvo folds as the Czech one).
_OBSHCHESTVO = ("obscestvo", "obscsesztvo", "obsciestvo", "obchtchestvo", "obsjtsjestvo")
# ... and "joint-stock" (акционерное) and "open", "closed", "public" before it, in the same alphabets and with the
# -oje, -oie and -oye endings of Dutch, Romanian and English (BGN: Otkrytoye Aktsionernoye Obshchestvo).
_AKTSIONERNOE = ("akcionernoje", "akcionernoe", "akzionernoe", "akcionyernoje", "aktsionernoje", "aktsionernoie",
                 "aktionernoie", "aktsionernoye")
_OPEN_CLOSED = ("", "zakrytoje", "zakritoje", "otkrytoje", "otkritoje", "publicnoje", "zakrytoe", "otkrytoe",
                "publicnoe", "zarkitoje", "publicsnoje", "zakrytoye", "otkrytoye", "publichnoye", "otkritoye",
                "zakritoie", "otkritoie", "publicinoie", "zakrytoie", "otkrytoie", "publitchnoie", "publitsjnoje")
# Turkish legal forms (Ltd. Şti., Limited Şirketi, A.Ş., Anonim Şirketi) with the "trade" (Tic., Ticaret) and
# "industry and trade" (San. ve Tic.) that Turkish company names write before them, folded.
_TURKISH_FORMS = tuple(f"{trade} {form}".strip()
                       for trade in ("", "tic", "ticaret", "san ve tic", "sanayi ve ticaret", "dis ticaret",
                                     "dis tic", "ic ve dis ticaret")
                       for form in ("ltd sti", "limited sirketi", "ltd sirketi", "limited sti", "anonim sirketi",
                                    "as", "a s", "sti")
                       if trade or form not in ("as", "a s", "sti"))
# Several words that name one legal form, folded and joined by spaces.
_PHRASES = (
    "limited liability company", "limited liability partnership", "public limited company", "joint stock company",
    "closed joint stock company", "open joint stock company", "public joint stock company", "private limited",
    "gesellschaft mit beschrankter haftung", "societe anonyme", "sociedad anonima", "societe a responsabilite limitee",
    "free zone establishment", "free zone company", "sociedade anonima", "societa per azioni", "s a", "s a r l",
    "co ltd", "company limited", "sdn bhd", "pvt ltd", "pte ltd", "pty ltd", "and co", "and company",
    # Shortened or respelt forms: "Joint Stock Co.", "Ltd Liability Company", "GmbH" written out without umlaut.
    "joint stock co", "joint stock", "open joint stock", "closed joint stock", "public joint stock",
    "open joint stock co", "closed joint stock co", "public joint stock co", "limited liability",
    "limited liability co", "ltd liability company", "ltd liability co", "gesellschaft mit beschraenkter haftung",
    "pvt limited", "private limited company", "sa de cv", "s a de c v", "de cv", "s de rl", "s de rl de cv",
    "societe anonyme libanaise", "sal offshore", "s a l", "s a l offshore", "public joint stock company",
    # Hyphenated ("Joint-Stock Co.") and dotted abbreviations of several letters (S.à r.l., sp. z o.o., d.o.o.).
    "jointstock", "jointstock co", "jointstock company", "sa rl", "s a s", "s a s u", "sp z oo", "sp z o o",
    "d o o", "s r o", "s r l", "s p a", "ltd sti",
    # Russian forms, transliterated and in Cyrillic (folded).
    "obshchestvo s ogranichennoi otvetstvennostyu", "obshchestvo s ogranichennoy otvetstvennostyu",
    "obshchestvo s ogranichennoi otvetstvennostiu", "aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
    "otkrytoe aktsionernoe obshchestvo", "publichnoe aktsionernoe obshchestvo",
    # ... as Czech, Latvian, Italian and Hungarian write them (folded: Obščestvo is obscestvo).
    *(f"{o} {s_} {g} {v}" for o in _OBSHCHESTVO for s_ in ("s", "sz")
      for g in ("ogranicennoj", "ogranicennoi", "ogranicsennoj", "ogranitchennoi", "ogranitsjennoj", "ogranicennoy")
      for v in ("otvetstvennostju", "otvetstvennostiu", "otvetsztvennosztyju", "otvetstvennostjoe",
                "otvetstvennostyu")),
    *(f"{k} {a} {o}".strip() for k in _OPEN_CLOSED for a in _AKTSIONERNOE for o in (*_OBSHCHESTVO, "obshchestvo")),
    *_TURKISH_FORMS, "fz llc", "fz co",
    "общество с ограниченнои ответственностью", "акционерное общество", "закрытое акционерное общество",
    "открытое акционерное общество", "публичное акционерное общество",
    # Persian forms (public and private joint stock, limited liability), in Persian and Arabic letters, and their
    # romanisation: شرکت سهامی عام, Sherkat Sahami Khas, شرکت با مسئولیت محدود.
    *(f"{sahami} {kind}" for sahami in ("سهامی", "سهامي") for kind in ("عام", "خاص")),
    *(f"با {m} {h}" for m in ("مسئولیت", "مسئوليت", "مسؤولیت", "مسؤولية") for h in ("محدود", "محدوده")),
    *(f"{c} {kind}" for c in ("شرکت", "شركت") for kind in ("سهامی", "سهامي", "تضامنی", "تضامني")),
    # "and partners", as "and co" (شرکت تضامنی ... و شرکاء, a general partnership).
    *(f"و {p}" for p in ("شرکاء", "شركاء", "شرکا", "شركاه")),
    "sahami khas", "sahami khass", "sahami aam", "sahami am", "sherkat sahami", "sherkate sahami",
    "sherkat sahami khas", "sherkat sahami khass",
    "sherkat sahami aam", "sherkat sahami am", "ba masouliat mahdoud", "ba mas uliyat mahdud",
    # ... with the ezafe written (Sherkat-e Sahami-ye Khass), and the general partnership (Sherkat-e Tazamoni).
    *(f"{c} {sahami} {kind}".strip() for c in ("", "sherkat", "sherkate") for sahami in ("sahami", "sahamiye")
      for kind in ("khas", "khass", "aam", "am")),
    "sherkate sahami", "sherkat sahamiye", "sherkate sahamiye", "sherkat tazamoni", "sherkate tazamoni",
)
_PHRASE_WORDS = {tuple(_fold_word(w) for w in p.split()) for p in _PHRASES}
_FORM_WORDS = _TRAILING | {w for p in _PHRASE_WORDS for w in p}
_LONGEST = max(len(p) for p in _PHRASE_WORDS)
#: Legal forms of this many letters or more are long enough for a word one typing slip away from one, written where
#: a legal form stands (last, or before another legal form), to be that form slipped ("Navis Marine Limied",
#: "Kazan Shipping Iucorporated", "Compnay"); shorter ones (AG, SA, LLC, Co) are read only as written.
SLIPPED_FORM_LEN = 7
_LONG_FORMS = tuple(sorted(f for f in _TRAILING if len(f) >= SLIPPED_FORM_LEN))


@functools.lru_cache(maxsize=65536)
def slipped_form(word: str) -> bool:
    """Whether a folded word is a long legal form (see ``SLIPPED_FORM_LEN``) with one letter left out, added,
    changed, or two swapped (and not the form itself)."""
    if len(word) < SLIPPED_FORM_LEN - 1 or word in _TRAILING or not word.isalpha():
        return False
    return any(_one_slip(word, f) for f in _LONG_FORMS)


def _one_slip(word: str, form: str) -> bool:
    return abs(len(word) - len(form)) <= 1 and OSA.distance(word, form, score_cutoff=1) <= 1


def _phrases_by_length() -> dict[int, list[tuple[tuple[str, ...], tuple[bool, ...]]]]:
    """The phrases by length, each as (its words, which of them are long enough to be read through a slip)."""
    out: dict[int, list[tuple[tuple[str, ...], tuple[bool, ...]]]] = {}
    for phrase in sorted(_PHRASE_WORDS):
        out.setdefault(len(phrase), []).append((phrase, tuple(len(w) >= SLIPPED_FORM_LEN for w in phrase)))
    return out


_PHRASES_BY_LEN = _phrases_by_length()
_LONG_PHRASE_WORDS = tuple(sorted({w for p in _PHRASE_WORDS for w in p if len(w) >= SLIPPED_FORM_LEN}))


@functools.lru_cache(maxsize=65536)
def _slips_of(word: str) -> frozenset[str]:
    """The long words of legal-form phrases a folded word is one typing slip from (none for most words)."""
    if len(word) < SLIPPED_FORM_LEN - 1 or not word.isalpha():
        return frozenset()
    return frozenset(f for f in _LONG_PHRASE_WORDS if f != word and _one_slip(word, f))


@functools.lru_cache(maxsize=65536)
def _form_like(word: str) -> bool:
    """Whether a folded word may end a legal form: a form's word, or one slipped (see :func:`slipped_form`)."""
    return word in _FORM_WORDS or slipped_form(word) or bool(_slips_of(word))


def _is_phrase(words: tuple[str, ...]) -> bool:
    """Whether folded words are a legal-form phrase, as written or with a typing slip in any of its long words
    ("Limited Liabiltiy Company", "Obschestvo s organichennoy otvetstvennostyu"; see :func:`slipped_form`)."""
    if words in _PHRASE_WORDS:
        return True
    for w in words:
        if w not in _FORM_WORDS and not _slips_of(w):
            return False  # the usual case: a word of the name, neither a form's word nor one slipped
    for phrase, long_ in _PHRASES_BY_LEN.get(len(words), ()):
        if all(w == f or (is_long and f in _slips_of(w)) for w, f, is_long in zip(words, phrase, long_, strict=True)):
            return True
    return False


# Written first: Arabic and Persian "company" and "establishment", Russian and Indonesian forms.
# Their romanisations too: Persian Sherkat(-e), Moassese(h), Arabic Sharikat, Sharikah, Mu'assasat (شركة, مؤسسة).
_LEADING = {"شركة", "شركه", "شرکت", "شركت", "sherkat", "sherkate", "مؤسسة", "مؤسسه", "موسسه",
            "sharikat", "sharikah", "sharika", "sharekat", "moassese", "moasseseh", "moassesseh", "moasseseye",
            "muassasa", "muassasah", "muassasat", "muasasat", "muasasa",
            "ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "cjsc", "pjsc", "pt",
            "tov", "pp", "ооо", "оао", "зао", "пао", "ао", "тов", "llc", "company"}
# English "The" before a name (The PEYKASA, The Foxwhelp Limited): set aside like a leading legal form.
_LEADING_ARTICLES = {"the"}
# Titles and ranks written before a person's name ("Colonel Innocent KAINA", "Dr. Naseer Haqqani"): no part of the
# name. Religious titles that are also names (Haji, Mullah, Sheikh) are kept: the part weights make them cheap.
_TITLES = {"colonel", "col", "general", "gen", "lieutenant", "lt", "major", "maj", "captain", "capt", "brigadier",
           "commander", "sergeant", "sgt", "admiral", "marshal", "dr", "doctor", "prof", "professor", "mr", "mrs",
           "ms", "miss", "mme", "madame", "monsieur", "m", "sir", "lord", "engineer", "eng", "judge", "president",
           "minister", "ambassador"}
_INITIALS = re.compile(r"\b((?:[^\W\d_]\.\s?){2,})")
# ... and the last letter's dot left out, the letters written close ("L.L.C", "S.p.A"; not "A.B. Cole").
_INITIALS_OPEN = re.compile(r"\b((?:[^\W\d_]\.){2,}[^\W\d_])(?![\w.])")


def _initials(m: re.Match[str]) -> str:
    return re.sub(r"[.\s]", "", m.group(1)) + " "


# Arabic-script abbreviations, letters and dots, the last dot often left out (ش.ذ.م.م, م.د.م.س).
_ARABIC_INITIALS = re.compile(r"(?<!\w)((?:[\u0620-\u064a\u066e-\u06d3]\.){1,}[\u0620-\u064a\u066e-\u06d3]\.?)(?!\w)")


def join_initials(text: str) -> str:
    """Dotted initials written as one word, in their order: "C.B.A. Company" -> "CBA Company" (so that it is not
    "A.B.C. Company"), also without the last dot ("L.L.C" -> "LLC"); Arabic-script abbreviations too, with or without
    a last dot ("ش.ذ.م.م" -> "شذمم")."""
    if "." not in text:
        return text
    text = _ARABIC_INITIALS.sub(_initials, text)
    return " ".join(_INITIALS.sub(_initials, _INITIALS_OPEN.sub(_initials, text)).split())


def strip_legal_forms(text: str) -> str:
    """The name without the legal forms and organization types written at its end or start ("Siemens AG",
    "SIEMENS AKTIENGESELLSCHAFT", "شركة ...", "CO., LTD.") and without titles before it ("Colonel", "Dr."), so
    that two spellings of one company agree and a legal form adds nothing to a match; a long form written at the
    end with a typing slip is one too ("Navis Marine Limied", :func:`slipped_form`); a name that is only a legal
    form or a title is kept as it is."""
    words = text.replace("&", " and ").split()
    folded = [_fold_word(w) for w in words]
    end = len(words)
    changed = True
    while changed and end > 1:
        changed = False
        if folded[end - 1] and not _form_like(folded[end - 1]):
            break  # every form or phrase that ends here ends in a form's word or one slipped (most names)
        for n in range(min(_LONGEST, end - 1), 0, -1):
            tail = tuple(f for f in folded[end - n:end])
            # The word at the end is last, or before the legal forms already set aside: a long form slipped
            # there is one too.
            if (n == 1 and (tail[0] in _TRAILING or slipped_form(tail[0]))) or (n > 1 and _is_phrase(tail)):
                end -= n
                changed = True
                break
        while end > 1 and not folded[end - 1]:  # punctuation left between two forms
            end -= 1
    start = 0
    changed = True
    while changed and start < end - 1:
        changed = False
        for n in range(min(_LONGEST, end - start - 1), 1, -1):  # "Limited Liability Company X", "ООО X"
            if _is_phrase(tuple(folded[start:start + n])):
                start += n
                changed = True
                break
        if not changed and (folded[start] in _LEADING or words[start] in _LEADING or folded[start] in _TITLES
                            or folded[start] in _LEADING_ARTICLES):
            start += 1
            changed = True
    if (start == 0 and end == len(words)) or all(f in _FORM_WORDS for f in folded[start:end] if f):
        return text
    return " ".join(words[start:end]).strip(" ,;-")


# Words that company names abbreviate, as folded words (dots and apostrophes dropped: Int'l., Intl): read as the
# word, so that "KOREA TAESONG Trdg COMPANY" is "KOREA TAESONG TRADING COMPANY". Not Dev (a given name), Ind
# (Indian, industrial or industries), Eng (a title: Eng. Ahmed) nor Grp (an acronym's letters as often: RN-GRP,
# РН ГРП, and "group" is set aside as a legal form where it ends a name).
_ABBREVIATIONS = {
    "intl": "international", "natl": "national", "inds": "industries", "indus": "industries", "trdg": "trading",
    "mfg": "manufacturing", "bros": "brothers", "shpg": "shipping", "inv": "investment", "invt": "investment",
    "mgmt": "management", "mgt": "management", "assn": "association", "assoc": "association",
    "hldg": "holding", "hldgs": "holdings", "svcs": "services", "svc": "service", "tech": "technology",
    "ent": "enterprises", "govt": "government", "mktg": "marketing", "univ": "university", "inst": "institute",
    "dept": "department", "constr": "construction", "engg": "engineering", "devt": "development",
}
# Each abbreviation as a whole word, with or without a dot and an apostrophe (Int'l.): one pass over the name.
_ABBREVIATED = re.compile(
    r"(?<![\w'’])(?:" + "|".join("['’]?".join(w) for w in sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")\.?(?![\w'’])", re.IGNORECASE)


def _expanded(m: re.Match[str]) -> str:
    return _ABBREVIATIONS[m.group().lower().replace(".", "").replace("'", "").replace("’", "")]


# The generic words of organization names in the European languages the lists and their users write them in, read
# as the English word (folded: accents off), so that a name translated word by word is the listed name: "COMPAÑÍA
# NACIONAL DE PETRÓLEO" is "Company National of Oil". Only words that name a kind of organization or what it does,
# and the words between them (of, and, for); not the articles (La, Le, Das and Der are family names as often), not
# a word that is a given name as often (Per, En). French, Spanish, Portuguese, Italian, German, Dutch, Turkish and
# Indonesian; of the Arabic and Persian words, only the generic words of a body's kind as written in Latin letters
# (Muassasat, Sharikat, Sherkat, Munazzamat, Masraf, Maktab, Lajnat, Jamiyyat), not the words of movements' own
# names (Harakat, Jamaat, Jamiat, Hizb), which the lists spell many ways and keep in their names. A name is read
# both as written and in English (``basira.finance.name_scoring.readings_of``), so a word read in English still
# meets its own spellings.
_TRANSLATED_WORDS: dict[str, tuple[str, ...]] = {
    "company": ("compagnie", "compania", "companhia", "compagnia", "gesellschaft", "sirketi", "syarikat", "sharikat",
                "sharika", "sharikah", "sherkat", "shirkat"),
    "trading": ("commerce", "comercio", "commercio", "handel", "handels", "ticaret", "perdagangan"),
    "bank": ("banque", "banco", "banca", "bankasi", "masraf"),
    "group": ("groupe", "grupo", "gruppe", "gruppo", "grup", "groep"),
    "industries": ("industrie", "industrias", "industria", "industrien", "sanayi"),
    "industrial": ("industriel", "industrielle", "industriale", "industrielles"),
    "international": ("internationale", "internacional", "internazionale", "internasional", "uluslararasi"),
    "national": ("nationale", "nacional", "nazionale", "nasional", "ulusal"),
    "investment": ("investissement", "investissements", "inversiones", "inversion", "investition",
                   "investitionen", "investimenti", "investimento", "investimentos", "yatirim"),
    "services": ("servicios", "servicos", "servizi", "dienste", "dienstleistungen", "hizmetleri"),
    "shipping": ("naviera", "navigazione", "navegacao", "schifffahrt", "schiffahrt", "reederei", "denizcilik"),
    "foundation": ("fondation", "fundacion", "fundacao", "stiftung", "fondazione", "stichting", "vakfi", "muassasat",
                   "muassasa", "muassasah", "moassesat", "moassese", "moasseseh"),
    "organization": ("organisation", "organizacion", "organizzazione", "organizacao", "organisasi", "munazzamat",
                     "munazzama", "munazzamah", "munathamat", "monazzamat"),
    "association": ("asociacion", "associacao", "associazione", "vereinigung", "verein", "vereniging", "dernegi",
                    "jamiyat", "jamiyyat", "jamiyya", "jamiyyah"),
    "society": ("societe", "sociedad", "sociedade", "societa"),
    "relief": ("secours", "socorro", "soccorso", "hilfswerk", "yardim"),
    "charitable": ("caritative", "caritatif", "benefica", "benefico", "karitative", "caritativa"),
    "army": ("armee", "ejercito", "esercito", "exercito", "ordusu"),
    "front": ("frente", "fronte", "cephesi"),
    "movement": ("mouvement", "movimiento", "movimento", "bewegung", "beweging", "hareketi"),
    "brigade": ("brigada", "brigata", "tugayi"),
    "battalion": ("bataillon", "batallon", "battaglione", "taburu"),
    "party": ("parti", "partido", "partei", "partito", "partij", "partisi"),
    "council": ("conseil", "consejo", "consiglio", "conselho", "meclisi"),
    "committee": ("comite", "komitee", "comitato", "komitesi", "lajnat", "lajna", "lajnah"),
    "state": ("etat", "estado", "staat", "stato"),
    "union": ("unione", "uniao", "birligi"),
    "islamic": ("islamique", "islamico", "islamica", "islamische", "islamischen", "islamischer", "islamitische"),
    "exchange": ("cambio", "cambios", "wechselstube"),
    "oil": ("petrole", "petroleo", "petrolio", "erdol"),
    "electronics": ("electronique", "electronica", "elettronica", "elektronik"),
    "ministry": ("ministere", "ministerio", "ministerium", "ministero", "ministerie", "bakanligi"),
    "republic": ("republique", "republica", "republik", "repubblica"),
    "centre": ("centro", "zentrum", "merkezi"),
    "institute": ("institut", "instituto", "istituto", "enstitusu"),
    "university": ("universite", "universidad", "universitat", "universita", "universiteit", "universitesi"),
    "research": ("recherche", "recherches", "investigacion", "investigaciones", "forschung", "ricerca",
                 "pesquisa", "arastirma"),
    "energy": ("energie", "energia", "energi", "enerji"),
    "construction": ("construccion", "construcao", "costruzioni", "insaat"),
    "development": ("developpement", "desarrollo", "desenvolvimento", "sviluppo", "entwicklung", "kalkinma"),
    "technology": ("technologie", "tecnologia", "technologien", "teknoloji", "teknologi"),
    "transport": ("transporte", "transportes", "trasporti", "tasimacilik"),
    "maritime": ("maritima", "maritimo", "marittima", "marittimo", "maritiem"),
    "security": ("securite", "seguridad", "seguranca", "sicurezza", "sicherheit", "guvenlik"),
    "defence": ("defense", "defensa", "defesa", "difesa", "verteidigung", "savunma"),
    "airlines": ("aerolineas", "fluggesellschaft", "havayollari"),
    "general": ("generale", "allgemeine"),
    "office": ("maktab",),
    "of": ("de", "du", "des", "del", "della", "delle", "degli", "di", "von", "vom"),
    "and": ("et", "und"),
    "for": ("pour", "para", "fur", "fuer"),
}
_TRANSLATED = {w: english for english, words in _TRANSLATED_WORDS.items() for w in words if w != english}
#: The words between the generic ones: translated only in a name that has a generic word to translate.
_JOINING = {None, "of", "and", "for"}
#: Translated words that are also words of legal forms (S.A. de C.V., Gesellschaft mit beschränkter Haftung,
#: Société anonyme): read as the English word only where no word of a legal form stands beside them.
_FORM_TRANSLATED = {w for w in _TRANSLATED if w in _FORM_WORDS}
#: A word of this many letters or more one typing slip from a translated word is that word slipped
#: ("INNVERSIONES", "COMMERCO"): read as it, or a slip in it would cost the word and its English one besides.
SLIPPED_TRANSLATED_LEN = 8
_LONG_TRANSLATED = tuple(sorted(w for w in _TRANSLATED if len(w) >= SLIPPED_TRANSLATED_LEN - 1))
# A run of letters (no digits): the words translate_org_words reads. Not screenable's _WORD, which keeps digits in.
_LETTER_RUN = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=65536)
def _translation(word: str) -> str | None:
    """The English word a folded word stands for (see ``_TRANSLATED_WORDS``), as written or slipped; or None."""
    found = _TRANSLATED.get(word)
    if found is None and len(word) >= SLIPPED_TRANSLATED_LEN and word.isascii():
        found = next((_TRANSLATED[w] for w in _LONG_TRANSLATED if _one_slip(word, w)), None)
    return found


@functools.lru_cache(maxsize=65536)
def _word_translation(raw: str) -> tuple[str, str | None]:
    """A word as written -> (folded, the English word it stands for or None)."""
    word = _fold_word(raw)
    return word, _translation(word)


def _translated(m: re.Match[str]) -> str:
    word, english = _word_translation(m.group())
    if english is None:
        return m.group()
    after = m.string[m.end():].lstrip(" -")
    if word == "et" and after.casefold().startswith("t"):
        return m.group()  # et-Tayeb: the Arabic article before t, not French "and"
    if word in _FORM_TRANSLATED:
        before = m.string[:m.start()].split()
        nxt = _fold_word(after.split()[0]) if after.split() else ""
        if (before and _fold_word(before[-1]) in _FORM_WORDS) or nxt in _FORM_WORDS or (
                len(nxt) == 1 and nxt in "cr"):
            return m.group()  # a legal form's word: S.A. de C.V., Gesellschaft mit ..., Société anonyme
    return english


def translate_org_words(text: str) -> str:
    """``text`` with the generic words of organization names in other languages written in English
    (``_TRANSLATED_WORDS``: Compañía, Gesellschaft, Inversiones, de, und ...), as written or with a typing slip in a
    long one; other words as they are."""
    if all(_word_translation(w)[1] in _JOINING for w in _LETTER_RUN.findall(text)):
        return text  # most names: no generic word to translate (of, and, for alone are no organization's)
    return _LETTER_RUN.sub(_translated, text)


# The first word of a name written in Arabic script, starting with ال and two or more letters after it.
_FIRST_AL = re.compile(r"^(\W*)ال(?=[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]{2,}(?![\w]))")


# Letters Persian and Urdu write in foreign names and Arabic does not (پ, چ, ژ, گ, and Urdu's ٹ, ڈ, ڑ, ے, ھ): a name
# that has one and words starting with ال is a foreign name, whose Al-, El- and Ol- are letters (الکین, Elkin; الییچ,
# Ilyich; الیکسیس, Alexis), in any word.
_FOREIGN_SIGN = re.compile("[پچژگٹڈڑےھ]")
_EACH_AL = re.compile(r"(?<![\w])ال(?=[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]{2,}(?![\w]))")


def first_al_as_letters(text: str) -> str:
    """``text`` with the ال that starts its first word written إل, so that the word is read whole; ``text`` as it is
    when it does not start so. A person's given name may start with the letters of the article: Persian writes
    الیاس (Elyas), الهام (Elham), الهه (Elaheh) so, and Arabic writes foreign names so (البرت, Albert), which read
    as an article would lose their first syllable. In a name with a letter of ``_FOREIGN_SIGN``, or a Hebrew name
    (read as :func:`hebrew_as_arabic` writes it), every word's ال is written so. A person's name is read both ways
    (see ``basira.finance.name_scoring``)."""
    hebrew = _HEBREW_LETTER.search(text) is not None
    if hebrew:
        arabic = hebrew_as_arabic(text)  # a Hebrew name's first אל too (אלנה, Elena), in every word
        return _EACH_AL.sub("إل", arabic) if "ال" in arabic else text
    if "ال" not in text:
        return text
    if _FOREIGN_SIGN.search(text):
        return _EACH_AL.sub("إل", text)
    if "ال" not in text[:6]:
        return text
    return _FIRST_AL.sub("\\1إل", text, count=1)


# A branch or office of an organization named after it: "X, DUBAI BRANCH", "X (HAMBURG BRANCH)", "X - LONDON
# OFFICE": set apart by a comma, a bracket or a spaced dash, up to three words and BRANCH or OFFICE last. A name
# whose own last word is Office ("Hanifa Money Exchange Office") has no such mark and keeps it.
_BRANCH = re.compile(r"\s*(?:,|\(|\s[-–]\s)\s*(?:[^\W\d_][\w.'&-]*\s+){0,3}(?:branch|office)\s*\)?\s*$",
                     re.IGNORECASE)


def without_branch(text: str) -> str:
    """``text`` without a branch or office named after it (``_BRANCH``), when a name of two letters or more is
    left; any other text as it is."""
    if not text.rstrip(" )").lower().endswith(("branch", "office")):
        return text
    rest = _BRANCH.sub("", text)
    return rest if rest != text and sum(c.isalpha() for c in rest) >= 2 else text


# Muhammad as Malaysian, Bangladeshi and Indonesian papers shorten it (Mohd, Muhd, Mhd, Md, with or without a dot),
# as Russian and the Caucasus write it (Magomed, Mukhammad), and Albanian and Turkish (Muhamet, Mehmet): read so
# only in a person's name of two words or more (``basira.finance.name_scoring.readings_of``), beside the name as
# written, so that Mhd Amer still meets Mhd Amer and a lone "Md" is no name.
_MUHAMMAD_SHORT = re.compile(r"\b(?:mohd|muhd|mhd|md|magomed|magomet|mukhamm?[ae]d|muhamet|mehmet|mehmed)\b\.?",
                             re.IGNORECASE)


def muhammad_written_out(text: str) -> str:
    """``text`` with the short, Russian, Albanian and Turkish forms of Muhammad (``_MUHAMMAD_SHORT``: Mohd, Md,
    Magomed, Mukhammad, Muhamet, Mehmet) written Muhammad, in a name of two words or more."""
    if len(text.split()) < 2 or not _MUHAMMAD_SHORT.search(text):
        return text
    return " ".join(_MUHAMMAD_SHORT.sub("Muhammad ", text).split())


# The commonest Arabic given names as the Sahel and Mauritania (Mamadou, Amadou, Abdoulaye, Ousmane, Alassane,
# Seydou), Kurdish (Mihemed, Ehmed, Ebdullah, Hesen, Xelîl), Azerbaijani (Məhəmməd, Əhməd, Həsən, Cəfər), Turkish
# and Tatar (Ahmet, Muhammet, Akhmat, Gabdulla, Gomar, Gosman; in Cyrillic Мөхәммәт, Габдулла), Tajik and Uzbek
# (Abdulloh, Abdurahmon) write them, each with the English spelling of the same name: read so only in a person's
# name of two words or more (``basira.finance.name_scoring.readings_of``), beside the name as written, so that a
# Mamadou Diallo still meets Mamadou Diallo as written. Forms that are another language's own name (Eli, Omer,
# Gali in Latin letters) are not among them.
_REGIONAL_GIVEN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Muhammad", ("mamadou", "mahamadou", "mohamadou", "muhammadou", "mihemed", "mihemmed", "muhemed", "muhemmed",
                  "mehemed", "mehemmed", "məhəmməd", "məhəmmed", "mahammad", "mokhammad", "mokhammed", "mokhamad",
                  "mokhamed", "mokhammat", "mokhammet", "mokhamat", "mokhamet", "mukhammet", "mukhamet", "mukhammat",
                  "mukhamat", "muhammet", "mohammet", "мөхәммәт", "мухаммет", "мухәммәт", "мөхәммәд")),
    ("Ahmad", ("ahmet", "akhmet", "akhmat", "ahmat", "ehmed", "əhməd", "amadou", "hamadou", "ahmadou", "ахмет", "әхмәт",
               "ахмат", "әхмәд")),
    ("Abdullah", ("abdoulaye", "abdoulahi", "gabdulla", "gabdula", "ebdullah", "ebdulla", "ebdulah", "ebdula",
                  "ebdila", "abdulloh", "abdullo", "габдулла", "абдуллоҳ", "абдулло")),
    ("Abdulrahman", ("abdourahmane", "abdourahamane", "abdouramane", "abdurahmane", "abdurahamane", "abdurahmon",
                     "абдураҳмон", "абдурахмон", "габделрахман", "габделрәхман")),
    ("Umar", ("oumar", "ömər", "гомәр", "гомар")),
    ("Uthman", ("ousmane", "gosman", "госман")),
    ("Hasan", ("alassane", "hassane", "hesen", "həsən", "хәсән")),
    ("Husayn", ("housseini", "houssein", "hisên", "hüseyn")),
    ("Ali", ("aliou", "əli", "elî", "гали")),
    ("Sayyid", ("seydou",)),
    ("Sulayman", ("souleymane", "silêman", "sileman")),
    ("Ibrahim", ("ibrahima", "birahîm", "birahim", "îbrahîm")),
    ("Ismail", ("ismaila", "ismayıl", "ismayil", "îsmaîl")),
    ("Yaqub", ("yacouba",)),
    ("Idris", ("idrissa",)),
    ("Jafar", ("cefer", "cəfər")),
    ("Khalil", ("xelîl", "xəlil")),
    ("Shaykh", ("cheick", "cheikh")),
)
_REGIONAL = {form: english for english, forms in _REGIONAL_GIVEN for form in forms}
_NAME_WORD = re.compile(r"[^\W\d_]+")


# The English names of ``_REGIONAL_GIVEN`` whose forms include Cyrillic ones, as Russian writes them: a Cyrillic
# form is written so, and the name keeps one script.
_REGIONAL_CYRILLIC = {"Muhammad": "Мухаммад", "Ahmad": "Ахмад", "Abdullah": "Абдулла", "Abdulrahman": "Абдуррахман",
                      "Umar": "Умар", "Uthman": "Усман", "Hasan": "Хасан", "Ali": "Али"}


def _regional(m: re.Match[str]) -> str:
    english = _REGIONAL.get(m.group().lower())
    if english is None:
        return m.group()
    return _REGIONAL_CYRILLIC[english] if char_script(m.group()[0]) == "cyrillic" else english


# Tatar writes the ʿAbd of ʿAbd al-X names Gabdel- or Gabdul-, joined to the name that follows (Габделхак,
# Габдулхамит: Abdulhaq, Abdulhamid).
_TATAR_ABD = re.compile(r"\b(?:габд[еу]л|gabd[eu]l)(?=\w{3})", re.IGNORECASE)


def regional_given_names(text: str) -> str:
    """``text`` with the regional forms of common Arabic given names (``_REGIONAL_GIVEN``: Mamadou, Abdoulaye,
    Ehmed, Həsən, Gabdulla, Abdulloh; Tatar Gabdel-) written as English writes them, in a name of two words or
    more."""
    if len(text.split()) < 2:
        return text
    lower = text.lower()
    if any(w in _REGIONAL for w in _NAME_WORD.findall(lower)):
        text = _NAME_WORD.sub(_regional, text)
    if ("бд" not in lower and "bd" not in lower) or not _TATAR_ABD.search(text):
        return text
    return _TATAR_ABD.sub(lambda m: "Abdel" if m.group().isascii() else "Абдел", text)


# Georgian writes a foreign name's final consonant with the nominative -ი (Putini / პუტინი, Mendeleevi): a person's
# name is read without it too (``basira.finance.name_scoring.readings_of``), beside the name as written, since
# Georgian names keep theirs (Gelashvili / გელაშვილი).
_GEORGIAN_NOMINATIVE = re.compile("(?<=[ბგდვზთკლმნპჟრსტფქღყშჩცძწჭხჯჰ])ი(?![\\w])")


def without_georgian_nominative(text: str) -> str:
    """``text`` without the nominative -ი after a Georgian word's last consonant; other text as it is."""
    if "ი" not in text:
        return text
    return _GEORGIAN_NOMINATIVE.sub("", text)


def expand_abbreviations(text: str) -> str:
    """``text`` with the words company names abbreviate written out (``_ABBREVIATIONS``: Intl, Trdg, Mfg, Bros,
    Shpg, Mgmt ...); other words as they are."""
    return _ABBREVIATED.sub(_expanded, text)


def normalize_name(text: str) -> str:
    """What the name matcher reads of a name: :func:`screenable`, the chat alphabet read, dotted initials joined,
    legal forms set aside."""
    return strip_legal_forms(join_initials(read_chat_alphabet(screenable(text))))
