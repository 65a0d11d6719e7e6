"""``basira scan`` throughput with 1 and 2 Dask worker processes, against plain pdqhash in one process.

Photo-like generated JPEGs (bench/imagegen.py, cached) are scanned by :func:`basira.core.scan.run_scan` on a
``LocalCluster`` of one worker process, then of two, interleaved pass by pass (1, 2, 1, 2, ...) so that both see the
same machine; each pass is a new scan run (recorded, against a bank of 1,000 PDQ hashes). The baseline is the raw
library: the same files read and hashed by ``pdqhash`` in this process, one after another, measured in the same
passes. Reports files/s (median of the passes) and the ratios 2 workers / 1 worker and 1 worker / pdqhash.
SQLite in a temporary folder by default.

    .venv/bin/python bench/scan_throughput.py [--photos 10000] [--passes 3] [--size 1280x720]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pdqhash
from distributed import Client, LocalCluster
from PIL import Image

from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.principal import system_principal
from basira.core.scan import run_scan
from basira.core.settings import load_settings
from common import report
from imagegen import cached_jpegs


def _raw(files: list[Path]) -> float:
    started = time.perf_counter()
    for f in files:
        with Image.open(f) as img:
            pdqhash.compute(np.asarray(img.convert("RGB")))
    return len(files) / (time.perf_counter() - started)


def _scan(inst: Instance, admin: object, folder: Path, workers: int, chunk: int) -> float:
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        client.run(lambda: __import__("basira.core.scan"))  # worker start-up is not part of the figure
        started = time.perf_counter()
        report_ = run_scan(inst, admin, folder, client=client, chunk_size=chunk)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
    finally:
        client.close()
        cluster.close()
    assert report_.items == report_.total and not report_.errors, report_.errors[:3]
    # A new run each pass: the run just made is finished, so the next pass scans everything again.
    return report_.items / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--photos", type=int, default=10_000)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--chunk", type=int, default=64)
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))
    files = cached_jpegs(f"scan-{w}x{h}", range(args.photos), (w, h))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "catalogue"
        folder.mkdir()
        for f in files:  # the scan walks regular files only (never links)
            try:
                os.link(f, folder / f.name)
            except OSError:
                shutil.copyfile(f, folder / f.name)
        inst = Instance(load_settings(environ={}, data_dir=Path(tmp) / "data", worker_interval_s=0))
        with inst.db.session() as s:
            org = orgs.create_org(s, "bench", "bench", "Bench", operator=True)
            admin = system_principal(org.id, actor="bench")
            bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(name="known"))
            rng = np.random.default_rng(7)
            specs = [banks.SignalSpec("pdq", "".join(f"{b:02x}" for b in rng.integers(0, 256, 32)),
                                      entry_ref=f"known-{i}") for i in range(1000)]
            banks.add_signals(s, admin, inst.registry, inst.settings, bank.id, specs, audit_each=False)
        one, two, raw = [], [], []
        for n in range(args.passes):
            raw.append(_raw(files))
            one.append(_scan(inst, admin, folder, 1, args.chunk))
            two.append(_scan(inst, admin, folder, 2, args.chunk))
            print(f"pass {n + 1}: pdqhash {raw[-1]:.1f}/s, 1 worker {one[-1]:.1f}/s, 2 workers {two[-1]:.1f}/s",
                  flush=True)
        inst.close()
    m1, m2, mr = statistics.median(one), statistics.median(two), statistics.median(raw)
    report("scan, 2 workers", m2, "files/s", m1, note=f"{args.photos} JPEGs {w}x{h}, ratio against 1 worker")
    report("scan, 1 worker", m1, "files/s", mr, note="recorded and matched; baseline pdqhash in one process")


if __name__ == "__main__":
    main()
