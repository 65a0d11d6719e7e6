"""CPU of the review consumer per event: ``match.recorded`` events of stored matches turned into cases.

A fresh PostgreSQL database gets a bank of MD5 values and ``--events`` stored matches of two hits each (written in
groups of 50 through ``matching.match_items``, as the server's writers do; a quarter of the items share a
reference with an earlier one, so their events join its case). Then :func:`basira.review.consume` turns the events
into cases; its CPU time (``time.process_time``) and wall time are divided by the events. With ``--baseline-src``
the same is done by another checkout's ``src`` (each code in a process of its own, on a database of its own),
alternated round by round, and the ratio printed.

    .venv/bin/python bench/review_consumer.py [--events 2000] [--rounds 2] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(url: str, events: int) -> dict[str, float]:
    from basira.core import banks, orgs
    from basira.core.instance import Instance
    from basira.core.matching import MatchRequest, match_items
    from basira.core.principal import system_principal
    from basira.core.settings import load_settings
    from basira.review import consume

    inst = Instance(load_settings(environ={}, data_dir=Path(os.environ["BASIRA_BENCH_DATA"]), database_url=url,
                                  secret_key="bench", worker_interval_s=0))
    try:
        with inst.db.session() as s:
            org = orgs.create_org(s, "bench", "bench", "Bench", operator=True)
        admin = system_principal(org.id, actor="bench")
        values = [f"{n:032x}" for n in range(1, 2001)]
        with inst.db.session() as s:
            bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(name="bench"))
            banks.add_signals_batch(s, admin, inst.registry, inst.settings, bank.id,
                                    [banks.SignalSpec("md5", v, entry_ref=f"e-{v[-6:]}") for v in values])
        requests = []
        for n in range(events):
            ref = f"item-{n - n % 4 if n % 4 == 3 else n}"  # every fourth joins the case of the item before it
            pair = [values[(2 * n) % len(values)], values[(2 * n + 1) % len(values)]]
            requests.append((admin, MatchRequest(signals=[("md5", v) for v in pair], ref=ref)))
        for start in range(0, len(requests), 50):
            with inst.db.session() as s:
                match_items(s, inst.registry, inst.indexes, inst.settings, requests[start:start + 50])
        cpu, wall = time.process_time(), time.perf_counter()
        report = consume(inst.db.session)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert report.events == events, report
        return {"cpu_ms": 1000 * cpu / events, "wall_ms": 1000 * wall / events, "opened": report.opened,
                "joined": report.joined}
    finally:
        inst.close()


def run(src: Path, events: int) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    from match_wrk import drop_database, fresh_database

    admin, name, url = fresh_database("basira_consumer")
    try:
        import tempfile

        with tempfile.TemporaryDirectory() as data:
            env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{HERE}", "BASIRA_BENCH_DATA": data}
            done = subprocess.run([sys.executable, __file__, "--child", url, "--events", str(events)], env=env,
                                  capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the consumer run from {src} failed:\n{done.stderr[-3000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        drop_database(admin, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--baseline-src", default="", help="another checkout's src, alternated with this one")
    ap.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.events)))
        return
    sys.path.insert(0, str(HERE))
    from common import report

    this = HERE.parent / "src"
    codes = [("this", this)] + ([("baseline", Path(args.baseline_src).resolve())] if args.baseline_src else [])
    seen: dict[str, list[dict[str, float]]] = {name: [] for name, _ in codes}
    for r in range(args.rounds):
        for name, src in (codes if r % 2 == 0 else codes[::-1]):
            got = run(src, args.events)
            seen[name].append(got)
            print(f"round {r + 1} {name}: {got['cpu_ms']:.3f} ms CPU, {got['wall_ms']:.3f} ms wall per event "
                  f"({got['opened']:.0f} opened, {got['joined']:.0f} joined); load average {os.getloadavg()[0]:.1f}",
                  flush=True)
    cpu = {name: statistics.median(g["cpu_ms"] for g in got) for name, got in seen.items()}
    report("review consumer CPU per event", cpu["this"], "ms", cpu.get("baseline"),
           f"{args.events} stored matches' events, PostgreSQL, median of {args.rounds} rounds")


if __name__ == "__main__":
    main()
