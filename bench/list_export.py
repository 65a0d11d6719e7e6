"""The queue's CSV export: rows per second and peak memory of the streamed, formula-safe export (read in chunks of
500 rows) against a baseline that loads every case at once and writes the same columns with a plain ``csv.writer``,
interleaved on one SQLite database of generated cases.

    .venv/bin/python -m bench.list_export --cases 20000 --rounds 3
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench.common import report
from sqlalchemy import select

from basira.core import orgs
from basira.core.db import migrate
from basira.core.instance import Instance
from basira.core.models import Role, utcnow
from basira.core.principal import Principal
from basira.core.settings import load_settings
from basira.review import queue
from basira.review.models import Case
from basira.web import listexport
from basira.web.review_pages import QUEUE_COLUMNS, export_row


def _instance(folder: Path, n: int) -> tuple[Instance, Principal]:
    inst = Instance(load_settings(environ={}, data_dir=folder, secret_key="bench", worker_interval_s=0))
    migrate(inst.db.engine)
    with inst.db.session() as s:
        org = orgs.create_org(s, "bench", "acme", "Acme").id
    now = utcnow()
    with inst.db.session() as s:
        s.add_all([Case(org_id=org, kind="content_match", group_key=f"item:upload-{i}.jpg",
                        due_at=now + dt.timedelta(minutes=i % 997), priority=1 + i % 3,
                        evidence={"match_count": 1 + i % 4, "items": [{"ref": f"upload-{i}.jpg"}]})
                   for i in range(n)])
    return inst, Principal(org, Role.REVIEWER, "bench")


def streamed(inst: Instance, who: Principal) -> int:
    with inst.db.session() as s:
        rows = (export_row(c) for c in queue.iter_cases(s, who, queue.QueueFilter(status="all")))
        return sum(len(chunk) for chunk in listexport.csv_chunks(QUEUE_COLUMNS, rows))


def loaded(inst: Instance, who: Principal) -> int:
    with inst.db.session() as s:
        found = list(s.scalars(select(Case).where(Case.org_id == who.org_id)
                               .order_by(Case.priority, Case.due_at, Case.id)))
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(QUEUE_COLUMNS)
        for c in found:
            w.writerow([c.id, c.kind, c.group_key, "", c.status, c.priority, c.assignee or "", c.four_eyes,
                        c.evidence.get("match_count", 0), c.due_at.isoformat(), c.created_at.isoformat(), c.version])
        return len(buf.getvalue())


def _measure(fn: Callable[[Instance, Principal], int], inst: Instance, who: Principal) -> tuple[float, float]:
    """Seconds of one untraced run, and the peak traced memory (MiB) of a second, traced run."""
    t = time.perf_counter()
    fn(inst, who)
    elapsed = time.perf_counter() - t
    tracemalloc.start()
    fn(inst, who)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        inst, who = _instance(Path(folder), args.cases)
        ours: list[tuple[float, float]] = []
        base: list[tuple[float, float]] = []
        for _ in range(args.rounds):
            ours.append(_measure(streamed, inst, who))
            base.append(_measure(loaded, inst, who))
        inst.close()
    speed = statistics.median(args.cases / t for t, _ in ours)
    speed_base = statistics.median(args.cases / t for t, _ in base)
    report("queue CSV export, streamed and formula-safe", speed, "rows/s", speed_base,
           f"{args.cases} cases, median of {args.rounds} interleaved rounds; baseline: all rows loaded, plain csv")
    report("queue CSV export, peak traced memory", statistics.median(m for _, m in ours), "MiB",
           statistics.median(m for _, m in base), "lower is better")


if __name__ == "__main__":
    main()
