"""Batch scans with Dask: hash a back catalogue in parallel, match it, record it, resume after an interruption.

The source is a folder (walked recursively in name order), a text file of paths (one per line), or a manifest (CSV
or Parquet with a ``path`` column; relative paths are read from the manifest's folder). Its ordered paths are cut
into chunks; each chunk is one Dask task that reads and hashes its files on a worker (a local cluster of processes by
default, or the cluster behind ``scheduler``), and sends back only signal values. This process then matches each
chunk and records its items, matches and a :class:`~basira.core.models.ScanChunk` row in one transaction, and writes
the chunk's results to ``part-NNNNNN.parquet``. The chunk rows are the checkpoint: run the same scan again after an
interruption and only the chunks without a row are done (nothing scanned twice, nothing skipped). A worker that dies
mid-chunk loses nothing either: Dask runs its task again elsewhere, and only this process writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import io
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from basira.core.errors import BasiraError, DiskFull, EmptyContent, InvalidInput
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, exact_signals, extract, item_signals, match_item, provisional
from basira.core.models import ScanChunk, ScanRun
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import Content, SignalTypeRegistry, default_registry
from basira.core.sniff import sniff_file

CHUNK_SIZE = 64
MAX_SOURCE_PATHS = 10_000_000
MAX_PATH_CHARS = 4096

ChunkDone = Callable[[int, int], None]


@dataclass(frozen=True)
class Source:
    label: str
    paths: list[str]

    def digest(self, chunk_size: int) -> str:
        h = hashlib.sha256(f"{chunk_size}\n".encode())
        for p in self.paths:
            h.update(p.encode("utf-8", "surrogateescape") + b"\n")
        return h.hexdigest()


def read_source(source: Path) -> Source:
    """The ordered paths named by ``source`` (a folder, a list of paths, a CSV or Parquet manifest)."""
    if not source.exists():
        raise InvalidInput(f"{source}: no such file or folder")
    if source.is_dir():
        paths = [str(p) for p in _walk(source)]
    elif source.suffix.lower() == ".parquet":
        paths = _parquet_paths(source)
    elif source.suffix.lower() == ".csv":
        paths = _csv_paths(source)
    else:
        paths = _list_paths(source)
    if not paths:
        raise InvalidInput(f"{source} names no file to scan")
    return Source(str(source.resolve()), paths)


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _resolve(base: Path, raw: str, where: str) -> str:
    value = raw.strip()
    if "\x00" in value or len(value) > MAX_PATH_CHARS:
        raise InvalidInput(f"{where}: not a usable path")
    if "://" in value:
        raise InvalidInput(f"{where}: {value[:80]!r} is a URL; scan reads files (fetch them first)")
    path = Path(value)
    return str(path if path.is_absolute() else base / path)


def _list_paths(source: Path) -> list[str]:
    out: list[str] = []
    with source.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if len(raw) > MAX_PATH_CHARS + 2:
                raise InvalidInput(f"{source} line {number}: longer than {MAX_PATH_CHARS} characters")
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise InvalidInput(f"{source} line {number}: not UTF-8") from None
            if line and not line.startswith("#"):
                out.append(_resolve(source.parent, line, f"{source} line {number}"))
            if len(out) > MAX_SOURCE_PATHS:
                raise InvalidInput(f"{source}: more than {MAX_SOURCE_PATHS} paths")
    return out


def _csv_paths(source: Path) -> list[str]:
    csv.field_size_limit(MAX_PATH_CHARS * 4)
    out: list[str] = []
    try:
        with source.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None or "path" not in reader.fieldnames:
                raise InvalidInput(f"{source}: a manifest needs a 'path' column")
            for row in reader:
                out.append(_resolve(source.parent, row.get("path") or "", f"{source} line {reader.line_num}"))
                if len(out) > MAX_SOURCE_PATHS:
                    raise InvalidInput(f"{source}: more than {MAX_SOURCE_PATHS} paths")
    except (csv.Error, UnicodeDecodeError) as e:
        raise InvalidInput(f"{source}: not a readable CSV manifest ({e})") from None
    return out


def _parquet_paths(source: Path) -> list[str]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(source, columns=["path"])
    except (KeyError, ValueError, OSError) as e:
        raise InvalidInput(f"{source}: not a Parquet manifest with a 'path' column ({e})") from None
    values = table.column("path").to_pylist()
    if len(values) > MAX_SOURCE_PATHS:
        raise InvalidInput(f"{source}: more than {MAX_SOURCE_PATHS} paths")
    return [_resolve(source.parent, str(v or ""), f"{source} row {n}") for n, v in enumerate(values, 1)]


# -- on the workers -----------------------------------------------------------------------------------------------

_REGISTRY: SignalTypeRegistry | None = None


def hash_chunk(paths: Sequence[str], settings: Settings) -> list[dict[str, Any]]:
    """Read and hash each file (on a Dask worker): its content type and exact signal values, or the error."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = default_registry()
    registry = _REGISTRY
    out: list[dict[str, Any]] = []
    for raw in paths:
        path = Path(raw)
        try:
            size = path.stat().st_size
            if size == 0:
                raise EmptyContent(f"{path} is empty")
            content = Content(path=path, content_type=sniff_file(path), size=size)
            found = extract(registry, settings, content, for_bank=False)
            # Fast-path values are made exact here, on the worker, so this process never re-reads the file.
            exact = {s.signal_type for s in found if provisional(s)}
            if exact:
                found = [s for s in found if s.signal_type not in exact]
                for name in sorted(exact):
                    found += exact_signals(registry.get(name), content, settings)
            out.append({"path": raw, "content_type": content.content_type,
                        "signals": [(s.signal_type, s.value) for s in found], "error": None})
        except (BasiraError, OSError) as e:
            message = e.detail if isinstance(e, BasiraError) else (e.strerror or type(e).__name__)
            out.append({"path": raw, "content_type": "", "signals": [], "error": str(message)})
    return out


