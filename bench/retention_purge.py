"""Retention purge of a large number of drone frames while ingest runs: ingest latency p99 with and without it.

One process, the real services: drone frames are ingested through ``DroneService.ingest`` (decode, hash chain,
tracks, zone checks, commit) in batches at a fixed rate, first alone (the baseline), then while
``retention.purge.run`` deletes ``--frames`` expired frames of another sensor in batches of
``BASIRA_RETENTION_BATCH_SIZE``, resting between batches as the background job does. The ingest latency of a
batch is the time from its scheduled start to its commit (open loop: a slow batch does not slow the schedule).
PostgreSQL by default, on a fresh database of the server at ``BASIRA_BENCH_POSTGRES`` (dropped at the end);
``--database sqlite`` for a file in a temporary folder.

    .venv/bin/python bench/retention_purge.py [--frames 300000] [--seconds 20] [--rate 5] [--batch 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.models import utcnow
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from basira.drones import sensors
from basira.drones.ingest import service
from basira.drones.intake import RawFrame
from basira.drones.models import GENESIS, DroneFrame
from basira.drones.remoteid import BasicID, Location, encode_message
from basira.retention.purge import BACKGROUND_PAUSE_S, PurgeOptions, run
from common import report

PG = os.environ.get("BASIRA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
FILL_CHUNK = 20_000


def raw_frame(uas: str, lat: float, lon: float, counter: int) -> bytes:
    loc = Location(status=2, height_type=1, direction=90.0, speed_horizontal=15.0, speed_vertical=0.0,
                   latitude=lat, longitude=lon, altitude_baro=None, altitude_geo=600.0, height=60.0)
    body = encode_message(BasicID(id_type=1, ua_type=2, uas_id=uas)) + encode_message(loc)
    return bytes([0x0D, counter & 0xFF, 0xF2, 25, 2]) + body


def fill(inst: Instance, org_id: int, sensor_id: int, n: int) -> float:
    """Insert ``n`` frames received 60 days ago (expired under the 30-day default); returns seconds taken."""
    started = time.perf_counter()
    old = utcnow() - dt.timedelta(days=60)
    payload = raw_frame("OLDDRONE0001", 46.9, 7.4, 0)
    for first in range(1, n + 1, FILL_CHUNK):
        rows = [{"org_id": org_id, "sensor_id": sensor_id, "seq": seq, "received_at": old, "transport": "bt5",
                 "raw": payload, "uas_id": "OLDDRONE0001", "prev_hash": GENESIS, "hash": secrets.token_hex(32)}
                for seq in range(first, min(first + FILL_CHUNK, n + 1))]
        with inst.db.session() as s:
            s.execute(insert(DroneFrame), rows)
    return time.perf_counter() - started


def ingest_for(inst: Instance, org_id: int, seconds: float, rate: float, batch: int, counter: list[int],
               until: threading.Event | None = None) -> tuple[list[float], int]:
    """Ingest batches at ``rate`` per second for ``seconds`` (and until ``until`` is set); latencies in ms."""
    svc, admin = service(inst), system_principal(org_id, actor="bench")
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    k = 0
    while True:
        due = start + k / rate
        if due - start > seconds and (until is None or until.is_set()):
            break
        if (wait := due - time.perf_counter()) > 0:
            time.sleep(wait)
        frames = []
        for i in range(batch):
            counter[0] += 1
            lat, lon = 46.9 + (counter[0] % 1000) * 1e-4, 7.4 + (i % 50) * 1e-3
            frames.append(RawFrame("live", "bt5", raw_frame(f"LIVE{i:08d}", lat, lon, counter[0]),
                                   received_at=utcnow(), rssi=-60.0))
        try:
            with inst.db.session() as s:
                rep = svc.ingest(s, admin, frames)
            errors += len(rep.rejected)
        except Exception:
            errors += batch
        latencies.append((time.perf_counter() - due) * 1000)
        k += 1
    return latencies, errors


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else values[0]


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
    ap.add_argument("--frames", type=int, default=300_000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rate", type=float, default=5.0, help="ingest batches per second")
    ap.add_argument("--batch", type=int, default=20, help="frames per ingest batch")
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, made = database(args.database, Path(tmp))
        try:
            inst = Instance(load_settings(environ={}, data_dir=Path(tmp) / "data", database_url=url,
                                          worker_interval_s=0, retention_interval_s=0))
            with inst.db.session() as s:
                org = orgs.create_org(s, "bench", "acme", "Acme", operator=True)
                admin = system_principal(org.id, actor="bench")
                sensors.create_sensor(s, admin, sensors.SensorSpec(ref="live", lat=46.95, lon=7.45, range_m=50_000))
                old = sensors.create_sensor(s, admin, sensors.SensorSpec(ref="old", lat=46.95, lon=7.45))
                org_id, old_id = org.id, old.id
            filled = fill(inst, org_id, old_id, args.frames)
            print(f"# filled {args.frames} expired frames in {filled:.1f} s ({args.database})", flush=True)
            counter = [0]
            ingest_for(inst, org_id, 2.0, args.rate, args.batch, counter)  # warm-up: caches, first track rows
            alone, errors_alone = ingest_for(inst, org_id, args.seconds, args.rate, args.batch, counter)
            done = threading.Event()
            purged: dict[str, float] = {}

            def purge() -> None:
                t0 = time.perf_counter()
                options = PurgeOptions(kinds=("drone_frames",), org_ids=(org_id,), pause_s=BACKGROUND_PAUSE_S)
                reports = run(inst, options)
                purged.update(seconds=time.perf_counter() - t0, deleted=sum(r.deleted for r in reports))
                done.set()

            worker = threading.Thread(target=purge)
            worker.start()
            during, errors_during = ingest_for(inst, org_id, args.seconds, args.rate, args.batch, counter, done)
            worker.join()
            with inst.db.session() as s:
                left = s.scalar(select(func.count(DroneFrame.id)).where(DroneFrame.sensor_id == old_id))
            inst.close()
        finally:
            drop(made)
    note = f"{args.database}, {args.batch} frames x {args.rate:g}/s, {len(during)} batches during the purge"
    report("retention_purge_ingest_p99", p99(during), "ms", p99(alone), note)
    report("retention_purge_ingest_median", statistics.median(during), "ms", statistics.median(alone))
    report("retention_purge_frames_per_s", purged["deleted"] / purged["seconds"], "frames/s",
           note=f"{int(purged['deleted'])} frames in {purged['seconds']:.1f} s, {left} left")
    report("retention_purge_ingest_errors", errors_alone + errors_during, "frames")


if __name__ == "__main__":
    main()
