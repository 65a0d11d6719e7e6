"""Photo uploads through the match API (1080p JPEG, multipart ``POST /v1/match``) under ``wrk``, against the same
photos hashed by pdqhash in one process, round by round.

``--photos`` generated 1920x1080 JPEGs (quality 90; ``bench/imagegen.py``, cached under ``.bench-cache/``) are sent
over ``--connections`` kept-alive connections to ``basira serve --workers N`` on PostgreSQL, each request one photo
as the multipart field ``file`` (``store`` false: a lookup; ``--store``: the item is stored, as a platform's
upload check would). The bank holds ``--signals`` random PDQ and sha256 values (written with ``COPY``) and the PDQ
of every second photo, so half the uploads are hits. Each round runs the server for ``--seconds``, then the
baseline for as long: the same JPEG bytes decoded by Pillow and hashed by ``pdqhash.compute`` in this one process,
one after the other (what a single-process hashing service without checks would do). The report gives uploads/s,
p50/p99 (wrk's), errors, the baseline's photos/s, and the ratio per round and at the median. The server's figure
includes receiving the upload, the size and format guards, Basira's PDQ path (reduced decode, quality), md5 and
sha256, the lookup in every bank and the answer.

    .venv/bin/python bench/photo_uploads.py [--photos 40] [--signals 100000] [--workers 2] [--connections 4]
        [--seconds 30] [--rounds 3] [--store]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pdqhash
from PIL import Image
from sqlalchemy import select

from basira.content.photo import bits_to_hex
from basira.core import banks
from basira.core.instance import Instance
from basira.core.models import Bank
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from common import report
from imagegen import cached_jpegs
from match_load import _serve, _stop
from match_wrk import _fill, _wrk, drop_database, fresh_database

BOUNDARY = "basira-bench-boundary"

LUA = r"""
local bodies = {}
local key = os.getenv("BASIRA_BENCH_KEY")
local folder = os.getenv("BASIRA_BENCH_UPLOADS")
local count = tonumber(os.getenv("BASIRA_BENCH_UPLOAD_COUNT"))
for i = 1, count do
  local f = assert(io.open(folder .. "/" .. (i - 1) .. ".body", "rb"))
  bodies[i] = f:read("*a")
  f:close()
end
local headers = {["Content-Type"] = "multipart/form-data; boundary=" .. os.getenv("BASIRA_BENCH_BOUNDARY"),
                 ["Authorization"] = "Bearer " .. key}
local n = 0

