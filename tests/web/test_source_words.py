"""The leak detector of ``tests/web/test_every_page_speaks.py`` finds what it is meant to find, and leaves data and
other languages alone (a detector that finds nothing would let every page pass)."""

from __future__ import annotations

import pytest
from tests.web.source_words import leaks, source_words

FRENCH = source_words("fr")


def _page(body: str, lang: str = "fr") -> str:
    return f'<!doctype html><html lang="{lang}"><head><title>Decided</title></head><body>{body}</body></html>'


@pytest.mark.parametrize(("body", "found"), [
    ("<p>Décidé</p>", []),
    ("<p>Le cas est Decided</p>", ["Decided"]),  # a msgid word left untranslated
    ('<button title="the review">x</button>', ["the", "review"]),  # what a title shows
    ('<input type="submit" value="Save">', ["Save"]),
    ("<p>Signal de type <code>text_minhash</code></p>", []),  # a code marked as code
    ("<p>Signal de type text_minhash</p>", ["text_minhash"]),  # a code as stored, in the page's text
    ("<td>OPERATOR_IN_ZONE</td>", ["OPERATOR_IN_ZONE"]),
    ("<p>Banque <bdi>Review bank of the Decided</bdi></p>", []),  # data: a name is not a leak
    ('<a lang="en" href="?lang=en">English</a>', []),  # another language, marked as such
    ("<p>https://review.example/bank/decided</p>", []),  # an address
    ("<script>const decided = 'Review';</script>", []),
    ("<p hidden>Review</p>", []),
])
def test_what_leaks_in_a_french_page(body: str, found: list[str]) -> None:
    assert [token for token, _ in leaks(_page(body), "fr", FRENCH, frozenset({"ENTER"}))] == found


def test_an_iso_moment_leaks_even_as_data() -> None:
    found = leaks(_page("<td><bdi>2027-03-01T10:00:00+00:00</bdi></td>"), "fr", FRENCH)
    assert [token for token, _ in found] == ["2027-03-01T10:00"]


def test_a_named_code_in_capitals_leaks() -> None:
    assert [t for t, _ in leaks(_page("<td>ENTER</td>"), "fr", FRENCH, frozenset({"ENTER"}))] == ["ENTER"]
    assert leaks(_page("<td>TLP</td>"), "fr", FRENCH, frozenset({"ENTER"})) == []
