"""``basira backup`` and ``basira restore``: the whole database in one portable file, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from basira.cli.common import actor, err, out, state
from basira.core import audit
from basira.core import backup as engine_backup


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


def backup(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help="The backup file to write (a new .zip; never overwritten).",
                                           dir_okay=False)],
    include_keys: Annotated[bool, typer.Option(
        "--include-keys", help="Also store the data folder's key files (*.key). Without it, keep a copy of them "
                               "elsewhere: what they encrypt cannot be read without them.")] = False,
) -> None:
    """Back up every table (a consistent snapshot, safe while Basira serves) to one file that restores onto SQLite
    or PostgreSQL."""
    inst = state(ctx).instance()
    with _progress() as bar:
        task = bar.add_task("rows", total=None)

        def step(table: str, rows: int) -> None:
            bar.update(task, advance=rows, description=table)

        report = engine_backup.backup(inst.db.engine, target, data_dir=inst.settings.data_dir,
                                      include_keys=include_keys, progress=step)
    with inst.db.session() as s:
        audit.record(s, org_id=None, actor=actor(), action="instance.backup", target=str(target.name),
                     details={"rows": report.rows, "tables": len(report.tables), "keys": report.keys})
    out.print(f"backed up {report.rows} rows of {len(report.tables)} tables to {escape(str(target))}")
    if not report.keys:
        out.print(f"[yellow]The key files of {escape(str(inst.settings.data_dir))} (*.key) are not in the backup: "
                  "keep a copy of them apart (or use --include-keys).[/yellow]")


def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="A file written by basira backup.", dir_okay=False)],
) -> None:
    """Restore a backup onto this instance's empty database (all or nothing; counts, digests and every audit chain
    are checked before it is kept)."""
    inst = state(ctx).instance()
    with _progress() as bar:
        task = bar.add_task("rows", total=None)

        def step(table: str, rows: int) -> None:
            bar.update(task, advance=rows, description=table)

        report = engine_backup.restore(inst.db.engine, source, data_dir=inst.settings.data_dir,
                                       audit_key=audit.derive_key(inst.secret_key), progress=step)
    with inst.db.session() as s:
        audit.record(s, org_id=None, actor=actor(), action="instance.restore", target=str(source.name),
                     details={"rows": report.rows, "tables": len(report.tables)})
    out.print(f"restored {report.rows} rows of {len(report.tables)} tables; {report.chains} audit chains verify"
              + (f"; key files restored: {', '.join(report.keys)}" if report.keys else ""))
