"""Read-only lookups (``POST /v1/match`` with ``store=false``) under a C load generator (``wrk``), against
``GET /v1/health`` in the same run.

A bank of ``--signals`` PDQ and as many sha256 values, one entry each (written with PostgreSQL ``COPY``: set-up, not
measured), is served by ``basira serve --workers N`` on loopback. ``wrk`` (Debian package ``wrk``) sends requests
from a Lua script over ``--connections`` kept-alive connections; each lookup body holds one sha256 and one PDQ:
half exact hits (both values of one bank entry), a quarter PDQ values 8 bits from a bank value (a fresh sha256),
a quarter misses (both fresh). ``/v1/health`` and lookups alternate round by round for ``--seconds`` each; the
report gives requests/s, p50/p99 (wrk's own latency distribution), non-200 answers and socket errors per mode
(median over rounds), lookups against health, the servers' RSS after the warm-up and at the end, and the load
average of the machine. ``--final-seconds S``: one more lookup run of S seconds at the end (the 5-minute run).
``--store``: storing matches (the same bodies with ``store=true``) as a third mode of every round, against lookups.
``--final-mode store``: the final run stores matches instead of looking up.

    .venv/bin/python bench/match_wrk.py [--signals 1000000] [--workers 2] [--connections 16] [--seconds 30]
        [--rounds 3] [--final-seconds 300] [--store] [--baseline-src DIR] [--baseline-env NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.models import value_digest
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from common import report
from match_load import _cpu, _flip, _rss, _serve, _stop

PG = os.environ.get("BASIRA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

LUA = r"""
local bodies = {}
local n = 0
local key = os.getenv("BASIRA_BENCH_KEY")
local mode = os.getenv("BASIRA_BENCH_MODE")
local file = os.getenv("BASIRA_BENCH_BODIES")
if mode == "store" then
  file = os.getenv("BASIRA_BENCH_STORE_BODIES")
end
for line in io.lines(file) do
  bodies[#bodies + 1] = line
end
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}

