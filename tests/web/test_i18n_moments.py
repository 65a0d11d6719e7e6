"""Moments kept as ISO 8601 strings (the audit log, JSON evidence) are written the way the page's language writes
dates, like moments read from the database."""

from __future__ import annotations

import datetime as dt

import pytest

from basira.web.common import env

MOMENT = dt.datetime(2027, 3, 1, 10, 5, tzinfo=dt.UTC)


def _render(source: str, lang: str, value: object) -> str:
    return env().from_string(source).render(lang=lang, v=value)


@pytest.mark.parametrize("value", [MOMENT, MOMENT.replace(tzinfo=None), "2027-03-01T10:05:00+00:00",
                                   "2027-03-01T11:05:00+01:00", "2027-03-01 10:05:00"])
def test_a_moment_or_its_iso_string_is_written_in_the_pages_language(value: object) -> None:
    assert _render("{{ v | datetime }}", "fr", value) == "1 mars 2027, 10:05:00"
    assert _render("{{ v | datetime }}", "en", value) == "Mar 1, 2027, 10:05:00\u202fAM"


def test_a_day_is_written_in_the_pages_language() -> None:
    assert _render("{{ v | date }}", "fr", "2027-03-01T23:30:00-02:00") == "2 mars 2027"  # in UTC
    assert _render("{{ v | date }}", "fr", dt.date(2027, 3, 1)) == "1 mars 2027"
    assert "2027-03-01" not in _render("{{ v | date }}", "ar", "2027-03-01")


def test_a_string_that_is_not_a_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        _render("{{ v | datetime }}", "fr", "yesterday")
