"""Ingest-to-alert latency through the HTTP API under a steady load: a real uvicorn server on 127.0.0.1 (a child
process, SQLite), 1,000 zones, drones flying through them, and a load generator posting batches of frames at a
fixed rate (open loop: a slow reply does not slow the schedule). Bounded: it runs ``--seconds`` and stops.

Two latencies are measured for each batch:

- **client** (the headline figure): from the moment the batch was *due* to be sent by the schedule to its reply.
  The reply leaves only after the transaction holding the frames and their alerts has committed, so this bounds
  "server received a frame → alert committed" from above: it adds the HTTP round trip, any wait in the load
  generator itself, and the time a request sits in the socket before the server reads it. Timing from the
  scheduled moment rather than from the actual send keeps a backed-up client from hiding server delays.
- **server**: measured inside the server process by an ASGI wrapper around the app, from the moment the server
  starts handling the request to the moment it starts sending the reply (after the commit). It is returned in
  the ``x-bench-server-ms`` header.

The baseline is the client round trip of ``GET /v1/health`` measured in the same run, under the same load.
The load generator builds every request body before the clock starts (only the receive time is stamped in at
send time), so that its own work takes as little as possible of the CPU the server shares with it.

    .venv/bin/python bench/drones_latency.py [--rate 1000] [--batch 50] [--seconds 20] [--drones 500] [--zones 1000]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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
SENSOR = (LAT0 + H / 2, LON0 + W / 2)  # one receiver in the middle, hearing 30 km
NOW = "@@RECEIVED_AT@@"  # stamped into a prepared body when it is sent
TIMING_HEADER = "x-bench-server-ms"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


def serving_app() -> ASGIApp:
    """The Basira app wrapped so that each reply says how long the server held its request (uvicorn factory)."""
    from basira.api.app import create_app, settle_for_serving

    app = create_app()
    settle_for_serving()  # as `basira serve` does before it serves

    async def timed(scope: Scope, receive: Callable[[], Awaitable[Message]],
                    send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()

        async def send_timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                message["headers"] = [*message.get("headers", []), (TIMING_HEADER.encode(), f"{ms:.3f}".encode())]
            await send(message)

        await app(scope, receive, send_timed)

    return timed


def setup(data_dir: Path, n_zones: int, rng: random.Random) -> str:
    inst = Instance(load_settings(environ={}, data_dir=data_dir))
    with inst.db.session() as s:
        org = orgs.create_org(s, "bench", "bench", "Bench", operator=True)
    admin = system_principal(org.id)
    with inst.db.session() as s:
        key = orgs.create_key(s, admin, org.id, "analyst", "load generator").secret
        sensors.create_sensor(s, admin, sensors.SensorSpec(ref="s1", lat=SENSOR[0], lon=SENSOR[1], range_m=30_000))
        # Circles of 100-300 m over about 45 x 45 km: a few per cent of the area, as around a city.
        specs = [ZoneSpec(ref=f"Z{i}", radius_m=rng.uniform(100, 300), geometry={
            "type": "Point", "coordinates": [LON0 + rng.uniform(0, W), LAT0 + rng.uniform(0, H)]})
            for i in range(n_zones)]
        zones.save_zones(s, admin, specs)
    inst.close()
    return key


def frame(uas: str, lat: float, lon: float, counter: int, rssi: float) -> dict[str, object]:
    loc = Location(status=2, height_type=1, direction=90.0, speed_horizontal=15.0, speed_vertical=0.0,
                   latitude=lat, longitude=lon, altitude_baro=None, altitude_geo=600.0, height=60.0)
    body = encode_message(BasicID(id_type=1, ua_type=2, uas_id=uas)) + encode_message(loc)
    data = bytes([0x0D, counter & 0xFF, 0xF2, 25, 2]) + body
    return {"sensor": "s1", "transport": "bt5", "data": base64.b64encode(data).decode(), "rssi": rssi,
            "received_at": NOW}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=1000, help="frames per second")
    ap.add_argument("--batch", type=int, default=50, help="frames per request")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--drones", type=int, default=500)
    ap.add_argument("--zones", type=int, default=1000)
    ap.add_argument("--warmup-seconds", type=float, default=5.0,
                    help="seconds at the same rate before the measured ones (not measured)")
    args = ap.parse_args()
    rng = random.Random(1)
    data_dir = Path(tempfile.mkdtemp(prefix="basira-bench-"))
    key = setup(data_dir, args.zones, rng)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "BASIRA_DATA_DIR": str(data_dir), "BASIRA_DEMO": "0"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "drones_latency:serving_app", "--factory",
                               "--app-dir", str(Path(__file__).parent), "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning", "--no-access-log"], env=env)
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
            run(client, args, rng, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


def prepare(args: argparse.Namespace, rng: random.Random, n_batches: int) -> list[bytes]:
    """Every request body of the run, drones flying east at 15 m/s, with a placeholder for the receive time."""
    drones = [[f"BENCH{i:06d}", LAT0 + rng.uniform(0, H), LON0 + rng.uniform(0, W), 0] for i in range(args.drones)]
    per_drone_hz = args.rate / args.drones
    step_deg = 15.0 / per_drone_hz / (111_320 * 0.68)  # 15 m/s eastwards at 47°N
    bodies = []
    cursor = 0
    for _ in range(n_batches):
        out = []
        for _ in range(args.batch):
            d = drones[cursor % len(drones)]
            cursor += 1
            d[2] = d[2] + step_deg if d[2] < LON0 + W else LON0
            d[3] += 1
            lat, lon = float(d[1]), float(d[2])
            # A signal as a real drone there would give: 12 dB under the strongest a legal transmitter at that
            # distance can (a fixed strong reading from far away is what the spoofing rules flag).
            rssi = round(sensors.max_rssi_dbm(zones.distance_m(SENSOR[1], SENSOR[0], lon, lat)) - 12.0, 1)
            out.append(frame(str(d[0]), lat, lon, int(d[3]), rssi))
        bodies.append(json.dumps({"frames": out}, separators=(",", ":")).encode())
    return bodies


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(client: httpx.Client, args: argparse.Namespace, rng: random.Random, server_pid: int) -> None:
    interval = args.batch / args.rate
    opening = (args.drones + args.batch - 1) // args.batch
    warm = int(args.warmup_seconds / interval)
    n = int(args.seconds / interval)
    bodies = prepare(args, rng, opening + warm + n)
    lock = threading.Lock()
    client_ms: list[float] = []
    alert_ms: list[float] = []
    server_ms: list[float] = []
    alert_server_ms: list[float] = []
    health_ms: list[float] = []
    alerts = frames_sent = errors = late = 0
    placeholder = NOW.encode()
    headers = {"content-type": "application/json"}

    def send(body: bytes) -> httpx.Response:
        stamped = body.replace(placeholder, dt.datetime.now(dt.UTC).isoformat().encode())
        return client.post("/v1/drones/frames", content=stamped, headers=headers)

    def post(body: bytes, due: float, measured: bool = True) -> None:
        nonlocal alerts, frames_sent, errors
        r = send(body)
        ms = (time.perf_counter() - due) * 1000
        if not measured:
            return
        with lock:
            if r.status_code != 200:
                errors += 1
                return
            reply = r.json()
            on_server = float(r.headers.get(TIMING_HEADER, "nan"))
            frames_sent += reply["accepted"]
            client_ms.append(ms)
            server_ms.append(on_server)
            if reply["alerts"]:
                alerts += len(reply["alerts"])
                alert_ms.append(ms)
                alert_server_ms.append(on_server)

    def health() -> None:
        t = time.perf_counter()
        client.get("/v1/health")
        with lock:
            health_ms.append((time.perf_counter() - t) * 1000)

    # Warm-up, not measured: every drone's first frame opens its track (and its watchlist lookup), then
    # ``--warmup-seconds`` at the measured rate, so that the figures are those of a server in its steady state
    # rather than of its first seconds (first use of each code path, the collector's first passes over the
    # start-up heap).
    for body in bodies[:opening]:
        send(body)
    with ThreadPoolExecutor(max_workers=16) as pool:
        begin = time.perf_counter()
        for i in range(warm):
            wait = begin + i * interval - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            pool.submit(post, bodies[opening + i], 0.0, False)
        load_before = os.getloadavg()[0]
        start = begin + warm * interval
        cpu_before = cpu_seconds(server_pid)
        for i in range(n):
            due = start + i * interval
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            elif wait < -interval:
                late += 1
            pool.submit(post, bodies[opening + warm + i], due)
            if i % 10 == 5:
                pool.submit(health)
    elapsed = time.perf_counter() - start
    server_cpu = cpu_seconds(server_pid) - cpu_before
    load_after = os.getloadavg()[0]
    p50, p99 = pct(alert_ms, 50), pct(alert_ms, 99)
    h50, h99 = pct(health_ms, 50), pct(health_ms, 99)
    print(f"drones_latency_p99: {p99:.1f} ms ingest-to-alert at {frames_sent / elapsed:,.0f} frames/s "
          f"(baseline: {h99:.1f} ms health round trip p99, ratio: {p99 / h99:.1f}x)")
    print(f"drones_latency_p50: {p50:.1f} ms ingest-to-alert (baseline: {h50:.1f} ms, ratio: {p50 / h50:.1f}x)")
    print(f"# server side (request handled -> reply after commit), alert batches: p50 {pct(alert_server_ms, 50):.1f} "
          f"ms, p99 {pct(alert_server_ms, 99):.1f} ms, max {max(alert_server_ms, default=float('nan')):.1f} ms; "
          f"all batches: p50 {pct(server_ms, 50):.1f} ms, p99 {pct(server_ms, 99):.1f} ms")
    print(f"# client, all batches: p50 {pct(client_ms, 50):.1f} ms, p99 {pct(client_ms, 99):.1f} ms, max "
          f"{max(client_ms, default=float('nan')):.1f} ms; {len(client_ms)} batches of {args.batch} in "
          f"{elapsed:.1f} s; {len(alert_ms)} batches raised {alerts} alerts; {errors} errors; {late} batches "
          f"sent late; {args.drones} drones, {args.zones} zones; load average {load_before:.2f} -> "
          f"{load_after:.2f} on {os.cpu_count()} CPUs; server CPU {server_cpu / max(frames_sent, 1) * 1000:.3f} "
          f"ms per frame ({server_cpu / elapsed * 100:.0f}% of one core)")


if __name__ == "__main__":
    main()
