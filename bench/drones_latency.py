"""Ingest-to-alert latency through the HTTP API under a steady load: a real uvicorn server on 127.0.0.1 (a child
process, SQLite), 1,000 zones, drones flying through them, and a load generator posting batches of frames at a
fixed rate (open loop: a slow reply does not slow the schedule). Bounded: it runs ``--seconds`` and stops.

Latency is measured at the load generator, from sending a batch to its reply: the reply leaves only after the
transaction holding the frames and their alerts has committed, so this bounds "server received a frame → alert
committed" from above (it adds the HTTP round trip). The baseline is the round trip of ``GET /v1/health`` measured
in the same run, under the same load.

    .venv/bin/python bench/drones_latency.py [--rate 1000] [--batch 50] [--seconds 20] [--drones 500]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from basira.drones import sensors, zones
from basira.drones.remoteid import BasicID, Location, encode_message
from basira.drones.zonefiles import ZoneSpec

LON0, LAT0 = 7.40, 46.90
W, H = 0.6, 0.4  # degrees of longitude and latitude of the area the drones fly over


def setup(data_dir: Path, n_zones: int, rng: random.Random) -> str:
    inst = Instance(load_settings(environ={}, data_dir=data_dir))
    with inst.db.session() as s:
        org = orgs.create_org(s, "bench", "bench", "Bench", operator=True)
    admin = system_principal(org.id)
    with inst.db.session() as s:
        key = orgs.create_key(s, admin, org.id, "analyst", "load generator").secret
        sensors.create_sensor(s, admin, sensors.SensorSpec(ref="s1", lat=LAT0 + H / 2, lon=LON0 + W / 2,
                                                           range_m=30_000))
        # Circles of 100-300 m over about 45 x 45 km: a few per cent of the area, as around a city.
        specs = [ZoneSpec(ref=f"Z{i}", radius_m=rng.uniform(100, 300), geometry={
            "type": "Point", "coordinates": [LON0 + rng.uniform(0, W), LAT0 + rng.uniform(0, H)]})
            for i in range(n_zones)]
        zones.save_zones(s, admin, specs)
    inst.close()
    return key


def frame(uas: str, lat: float, lon: float, counter: int) -> dict[str, object]:
    loc = Location(status=2, height_type=1, direction=90.0, speed_horizontal=15.0, speed_vertical=0.0,
                   latitude=lat, longitude=lon, altitude_baro=None, altitude_geo=600.0, height=60.0)
    body = encode_message(BasicID(id_type=1, ua_type=2, uas_id=uas)) + encode_message(loc)
    data = bytes([0x0D, counter & 0xFF, 0xF2, 25, 2]) + body
    return {"sensor": "s1", "transport": "bt5", "data": base64.b64encode(data).decode(), "rssi": -95.0,
            "received_at": dt.datetime.now(dt.UTC).isoformat()}


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=1000, help="frames per second")
    ap.add_argument("--batch", type=int, default=50, help="frames per request")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--drones", type=int, default=500)
    ap.add_argument("--zones", type=int, default=1000)
    args = ap.parse_args()
    rng = random.Random(1)
    data_dir = Path(tempfile.mkdtemp(prefix="basira-bench-"))
    key = setup(data_dir, args.zones, rng)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "BASIRA_DATA_DIR": str(data_dir), "BASIRA_DEMO": "0"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "basira.api.app:create_app", "--factory",
                               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                               "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            run(client, args, rng)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(client: httpx.Client, args: argparse.Namespace, rng: random.Random) -> None:
    drones = [[f"BENCH{i:06d}", LAT0 + rng.uniform(0, H), LON0 + rng.uniform(0, W), 0] for i in range(args.drones)]
    per_drone_hz = args.rate / args.drones
    step_deg = 15.0 / per_drone_hz / (111_320 * 0.68)  # 15 m/s eastwards at 47°N
    interval = args.batch / args.rate
    lock = threading.Lock()
    all_ms: list[float] = []
    alert_ms: list[float] = []
    health_ms: list[float] = []
    alerts = frames_sent = errors = 0
    late = 0
    cursor = 0

    def next_batch() -> list[dict[str, object]]:
        nonlocal cursor
        out = []
        for _ in range(args.batch):
            d = drones[cursor % len(drones)]
            cursor += 1
            d[2] = d[2] + step_deg if d[2] < LON0 + W else LON0
            d[3] += 1
            out.append(frame(str(d[0]), float(d[1]), float(d[2]), int(d[3])))
        return out

    def post(batch: list[dict[str, object]]) -> None:
        nonlocal alerts, frames_sent, errors
        t = time.perf_counter()
        r = client.post("/v1/drones/frames", json={"frames": batch})
        ms = (time.perf_counter() - t) * 1000
        with lock:
            if r.status_code != 200:
                errors += 1
                return
            body = r.json()
            frames_sent += body["accepted"]
            all_ms.append(ms)
            if body["alerts"]:
                alerts += len(body["alerts"])
                alert_ms.append(ms)

    def health() -> None:
        t = time.perf_counter()
        client.get("/v1/health")
        with lock:
            health_ms.append((time.perf_counter() - t) * 1000)

    # Warm-up, not measured: every drone's first frame opens its track (and its watchlist lookup).
    for _ in range((args.drones + args.batch - 1) // args.batch):
        client.post("/v1/drones/frames", json={"frames": next_batch()})
    start = time.perf_counter()
    n = int(args.seconds / interval)
    with ThreadPoolExecutor(max_workers=8) as pool:
        for i in range(n):
            due = start + i * interval
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            elif wait < -interval:
                late += 1
            pool.submit(post, next_batch())
            if i % 10 == 5:
                pool.submit(health)
    elapsed = time.perf_counter() - start
    p50, p99 = pct(alert_ms, 50), pct(alert_ms, 99)
    h99 = pct(health_ms, 99)
    print(f"drones_latency_p99: {p99:.1f} ms ingest-to-alert at {frames_sent / elapsed:,.0f} frames/s "
          f"(baseline: {h99:.1f} ms health round trip p99, ratio: {p99 / h99:.1f}x)")
    print(f"drones_latency_p50: {p50:.1f} ms ingest-to-alert (baseline: {pct(health_ms, 50):.1f} ms, "
          f"ratio: {p50 / pct(health_ms, 50):.1f}x)")
    print(f"# {len(all_ms)} batches of {args.batch} in {elapsed:.1f} s; all batches p50 {pct(all_ms, 50):.1f} ms, "
          f"p99 {pct(all_ms, 99):.1f} ms; {len(alert_ms)} batches raised {alerts} alerts; {errors} errors; "
          f"{late} batches sent late; {args.drones} drones, {args.zones} zones")


if __name__ == "__main__":
    main()
