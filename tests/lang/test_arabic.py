"""Arabic-script normalisation: contracts on any Unicode input, and the folds names need."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.lang.arabic import (
    MENTION_TOKEN,
    URL_TOKEN,
    dominant_script,
    is_arabic,
    light,
    matching_key,
    split_scripts,
)

ARABIC_TEXT = st.text(
    alphabet=st.sampled_from("محمدعلىيةأإآؤئءـًٌٍَُِّْٰیکگہ٠١٢٣۴۵،؛؟ \u200b\u200f\u202e\u2066abc@/:.1"), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_light_and_key_never_raise_on_any_unicode_and_are_idempotent(text: str) -> None:
    once = light(text)
    assert light(once) == once
    key = matching_key(text)
    assert matching_key(key) == key


@settings(max_examples=300, deadline=None)
@given(ARABIC_TEXT)
def test_key_is_idempotent_on_dense_arabic_text(text: str) -> None:
    key = matching_key(text)
    assert matching_key(key) == key
    assert "\u0640" not in key and "\u200b" not in key and "\u202e" not in key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("مُحَمَّد", "محمد"),  # tashkeel
        ("محمـــــد", "محمد"),  # tatweel
        ("أحمد", "احمد"),  # alef with hamza
        ("إبراهيم", "ابراهيم"),  # alef with hamza below
        ("موسى", "موسي"),  # alef maqsura / yeh
        ("فاطمة", "فاطمه"),  # ta marbuta / heh
        ("علی", "علي"),  # Persian yeh
        ("کریم", "كريم"),  # Persian keheh and yeh
        ("مسؤول", "مسوول"),  # hamza on waw
        ("جميييييل", "جميل"),  # letters repeated for emphasis
        ("\u202eمحمد\u202c", "محمد"),  # right-to-left override around the name
        ("ﻣﺤﻤﺪ", "محمد"),  # presentation forms
    ],
)
def test_matching_key_folds_spelling_variants(a: str, b: str) -> None:
    assert matching_key(a) == matching_key(b)


def test_light_keeps_letters_but_converts_digits_and_punctuation() -> None:
    assert light("عام ١٩٦١، نعم؟") == "عام 1961, نعم?"
    assert light("۱۲۳") == "123"
    assert light("أحمد") == "أحمد"  # light keeps hamza forms: only the matching key folds them


def test_urls_and_mentions_become_tokens() -> None:
    key = matching_key("انظر https://example.org/x?y=1 و @someone")
    assert URL_TOKEN in key and MENTION_TOKEN in key and "example" not in key


def test_only_punctuation_and_very_long_strings_are_handled() -> None:
    assert matching_key("!!! ... ؟؟ ،،") == "! . ?? ,,"  # runs of three or more squeeze to one
    long = "محمد " * 1000
    assert len(light(long)) == 4999
    assert dominant_script("...!") is None


def test_script_detection_and_mixed_script_split() -> None:
    assert is_arabic("أبو بكر")
    assert not is_arabic("Abu Bakr")
    assert dominant_script("Эмират Кавказ") == "cyrillic"
    assert split_scripts("Abu Bakr البغدادي") == [("latin", "Abu Bakr"), ("arabic", "البغدادي")]
    assert split_scripts("") == []


def test_a_letter_dropped_by_folding_cannot_turn_text_into_a_mention_on_the_second_pass() -> None:
    # Found by hypothesis: the bare hamza folds away, leaving "@1".
    once = matching_key("ء@1")
    assert matching_key(once) == once
