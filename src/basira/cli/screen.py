"""``basira screen customers.csv``: screen a customer file against the lists in force, with a progress bar, and
write the results as CSV or JSON; alerting hits become review cases.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from basira.cli.common import JsonOption, OrgOption, err, principal, state
from basira.core.errors import InvalidInput, InvalidSignal

if TYPE_CHECKING:
    from basira.finance import screening

cli_app = typer.Typer(help="Screen customers (CSV: id, name, birth_date, nationality, wallet) against the lists.",
                      # Options may follow the file name (`basira screen customers.csv --json`).
                      context_settings={"allow_interspersed_args": True})

CHUNK = 500


def _queries(f: IO[str]) -> tuple[list[screening.ScreenQuery], list[dict[str, Any]]]:
    """The rows that can be screened, and those that cannot: ``{"line", "id", "reason"}`` each."""
    from basira.finance import screening
    from basira.finance.batch import read_customers

    queries: list[screening.ScreenQuery] = []
    bad: list[dict[str, Any]] = []
    for row in read_customers(f):
        if row.query is None:
            bad.append({"line": row.line, "id": row.ref, "reason": row.reason})
            continue
        try:
            screening.clean_query(row.query)
        except (InvalidInput, InvalidSignal) as e:
            # The query is kept: a wallet a list carries unverified passes once the lists are known.
            bad.append({"line": row.line, "id": row.ref, "reason": e.detail,
                        "query": row.query if row.query.wallets else None})
            continue
        queries.append(row.query)
    return queries, bad


def _row(result: dict[str, Any]) -> dict[str, Any]:
    top = next((h for h in result["hits"] if h.get("entry")), None)
    return {"id": result["ref"], "matched": "yes" if result["matched"] else "no", "hits": len(result["hits"]),
            "score": top["score"] if top else "", "list": (top["list"].get("name") or "") if top else "",
            "list_version": (top["list"].get("version") or "") if top else "",
            "entry_ref": top["entry"]["ref"] if top else "", "entry_name": top["entry"]["name"] if top else "",
            "matched_name": top.get("matched_name", "") if top else "",
            "features": json.dumps(top.get("features", {}), sort_keys=True) if top else ""}


def _screen_all(inst: Any, queries: list[screening.ScreenQuery], opts: screening.ScreenOptions,
                org: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every query screened, a chunk per transaction, with a progress bar; the results and the settings/lists."""
    from basira.finance import screening

    results: list[dict[str, Any]] = []
    head: dict[str, Any] = {}
    progress = Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    with progress:
        task = progress.add_task("screen", total=len(queries))
        for start in range(0, len(queries), CHUNK):
            chunk = queries[start:start + CHUNK]
            # One transaction per chunk: a long file commits as it goes.
            with inst.db.session() as s:
                p, _ = principal(s, org)
                res = screening.screen(s, p, chunk, opts)
            head = {"settings": res["settings"], "lists": res["lists"]}
            results.extend(res["results"])
            progress.advance(task, len(chunk))
    return results, head


