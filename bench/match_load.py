"""The match API under load: lookups (``store=false``) and storing matches, on ``basira serve --workers N``.

A bank of ``--signals`` sha256 and as many PDQ values (bulk-inserted: set-up, not measured) is served by
``basira serve --workers N`` on loopback; a load generator (asyncio + httpx, ``--clients`` connections, in this
process, on the same machine) sends ``POST /v1/match`` with one sha256 and one PDQ per request: half exact hits, a
quarter PDQ values 8 bits from a bank value, a quarter misses. Three modes, interleaved round by round for
``--seconds`` each: ``GET /v1/health`` (the server's ceiling: routing, auth-free, one SELECT 1), lookups, storing
matches. Reports requests/s, p50/p99 latency and errors per mode (median over rounds), with lookups against the
health ceiling and storing against lookups; and the server processes' RSS at the start and the end.

PostgreSQL by default (a fresh database on ``BASIRA_BENCH_POSTGRES``, dropped at the end); ``--database sqlite``.

``--compare-grouping``: a second ``basira serve`` on the same database with ``BASIRA_MATCH_BATCH_ITEMS=0`` (each
storing match in its own transaction, as before :mod:`basira.core.match_writer`); each round then also sends
storing matches to it, right before those to the grouped server, and the report gives grouped against single.
``--import-rows N``: a bank import of N rows (CSV through ``POST /v1/banks/{bank}/import``) beside every storing
round; its time and HTTP status are printed (on SQLite: does anything fail with "database is locked"?).

    .venv/bin/python bench/match_load.py [--signals 100000] [--workers 2] [--clients 16] [--seconds 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.models import Entry, Signal
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from common import report

PG = os.environ.get("BASIRA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SCRIPT = Path(sys.executable).parent / "basira"


def _hex(rng: random.Random, nbytes: int) -> str:
    return rng.randbytes(nbytes).hex()


def _flip(value: str, bits: int, rng: random.Random) -> str:
    n = int(value, 16)
    for b in rng.sample(range(256), bits):
        n ^= 1 << b
    return f"{n:064x}"


def _fill(inst: Instance, n: int, rng: random.Random) -> tuple[str, str, list[str], list[str]]:
    with inst.db.session() as s:
        org = orgs.create_org(s, "load", "load", "Load", operator=True)
        admin = system_principal(org.id, actor="bench")
        bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(name="known", tlp="GREEN"))
        key = orgs.create_key(s, admin, org.id, "analyst", "load").secret
        admin_key = orgs.create_key(s, admin, org.id, "admin", "import").secret
        bank_id = bank.id
    shas = [_hex(rng, 32) for _ in range(n)]
    pdqs = [_hex(rng, 32) for _ in range(n)]
    now = dt.datetime.now(dt.UTC)
    for start in range(0, n, 20_000):
        stop = min(n, start + 20_000)
        with inst.db.session() as s:
            s.execute(insert(Entry), [{"bank_id": bank_id, "ref": f"e{i}", "content_type": "photo", "attributes": {},
                                       "created_at": now, "updated_at": now} for i in range(start, stop)])
            ids = dict(s.execute(select(Entry.ref, Entry.id).where(
                Entry.bank_id == bank_id, Entry.ref.in_([f"e{i}" for i in range(start, stop)]))).all())
            rows = []
            for i in range(start, stop):
                for kind, value in (("sha256", shas[i]), ("pdq", pdqs[i])):
                    rows.append({"entry_id": ids[f"e{i}"], "bank_id": bank_id, "signal_type": kind, "value": value,
                                 "labels": [], "provenance": "bench", "enabled": True, "created_at": now,
                                 "updated_at": now})
            s.execute(insert(Signal), rows)
    return key, admin_key, shas, pdqs


def _import(base: str, admin_key: str, rows: int, rng: random.Random, out: list[tuple[float, int]]) -> None:
    """One bank import of ``rows`` new sha256 values into a new bank (what runs beside the storing round)."""
    body = "signal_type,signal_value\n" + "".join(f"sha256,{_hex(rng, 32)}\n" for _ in range(rows))
    started = time.perf_counter()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_key}"}, timeout=600) as client:
        bank = client.post("/v1/banks", json={"name": f"import-{secrets.token_hex(4)}", "tlp": "GREEN"})
        r = client.post(f"/v1/banks/{bank.json()['id']}/import", params={"format": "csv"}, content=body.encode(),
                        headers={"Content-Type": "text/csv"})
    out.append((time.perf_counter() - started, r.status_code))


def _bodies(shas: list[str], pdqs: list[str], rng: random.Random, count: int, store: bool) -> list[dict[str, object]]:
    out = []
    for n in range(count):
        i = rng.randrange(len(shas))
        kind = n % 4
        sha = shas[i] if kind < 2 else _hex(rng, 32)
        pdq = pdqs[i] if kind < 2 else (_flip(pdqs[i], 8, rng) if kind == 2 else _hex(rng, 32))
        out.append({"signals": [{"signal_type": "sha256", "value": sha}, {"signal_type": "pdq", "value": pdq}],
                    "ref": f"load-{n}", "store": store})
    return out


async def _load(base: str, key: str, mode: str, bodies: list[dict[str, object]], clients: int,
                seconds: float) -> tuple[float, float, float, int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        async def one(worker: int) -> None:
            nonlocal errors
            n = worker
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    if mode == "health":
                        r = await client.get("/v1/health")
                    else:
                        r = await client.post("/v1/match", json=bodies[n % len(bodies)])
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)
                n += clients

        started = time.perf_counter()
        await asyncio.gather(*(one(w) for w in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / elapsed, p50, p99, errors


def _serve(procs: list[subprocess.Popen[bytes]], env: dict[str, str], workers: int) -> str:
    """Start ``basira serve`` on a free loopback port (appended to ``procs``); its base URL once it is ready."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = Path(env["BASIRA_DATA_DIR"]).parent / f"serve-{port}.log"
    print(f"basira serve on port {port}, log in {log}", flush=True)
    with log.open("wb") as out:
        procs.append(subprocess.Popen([str(SCRIPT), "serve", "--port", str(port), "--workers", str(workers),
                                       "--log-level", "warning"], env=env, stdout=out, stderr=out))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900  # a loaded machine takes minutes to start the workers
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health/ready", timeout=60):
                return base
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"basira serve did not become ready at {base}")


