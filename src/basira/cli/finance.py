"""``basira lists``: import sanctions lists into banks (UN, OFAC, EU, CSV), update them, show them, and set the
screening settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from basira.cli.common import JsonOption, OrgOption, echo_json, err, out, principal, state
from basira.core.errors import InvalidInput

if TYPE_CHECKING:
    from basira.finance.lists.store import ImportReport

# The finance modules are imported by the commands, so that `basira --help` and other groups start fast.
SOURCES = ("un", "ofac", "ofac-xml", "eu", "csv")

cli_app = typer.Typer(help="Sanctions lists: import (UN, OFAC, EU, CSV), update, show; screening settings.",
                      no_args_is_help=True)


def _print_report(r: ImportReport) -> None:
    if r.skipped:
        out.print(f"[bold]{escape(r.bank)}[/bold] already holds this file (version {escape(r.version)}): "
                  f"nothing to do.")
        for w in r.warnings[:10]:
            err.print(f"  [yellow]warning[/yellow] {escape(w)}", soft_wrap=True)
        return
    out.print(f"Imported [bold]{escape(r.bank)}[/bold] ({r.source}, version {escape(r.version)}): {r.entries} "
              f"entries, {r.added} added, {r.changed} changed, {r.removed} removed, {r.unchanged} unchanged; "
              f"{r.signals_added} signals added.")
    if r.rescreened or r.new_hits:
        out.print(f"Re-screened {r.rescreened} customers: {r.new_hits} new hits sent for review.")
    for w in r.warnings[:10]:
        err.print(f"  [yellow]warning[/yellow] {escape(w)}", soft_wrap=True)
    if len(r.warnings) > 10:
        err.print(f"  ... and {len(r.warnings) - 10} more warnings")


@cli_app.command("import")
def lists_import(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help=f"The list's format: {', '.join(SOURCES)}.")],
    file: Annotated[Path, typer.Argument(help="The list file (XML may be .bz2 or .gz).")],
    comments: Annotated[Path | None, typer.Option("--comments", help="OFAC's sdn_comments.csv (for ofac).")] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="Bank name (default: the list's title).")] = None,
    version: Annotated[str | None, typer.Option("--version", help="Version to record when the file has none.")] = None,
    tlp: Annotated[str, typer.Option("--tlp", help="Marking of a new bank.")] = "CLEAR",
    allow_older: Annotated[bool, typer.Option("--allow-older", help="Accept a file older than the list in force.")
                           ] = False,
    no_monitor: Annotated[bool, typer.Option("--no-monitor", help="Do not re-screen stored customers.")] = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a list file into its bank as a delta (added, changed, removed entries), all or nothing, then
    re-screen the stored customers against the entries that changed."""
    source = source.strip().lower()
    if source not in SOURCES:
        raise InvalidInput(f"unknown list format {source!r} (one of {', '.join(SOURCES)})")
    if not file.is_file():
        raise FileNotFoundError(2, "no such file", str(file))
    from basira.finance.lists.store import ImportRequest, import_list
    from basira.finance.monitoring import rescreen

    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        report = import_list(s, p, inst.registry, ImportRequest(
            source=source, path=file, comments=comments, bank=bank, version=version, tlp=tlp,
            allow_older=allow_older, monitor=not no_monitor), rescreen)
    if as_json:
        echo_json(report.as_dict())
    else:
        _print_report(report)


