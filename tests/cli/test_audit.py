"""``basira audit``: chains verify, an edited row is found and named, and CLI changes carry the CLI actor."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from .conftest import Cli


def test_audit_verify_passes_then_names_an_edited_entry(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "B")
    cli.ok("key", "create")
    ok = cli.ok("audit", "verify")
    assert "verify" in ok.stdout

    engine = create_engine(cli.env["BASIRA_DATABASE_URL"])
    with engine.begin() as c:
        c.execute(text("UPDATE audit_entries SET details = :d WHERE chain = 'org:1' AND seq = 2"),
                  {"d": json.dumps({"name": "renamed by hand"})})
    engine.dispose()

    broken = cli("audit", "verify")
    assert broken.exit_code == 2
    assert "org:1 (acme): entry 2 was edited" in broken.stderr
    assert "audit chains" in broken.stderr
    as_json = json.loads(cli("audit", "verify", "--json").stdout)
    assert [r["chain"] for r in as_json if not r["ok"]] == ["org:1"]


def test_audit_show_lists_changes_by_the_cli_actor(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "B")
    shown = json.loads(cli.ok("audit", "show", "--json").stdout)
    assert shown["chain"] == "org:1"
    assert [e["action"] for e in shown["entries"]] == ["bank.create"]
    assert shown["entries"][0]["actor"].startswith("cli:")
    instance_chain = json.loads(cli.ok("audit", "show", "--instance", "--json").stdout)
    assert [e["action"] for e in instance_chain["entries"]] == ["org.create"]
    assert "bank.create" in cli.ok("audit", "show").stdout
