"""``basira bank``: create, import (all or nothing), export round trip, share, show, and clear errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from .conftest import Cli


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["signal_type", "signal_value", "labels", "entry_ref"])
        w.writeheader()
        w.writerows(rows)
    return path


GOOD_ROWS = [
    {"signal_type": "md5", "signal_value": _md5("one"), "labels": "demo;test", "entry_ref": "e1"},
    {"signal_type": "sha256", "signal_value": _sha256("one"), "labels": "demo", "entry_ref": "e1"},
    {"signal_type": "md5", "signal_value": _md5("two").upper(), "labels": "", "entry_ref": "e2"},
]


def _values(rows: list[dict[str, str]]) -> set[tuple[str, str, str]]:
    return {(r["signal_type"], r["signal_value"].lower(), r["entry_ref"]) for r in rows}


def test_bank_import_then_export_round_trip(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Partner X", "--tlp", "green", "--description", "test bank")
    imported = cli.ok("bank", "import", "Partner X", str(_write_csv(tmp_path / "in.csv", GOOD_ROWS)))
    assert "Imported 3 rows" in imported.stdout

    out = tmp_path / "out.jsonl"
    cli.ok("bank", "export", "Partner X", "--output", str(out))
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert _values(exported) == _values(GOOD_ROWS)
    assert {tuple(r["labels"]) for r in exported if r["entry_ref"] == "e1"} == {("demo", "test"), ("demo",)}
    assert all(r["tlp"] == "GREEN" for r in exported)

    as_csv = cli.ok("bank", "export", "Partner X", "--format", "csv").stdout
    assert _values(list(csv.DictReader(io.StringIO(as_csv)))) == _values(GOOD_ROWS)

    # What one bank exports another imports unchanged.
    cli.ok("bank", "create", "Copy")
    cli.ok("bank", "import", "Copy", str(out))
    shown = json.loads(cli.ok("bank", "show", "Copy", "--json").stdout)
    assert shown["signal_counts"] == {"md5": 2, "sha256": 1}
    assert shown["tlp"] == "AMBER"


def test_bank_import_with_one_bad_row_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Partner X")
    rows = [*GOOD_ROWS[:2], {"signal_type": "md5", "signal_value": "not-a-hash", "labels": "", "entry_ref": "e9"}]
    result = cli("bank", "import", "Partner X", str(_write_csv(tmp_path / "bad.csv", rows)))
    assert result.exit_code == 65
    assert "nothing was imported" in result.stderr
    assert "line 4" in result.stderr  # the header is line 1
    shown = json.loads(cli.ok("bank", "show", "Partner X", "--json").stdout)
    assert shown["signal_counts"] == {}
    with cli.instance().db.session() as s:
        from sqlalchemy import func, select

        from basira.core.models import Entry, Signal
        assert s.scalar(select(func.count()).select_from(Signal)) == 0
        assert s.scalar(select(func.count()).select_from(Entry)) == 0


def test_bank_import_of_hostile_files_is_refused_cleanly(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "B")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("signal_type,signal_value\nmd5,caf\xe9\n".encode("latin-1"))
    assert cli("bank", "import", "B", str(latin1)).exit_code == 65
    no_header = tmp_path / "x.csv"
    no_header.write_text("a,b\n1,2\n")
    result = cli("bank", "import", "B", str(no_header))
    assert result.exit_code == 65 and "header" in result.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert cli("bank", "import", "B", str(empty)).exit_code == 65
    missing = cli("bank", "import", "B", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 66 and "nope.csv" in missing.stderr
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"signal_type,signal_value\nmd5,\x00\x00\n")
    assert cli("bank", "import", "B", str(nul)).exit_code == 65


def test_bank_import_reads_standard_input(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "B")
    line = json.dumps({"signal_type": "sha256", "signal_value": _sha256("x"), "entry_ref": "x"})
    cli.ok("bank", "import", "B", "-", "--format", "jsonl", input=line + "\n")
    assert json.loads(cli.ok("bank", "show", "B", "--json").stdout)["signal_counts"] == {"sha256": 1}


def test_unknown_bank_gives_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    for args in (["bank", "show", "Nope"], ["bank", "export", "Nope"], ["bank", "share", "Nope", "--with-org", "acme"],
                 ["bank", "import", "Nope", str(_write_csv(tmp_path / "in.csv", GOOD_ROWS))],
                 ["match", "--bank", "Nope", str(tmp_path / "in.csv")]):
        result = cli(*args)
        assert result.exit_code == 66, args
        assert "no bank 'Nope'" in result.stderr, args
        assert "Traceback" not in result.output


def test_bank_create_rejects_bad_marking_threshold_and_duplicates(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    assert cli("bank", "create", "B", "--tlp", "purple").exit_code == 65
    assert cli("bank", "create", "B", "--threshold", "pdq").exit_code == 65
    assert cli("bank", "create", "B", "--threshold", "pdq=500").exit_code == 65
    cli.ok("bank", "create", "B", "--threshold", "pdq=20", "--negative")
    assert cli("bank", "create", "B").exit_code == 75
    shown = json.loads(cli.ok("bank", "show", "B", "--json").stdout)
    assert shown["thresholds"] == {"pdq": 20.0} and shown["negative"] is True


def test_bank_share_makes_an_amber_bank_visible_to_the_partner(cli: Cli) -> None:
    cli.ok("org", "create", "hub")
    cli.ok("org", "create", "partner")
    cli.ok("bank", "create", "Shared", "--tlp", "AMBER")
    before = json.loads(cli.ok("bank", "list", "--org", "partner", "--json").stdout)
    assert before == []
    cli.ok("bank", "share", "Shared", "--with-org", "partner")
    after = json.loads(cli.ok("bank", "list", "--org", "partner", "--json").stdout)
    assert [(b["name"], b["owner"], b["access"]) for b in after] == [("Shared", "hub", "see")]
    assert cli("bank", "share", "Shared", "--with-org", "ghost").exit_code == 66
    assert cli("bank", "share", "Shared").exit_code == 65  # neither an organization nor a group
    cli.ok("bank", "share", "Shared", "--with-org", "partner", "--unshare")
    assert json.loads(cli.ok("bank", "list", "--org", "partner", "--json").stdout) == []


def test_bank_add_content_banks_a_photo_with_its_derived_hashes(cli: Cli, tmp_path: Path) -> None:
    real = Path(__file__).resolve().parents[1] / "data" / "pdq" / "q0122.jpg"
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Photos")
    rows = json.loads(cli.ok("bank", "add-content", "Photos", str(real), "--label", "case-7", "--json").stdout)
    assert sum(not r["derived"] for r in rows) == 3  # md5, sha256, pdq
    assert {r["edit"] for r in rows if r["derived"]} >= {"crop_10pct", "rotate_plus3", "mirror"}
    shown = json.loads(cli.ok("bank", "show", "Photos", "--json").stdout)
    assert shown["signal_counts"] == {"md5": 1, "sha256": 1, "pdq": len(rows) - 2}
    # A missing file and an empty one are clear errors, not tracebacks.
    for path, code in ((tmp_path / "nope.jpg", 66), (tmp_path / "empty.jpg", 65)):
        if path.name == "empty.jpg":
            path.write_bytes(b"")
        result = cli("bank", "add-content", "Photos", str(path))
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output


def test_revalidate_brings_values_stored_under_older_rules_to_todays_form(cli: Cli) -> None:
    """URL values banked before the site rules (mixed-case Telegram names, youtu.be forms, a whole-site prefix)
    are rewritten, merged or disabled; afterwards the query forms match them, and every index followed."""
    from sqlalchemy import insert, select

    from basira.core.models import Entry, Signal

    cli.ok("org", "create", "acme", "--name", "Acme")
    cli.ok("bank", "create", "links", "--org", "acme")
    inst = cli.instance()
    with inst.db.session() as s:
        [entry_a, entry_b] = s.execute(insert(Entry).returning(Entry.id), [
            {"bank_id": 1, "ref": "a", "content_type": "url", "attributes": {}},
            {"bank_id": 1, "ref": "b", "content_type": "url", "attributes": {}}]).scalars().all()
        old = [(entry_a, "url", "https://t.me/SomeChannel/123"), (entry_a, "url", "https://t.me/somechannel/123"),
               (entry_b, "url", "https://youtu.be/abcdefghijk?t=30s"), (entry_b, "url_prefix", "https://youtube.com/")]
        s.execute(insert(Signal), [{"entry_id": e, "bank_id": 1, "signal_type": t, "value": v, "labels": [str(n)]}
                                   for n, (e, t, v) in enumerate(old)])
    before = cli.ok("match", "--url", "https://youtu.be/abcdefghijk", "--org", "acme", "--no-store", "--json")
    assert '"matched": 0' in before.output
    dry = cli.ok("bank", "revalidate", "--type", "url", "--type", "url_prefix", "--dry-run")
    assert "url: 3 checked, 1 rewritten, 1 merged, 0 disabled (dry run" in dry.output
    done = cli.ok("bank", "revalidate", "--type", "url", "--type", "url_prefix")
    assert "url_prefix: 1 checked, 0 rewritten, 0 merged, 1 disabled" in done.output
    with inst.db.session() as s:
        live = sorted(s.execute(select(Signal.signal_type, Signal.value, Signal.labels)
                                .where(Signal.enabled.is_(True))).all())
    assert live == [("url", "https://t.me/somechannel/123", ["0", "1"]),
                    ("url", "https://youtube.com/watch?v=abcdefghijk", ["2"])]
    # The index the first match built followed the change log: the youtu.be form now matches.
    after = cli.ok("match", "--url", "https://youtu.be/abcdefghijk", "--org", "acme", "--no-store", "--json")
    assert '"matched": 1' in after.output
    assert cli("bank", "revalidate", "--type", "nosuchtype").exit_code != 0
    cli.ok("audit", "verify")
