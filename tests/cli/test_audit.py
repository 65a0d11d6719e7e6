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


def test_audit_verify_finds_a_rewrite_made_with_the_old_unkeyed_function(cli: Cli) -> None:
    from basira.core import hashchain

    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "B", "--tlp", "RED")
    cli.ok("bank", "create", "C")
    heads_dir = cli.data_dir / "outside"
    cli.ok("audit", "export-heads", "--out", str(heads_dir))
    engine = create_engine(cli.env["BASIRA_DATABASE_URL"])
    with engine.begin() as c:
        rows = c.execute(text("SELECT seq, ts, actor, action, target, details FROM audit_entries "
                              "WHERE chain = 'org:1' ORDER BY seq")).all()
        prev = hashchain.GENESIS
        for seq, ts, actor, action, target, details in rows:
            det = json.loads(details) if isinstance(details, str) else details
            if seq == 1:
                det = {**det, "tlp": "CLEAR"}
            h = hashchain.digest(["org:1", seq, ts, actor, action, target, det, prev])
            c.execute(text("UPDATE audit_entries SET details = :d, prev_hash = :p, hash = :h "
                           "WHERE chain = 'org:1' AND seq = :s"), {"d": json.dumps(det), "p": prev, "h": h, "s": seq})
            prev = h
        c.execute(text("UPDATE audit_heads SET hash = :h WHERE chain = 'org:1'"), {"h": prev})
    engine.dispose()
    broken = cli("audit", "verify", "--heads", str(next(heads_dir.glob("heads-*.json"))))
    assert broken.exit_code == 2
    assert "org:1 (acme): entry 1 was edited" in broken.stderr
    assert "rewritten" in broken.stderr
