"""Backup and restore of a whole instance's database, portable between SQLite and PostgreSQL.

A backup is a zip file: ``manifest.json`` (format, Basira version, the schema's migration heads, and for every table
its row count and the SHA-256 of its rows file) and one ``tables/<name>.jsonl`` per table, one JSON object per row,
streamed in batches so that memory stays flat whatever the size. Values are written by their column's type
(timestamps in ISO 8601 UTC, bytes in base64, JSON as JSON), so a backup of SQLite restores onto PostgreSQL and back.
The rows are read in one transaction (a snapshot on both backends): a backup taken while Basira serves is consistent.

Restore goes onto an empty database whose schema is at the same migration heads as the backup's, in one transaction,
tables in foreign-key order, and then checks each table's count and digest, moves PostgreSQL's id sequences past the
restored ids, and verifies every audit chain; any failure rolls everything back. A backup file is outside input:
sizes, line lengths and the manifest are checked before anything is written.

Key files of the data folder (``*.key``) are left out unless asked for: a backup that holds the instance key next to
what it encrypts protects nothing. Keep the key apart, or pass ``include_keys``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Column, Connection, Date, DateTime, Engine, LargeBinary, Table, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from basira import __version__
from basira.core.errors import InvalidInput
from basira.core.models import Base

FORMAT = "basira-backup"
FORMAT_VERSION = 1
BATCH = 2000
#: A rows line longer than this is refused (the largest value Basira stores is a vPDQ of a long video, ~1 MB).
MAX_LINE_BYTES = 64 * 1024 * 1024
#: A zip member that inflates more than this many times its compressed size is refused (a zip bomb).
MAX_RATIO = 200
MAX_MANIFEST_BYTES = 1024 * 1024

Progress = Callable[[str, int], None]


@dataclass
class BackupReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _base_type(col: Column[Any]) -> TypeEngine[Any]:
    t: TypeEngine[Any] = col.type
    while isinstance(t, TypeDecorator):
        t = t.impl_instance
    return t


def _encoder(col: Column[Any]) -> Callable[[Any], Any]:
    t = _base_type(col)
    if isinstance(t, DateTime):
        return lambda v: None if v is None else (v if v.tzinfo else v.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(t, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(t, LargeBinary):
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode("ascii")
    return lambda v: v


def _decoder(col: Column[Any]) -> Callable[[Any], Any]:
    t = _base_type(col)
    if isinstance(t, DateTime):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(t, Date):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if isinstance(t, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v, validate=True)
    return lambda v: v


def _tables() -> list[Table]:
    from basira.core.db import load_models

    load_models()
    return list(Base.metadata.sorted_tables)


def _heads(conn: Connection) -> list[str]:
    return sorted(str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version")))


def backup(engine: Engine, target: Path, *, data_dir: Path | None = None, include_keys: bool = False,
           progress: Progress | None = None) -> BackupReport:
    """Write a backup of every table to ``target`` (a new file; an existing one is not overwritten)."""
    if target.exists():
        raise InvalidInput(f"{target} exists; choose a new file name (a backup never overwrites one)")
    report = BackupReport(target)
    tables = _tables()
    partial = target.with_name(target.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf, \
                engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            else:
                conn.exec_driver_sql("BEGIN")  # SQLite: one read transaction is one snapshot (WAL)
            manifest: dict[str, Any] = {"format": FORMAT, "version": FORMAT_VERSION, "basira": __version__,
                                        "created_at": dt.datetime.now(dt.UTC).isoformat(),
                                        "dialect": conn.dialect.name, "heads": _heads(conn), "tables": {}}
            for table in tables:
                rows, digest = _write_table(conn, zf, table, progress)
                manifest["tables"][table.name] = {"rows": rows, "sha256": digest}
                report.tables[table.name] = rows
            conn.rollback()
            if include_keys and data_dir is not None:
                for key in sorted(data_dir.glob("*.key")):
                    zf.write(key, f"keys/{key.name}")
                    report.keys.append(key.name)
            manifest["keys"] = report.keys
            zf.writestr("manifest.json", json.dumps(manifest, indent=1))
        partial.chmod(0o600)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return report


def _write_table(conn: Connection, zf: zipfile.ZipFile, table: Table,
                 progress: Progress | None) -> tuple[int, str]:
    cols = list(table.columns)
    encoders = [_encoder(c) for c in cols]
    names = [c.name for c in cols]
    digest = hashlib.sha256()
    count = 0
    order = list(table.primary_key.columns) or cols[:1]
    with zf.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as out:
        result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
        for part in result.partitions():
            chunk = b"".join(
                json.dumps(dict(zip(names, (enc(v) for enc, v in zip(encoders, row, strict=True)), strict=True)),
                           ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                for row in part)
            out.write(chunk)
            digest.update(chunk)
            count += len(part)
            if progress is not None:
                progress(table.name, len(part))
    return count, digest.hexdigest()


@dataclass
class RestoreReport:
    tables: dict[str, int] = field(default_factory=dict)
    chains: int = 0
    keys: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = zf.getinfo("manifest.json")
    except KeyError:
        raise InvalidInput("not a Basira backup: it has no manifest.json") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise InvalidInput("the backup's manifest is too large")
    try:
        manifest = json.loads(zf.read(info))
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidInput(f"the backup's manifest is not JSON ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput("not a Basira backup (the manifest names another format)")
    if manifest.get("version") != FORMAT_VERSION:
        raise InvalidInput(f"backup format version {manifest.get('version')!r}; this Basira reads {FORMAT_VERSION}")
    if not isinstance(manifest.get("tables"), dict) or not isinstance(manifest.get("heads"), list):
        raise InvalidInput("the backup's manifest lacks its tables or schema heads")
    return manifest


def open_backup(source: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such file") from None
    except (zipfile.BadZipFile, OSError) as e:
        raise InvalidInput(f"{source} is not a readable backup ({e})") from None


def restore(engine: Engine, source: Path, *, data_dir: Path | None = None, audit_key: bytes | None = None,
            progress: Progress | None = None) -> RestoreReport:
    """Restore ``source`` onto the (migrated, empty) database of ``engine``; all or nothing. ``audit_key`` is this
    instance's audit key (:func:`basira.core.audit.derive_key` of its secret): a keyed chain verifies only under the
    key of the instance that wrote it."""
    from basira.core import audit
    from basira.core.db import schema_is_current

    report = RestoreReport()
    tables = _tables()
    with open_backup(source) as zf:
        manifest = read_manifest(zf)
        with engine.connect() as conn:
            heads = _heads(conn)
            if heads != sorted(str(h) for h in manifest["heads"]):
                raise InvalidInput(f"the backup's schema ({', '.join(manifest['heads'])}) is not this database's "
                                   f"({', '.join(heads)}): restore with the Basira version that made it, then "
                                   "upgrade")
            filled = [t.name for t in tables if conn.scalar(select(func.count()).select_from(t)) != 0]
        if filled:
            raise InvalidInput(f"the database is not empty ({', '.join(filled[:5])} hold rows): restore goes onto an "
                               "empty database")
        if not schema_is_current(engine):
            raise InvalidInput("the database's schema is not at the newest migration")
        known = {t.name for t in tables}
        unknown = sorted(set(manifest["tables"]) - known)
        if unknown:
            raise InvalidInput(f"the backup has tables this Basira does not know: {', '.join(unknown[:5])}")
        with engine.begin() as conn:
            for table in tables:
                expected = manifest["tables"].get(table.name)
                if expected is None:
                    continue
                report.tables[table.name] = _restore_table(conn, zf, table, expected, progress)
            if conn.dialect.name == "postgresql":
                _advance_sequences(conn, tables)
            # Checked before the transaction commits: a chain that does not verify leaves the database empty.
            with Session(bind=conn, info={audit.KEY_INFO: audit_key} if audit_key else {}) as s:
                reports = audit.verify(s)
            broken = [r for r in reports if not r.ok]
            if broken:
                raise InvalidInput(f"the restored audit chain {broken[0].chain!r} does not verify "
                                   f"({broken[0].problems[0]}); nothing was kept")
        report.chains = len(reports)
        if data_dir is not None:
            report.keys = _restore_keys(zf, data_dir)
    return report


def _restore_table(conn: Connection, zf: zipfile.ZipFile, table: Table, expected: dict[str, Any],
                   progress: Progress | None) -> int:
    name = f"tables/{table.name}.jsonl"
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise InvalidInput(f"the backup lists table {table.name} but lacks {name}") from None
    if info.compress_size and info.file_size > MAX_RATIO * info.compress_size + 1024 * 1024:
        raise InvalidInput(f"{name} inflates {info.file_size // max(info.compress_size, 1)} times: refused")
    columns = {c.name: (c, _decoder(c)) for c in table.columns}
    digest = hashlib.sha256()
    count = 0
    batch: list[dict[str, Any]] = []
    with zf.open(info) as raw:
        for number, line in enumerate(_lines(raw, name), 1):
            digest.update(line)
            try:
                row = json.loads(line)
            except (ValueError, UnicodeDecodeError) as e:
                raise InvalidInput(f"{name} line {number}: not JSON ({e})") from None
            if not isinstance(row, dict) or not set(row) <= set(columns):
                extra = sorted(set(row) - set(columns)) if isinstance(row, dict) else []
                raise InvalidInput(f"{name} line {number}: not a row of {table.name}"
                                   + (f" (unknown columns {', '.join(extra[:5])})" if extra else ""))
            try:
                batch.append({k: columns[k][1](v) for k, v in row.items()})
            except (ValueError, TypeError) as e:
                raise InvalidInput(f"{name} line {number}: a value does not fit its column ({e})") from None
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                count += len(batch)
                if progress is not None:
                    progress(table.name, len(batch))
                batch = []
    if batch:
        conn.execute(table.insert(), batch)
        count += len(batch)
        if progress is not None:
            progress(table.name, len(batch))
    if count != expected.get("rows") or digest.hexdigest() != expected.get("sha256"):
        raise InvalidInput(f"{name}: {count} rows whose digest does not match the manifest (the file was changed "
                           "or cut short)")
    return count


def _lines(raw: IO[bytes], name: str) -> Iterator[bytes]:
    pending = b""
    while True:
        chunk = raw.read(1 << 20)
        if not chunk:
            break
        pending += chunk
        *whole, pending = pending.split(b"\n")
        for line in whole:
            yield line + b"\n"
        if len(pending) > MAX_LINE_BYTES:
            raise InvalidInput(f"{name}: a line longer than {MAX_LINE_BYTES} bytes")
    if pending:
        raise InvalidInput(f"{name}: the last line is cut short")


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or _base_type(pk[0]).python_type is not int:
            continue
        seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name})
        if seq:
            top = conn.scalar(select(func.max(pk[0])))
            conn.execute(text("SELECT setval(:s, :v, :called)"),
                         {"s": seq, "v": int(top or 1), "called": top is not None})


def _restore_keys(zf: zipfile.ZipFile, data_dir: Path) -> list[str]:
    restored = []
    for info in zf.infolist():
        if not info.filename.startswith("keys/") or info.file_size > 64 * 1024:
            continue
        name = Path(info.filename).name
        if not name.endswith(".key") or name != info.filename[len("keys/"):]:
            continue
        target = data_dir / name
        content = zf.read(info)
        if target.exists():
            if target.read_bytes() != content:
                raise InvalidInput(f"{target} exists and differs from the backup's {name}; move it away first")
            continue
        data_dir.mkdir(parents=True, exist_ok=True)
        target.touch(mode=0o600)
        target.write_bytes(content)
        restored.append(name)
    return restored

