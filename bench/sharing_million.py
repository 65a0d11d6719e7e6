"""A million-signal bank out over TAXII 2.1 and back in, against medallion serving the same bundle, same run.

One Basira instance (SQLite) holds a bank of ``--signals`` md5 signals (filled with bulk inserts: setup, not
measured). Then, each phase in its own process so that each peak resident set is its own:

1. **Export to a file**: ``export.bank_bundle`` writes the bank as a STIX bundle (the bank read by keyset in
   batches, each object written as it is made); objects/s and the exporting process's peak RSS.
2. **Two TAXII 2.1 servers on 127.0.0.1**, each serving the indicators of that same bundle: Basira (``create_app``
   under uvicorn, the bank's collection) and medallion (the OASIS reference server, ``pip install -e '.[bench]'``,
   its memory back-end loaded from a data file made of the bundle's indicators, served by werkzeug as medallion's
   own command does). Each server's resident set is sampled from ``/proc`` every 50 ms during each phase.
3. **Passes**, interleaved (the order alternates from one pass to the next), on the same input:
   - *serving*: the same plain HTTP paging code pulls every indicator of each server's collection
     (``match[type]=indicator``, ``limit=1000``, following ``next``): objects/s and the server's peak RSS;
   - *import*: Basira's TAXII client (``sharing.client.sync_feed``, taxii2-client underneath) pulls the whole
     collection into an empty bank of a fresh instance, once from Basira's server and once from medallion's:
     objects/s and the importing process's peak RSS.
   A request that gets no answer within ``--timeout`` seconds ends that side's phase; its rate is then an upper
   bound (objects received / time spent) and the ratio a lower bound.

Ratios (Basira / medallion) are printed per pass, then the medians.

    pip install -e '.[bench]'
    python bench/sharing_million.py --signals 10000 --passes 3
    python bench/sharing_million.py --signals 1000000 --passes 1 --timeout 600

``--import-only`` keeps wave 3's measure: a bundle file streamed into a bank (``ingest.apply_objects`` in pages of
1,000), against ``stix2.parse`` of every 20th page, interleaved.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from basira.core import banks
from basira.core.models import TLP, Bank
from basira.sharing import bundle, export, ingest, taxii
from common import report
from sharing_latency import _fill, _instance, _org, _serve

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
PAGE = 1000
MEDALLION_COLLECTION = "c0ffee00-0000-4000-8000-000000000001"
console = Console(stderr=True, width=240)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _own_peak_mib() -> float:
    """This process's own peak resident set (VmHWM). Not ``ru_maxrss``: Linux carries that over from the parent
    through fork and exec, so a child would report at least its parent's peak."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


# --- children: each phase runs in a process of its own, talking on stdout ("P n" progress, "R json" result) -----

def _say(kind: str, value: Any) -> None:
    print(kind, json.dumps(value), flush=True)


def child_export(cfg: dict[str, Any]) -> None:
    """The bank to a bundle file, streamed (``export.bank_bundle``)."""
    from basira.core.principal import system_principal

    inst = _instance(Path(cfg["data"]))
    owner = system_principal(cfg["org_id"], actor="bench")
    before = _own_peak_mib()
    objects = -1  # the first piece opens the bundle
    start = time.perf_counter()
    with inst.db.session() as s, Path(cfg["out"]).open("w", encoding="utf-8") as f:
        for piece in export.bank_bundle(s, owner, inst.secret_key, cfg["bank_id"]):
            f.write(piece)
            objects += 1
            if objects % 10_000 == 0:
                _say("P", objects)
    took = time.perf_counter() - start
    inst.close()
    _say("R", {"objects": objects - 1, "seconds": took, "rss_before": before, "rss_peak": _own_peak_mib(),
               "bytes": Path(cfg["out"]).stat().st_size})  # the last piece closes it


def child_basira_server(cfg: dict[str, Any]) -> None:
    """Basira's app under uvicorn on a free loopback port; prints the port once it answers, then serves until the
    parent ends this process."""
    with _serve(_instance(Path(cfg["data"]))) as base:
        _say("R", {"port": int(base.rsplit(":", 1)[1])})
        threading.Event().wait()


