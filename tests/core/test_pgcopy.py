"""The helpers of the bulk writers' COPY rows: JSON text encoded once per distinct value, timestamps as text."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from basira.core import pgcopy


def test_json_texts_encode_each_distinct_value_once_and_alike_values_apart() -> None:
    as_text = pgcopy.JsonTexts()
    assert as_text([]) == "[]" and as_text({}) == "{}"
    first = as_text(["a", "b"])
    assert as_text(["a", "b"]) is first and first == '["a", "b"]'
    # Equal in Python (and hashing alike), not the same JSON.
    assert [as_text([1]), as_text([1.0]), as_text([True])] == ["[1]", "[1.0]", "[true]"]
    assert [as_text({"n": 1}), as_text({"n": True})] == ['{"n": 1}', '{"n": true}']


def test_json_texts_encode_nested_values_alone() -> None:
    as_text = pgcopy.JsonTexts()
    value = {"deep": {"k": [1, 2]}, "list": ["x"]}
    assert json.loads(as_text(value)) == value
    value["deep"]["k"].append(3)  # not kept: the same dict, changed, gives its new text
    assert json.loads(as_text(value)) == value


def test_timestamps_are_aware_iso_text() -> None:
    when = dt.datetime(2031, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert pgcopy.timestamp(when) == "2031-01-02T03:04:05.000006+00:00"
    with pytest.raises(ValueError, match="naive"):
        pgcopy.timestamp(dt.datetime(2031, 1, 2))