# -- in this process ----------------------------------------------------------------------------------------------

@dataclass
class ScanReport:
    run_id: int
    total: int
    chunks: int
    resumed_chunks: int = 0
    items: int = 0
    matched: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    output: Path | None = None


def run_scan(inst: Instance, principal: Principal, source: Path, *, bank_ids: list[int] | None = None,
             store: bool = True, out_dir: Path | None = None, workers: int = 2, scheduler: str | None = None,
             chunk_size: int = CHUNK_SIZE, on_chunk: ChunkDone | None = None,
             client: Any | None = None) -> ScanReport:
    """Scan ``source`` (see the module's docstring); resumes the unfinished run of the same source if there is one.

    ``on_chunk(done_items, total_items)`` is called after each recorded chunk (progress bars); ``client`` is an
    existing ``distributed.Client`` to use instead of starting one.
    """
    principal.require_match()
    if chunk_size < 1 or chunk_size > 10_000:
        raise InvalidInput("the chunk size is 1 to 10,000 files")
    src = read_source(source)
    digest = src.digest(chunk_size)
    with inst.db.session() as s:
        run = s.scalars(select(ScanRun).where(ScanRun.org_id == principal.org_id, ScanRun.source_digest == digest,
                                              ScanRun.finished_at.is_(None)).order_by(ScanRun.id.desc())).first()
        if run is None:
            run = ScanRun(org_id=principal.org_id, source=src.label[:2000], source_digest=digest,
                          total=len(src.paths), chunk_size=chunk_size, store=store, started_by=principal.actor)
            s.add(run)
            s.flush()
        run_id = run.id
        done = set(s.scalars(select(ScanChunk.chunk).where(ScanChunk.run_id == run_id)))
    chunks = [src.paths[i:i + chunk_size] for i in range(0, len(src.paths), chunk_size)]
    report = ScanReport(run_id, len(src.paths), len(chunks), resumed_chunks=len(done))
    recorded = len(done)
    if out_dir is not None:
        with stopping_when_disk_full("scan", recorded):
            out_dir.mkdir(parents=True, exist_ok=True)
        report.output = out_dir
    todo = [i for i in range(len(chunks)) if i not in done]
    finished = sum(len(chunks[i]) for i in done)
    if on_chunk is not None:
        on_chunk(finished, len(src.paths))
    if todo:
        own = client is None
        active: Any = start_client(workers, scheduler) if client is None else client
        futures: dict[Any, int] = {}
        try:
            from distributed import as_completed

            # Keys differ from one attempt to the next: the tasks of an attempt that stopped may still be being
            # cancelled on a shared scheduler when the scan is resumed.
            attempt = uuid.uuid4().hex[:8]
            futures = {active.submit(hash_chunk, chunks[i], inst.settings, key=f"basira-scan-{run_id}-{i}-{attempt}",
                                     pure=False, retries=2): i for i in todo}
            for future in as_completed(list(futures)):  # type: ignore[no-untyped-call]
                i = futures.pop(future)
                rows = future.result()
                with stopping_when_disk_full("scan", recorded):
                    _record(inst, principal, run_id, i, rows, bank_ids, store, out_dir, report)
                recorded += 1
                finished += len(rows)
                if on_chunk is not None:
                    on_chunk(finished, len(src.paths))
        finally:
            if futures and not own:
                active.cancel(list(futures))  # a shared cluster does not go on with a stopped scan's tasks
            if own:
                stop_client(active)
    with inst.db.session() as s:
        got = s.get(ScanRun, run_id)
        if got is not None and got.finished_at is None:
            got.finished_at = dt.datetime.now(dt.UTC)
    return report