def child_medallion_server(cfg: dict[str, Any]) -> None:
    """medallion (memory back-end, loaded from the data file) under werkzeug, threaded, as its command runs it."""
    from medallion import application_instance, register_blueprints, set_config
    from werkzeug.serving import make_server

    # On a shared machine: medallion copies its whole collection several times per request; past this it gets a
    # MemoryError (its answer is then an HTTP 500) rather than pushing other processes out.
    limit = int(cfg["max_gib"] * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    start = time.perf_counter()
    config = {"backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                          "filename": cfg["data"],
                          # its next cursors expire after 30 s by default: a slow pull must not lose them
                          "session_timeout": 10**7, "check_interval": 10},
              "users": {"bench": "bench"}, "taxii": {"max_page_size": PAGE}}
    for prop in ("users", "taxii", "backend"):
        set_config(application_instance, prop, config)
    register_blueprints(application_instance)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    srv = make_server("127.0.0.1", 0, application_instance, threaded=True)
    _say("R", {"port": srv.server_port, "load_seconds": time.perf_counter() - start})
    srv.serve_forever()


def child_import(cfg: dict[str, Any]) -> None:
    """An empty bank of a fresh instance filled from a TAXII collection by ``sync_feed``, as a feed sync does."""
    from basira.core.instance import Instance
    from basira.core.settings import load_settings
    from basira.sharing import client, feeds

    folder = Path(cfg["data"])
    inst = Instance(load_settings(environ={}, data_dir=folder, secret_key=f"bench-{folder.name}",
                                  worker_interval_s=0, sharing_timeout_s=float(cfg["timeout"]), sharing_retries=1))
    owner, _ = _org(inst, "op-receiver")
    with inst.db.session() as s:
        banks.create_bank(s, owner, inst.registry, banks.BankSpec(name="in", tlp="GREEN"))
        feed_id = feeds.add_feed(s, owner, inst.secret_key, feeds.FeedSpec(
            "peer", cfg["api_root"], cfg["cid"], "in", username=cfg["user"], secret=cfg["secret"])).id
    before = _own_peak_mib()
    start = time.perf_counter()
    got = client.sync_feed(inst, feed_id, progress=lambda r: _say("P", r.objects))
    took = time.perf_counter() - start
    inst.close()
    _say("R", {"objects": got.objects, "added": got.added, "refused": got.refused, "error": got.error,
               "seconds": took, "rss_before": before, "rss_peak": _own_peak_mib()})


CHILDREN: dict[str, Callable[[dict[str, Any]], None]] = {
    "export": child_export, "basira-server": child_basira_server, "medallion-server": child_medallion_server,
    "import": child_import}


# --- the parent ---------------------------------------------------------------------------------------------------

def _spawn(kind: str, cfg: dict[str, Any]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, "--child", kind, json.dumps(cfg)], stdout=subprocess.PIPE,
                            text=True, bufsize=1)


def _result(proc: subprocess.Popen[str], on_progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Read a child's lines until its result; progress lines go to ``on_progress``."""
    assert proc.stdout is not None
    for line in proc.stdout:
        kind, _, value = line.partition(" ")
        if kind == "P" and on_progress is not None:
            on_progress(int(json.loads(value)))
        elif kind == "R":
            out: dict[str, Any] = json.loads(value)
            return out
    raise SystemExit(f"a bench child ended with no result, exit {proc.wait()}")


def _run_child(kind: str, cfg: dict[str, Any], label: str, total: int) -> dict[str, Any]:
    with _progress() as bar:
        task = bar.add_task(label, total=total)
        proc = _spawn(kind, cfg)
        out = _result(proc, lambda n: bar.update(task, completed=n))
        proc.wait()
    return out


def _vm_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """A process's resident set sampled from /proc every 50 ms while the block runs: ``.start``, ``.peak``."""

    def __init__(self, pid: int) -> None:
        self.pid, self.start, self.peak = pid, 0.0, 0.0
        self._stop = threading.Event()

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _vm_rss_mib(self.pid))

    @contextmanager
    def sampling(self) -> Iterator[PeakRss]:
        self.start = self.peak = _vm_rss_mib(self.pid)
        self._stop.clear()
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self.peak = max(self.peak, _vm_rss_mib(self.pid))


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[str]
    api_root: str
    cid: str
    user: str
    secret: str
    load_seconds: float = 0.0

    def session(self) -> requests.Session:
        s = requests.Session()
        s.headers["Accept"] = TAXII
        if self.user:
            s.auth = (self.user, self.secret)
        else:
            s.headers["Authorization"] = f"Bearer {self.secret}"
        return s

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Measure:
    objects: int
    seconds: float
    rss_start: float
    rss_peak: float
    error: str = ""

    @property
    def rate(self) -> float:
        return self.objects / self.seconds if self.seconds else 0.0

    def text(self) -> str:
        bound = "<= " if self.error else ""
        line = (f"{bound}{self.rate:,.0f} objects/s ({self.objects:,} in {self.seconds:,.1f} s), "
                f"peak RSS {self.rss_start:,.0f} -> {self.rss_peak:,.0f} MiB")
        return line + (f"; STOPPED: {self.error}" if self.error else "")


