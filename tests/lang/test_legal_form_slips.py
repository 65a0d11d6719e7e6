"""A typing slip in a long legal form (issue 15, wave 12): "Navis Marine Limied", "Kazan Shipping Iucorporated",
"Limited Liabiltiy Company X" are set aside as their forms are, so that the slipped form does not become a rare
word of the name; short forms (AG, SA, LLC, Co) are read only as written, and only where a form stands (last, before
another form, or inside a form's phrase)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from basira.lang import scripts
from basira.lang.scripts import SLIPPED_FORM_LEN, slipped_form, strip_legal_forms

LONG = ["limited", "company", "corporation", "incorporated", "establishment", "aktiengesellschaft", "sirketi"]


@pytest.mark.parametrize(("name", "stripped"), [
    ("Navis Marine Limied", "Navis Marine"),  # a letter left out
    ("Kazan Shipping Iucorporated", "Kazan Shipping"),  # a letter changed
    ("Aristos Maritime Incorprated", "Aristos Maritime"),
    ("Portex Trade Lmited", "Portex Trade"),
    ("Korea Trading Corporaton", "Korea Trading"),
    ("Talieh Sabz Group Compnay", "Talieh Sabz"),  # two letters swapped, then "Group" as before
    ("Staut Coompany Limited", "Staut"),  # before another form
    ("Alpha Visit Ticaret Limited Sirket", "Alpha Visit"),  # Turkish şirketi, with its "trade" (wave 18)
    ("Limited Liabiltiy Company Maketir", "Maketir"),  # a slip inside a form's phrase, at the start
    ("Kugel Limited Liabillity Company", "Kugel"),  # ... at the end
    ("Obschestvo s organichennoy otvetstvennostyu Sokhra", "Sokhra"),  # one slip in each of two long words
    ("Joint Stock Comany Salute", "Salute"),
])
def test_a_long_form_with_a_typing_slip_is_set_aside(name: str, stripped: str) -> None:
    assert strip_legal_forms(name) == stripped


@pytest.mark.parametrize("name", [
    "Siemens Agg",  # short forms only as written
    "Alpha Bete Llcc",
    "Limied Navis Marine",  # a slipped form is no form where none stands
    "Navis Limied Marine",
    "Navis Marine Limitless",  # two letters more
    "Limied",  # a name that is only a (slipped) form stays
    "Mohammed Compani Al-Rashid",
])
def test_no_other_word_is_taken_for_a_form(name: str) -> None:
    assert strip_legal_forms(name) == name


def test_a_form_itself_is_no_slip() -> None:
    assert not slipped_form("limited")
    assert slipped_form("limied")
    assert not slipped_form("agg")  # from a short form


def _slips(word: str) -> st.SearchStrategy[str]:
    """One typing slip of ``word``: a letter left out, added, changed, or two swapped."""
    i = st.integers(0, len(word) - 1)
    letter = st.sampled_from("abcdefghijklmnopqrstuvwxyz")
    return st.one_of(
        i.map(lambda k: word[:k] + word[k + 1:]),
        st.tuples(i, letter).map(lambda t: word[:t[0]] + t[1] + word[t[0]:]),
        st.tuples(i, letter).map(lambda t: word[:t[0]] + t[1] + word[t[0] + 1:]),
        st.integers(0, len(word) - 2).map(lambda k: word[:k] + word[k + 1] + word[k] + word[k + 2:]),
    )


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LONG).flatmap(lambda f: st.tuples(st.just(f), _slips(f))),
       st.sampled_from(["Navis Marine", "Kazan Shipping", "Trade Initiative"]))
def test_any_one_slip_in_a_long_form_at_the_end_is_set_aside(form_slip: tuple[str, str], name: str) -> None:
    form, slip = form_slip
    assume(len(form) >= SLIPPED_FORM_LEN)
    assert strip_legal_forms(f"{name} {slip.upper()}") == strip_legal_forms(f"{name} {form.upper()}") == name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14))
def test_a_last_word_that_is_neither_a_form_nor_one_slipped_stays(word: str) -> None:
    assume(word not in scripts._TRAILING and not slipped_form(word))
    assert strip_legal_forms(f"Navis Marine {word}") == f"Navis Marine {word}"


def _reference(text: str) -> str:
    """strip_legal_forms written plainly: every tail tried at every end, without the early stop on a last word
    that no form ends in (``_form_like``)."""
    words = text.replace("&", " and ").split()
    folded = [scripts._fold_word(w) for w in words]
    end, changed = len(words), True
    while changed and end > 1:
        changed = False
        for n in range(min(scripts._LONGEST, end - 1), 0, -1):
            tail = tuple(folded[end - n:end])
            single = n == 1 and (tail[0] in scripts._TRAILING or slipped_form(tail[0]))
            if single or (n > 1 and scripts._is_phrase(tail)):
                end, changed = end - n, True
                break
        while end > 1 and not folded[end - 1]:
            end -= 1
    start, changed = 0, True
    while changed and start < end - 1:
        changed = False
        for n in range(min(scripts._LONGEST, end - start - 1), 1, -1):
            if scripts._is_phrase(tuple(folded[start:start + n])):
                start, changed = start + n, True
                break
        if not changed and (folded[start] in scripts._LEADING or words[start] in scripts._LEADING
                            or folded[start] in scripts._TITLES):
            start, changed = start + 1, True
    if (start == 0 and end == len(words)) or all(f in scripts._FORM_WORDS for f in folded[start:end] if f):
        return text
    return " ".join(words[start:end]).strip(" ,;-")


_VOCABULARY = ["Navis", "Marine", "Limited", "Limied", "Liability", "Liabiltiy", "Company", "Compnay", "Co.,",
               "Ltd.", "LLC", "Joint", "Stock", "Obshchestvo", "Obschestvo", "s", "Ogranichennoi", "Otvetstvennostyu",
               "Aktsionernoe", "Group", ",", "&", "SA", "AG", "Sirket", "Incorprated", "Dr.", "OOO", "Zeta"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=8))
def test_the_early_stop_reads_every_name_as_the_plain_reference(words: list[str]) -> None:
    text = " ".join(words)
    assert strip_legal_forms(text) == _reference(text)
