"""Retention purge of a large number of drone frames while ingest runs: ingest latency p99 with and without it.

One process, the real services: drone frames are ingested through ``DroneService.ingest`` (decode, hash chain,
tracks, zone checks, commit) in batches at a fixed rate, all along, while phases alternate: ``--alone`` seconds
without the purge (the baseline), then ``--phase`` seconds while ``retention.purge.run`` deletes expired frames
of another sensor in batches of ``BASIRA_RETENTION_BATCH_SIZE``, resting between batches as the background job
does (each purge phase ends the run between two batches through ``PurgeOptions.stop``; the next one goes on), until
all ``--frames`` are gone. The ingest latency of a batch is the time from its scheduled start to its commit (open
loop: a slow batch does not slow the schedule); each batch counts for the phase it was scheduled in. The process's
resident memory is sampled twice a second: its peak in the purge phases against the alone phases shows the purge
holds no rows in memory. PostgreSQL by default, on a fresh database of the server at ``BASIRA_BENCH_POSTGRES``
(dropped at the end, filled with ``generate_series``); ``--database sqlite`` for a file in a temporary folder.

    .venv/bin/python bench/retention_purge.py [--frames 1000000] [--phase 10] [--alone 5] [--rate 5] [--batch 20]
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

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from basira.core import orgs
from basira.core.hashchain import GENESIS
from basira.core.instance import Instance
from basira.core.models import utcnow
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from basira.drones import evidence, sensors
from basira.drones.ingest import service
from basira.drones.intake import RawFrame
from basira.drones.models import DroneFrame, DroneSensor
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
    if inst.db.engine.dialect.name == "postgresql":
        # In the server: a million rows in seconds instead of minutes of parameter shipping.
        for first in range(1, n + 1, 200_000):
            with inst.db.session() as s:
                s.execute(text(
                    "INSERT INTO drone_frames (org_id, sensor_id, seq, received_at, transport, raw, uas_id, "
                    "prev_hash, hash) SELECT :org, :sensor, g, :old, 'bt5', :raw, 'OLDDRONE0001', :genesis, "
                    "md5(g::text) || md5((-g)::text) "
                    "FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS g"),
                    {"org": org_id, "sensor": sensor_id, "old": old, "raw": payload, "genesis": GENESIS,
                     "a": first, "b": min(first + 200_000 - 1, n)})
            with inst.db.session() as s:
                s.execute(text("ANALYZE drone_frames"))
        set_head(inst, sensor_id, n)
        return time.perf_counter() - started
    for first in range(1, n + 1, FILL_CHUNK):
        rows = [{"org_id": org_id, "sensor_id": sensor_id, "seq": seq, "received_at": old, "transport": "bt5",
                 "raw": payload, "uas_id": "OLDDRONE0001", "prev_hash": GENESIS, "hash": secrets.token_hex(32)}
                for seq in range(first, min(first + FILL_CHUNK, n + 1))]
        with inst.db.session() as s:
            s.execute(insert(DroneFrame), rows)
    set_head(inst, sensor_id, n)
    return time.perf_counter() - started


def set_head(inst: Instance, sensor_id: int, n: int) -> None:
    """The sensor's chain head names its last frame, as ingest leaves it."""
    with inst.db.session() as s:
        last = s.scalar(select(DroneFrame.hash).where(DroneFrame.sensor_id == sensor_id, DroneFrame.seq == n))
        s.execute(update(DroneSensor).where(DroneSensor.id == sensor_id).values(chain_seq=n, chain_hash=last))