@cli_app.command("update")
def lists_update(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Re-import every list from the file it was last imported from, when that file changed (a newer list)."""
    from basira.core.models import Bank
    from basira.core.visibility import Access
    from basira.finance.lists.history import latest_imports
    from basira.finance.lists.store import ImportRequest, import_list
    from basira.finance.monitoring import rescreen

    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        todo = [(r.imp.source, r.imp.file_path, r.bank.id) for r in latest_imports(s, p, Access.OWNER)]
    reports: list[dict[str, Any]] = []
    for source, path, bank_id in todo:
        if not Path(path).is_file():
            err.print(f"[yellow]skipped[/yellow] {escape(path)}: the file is gone")
            continue
        with inst.db.session() as s:
            p, _ = principal(s, org)
            b = s.get(Bank, bank_id)
            report = import_list(s, p, inst.registry, ImportRequest(source=source, path=Path(path),
                                                                    bank=b.name if b else None), rescreen)
        reports.append(report.as_dict())
        if not as_json:
            _print_report(report)
    if as_json:
        echo_json(reports)
    elif not todo:
        out.print("No list has been imported yet: use `basira lists import`.")


@cli_app.command("show")
def lists_show(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Show the imported lists: source, version (publication date), entries and the last delta."""
    from sqlalchemy import select

    from basira.finance import settings as fsettings
    from basira.finance.lists.history import latest_imports
    from basira.finance.models import ListChange

    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        latest = latest_imports(s, p)
        rows = [r.as_dict() for r in latest]
        # The entries each import added, changed or removed (the first ten of each), for the table only: the
        # JSON is the API's shape.
        changed: list[dict[str, list[str]]] = []
        for li in [] if as_json else latest:
            refs: dict[str, list[str]] = {}
            for ref, change in s.execute(select(ListChange.ref, ListChange.change).where(
                    ListChange.import_id == li.imp.id).order_by(ListChange.id)):
                kept = refs.setdefault(change, [])
                if len(kept) < 10:
                    kept.append(ref)
            changed.append(refs)
        current = fsettings.current_settings(s, p.org_id).as_dict()
    if as_json:
        echo_json({"lists": rows, "settings": current})
        return
    # One block per list rather than a table: ten columns do not fit a terminal of 80 columns (the version, the
    # date and the re-screen counts came out cut to "2026…").
    for r, refs in zip(rows, changed, strict=True):
        out.print(f"[bold]{escape(str(r['bank']))}[/bold] (bank {r['bank_id']}, {escape(str(r['source']))}): version "
                  f"{escape(str(r['version']))}, {r['entries']} entries, imported {str(r['imported_at'])[:19]}",
                  soft_wrap=True)
        out.print(f"  last delta: {r['added']} added, {r['changed']} changed, {r['removed']} removed; re-screened "
                  f"{r.get('rescreened', 0)} customers, {r.get('new_hits', 0)} new hits", soft_wrap=True)
        for change in ("added", "changed", "removed"):
            if refs.get(change):
                more = r[change] - len(refs[change])
                out.print(f"  {change}: " + ", ".join(escape(x) for x in refs[change])
                          + (f" and {more} more" if more > 0 else ""), soft_wrap=True)
    out.print(f"Screening settings v{current['version']}: threshold {current['threshold']}, lists "
              f"{current['bank_ids'] or 'all'}, weights {current['weights'] or 'default'}.")


@cli_app.command("settings")
def lists_settings(
    ctx: typer.Context,
    threshold: Annotated[float | None, typer.Option("--threshold", help="Alert at or above this score (0-1].")] = None,
    weight: Annotated[list[str] | None, typer.Option("--weight", help="FEATURE=MULTIPLIER (repeatable).")] = None,
    bank: Annotated[list[int] | None, typer.Option("--list", help="Bank id of a list in force (repeatable).")] = None,
    all_lists: Annotated[bool, typer.Option("--all-lists", help="Every list bank in force.")] = False,
    org: OrgOption = None,
) -> None:
    """Change the screening settings (audited; every result shows the version in force)."""
    from basira.finance import settings as fsettings

    weights: dict[str, float] | None = None
    if weight:
        weights = {}
        for w in weight:
            k, sep, v = w.partition("=")
            try:
                weights[k.strip()] = float(v)
            except ValueError:
                raise InvalidInput(f"a weight is written FEATURE=NUMBER, got {w!r}") from None
            if not sep:
                raise InvalidInput(f"a weight is written FEATURE=NUMBER, got {w!r}")
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        view = fsettings.update_settings(s, p, threshold=threshold, weights=weights, bank_ids=bank,
                                         all_lists=all_lists)
    out.print(f"Screening settings v{view.version}: threshold {view.threshold}, lists {view.bank_ids or 'all'}, "
              f"weights {view.weights or 'default'}.")