def pull(server: Server, expected: int, timeout: float) -> Measure:
    """Every indicator of the server's collection, page by page, with the same code for both servers."""
    url = f"{server.api_root}collections/{server.cid}/objects/"
    got, params = 0, {"limit": str(PAGE), "match[type]": "indicator"}
    error = ""
    sampler = PeakRss(server.proc.pid)
    with server.session() as http, sampler.sampling(), _progress() as bar:
        task = bar.add_task(f"{server.name}: GET objects", total=expected)
        start = time.perf_counter()
        while True:
            try:
                r = http.get(url, params=params, timeout=(10, timeout))
            except requests.Timeout:
                error = f"no answer within {timeout:g} s to the request after {got:,} objects"
                break
            if r.status_code != 200:
                error = f"HTTP {r.status_code} after {got:,} objects: {r.text[:200]}"
                break
            body = r.json()
            got += len(body.get("objects", []))
            bar.update(task, completed=got)
            if not body.get("more"):
                break
            params = {"limit": str(PAGE), "match[type]": "indicator", "next": body["next"]}
        took = time.perf_counter() - start
    if not error and got != expected:
        error = f"got {got:,} indicators of {expected:,}"
    return Measure(got, took, sampler.start, sampler.peak, error)


def take(server: Server, root: Path, tag: str, expected: int, timeout: float) -> tuple[Measure, Measure]:
    """Basira's TAXII client pulls the server's whole collection into a fresh bank: (importer, server) measures."""
    cfg = {"data": str(root / f"import-{tag}"), "api_root": server.api_root, "cid": server.cid,
           "user": server.user, "secret": server.secret, "timeout": timeout}
    sampler = PeakRss(server.proc.pid)
    with sampler.sampling():
        out = _run_child("import", cfg, f"{server.name}: Basira's sync_feed", expected)
    error = out["error"]
    if not error and out["added"] != expected:
        error = f"{out['added']:,} signals added of {expected:,}"
    importer = Measure(out["objects"], out["seconds"], out["rss_before"], out["rss_peak"], error)
    return importer, Measure(out["objects"], out["seconds"], sampler.start, sampler.peak, error)


def medallion_data(bundle_path: Path, out: Path) -> int:
    """medallion's memory back-end data file: one API root, one collection holding the bundle's indicators (each
    with its manifest entry; date_added = the indicator's ``modified``). Written in two streamed passes."""
    head = {"/discovery": {"title": "bench", "default": "http://127.0.0.1/api1/", "api_roots": []},
            "api1": {"information": {"title": "bench", "versions": [TAXII], "max_content_length": 10**9},
                     "status": [], "collections": []}}

    def indicators() -> Iterator[dict[str, Any]]:
        with bundle_path.open("rb") as f:
            for obj in bundle.iter_objects(f):
                if obj.get("type") == "indicator":
                    yield obj

    text = json.dumps(head)
    cut = text.rindex('"collections": []') + len('"collections": [')
    n = 0
    with out.open("w", encoding="utf-8") as f:
        f.write(text[:cut])
        f.write(json.dumps({"id": MEDALLION_COLLECTION, "title": "big", "can_read": True, "can_write": False,
                            "media_types": [STIX]})[:-1] + ', "objects": [')
        for i, obj in enumerate(indicators()):
            f.write(("," if i else "") + json.dumps({**obj, "_date_added": obj["modified"]}) + "\n")
            n += 1
        f.write('], "manifest": [')
        for i, obj in enumerate(indicators()):
            f.write(("," if i else "") + json.dumps({"id": obj["id"], "date_added": obj["modified"],
                                                    "version": obj["modified"], "media_type": STIX}) + "\n")
        f.write("]}" + text[cut:])
    json.loads(text)  # the frame itself is JSON
    return n