def rss_mb() -> float:
    """The process's resident memory in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Ingest(threading.Thread):
    """Ingest batches at ``rate`` per second until stopped; each latency (ms) goes to the phase it was due in."""

    def __init__(self, inst: Instance, org_id: int, rate: float, batch: int) -> None:
        super().__init__(name="ingest", daemon=True)
        self.inst, self.org_id, self.rate, self.batch = inst, org_id, rate, batch
        self.phase = "warmup"
        self.latencies: dict[str, list[float]] = {"warmup": [], "alone": [], "purge": []}
        self.rss: dict[str, list[float]] = {"warmup": [], "alone": [], "purge": []}
        self.errors = 0
        self.done = threading.Event()

    def run(self) -> None:
        svc, admin = service(self.inst), system_principal(self.org_id, actor="bench")
        start, k, counter = time.perf_counter(), 0, 0
        while not self.done.is_set():
            due = start + k / self.rate
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            phase = self.phase
            frames = []
            for i in range(self.batch):
                counter += 1
                lat, lon = 46.9 + (counter % 1000) * 1e-4, 7.4 + (i % 50) * 1e-3
                frames.append(RawFrame("live", "bt5", raw_frame(f"LIVE{i:08d}", lat, lon, counter),
                                       received_at=utcnow(), rssi=-60.0))
            try:
                with self.inst.db.session() as s:
                    rep = svc.ingest(s, admin, frames)
                self.errors += len(rep.rejected)
            except Exception:
                self.errors += self.batch
            self.latencies[phase].append((time.perf_counter() - due) * 1000)
            k += 1


def sample_rss(ingest: Ingest) -> None:
    while not ingest.done.wait(0.5):
        ingest.rss[ingest.phase].append(rss_mb())


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
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--phase", type=float, default=10.0, help="seconds of each purge phase")
    ap.add_argument("--alone", type=float, default=5.0, help="seconds of each phase without the purge")
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
            print(f"# filled {args.frames} expired frames in {filled:.1f} s ({args.database}); "
                  f"rss {rss_mb():.0f} MiB", flush=True)
            ingest = Ingest(inst, org_id, args.rate, args.batch)
            sampler = threading.Thread(target=sample_rss, args=(ingest,), daemon=True)
            ingest.start()
            sampler.start()
            time.sleep(2.0)  # warm-up: caches, first track rows
            deleted, purging_s, phases = 0, 0.0, 0
            while True:
                ingest.phase = "alone"
                time.sleep(args.alone)
                ingest.phase = "purge"
                stop = threading.Event()
                result: list[int] = []

                def purge(stop: threading.Event = stop, result: list[int] = result) -> None:
                    options = PurgeOptions(kinds=("drone_frames",), org_ids=(org_id,), pause_s=BACKGROUND_PAUSE_S,
                                           stop=stop)
                    result.append(sum(r.deleted for r in run(inst, options)))

                t0 = time.perf_counter()
                worker = threading.Thread(target=purge)
                worker.start()
                worker.join(args.phase)
                stop.set()
                worker.join()
                purging_s += time.perf_counter() - t0
                deleted += result[0] if result else 0
                phases += 1
                if not stop.is_set() or deleted >= args.frames or not result or result[0] == 0:
                    break
            ingest.phase = "alone"
            time.sleep(args.alone)  # the last baseline phase, after the purge
            ingest.done.set()
            ingest.join()
            sampler.join()
            with inst.db.session() as s:
                left = s.scalar(select(func.count(DroneFrame.id)).where(DroneFrame.sensor_id == old_id))
                live = s.get(DroneSensor, old_id)
                chain = evidence.verify(s, live) if live is not None and left == 0 else None
            inst.close()
        finally:
            drop(made)
    alone, during = ingest.latencies["alone"], ingest.latencies["purge"]
    note = (f"{args.database}, {args.batch} frames x {args.rate:g}/s, {len(during)} batches in {phases} purge "
            f"phases, {len(alone)} alone")
    report("retention_purge_ingest_p99", p99(during), "ms", p99(alone), note)
    report("retention_purge_ingest_median", statistics.median(during), "ms", statistics.median(alone))
    report("retention_purge_frames_per_s", deleted / purging_s, "frames/s",
           note=f"{deleted} frames in {purging_s:.1f} s of purge phases, {left} left")
    report("retention_purge_rss_peak", max(ingest.rss["purge"]), "MiB", max(ingest.rss["alone"]),
           note="resident memory, peak in the purge phases against the phases without it")
    report("retention_purge_ingest_errors", ingest.errors, "frames")
    if chain is not None:
        print(f"# purged sensor chain: ok={chain.ok}, frames={chain.frames}, purged={chain.purged}")


if __name__ == "__main__":
    main()
