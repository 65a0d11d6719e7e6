"""``basira screen`` on real Dask clusters: a customer file screened chunk by chunk with results in Parquet and the
database, bad rows reported by line, an interrupted screening resumed without a row done twice or skipped, and a
worker process killed mid-run without losing or doubling a row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client
from sqlalchemy import func, select
from tests.cli.conftest import Cli
from tests.dask_clusters import processes

from basira.core.errors import DiskFull
from basira.core.instance import Instance
from basira.core.models import Item, Match, ScanChunk
from basira.core.principal import Principal
from basira.finance import screening
from basira.finance.batch import run_screen, summary_rows
from basira.finance.models import Customer

SLICE = Path(__file__).parents[1] / "data" / "finance" / "un_slice.xml"
ARABIC = "إبراهيم عواد إبراهيم علي البدري السامرائي"
FIRST = ["Maria", "John", "Fatima", "Pierre", "Olga", "Kenji", "Amina", "Lucas", "Sofia", "Noah"]
LAST = ["Lindqvist", "Okafor", "Moreau", "Tanaka", "Novak", "Fernandes", "Kowalski", "Brennan", "Haugen"]


def _customers(path: Path, n: int, *, listed_every: int = 7, bad: dict[int, str] | None = None) -> dict[str, str]:
    """``n`` customers, every ``listed_every``-th the listed person (Arabic script), ``bad`` rows replaced by the
    given raw lines; the ids of the good rows and their names."""
    lines = ["id,name,birth_date,nationality"]
    good: dict[str, str] = {}
    for i in range(n):
        if bad and i in bad:
            lines.append(bad[i])
            continue
        name = ARABIC if i % listed_every == 0 else f"{FIRST[i % 10]} {LAST[(i // 10) % 9]}"
        lines.append(f"c{i},{name},{'1971' if i % listed_every == 0 else ''},")
        good[f"c{i}"] = name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return good


@pytest.fixture
def un(instance: Instance, admin: Principal, tmp_path: Path) -> Iterator[None]:
    from basira.finance.lists.store import ImportRequest, import_list

    with instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("un", SLICE))
    screening.keep_indexes_in(tmp_path / "name-index", "test-key")
    yield
    screening.keep_indexes_in(None)


def _counts(instance: Instance) -> tuple[list[str], int, int]:
    """Customer refs kept for monitoring, screening items and their matches."""
    with instance.db.session() as s:
        refs = list(s.scalars(select(Customer.ref)))
        items = s.scalar(select(func.count()).select_from(Item).where(Item.content_type == "person")) or 0
        matches = s.scalar(select(func.count()).select_from(Match)) or 0
    return refs, int(items), int(matches)


def _check_once(instance: Instance, out: Path, good: dict[str, str], rows: int) -> list[dict[str, Any]]:
    """Every line of the file once in the Parquet parts, every good customer once in the database, a case item
    for each row with hits and none else."""
    results = list(summary_rows(out))
    assert sorted(r["line"] for r in results) == list(range(2, rows + 2))
    refs, items, _ = _counts(instance)
    assert sorted(refs) == sorted(good)
    hit_rows = [r for r in results if r["status"] == "matched"]
    assert items == len(hit_rows) and hit_rows
    return results


def test_cli_screens_a_file_on_a_scheduler_with_bad_rows_by_line(cli: Cli, threads: Client, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("lists", "import", "un", str(SLICE))
    customers = tmp_path / "customers.csv"
    good = _customers(customers, 30, bad={4: "c4,Someone,1961-13-45,", 11: "c11,Too,Many,Fields,Here"})
    result = cli("screen", str(customers), "--scheduler", threads.scheduler.address, "--out",
                 str(tmp_path / "out"), "--chunk", "4")
    assert result.exit_code == 65, result.output
    assert "line 6: birth date '1961-13-45' is not a valid date" in result.output
    assert "line 13: 5 fields where the header has 4" in result.output
    assert "28 customers screened" in result.output
    results = _check_once(cli.instance(), tmp_path / "out", good, 30)
    by_id = {r["id"]: r for r in results}
    assert by_id["c0"]["entry_ref"] == "QDi.299" and by_id["c0"]["list_version"] == "2026-02-27"
    assert by_id["c1"]["status"] == "no match"
    assert {r["line"] for r in results if r["status"] == "error"} == {6, 13}
    # The same file again: a finished run is not resumed, a new one screens everything.
    again = cli("screen", str(customers), "--scheduler", threads.scheduler.address, "--json", "--no-record",
                "--no-monitor")
    assert again.exit_code == 65 and '"screened": 28' in again.stdout and '"resumed_chunks": 0' in again.stdout


@pytest.mark.parametrize("backend", ["sqlite"])
def test_cli_starts_its_own_local_cluster_of_worker_processes(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("lists", "import", "un", str(SLICE))
    customers = tmp_path / "customers.csv"
    good = _customers(customers, 9)
    done = cli.ok("screen", str(customers), "--workers", "2", "--out", str(tmp_path / "out"), "--chunk", "2",
                  "--json")
    assert '"screened": 9' in done.stdout and '"chunks": 5' in done.stdout and '"errors": 0' in done.stdout
    _check_once(cli.instance(), tmp_path / "out", good, 9)


def test_cli_refuses_what_dask_cannot_do(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    customers = tmp_path / "c.csv"
    _customers(customers, 3)
    for args, message in ((["-", "--workers", "2"], "reads a file"),
                          ([str(customers), "--workers", "1", "--strict"], "--strict"),
                          ([str(customers), "--workers", "1", "-o", str(tmp_path / "x.csv")], "--output"),
                          ([str(customers), "--scheduler", "localhost:1"], "tcp://host:8786")):
        result = cli("screen", *args)
        assert result.exit_code == 65 and message in result.output, result.output
    (tmp_path / "h.csv").write_text("name,surname\nA,B\n")
    result = cli("screen", str(tmp_path / "h.csv"), "--workers", "1")
    assert result.exit_code == 65 and "needs a header with id" in result.output


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_interrupted_screening_resumes_without_a_row_twice(instance: Instance, admin: Principal, un: None,
                                                             threads: Client, tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    good = _customers(customers, 40)
    options = screening.ScreenOptions()
    calls: list[int] = []

    def stop_after_two(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:  # the first call reports what was already done
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_screen(instance, admin, customers, options, out_dir=tmp_path / "out", chunk_size=3, client=threads,
                   on_rows=stop_after_two, in_flight=2)
    half, _, _ = _counts(instance)
    assert 0 < len(half) < 40
    report = run_screen(instance, admin, customers, options, out_dir=tmp_path / "out", chunk_size=3,
                        client=threads)
    assert report.resumed_chunks == len(half) // 3 and report.screened == 40 - len(half)
    assert report.chunks == 14
    _check_once(instance, tmp_path / "out", good, 40)
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ScanChunk)) == 14


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_worker_killed_mid_screening_loses_and_doubles_nothing(instance: Instance, admin: Principal, un: None,
                                                                 tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    good = _customers(customers, 60, listed_every=5)
    with processes(3) as (client, killer):
        report = run_screen(instance, admin, customers, screening.ScreenOptions(), out_dir=tmp_path / "out",
                            chunk_size=2, client=client, on_rows=killer)
    assert killer.killed and report.screened == 60 and report.error_count == 0
    results = _check_once(instance, tmp_path / "out", good, 60)
    assert len([r for r in results if r["entry_ref"] == "QDi.299"]) == 12


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_full_disk_stops_the_screening_and_it_resumes(instance: Instance, admin: Principal, un: None,
                                                       threads: Client, tmp_path: Path,
                                                       tiny_disk: tuple[Path, Path]) -> None:
    mount, filler = tiny_disk
    customers = tmp_path / "customers.csv"
    good = _customers(customers, 60)
    out = mount / "results"
    with pytest.raises(DiskFull) as stopped:
        run_screen(instance, admin, customers, screening.ScreenOptions(), out_dir=out, chunk_size=3, client=threads)
    assert "the disk is full" in stopped.value.detail and "the screening stopped" in stopped.value.detail
    with instance.db.session() as s:
        recorded = s.scalar(select(func.count()).select_from(ScanChunk)) or 0
    assert 0 < recorded < 20 and len(list(out.glob("part-*.parquet"))) == recorded
    assert not list(out.glob("*.partial"))
    refs, _, _ = _counts(instance)
    assert len(refs) == recorded * 3  # the chunk being written was rolled back with its part
    filler.unlink()
    report = run_screen(instance, admin, customers, screening.ScreenOptions(), out_dir=out, chunk_size=3,
                        client=threads)
    assert report.resumed_chunks == recorded and report.screened == 60 - recorded * 3
    _check_once(instance, out, good, 60)
