"""The home dashboard's figures over many cases: :func:`basira.reports.dashboard.dashboard` (SQL aggregates grouped
by day, kind and bank) against a baseline that reads the window's cases, decisions, matches, appeals and actions
into Python and counts there, as a page without the service would. Both run in the same process, interleaved,
``--rounds`` times for each period; the figures are the medians.

The database is filled directly (bulk inserts): ``--cases`` cases over 120 days, 70% content matches (each matched
against one or two of six banks), 20% screening hits, 10% drone alerts; 80% decided with a reason of their kind
within three days, 2% of those overturned on appeal. PostgreSQL by default, on a fresh database of the server at
``BASIRA_BENCH_POSTGRES`` (dropped at the end); ``--database sqlite`` for a file in a temporary folder.

    .venv/bin/python bench/dashboard.py [--cases 100000] [--rounds 5] [--database postgres|sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from basira.actions.models import Action
from basira.core import banks, orgs
from basira.core.fronts import default_fronts
from basira.core.instance import Instance
from basira.core.models import Item, Match, utcnow
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings
from basira.reports.dashboard import Window, dashboard, period
from basira.review.models import OPEN_STATUSES, Appeal, Case, CaseMatch, Decision
from basira.review.taxonomy import reason_for
from common import report

PG = os.environ.get("BASIRA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CHUNK = 10_000
KINDS = (("content_match", 0.7), ("screening_hit", 0.2), ("drone_alert", 0.1))


def make_banks(inst: Instance, admin: Principal) -> list[tuple[int, int, int]]:
    """Six banks of one made-up MD5 each: (bank id, signal id, entry id)."""
    out = []
    with inst.db.session() as s:
        for n in range(6):
            bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(name=f"bank {n}"))
            (sig,) = banks.add_signals(s, admin, inst.registry, inst.settings, bank.id,
                                       [banks.SignalSpec("md5", f"{n:032x}")], audit_each=False)
            out.append((bank.id, sig.id, sig.entry_id))
    return out


def fill(inst: Instance, org_id: int, bank_rows: list[tuple[int, int, int]], n: int, rng: random.Random) -> None:
    now = utcnow()
    codes = {k.name: [r.code for r in k.reasons if r.decides] for k in default_fronts().case_kinds()}
    rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    match_id = decision_id = 0

    def flush(session: Session) -> None:
        for model in (Item, Case, Match, CaseMatch, Decision, Appeal):
            if rows[model]:
                session.execute(insert(model), rows[model])
                rows[model].clear()

    with inst.db.session() as s:
        for cid in range(1, n + 1):
            kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
            opened = now - dt.timedelta(seconds=rng.uniform(0, 120 * 86400))
            decided = rng.random() < 0.8
            rows[Item].append({"id": cid, "org_id": org_id, "ref": f"item-{cid}", "content_type": "photo",
                               "signals": [], "created_at": opened})
            rows[Case].append({"id": cid, "org_id": org_id, "kind": kind, "group_key": f"item:{cid}",
                               "status": "decided" if decided else rng.choice(OPEN_STATUSES), "priority": 2,
                               "due_at": opened + dt.timedelta(days=1), "evidence": {}, "version": 1,
                               "created_at": opened, "updated_at": opened, "four_eyes": False})
            if kind != "drone_alert":
                for bank_id, signal_id, entry_id in rng.sample(bank_rows, rng.choice((1, 1, 1, 2))):
                    match_id += 1
                    rows[Match].append({"id": match_id, "item_id": cid, "org_id": org_id, "signal_id": signal_id,
                                        "bank_id": bank_id, "entry_id": entry_id, "signal_type": "md5",
                                        "query_value": "0" * 32, "distance": 0.0, "explanation": {},
                                        "suppressed": False, "created_at": opened})
                    rows[CaseMatch].append({"case_id": cid, "match_id": match_id, "signal_id": signal_id,
                                            "query_value": "0" * 32})
            if decided:
                decision_id += 1
                at = min(now, opened + dt.timedelta(seconds=rng.uniform(60, 3 * 86400)))
                rows[Decision].append({"id": decision_id, "case_id": cid, "reviewer": "rita",
                                       "reason_code": rng.choice(codes[kind]), "rationale": "", "state": "taken",
                                       "four_eyes": False, "second_note": "", "created_at": at, "decided_at": at})
                if rng.random() < 0.02:
                    rows[Appeal].append({"case_id": cid, "decision_id": decision_id, "complainant": "c",
                                         "statement": "", "recorded_by": "rita", "received_at": at,
                                         "due_at": at + dt.timedelta(days=14), "outcome": "overturned",
                                         "decided_by": "tala", "rationale": "", "decided_at": at})
            if cid % CHUNK == 0:
                flush(s)
        flush(s)


def naive(session: Session, principal: Principal, window: Window) -> dict[str, Any]:
    """The baseline: the window's rows read into Python and counted there."""
    cases = list(session.scalars(select(Case).where(Case.org_id == principal.org_id, Case.created_at >= window.start,
                                                    Case.created_at < window.end)))
    ids = [c.id for c in cases]
    by_kind: dict[tuple[str, dt.date], int] = defaultdict(int)
    by_bank: dict[tuple[int, dt.date], int] = defaultdict(int)
    banks_of: dict[int, set[int]] = defaultdict(set)
    first: dict[int, Decision] = {}
    for i in range(0, len(ids), 5000):
        chunk = ids[i:i + 5000]
        for case_id, bank_id in session.execute(select(CaseMatch.case_id, Match.bank_id).join(
                Match, Match.id == CaseMatch.match_id).where(CaseMatch.case_id.in_(chunk))):
            banks_of[case_id].add(bank_id)
        for d in session.scalars(select(Decision).where(Decision.case_id.in_(chunk), Decision.state == "taken")
                                 .order_by(Decision.id)):
            first.setdefault(d.case_id, d)
    reversed_ids = set(session.scalars(select(Appeal.case_id).where(Appeal.outcome == "overturned")))
    reversed_ids |= set(session.scalars(select(Action.case_id).where(Action.status == "undone")))
    minutes: dict[str, list[float]] = defaultdict(list)
    rates: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for c in cases:
        day = c.created_at.date()
        by_kind[c.kind, day] += 1
        for b in banks_of[c.id]:
            by_bank[b, day] += 1
        d = first.get(c.id)
        if d is None or d.decided_at is None or not reason_for(c.kind, d.reason_code).decides:
            continue
        minutes[c.kind].append((d.decided_at - c.created_at).total_seconds() / 60)
        for b in banks_of[c.id]:
            rates[b][0] += 1
            rates[b][1] += int(not reason_for(c.kind, d.reason_code).violating)
            rates[b][2] += int(c.id in reversed_ids)
    open_rows = session.scalars(select(Case).where(Case.org_id == principal.org_id, Case.status.in_(OPEN_STATUSES)))
    backlog: dict[str, int] = defaultdict(int)
    for c in open_rows:
        backlog[c.kind] += 1
    return {"by_kind": by_kind, "by_bank": by_bank, "medians": {k: statistics.median(v) for k, v in minutes.items()},
            "rates": rates, "backlog": backlog}


