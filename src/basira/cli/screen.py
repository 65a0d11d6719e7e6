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

COLUMNS = ("id", "name", "birth_date", "nationality", "wallet", "kind", "documents")
CHUNK = 500


def _queries(f: IO[str]) -> tuple[list[screening.ScreenQuery], list[dict[str, Any]]]:
    """The rows that can be screened, and those that cannot: ``{"line", "id", "reason"}`` each."""
    from basira.finance import screening

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
    queries: list[screening.ScreenQuery] = []
    bad: list[dict[str, Any]] = []
    rows = iter(reader)
    while True:
        line = reader.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as e:
            bad.append({"line": line, "id": "", "reason": f"not valid CSV: {e}"})
            continue
        if None in row:
            bad.append({"line": line, "id": (row.get("id") or "")[:100],
                        "reason": f"{len(header) + len(row[None])} fields where the header has {len(header)}"})
            continue
        get = {k: (v or "").strip() for k, v in row.items() if k is not None}
        wallet = get.get("wallet", "")
        q = screening.ScreenQuery(
            ref=get.get("id", ""), kind=get.get("kind") or ("wallet" if wallet and not get.get("name") else "person"),
            names=[get["name"]] if get.get("name") else [], birth_date=get.get("birth_date") or None,
            nationality=[n for n in get.get("nationality", "").split(";") if n.strip()],
            documents=[d for d in get.get("documents", "").split(";") if d.strip()],
            wallets=[wallet] if wallet else [])
        try:
            screening.clean_query(q)
        except (InvalidInput, InvalidSignal) as e:
            # The query is kept: a wallet a list carries unverified passes once the lists are known.
            bad.append({"line": line, "id": get.get("id", "")[:100], "reason": e.detail,
                        "query": q if q.wallets else None})
            continue
        queries.append(q)
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
) -> None:
    """Screen every customer of the file; one CSV row (or JSON result) per customer, hits first by score.

    A row that cannot be screened is reported with its line number and reason (in the output and on standard
    error) and the others are screened; the exit status is then 65. With --strict nothing is screened when any
    row is invalid."""
    # Imported here so that `basira --help` does not load the name matcher.
    from basira.finance import screening

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
