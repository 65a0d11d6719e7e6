"""Screening a customer file of millions of rows on Dask, resumable after an interruption.

The file is read in this process, record by record, and cut into chunks of ``chunk_size`` records; each chunk is
one Dask task. A worker checks its rows and runs their names through the lists' name indexes, which it reads once
per process from the files ``basira screen`` keeps under ``<data dir>/name-index`` (verified by their SHA-256
before they are unpickled), or from a copy sent once to every worker when the cluster cannot see that folder
(``scheduler`` given). Only hits come back. This process then reads the hit entries, checks wallets (exact, in the
database), records alerting hits as review cases and the customers for monitoring, and writes a
:class:`~basira.core.models.ScanChunk` row, all in one transaction per chunk, and the chunk's results to
``part-NNNNNN.parquet``. The chunk rows are the checkpoint: the same file screened again after an interruption
does only the chunks without a row (nothing screened twice, nothing skipped). A worker that dies mid-chunk loses
nothing: Dask runs its task again elsewhere, and only this process writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import pickle
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core.errors import InvalidInput, InvalidSignal
from basira.core.instance import Instance
from basira.core.models import Bank, Entry, ScanChunk, ScanRun
from basira.core.principal import Principal
from basira.core.scan import start_client, stop_client, stopping_when_disk_full, write_parquet
from basira.core.visibility import Access
from basira.finance import screening
from basira.finance.models import Customer, ListImport
from basira.finance.names import NameIndex
from basira.finance.settings import current_settings

COLUMNS = ("id", "name", "birth_date", "nationality", "wallet", "kind", "documents")
CHUNK_ROWS = 2000
MAX_CHUNK_ROWS = screening.MAX_BATCH
MAX_ERRORS_KEPT = 1000

RowsDone = Callable[[int, int], None]


# -- reading the customer file -------------------------------------------------------------------------------------

@dataclass
class CustomerRow:
    """One record of a customer file: its query, or why it could not be read (``query`` is None then)."""

    line: int
    ref: str
    query: screening.ScreenQuery | None
    reason: str | None = None


def read_customers(f: IO[str]) -> Iterator[CustomerRow]:
    """The records of a customer file (CSV: id, name and optional birth_date, nationality, wallet, kind,
    documents), with the line each starts on; a bad header raises InvalidInput before the first."""
    reader = csv.DictReader(f)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as e:
        raise InvalidInput(f"line 1 of the customer file is not valid CSV: {e}") from None
    header = [h.strip().lower() for h in fieldnames or []]
    if "id" not in header or not ({"name", "wallet"} & set(header)):
        raise InvalidInput("the customer file needs a header with id and name (or wallet); optional columns: "
                           "birth_date, nationality, wallet, kind, documents")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column {unknown[0]!r} (known: {', '.join(COLUMNS)})")
    reader.fieldnames = header
    rows = iter(reader)
    while True:
        line = reader.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as e:
            yield CustomerRow(line, "", None, f"not valid CSV: {e}")
            continue
        if None in row:
            yield CustomerRow(line, (row.get("id") or "")[:100], None,
                              f"{len(header) + len(row[None])} fields where the header has {len(header)}")
            continue
        get = {k: (v or "").strip() for k, v in row.items() if k is not None}
        wallet = get.get("wallet", "")
        yield CustomerRow(line, get.get("id", "")[:100], screening.ScreenQuery(
            ref=get.get("id", ""), kind=get.get("kind") or ("wallet" if wallet and not get.get("name") else "person"),
            names=[get["name"]] if get.get("name") else [], birth_date=get.get("birth_date") or None,
            nationality=[n for n in get.get("nationality", "").split(";") if n.strip()],
            documents=[d for d in get.get("documents", "").split(";") if d.strip()],
            wallets=[wallet] if wallet else []))


# -- on the workers --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexRef:
    """Where a worker finds a bank's saved name index: ``path`` (a file all workers can read) or ``blob`` (the file's
    bytes, sent once to every worker), and the SHA-256 of those bytes."""

    bank_id: int
    sha256: str
    path: str | None


@dataclass(frozen=True)
class Job:
    """What a worker needs to screen a chunk (small: the indexes travel by reference)."""

    indexes: tuple[IndexRef, ...]
    threshold: float
    weights: dict[str, float]
    limit: int


_LOADED: dict[str, tuple[NameIndex, dict[tuple[int, str], int]]] = {}


def _load_index(ref: IndexRef, blob: bytes | None) -> tuple[NameIndex, dict[tuple[int, str], int]]:
    got = _LOADED.get(ref.sha256)
    if got is not None:
        return got
    raw = blob if blob is not None else Path(ref.path or "").read_bytes()
    if hashlib.sha256(raw).hexdigest() != ref.sha256:
        raise RuntimeError(f"the name index of bank {ref.bank_id} changed while the screening ran")
    saved = pickle.loads(raw[32:])  # noqa: S301 - the bytes are those this process wrote (SHA-256 checked above)
    index, ids = saved["index"], saved["signal_ids"]
    if not isinstance(index, NameIndex) or not isinstance(ids, dict):
        raise RuntimeError(f"the name index of bank {ref.bank_id} is not one Basira wrote")
    _LOADED.clear()  # one screening's indexes at a time in a long-lived worker
    _LOADED[ref.sha256] = (index, ids)
    return index, ids


def screen_chunk(rows: Sequence[CustomerRow], job: Job, *blobs: bytes | None) -> list[dict[str, Any]]:
    """Check and screen the names of ``rows`` (on a Dask worker): per row its clean query and name hits per bank,
    or the reason it cannot be screened. Wallets and entries are left to the process that records."""
    loaded = [_load_index(ref, blobs[i] if i < len(blobs) else None) for i, ref in enumerate(job.indexes)]
    out: list[dict[str, Any]] = []
    for row in rows:
        if row.query is None:
            out.append({"line": row.line, "ref": row.ref, "error": row.reason, "query": None})
            continue
        try:
            clean = screening.clean_query(row.query)
        except (InvalidInput, InvalidSignal) as e:
            # The query goes back: a wallet a list carries unverified passes once the lists are known.
            out.append({"line": row.line, "ref": row.ref, "error": e.detail,
                        "query": row.query if row.query.wallets else None})
            continue
        hits: list[tuple[int, screening.NameHit]] = []
        if clean.names:
            for ref, (index, ids) in zip(job.indexes, loaded, strict=True):
                hits += [(ref.bank_id, h) for h in
                         screening.name_hits(index, ids, clean, job.threshold, job.weights, job.limit)]
        out.append({"line": row.line, "ref": row.ref, "error": None, "clean": clean, "hits": hits})
    return out


# -- in this process -------------------------------------------------------------------------------------------

@dataclass
class ScreenReport:
    run_id: int
    total: int
    chunks: int = 0
    resumed_chunks: int = 0
    screened: int = 0
    matched: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"line", "id", "reason"}, the first ones
    output: Path | None = None


def _digest(path: Path, chunk_size: int, options: screening.ScreenOptions) -> tuple[str, int]:
    """SHA-256 of the file, the chunk size and the options (a resumed run has the same chunks and does the same
    thing with them), and the number of lines (for the progress bar)."""
    h = hashlib.sha256(json.dumps(["screen", chunk_size, options.threshold, options.bank_ids, options.record,
                                   options.monitor, options.limit]).encode() + b"\n")
    lines = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
            lines += block.count(b"\n")
    return h.hexdigest(), lines


def _chunks(path: Path, size: int) -> Iterator[tuple[int, list[CustomerRow]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        number, chunk = 0, []
        try:
            for row in read_customers(f):
                chunk.append(row)
                if len(chunk) == size:
                    yield number, chunk
                    number, chunk = number + 1, []
        except UnicodeDecodeError:
            raise InvalidInput(f"the customer file is not UTF-8 (near line {number * size + len(chunk) + 2})") \
                from None
        if chunk:
            yield number, chunk


def _index_refs(session: Session, inst: Instance, bank_ids: list[int], ship: bool) -> tuple[list[IndexRef],
                                                                                             list[bytes | None]]:
    """Each bank's name index saved on disk (built if needed) and referred to by path, or its bytes when the
    workers may not see this machine's disk (``ship``) or the file could not be written."""
    refs: list[IndexRef] = []
    blobs: list[bytes | None] = []
    url = str(session.get_bind().engine.url)
    for bank_id in bank_ids:
        bi = screening.bank_index(session, bank_id)
        path = screening._disk_path(url, bank_id)
        raw: bytes | None = None
        if path is not None:
            try:
                raw = path.read_bytes()
                saved = pickle.loads(raw[32:])  # noqa: S301 - this instance's own file, checked just below
                if tuple(saved.get("stamp", ())) != bi.stamp:
                    raw = None
            except Exception:  # missing, replaced or unreadable: sent by value instead
                raw = None
        if raw is None:
            raw = bytes(32) + pickle.dumps({"index": bi.index, "signal_ids": bi.signal_ids},
                                           protocol=pickle.HIGHEST_PROTOCOL)
            path = None
        digest = hashlib.sha256(raw).hexdigest()
        refs.append(IndexRef(bank_id, digest, None if ship or path is None else str(path)))
        blobs.append(raw if ship or path is None else None)
    return refs, blobs


