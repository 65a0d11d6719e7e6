"""Sharing over TAXII 2.1: how fast a signal crosses between two instances, and how fast a bank leaves as STIX.

Four measurements, each against a baseline measured in the same run:

1. **A → B latency**: two Basira servers on 127.0.0.1 (uvicorn in threads, two data folders and SQLite files).
   B has a feed on A's collection synced by B's background worker (feed interval 1 s, worker round 1 s). A signal
   is added on A; the clock stops when B's ``POST /v1/match`` finds it. Baseline: one ``sync_feed`` call of the same
   feed (the TAXII round trip and the write alone, with no waiting for the schedule).
2. **STIX export**: a bank of ``--signals`` signals exported as a streamed STIX bundle (objects/s and peak Python
   memory, tracemalloc). Baseline: the ``stix2`` library used naively on ``--baseline-signals`` signals of the
   same kind (all rows read, one ``Indicator`` object each, one ``Bundle``, ``serialize()``): it is too slow for
   the large bank. The large export's peak memory is also compared with the same export of the small bank.
3. **STIX import**: ``--import-objects`` indicators taken into a bank in pages of 1,000 (every check, version
   bookkeeping, signals, audit). Baseline: ``stix2.parse`` of the same objects, which stores nothing.
4. **TAXII serving**: every object of a ``--taxii-objects`` bank fetched page by page (1,000 per page) from
   Basira's TAXII route through the ASGI test client. Baseline: medallion (the OASIS TAXII 2.1 reference server,
   memory back-end, ``pip install -e '.[bench]'``) serving the same objects through Flask's test client.

    .venv/bin/python bench/sharing_latency.py [--signals 100000] [--baseline-signals 10000] [--taxii-objects 2000]
        [--import-objects 10000] [--rounds 10] [--parts latency,push,export,import,taxii]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import socket
import statistics
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from basira.api.app import create_app
from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.models import Bank, Entry, Signal
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings
from basira.sharing import client, export, feeds, taxii
from common import report

TAXII = "application/taxii+json;version=2.1"


def _instance(folder: Path, worker: int = 0) -> Instance:
    return Instance(load_settings(environ={}, data_dir=folder, secret_key=f"bench-{folder.name}",
                                  worker_interval_s=worker))


def _org(inst: Instance, slug: str) -> tuple[Principal, str]:
    with inst.db.session() as s:
        org = orgs.create_org(s, "bench", slug, operator=slug.startswith("op"))
        p = system_principal(org.id, actor="bench")
        return p, orgs.create_key(s, p, org.id, "admin", "bench").secret


@contextmanager
def _serve(inst: Instance) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    srv = uvicorn.Server(uvicorn.Config(create_app(inst, warm=True), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)
        sock.close()


def _collection(url: str, key: str, title: str) -> str:
    r = httpx.get(f"{url}/taxii2/api/collections/", headers={"Authorization": f"Bearer {key}", "Accept": TAXII})
    return next(str(c["id"]) for c in r.json()["collections"] if c["title"] == title)


def latency(root: Path, rounds: int) -> None:
    a, b = _instance(root / "a"), _instance(root / "b", worker=1)
    alpha, _ = _org(a, "op-alpha")
    _, bravo_key_on_a = _org(a, "bravo-on-a")
    bravo, bravo_key = _org(b, "op-bravo")
    with a.db.session() as s:
        bank = banks.create_bank(s, alpha, a.registry, banks.BankSpec(name="shared", tlp="AMBER"))
        banks.share_bank(s, alpha, bank.id, org="bravo-on-a")
        a_bank = bank.id
    with b.db.session() as s:
        banks.create_bank(s, bravo, b.registry, banks.BankSpec(name="from alpha", tlp="AMBER"))
    waits, syncs = [], []
    with _serve(a) as a_url, _serve(b) as b_url:
        cid = _collection(a_url, bravo_key_on_a, "shared")
        with b.db.session() as s:
            feed_id = feeds.add_feed(s, bravo, b.secret_key, feeds.FeedSpec(
                "alpha", f"{a_url}/taxii2/api/", cid, "from alpha", secret=bravo_key_on_a, interval_s=1)).id
        with httpx.Client(base_url=b_url, headers={"Authorization": f"Bearer {bravo_key}"}) as http:
            for i in range(rounds):
                value = hashlib.md5(f"latency-{i}".encode()).hexdigest()
                start = time.perf_counter()
                with a.db.session() as s:
                    banks.add_signals(s, alpha, a.registry, a.settings, a_bank, [banks.SignalSpec("md5", value)])
                while not http.post("/v1/match", json={"signals": [{"signal_type": "md5", "value": value}]}
                                    ).json()["matched"]:
                    if time.perf_counter() - start > 30:
                        raise SystemExit("B never saw the signal within 30 s")
                    time.sleep(0.02)
                waits.append(time.perf_counter() - start)
                time.sleep(0.3)
        # The floor: one sync of the same feed on demand (after one more signal on A).
        for i in range(rounds):
            with a.db.session() as s:
                banks.add_signals(s, alpha, a.registry, a.settings, a_bank,
                                  [banks.SignalSpec("md5", hashlib.md5(f"floor-{i}".encode()).hexdigest())])
            start = time.perf_counter()
            client.sync_feed(b, feed_id)
            syncs.append(time.perf_counter() - start)
    a.close()
    b.close()
    waits.sort()
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
    report("taxii_a_to_b_latency_p50", statistics.median(waits), "s", statistics.median(syncs),
           f"{rounds} signals, goal <= 5 s; baseline = one on-demand sync")
    report("taxii_a_to_b_latency_max", waits[-1], "s", max(syncs), f"p95 {p95:.2f} s")


def push_latency(root: Path, rounds: int) -> None:
    """A crisis incident on A's bank: A's incident pusher (default poll, 0.2 s) posts a signed notice to B's push
    route, which syncs B's feed at once (the feed's own interval is an hour, B has no scheduled rounds). The clock
    stops when B's ``POST /v1/match`` finds the signal. Baseline: one on-demand sync of the same feed."""
    from basira.sharing import incidents

    a, b = _instance(root / "pa"), _instance(root / "pb")
    alpha, _ = _org(a, "op-alpha")
    _, bravo_key_on_a = _org(a, "bravo-on-a")
    bravo, bravo_key = _org(b, "op-bravo")
    secret = "bench-push-secret-0123456789"
    with a.db.session() as s:
        bank = banks.create_bank(s, alpha, a.registry, banks.BankSpec(name="incident", tlp="AMBER"))
        banks.share_bank(s, alpha, bank.id, org="bravo-on-a")
        a_bank = bank.id
        incidents.declare(s, alpha, "bench incident", a_bank)
    with b.db.session() as s:
        banks.create_bank(s, bravo, b.registry, banks.BankSpec(name="from alpha", tlp="AMBER"))
    waits, syncs = [], []
    load_before = os.getloadavg()[0]
    with _serve(a) as a_url, _serve(b) as b_url:
        cid = _collection(a_url, bravo_key_on_a, "incident")
        with b.db.session() as s:
            feed_id = feeds.add_feed(s, bravo, b.secret_key, feeds.FeedSpec(
                "alpha", f"{a_url}/taxii2/api/", cid, "from alpha", secret=bravo_key_on_a, interval_s=3600,
                push_secret=secret)).id
        client.sync_feed(b, feed_id)
        with a.db.session() as s:
            incidents.add_subscriber(s, alpha, a.secret_key, "bravo", f"{b_url}/v1/sharing/push/{feed_id}", secret)
        pusher = incidents.IncidentPusher(a)
        pusher.start()
        try:
            with httpx.Client(base_url=b_url, headers={"Authorization": f"Bearer {bravo_key}"}) as http:
                for i in range(rounds):
                    value = hashlib.md5(f"push-{i}".encode()).hexdigest()
                    start = time.perf_counter()
                    with a.db.session() as s:
                        banks.add_signals(s, alpha, a.registry, a.settings, a_bank, [banks.SignalSpec("md5", value)])
                    while not http.post("/v1/match", json={"signals": [{"signal_type": "md5", "value": value}]}
                                        ).json()["matched"]:
                        if time.perf_counter() - start > 30:
                            raise SystemExit("B never saw the pushed signal within 30 s")
                        time.sleep(0.01)
                    waits.append(time.perf_counter() - start)
                    time.sleep(0.3)
        finally:
            pusher.stop()
        for i in range(rounds):
            with a.db.session() as s:
                banks.add_signals(s, alpha, a.registry, a.settings, a_bank,
                                  [banks.SignalSpec("md5", hashlib.md5(f"pfloor-{i}".encode()).hexdigest())])
            start = time.perf_counter()
            client.sync_feed(b, feed_id)
            syncs.append(time.perf_counter() - start)
    a.close()
    b.close()
    slowest = max(range(len(waits)), key=waits.__getitem__)
    waits.sort()
    p99 = waits[min(len(waits) - 1, int(0.99 * len(waits)))]
    report("incident_push_latency_p50", statistics.median(waits), "s", statistics.median(syncs),
           f"{rounds} signals, goal <= 1 s; baseline = one on-demand sync")
    report("incident_push_latency_p99", p99, "s", sorted(syncs)[min(len(syncs) - 1, int(0.99 * len(syncs)))])
    report("incident_push_latency_max", waits[-1], "s", max(syncs),
           f"round {slowest + 1} of {rounds}; load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}; all: "
           + " ".join(f"{w:.2f}" for w in waits))