def start_basira(data: Path, cid: str, key: str) -> Server:
    proc = _spawn("basira-server", {"data": str(data)})
    port = _result(proc)["port"]
    return Server("Basira", proc, f"http://127.0.0.1:{port}/taxii2/api/", cid, "", key)


def start_medallion(data: Path, max_gib: float) -> Server:
    with console.status("medallion: loading its data file"):
        proc = _spawn("medallion-server", {"data": str(data), "max_gib": max_gib})
        out = _result(proc)
    return Server("medallion", proc, f"http://127.0.0.1:{out['port']}/api1/", MEDALLION_COLLECTION, "bench",
                  "bench", out["load_seconds"])


def _ratio(a: Measure, b: Measure) -> str:
    if not b.rate:
        return "inf"
    mark = ">= " if b.error and not a.error else ""
    return f"{mark}{a.rate / b.rate:,.2f}x"


def taxii_compare(args: argparse.Namespace) -> None:
    n = args.signals
    with tempfile.TemporaryDirectory(prefix="basira-bench-taxii-", dir=args.tmp) as tmp:
        root = Path(tmp)
        inst = _instance(root / "a")
        owner, key = _org(inst, "op-owner")
        with console.status(f"filling a bank of {n:,} md5 signals (setup)"):
            start = time.perf_counter()
            bank_id = _fill(inst, owner, "big", n)
        console.print(f"  filled {n:,} signals in {time.perf_counter() - start:,.0f} s")
        cid = taxii.collection_id(export.instance_namespace(inst.secret_key), bank_id)
        inst.close()

        out = _run_child("export", {"data": str(root / "a"), "org_id": owner.org_id, "bank_id": bank_id,
                                    "out": str(root / "bundle.json")}, "Basira: export.bank_bundle to a file", n)
        report("stix_bundle_export_rate", out["objects"] / out["seconds"], "objects/s", None,
               f"{out['objects']:,} objects (bank of {n:,}) to a {out['bytes'] / 2**20:,.0f} MiB bundle in "
               f"{out['seconds']:,.1f} s; exporting process's peak RSS {out['rss_before']:,.0f} -> "
               f"{out['rss_peak']:,.0f} MiB")

        with console.status("writing medallion's data file from the bundle"):
            held = medallion_data(root / "bundle.json", root / "medallion.json")
        if held != n:
            raise SystemExit(f"the bundle holds {held:,} indicators, expected {n:,}")
        servers = [start_basira(root / "a", cid, key)]
        try:
            servers.append(start_medallion(root / "medallion.json", args.medallion_gib))
            med = servers[1]
            report("medallion_load", med.load_seconds, "s", None,
                   f"medallion reading its {(root / 'medallion.json').stat().st_size / 2**20:,.0f} MiB data file; "
                   f"its RSS then {_vm_rss_mib(med.proc.pid):,.0f} MiB; Basira's server "
                   f"{_vm_rss_mib(servers[0].proc.pid):,.0f} MiB")
            passes(args, root, servers, n)
        finally:
            for s in servers:
                s.stop()


