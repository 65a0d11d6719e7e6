"""CPU per storing match, one transaction per item against groups (``core.matching.match_items``), interleaved.

In one process on PostgreSQL (a fresh database on ``BASIRA_BENCH_POSTGRES``, dropped at the end): a bank of
``--signals`` sha256 and as many PDQ values; items of one sha256 and one PDQ, half hits. Each round stores
``--items`` items one per transaction (as before :mod:`basira.core.match_writer`), then in groups of 8 and of 32,
and measures the CPU time of this process (Basira's side) and of the PostgreSQL backends serving this database
(read from their process titles), per item. CPU time, unlike requests/s, is not much moved by other work on a shared
machine. Also the share of a group's Basira time spent in lookups and in writes (one profiled group).

    .venv/bin/python bench/match_groups.py [--signals 20000] [--items 128] [--rounds 5]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import psutil
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from basira.content.hamming import set_query_threads
from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item, match_items
from basira.core.models import Entry, Signal
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from common import report

PG = os.environ.get("BASIRA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_cpu(database: str) -> float:
    total = 0.0
    for p in psutil.process_iter(["name", "cmdline"]):
        if p.info["name"] not in ("postgres", "postmaster") or database not in " ".join(p.info["cmdline"] or []):
            continue
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--signals", type=int, default=20_000)
    ap.add_argument("--items", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    set_query_threads(1)  # as basira serve runs
    rng = random.Random(22)
    name = f"basira_groups_{secrets.token_hex(4)}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG).set(database=name).render_as_string(hide_password=False)
        tmp = Path(tempfile.mkdtemp(prefix="basira-groups-"))
        inst = Instance(load_settings(environ={}, data_dir=tmp / "data", database_url=url, worker_interval_s=0))
        with inst.db.session() as s:
            org = orgs.create_org(s, "load", "load", "Load", operator=True)
            who = system_principal(org.id, actor="bench")
            bank_id = banks.create_bank(s, who, inst.registry, banks.BankSpec(name="known", tlp="GREEN")).id
        shas = [rng.randbytes(32).hex() for _ in range(args.signals)]
        pdqs = [rng.randbytes(32).hex() for _ in range(args.signals)]
        now = dt.datetime.now(dt.UTC)
        with inst.db.session() as s:
            s.execute(insert(Entry), [{"bank_id": bank_id, "ref": f"e{i}", "content_type": "photo", "attributes": {},
                                       "created_at": now, "updated_at": now} for i in range(args.signals)])
            ids = dict(s.execute(select(Entry.ref, Entry.id).where(Entry.bank_id == bank_id)).all())
            s.execute(insert(Signal), [{"entry_id": ids[f"e{i}"], "bank_id": bank_id, "signal_type": kind,
                                        "value": value, "labels": [], "provenance": "bench", "enabled": True,
                                        "created_at": now, "updated_at": now}
                                       for i in range(args.signals)
                                       for kind, value in (("sha256", shas[i]), ("pdq", pdqs[i]))])

        def item(n: int) -> MatchRequest:
            i = rng.randrange(args.signals)
            hit = n % 2 == 0
            return MatchRequest(signals=[("sha256", shas[i] if hit else rng.randbytes(32).hex()),
                                         ("pdq", pdqs[i] if hit else rng.randbytes(32).hex())], ref=f"r{n}")

        def store(reqs: list[MatchRequest], size: int) -> None:
            if size == 1:
                for r in reqs:
                    with inst.db.session() as s:
                        match_item(s, who, inst.registry, inst.indexes, inst.settings, r)
                return
            for start in range(0, len(reqs), size):
                with inst.db.session() as s:
                    match_items(s, inst.registry, inst.indexes, inst.settings,
                                [(who, r) for r in reqs[start:start + size]])

        store([item(n) for n in range(16)], 1)  # warm-up: indexes built
        modes = {"one per transaction": 1, "groups of 8": 8, "groups of 32": 32}
        cpu: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
        for n in range(args.rounds):
            for label, size in modes.items():
                reqs = [item(k) for k in range(args.items)]
                c0, p0 = time.process_time(), _pg_cpu(name)
                store(reqs, size)
                c1, p1 = time.process_time(), _pg_cpu(name)
                cpu[label].append(((c1 - c0) / args.items * 1000, (p1 - p0) / args.items * 1000))
                print(f"round {n + 1} {label}: Basira {cpu[label][-1][0]:.2f} ms, PostgreSQL "
                      f"{cpu[label][-1][1]:.2f} ms CPU per item", flush=True)
        profile = cProfile.Profile()
        reqs = [item(k) for k in range(32)]
        profile.enable()
        store(reqs, 32)
        profile.disable()
        stats = pstats.Stats(profile)
        by_name = {f[2]: v[3] for f, v in stats.stats.items()}  # type: ignore[attr-defined]
        whole, record = by_name.get("match_items", 0.0), by_name.get("_record", 0.0)
        inst.close()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    base = cpu["one per transaction"]
    for label in modes:
        for i, side in ((0, "Basira"), (1, "PostgreSQL")):
            value = statistics.median(c[i] for c in cpu[label])
            report(f"{side} CPU per storing match, {label}", value, "ms",
                   None if label == "one per transaction" else statistics.median(c[i] for c in base),
                   note="baseline: one per transaction, interleaved; lower is better" if i == 0 else "")
    if whole:
        print(f"one group of 32, profiled: writes (_record) {100 * record / whole:.0f} % of match_items' time, "
              f"lookups and the rest {100 * (whole - record) / whole:.0f} %")


if __name__ == "__main__":
    main()