def _fill(inst: Instance, owner: Principal, name: str, n: int) -> int:
    """A bank of ``n`` md5 signals written with bulk inserts (setup only: not what is measured)."""
    with inst.db.session() as s:
        bank = banks.create_bank(s, owner, inst.registry, banks.BankSpec(name=name, tlp="GREEN"))
        bank_id = bank.id
    now = dt.datetime.now(dt.UTC)
    for start in range(0, n, 20_000):
        stop = min(n, start + 20_000)
        with inst.db.session() as s:
            s.execute(insert(Entry), [{"bank_id": bank_id, "ref": f"e{i}", "content_type": "file", "attributes": {},
                                       "created_at": now, "updated_at": now} for i in range(start, stop)])
            ids = dict(s.execute(select(Entry.ref, Entry.id).where(Entry.bank_id == bank_id,
                                                                   Entry.ref.in_([f"e{i}" for i in
                                                                                  range(start, stop)]))).all())
            s.execute(insert(Signal), [{
                "entry_id": ids[f"e{i}"], "bank_id": bank_id, "signal_type": "md5",
                "value": hashlib.md5(str(i).encode()).hexdigest(), "labels": ["bench"], "provenance": "bench",
                "enabled": True, "created_at": now, "updated_at": now + dt.timedelta(microseconds=i)}
                for i in range(start, stop)])
    return bank_id


