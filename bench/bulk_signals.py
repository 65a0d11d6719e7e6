"""Bulk signal writes through the API against raw SQLAlchemy ``executemany`` (and PostgreSQL ``COPY``), interleaved.

``basira serve`` (one worker, on loopback) receives ``--signals`` new sha256 values per request, each on its own
entry, in a fresh bank per request, by:

- ``POST /v1/banks/{bank}/signals`` with a JSON list (at most 10,000 a request, the route's limit), answered in
  full and, with ``Prefer: return=minimal``, with the ids only;
- ``POST /v1/banks/{bank}/import?format=csv`` with the same values as CSV;

and, in the bench's own process on the same database, the floor of any implementation:

- raw SQLAlchemy Core: ``INSERT`` of the entries (``executemany``), their ids read back, ``INSERT`` of the signals;
- PostgreSQL only: the same rows through psycopg's ``COPY ... FROM STDIN``.

Each round runs every method once, one after the other; the report gives signals/s per method (median over rounds)
and the API's figures against raw ``executemany``. Then, in each round, how soon a bulk write is seen elsewhere: a
second ``basira serve`` on the same database (another machine, as far as Basira can tell) has answered lookups of
one bank all along; ``--signals`` more values are imported into that bank through the first server, and the second
is asked for the last of them (``store=false``) every 5 ms until it finds it: the time from the import's answer to
the first hit (the change log's replay, within ``BASIRA_READ_CACHE_S``). The API's figure includes parsing,
validation, provenance, the change log, the event and the audit entry, and the HTTP round trip.

    .venv/bin/python bench/bulk_signals.py [--database postgres|sqlite] [--signals 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import subprocess
import tempfile
import time
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
from match_load import _serve, _stop

PG = os.environ.get("BASIRA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _values(rng: random.Random, n: int) -> list[str]:
    return [rng.randbytes(32).hex() for _ in range(n)]


def api_import_into(client: httpx.Client, bank_id: int, values: list[str]) -> None:
    """``values`` (sha256) into bank ``bank_id`` by the CSV import route, each on its own entry."""
    rows = "signal_type,signal_value,entry_ref\n" + "".join(f"sha256,{v},e-{v[:16]}\n" for v in values)
    r = client.post(f"/v1/banks/{bank_id}/import", params={"format": "csv"}, content=rows.encode(),
                    headers={"Content-Type": "text/csv"})
    if r.status_code != 200 or r.json()["signals"] != len(values):
        raise SystemExit(f"the import was refused: {r.status_code} {r.text[:300]}")


def _lookup(client: httpx.Client, bank_id: int, value: str, *, expect: bool | None = None) -> bool:
    """Whether a lookup (``store=false``) of ``value`` in bank ``bank_id`` hits."""
    r = client.post("/v1/match", json={"signals": [{"signal_type": "sha256", "value": value}], "banks": [bank_id],
                                       "store": False})
    if r.status_code != 200:
        raise SystemExit(f"the lookup was refused: {r.status_code} {r.text[:300]}")
    hit = bool(r.json()["matches"])
    if expect is not None and hit != expect:
        raise SystemExit(f"the lookup {'missed' if expect else 'hit'} before the import")
    return hit


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
    procs: list[subprocess.Popen[bytes]] = []
    seen_after: list[float] = []
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

        env = {**os.environ, "BASIRA_DATA_DIR": str(tmp / "data"), "BASIRA_DATABASE_URL": url,
               "BASIRA_SECRET_KEY": "bench", "BASIRA_MATCH_RATE_PER_KEY": "0", "BASIRA_MATCH_RATE_PER_ORG": "0"}
        base, other = _serve(procs, env, 1), _serve(procs, env, 1)
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=600)

        def api_json(values: list[str]) -> None:
            body = [{"signal_type": "sha256", "value": v, "entry_ref": f"e-{v[:16]}"} for v in values]
            r = client.post(f"/v1/banks/{new_bank()}/signals", json=body)
            if r.status_code != 201 or len(r.json()["signals"]) != len(values):
                raise SystemExit(f"the API refused the signals: {r.status_code} {r.text[:300]}")

        def api_minimal(values: list[str]) -> None:
            body = [{"signal_type": "sha256", "value": v, "entry_ref": f"e-{v[:16]}"} for v in values]
            r = client.post(f"/v1/banks/{new_bank()}/signals", json=body, headers={"Prefer": "return=minimal"})
            if r.status_code != 201 or len(r.json()["ids"]) != len(values):
                raise SystemExit(f"the API refused the signals: {r.status_code} {r.text[:300]}")

        def api_import(values: list[str]) -> None:
            api_import_into(client, new_bank(), values)

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
            "API JSON list": api_json, "API JSON list, return=minimal": api_minimal, "API CSV import": api_import,
            "raw executemany": raw_executemany}
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
        watched = new_bank()
        api_import_into(client, watched, _values(rng, 100))
        elsewhere = httpx.Client(base_url=other, headers={"Authorization": f"Bearer {key}"}, timeout=60)
        for n in range(args.rounds):
            values = _values(rng, args.signals)
            _lookup(elsewhere, watched, values[-1], expect=False)  # the second server's index is current and warm
            api_import_into(client, watched, values)
            written = time.perf_counter()
            while not _lookup(elsewhere, watched, values[-1]):
                if time.perf_counter() - written > 30:
                    raise SystemExit("the second server did not see the import within 30 s")
                time.sleep(0.005)
            seen_after.append(time.perf_counter() - written)
            print(f"round {n + 1}: seen by the second server {seen_after[-1]:.3f} s after the import's answer",
                  flush=True)
        elsewhere.close()
        client.close()
        inst.close()
    finally:
        _stop(procs, timeout=60)
        if args.database == "postgres":
            with admin_engine.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()
    floor = statistics.median(rates["raw executemany"])
    note = f"{args.database}, {args.signals} signals a request, {args.rounds} rounds interleaved"
    for label in methods:
        report(label, statistics.median(rates[label]), "signals/s", floor if label != "raw executemany" else None,
               note=note if label == "API JSON list" else "")
    print(f"a bulk import seen by a second server after: median {statistics.median(seen_after):.3f} s, "
          f"most {max(seen_after):.3f} s ({len(seen_after)} imports of {args.signals})")
    for label in ("API JSON list", "API JSON list, return=minimal", "API CSV import"):
        ratios = [a / b for a, b in zip(rates[label], rates["raw executemany"], strict=True)]
        print(f"per-round {label}/executemany: " + ", ".join(f"{r:.2f}x" for r in ratios))


if __name__ == "__main__":
    main()
