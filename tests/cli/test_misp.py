"""``basira misp``: a bank written as a feed and read back through the command line, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "misp_feed"


def test_export_then_import_through_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Source", "--tlp", "green")
    cli.ok("bank", "create", "Copy", "--tlp", "green")
    cli.ok("misp", "import", str(FIXTURE), "--bank", "Source")
    exported = cli.ok("misp", "export", "Source", str(tmp_path / "feed"))
    assert "TLP:GREEN" in exported.stdout and "5 attributes and 1 objects" in exported.stdout
    report = json.loads(cli.ok("misp", "import", str(tmp_path / "feed"), "--bank", "Copy", "--json").stdout)
    assert (report["added"], report["rejected"]) == (6, 0)
    again = cli.ok("misp", "import", str(tmp_path / "feed"), "--bank", "Copy")
    assert "0 signals added, 0 disabled, 6 unchanged" in again.stdout


def test_a_red_bank_is_refused_with_a_message_and_the_permission_exit_code(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Secret", "--tlp", "red")
    result = cli("misp", "export", "Secret", str(tmp_path / "feed"))
    assert result.exit_code == 77
    assert "never exported" in result.stderr


def test_a_malformed_feed_is_refused_with_the_input_exit_code(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Target", "--tlp", "clear")
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "manifest.json").write_text("{not json")
    result = cli("misp", "import", str(tmp_path / "feed"), "--bank", "Target")
    assert result.exit_code == 65
    assert "not a MISP feed" in result.stderr


def test_a_feed_file_over_the_limit_is_refused(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "Target", "--tlp", "clear")
    result = cli("misp", "import", str(FIXTURE), "--bank", "Target", "--max-bytes", "100")
    assert result.exit_code == 65
    assert "over the limit of 100 bytes" in result.stderr
