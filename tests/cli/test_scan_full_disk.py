"""A disk that fills up during ``basira scan``: a real tmpfs of a few pages as the results folder. The scan stops
with a clear message and no traceback, the chunks recorded before are kept (and no half-written part is left),
and the same command resumes once there is space again: every file once, nothing skipped."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from distributed import Client
from sqlalchemy import func, select
from tests.cli.conftest import Cli

from basira.core.errors import DiskFull
from basira.core.instance import Instance
from basira.core.models import Item, ScanChunk
from basira.core.principal import Principal
from basira.core.scan import run_scan

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def _files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"file-{i:03d}.bin"
        path.write_bytes(hashlib.sha256(f"catalogue {i}".encode()).digest() * 8)
        out.append(path)
    return out


def _items(instance: Instance) -> list[str]:
    with instance.db.session() as s:
        return list(s.scalars(select(Item.ref)))


def test_a_full_disk_stops_the_scan_keeps_the_checkpoint_and_resumes(instance: Instance, admin: Principal,
                                                                     threads: Client, tmp_path: Path,
                                                                     tiny_disk: tuple[Path, Path]) -> None:
    mount, filler = tiny_disk
    files = _files(tmp_path / "c", 60)
    out = mount / "results"
    with pytest.raises(DiskFull) as stopped:
        run_scan(instance, admin, tmp_path / "c", chunk_size=3, client=threads, out_dir=out)
    assert "the disk is full" in stopped.value.detail and "run the same command again" in stopped.value.detail
    with instance.db.session() as s:
        recorded = s.scalar(select(func.count()).select_from(ScanChunk)) or 0
    parts = sorted(out.glob("part-*.parquet"))
    assert 0 < recorded < 20 and len(parts) == recorded  # each recorded chunk has its part, none more
    assert not list(out.glob("*.partial"))  # the write cut short left nothing behind
    assert len(_items(instance)) == recorded * 3
    filler.unlink()
    report = run_scan(instance, admin, tmp_path / "c", chunk_size=3, client=threads, out_dir=out)
    assert report.resumed_chunks == recorded and report.items == 60 - recorded * 3
    assert sorted(_items(instance)) == sorted(str(f) for f in files)  # each once, none skipped
    assert sorted(r["path"] for r in pq.read_table(out).to_pylist()) == sorted(str(f) for f in files)


def test_the_command_says_the_disk_is_full_without_a_traceback(cli: Cli, threads: Client, tmp_path: Path,
                                                              tiny_disk: tuple[Path, Path]) -> None:
    mount, filler = tiny_disk
    _files(tmp_path / "c", 60)
    cli.ok("org", "create", "acme")
    args = ("scan", str(tmp_path / "c"), "--out", str(mount / "results"), "--scheduler", threads.scheduler.address,
            "--chunk", "3")
    result = cli(*args)
    assert result.exit_code == 74, result.output
    assert "the disk is full" in result.output and "Traceback" not in result.output
    filler.unlink()
    again = cli.ok(*args, "--json")
    assert '"resumed_chunks": 0' not in again.stdout and '"files": 60' in again.stdout
