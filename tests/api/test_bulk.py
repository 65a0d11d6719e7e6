"""Bulk import (all or nothing, bad rows reported) and export (streamed, audited) through the API."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from tests.factories import Api, problem

from basira.core.instance import Instance
from basira.core.models import AuditEntry, Signal

CSV = ("signal_type,signal_value,labels,tlp,entry_ref\n"
       f"md5,{'1' * 32},a;b,AMBER,e1\n"
       f"sha256,{'2' * 64},,AMBER,e1\n"
       f"md5,{'3' * 32},c,AMBER,e2\n")


def _count(instance: Instance) -> int:
    with instance.db.session() as s:
        return s.scalar(select(func.count()).select_from(Signal)) or 0


def test_csv_import_then_export_round_trips(api: Api) -> None:
    bank = api.bank("bulk")
    r = api.post(f"/v1/banks/{bank['id']}/import", params={"format": "csv"}, content=CSV.encode(),
                 headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json() == {"bank": "bulk", "rows": 3, "signals": 3}
    out = api.get(f"/v1/banks/{bank['id']}/export", params={"format": "csv"})
    assert out.status_code == 200 and out.headers["content-type"].startswith("text/csv")
    assert "attachment" in out.headers["content-disposition"]
    lines = out.text.splitlines()
    assert lines[0].startswith("signal_type,signal_value,labels,tlp,entry_ref")
    assert f"md5,{'1' * 32},a;b,AMBER,e1" in lines[1]
    assert len(lines) == 4


def test_jsonl_import_by_multipart_and_jsonl_export(api: Api, instance: Instance) -> None:
    bank = api.bank("bulk")
    rows = "\n".join(json.dumps({"signal_type": "md5", "signal_value": f"{i:032x}", "labels": ["x"]})
                     for i in range(3))
    r = api.post(f"/v1/banks/{bank['id']}/import", params={"format": "jsonl"},
                 files={"file": ("rows.jsonl", rows.encode(), "application/x-ndjson")})
    assert r.status_code == 200 and r.json()["rows"] == 3
    out = api.get(f"/v1/banks/{bank['id']}/export", params={"format": "jsonl"})
    assert out.headers["content-type"].startswith("application/x-ndjson")
    got = [json.loads(line) for line in out.text.splitlines()]
    assert [g["signal_value"] for g in got] == [f"{i:032x}" for i in range(3)]
    with instance.db.session() as s:
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"bank.import", "bank.export"} <= actions


def test_import_with_one_bad_row_writes_nothing_and_reports_it(api: Api, instance: Instance) -> None:
    bank = api.bank("bulk")
    bad = CSV + "md5,not-a-hash,,AMBER,e3\nsha256,,,AMBER,e4\n"
    r = api.post(f"/v1/banks/{bank['id']}/import?format=csv", content=bad.encode())
    body = problem(r, 422)
    assert body["bad_rows"] == [{"line": 5, "reason": body["bad_rows"][0]["reason"]},
                                {"line": 6, "reason": "signal_value is missing"}]
    assert "md5" in body["bad_rows"][0]["reason"]
    assert _count(instance) == 0
    assert api.get(f"/v1/banks/{bank['id']}/signals").json()["signals"] == []


def test_bad_imports_are_refused_cleanly(api: Api, instance: Instance) -> None:
    bank = api.bank("bulk")
    url = f"/v1/banks/{bank['id']}/import"
    problem(api.post(url, params={"format": "csv"}, content=b""), 400)
    problem(api.post(url, params={"format": "csv"}, content=b"\xff\xfe\x00bad"), 422)
    problem(api.post(url, params={"format": "csv"}, content=b"a,b\n1,2\n"), 422)  # no signal columns
    problem(api.post(url, params={"format": "csv"}, content=b"signal_type,signal_value\nmd5,\x00\x00\n"), 422)
    problem(api.post(url, params={"format": "xml"}, content=CSV.encode()), 422)
    problem(api.post(url, content=CSV.encode()), 422)  # format is required
    problem(api.post("/v1/banks/999999/import?format=csv", content=CSV.encode()), 404)
    assert _count(instance) == 0
