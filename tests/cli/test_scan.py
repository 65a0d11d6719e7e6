"""``basira scan`` on real Dask clusters: a folder scanned and matched, an interrupted scan resumed without doing a
chunk twice, a worker process killed mid-scan without losing or doubling an item, and bad sources refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from distributed import Client
from sqlalchemy import func, select
from tests.cli.conftest import Cli
from tests.dask_clusters import processes
from tests.factories import make_bank

from basira.core.instance import Instance
from basira.core.models import Item, ScanChunk
from basira.core.principal import Principal
from basira.core.scan import read_source, run_scan


def _files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"{i // 10:02d}" / f"file-{i:03d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(hashlib.sha256(f"catalogue {i}".encode()).digest() * 8)
        out.append(path)
    return out


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _items(instance: Instance) -> list[str]:
    with instance.db.session() as s:
        return list(s.scalars(select(Item.ref)))


def test_scan_a_folder_on_a_scheduler_matches_and_writes_parquet(cli: Cli, threads: Client, tmp_path: Path) -> None:
    files = _files(tmp_path / "catalogue", 25)
    cli.ok("org", "create", "acme", "--name", "Acme")
    inst = cli.instance()
    from basira.core import orgs
    from basira.core.principal import system_principal

    with inst.db.session() as s:
        org_id = orgs.get_org(s, "acme").id
    make_bank(inst, system_principal(org_id, actor="t"), "known", [_md5(files[3]), _md5(files[17])])
    done = cli("scan", str(tmp_path / "catalogue"), "--org", "acme", "--out", str(tmp_path / "out"),
               "--scheduler", threads.scheduler.address, "--chunk", "4", "--json")
    assert done.exit_code == 0, done.output
    assert '"scanned": 25' in done.output and '"matched": 2' in done.output and '"chunks": 7' in done.output
    table = pq.read_table(tmp_path / "out")
    rows = table.to_pylist()
    assert sorted(r["path"] for r in rows) == sorted(str(f) for f in files)
    assert {Path(r["path"]).name for r in rows if r["matched"]} == {files[3].name, files[17].name}
    assert sorted(_items(inst)) == sorted(str(f) for f in files)


def test_an_interrupted_scan_resumes_without_doing_a_chunk_twice(instance: Instance, admin: Principal,
                                                               threads: Client, tmp_path: Path) -> None:
    files = _files(tmp_path / "c", 30)
    calls = []

    def stop_after_two(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:  # the first call reports what was already done
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scan(instance, admin, tmp_path / "c", chunk_size=3, client=threads, on_chunk=stop_after_two,
                 out_dir=tmp_path / "out")
    half = _items(instance)
    assert 0 < len(half) < 30
    report = run_scan(instance, admin, tmp_path / "c", chunk_size=3, client=threads, out_dir=tmp_path / "out")
    assert report.resumed_chunks == len(half) // 3 and report.items == 30 - len(half)
    assert sorted(_items(instance)) == sorted(str(f) for f in files)  # each once
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ScanChunk)) == 10
    assert sorted(r["path"] for r in pq.read_table(tmp_path / "out").to_pylist()) == sorted(str(f) for f in files)
    again = run_scan(instance, admin, tmp_path / "c", chunk_size=3, client=threads)
    assert again.run_id != report.run_id and again.items == 30  # a finished scan is not resumed: a new run


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_worker_killed_mid_scan_loses_and_doubles_nothing(instance: Instance, admin: Principal,
                                                           tmp_path: Path) -> None:
    files = _files(tmp_path / "k", 40)
    with processes(2) as (client, killer):
        report = run_scan(instance, admin, tmp_path / "k", chunk_size=2, client=client, on_chunk=killer)
    assert killer.killed and report.items == 40
    assert sorted(_items(instance)) == sorted(str(f) for f in files)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(("name", "content", "message"), [
    ("list.txt", "https://example.org/a.jpg\n", "is a URL"),
    ("m.csv", "file\nx.jpg\n", "needs a 'path' column"),
    ("list.txt", "\n# nothing\n", "names no file"),
    ("bad.txt", b"\xff\xfe\n", "not UTF-8"),
])
def test_bad_sources_are_refused_with_the_reason(cli: Cli, tmp_path: Path, name: str, content: str | bytes,
                                                 message: str) -> None:
    source = tmp_path / name
    source.write_bytes(content if isinstance(content, bytes) else content.encode())
    cli.ok("org", "create", "acme", "--name", "Acme")
    result = cli("scan", str(source), "--org", "acme", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code != 0 and message in result.output, result.output


def test_a_parquet_manifest_and_a_list_name_the_same_files(tmp_path: Path) -> None:
    import pyarrow as pa

    files = _files(tmp_path / "m", 5)
    pq.write_table(pa.table({"path": [f.name for f in files[:2]] + [str(f) for f in files[2:]]}),
                   tmp_path / "m" / "00" / "manifest.parquet")
    (tmp_path / "list.txt").write_text("\n".join(str(f) for f in files) + "\n")
    assert read_source(tmp_path / "m" / "00" / "manifest.parquet").paths == [str(f) for f in files]
    assert read_source(tmp_path / "list.txt").paths == [str(f) for f in files]
