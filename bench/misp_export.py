"""MISP feed export rate: a bank of 100,000 signals written as a MISP feed, against two baselines in the same run
on the same database: the same columns read the same way and written as plain JSON lines with ``json`` (the
floor: what any export must do), and the bank's own JSON-lines export (``basira bank export``).

    .venv/bin/python bench/misp_export.py            # --n 10000 for a quick run

The bank mixes the types a MISP feed carries (MD5, SHA-256, PDQ, URLs, domains, Bitcoin wallets); rows are
inserted directly (the bench measures exports, not imports). Prints the best of ``--repeat`` interleaved
runs of each.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from basira.core import banks, bulk, orgs
from basira.core.instance import Instance
from basira.core.models import Entry, Signal
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings
from basira.finance import wallets
from basira.sharing.misp import export_feed
from common import report

MIX = [("md5", 0.35), ("sha256", 0.25), ("pdq", 0.25), ("url", 0.08), ("domain", 0.05), ("crypto_address", 0.02)]


def _value(kind: str, i: int, rng: random.Random) -> tuple[str, str]:
    seed = f"{kind}-{i}".encode()
    if kind == "md5":
        return hashlib.md5(seed, usedforsecurity=False).hexdigest(), "file"
    if kind == "sha256":
        return hashlib.sha256(seed).hexdigest(), "file"
    if kind == "pdq":
        return hashlib.sha256(seed + b"pdq").hexdigest(), "photo"
    if kind == "url":
        return f"https://site{i % 997}.example.com/post/{i}", "url"
    if kind == "domain":
        return f"host{i}.example{i % 89}.org", "url"
    return wallets.b58check_encode(b"\x00" + rng.randbytes(20)), "wallet"


def fill(inst: Instance, admin: Principal, n: int) -> int:
    rng = random.Random(7)
    kinds = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX], k=n)
    with inst.db.session() as s:
        bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(name="bench", tlp="GREEN"))
        bank_id = bank.id
    with inst.db.session() as s:
        values = [_value(k, i, rng) for i, k in enumerate(kinds)]
        s.execute(insert(Entry), [{"id": i + 1, "bank_id": bank_id, "ref": f"e{i}", "content_type": ct,
                                   "attributes": {}} for i, (_, ct) in enumerate(values)])
        s.execute(insert(Signal), [{"entry_id": i + 1, "bank_id": bank_id, "signal_type": k, "value": v,
                                    "labels": ["bench"], "provenance": "bench", "enabled": True}
                                   for i, (k, (v, _)) in enumerate(zip(kinds, values, strict=True))])
    return bank_id


def time_misp(inst: Instance, admin: Principal, bank_id: int, folder: Path) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    with inst.db.session() as s:
        export_feed(s, admin, bank_id, folder)
    return time.perf_counter() - start


def time_plain(inst: Instance, bank_id: int, path: Path) -> float:
    start = time.perf_counter()
    with inst.db.session() as s, path.open("w", encoding="utf-8") as f:
        after = 0
        while True:
            rows = s.execute(select(Signal.id, Signal.signal_type, Signal.value, Signal.labels, Signal.updated_at)
                             .where(Signal.bank_id == bank_id, Signal.id > after, Signal.enabled.is_(True))
                             .order_by(Signal.id).limit(5000)).all()
            if not rows:
                break
            for r in rows:
                f.write(json.dumps({"id": r[0], "type": r[1], "value": r[2], "labels": r[3],
                                    "timestamp": int(r[4].timestamp())}) + "\n")
            after = rows[-1][0]
    return time.perf_counter() - start


def time_jsonl(inst: Instance, admin: Principal, bank_id: int, path: Path) -> float:
    start = time.perf_counter()
    with inst.db.session() as s, path.open("w", encoding="utf-8") as f:
        for chunk in bulk.export_signals(s, admin, bank_id, "jsonl"):
            f.write(chunk)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000, help="signals in the bank")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-misp-"))
    try:
        inst = Instance(load_settings(environ={}, data_dir=work / "data", secret_key="bench", worker_interval_s=0))
        with inst.db.session() as s:
            admin = system_principal(orgs.create_org(s, "bench", "bench", "Bench").id, actor="bench")
        bank_id = fill(inst, admin, args.n)
        # Interleaved, so that a change of load on a shared machine weighs on all three alike.
        times: dict[str, list[float]] = {"misp": [], "plain": [], "bank": []}
        for _ in range(args.repeat):
            times["misp"].append(time_misp(inst, admin, bank_id, work / "feed"))
            times["plain"].append(time_plain(inst, bank_id, work / "plain.jsonl"))
            times["bank"].append(time_jsonl(inst, admin, bank_id, work / "bank.jsonl"))
        misp, plain, bank_export = min(times["misp"]), min(times["plain"]), min(times["bank"])
        size = sum(f.stat().st_size for f in (work / "feed").iterdir())
        report(f"misp_export_{args.n}", args.n / misp, "signals/s", args.n / plain,
               f"feed {size / 1e6:.1f} MB; baseline: the same columns as plain JSON lines "
               f"({(work / 'plain.jsonl').stat().st_size / 1e6:.1f} MB)")
        report(f"misp_export_{args.n}_vs_bank_export", args.n / misp, "signals/s", args.n / bank_export,
               "baseline: basira bank export --format jsonl")
        inst.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("BASIRA_LOG_LEVEL", "WARNING")
    main()
