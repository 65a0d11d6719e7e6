"""``basira backup`` / ``basira restore``: the demo instance backed up on one backend and restored onto the other,
the same rows and a verifying audit chain; damaged or foreign files refused with nothing written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.cli.conftest import Cli
from tests.conftest import empty_database

from basira.core.db import load_models, make_engine, migrate
from basira.core.models import Bank, Base


def _counts(url: str) -> dict[str, int]:
    load_models()
    engine = make_engine(url)
    with engine.connect() as c:
        out = {t.name: int(c.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables}
    engine.dispose()
    return out


def _target(cli: Cli, url: str) -> Cli:
    return Cli({**cli.env, "BASIRA_DATABASE_URL": url}, cli.data_dir)


def test_the_demo_backed_up_on_one_backend_restores_on_the_other(cli: Cli, backend: str, tmp_path: Path) -> None:
    cli.ok("demo")
    file = tmp_path / "basira-backup.zip"
    done = cli.ok("backup", str(file))
    assert "not in the backup" in done.output  # the key files are left out unless asked for
    assert file.stat().st_mode & 0o077 == 0
    before = _counts(cli.env["BASIRA_DATABASE_URL"])
    assert before["review_cases"] == 4 and before["drone_frames"] > 0 and before["audit_entries"] > 0
    other = "postgres" if backend == "sqlite" else "sqlite"
    with empty_database(other, tmp_path / "other") as url:
        target = _target(cli, url)
        restored = target.ok("restore", str(file))
        assert "audit chains verify" in restored.output
        after = _counts(url)
        # The same rows everywhere. The audit log differs by one entry each way: the backup's entry was written after
        # the file (so it is not in it), and the restore wrote its own.
        assert after == before
        target.ok("audit", "verify")
        # Ids go on from the restored ones (PostgreSQL's sequences were moved past them).
        target.ok("bank", "create", "after-restore", "--org", "demo")
        engine = make_engine(url)
        with engine.connect() as c:
            assert c.scalar(select(func.max(Bank.id))) == before["banks"] + 1
        engine.dispose()
        # Once restored, the database is no longer empty: a second restore is refused.
        again = target("restore", str(file))
        assert again.exit_code != 0 and "not empty" in again.output


def _tamper(file: Path, out: Path, change: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(file) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    dst.writestr(info.filename, change[info.filename])  # type: ignore[arg-type]
            else:
                dst.writestr(info.filename, src.read(info))
    return out


@pytest.mark.parametrize("backend", ["sqlite"])  # the file is the same whatever the backend that wrote it
@pytest.mark.parametrize("damage", ["not a zip", "no manifest", "foreign manifest", "edited row", "cut line",
                                    "unknown column", "other schema", "existing file"])
def test_damaged_or_foreign_backups_are_refused_and_nothing_is_written(cli: Cli, tmp_path: Path,
                                                                      damage: str) -> None:
    cli.ok("org", "create", "acme", "--name", "Acme")
    cli.ok("bank", "create", "hashes", "--org", "acme")
    file = tmp_path / "b.zip"
    cli.ok("backup", str(file))
    with zipfile.ZipFile(file) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        banks = zf.read("tables/banks.jsonl")
    bad = tmp_path / "bad.zip"
    if damage == "not a zip":
        bad.write_bytes(b"PK\x03\x04 not really")
    elif damage == "no manifest":
        _tamper(file, bad, {"manifest.json": None})
    elif damage == "foreign manifest":
        _tamper(file, bad, {"manifest.json": json.dumps({"format": "other"}).encode()})
    elif damage == "edited row":
        _tamper(file, bad, {"tables/banks.jsonl": banks.replace(b'"hashes"', b'"hashez"')})
    elif damage == "cut line":
        _tamper(file, bad, {"tables/banks.jsonl": banks.rstrip(b"\n")[:-3]})
    elif damage == "unknown column":
        _tamper(file, bad, {"tables/banks.jsonl": banks.replace(b'{"id"', b'{"evil":1,"id"', 1)})
    elif damage == "other schema":
        _tamper(file, bad, {"manifest.json": json.dumps({**manifest, "heads": ["9999"]}).encode()})
    else:
        again = cli("backup", str(file))
        assert again.exit_code != 0 and "exists" in again.output
        return
    with empty_database("sqlite", tmp_path / "t") as url:
        migrate(make_engine(url))
        result = _target(cli, url)("restore", str(bad))
        assert result.exit_code != 0 and "Error:" in result.output, result.output
        assert sum(n for name, n in _counts(url).items() if name != "audit_entries" and name != "audit_heads") == 0