function setup(thread)
  thread:set("offset", math.random(#bodies))
end

request = function()
  if mode == "health" then
    return wrk.format("GET", "/v1/health")
  end
  n = n + 1
  return wrk.format("POST", "/v1/match", headers, bodies[((offset or 0) + n) % #bodies + 1])
end
"""


def fresh_database(prefix: str) -> tuple[Engine, str, str]:
    """A new PostgreSQL database named ``<prefix>_<random>`` on the bench's server: the server's engine (to drop it
    at the end), its name and its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, make_url(PG).set(database=name).render_as_string(hide_password=False)


def drop_database(admin: Engine, name: str) -> None:
    """Drop what :func:`fresh_database` made (whoever is still connected is thrown out) and close the engine."""
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fill(url: str, inst: Instance, n: int, rng: random.Random) -> tuple[str, list[str], list[str]]:
    with inst.db.session() as s:
        org = orgs.create_org(s, "load", "load", "Load", operator=True)
        admin = system_principal(org.id, actor="bench")
        bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(name="known", tlp="GREEN"))
        key = orgs.create_key(s, admin, org.id, "analyst", "load").secret
        bank_id = bank.id
    shas = [rng.randbytes(32).hex() for _ in range(n)]
    pdqs = [rng.randbytes(32).hex() for _ in range(n)]
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
        cur = conn.cursor()
        with cur.copy("COPY entries (bank_id, ref, content_type, attributes, created_at, updated_at) "
                      "FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((bank_id, f"e{i}", "photo", "{}", now, now))
        cur.execute("SELECT ref, id FROM entries WHERE bank_id = %s", (bank_id,))
        ids: dict[str, int] = dict(cur.fetchall())
        with cur.copy("COPY signals (entry_id, bank_id, signal_type, value, value_digest, labels, provenance, "
                      "details, derived, enabled, created_at, updated_at) FROM STDIN") as copy:
            for i in range(n):
                for kind, value in (("sha256", shas[i]), ("pdq", pdqs[i])):
                    copy.write_row((ids[f"e{i}"], bank_id, kind, value, value_digest(value), "[]", "bench", "{}",
                                    False, True, now, now))
        conn.commit()
        cur.execute("ANALYZE entries")
        cur.execute("ANALYZE signals")
    return key, shas, pdqs


def _backlog(url: str) -> int:
    """Stored matches' events the review consumer has not turned into cases yet."""
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
        row = conn.execute("SELECT count(*) FROM events WHERE kind = 'match.recorded' AND id > coalesce("
                           "(SELECT last_event_id FROM consumer_cursors WHERE name = 'review'), 0)").fetchone()
    return int(row[0]) if row else 0


def _bodies(shas: list[str], pdqs: list[str], rng: random.Random, count: int, *, store: bool = False) -> list[str]:
    out = []
    for n in range(count):
        i = rng.randrange(len(shas))
        kind = n % 4
        sha = shas[i] if kind < 2 else rng.randbytes(32).hex()
        pdq = pdqs[i] if kind < 2 else (_flip(pdqs[i], 8, rng) if kind == 2 else rng.randbytes(32).hex())
        out.append(json.dumps({"signals": [{"signal_type": "sha256", "value": sha},
                                           {"signal_type": "pdq", "value": pdq}], "store": store}))
    return out


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if m is None:
        raise SystemExit(f"wrk printed a latency this bench does not read: {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _wrk(base: str, mode: str, seconds: float, connections: int, threads: int, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{int(seconds)}s", "--latency",
                          "--timeout", "10s", "-s", env["BASIRA_BENCH_SCRIPT"], base],
                         env={**env, "BASIRA_BENCH_MODE": mode}, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = sum(int(g) for g in sockets.groups()) if sockets else 0
    errors = (int(non2xx.group(1)) if non2xx else 0) + socket_errors
    if errors:
        print(out, flush=True)  # wrk's own account of them
    return {"rate": rate, "p50": p50, "p99": p99, "requests": total, "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--signals", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--final-seconds", type=float, default=0, help="one last lookup run this long (e.g. 300)")
    ap.add_argument("--store", action="store_true", help="a third mode in every round: storing matches (store=true)")
    ap.add_argument("--final-mode", choices=["lookup", "store"], default="lookup",
                    help="what the final run sends: lookups (the default) or storing matches")
    ap.add_argument("--baseline-src", default="", help="the src folder of another checkout, served beside this one "
                                                         "and measured round by round against it")
    ap.add_argument("--baseline-env", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting of the baseline server (with or without --baseline-src: this code with other "
                         "settings), e.g. BASIRA_MATCH_BATCH_WRITERS=2; repeat for several")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    rng = random.Random(20)
    tmp = Path(tempfile.mkdtemp(prefix="basira-wrk-"))
    admin, name, url = fresh_database("basira_wrk")
    procs: list[subprocess.Popen[bytes]] = []
    modes = ("health", "lookup", "store") if args.store else ("health", "lookup")
    results: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    compared: dict[str, list[dict[str, float]]] = {}
    final: dict[str, float] | None = None
    try:
        inst = Instance(load_settings(environ={}, data_dir=tmp / "data", database_url=url, worker_interval_s=0))
        started = time.perf_counter()
        key, shas, pdqs = _fill(url, inst, args.signals, rng)
        inst.close()
        print(f"bank of {args.signals} sha256 + {args.signals} PDQ written in {time.perf_counter() - started:.0f} s",
              flush=True)
        (tmp / "bodies.jsonl").write_text("\n".join(_bodies(shas, pdqs, rng, 20_000)) + "\n")
        (tmp / "store.jsonl").write_text("\n".join(_bodies(shas, pdqs, rng, 20_000, store=True)) + "\n")
        (tmp / "lookup.lua").write_text(LUA)
        env = {**os.environ, "BASIRA_DATA_DIR": str(tmp / "data"), "BASIRA_DATABASE_URL": url,
               "BASIRA_SECRET_KEY": "bench", "BASIRA_MATCH_RATE_PER_KEY": "0", "BASIRA_MATCH_RATE_PER_ORG": "0",
               "BASIRA_BENCH_KEY": key, "BASIRA_BENCH_BODIES": str(tmp / "bodies.jsonl"),
               "BASIRA_BENCH_STORE_BODIES": str(tmp / "store.jsonl"),
               "BASIRA_BENCH_SCRIPT": str(tmp / "lookup.lua")}
        base = _serve(procs, env, args.workers)
        other = ""
        if args.baseline_src or args.baseline_env:
            theirs = dict(item.split("=", 1) for item in args.baseline_env)
            if args.baseline_src:
                theirs["PYTHONPATH"] = args.baseline_src
            other = _serve(procs, {**env, **theirs}, args.workers)
            for _ in range(12):
                warm = _wrk(other, "lookup", 10, args.connections, args.threads, env)
                print(f"baseline warm-up: {warm['rate']:.0f} req/s over 10 s, p99 {warm['p99']:.0f} ms, "
                      f"{warm['errors']} errors", flush=True)
                if warm["requests"] and not warm["errors"] and warm["p99"] < 1000:
                    break
        # Every worker builds its indexes at its first lookups (seconds each at a million, minutes on a loaded
        # machine): warm up until a 10-second run has no error and no request that waited a second (a worker
        # still building holds its requests for seconds; those past 10 s time out).
        for _ in range(12):
            warm = _wrk(base, "lookup", 10, args.connections, args.threads, env)
            print(f"warm-up: {warm['rate']:.0f} req/s over 10 s, p99 {warm['p99']:.0f} ms, {warm['errors']} errors",
                  flush=True)
            if warm["requests"] and not warm["errors"] and warm["p99"] < 1000:
                break
        rss_start = _rss(procs[0])
        for n in range(args.rounds):
            for mode in modes:
                servers = [("this", base, procs[0])]
                if other and mode != "health":
                    pair = [("this", base, procs[0]), ("baseline", other, procs[1])]
                    servers = pair if n % 2 == 0 else pair[::-1]
                for who, url_, proc in servers:
                    load = os.getloadavg()[0]
                    cpu_before = _cpu([proc])[0]
                    r = _wrk(url_, mode, args.seconds, args.connections, args.threads, env)
                    r["cpu_ms"] = (_cpu([proc])[0] - cpu_before) * 1000 / max(1, r["requests"])
                    (results[mode] if who == "this" else compared.setdefault(mode, [])).append(r)
                    waiting = f"; review backlog {_backlog(url):,} events" if mode == "store" else ""
                    print(f"round {n + 1} {mode} ({who}): {r['rate']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 "
                          f"{r['p99']:.1f} ms, {r['errors']} errors of {r['requests']:.0f}, server CPU "
                          f"{r['cpu_ms']:.2f} ms per request; load average before {load:.1f}{waiting}", flush=True)
        if args.store:
            # The background work (cases from the stored matches) runs at a lower priority than the requests: how
            # long after the last round it has caught up.
            since, left = time.perf_counter(), _backlog(url)
            while left and time.perf_counter() - since < 600:
                time.sleep(0.5)
                left = _backlog(url)
            print(f"review backlog: {'none' if not left else f'{left:,} events'} "
                  f"{time.perf_counter() - since:.1f} s after the last round", flush=True)
        rss_before_final = _rss(procs[0])
        if args.final_seconds:
            load = os.getloadavg()[0]
            final = _wrk(base, args.final_mode, args.final_seconds, args.connections, args.threads, env)
            waiting = f"; review backlog {_backlog(url):,} events" if args.final_mode == "store" else ""
            print(f"final {args.final_seconds:.0f} s {args.final_mode}: {final['rate']:.0f} req/s, p50 "
                  f"{final['p50']:.1f} ms, p99 {final['p99']:.1f} ms, {final['errors']} errors of "
                  f"{final['requests']:.0f}; load average before {load:.1f}, after {os.getloadavg()[0]:.1f}{waiting}",
                  flush=True)
        rss_end = _rss(procs[0])
    finally:
        _stop(procs)
        drop_database(admin, name)
        shutil.rmtree(tmp, ignore_errors=True)

    def med(mode: str, field: str) -> float:
        return statistics.median(r[field] for r in results[mode])

    setup = (f"PostgreSQL, {args.workers} workers, wrk {args.connections} connections, bank of {args.signals} sha256 "
             f"+ {args.signals} PDQ, {args.rounds} rounds of {args.seconds:.0f} s")
    report("lookups (store=false), wrk", med("lookup", "rate"), "req/s", med("health", "rate"),
           note=f"{setup}; baseline /v1/health")
    ratios = [lk["rate"] / h["rate"] for h, lk in zip(results["health"], results["lookup"], strict=True)]
    print("per-round lookup/health: " + ", ".join(f"{r:.2f}x" for r in ratios))
    if args.store:
        report("storing matches (store=true), wrk", med("store", "rate"), "req/s", med("lookup", "rate"),
               note="baseline: lookups")
    for mode in ("lookup", "store", "health") if args.store else ("lookup", "health"):
        report(f"{mode} p50", med(mode, "p50"), "ms")
        report(f"{mode} p99", med(mode, "p99"), "ms")
        report(f"{mode} errors", sum(r["errors"] for r in results[mode]), "requests")
    report("server RSS at end", rss_end, "MiB", rss_start, note="all worker processes; baseline: after warm-up")
    for mode, theirs in compared.items():
        def mine(field: str, mode: str = mode) -> float:
            return statistics.median(r[field] for r in results[mode])

        def base_(field: str, theirs: list[dict[str, float]] = theirs) -> float:
            return statistics.median(r[field] for r in theirs)

        against = " ".join(filter(None, [args.baseline_src, *args.baseline_env]))
        report(f"{mode}: this code against {against}", mine("rate"), "req/s", base_("rate"),
               note="interleaved round by round, same database")
        report(f"{mode} p99, this code", mine("p99"), "ms", base_("p99"))
        report(f"{mode} server CPU per request, this code", mine("cpu_ms"), "ms", base_("cpu_ms"))
    if final is not None:
        report(f"{'lookups' if args.final_mode == 'lookup' else 'storing matches'} over {args.final_seconds:.0f} s",
               final["rate"], "req/s")
        report("server RSS after the final run", rss_end, "MiB", rss_before_final,
               note="all worker processes; baseline: just before it")
        report("final p99", final["p99"], "ms")
        report("final errors", final["errors"], "requests")


if __name__ == "__main__":
    main()
