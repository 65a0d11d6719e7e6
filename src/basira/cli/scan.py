"""``basira scan``: a back catalogue hashed in parallel on Dask, matched, recorded, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from basira.cli.common import JsonOption, OrgOption, bank_ref, echo_json, err, out, principal, state
from basira.core.banks import get_bank
from basira.core.errors import InvalidInput
from basira.core.scan import CHUNK_SIZE, run_scan
from basira.core.visibility import Access


def scan(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="A folder, a text file of paths (one per line), or a CSV/Parquet "
                                                "manifest with a 'path' column.")],
    org: OrgOption = None,
    bank: Annotated[list[str] | None, typer.Option("--bank", help="Match only this bank (repeatable).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write the results as Parquet parts to this folder.",
                                                 file_okay=False)] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=256,
                                         help="Local worker processes (when no --scheduler).")] = 2,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="A Dask scheduler to run on, e.g. "
                                                                      "tcp://10.0.0.5:8786.")] = None,
    chunk: Annotated[int, typer.Option("--chunk", min=1, max=10_000, help="Files per task.")] = CHUNK_SIZE,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Record items and matches (cases follow), or "
                                                                  "only look.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Scan a back catalogue: files hashed in parallel on Dask, matched against the banks, recorded chunk by chunk.
    Run it again after an interruption: the chunks already recorded are skipped, none is done twice."""
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
        raise InvalidInput(f"--scheduler {scheduler!r}: give an address such as tcp://host:8786")
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        bank_ids = [get_bank(s, p, bank_ref(b), Access.MATCH_ONLY).id for b in bank] if bank else None
    progress = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    with progress:
        task = progress.add_task("scan", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = run_scan(inst, p, source, bank_ids=bank_ids, store=store, out_dir=out_dir, workers=workers,
                          scheduler=scheduler, chunk_size=chunk, on_chunk=step)
    summary = {"org": o.slug, "run": report.run_id, "files": report.total, "chunks": report.chunks,
               "resumed_chunks": report.resumed_chunks, "scanned": report.items, "matched": report.matched,
               "errors": len(report.errors), "output": str(report.output) if report.output else None}
    if as_json:
        echo_json({**summary, "error_files": [{"file": f, "error": e} for f, e in report.errors[:1000]]})
    else:
        resumed = f" ({report.resumed_chunks} of {report.chunks} chunks were already done)" \
            if report.resumed_chunks else ""
        out.print(f"scan {report.run_id} of {escape(str(source))}: {report.items} files scanned{resumed}, "
                  f"{report.matched} matched, {len(report.errors)} errors"
                  + (f"; results in {escape(str(report.output))}" if report.output else ""))
        for f, e in report.errors[:20]:
            out.print(f"  {escape(f)}: {escape(e)}", soft_wrap=True)
    if report.errors:
        raise typer.Exit(65)
