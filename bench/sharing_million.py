"""A million-signal bank out as STIX 2.1 and back in, streamed, against medallion + taxii2-client in the same run.

1. **Export**: a bank of ``--signals`` md5 signals written as a STIX bundle to a file with
   ``export.bank_bundle`` (the bank is read by keyset in batches, each object written as it is made).
2. **Import**: the same file read back one object at a time and taken into a bank of a second instance in pages of
   1,000 through ``ingest.apply_objects`` (every check, version bookkeeping, the batched signal insert, one audit
   entry per page) — what a TAXII sync or a POST to a collection does with each page.
3. **Peer baseline** on the first ``--peer-objects`` indicators of the same file: medallion (the OASIS TAXII 2.1
   reference server, memory back-end, served by werkzeug on 127.0.0.1) fed with ``taxii2-client``'s
   ``add_objects`` in envelopes of 1,000 (import), then read back with ``get_objects`` in pages of 1,000 (export).
   medallion's memory back-end holds the whole collection and copies it on each request, so it cannot take a
   million objects; its rate is measured on the subset. Also the ``stix2`` library's own ``parse`` and
   ``serialize`` of each object of the subset.

Memory is the process's peak resident set (``ru_maxrss``) before and after each phase: flat when streamed.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/sharing_million.py --signals 1000000 --peer-objects 3000
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from basira.core import banks
from basira.core.models import TLP, Bank
from basira.sharing import export, ingest
from common import report
from sharing_latency import _fill, _instance, _org

_DECODER = json.JSONDecoder()
TAXII = "application/taxii+json;version=2.1"


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def iter_lines(head: str, rest: Any) -> Iterator[str]:
    yield head.split('"objects": [', 1)[1]
    yield from rest


def _objects(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a bundle written by ``export.stream_bundle`` (one object a line), one at a time."""
    with path.open(encoding="utf-8") as f:
        head = f.readline()  # {"type": "bundle", "id": ..., "objects": [ and the first object
        for line in iter_lines(head, f):
            obj, end = _DECODER.raw_decode(line)
            yield obj
            if line[end:].strip() != ",":
                return


def basira_export(root: Path, n: int) -> tuple[Path, float]:
    inst = _instance(root / "a")
    owner, _ = _org(inst, "op-owner")
    bank_id = _fill(inst, owner, "big", n)
    out = root / "bundle.json"
    before = _rss_mib()
    start = time.perf_counter()
    with inst.db.session() as s, out.open("w", encoding="utf-8") as f:
        for piece in export.bank_bundle(s, owner, inst.secret_key, bank_id):
            f.write(piece)
    took = time.perf_counter() - start
    inst.close()
    report("stix_bundle_export_rate", n / took, "objects/s", None,
           f"{n:,} signals to a {out.stat().st_size / 2**20:.0f} MiB bundle in {took:.0f} s; "
           f"peak RSS {before:.0f} -> {_rss_mib():.0f} MiB")
    return out, n / took


def write_bundle(path: Path, n: int) -> None:
    """A bundle of ``n`` md5 indicators as Basira's export writes them (extension, TLP:GREEN), without a database:
    for ``--import-only`` runs, where the export is not what is measured."""
    from basira.sharing import stix
    from basira.sharing.markings import TLP2_IDS

    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    green = (TLP2_IDS[TLP.GREEN],)
    with path.open("w", encoding="utf-8") as f:
        f.write(f'{{"type": "bundle", "id": "bundle--{uuid.uuid4()}", "objects": [\n')
        for i in range(n):
            obj = stix.indicator(stix.SignalRecord("md5", hashlib.md5(str(i).encode()).hexdigest()),
                                 stix.IndicatorMeta(f"indicator--{uuid.UUID(int=i + 1, version=4)}", now, now, green))
            f.write(("," if i else "") + json.dumps(obj) + "\n")
        f.write("]}\n")