def run_screen(inst: Instance, principal: Principal, path: Path, options: screening.ScreenOptions, *,
               out_dir: Path | None = None, workers: int = 2, scheduler: str | None = None,
               chunk_size: int = CHUNK_ROWS, on_rows: RowsDone | None = None, client: Any | None = None,
               in_flight: int | None = None) -> ScreenReport:
    """Screen the customer file ``path`` on Dask (see the module's docstring); resumes the unfinished run of the
    same file and options if there is one.

    ``on_rows(done_rows, line_count)`` is called after each recorded chunk; ``client`` is an existing
    ``distributed.Client``; ``in_flight`` bounds the chunks sent ahead (default: four per worker).
    """
    principal.require_match()
    if not 1 <= chunk_size <= MAX_CHUNK_ROWS:
        raise InvalidInput(f"the chunk size is 1 to {MAX_CHUNK_ROWS:,} rows")
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    digest, lines = _digest(path, chunk_size, options)
    # The header is checked before any run is opened or any worker started.
    with path.open(encoding="utf-8-sig", newline="") as f:
        try:
            next(read_customers(f), None)
        except UnicodeDecodeError as e:
            raise InvalidInput(f"the customer file is not UTF-8 (byte {e.start})") from None
    with inst.db.session() as s:
        settings = current_settings(s, principal.org_id)
        threshold = settings.threshold if options.threshold is None else options.threshold
        if not 0.0 < threshold <= 1.0:
            raise InvalidInput("threshold is in (0, 1]")
        banks = screening.lists_in_force(s, principal, settings, options.bank_ids)
        run = s.scalars(select(ScanRun).where(ScanRun.org_id == principal.org_id, ScanRun.source_digest == digest,
                                              ScanRun.finished_at.is_(None)).order_by(ScanRun.id.desc())).first()
        if run is None:
            run = ScanRun(org_id=principal.org_id, source=f"screen:{path.resolve()}"[:2000], source_digest=digest,
                          total=max(lines - 1, 0), chunk_size=chunk_size, store=options.record,
                          started_by=principal.actor)
            s.add(run)
            s.flush()
        run_id = run.id
        done = set(s.scalars(select(ScanChunk.chunk).where(ScanChunk.run_id == run_id)))
        before = s.execute(select(func.coalesce(func.sum(ScanChunk.items), 0),
                                  func.coalesce(func.sum(ScanChunk.errors), 0)).where(
            ScanChunk.run_id == run_id)).one()
        refs, blobs = _index_refs(s, inst, [b.id for b, _, _ in banks], ship=scheduler is not None)
        weights = dict(settings.weights)
    report = ScreenReport(run_id, max(lines - 1, 0), resumed_chunks=len(done))
    report.error_count = int(before[1])
    if out_dir is not None:
        with stopping_when_disk_full("screening", len(done)):
            out_dir.mkdir(parents=True, exist_ok=True)
        report.output = out_dir
    finished = int(before[0])
    recorded = len(done)
    if on_rows is not None:
        on_rows(finished, report.total)
    job = Job(tuple(refs), threshold, weights, options.limit)
    own = client is None
    active: Any = None
    pending: dict[Any, tuple[int, list[CustomerRow]]] = {}
    try:
        from distributed import as_completed

        chunks = _chunks(path, chunk_size)
        first = next(chunks, None)
        report.chunks = len(done)
        if first is None:
            raise InvalidInput("the customer file has no rows")
        active = start_client(workers, scheduler) if own else client
        shipped = [active.scatter(b, broadcast=True) if b is not None else None for b in blobs]
        attempt = uuid.uuid4().hex[:8]  # a stopped attempt's tasks may still be being cancelled (see scan)
        window = in_flight or 4 * max(1, len(active.scheduler_info().get("workers", {})))
        stream: Iterator[tuple[int, list[CustomerRow]]] = iter([first])

        def more(queue: Any) -> None:
            nonlocal stream
            while len(pending) < window:
                nxt = next(stream, None)
                if nxt is None:
                    nxt = next(chunks, None)
                    stream = iter(())
                    if nxt is None:
                        return
                number, rows = nxt
                if number in done:
                    continue
                report.chunks += 1
                future = active.submit(screen_chunk, rows, job, *shipped,
                                       key=f"basira-screen-{run_id}-{number}-{attempt}",
                                       pure=False, retries=2)
                pending[future] = nxt
                queue.add(future)

        queue = as_completed([])  # type: ignore[no-untyped-call]
        more(queue)
        for future in queue:
            number, rows = pending.pop(future)
            results = future.result()
            with stopping_when_disk_full("screening", recorded):
                _record(inst, principal, run_id, number, results, banks, threshold, options, out_dir, report)
            recorded += 1
            finished += len(rows)
            if on_rows is not None:
                on_rows(finished, max(report.total, finished))
            more(queue)
    finally:
        if pending and active is not None:
            active.cancel(list(pending))
        if own and active is not None:
            stop_client(active)
    with inst.db.session() as s:
        report.chunks = int(s.scalar(select(func.count()).select_from(ScanChunk).where(
            ScanChunk.run_id == run_id)) or 0)
        got = s.get(ScanRun, run_id)
        if got is not None and got.finished_at is None:
            got.finished_at = dt.datetime.now(dt.UTC)
    return report


