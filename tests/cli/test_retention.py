"""``basira retention`` and ``basira subject``: rules, holds, the purge and data-subject requests from the shell."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from tests.retention import factories as f

from basira.core.models import AuditEntry, Item

from .conftest import Cli


def test_show_set_and_back_to_default(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("retention", "set", "items", "30")
    rules = {r["kind"]: r for r in json.loads(cli.ok("retention", "show", "--json").stdout)}
    assert (rules["items"]["days"], rules["items"]["source"]) == (30, "organization")
    cli.ok("retention", "set", "items", "--default")
    rules = {r["kind"]: r for r in json.loads(cli.ok("retention", "show", "--json").stdout)}
    assert (rules["items"]["days"], rules["items"]["source"]) == (365, "default")
    assert cli("retention", "set", "items").exit_code == 65


def test_run_deletes_expired_items_and_a_hold_keeps_its_subject(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    inst = cli.instance()
    with inst.db.session() as s:
        f.item(s, 1, f.LONG_AGO, ref="old.jpg")
        f.item(s, 1, f.LONG_AGO, ref="evidence.jpg")
    cli.ok("retention", "hold", "add", "item:evidence.jpg", "--reason", "Preservation order 7")
    report = json.loads(cli.ok("retention", "run", "--kind", "items", "--json").stdout)
    assert [(r["kind"], r["deleted"], r["held"]) for r in report] == [("items", 1, 1)]
    with inst.db.session() as s:
        assert list(s.scalars(select(Item.ref))) == ["evidence.jpg"]
        assert s.scalar(select(func.count()).where(AuditEntry.action == "retention.purge")) == 1
    held = json.loads(cli.ok("retention", "hold", "list", "--json").stdout)
    assert [h["subject"] for h in held] == ["item:evidence.jpg"]


def test_bad_hold_subject_and_date_get_messages(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    assert cli("retention", "hold", "add", "passport:123", "--reason", "x").exit_code == 65
    assert cli("retention", "hold", "add", "item:a", "--reason", "x", "--until", "soon").exit_code == 65


def test_subject_export_and_erase_of_a_customer(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    inst = cli.instance()
    with inst.db.session() as s:
        f.customer(s, 1, f.T0, ref="C-7")
        f.item(s, 1, f.T0, ref="C-7", content_type="person")
    exported = json.loads(cli.ok("subject", "export", "customer:C-7").stdout)
    assert exported["records"]["finance_customers"][0]["ref"] == "C-7"
    erased = json.loads(cli.ok("subject", "erase", "customer:C-7").stdout)
    assert erased["erased"] == {"finance_customers": 1, "screenings": 1}
    assert cli("subject", "export", "customer:C-7").exit_code == 66
