"""Issue 15, wave 19: names in Devanagari, Bengali, Katakana, Ethiopic and the other scripts whose words carry
combining marks (judged on the tenth evaluation's tuning half, dev10), and Russian names as Swedish, Finnish,
Estonian and Lithuanian write them (judged on the eleventh's, dev11).

- A word is read whole with its combining marks (vowel signs, viramas): a Hindi, Bengali, Thai or Tamil name was
  cut at each mark, which was left as it was, and met no listed name at all.
- Devanagari and Bengali are read as the Urdu letters they spell, Katakana as the Urdu spelling of its syllables:
  the Arabic path, where short vowels are no letter. Japanese r is r or l, シ si or shi, ジ and Hindi/Bengali ज/জ
  j or z (markers the Arabic path reads both ways).
- Swedish tj and sjtj (ч, щ) are read with the Dutch romanization; Finnish and Estonian tš is č everywhere, and a name
  with š, ž or õ and a Russian ending is read with h as kh and õ as y too; a person's name with a Russian man's
  Lithuanian endings (-as, -is, -ius, -ijus) is read without them too."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.finance.name_parts import best, filler

from basira.finance.name_scoring import readings_of
from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord, NameVariant
from basira.lang.scripts import indic_as_arabic, katakana_as_arabic, screenable, strip_legal_forms
from basira.lang.translit import arabic_word_key, dutch_cyrillic, finnic_cyrillic, latin_fold, lithuanian_endings


@pytest.mark.parametrize(("text", "read"), [
    ("ओसामा बिन लादेन", "اوساما بن لادین"),
    ("মুহাম্মদ", "مہاممد"),  # the doubled m written twice: the Arabic path reads it once
    ("ফৌস্টো", "فوسٹو"),  # a two-part vowel sign read whole (NFC), not as its halves
    ("ওয়ালি", "والی"),  # Bengali ওয় before a vowel is w
    ("क़ासिम", "قاسم"),  # a nukta letter is the Arabic one
    ("जोअकुइन", "ڗوکن"),  # a vowel letter inside a word follows a vowel: no alef; ज is j or z
    ("Putin", "Putin"),
])
def test_devanagari_and_bengali_as_urdu_letters(text: str, read: str) -> None:
    assert indic_as_arabic(text) == read


@pytest.mark.parametrize(("text", "read"), [
    ("ヴィクトル", "ویکتڕ"),  # the u after k and the o after t are the vowels Japanese adds: no letter
    ("ムハンマド", "مہانماد"),
    ("ウサマ・ビン・ラディン", "اوساما بین ڕادین"),
    ("アル・カフタニ", "ال کاڦتانی"),  # アル written apart is the article
    ("シャリフ", "شاڕیڦ"),  # シャ is sha; シ alone si or shi
    ("ジャマル", "جاماڕ"),
    ("アフマド", "اڦماد"),  # フ with no vowel of its own: f, h or kh (Ahmad)
    ("フセイン", "ڦسیئین"),  # Hussein
    ("Tanaka", "Tanaka"),
])
def test_katakana_as_urdu_letters(text: str, read: str) -> None:
    assert katakana_as_arabic(text) == read


def test_markers_read_both_ways() -> None:
    assert arabic_word_key("ڕاڛید")[0] == "ŀᶊd"
    assert arabic_word_key("اڗیز")[0] == "ʐz"


def test_words_with_combining_marks_are_read_whole() -> None:
    assert screenable("สมชาย ใจดี") == "smchay aichdi"  # Thai: the vowel signs read, not left between halves
    assert screenable("José") == "José"
    assert screenable("Jose\u0301") == "Jose\u0301"  # a Latin word's accent, decomposed: the word as it was


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="कखगजटडतदनपफबमयरलवसहािीुूेोौं़्ংকগজটডতদনপবভমযরলসহািীুূেো়্ンアイウエオカキクサシジタチツテトナニ"
                        "ハフマミムラリルレロワヴャュョァィゥェォッー・ -", max_size=40))
def test_indic_and_katakana_never_fail(text: str) -> None:
    out = screenable(text)
    assert not any("\u0900" <= c <= "\u09ff" or "\u30a0" <= c <= "\u30ff" for c in out), out


RECORDS = [
    NameRecord("putin3", (NameVariant("Vladimir Vladimirovich PUTIN"),), "person"),
    NameRecord("zawahiri", (NameVariant("Ayman al-ZAWAHIRI"), NameVariant("أيمن الظواهري")), "person"),
    NameRecord("ladin", (NameVariant("Usama BIN LADIN"),), "person"),
    NameRecord("trujillo", (NameVariant("Jairo de Jesus VELEZ TRUJILLO"),), "person"),
    NameRecord("aziz", (NameVariant("Aziz ALLOUCH"),), "person"),
    NameRecord("massoud", (NameVariant("Ahmad Shah MASSOUD"),), "person"),
    NameRecord("abbas", (NameVariant("Mahmoud ABBAS"),), "person"),
]
_FILLER = filler(("Omar", "Ivan", "Hasan", "Oleg", "Nabil", "Pavel", "Walid"),
                 ("Rahman", "Sokolov", "Haddad", "Smirnov", "Karimi", "Volkov", "Nasser"))


@pytest.fixture(scope="module")
def index10() -> NameIndex:
    return NameIndex.build(RECORDS + _FILLER)


@pytest.mark.parametrize(("query", "entry"), [
    ("व्लादिमिर पुतिन", "putin3"),
    ("ভ্লাদিমির পুতিন", "putin3"),
    ("ヴラディミル・プーチン", "putin3"),
    ("ओसामा बिन लादेन", "ladin"),
    ("ওসামা বিন লাদেন", "ladin"),
    ("ウサマ・ビン・ラディン", "ladin"),
    ("अयमान अल-ज़वाहिरी", "zawahiri"),
    ("アイマン・アル・ザワヒリ", "zawahiri"),
    ("ኦሳማ ቢን ላደን", "ladin"),
    ("アフマド・シャー・マスード", "massoud"),  # as the Japanese press writes them
    ("マフムード・アッバース", "abbas"),
    ("आज़िज़ अल्लूश", "aziz"),
])
def test_indic_katakana_and_ethiopic_names_alert(index10: NameIndex, query: str, entry: str) -> None:
    assert best(index10, query, entry) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("query", ["राहुल शर्मा", "তানভীর হোসেন", "タナカ・ヒロシ", "ጊርማ ወልዴ"])
def test_common_names_in_those_scripts_do_not_alert(index10: NameIndex, query: str) -> None:
    for entry in ("putin3", "zawahiri", "ladin", "trujillo", "aziz", "massoud", "abbas"):
        assert best(index10, query, entry) < DEFAULT_THRESHOLD


# --- Russian names in Swedish, Finnish, Estonian and Lithuanian romanization (dev11) ------------------------------

@pytest.mark.parametrize(("text", "read"), [
    ("Igor Grigorjevitj Kenjuch", "igor grigoryevich kenyukh"),  # Swedish, as OFAC lists this alias
    ("Obsjtjestvo Totjnaja", "obshchestvo tochnaya"),
    ("Otvetstvennostju Tjumen Ivanov", "otvetstvennostyu tyumen ivanov"),  # tju is тю
    ("Sjoerd Hoekstra", "Sjoerd Hoekstra"),  # a Dutch name: no Russian ending
])
def test_swedish_romanization(text: str, read: str) -> None:
    assert dutch_cyrillic(text) == read


def test_finnish_and_estonian_romanization() -> None:
    assert latin_fold("Nikolajevitš") == latin_fold("Nikolajevič")
    assert finnic_cyrillic("Razrez Vostotšnõi") == "razrez vostočnyi"
    assert finnic_cyrillic("Mihail Šohin") == "mikhail šokhin"
    assert finnic_cyrillic("Mart Põder") == "Mart Põder"  # an Estonian name: no Russian ending
    assert strip_legal_forms("Obštšestvo S Ogranitšennoi Otvetstvennostju Mensor") == "Mensor"


def test_lithuanian_endings() -> None:
    assert lithuanian_endings("Aleksandras Aleksandrovičius Savinas") == "Aleksandr Aleksandrovič Savin"
    assert lithuanian_endings("Dmitrijus Ivanovas") == "Dmitrij Ivanov"
    assert lithuanian_endings("Jonas Kazlauskas") == "Jonas Kazlauskas"  # a Lithuanian name keeps its endings
    assert "Igor Savin" in readings_of("Igoris Savinas", "person")
    assert readings_of("Igoris Savinas", "organization") == ("Igoris Savinas",)


@pytest.mark.parametrize(("query", "entry"), [
    ("Vladimir Vladimirovitj Putin", "putin3"),
    ("Vladimir Vladimirovitš Putin", "putin3"),
    ("Vladimiras Vladimirovičius Putinas", "putin3"),
])
def test_nordic_and_baltic_romanizations_alert(index10: NameIndex, query: str, entry: str) -> None:
    assert best(index10, query, entry) >= DEFAULT_THRESHOLD


# --- a fused article's word keeps its text (wave 19, judged on the tuning splits) ----------------------------------

def test_a_word_read_with_a_fused_article_keeps_its_text() -> None:
    from basira.lang.nameparts import name_parts

    part = name_parts("Alfonso")[0]
    assert part.text == "alfonso" and part.vowels == name_parts("al-Fonso")[-1].vowels  # keys without the article


@pytest.fixture(scope="module")
def index_latin() -> NameIndex:
    return NameIndex.build([NameRecord("lira", (NameVariant("Alfonso LIRA SOTELO"),), "person"),
                            NameRecord("alborada", (NameVariant("ALBORADA GARDENS, S.A."),), "organization"),
                            *_FILLER])


@pytest.mark.parametrize(("query", "entry"), [
    ("Alfonzo LIRA SOTELO", "lira"),  # a typing slip in a word the article rule reads as al-Fonso
    ("Alfoso LIRA SOTELO", "lira"),
    ("A. LIRA SOTELO", "lira"),  # the initial is Alfonso's A, not the F of Fonso
    ("ASBORADA GARDENS, S.A.", "alborada"),
])
def test_slips_and_initials_of_words_with_a_fused_article_alert(index_latin: NameIndex, query: str,
                                                                 entry: str) -> None:
    assert best(index_latin, query, entry) >= DEFAULT_THRESHOLD


@pytest.fixture(scope="module")
def index_abd() -> NameIndex:
    return NameIndex.build([NameRecord("quddus", (NameVariant("ABDUL QUDDUS MAZHARI"),), "person"), *_FILLER])


@pytest.mark.parametrize("query", [
    "अब्दुल क़ुद्दूस मज़हरी",  # Hindi: Abd- has no ʿayn to write
    "আব্দুল কুদ্দুস মাজহারী",  # Bengali, with a long first vowel
    "アブドゥル・クッドゥス・マズハリ",  # Katakana
    "عبدل قدوس مظہری",  # Urdu, Abdul written as a word of its own
])
def test_abdul_written_as_a_word_of_its_own_alerts(index_abd: NameIndex, query: str) -> None:
    assert best(index_abd, query, "quddus") >= DEFAULT_THRESHOLD


def test_abid_is_no_abd() -> None:
    assert indic_as_arabic("आबिद हसन").split()[0] == "آبد"  # Abid stays a word of its own (not عبد)


@pytest.mark.parametrize("offset", [0x100, 0x180, 0x200, 0x300, 0x380, 0x400])
def test_scripts_of_devanagaris_layout_read_as_devanagari(offset: int) -> None:
    """Gurmukhi, Gujarati, Oriya, Telugu, Kannada and Malayalam letters in Devanagari's places read as it does."""
    hindi = "ओसामा बिन लादेन"
    moved = "".join(chr(ord(c) + offset) if "\u0900" <= c <= "\u097f" else c for c in hindi)
    assert screenable(moved) == screenable(hindi) == "اوساما بن لادین"


def test_gurmukhi_tippi_and_addak() -> None:
    assert screenable("ਮੁਹੰਮਦ") == "مہنمد"  # the tippi is the anusvara (n)
    assert screenable("ਅੱਲਾ") == "الا"  # the addak (a doubled consonant) is no letter
