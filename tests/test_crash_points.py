"""Crash points (issue 21): ``kill -9`` in the middle of a bank import and of a list update; on restart the
database is consistent (all or nothing), nothing is half imported, and every audit chain verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from basira.core import audit, banks, orgs
from basira.core.instance import Instance
from basira.core.models import Entry, Signal
from basira.core.principal import system_principal
from basira.core.settings import load_settings

ROWS = 4_000


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "BASIRA_DATA_DIR": str(tmp_path / "data"), "BASIRA_SECRET_KEY": "crash",
            "BASIRA_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'basira.db'}", "BASIRA_WORKER_INTERVAL_S": "0"}


def _basira(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from basira.cli.main import main; main()", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_while_writing(proc: subprocess.Popen[bytes], db: Path, timeout: float = 60.0) -> bool:
    """SIGKILL ``proc`` once it has started writing (the SQLite log grows); whether it was still running."""
    wal = db.with_name(db.name + "-wal")
    start = wal.stat().st_size if wal.exists() else 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > start + 32 * 1024:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    proc.wait()
    return False


def _check(tmp_path: Path, model: type[Signal] | type[Entry], allowed: set[int]) -> None:
    inst = Instance(load_settings(environ=_env(tmp_path)))
    try:
        with inst.db.session() as s:
            assert int(s.scalar(select(func.count()).select_from(model)) or 0) in allowed
            assert all(r.ok for r in audit.verify(s)), [r.problems for r in audit.verify(s)]
    finally:
        inst.close()


@pytest.mark.parametrize("point", ["bank import", "list update"])
def test_kill_9_leaves_nothing_half_written(tmp_path: Path, point: str) -> None:
    env = _env(tmp_path)
    inst = Instance(load_settings(environ=env))
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "acme", operator=True)
        banks.create_bank(s, system_principal(org.id), inst.registry, banks.BankSpec(name="B"))
    inst.close()
    db = tmp_path / "data" / "basira.db"
    if point == "bank import":
        data = tmp_path / "signals.csv"
        data.write_text("signal_type,signal_value\n" + "".join(f"md5,{n:032x}\n" for n in range(ROWS)))
        proc = _basira(env, "bank", "import", "B", str(data))
        model: type[Signal] | type[Entry] = Signal
    else:
        data = tmp_path / "list.csv"
        data.write_text("ref,name\n" + "".join(f"R{n},Person Number {n}\n" for n in range(ROWS)))
        proc = _basira(env, "lists", "import", "csv", str(data), "--bank", "L", "--no-monitor")
        model = Entry
    killed = _kill_while_writing(proc, db)
    assert killed, "the import ended before it could be killed: make it larger"
    _check(tmp_path, model, {0})
