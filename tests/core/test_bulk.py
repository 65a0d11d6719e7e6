"""Bulk import is all or nothing; export gives back what was imported."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from basira.core import banks, bulk
from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.core.models import Signal
from basira.core.principal import Principal

CSV_OK = "signal_type,signal_value,labels,entry_ref\nmd5,{a},x;y,e1\nsha256,{b},,e2\n".format(
    a="a" * 32, b="b" * 64)


def _bank(instance: Instance, admin: Principal) -> int:
    with instance.db.session() as s:
        return banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="b", tlp="GREEN")).id


def test_csv_import_then_export_round_trips(instance: Instance, admin: Principal) -> None:
    bank_id = _bank(instance, admin)
    with instance.db.session() as s:
        res = bulk.import_signals(s, admin, instance.registry, instance.settings, bank_id, io.StringIO(CSV_OK), "csv")
    assert res["rows"] == 2
    with instance.db.session() as s:
        out = "".join(bulk.export_signals(s, admin, bank_id, "jsonl"))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["signal_type"], r["labels"], r["tlp"], r["entry_ref"]) for r in rows] == [
        ("md5", ["x", "y"], "GREEN", "e1"), ("sha256", [], "GREEN", "e2")]


def test_one_bad_row_rejects_the_whole_import(instance: Instance, admin: Principal) -> None:
    bank_id = _bank(instance, admin)
    bad = CSV_OK + "md5,not-hex,,e3\npdq,{},,e4\n".format("0" * 10)
    with pytest.raises(InvalidInput) as exc, instance.db.session() as s:
        bulk.import_signals(s, admin, instance.registry, instance.settings, bank_id, io.StringIO(bad), "csv")
    assert [r["line"] for r in exc.value.extra["bad_rows"]] == [4, 5]
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Signal)) == 0


def test_jsonl_with_broken_json_reports_the_line(instance: Instance, admin: Principal) -> None:
    bank_id = _bank(instance, admin)
    data = json.dumps({"signal_type": "md5", "signal_value": "a" * 32}) + "\n{broken\n[1]\n"
    with pytest.raises(InvalidInput) as exc, instance.db.session() as s:
        bulk.import_signals(s, admin, instance.registry, instance.settings, bank_id, io.StringIO(data), "jsonl")
    assert [r["line"] for r in exc.value.extra["bad_rows"]] == [2, 3]


def test_csv_without_the_needed_header_is_refused(instance: Instance, admin: Principal) -> None:
    bank_id = _bank(instance, admin)
    with pytest.raises(InvalidInput, match="header"), instance.db.session() as s:
        bulk.import_signals(s, admin, instance.registry, instance.settings, bank_id, io.StringIO("a,b\n1,2\n"), "csv")


@pytest.mark.parametrize(("tlp", "may_export"), [("GREEN", True), ("AMBER", True), ("AMBER+STRICT", False)])
def test_a_shared_bank_is_exported_only_where_its_marking_lets_it_pass_on(
        instance: Instance, admin: Principal, tlp: str, may_export: bool) -> None:
    from basira.core import orgs
    from basira.core.errors import NotFound, PermissionDenied
    from basira.core.models import Role

    with instance.db.session() as s:
        partner = orgs.create_org(s, "test", "partner")
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="b", tlp=tlp))
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id, [banks.SignalSpec("md5", "a" * 32)])
        banks.share_bank(s, admin, bank.id, org="partner")
    who = Principal(partner.id, Role.ANALYST, "p")
    with instance.db.session() as s:
        if may_export:
            assert "a" * 32 in "".join(bulk.export_signals(s, who, bank.id, "csv"))
        else:
            # AMBER+STRICT is match-only for partners (issue 21): the bank is not even readable.
            with pytest.raises((PermissionDenied, NotFound)):
                bulk.export_signals(s, who, bank.id, "csv")