def _record(inst: Instance, principal: Principal, run_id: int, number: int, rows: list[dict[str, Any]],
            banks: list[tuple[Bank, Access, ListImport | None]], threshold: float,
            options: screening.ScreenOptions, out_dir: Path | None, report: ScreenReport) -> None:
    """One chunk's hits, cases, customers, results and checkpoint row, in one transaction."""
    out: list[dict[str, Any]] = []
    matched = errors = 0
    with inst.db.session() as s:
        settings = current_settings(s, principal.org_id)
        by_id = {b.id: (b, a, imp) for b, a, imp in banks}
        # The session's own copies of the banks (those given were read in another session).
        live = {b.id: b for b in s.scalars(select(Bank).where(Bank.id.in_(list(by_id))))} if by_id else {}
        in_force = [(live[b.id], a, imp) for b, a, imp in banks if b.id in live]
        imports = {b.id: imp for b, _, imp in banks}
        shown = {**settings.as_dict(), "threshold": threshold, "bank_ids": [b.id for b, _, _ in banks],
                 "threshold_overridden": options.threshold is not None}
        listed = screening.wallet_checker(s, list(live))
        wanted = {h.entry_id for r in rows if r["error"] is None for _, h in r["hits"]}
        entries = {e.id: e for e in s.scalars(select(Entry).where(Entry.id.in_(wanted)))} if wanted else {}
        keep: list[screening._Clean] = []
        for r in rows:
            clean: screening._Clean | None = r.get("clean")
            reason = r["error"]
            hits: list[screening._Hit] = []
            if clean is None and r.get("query") is not None:
                try:  # a wallet that fails validation, screened as written when a list holds it so
                    clean = screening.clean_query(r["query"], listed)
                    reason = None
                except (InvalidInput, InvalidSignal):
                    pass
                if clean is not None:
                    hits = screening.screen_one(s, clean, in_force, threshold, settings.weights, options.limit)
            elif clean is not None:
                for bank_id, h in r["hits"]:
                    entry = entries.get(h.entry_id)
                    if entry is None or entry.bank_id != bank_id or bank_id not in live:
                        continue
                    _, access, _ = by_id[bank_id]
                    hits.append(screening._Hit(live[bank_id], access, entry, h.signal_id, "name", h.query_value,
                                               h.score, h.features, h.matched))
                if clean.wallets:
                    hits += screening.screen_one(
                        s, screening._Clean(clean.ref, clean.kind, [], None, None, [], None, [], clean.wallets),
                        in_force, threshold, settings.weights, options.limit)
                hits.sort(key=lambda x: (-x.score, x.bank.id, x.entry.id))
                hits = hits[:max(options.limit, 1) * max(len(in_force), 1)]
            if clean is None:
                errors += 1
                if len(report.errors) < MAX_ERRORS_KEPT:
                    report.errors.append({"line": r["line"], "id": r["ref"], "reason": str(reason)})
                out.append(_result_row(r["line"], r["ref"], None, str(reason), imports))
                continue
            if options.record and hits:
                screening.record_hits(s, principal.org_id, principal.actor, clean, hits, imports, shown, threshold)
            if options.monitor:
                keep.append(clean)
            matched += bool(hits)
            out.append(_result_row(r["line"], clean.ref, hits, None, imports))
        if keep:
            _remember(s, principal.org_id, keep)
        if out_dir is not None:
            write_parquet(out_dir / f"part-{number:06d}.parquet", _table(out))
        s.add(ScanChunk(run_id=run_id, chunk=number, items=len(rows), matched=matched, errors=errors))
    report.screened += len(rows) - errors
    report.matched += matched
    report.error_count += errors


