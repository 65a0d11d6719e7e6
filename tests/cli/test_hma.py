"""``basira hma import``: an HMA export into a bank through the command line, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli

PDQ = "f" * 16 + "0" * 16 + "a5" * 16
MD5 = "9e107d9d372bb6826bd81d3542a419d6"


def test_a_signal_file_is_imported_then_reimported_without_change(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "From HMA")
    export = tmp_path / "hma.txt"
    export.write_text(f"pdq {PDQ}\nvideo_md5 {MD5}\ntmk 1,2\n")
    first = cli.ok("hma", "import", str(export), "--bank", "From HMA")
    assert "2 signals added" in first.stdout and "1 tmk" in first.stdout
    again = json.loads(cli.ok("hma", "import", str(export), "--bank", "From HMA", "--json").stdout)
    assert (again["added"], again["unchanged"]) == (0, 2)


def test_a_malformed_export_exits_with_the_input_code(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("bank", "create", "From HMA")
    export = tmp_path / "hma.json"
    export.write_text('[{"id": 1, "signals": ')
    result = cli("hma", "import", str(export), "--bank", "From HMA")
    assert result.exit_code == 65 and "not JSON" in result.stderr


def test_a_missing_file_or_bank_is_reported(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    assert cli("hma", "import", str(tmp_path / "nothing.txt"), "--bank", "X").exit_code == 66
    export = tmp_path / "hma.txt"
    export.write_text(f"pdq {PDQ}\n")
    result = cli("hma", "import", str(export), "--bank", "No such bank")
    assert result.exit_code == 66 and "no bank" in result.stderr
