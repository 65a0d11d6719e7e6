"""``basira legal``: authorities and orders from the command line, refusals as messages and exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.cli.conftest import Cli

from basira.legal import authorities
from basira.legal.orders import annex_fields
from basira.legal.views import request_from_json

SECRET = "ab" * 32


def _order_file(tmp_path: Path, **changes: object) -> Path:
    fields: dict[str, object] = {
        "authority": "DE-BKA", "reference": "BKA-9", "member_state": "DE", "urls": ["https://v.example/w/1"],
        "grounds": "Made-up grounds.", "grounds_points": ["a"], "redress": "Court.", "signatory": "Officer",
        "issued_at": "2026-05-04T09:00:00+02:00"}
    fields.update(changes)
    req = request_from_json(fields)
    fields["signature"] = authorities.sign_hmac(SECRET, authorities.signed_body(annex_fields(req, "DE-BKA")))
    path = tmp_path / "order.json"
    path.write_text(json.dumps(fields))
    return path


def _setup(cli: Cli) -> None:
    cli.ok("org", "create", "acme", "--name", "Acme")
    cli.ok("legal", "authority", "add", "DE-BKA", "--member-state", "DE", "--timezone", "Europe/Berlin",
           "--hmac-key", SECRET)


def test_an_order_is_received_shown_and_confirmed(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    shown = json.loads(cli.ok("legal", "order", "add", str(_order_file(tmp_path)), "--json").stdout)
    assert shown["clock"]["state"] == "running" and shown["authenticated"] and shown["unknown_content"]
    deadline = dt.datetime.fromisoformat(shown["clock"]["deadline_at"])
    assert deadline - dt.datetime.fromisoformat(shown["received_at"]) == dt.timedelta(hours=1)
    assert shown["clock"]["deadline_local"] == deadline.astimezone(ZoneInfo("Europe/Berlin")).isoformat()
    assert "BKA-9" in cli.ok("legal", "order", "list").stdout
    confirmed = json.loads(cli.ok("legal", "order", "confirm", str(shown["id"]), "--json").stdout)
    assert confirmed["in_time"] and confirmed["order_ids"] == [shown["id"]]
    assert "executed" in cli.ok("legal", "order", "show", str(shown["id"])).stdout


def test_pause_and_resume_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    order_id = json.loads(cli.ok("legal", "order", "add", str(_order_file(tmp_path)), "--json").stdout)["id"]
    cli.ok("legal", "order", "pause", str(order_id), "--reason", "manifest_error", "--explanation", "wrong URL")
    assert json.loads(cli.ok("legal", "order", "show", str(order_id), "--json").stdout)["status"] == "paused"
    cli.ok("legal", "order", "resume", str(order_id))
    assert json.loads(cli.ok("legal", "order", "show", str(order_id), "--json").stdout)["status"] == "received"


def test_missing_fields_are_listed_with_exit_code_65(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    result = cli("legal", "order", "add", str(_order_file(tmp_path, grounds="", redress="")))
    assert result.exit_code == 65
    assert "grounds, redress" in result.output


def test_a_forged_signature_exits_77(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    path = _order_file(tmp_path)
    data = json.loads(path.read_text())
    data["signature"] = "00" * 32
    path.write_text(json.dumps(data))
    result = cli("legal", "order", "add", str(path))
    assert result.exit_code == 77 and "HMAC" in result.output


def test_an_order_file_that_is_not_json_exits_65(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe{")
    assert cli("legal", "order", "add", str(bad)).exit_code == 65


def test_a_preserved_record_is_listed_and_extended(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    order_id = json.loads(cli.ok("legal", "order", "add", str(_order_file(tmp_path)), "--json").stdout)["id"]
    kept = json.loads(cli.ok("legal", "order", "confirm", str(order_id), "--json").stdout)["preservation_id"]
    (row,) = json.loads(cli.ok("legal", "preservation", "list", "--json").stdout)
    assert row["id"] == kept
    cli.ok("legal", "preservation", "extend", str(kept), "--days", "30", "--reason", "court order")
    (later,) = json.loads(cli.ok("legal", "preservation", "list", "--json").stdout)
    delta = dt.datetime.fromisoformat(later["expires_at"]) - dt.datetime.fromisoformat(row["expires_at"])
    assert delta == dt.timedelta(days=30)
    assert cli("legal", "preservation", "extend", str(kept), "--days", "0", "--reason", "x").exit_code == 65