@cli_app.callback(invoke_without_command=True)
def screen(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with columns id, name (and optional birth_date, nationality, "
                                              "wallet, kind, documents); - reads standard input.")],
    threshold: Annotated[float | None, typer.Option("--threshold", help="Override the threshold (0-1].")] = None,
    bank: Annotated[list[int] | None, typer.Option("--list", help="Bank id of a list to use (repeatable).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    no_record: Annotated[bool, typer.Option("--no-record", help="Do not record hits (no review cases).")] = False,
    no_monitor: Annotated[bool, typer.Option("--no-monitor", help="Do not keep customers for monitoring.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Screen nothing when any row is invalid.")] = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
    workers: Annotated[int | None, typer.Option("--workers", min=1, max=256, help="Screen on Dask: a local cluster "
                                                "of this many worker processes (for files of millions of rows).")
                       ] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Screen on the Dask cluster of this "
                                                                      "scheduler, e.g. tcp://10.0.0.5:8786.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", file_okay=False, help="Screen on Dask and write the results "
                                                 "as Parquet parts to this folder.")] = None,
    chunk: Annotated[int, typer.Option("--chunk", min=1, max=10_000, help="Rows per Dask task.")] = 2000,
) -> None:
    """Screen every customer of the file; one CSV row (or JSON result) per customer, hits first by score.

    A row that cannot be screened is reported with its line number and reason (in the output and on standard
    error) and the others are screened; the exit status is then 65. With --strict nothing is screened when any
    row is invalid.

    With --workers, --scheduler or --out the file is screened on Dask, chunk by chunk: results go to the database
    (cases, monitoring) and to Parquet parts under --out, and the same command run again after an interruption
    resumes where it stopped."""
    # Imported here so that `basira --help` does not load the name matcher.
    from basira.finance import screening

    if workers is not None or scheduler is not None or out_dir is not None:
        _screen_on_dask(ctx, file, screening.ScreenOptions(threshold=threshold, bank_ids=bank, record=not no_record,
                                                           monitor=not no_monitor),
                        org=org, as_json=as_json, workers=workers, scheduler=scheduler, out_dir=out_dir,
                        chunk=chunk, output=output, strict=strict)
        return
    if str(file) == "-":
        queries, bad = _queries(sys.stdin)
    else:
        with file.open(encoding="utf-8-sig", newline="") as f:
            try:
                queries, bad = _queries(f)
            except UnicodeDecodeError as e:
                raise InvalidInput(f"the customer file is not UTF-8 (byte {e.start})") from None
    inst = state(ctx).instance()
    if any(b.get("query") for b in bad):
        with inst.db.session() as s:
            p, _ = principal(s, org)
            listed = screening.lists_checker(s, p, bank)
            for b in bad:
                try:
                    if b["query"] is not None:
                        screening.clean_query(b["query"], listed)
                        queries.append(b["query"])
                        b["ok"] = True
                except (InvalidInput, InvalidSignal):
                    pass
        bad = [b for b in bad if not b.get("ok")]
    for b in bad:
        b.pop("query", None)
    if bad and (strict or not queries):
        raise InvalidInput(f"{len(bad)} rows of the customer file are invalid; nothing was screened",
                           bad_rows=bad[:100])
    if not queries:
        raise InvalidInput("the customer file has no rows")
    # The name indexes are kept on disk between runs and rebuilt only when a list changes.
    screening.keep_indexes_in(inst.settings.data_dir / "name-index", inst.secret_key)
    try:
        results, head = _screen_all(inst, queries, screening.ScreenOptions(
            threshold=threshold, bank_ids=bank, record=not no_record, monitor=not no_monitor), org)
    finally:
        screening.keep_indexes_in(None)
    target = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if as_json:
            body = {**head, "results": results}
            if bad:
                body["errors"] = bad
            json.dump(body, target, ensure_ascii=False, indent=2)
            target.write("\n")
        else:
            fields = list(_row({"ref": "", "matched": False, "hits": []}))
            writer = csv.DictWriter(target, fieldnames=[*fields, "line", "error"] if bad else fields)
            writer.writeheader()
            for r in results:
                writer.writerow(_row(r))
            for b in bad:
                writer.writerow({"id": b["id"], "matched": "error", "line": b["line"], "error": b["reason"]})
    finally:
        if output:
            target.close()
    matched = sum(1 for r in results if r["matched"])
    err.print(f"Screened {len(results)} customers: {matched} with hits.")
    if bad:
        err.print(f"[bold red]{len(bad)} rows could not be screened:[/bold red]")
        for b in bad[:100]:
            err.print(f"  line {b['line']}: {escape(str(b['reason']))}", soft_wrap=True)
        if len(bad) > 100:
            err.print(f"  ... and {len(bad) - 100} more (all are in the output)")
        raise typer.Exit(65)


def _screen_on_dask(ctx: typer.Context, file: Path, options: screening.ScreenOptions, *, org: str | None,
                    as_json: bool, workers: int | None, scheduler: str | None, out_dir: Path | None, chunk: int,
                    output: Path | None, strict: bool) -> None:
    from basira.finance.batch import run_screen

    if str(file) == "-":
        raise InvalidInput("screening on Dask reads a file (it is read again to resume): save standard input to a "
                           "file first")
    if output is not None:
        raise InvalidInput("--output writes one file in this process; on Dask the results go to --out (Parquet "
                           "parts) and the database")
    if strict:
        raise InvalidInput("--strict needs the whole file checked before any row is screened; on Dask rows are "
                           "screened as they are read (leave out --workers, --scheduler and --out)")
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
        raise InvalidInput(f"--scheduler {scheduler!r}: give an address such as tcp://host:8786")
    from basira.finance import screening

    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
    progress = Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    # The name indexes are kept on disk between runs and read back by every worker.
    screening.keep_indexes_in(inst.settings.data_dir / "name-index", inst.secret_key)
    try:
        with progress:
            task = progress.add_task("screen", total=None)

            def step(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = run_screen(inst, p, file, options, out_dir=out_dir, workers=workers or 2, scheduler=scheduler,
                                chunk_size=chunk, on_rows=step)
    finally:
        screening.keep_indexes_in(None)
    summary = {"org": o.slug, "run": report.run_id, "chunks": report.chunks, "resumed_chunks": report.resumed_chunks,
               "screened": report.screened, "matched": report.matched, "errors": report.error_count,
               "output": str(report.output) if report.output else None}
    if as_json:
        echo = json.dumps({**summary, "error_rows": report.errors}, ensure_ascii=False, indent=2)
        sys.stdout.write(echo + "\n")
    else:
        resumed = f" ({report.resumed_chunks} of {report.chunks} chunks were already done)" \
            if report.resumed_chunks else ""
        err.print(f"Screening {report.run_id} of {escape(str(file))}: {report.screened} customers screened in this "
                  f"run{resumed}, {report.matched} with hits, {report.error_count} rows could not be screened"
                  + (f"; results in {escape(str(report.output))}" if report.output else ""), soft_wrap=True)
        for b in report.errors[:100]:
            err.print(f"  line {b['line']}: {escape(str(b['reason']))}", soft_wrap=True)
        if report.error_count > len(report.errors[:100]):
            err.print(f"  ... and {report.error_count - len(report.errors[:100])} more"
                      + (" (all are in the output)" if report.output else ""))
    if report.error_count:
        raise typer.Exit(65)
