"""Bulk signal writes through the API against raw SQLAlchemy ``executemany`` (and PostgreSQL ``COPY``), interleaved.

``basira serve`` (one worker, on loopback) receives ``--signals`` new sha256 values per request, each on its own
entry, in a fresh bank per request, by:

- ``POST /v1/banks/{bank}/signals`` with a JSON list (at most 10,000 a request, the route's limit);
- ``POST /v1/banks/{bank}/import?format=csv`` with the same values as CSV;

and, in the bench's own process on the same database, the floor of any implementation:

- raw SQLAlchemy Core: ``INSERT`` of the entries (``executemany``), their ids read back, ``INSERT`` of the signals;
- PostgreSQL only: the same rows through psycopg's ``COPY ... FROM STDIN``.

Each round runs every method once, one after the other; the report gives signals/s per method (median over rounds)
and the API's figures against raw ``executemany``. The API's figure includes parsing, validation, provenance,
the change log, the event and the audit entry, and the HTTP round trip.

    .venv/bin/python bench/bulk_signals.py [--database postgres|sqlite] [--signals 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.models import Entry, Signal, value_digest
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from common import report

PG = os.environ.get("BASIRA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SCRIPT = Path(sys.executable).parent / "basira"


def _values(rng: random.Random, n: int) -> list[str]:
    return [rng.randbytes(32).hex() for _ in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    ap.add_argument("--signals", type=int, default=10_000, help="signals per request (at most 10,000)")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(21)
    tmp = Path(tempfile.mkdtemp(prefix="basira-bulk-"))
    name = f"basira_bulk_{secrets.token_hex(4)}"
    admin_engine = create_engine(PG, isolation_level="AUTOCOMMIT")
    if args.database == "postgres":
        with admin_engine.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp / 'data' / 'basira.db'}"
    proc = None
    try:
        inst = Instance(load_settings(environ={}, data_dir=tmp / "data", database_url=url, worker_interval_s=0))
        with inst.db.session() as s:
            org = orgs.create_org(s, "bulk", "bulk", "Bulk", operator=True)
            admin = system_principal(org.id, actor="bench")
            key = orgs.create_key(s, admin, org.id, "admin", "bulk").secret
        bank_no = iter(range(1_000_000))

        def new_bank() -> int:
            with inst.db.session() as s:
                return banks.create_bank(s, admin, inst.registry,
                                         banks.BankSpec(name=f"b{next(bank_no)}", tlp="GREEN")).id

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "BASIRA_DATA_DIR": str(tmp / "data"), "BASIRA_DATABASE_URL": url,
               "BASIRA_SECRET_KEY": "bench"}
        proc = subprocess.Popen([str(SCRIPT), "serve", "--port", str(port), "--workers", "1", "--log-level",
                                 "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 900  # a loaded machine takes minutes to start the server
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/health/ready", timeout=60):
                    break
            except OSError:
                time.sleep(0.5)
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=600)

        def api_json(values: list[str]) -> None:
            body = [{"signal_type": "sha256", "value": v, "entry_ref": f"e-{v[:16]}"} for v in values]
            r = client.post(f"/v1/banks/{new_bank()}/signals", json=body)
            if r.status_code != 201 or len(r.json()["signals"]) != len(values):
                raise SystemExit(f"the API refused the signals: {r.status_code} {r.text[:300]}")

        def api_import(values: list[str]) -> None:
            rows = "signal_type,signal_value,entry_ref\n" + "".join(f"sha256,{v},e-{v[:16]}\n" for v in values)
            r = client.post(f"/v1/banks/{new_bank()}/import", params={"format": "csv"}, content=rows.encode(),
                            headers={"Content-Type": "text/csv"})
            if r.status_code != 200 or r.json()["signals"] != len(values):
                raise SystemExit(f"the import was refused: {r.status_code} {r.text[:300]}")

        def raw_executemany(values: list[str]) -> None:
            bank_id = new_bank()
            now = dt.datetime.now(dt.UTC)
            with inst.db.session() as s:
                refs = [f"e-{v[:16]}" for v in values]
                s.execute(insert(Entry), [{"bank_id": bank_id, "ref": r, "content_type": "file", "attributes": {},
                                           "created_at": now, "updated_at": now} for r in refs])
                ids = dict(s.execute(select(Entry.ref, Entry.id).where(Entry.bank_id == bank_id)).all())
                s.execute(insert(Signal), [{"entry_id": ids[r], "bank_id": bank_id, "signal_type": "sha256",
                                            "value": v, "labels": [], "provenance": "bench", "enabled": True,
                                            "created_at": now, "updated_at": now}
                                           for r, v in zip(refs, values, strict=True)])

        def pg_copy(values: list[str]) -> None:
            bank_id = new_bank()
            now = dt.datetime.now(dt.UTC)
            raw = inst.db.engine.raw_connection()
            try:
                cur = raw.cursor()
                refs = [f"e-{v[:16]}" for v in values]
                with cur.copy("COPY entries (bank_id, ref, content_type, attributes, created_at, updated_at) "  # type: ignore[attr-defined]
                              "FROM STDIN") as copy:
                    for r in refs:
                        copy.write_row((bank_id, r, "file", "{}", now, now))
                cur.execute("SELECT ref, id FROM entries WHERE bank_id = %s", (bank_id,))
                ids = dict(cur.fetchall())
                with cur.copy("COPY signals (entry_id, bank_id, signal_type, value, value_digest, labels, "  # type: ignore[attr-defined]
                              "provenance, details, derived, enabled, created_at, updated_at) FROM STDIN") as copy:
                    for r, v in zip(refs, values, strict=True):
                        copy.write_row((ids[r], bank_id, "sha256", v, value_digest(v), "[]", "bench", "{}", False,
                                        True, now, now))
                raw.commit()
            finally:
                raw.close()

        methods: dict[str, Callable[[list[str]], None]] = {
            "API JSON list": api_json, "API CSV import": api_import, "raw executemany": raw_executemany}
        if args.database == "postgres":
            methods["PostgreSQL COPY"] = pg_copy
        api_json(_values(rng, 100))  # warm-up: the server's first request
        rates: dict[str, list[float]] = {m: [] for m in methods}
        for n in range(args.rounds):
            for label, fn in methods.items():
                values = _values(rng, args.signals)
                started = time.perf_counter()
                fn(values)
                rates[label].append(args.signals / (time.perf_counter() - started))
                print(f"round {n + 1} {label}: {rates[label][-1]:.0f} signals/s", flush=True)
        client.close()
        inst.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=60)
        if args.database == "postgres":
            with admin_engine.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()
    floor = statistics.median(rates["raw executemany"])
    note = f"{args.database}, {args.signals} signals a request, {args.rounds} rounds interleaved"
    for label in methods:
        report(label, statistics.median(rates[label]), "signals/s", floor if label != "raw executemany" else None,
               note=note if label == "API JSON list" else "")
    for label in ("API JSON list", "API CSV import"):
        ratios = [a / b for a, b in zip(rates[label], rates["raw executemany"], strict=True)]
        print(f"per-round {label}/executemany: " + ", ".join(f"{r:.2f}x" for r in ratios))


if __name__ == "__main__":
    main()
