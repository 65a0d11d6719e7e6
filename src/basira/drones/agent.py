"""The sensor agent: frames heard by a receiver, sent in batches to a central Basira server's ingest API
(``POST /v1/drones/frames``) with the sensor's API key, through a spool on disk.

Every batch is written to the spool (``NNN.json``, written whole then renamed, fsynced) before it is sent, and
removed only once the server has answered 200: while the server is away or restarting, batches wait there in
order and go out when it is back; an agent stopped and started again sends what it left. A batch the server
stored but whose reply was lost is sent again; the server skips frames it already holds (same sensor, receive
time and bytes, counted as ``duplicates``), so nothing is lost and nothing is doubled. A batch the server refuses
for good (4xx other than 408/429) is moved to ``rejected/`` with the reason, not retried and not lost.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from basira.drones.messages import Frame

#: Answers after which a batch is tried again later (the server is busy, restarting or away).
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def frame_json(frame: Frame, sensor: str) -> dict[str, Any]:
    """A frame in the API's batch format."""
    out: dict[str, Any] = {"sensor": sensor, "transport": frame.transport.value,
                           "data": base64.b64encode(frame.raw).decode(),
                           "received_at": frame.received_at.isoformat()}
    if frame.rssi is not None:
        out["rssi"] = frame.rssi
    if frame.source is not None:
        out["source"] = frame.source
    return out


class Spool:
    """Batches waiting to be sent, one JSON file each, in the order they were made."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rejected = folder / "rejected"
        self.rejected.mkdir(parents=True, exist_ok=True)
        existing = [int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit()]
        self._next = max(existing, default=0) + 1
        self._lock = threading.Lock()

    def put(self, frames: list[dict[str, Any]]) -> Path:
        """Write a batch durably and return its file."""
        with self._lock:
            n, self._next = self._next, self._next + 1
        path = self.folder / f"{n:012d}.json"
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            json.dump({"frames": frames}, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
        return path

    def pending(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.json") if p.stem.isdigit())

    def reject(self, path: Path, reason: str) -> None:
        path.replace(self.rejected / path.name)
        (self.rejected / f"{path.stem}.reason.txt").write_text(reason + "\n", encoding="utf-8")


@dataclass
class SendReport:
    """What the agent sent: batches and frames the server took, duplicates it skipped, batches refused."""

    batches: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected_frames: int = 0
    refused_batches: int = 0
    failures: int = 0
    last_problem: str | None = None
    alerts: int = 0
    problems: list[str] = field(default_factory=list)


class Agent:
    """Cuts frames into batches into the spool, and sends the spool to the server (see the module's doc)."""

    def __init__(self, server: str, key: str, sensor: str, spool: Spool, *, batch: int = 200,
                 interval_s: float = 1.0, timeout_s: float = 10.0, client: httpx.Client | None = None) -> None:
        self.url = server.rstrip("/") + "/v1/drones/frames"
        self.sensor = sensor
        self.spool = spool
        self.batch = batch
        self.interval_s = interval_s
        self.client = client or httpx.Client(timeout=timeout_s, headers={"Authorization": f"Bearer {key}"})
        self.report = SendReport()
        self._buffer: list[dict[str, Any]] = []
        self._cut_at = time.monotonic()
        self._lock = threading.Lock()

    def add(self, frame: Frame) -> None:
        """Take one frame heard by the sensor (frames that did not decode are not sent)."""
        if not frame.ok:
            return
        with self._lock:
            self._buffer.append(frame_json(frame, self.sensor))
            full = len(self._buffer) >= self.batch
        if full or time.monotonic() - self._cut_at >= self.interval_s:
            self.cut()

    def cut(self) -> None:
        """Put the frames taken so far into the spool as one batch."""
        with self._lock:
            frames, self._buffer = self._buffer, []
            self._cut_at = time.monotonic()
        if frames:
            self.spool.put(frames)

    def send_pending(self) -> bool:
        """Send the spooled batches in order; False when the server could not take one now (it stays)."""
        for path in self.spool.pending():
            body = path.read_bytes()
            try:
                r = self.client.post(self.url, content=body, headers={"content-type": "application/json"})
            except httpx.HTTPError as e:
                self.report.failures += 1
                self.report.last_problem = f"{type(e).__name__}: {e}"
                return False
            if r.status_code in RETRY_STATUSES:
                self.report.failures += 1
                self.report.last_problem = f"HTTP {r.status_code}"
                return False
            if r.status_code != 200:
                reason = f"HTTP {r.status_code}: {r.text[:500]}"
                self.spool.reject(path, reason)
                self.report.refused_batches += 1
                self.report.problems.append(f"{path.name}: {reason}")
                continue
            reply = r.json()
            self.report.batches += 1
            self.report.accepted += int(reply.get("accepted", 0))
            self.report.duplicates += int(reply.get("duplicates", 0))
            self.report.rejected_frames += int(reply.get("rejected", 0))
            self.report.alerts += len(reply.get("alerts") or [])
            path.unlink()
        return True

    def drain(self, deadline_s: float, *, backoff_s: float = 0.5, max_backoff_s: float = 10.0,
              stop: threading.Event | None = None) -> bool:
        """Send until the spool is empty or ``deadline_s`` passes (retrying with growing waits); True if empty."""
        end = time.monotonic() + deadline_s
        wait = backoff_s
        while True:
            if self.send_pending():
                return True
            if time.monotonic() + wait > end or (stop is not None and stop.is_set()):
                return not self.spool.pending()
            time.sleep(wait)
            wait = min(wait * 2, max_backoff_s)

    def run_sender(self, stop: threading.Event) -> threading.Thread:
        """Send in the background while frames come in (until ``stop``)."""
        def loop() -> None:
            wait = self.interval_s
            while not stop.is_set():
                if time.monotonic() - self._cut_at >= self.interval_s:
                    self.cut()  # a quiet radio: what was heard still goes out within the interval
                ok = self.send_pending()
                wait = self.interval_s if ok else min(wait * 2, 10.0)
                stop.wait(wait)

        thread = threading.Thread(target=loop, name="basira-agent-sender", daemon=True)
        thread.start()
        return thread