def is_disk_full(e: BaseException) -> bool:
    """Whether ``e`` says a disk or quota is full: a file write (ENOSPC, EDQUOT) or SQLite's own error."""
    if isinstance(e, OSError):
        return e.errno in (errno.ENOSPC, errno.EDQUOT)
    orig = getattr(e, "orig", None)
    text = str(orig if orig is not None else "").lower()
    return "disk is full" in text or "no space left" in text or "could not extend file" in text


@contextmanager
def stopping_when_disk_full(what: str, recorded: int) -> Iterator[None]:
    """Turn a full disk inside the block into :class:`DiskFull`, saying what the batch ``what`` kept."""
    try:
        yield
    except Exception as e:
        if is_disk_full(e):
            raise DiskFull(disk_full_message(e, what, recorded)) from None
        raise


def disk_full_message(e: BaseException, what: str, recorded: int) -> str:
    """What a full disk did to a batch ``what`` (scan, screening) and how to go on."""
    where = f" writing {e.filename}" if isinstance(e, OSError) and e.filename else ""
    return (f"the disk is full{where}: the {what} stopped. The {recorded} chunks recorded before are kept and "
            f"the chunk being written was not recorded; free some space and run the same command again to resume")


def start_client(workers: int, scheduler: str | None) -> Any:
    """A client of the scheduler at ``scheduler``, or of a new local cluster of ``workers`` processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout=10)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as e:
            raise InvalidInput(f"no Dask scheduler answers at {scheduler} ({type(e).__name__})") from None
    if workers < 1 or workers > 256:
        raise InvalidInput("workers is 1 to 256")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1,  # type: ignore[no-untyped-call]
                           processes=True, dashboard_address=None)
    return Client(cluster)  # type: ignore[no-untyped-call]


def stop_client(client: Any) -> None:
    """Close ``client`` and the local cluster it started, if any."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def _record(inst: Instance, principal: Principal, run_id: int, chunk: int, rows: list[dict[str, Any]],
            bank_ids: list[int] | None, store: bool, out_dir: Path | None, report: ScanReport) -> None:
    results: list[dict[str, Any]] = []
    matched = errors = 0
    with inst.db.session() as s:
        for row in rows:
            out = {"path": row["path"], "content_type": row["content_type"], "status": "error", "matched": False,
                   "banks": [], "signal_types": [], "best_distance": None, "error": row["error"]}
            if row["error"] is None:
                if not row["signals"]:
                    out["error"] = "no signal could be taken from the file"
                else:
                    request = MatchRequest(signals=[(str(t), str(v)) for t, v in row["signals"]],
                                           ref=row["path"][:300], content_type=row["content_type"],
                                           bank_ids=bank_ids, store=store)
                    try:  # checked before anything is written, so that one bad value fails its row only
                        item_signals(inst.registry, inst.settings, request)
                    except BasiraError as e:
                        out["error"] = e.detail
                if out["error"] is None:
                    result = match_item(s, principal, inst.registry, inst.indexes, inst.settings, request)
                    hits = result["matches"]
                    distances = [m["distance"] for m in hits if m.get("distance") is not None]
                    out.update(status="matched" if result["matched"] else ("suppressed" if result["suppressed"]
                                                                            else "no match"),
                               matched=bool(result["matched"]),
                               banks=sorted({str(m["bank"].get("name") or m["bank"].get("owner")) for m in hits}),
                               signal_types=sorted({m["signal_type"] for m in hits}),
                               best_distance=min(distances) if distances else None)
            if out["error"] is not None:
                errors += 1
                report.errors.append((row["path"], str(out["error"])))
            matched += bool(out["matched"])
            results.append(out)
        if out_dir is not None:
            _write_part(out_dir / f"part-{chunk:06d}.parquet", results)
        s.add(ScanChunk(run_id=run_id, chunk=chunk, items=len(rows), matched=matched, errors=errors))
    report.items += len(rows)
    report.matched += matched


def _write_part(path: Path, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa

    write_parquet(path, pa.table({
        "path": pa.array([r["path"] for r in rows], pa.string()),
        "status": pa.array([r["status"] for r in rows], pa.string()),
        "content_type": pa.array([r["content_type"] for r in rows], pa.string()),
        "matched": pa.array([r["matched"] for r in rows], pa.bool_()),
        "banks": pa.array([r["banks"] for r in rows], pa.list_(pa.string())),
        "signal_types": pa.array([r["signal_types"] for r in rows], pa.list_(pa.string())),
        "best_distance": pa.array([r["best_distance"] for r in rows], pa.float64()),
        "error": pa.array([r["error"] for r in rows], pa.string()),
    }))


def write_parquet(path: Path, table: Any) -> None:
    """Write ``table`` to ``path`` whole or not at all (a redone chunk overwrites its own; a write cut short by a
    full disk leaves nothing behind)."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    partial = path.with_suffix(".partial")
    try:
        with partial.open("wb") as f:
            f.write(buffer.getvalue())
            f.flush()
            os.fsync(f.fileno())  # a full disk is found here rather than after the chunk is marked done
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
