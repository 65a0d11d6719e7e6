"""Text as content: decoding, limits, the exact form and text_sha256, and hostile input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from basira.content.text import (
    MAX_TEXT_BYTES,
    PreparedText,
    TextSHA256Signal,
    as_content,
    decode_text,
    prepare,
    read_text,
    text_sha256,
)
from basira.core.errors import ContentTooLarge, EmptyContent, InvalidInput, InvalidSignal
from basira.core.settings import load_settings
from basira.core.signals import Content
from basira.lang.arabic import light, matching_key

BASE = "أعلنت الحكومة اليوم عن خطة جديدة لتحسين التعليم"


@pytest.mark.parametrize("variant", [
    "أَعْلَنَتِ الحُكُومَةُ اليَوْمَ عَنْ خُطَّةٍ جَدِيدَةٍ لِتَحْسِينِ التَّعْلِيمِ",  # full diacritics
    "أعلنت الحكـــومة اليوم عن خطة جديدة لتحسين التعليـم",  # tatweel
    "  أعلنت   الحكومة\u200b اليوم عن خطة\n جديدة لتحسين التعليم ",  # spacing and a zero-width space
    "\u202bأعلنت الحكومة اليوم عن خطة جديدة لتحسين التعليم\u202c",  # right-to-left embedding
])
def test_light_edits_keep_the_exact_hash(variant: str) -> None:
    assert text_sha256(variant) == text_sha256(BASE)


def test_spelling_swaps_change_the_exact_hash_but_not_the_key() -> None:
    swapped = "اعلنت الحكومه اليوم عن خطه جديده لتحسين التعليم"
    assert text_sha256(swapped) != text_sha256(BASE)
    assert prepare(swapped).key == prepare(BASE).key


def test_control_characters_inside_words_do_not_hide_a_copy() -> None:
    assert text_sha256("hello\x00 world\x07") == text_sha256("hello world")


@pytest.mark.parametrize("text", ["", "   \n\t", "\x00\x01\x1f", "\u200b\u200f\u202e"])
def test_empty_or_invisible_text_is_refused(text: str) -> None:
    with pytest.raises(EmptyContent):
        prepare(text)


def test_emoji_only_text_has_an_exact_hash() -> None:
    assert len(text_sha256("🔥🔥🔥")) == 64


def test_ten_megabytes_of_text_is_refused_with_the_limit() -> None:
    with pytest.raises(ContentTooLarge, match=str(MAX_TEXT_BYTES)):
        decode_text(b"a" * 10_000_000)
    with pytest.raises(ContentTooLarge):
        prepare("ب" * 5_000_000)


def test_invalid_utf8_names_the_offset() -> None:
    with pytest.raises(InvalidInput, match="offset 3"):
        decode_text(b"abc\xff\xfe")


def test_byte_order_mark_is_dropped() -> None:
    assert decode_text("\ufeffhello".encode()) == "hello"


def test_large_content_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * (MAX_TEXT_BYTES + 1))
    with pytest.raises(ContentTooLarge):
        read_text(Content(path, "text", path.stat().st_size))


def test_as_content_writes_and_removes_its_file(tmp_path: Path) -> None:
    settings = load_settings(environ={}, data_dir=tmp_path)
    with as_content("مرحبا", settings) as content:
        assert content.content_type == "text"
        assert read_text(content) == "مرحبا"
        path = content.path
    assert not path.exists()


def test_as_content_refuses_lone_surrogates_and_blank_text(tmp_path: Path) -> None:
    settings = load_settings(environ={}, data_dir=tmp_path)
    with pytest.raises(InvalidInput, match="surrogate"), as_content("a\ud800b", settings):
        pass
    with pytest.raises(EmptyContent), as_content("  ", settings):
        pass


def test_text_sha256_values_are_validated() -> None:
    assert TextSHA256Signal.validate("A" * 64) == "a" * 64
    with pytest.raises(InvalidSignal):
        TextSHA256Signal.validate("xyz")


def test_mixed_scripts_and_rtl_override_hash_like_the_plain_text() -> None:
    mixed = "Breaking عاجل: news خبر"
    assert text_sha256("\u202e" + mixed + "\u202c") == text_sha256(mixed)


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@hypothesis_settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab مُحَمَّد\x00\x07\x1f\x7f\x85\x9f\t\n\r\x0b\u200b\ufeff\u00a0"), max_size=40)
       | st.text(max_size=40))
def test_prepare_is_light_of_the_text_with_controls_as_spaces_and_its_key(text: str) -> None:
    # The definition of the two forms, step by step (prepare skips the control scan on printable text).
    exact = light(_CONTROLS.sub(" ", text))
    if not exact:
        with pytest.raises(EmptyContent):
            prepare(text)
        return
    assert prepare(text) == PreparedText(exact=exact, key=matching_key(exact))