def database(kind: str, folder: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'basira.db'}", None
    name = f"basira_bench_{secrets.token_hex(4)}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG).set(database=name).render_as_string(hide_password=False), name


def drop(name: str | None) -> None:
    if name:
        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = ap.parse_args()
    rng = random.Random(19)
    with tempfile.TemporaryDirectory() as tmp:
        url, made = database(args.database, Path(tmp))
        try:
            inst = Instance(load_settings(environ={}, data_dir=Path(tmp) / "data", database_url=url,
                                          worker_interval_s=0))
            with inst.db.session() as s:
                org_id = orgs.create_org(s, "bench", "acme", "Acme", operator=True).id
            admin = system_principal(org_id, actor="bench")
            t0 = time.perf_counter()
            fill(inst, org_id, make_banks(inst, admin), args.cases, rng)
            print(f"# filled {args.cases} cases in {time.perf_counter() - t0:.1f} s ({args.database})", flush=True)
            for days in (30, 90):
                window = period(days)
                fast: list[float] = []
                slow: list[float] = []
                for _ in range(args.rounds):
                    with inst.db.session() as s:
                        t = time.perf_counter()
                        figures = dashboard(s, admin, window)
                        fast.append(time.perf_counter() - t)
                    with inst.db.session() as s:
                        t = time.perf_counter()
                        baseline = naive(s, admin, window)
                        slow.append(time.perf_counter() - t)
                # The two agree on what they both count (a check, not a benchmark figure).
                assert figures.opened == sum(baseline["by_kind"].values())
                assert {b.bank_id: b.opened for b in figures.banks} == {
                    b: sum(n for (bb, _), n in baseline["by_bank"].items() if bb == b) for b, _ in baseline["by_bank"]}
                report(f"dashboard {days} days, {figures.opened} cases in the window ({args.database})",
                       statistics.median(fast) * 1000, "ms", statistics.median(slow) * 1000,
                       note="baseline: rows read into Python and counted there")
            inst.close()
        finally:
            drop(made)


if __name__ == "__main__":
    main()
