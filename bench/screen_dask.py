"""``basira screen`` of a generated customer file on Dask with 1 and 2 worker processes (rows/s, ratio 2 vs 1).

The customers are generated from a fixed seed and cached under ``.bench-cache/``: names in Latin, Arabic and
Cyrillic script built from common given and family names (tests/data/finance/negative_names*.txt and a short list of
Russian names written for this benchmark), with every 100th row a listed spelling (the spelling-variant queries of
tests/data/finance/name_variants.tsv and the listed names of bench/screening_data.py) so that hits are recorded as
cases; a third of the rows carry a birth year and a nationality. The lists are the UN consolidated list
(/work/shared/data/sanctions). Each measurement is a fresh SQLite database in a temporary folder, the list imported
and its name index built before the clock starts, then :func:`basira.finance.batch.run_screen` on a new
``LocalCluster`` (start-up not timed), results to Parquet, hits recorded and customers kept for monitoring (what an
overnight screening does). Worker counts alternate within each pass (1, 2, 1, 2, ...).

    .venv/bin/python bench/screen_dask.py [--customers 1000000] [--workers 1,2] [--passes 1] [--chunk 2000]
        [--seconds S]

``--seconds`` stops a measurement after S seconds and reports the rows recorded by then per second (the run is
then cut short, and said so), for files too long for the machine's time.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from pathlib import Path

from distributed import Client, LocalCluster

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from basira.finance import screening
from basira.finance.batch import run_screen
from basira.finance.lists.store import ImportRequest, import_list
from common import report
from screening_data import LISTED_SPELLINGS

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "finance"
UN = Path("/work/shared/data/sanctions/un_consolidated.xml")
CYRILLIC_GIVEN = ["Иван", "Алексей", "Мария", "Ольга", "Дмитрий", "Наталья", "Сергей", "Екатерина", "Андрей", "Анна"]
CYRILLIC_FAMILY = ["Петров", "Смирнов", "Кузнецова", "Попов", "Васильева", "Соколов", "Морозов", "Новикова",
                   "Волков", "Лебедев"]
COUNTRIES = ["Jordan", "France", "Morocco", "Egypt", "Russia", "Germany", "Iraq", "Lebanon", "Tunisia", "Qatar"]


def _names(path: Path) -> list[str]:
    return [s for s in (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
            if s and not s.startswith("#")]


def customers(n: int) -> Path:
    """The customer file of ``n`` rows (generated once, seed 20261206)."""
    path = REPO / ".bench-cache" / f"customers-{n}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261206)
    plain = [n for f in ("negative_names.txt", "negative_names_final.txt", "negative_names_fresh.txt")
             for n in _names(DATA / f)]
    plain += [f"{g} {f}" for g in CYRILLIC_GIVEN for f in CYRILLIC_FAMILY]
    listed = [line.split("\t")[0] for line in _names(DATA / "name_variants.tsv")] + list(LISTED_SPELLINGS)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "birth_date", "nationality"])
        for i in range(n):
            name = rng.choice(listed) if i % 100 == 0 else rng.choice(plain)
            extra = i % 3 == 0
            w.writerow([f"cust-{i:07d}", name, str(rng.randint(1940, 2004)) if extra else "",
                        rng.choice(COUNTRIES) if extra else ""])
    partial.replace(path)
    return path


class _Stop(Exception):
    pass


def measure(file: Path, workers: int, chunk: int, tmp: Path, seconds: float | None) -> tuple[float, int, int]:
    """rows/s of one screening of ``file`` on a new local cluster of ``workers`` processes; also the rows with
    hits (-1 when cut short) and the rows screened."""
    folder = Path(tempfile.mkdtemp(dir=tmp))
    inst = Instance(load_settings(environ={}, data_dir=folder / "data", worker_interval_s=0))
    try:
        with inst.db.session() as s:
            org = orgs.create_org(s, "bench", "bench", "Bench", operator=True)
            admin = system_principal(org.id, actor="bench")
            import_list(s, admin, inst.registry, ImportRequest("un", UN))
        screening.keep_indexes_in(inst.settings.data_dir / "name-index", inst.secret_key)
        with inst.db.session() as s:  # the index is built and saved before the clock starts
            for b, _, _ in screening.lists_in_force(s, admin, screening.current_settings(s, admin.org_id), None):
                screening.bank_index(s, b.id)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        try:
            client.run(lambda: __import__("basira.finance.batch"))  # worker start-up is not part of the figure
            rows = [0]

            def stop_at_limit(done: int, total: int) -> None:
                rows[0] = done
                if seconds is not None and time.perf_counter() - started > seconds:
                    raise _Stop

            started = time.perf_counter()
            try:
                got = run_screen(inst, admin, file, screening.ScreenOptions(), out_dir=folder / "out",
                                 chunk_size=chunk, client=client, on_rows=stop_at_limit)
            except _Stop:
                elapsed = time.perf_counter() - started
                print(f"  stopped after {elapsed:.0f} s: {rows[0]} rows recorded", flush=True)
                return rows[0] / elapsed, -1, rows[0]
            elapsed = time.perf_counter() - started
        finally:
            client.close()
            cluster.close()
            screening.keep_indexes_in(None)
    finally:
        inst.close()
    assert got.error_count == 0, got.errors[:3]
    return got.screened / elapsed, got.matched, got.screened


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=None)
    args = ap.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    file = customers(args.customers)
    rates: dict[int, list[float]] = {w: [] for w in counts}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.passes):
            for w in counts:
                rate, matched, screened = measure(file, w, args.chunk, Path(tmp), args.seconds)
                rates[w].append(rate)
                print(f"pass {n + 1}: {w} worker(s) {rate:.0f} rows/s ({screened} screened, {matched} with hits)",
                      flush=True)
    base = statistics.median(rates[counts[0]])
    for w in counts:
        report(f"screen, {w} worker(s)", statistics.median(rates[w]), "rows/s", base if w != counts[0] else None,
               note=f"{args.customers} generated customers, UN list, ratio against {counts[0]} worker(s)")


if __name__ == "__main__":
    main()