def _measure(fn: Callable[[], int]) -> tuple[float, float]:
    """(objects per second, peak traced MiB) of ``fn``: timed untraced, then run again under tracemalloc."""
    start = time.perf_counter()
    count = fn()
    rate = count / (time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return rate, peak


def export_rate(root: Path, n: int, n_base: int) -> None:
    import stix2

    inst = _instance(root / "export")
    owner, _ = _org(inst, "op-owner")
    big, small = _fill(inst, owner, "big", n), _fill(inst, owner, "small", n_base)

    def ours(bank_id: int, count: int) -> Callable[[], int]:
        def run() -> int:
            sent = 0
            with inst.db.session() as s:
                for chunk in export.bank_bundle(s, owner, inst.secret_key, bank_id):
                    sent += len(chunk)  # a socket or a file takes each piece away; keep none
            return count if sent else 0
        return run

    def naive() -> int:
        ns = export.instance_namespace(inst.secret_key)
        with inst.db.session() as s:
            rows = s.execute(select(Signal).where(Signal.bank_id == small)).scalars().all()
            objs = [stix2.Indicator(id=export.signal_stix_id(ns, r.id), created=r.created_at, modified=r.updated_at,
                                    pattern=f"[file:hashes.MD5 = '{r.value}']", pattern_type="stix",
                                    valid_from=r.created_at, object_marking_refs=[stix2.TLP_GREEN])
                    for r in rows]
            return len(stix2.Bundle(objects=objs).serialize()) and len(objs)

    rate, peak = _measure(ours(big, n))
    _, small_peak = _measure(ours(small, n_base))
    base_rate, base_peak = _measure(naive)
    report("stix_export_rate", rate, "objects/s", base_rate,
           f"streamed bundle of {n:,} signals vs stix2 naive on {n_base:,}")
    report("stix_export_peak_memory", small_peak, "MiB", base_peak, f"{n_base:,} signals each, tracemalloc peak")
    report("stix_export_peak_memory_large", peak, "MiB", small_peak,
           f"{n:,} signals vs the same export of {n_base:,}: flat when streamed")
    inst.close()


def import_rate(root: Path, n: int) -> None:
    """Indicators taken into a bank in pages of 1,000 (checks, versions, signals, audit) vs stix2.parse alone."""
    import stix2

    from basira.sharing import ingest, stix

    inst = _instance(root / "import")
    owner, _ = _org(inst, "op-owner")
    with inst.db.session() as s:
        bank_id = banks.create_bank(s, owner, inst.registry, banks.BankSpec(name="in", tlp="GREEN")).id
    now = dt.datetime.now(dt.UTC)
    objs = [stix.indicator(stix.SignalRecord("md5", hashlib.md5(f"in{i}".encode()).hexdigest()),
                           stix.IndicatorMeta(f"indicator--{uuid.uuid4()}", now, now)) for i in range(n)]

    def ours() -> int:
        for start in range(0, n, 1000):
            with inst.db.session() as s:
                bank = s.get(Bank, bank_id)
                assert bank is not None
                ingest.apply_objects(s, inst, ingest.Target(bank, owner, source="bench"), objs[start:start + 1000])
        return n

    def parse_only() -> int:
        for o in objs:
            stix2.parse(o, allow_custom=True)
        return n

    rate = n / _timed(ours)
    base = n / _timed(parse_only)
    report("stix_import_rate", rate, "objects/s", base,
           f"{n:,} indicators taken into a bank in pages of 1,000; baseline = stix2.parse of each, nothing stored")
    inst.close()


def taxii_serving(root: Path, n: int) -> None:
    inst = _instance(root / "taxii")
    owner, key = _org(inst, "op-owner")
    bank_id = _fill(inst, owner, "served", n)
    with inst.db.session() as s:
        cid = taxii.collection_id(export.instance_namespace(inst.secret_key), bank_id)
        bank = s.get(Bank, bank_id)
        assert bank is not None
        # Indicators only: medallion 3.0 reads an extension definition's "version" property as a timestamp.
        objects = [e.obj for e in export.bank_objects(s, export.instance_namespace(inst.secret_key), bank,
                                                      indicators_only=True)]
    with TestClient(create_app(inst)) as c:
        def ours() -> int:
            got, query = 0, "?limit=1000&match[type]=indicator"
            while True:
                body = c.get(f"/taxii2/api/collections/{cid}/objects/{query}",
                             headers={"Authorization": f"Bearer {key}", "Accept": TAXII}).json()
                got += len(body["objects"])
                if not body["more"]:
                    return got
                query = f"?limit=1000&match[type]=indicator&next={body['next']}"

        rate = len(objects) / _timed(ours)
    base = _medallion(root, objects)
    report("taxii_serving_rate", rate, "objects/s", base, f"{len(objects):,} objects in pages of 1,000; "
           "baseline = medallion (memory back-end)" if base else "medallion not installed")
    inst.close()


def _timed(fn: Callable[[], int]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _medallion(root: Path, objects: list[dict[str, Any]]) -> float | None:
    try:
        import base64

        from medallion import application_instance, register_blueprints, set_config
    except ImportError:
        return None
    added = "2026-12-01T00:00:00.000000Z"
    data = {
        "/discovery": {"title": "bench", "default": "http://localhost/api1/", "api_roots": ["http://localhost/api1/"]},
        "api1": {"information": {"title": "bench", "versions": [TAXII], "max_content_length": 10**9},
                 "status": [],
                 "collections": [{"id": "c0ffee00-0000-4000-8000-000000000001", "title": "served", "can_read": True,
                                  "can_write": False, "media_types": ["application/stix+json;version=2.1"],
                                  "objects": [{**o, "_date_added": added} for o in objects],
                                  "manifest": [{"id": o["id"], "date_added": added,
                                                "version": o.get("modified", o.get("created")),
                                                "media_type": "application/stix+json;version=2.1"}
                                               for o in objects]}]},
    }
    path = root / "medallion.json"
    path.write_text(json.dumps(data))
    config = {"backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                          "filename": str(path)},
              "users": {"bench": "bench"}, "taxii": {"max_page_size": 1000}}
    for prop in ("users", "taxii", "backend"):
        set_config(application_instance, prop, config)
    register_blueprints(application_instance)
    c = application_instance.test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(b"bench:bench").decode(), "Accept": TAXII}

    def theirs() -> int:
        got, query = 0, "?limit=1000"
        while True:
            body = c.get(f"/api1/collections/c0ffee00-0000-4000-8000-000000000001/objects/{query}",
                         headers=auth).get_json()
            got += len(body.get("objects", []))
            if not body.get("more"):
                return got
            query = f"?limit=1000&next={body['next']}"

    return len(objects) / _timed(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=100_000, help="Signals in the exported bank.")
    parser.add_argument("--baseline-signals", type=int, default=10_000,
                        help="Signals exported by the naive stix2 baseline (it is slow and holds them all).")
    parser.add_argument("--taxii-objects", type=int, default=2_000, help="Signals in the bank served over TAXII.")
    parser.add_argument("--import-objects", type=int, default=10_000, help="Indicators taken into a bank.")
    parser.add_argument("--rounds", type=int, default=10, help="Signals sent from A to B for the latency.")
    parser.add_argument("--parts", default="latency,push,export,import,taxii", help="Which measurements to run.")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory(prefix="basira-bench-sharing-") as tmp:
        root = Path(tmp)
        if "latency" in parts:
            latency(root, args.rounds)
        if "push" in parts:
            push_latency(root, args.rounds)
        if "export" in parts:
            export_rate(root, args.signals, args.baseline_signals)
        if "import" in parts:
            import_rate(root, args.import_objects)
        if "taxii" in parts:
            taxii_serving(root, args.taxii_objects)


if __name__ == "__main__":
    main()