def _remember(session: Session, org_id: int, cleans: list[screening._Clean]) -> None:
    """:func:`screening.remember` for a chunk: one look-up for all its customers (the last row of a ref wins)."""
    latest = {c.ref: c for c in cleans if c.ref}
    known = {c.ref: c for c in session.scalars(select(Customer).where(Customer.org_id == org_id,
                                                                      Customer.ref.in_(list(latest))))}
    now = dt.datetime.now(dt.UTC)
    for ref, c in latest.items():
        row = known.get(ref)
        if row is None:
            session.add(Customer(org_id=org_id, ref=ref, kind=c.kind, signals=screening.customer_signals(c)))
        else:
            row.kind, row.signals, row.screened_at = c.kind, screening.customer_signals(c), now


def _result_row(line: int, ref: str, hits: list[screening._Hit] | None, error: str | None,
                imports: dict[int, ListImport | None]) -> dict[str, Any]:
    top = next((h for h in hits or [] if h.access >= Access.SEE), None)
    imp = imports.get(top.bank.id) if top else None
    return {"line": line, "id": ref, "status": "error" if hits is None else ("matched" if hits else "no match"),
            "hits": len(hits or []), "score": round(hits[0].score, 4) if hits else None,
            "list": (top.bank.name or "") if top else None,
            "list_version": (imp.version or "") if top and imp else None,
            "entry_ref": top.entry.ref if top else None,
            "entry_name": ((top.entry.attributes.get("names") or [{}])[0].get("name")) if top else None,
            "matched_name": top.matched if top else None,
            "features": json.dumps({k: round(v, 4) for k, v in top.features.items()}, sort_keys=True) if top else None,
            "error": error}


def _table(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    strings = ("id", "status", "list", "list_version", "entry_ref", "entry_name", "matched_name", "features", "error")
    cols: dict[str, Any] = {"line": pa.array([r["line"] for r in rows], pa.int64())}
    for name in strings:
        cols[name] = pa.array([r[name] for r in rows], pa.string())
    cols["hits"] = pa.array([r["hits"] for r in rows], pa.int32())
    cols["score"] = pa.array([r["score"] for r in rows], pa.float64())
    return pa.table(cols)


def summary_rows(out_dir: Path) -> Iterator[dict[str, Any]]:
    """The results written under ``out_dir``, part by part (tests, small exports)."""
    import pyarrow.parquet as pq

    for part in sorted(out_dir.glob("part-*.parquet")):
        yield from pq.read_table(io.BytesIO(part.read_bytes())).to_pylist()
