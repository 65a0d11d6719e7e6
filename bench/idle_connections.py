"""Idle and slow connections against uvicorn as ``basira serve`` runs it (api/serving.py), in one process.

The Basira app (SQLite in a temporary folder) is served on loopback with the protocol ``basira serve`` uses
(``--http``: httptools or h11, as ``BASIRA_SERVE_HTTP``) and the request-head deadline ``--deadline``; this process
then opens ``--connections`` connections that send nothing (half) or an unfinished request head (half), and measures
``GET /health/live`` (median of 20) before and while they are held, then counts how many the server closed once the
deadline passed. The same with uvicorn's plain protocol for that parser (``--protocol plain``) shows what the
deadline changes. Client and server share this process's file limit: two descriptors per connection.

    .venv/bin/python bench/idle_connections.py [--connections 9000] [--deadline 5] [--protocol guarded|plain]
        [--http auto|httptools|h11]
"""

from __future__ import annotations

import argparse
import dataclasses
import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from basira.api import serving
from basira.api.app import create_app
from basira.core.instance import Instance
from basira.core.settings import load_settings
from common import report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--connections", type=int, default=9000)
    ap.add_argument("--deadline", type=float, default=5.0)
    ap.add_argument("--protocol", choices=["guarded", "plain"], default="guarded")
    ap.add_argument("--http", choices=["auto", "httptools", "h11"], default="auto")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="basira-idle-"))
    inst = Instance(load_settings(environ={}, data_dir=tmp / "data", worker_interval_s=0,
                                  database_url=f"sqlite:///{tmp / 'data' / 'basira.db'}"))
    options = serving.configure(dataclasses.replace(inst.settings, serve_header_timeout_s=args.deadline,
                                                    serve_http=args.http))
    print(f"protocol: {options['http'].__name__}" + (" (its parser's plain uvicorn protocol)"
                                                      if args.protocol == "plain" else ""), flush=True)
    if args.protocol == "plain":
        options["http"] = "h11" if options["http"] is serving.GuardedH11Protocol else "httptools"
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(inst), log_level="warning", lifespan="off", **options))
    threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not srv.started:
        time.sleep(0.02)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)

    def latency() -> float:
        times = []
        for _ in range(20):
            started = time.perf_counter()
            if client.get("/health/live").status_code != 200:
                raise SystemExit("/health/live did not answer 200")
            times.append((time.perf_counter() - started) * 1000)
        return sorted(times)[10]

    before = latency()
    started = time.monotonic()
    held = []
    for n in range(args.connections):
        conn = socket.create_connection(("127.0.0.1", port))
        if n % 2:
            conn.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
        held.append(conn)
    last = time.monotonic()
    opened = last - started
    during = latency()
    time.sleep(max(0.0, args.deadline + 2 - (time.monotonic() - last)))
    closed = 0
    for conn in held:
        conn.setblocking(False)
        try:
            closed += conn.recv(1) == b""
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    after = latency()
    report("/health/live with the connections held", during, "ms", before,
           note=f"{args.protocol}, {args.connections} connections opened in {opened:.1f} s; baseline: before")
    report("/health/live afterwards", after, "ms", before)
    report("connections closed by the server", closed, f"of {args.connections}",
           note=f"{args.deadline + 2:.0f} s after the last was opened; deadline {args.deadline:.0f} s")
    for conn in held:
        conn.close()
    srv.should_exit = True
    inst.close()


if __name__ == "__main__":
    main()
