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


def _queries(f: IO[str]) -> list[screening.ScreenQuery]:
    from basira.finance import screening

    reader = csv.DictReader(f)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "id" not in header or not ({"name", "wallet"} & set(header)):
        raise InvalidInput("the customer file needs a header with id and name (or wallet); optional columns: "
                           "birth_date, nationality, wallet, kind, documents")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column {unknown[0]!r} (known: {', '.join(COLUMNS)})")
    reader.fieldnames = header
    queries: list[screening.ScreenQuery] = []
    bad: list[dict[str, Any]] = []
    for line, row in enumerate(reader, start=2):
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
            bad.append({"line": line, "reason": e.detail})
            continue
        queries.append(q)
    if bad:
        raise InvalidInput(f"{len(bad)} rows of the customer file are invalid; nothing was screened",
                           bad_rows=bad[:100])
    if not queries:
        raise InvalidInput("the customer file has no rows")
    return queries


def _row(result: dict[str, Any]) -> dict[str, Any]:
    top = next((h for h in result["hits"] if h.get("entry")), None)
    return {"id": result["ref"], "matched": "yes" if result["matched"] else "no", "hits": len(result["hits"]),
            "score": top["score"] if top else "", "list": (top["list"].get("name") or "") if top else "",
            "list_version": (top["list"].get("version") or "") if top else "",
            "entry_ref": top["entry"]["ref"] if top else "", "entry_name": top["entry"]["name"] if top else "",
            "matched_name": top.get("matched_name", "") if top else "",
            "features": json.dumps(top.get("features", {}), sort_keys=True) if top else ""}


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
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen every customer of the file; one CSV row (or JSON result) per customer, hits first by score."""
    # Imported here so that `basira --help` does not load the name matcher.
    from basira.finance import screening

    if str(file) == "-":
        queries = _queries(sys.stdin)
    else:
        with file.open(encoding="utf-8-sig", newline="") as f:
            try:
                queries = _queries(f)
            except UnicodeDecodeError as e:
                raise InvalidInput(f"the customer file is not UTF-8 (byte {e.start})") from None
    inst = state(ctx).instance()
    opts = screening.ScreenOptions(threshold=threshold, bank_ids=bank, record=not no_record, monitor=not no_monitor)
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
    target = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if as_json:
            json.dump({**head, "results": results}, target, ensure_ascii=False, indent=2)
            target.write("\n")
        else:
            writer = csv.DictWriter(target, fieldnames=list(_row({"ref": "", "matched": False, "hits": []})))
            writer.writeheader()
            for r in results:
                writer.writerow(_row(r))
    finally:
        if output:
            target.close()
    matched = sum(1 for r in results if r["matched"])
    err.print(f"Screened {len(results)} customers: {matched} with hits.")
