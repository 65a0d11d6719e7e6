"""A STIX bundle file read streamed (any layout, any chunk boundary) and imported a page at a time; hostile files
refused with the reason, the pages before the fault kept."""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

import pytest
from tests.sharing.helpers import make_bank, make_org
from tests.sharing.test_ingest import indicator

from basira.core.errors import InvalidInput, NotFound
from basira.core.instance import Instance
from basira.sharing import bundle


def md5(i: int) -> str:
    return hashlib.md5(str(i).encode()).hexdigest()


def read(raw: bytes, **kw: Any) -> list[Any]:
    return list(bundle.iter_objects(io.BytesIO(raw), **kw))


OBJECTS = [{"type": "indicator", "id": f"indicator--{i}", "n": 12345 + i, "deep": {"a": [1, 2.5, None, "é"]}}
           for i in range(5)]


@pytest.mark.parametrize("layout", ["compact", "pretty", "objects-first"])
@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 20])
def test_any_layout_and_any_chunk_boundary_give_the_same_objects(layout: str, chunk: int) -> None:
    doc: dict[str, Any] = {"type": "bundle", "id": "bundle--1", "spec_version": 21, "objects": OBJECTS}
    if layout == "objects-first":
        doc = {"objects": OBJECTS, "id": "bundle--1", "type": "bundle", "n": 1234567}
    raw = json.dumps(doc, indent=2 if layout == "pretty" else None, ensure_ascii=False).encode()
    assert read(raw, chunk=chunk) == OBJECTS


def test_an_empty_bundle_and_an_empty_object() -> None:
    assert read(b'{"type": "bundle", "objects": []}') == []
    assert read(b" {} ") == []


@pytest.mark.parametrize(("raw", "reason"), [
    (b"", "'{' expected"),
    (b"[1, 2]", "'{' expected"),
    (b'{"type": "report", "objects": []}', "not a STIX bundle"),
    (b'{"type": "bundle", "objects": {"a": 1}}', "'['"),
    (b'{"type": "bundle", "objects": [{"a": 1} {"b": 2}]}', "',' or ']'"),
    (b'{"type": "bundle", "objects": [{"a": 1}, {"b": ', "ends in the middle"),
    (b'{"type": "bundle", "objects": [{"a": 1}]', "',' or '}'"),
    (b'{"type": "bundle", "objects": [{"a": nope}]}', "not JSON"),
    (b'{"type": "bundle", "objects": []} trailing', "after its closing"),
    (b'{"type": "bundle", "objects": [{"a": "\xff\xfe"}]}', "not UTF-8"),
    (b'{type: "bundle"}', "a member name"),
])
def test_hostile_files_are_refused_with_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(reason)):
        read(raw, chunk=5)


def test_a_huge_object_deep_nesting_and_too_many_objects_are_refused() -> None:
    huge = b'{"type": "bundle", "objects": [{"a": "' + b"x" * 5000 + b'"}]}'
    with pytest.raises(InvalidInput, match="over 1,000 characters"):
        read(huge, chunk=64, max_object_chars=1000)
    deep = b'{"type": "bundle", "objects": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    with pytest.raises(InvalidInput, match="nests too deeply"):
        read(deep)
    with pytest.raises(InvalidInput, match="over 2 objects"):
        read(json.dumps({"type": "bundle", "objects": OBJECTS}).encode(), max_objects=2)


def test_a_bundle_is_imported_page_by_page_and_a_fault_keeps_the_pages_before_it(instance: Instance) -> None:
    owner, _ = make_org(instance, "owner")
    other, _ = make_org(instance, "other")
    bank = make_bank(instance, owner, "in", "GREEN")
    good = [indicator("md5", md5(i)) for i in range(25)]
    objects: list[Any] = [*good[:10], {"type": "indicator", "id": "bad"}, *good[10:]]
    raw = json.dumps({"type": "bundle", "id": "bundle--x", "objects": objects}, indent=1).encode()
    seen: list[int] = []
    report = bundle.import_bundle(instance, owner, bank, io.BytesIO(raw), page_size=10,
                                  progress=lambda r: seen.append(r.objects))
    assert (report.objects, report.pages, report.added, report.refused) == (26, 3, 25, 1)
    assert seen == [10, 20, 26] and report.first_refusals and "no valid STIX id" in report.first_refusals[0]
    again = bundle.import_bundle(instance, owner, bank, io.BytesIO(raw), page_size=10)
    assert (again.added, again.ignored) == (0, 25)  # the same versions: nothing changes
    # A file that breaks after its first page keeps that page.
    more = [indicator("md5", md5(100 + i)) for i in range(15)]
    cut = json.dumps({"type": "bundle", "objects": more}).encode()[:-200]
    with pytest.raises(InvalidInput, match="ends in the middle"):
        bundle.import_bundle(instance, owner, bank, io.BytesIO(cut), page_size=10)
    with instance.db.session() as s:
        from sqlalchemy import func, select

        from basira.core.models import Signal
        assert s.scalar(select(func.count()).select_from(Signal).where(Signal.bank_id == bank)) == 35
    # Another organization's bank is not found.
    with pytest.raises(NotFound):
        bundle.import_bundle(instance, other, bank, io.BytesIO(raw))