function setup(thread)
  thread:set("offset", math.random(#bodies))
end

request = function()
  n = n + 1
  return wrk.format("POST", "/v1/match", headers, bodies[((offset or 0) + n) % #bodies + 1])
end
"""


def _pdq(data: bytes) -> str:
    """The photo's PDQ by a full Pillow decode and pdqhash (the baseline's work)."""
    with Image.open(io.BytesIO(data)) as img:
        rgb = np.asarray(img.convert("RGB"))
    bits, _quality = pdqhash.compute(rgb)
    return bits_to_hex(bits)


def _body(data: bytes, store: bool) -> bytes:
    parts = [f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"store\"\r\n\r\n{str(store).lower()}\r\n".encode(),
             f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.jpg\"\r\n"
             "Content-Type: image/jpeg\r\n\r\n".encode(), data, f"\r\n--{BOUNDARY}--\r\n".encode()]
    return b"".join(parts)


def _baseline(photos: list[bytes], seconds: float) -> float:
    """Photos per second hashed by Pillow + pdqhash in this process for ``seconds``."""
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        _pdq(photos[done % len(photos)])
        done += 1
    return done / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--photos", type=int, default=40)
    ap.add_argument("--signals", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--store", action="store_true", help="store each uploaded item (store=true)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    paths = cached_jpegs("uploads-1080p", range(args.photos), (1920, 1080))
    photos = [p.read_bytes() for p in paths]
    print(f"{len(photos)} JPEGs of 1920x1080, {statistics.mean(map(len, photos)) / 1024:.0f} KiB on average",
          flush=True)
    rng = random.Random(21)
    tmp = Path(tempfile.mkdtemp(prefix="basira-uploads-"))
    admin, name, url = fresh_database("basira_up")
    procs = []
    rounds: list[dict[str, float]] = []
    try:
        inst = Instance(load_settings(environ={}, data_dir=tmp / "data", database_url=url, worker_interval_s=0))
        key, _shas, _pdqs = _fill(url, inst, args.signals, rng)
        with inst.db.session() as s:
            bank = s.scalars(select(Bank).where(Bank.name == "known")).one()
            banks.add_signals(s, system_principal(bank.org_id, actor="bench"), inst.registry, inst.settings, bank.id,
                              [banks.SignalSpec("pdq", _pdq(data), entry_ref=f"photo-{i}")
                               for i, data in enumerate(photos) if i % 2 == 0])
        inst.close()
        uploads = tmp / "uploads"
        uploads.mkdir()
        for i, data in enumerate(photos):
            (uploads / f"{i}.body").write_bytes(_body(data, args.store))
        (tmp / "uploads.lua").write_text(LUA)
        env = {**os.environ, "BASIRA_DATA_DIR": str(tmp / "data"), "BASIRA_DATABASE_URL": url,
               "BASIRA_SECRET_KEY": "bench", "BASIRA_MATCH_RATE_PER_KEY": "0", "BASIRA_MATCH_RATE_PER_ORG": "0",
               "BASIRA_BENCH_KEY": key, "BASIRA_BENCH_UPLOADS": str(uploads),
               "BASIRA_BENCH_UPLOAD_COUNT": str(len(photos)), "BASIRA_BENCH_BOUNDARY": BOUNDARY,
               "BASIRA_BENCH_SCRIPT": str(tmp / "uploads.lua")}
        base = _serve(procs, env, args.workers)
        # Each photo once, to check the set-up: every second one is in the bank.
        matched = 0
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
            for data in photos:
                answer = client.post("/v1/match", files={"file": ("upload.jpg", data, "image/jpeg")},
                                     data={"store": "false"})
                answer.raise_for_status()
                matched += bool(answer.json()["matched"])
        print(f"{matched} of {len(photos)} photos matched (expected {(len(photos) + 1) // 2})", flush=True)
        warm = _wrk(base, "upload", 10, args.connections, 1, env)
        print(f"warm-up: {warm['rate']:.1f} uploads/s, p99 {warm['p99']:.0f} ms, {warm['errors']} errors", flush=True)
        for n in range(args.rounds):
            load = os.getloadavg()[0]
            r = _wrk(base, "upload", args.seconds, args.connections, 1, env)
            r["baseline"] = _baseline(photos, args.seconds)
            rounds.append(r)
            print(f"round {n + 1}: {r['rate']:.1f} uploads/s, p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms, "
                  f"{r['errors']} errors of {r['requests']:.0f}; pdqhash in one process {r['baseline']:.1f} photos/s "
                  f"({r['rate'] / r['baseline']:.2f}x); load average before {load:.1f}", flush=True)
    finally:
        _stop(procs)
        drop_database(admin, name)
        shutil.rmtree(tmp, ignore_errors=True)

    def med(field: str) -> float:
        return statistics.median(r[field] for r in rounds)

    mode = "storing" if args.store else "lookups"
    report(f"1080p JPEG uploads ({mode}), wrk", med("rate"), "uploads/s", med("baseline"),
           note=f"PostgreSQL, {args.workers} workers, {args.connections} connections, {args.photos} photos, bank of "
                f"{args.signals} + {len(photos) // 2 + len(photos) % 2} PDQ; baseline: Pillow + pdqhash in one process")
    print("per-round uploads/pdqhash: " + ", ".join(f"{r['rate'] / r['baseline']:.2f}x" for r in rounds))
    report("upload p50", med("p50"), "ms")
    report("upload p99", med("p99"), "ms")
    report("upload errors", sum(r["errors"] for r in rounds), "requests")


if __name__ == "__main__":
    main()