def basira_import(root: Path, path: Path, n: int, every: int) -> tuple[float, float]:
    """The bundle streamed (``bundle.iter_objects``) into a bank of a fresh instance in pages of 1,000, one
    transaction each, as ``basira sharing import`` does. Interleaved with it, every ``every``-th page is also given
    to ``stix2.parse`` (the baseline, storing nothing), so both see the same load. (Basira's objects/s, stix2's.)"""
    import stix2

    from basira.sharing import bundle

    inst = _instance(root / "b")
    owner, _ = _org(inst, "op-receiver")
    with inst.db.session() as s:
        bank_id = banks.create_bank(s, owner, inst.registry, banks.BankSpec(name="in", tlp="GREEN")).id
    before = _rss_mib()
    ours = base = 0.0
    taken = base_objects = pages = 0
    marks = {max(1, n // 1000 * k // 100) for k in (1, 10, 25, 50, 75, 100)}
    page: list[Any] = []
    start = time.perf_counter()
    t0 = start
    with path.open("rb") as f:
        objects = bundle.iter_objects(f)
        while True:
            page.clear()
            for obj in objects:  # reading the file is part of Basira's time
                page.append(obj)
                if len(page) == 1000:
                    break
            if not page:
                break
            with inst.db.session() as s:
                bank = s.get(Bank, bank_id)
                assert bank is not None
                taken += ingest.apply_objects(s, inst, ingest.Target(bank, owner, source="bench"), page).added
            now = time.perf_counter()
            ours += now - t0
            pages += 1
            if pages % every == 0:
                for o in page:
                    stix2.parse(o, allow_custom=True)
                base_objects += len(page)
                base += time.perf_counter() - now
            if pages in marks:
                print(f"  {pages * 1000:>9,} objects: {pages * 1000 / ours:,.0f} objects/s so far, "
                      f"peak RSS {_rss_mib():.0f} MiB, {time.perf_counter() - start:,.0f} s wall, "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
            t0 = time.perf_counter()
    inst.close()
    if taken != n:
        raise SystemExit(f"imported {taken} signals, expected {n}")
    report("stix_bundle_import_rate", n / ours, "objects/s", base_objects / base,
           f"{n:,} indicators streamed into a bank in {ours:,.0f} s (Basira's pages only); peak RSS "
           f"{before:.0f} -> {_rss_mib():.0f} MiB; baseline = stix2.parse of every {every}th page "
           f"({base_objects:,} objects), interleaved, nothing stored")
    return n / ours, base_objects / base


def json_load_rss(path: Path) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of ``json.load`` of the whole bundle in a child process: what loading it whole
    costs, against the streamed import's flat memory."""
    code = ("import json, resource, sys, time\n"
            "t = time.perf_counter(); d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
            "len(d['objects']))\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    took, rss, _ = out.stdout.split()
    return float(took), float(rss)


def peers(root: Path, bundle: Path, k: int) -> tuple[float | None, float | None, float, float]:
    """(medallion import, medallion export, stix2 parse, stix2 serialize) rates on the first ``k`` indicators."""
    import stix2

    subset = []
    for obj in _objects(bundle):
        if obj["type"] == "indicator":
            subset.append(obj)
            if len(subset) == k:
                break
    start = time.perf_counter()
    parsed = [stix2.parse(o, allow_custom=True) for o in subset]
    parse_rate = len(subset) / (time.perf_counter() - start)
    start = time.perf_counter()
    for p in parsed:
        p.serialize()
    serialize_rate = len(subset) / (time.perf_counter() - start)
    try:
        med_in, med_out = _medallion(root, subset)
    except ImportError:
        med_in = med_out = None
    return med_in, med_out, parse_rate, serialize_rate


def _medallion(root: Path, objects: list[dict[str, Any]]) -> tuple[float, float]:
    from medallion import application_instance, register_blueprints, set_config
    from taxii2client.v21 import Collection
    from werkzeug.serving import make_server

    cid = "c0ffee00-0000-4000-8000-000000000001"
    data = {
        "/discovery": {"title": "bench", "default": "http://127.0.0.1/api1/", "api_roots": []},
        "api1": {"information": {"title": "bench", "versions": [TAXII], "max_content_length": 10**9},
                 "status": [],
                 "collections": [{"id": cid, "title": "in", "can_read": True, "can_write": True,
                                  "media_types": ["application/stix+json;version=2.1"], "objects": [],
                                  "manifest": []}]},
    }
    path = root / "medallion.json"
    path.write_text(json.dumps(data))
    config = {"backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                          "filename": str(path)},
              "users": {"bench": "bench"}, "taxii": {"max_page_size": 1000}}
    for prop in ("users", "taxii", "backend"):
        set_config(application_instance, prop, config)
    register_blueprints(application_instance)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    srv = make_server("127.0.0.1", 0, application_instance, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        coll = Collection(f"http://127.0.0.1:{srv.server_port}/api1/collections/{cid}/", user="bench",
                          password="bench")
        start = time.perf_counter()
        for i in range(0, len(objects), 1000):
            status = coll.add_objects(json.dumps({"objects": objects[i:i + 1000]}), wait_for_completion=False)
            if status.success_count != len(objects[i:i + 1000]):
                raise SystemExit(f"medallion took {status.success_count} of a page of {len(objects[i:i + 1000])}")
        med_in = len(objects) / (time.perf_counter() - start)
        start = time.perf_counter()
        got, nxt = 0, None
        while True:
            kwargs: dict[str, Any] = {"limit": 1000}
            if nxt:
                kwargs["next"] = nxt
            env = coll.get_objects(**kwargs)
            got += len(env.get("objects", []))
            if not env.get("more"):
                break
            nxt = env["next"]
        med_out = got / (time.perf_counter() - start)
        if got != len(objects):
            raise SystemExit(f"medallion gave back {got} of {len(objects)} objects")
    finally:
        srv.shutdown()
    return med_in, med_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000, help="Signals in the exported bank.")
    parser.add_argument("--peer-objects", type=int, default=3_000,
                        help="Indicators given to medallion and the stix2 library (they hold them all).")
    parser.add_argument("--skip-import", action="store_true", help="Export and baselines only.")
    parser.add_argument("--import-only", action="store_true",
                        help="Write the bundle directly (no database export) and measure the streamed import.")
    parser.add_argument("--baseline-every", type=int, default=20,
                        help="Give every n-th imported page to stix2.parse too (the interleaved baseline).")
    parser.add_argument("--bundle", type=Path, help="Keep the bundle here (reused when it exists, --import-only).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="basira-bench-million-") as tmp:
        root = Path(tmp)
        if args.import_only:
            path = args.bundle or root / "bundle.json"
            if not path.exists():
                start = time.perf_counter()
                write_bundle(path, args.signals)
                print(f"  wrote {args.signals:,} indicators ({path.stat().st_size / 2**20:,.0f} MiB) in "
                      f"{time.perf_counter() - start:,.0f} s", flush=True)
            took, rss = json_load_rss(path)
            report("json_load_whole_bundle_rss", rss, "MiB", None,
                   f"json.load of the {path.stat().st_size / 2**20:,.0f} MiB bundle in a child process, "
                   f"{took:.0f} s: what holding it whole costs")
            basira_import(root, path, args.signals, args.baseline_every)
            report("stix_bundle_import_peak_rss", _rss_mib(), "MiB", rss,
                   "this process (streamed import) vs json.load of the whole bundle")
            return
        bundle, export_rate = basira_export(root, args.signals)
        med_in, med_out, parse_rate, serialize_rate = peers(root, bundle, args.peer_objects)
        k = f"{args.peer_objects:,}"
        report("stix_export_vs_medallion", export_rate, "objects/s", med_out,
               f"baseline = taxii2-client get_objects from medallion, {k} indicators, pages of 1,000" if med_out
               else "medallion not installed")
        report("stix_export_vs_stix2_serialize", export_rate, "objects/s", serialize_rate,
               f"baseline = stix2 serialize() of {k} parsed indicators")
        if args.skip_import:
            return
        import_rate, _ = basira_import(root, bundle, args.signals, args.baseline_every)
        report("stix_import_vs_medallion", import_rate, "objects/s", med_in,
               f"baseline = taxii2-client add_objects into medallion, {k} indicators" if med_in
               else "medallion not installed")
        report("stix_import_vs_stix2_parse", import_rate, "objects/s", parse_rate,
               f"baseline = stix2.parse of {k} indicators, nothing stored")


if __name__ == "__main__":
    main()