def _stop(procs: list[subprocess.Popen[bytes]], timeout: float = 120) -> None:
    """End the servers :func:`_serve` started (each given ``timeout`` seconds to write what it queued)."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=timeout)


def _cpu(procs: list[subprocess.Popen[bytes]]) -> tuple[float, float]:
    """CPU seconds used so far by the Basira servers (every process) and by the PostgreSQL server's processes.

    Per request, this is steadier than requests/s on a machine shared with other work: only one mode runs at a
    time, so the difference over a round is that round's cost."""
    def total(ps: list[psutil.Process]) -> float:
        out = 0.0
        for p in ps:
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue
            out += t.user + t.system
        return out

    basira = [psutil.Process(p.pid) for p in procs]
    basira += [c for p in basira for c in p.children(recursive=True)]
    postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "postmaster")]
    return total(basira), total(postgres)


def _rss(proc: subprocess.Popen[bytes]) -> float:
    parent = psutil.Process(proc.pid)
    return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--signals", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    ap.add_argument("--import-rows", type=int, default=0,
                    help="a bank import of this many rows runs beside every storing round (through the API)")
    ap.add_argument("--compare-grouping", action="store_true",
                    help="also serve with BASIRA_MATCH_BATCH_ITEMS=0 and compare storing matches, interleaved")
    args = ap.parse_args()
    rng = random.Random(20)
    tmp = Path(tempfile.mkdtemp(prefix="basira-load-"))
    name = f"basira_load_{secrets.token_hex(4)}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    if args.database == "postgres":
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp / 'data' / 'basira.db'}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        inst = Instance(load_settings(environ={}, data_dir=tmp / "data", database_url=url, worker_interval_s=0))
        key, admin_key, shas, pdqs = _fill(inst, args.signals, rng)
        inst.close()
        env = {**os.environ, "BASIRA_DATA_DIR": str(tmp / "data"), "BASIRA_DATABASE_URL": url,
               "BASIRA_SECRET_KEY": "bench", "BASIRA_MATCH_RATE_PER_KEY": "0", "BASIRA_MATCH_RATE_PER_ORG": "0"}
        bases = {"grouped": _serve(procs, env, args.workers)}
        if args.compare_grouping:
            # Its own data folder (metrics, index files); the same database.
            bases["single"] = _serve(procs, {**env, "BASIRA_MATCH_BATCH_ITEMS": "0",
                                             "BASIRA_DATA_DIR": str(tmp / "data-single")}, args.workers)
        base = bases["grouped"]
        warm = _bodies(shas, pdqs, rng, 200, False)
        for b in bases.values():
            asyncio.run(_load(b, key, "lookup", warm, args.clients, 5))  # every worker builds its indexes
        rss_start = _rss(procs[0])
        lookups, stores = _bodies(shas, pdqs, rng, 5000, False), _bodies(shas, pdqs, rng, 5000, True)
        plan: list[tuple[str, str, str, list[dict[str, object]]]] = [
            ("health", base, "health", lookups), ("lookup", base, "lookup", lookups)]
        if args.compare_grouping:
            plan.append(("store single", bases["single"], "store", stores))
        plan.append(("store", base, "store", stores))
        results: dict[str, list[tuple[float, float, float, int]]] = {label: [] for label, *_ in plan}
        imports: list[tuple[float, int]] = []
        cpu: dict[str, list[tuple[float, float]]] = {label: [] for label, *_ in plan}
        for n in range(args.rounds):
            for label, b, mode, bodies in plan:
                importer = None
                if mode == "store" and args.import_rows:
                    importer = threading.Thread(target=_import, args=(b, admin_key, args.import_rows, rng, imports))
                    importer.start()
                cpu0 = _cpu(procs)
                results[label].append(asyncio.run(_load(b, key, mode, bodies, args.clients, args.seconds)))
                cpu1 = _cpu(procs)
                done = max(1.0, results[label][-1][0] * args.seconds)
                cpu[label].append(((cpu1[0] - cpu0[0]) / done * 1000, (cpu1[1] - cpu0[1]) / done * 1000))
                if importer is not None:
                    importer.join()
                    print(f"  import of {args.import_rows} rows beside it: {imports[-1][0]:.1f} s, HTTP "
                          f"{imports[-1][1]}", flush=True)
                rate, p50, p99, errors = results[label][-1]
                print(f"round {n + 1} {label}: {rate:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                      f"{errors} errors; CPU per request: Basira {cpu[label][-1][0]:.1f} ms, PostgreSQL "
                      f"{cpu[label][-1][1]:.1f} ms", flush=True)
        rss_end = _rss(procs[0])
    finally:
        _stop(procs, timeout=60)
        if args.database == "postgres":
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    def med(mode: str, i: int) -> float:
        return statistics.median(r[i] for r in results[mode])

    setup = (f"{args.database}, {args.workers} workers, {args.clients} clients, bank of {args.signals} sha256 + "
             f"{args.signals} PDQ")
    report("lookups (store=false)", med("lookup", 0), "req/s", med("health", 0), note=f"{setup}; baseline /v1/health")
    report("storing matches", med("store", 0), "req/s", med("lookup", 0), note="baseline: lookups")
    if args.compare_grouping:
        report("storing matches, grouped", med("store", 0), "req/s", med("store single", 0),
               note="baseline: one transaction per request (BASIRA_MATCH_BATCH_ITEMS=0), interleaved")
        report("store single p50", med("store single", 1), "ms")
        report("store single p99", med("store single", 2), "ms")
        report("store single errors", sum(r[3] for r in results["store single"]), "requests")
        ratios = [g[0] / o[0] for g, o in zip(results["store"], results["store single"], strict=True)]
        print("per-round grouped/single: " + ", ".join(f"{r:.2f}x" for r in ratios))
        for i, side in ((0, "Basira"), (1, "PostgreSQL")):
            grouped = statistics.median(c[i] for c in cpu["store"])
            single = statistics.median(c[i] for c in cpu["store single"])
            report(f"{side} CPU per storing match, grouped", grouped, "ms", single,
                   note="baseline: one transaction per request; lower is better")
        report("Basira CPU per lookup", statistics.median(c[0] for c in cpu["lookup"]), "ms")
    for mode in ("lookup", "store"):
        report(f"{mode} p50", med(mode, 1), "ms")
        report(f"{mode} p99", med(mode, 2), "ms")
        report(f"{mode} errors", sum(r[3] for r in results[mode]), "requests")
    if imports:
        print(f"imports beside the storing rounds: {len(imports)}, HTTP {sorted({c for _, c in imports})}, "
              f"{statistics.median(t for t, _ in imports):.1f} s median")
    report("server RSS at end", rss_end, "MiB", rss_start, note="all worker processes; baseline: after warm-up")


if __name__ == "__main__":
    main()