def passes(args: argparse.Namespace, root: Path, servers: list[Server], n: int) -> None:
    kinds = ["serve"] + ([] if args.skip_import else ["import"])
    results: dict[tuple[str, str, str], list[Measure]] = {}
    # A server that failed a request (no answer within --timeout, or an error) is stopped at once, so that it
    # does not go on working (and taking a core) while the other one is measured; it is not asked again.
    given_up: set[str] = set()
    for p in range(1, args.passes + 1):
        order = servers if p % 2 else servers[::-1]
        for kind in kinds:
            this: dict[str, Measure] = {}
            for server in order:
                if server.name in given_up:
                    console.print(f"  pass {p} {kind:<6} {server.name:<9} not run: it failed a request before")
                    continue
                if kind == "serve":
                    got = {"server": pull(server, n, args.timeout)}
                else:
                    importer, srv = take(server, root, f"{p}-{server.name}", n, args.timeout)
                    got = {"importer": importer, "server": srv}
                for what, m in got.items():
                    results.setdefault((kind, server.name, what), []).append(m)
                    console.print(f"  pass {p} {kind:<6} {server.name:<9} {what:<8} {m.text()}")
                this[server.name] = got["server"]
                if got["server"].error:
                    given_up.add(server.name)
                    server.stop()
            if len(this) == 2:
                ratio = _ratio(this["Basira"], this["medallion"])
                console.print(f"  pass {p} {kind:<6} ratio Basira/medallion {ratio}")
    summary(results, n)


def summary(results: dict[tuple[str, str, str], list[Measure]], n: int) -> None:
    def med(ms: list[Measure]) -> Measure:
        by = sorted(ms, key=lambda m: m.rate)
        return by[len(by) // 2] if len(by) % 2 else by[len(by) // 2 - 1]  # a real pass, the lower middle

    names = {"serve": ("taxii_serving_rate", "GET objects in pages of 1,000, same client code"),
             "import": ("taxii_import_rate", "Basira's sync_feed into an empty bank")}
    for kind, (name, what) in names.items():
        ours = results.get((kind, "Basira", "server"))
        theirs = results.get((kind, "medallion", "server"))
        if not ours:
            continue
        a = med(ours)
        b = med(theirs) if theirs else None
        base = b.rate if b else None
        note = (f"{n:,} indicators, {what}; median of {len(ours)} pass(es); Basira server peak RSS "
                f"{a.rss_start:,.0f} -> {a.rss_peak:,.0f} MiB")
        if b is not None:
            note += (f"; medallion ({len(theirs or [])} pass(es)) {b.text()}"
                     + (" -- its rate an upper bound, the ratio a lower one" if b.error else ""))
        if a.error:
            note += f"; Basira STOPPED: {a.error}"
        report(name, a.rate, "objects/s", base, note)
        if kind == "import":
            ia = med(results[(kind, "Basira", "importer")])
            line = (f"importing process's peak RSS {ia.rss_peak:,.0f} MiB pulling from Basira ({ia.rss_start:,.0f} "
                    f"before the sync)")
            ib_all = results.get((kind, "medallion", "importer"))
            if ib_all:
                ib = med(ib_all)
                line += f", {ib.rss_peak:,.0f} MiB pulling from medallion ({ib.rss_start:,.0f} before)"
            report("taxii_import_peak_rss", ia.rss_peak, "MiB", med(ib_all).rss_peak if ib_all else None, line)


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


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        CHILDREN[sys.argv[2]](json.loads(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000, help="Signals in the bank (and the bundle).")
    parser.add_argument("--passes", type=int, default=3, help="Interleaved passes over both servers.")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="Seconds one TAXII request may take before that side's phase is stopped.")
    parser.add_argument("--medallion-gib", type=float, default=12.0,
                        help="Address-space limit of the medallion process, GiB (it holds its data several times).")
    parser.add_argument("--skip-import", action="store_true", help="Export and serving only (no TAXII import).")
    parser.add_argument("--tmp", type=Path, help="Folder for the instances, the bundle and medallion's data file.")
    parser.add_argument("--import-only", action="store_true",
                        help="Wave 3's measure: write the bundle directly (no database) and stream it into a bank.")
    parser.add_argument("--baseline-every", type=int, default=20,
                        help="With --import-only: give every n-th imported page to stix2.parse too.")
    parser.add_argument("--bundle", type=Path, help="With --import-only: keep the bundle here (reused).")
    args = parser.parse_args()
    if not args.import_only:
        try:
            import medallion  # noqa: F401
        except ImportError:
            raise SystemExit("medallion is not installed: pip install -e '.[bench]'") from None
        taxii_compare(args)
        return
    with tempfile.TemporaryDirectory(prefix="basira-bench-million-", dir=args.tmp) as tmp:
        root = Path(tmp)
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


if __name__ == "__main__":
    main()
