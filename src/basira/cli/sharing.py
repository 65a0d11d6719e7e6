"""``basira sharing``: TAXII feeds from partners (add, list, remove), sync them now, see their status, and export a
bank as a STIX 2.1 bundle. The background worker of ``basira serve`` syncs the feeds on their schedule.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, echo_json, err, out, principal, state
from basira.sharing import client, export, feeds

CLI_NAME = "sharing"
cli_app = typer.Typer(
    help="Sharing with partner instances over TAXII 2.1 / STIX 2.1.\n\nTo pull a partner's collection into a bank: "
         "`basira sharing feed add NAME --api-root URL --collection ID --bank BANK` (the partner's API key in "
         "BASIRA_FEED_SECRET), then `basira sharing sync NAME` or let `basira serve` sync it on schedule.",
    no_args_is_help=True)
feed_app = typer.Typer(help="TAXII feeds: partners' collections pulled into the organization's banks.",
                       no_args_is_help=True)
cli_app.add_typer(feed_app, name="feed")

FeedArg = Annotated[str, typer.Argument(help="The feed's name or id.")]


@feed_app.command("add")
def feed_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the feed, unique in the organization.")],
    api_root: Annotated[str, typer.Option("--api-root", help="The partner's TAXII API root URL.")],
    collection: Annotated[str, typer.Option("--collection", help="The collection id on the partner's server.")],
    bank: Annotated[str, typer.Option("--bank", help="The organization's own bank that receives the signals.")],
    user: Annotated[str, typer.Option("--user", help="User name for HTTP Basic (empty: the secret is a "
                                                     "Bearer API key, as Basira servers take).")] = "",
    secret: Annotated[str, typer.Option("--secret", envvar="BASIRA_FEED_SECRET", show_default=False,
                                        help="Password or API key; better passed in BASIRA_FEED_SECRET than on "
                                             "the command line. Stored encrypted with the instance key.")] = "",
    interval: Annotated[int, typer.Option("--interval", help="Seconds between scheduled syncs.")] = 300,
    replace: Annotated[bool, typer.Option("--replace", help="Change the feed of that name.")] = False,
    org: OrgOption = None,
) -> None:
    """Add a feed: a partner's TAXII collection pulled into one of the organization's banks."""
    inst = state(ctx).instance()
    spec = feeds.FeedSpec(name, api_root, collection, bank, user, secret, interval)
    with inst.db.session() as s:
        p, _ = principal(s, org)
        feed = feeds.add_feed(s, p, inst.secret_key, spec, replace=replace)
        fid = feed.id
    out.print(f"Feed [bold]{escape(name)}[/bold] (id {fid}) pulls collection {escape(collection)} into bank "
              f"{escape(bank)} every {interval} s.")


@feed_app.command("remove")
def feed_remove(ctx: typer.Context, feed: FeedArg, org: OrgOption = None) -> None:
    """Stop a feed and forget its credentials (the signals it brought stay)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        feeds.remove_feed(s, p, feed)
    out.print(f"Feed {escape(feed)} stopped.")


def _status_rows(ctx: typer.Context, org: str | None) -> list[dict[str, object]]:
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        return [{"id": f.id, "name": f.name, "bank_id": f.bank_id, "api_root": f.api_root,
                 "collection": f.collection_id, "enabled": f.enabled, "interval_s": f.interval_s,
                 "last_sync_at": f.last_sync_at, "last_success_at": f.last_success_at,
                 "checkpoint": f.added_after, "next_cursor": f.next_cursor, "objects_received": f.objects_received,
                 "failures": f.failures, "last_error": f.last_error, "next_due": feeds.next_due(f)}
                for f in feeds.list_feeds(s, p)]


@cli_app.command("status")
def status(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Each feed: last sync, last success, checkpoint, objects received, failures in a row and the last error."""
    rows = _status_rows(ctx, org)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        out.print("No feeds. Add one with `basira sharing feed add`.")
        return
    table = Table("id", "feed", "bank", "last sync", "last success", "checkpoint", "objects", "failures")
    for r in rows:
        table.add_row(str(r["id"]), escape(str(r["name"])) + ("" if r["enabled"] else " (stopped)"),
                      str(r["bank_id"]), _when(r["last_sync_at"]), _when(r["last_success_at"]),
                      escape(str(r["checkpoint"] or "-")), str(r["objects_received"]), str(r["failures"]))
    out.print(table)
    # Errors are long: below the table, one line each, never cut by a narrow terminal.
    for r in rows:
        if r["last_error"]:
            out.print(f"[red]{escape(str(r['name']))}: {escape(str(r['last_error']))}[/red]", soft_wrap=True)


def _when(value: object) -> str:
    return "never" if value is None else str(value)[:19].replace("T", " ")


@cli_app.command("sync")
def sync(
    ctx: typer.Context,
    feed: Annotated[str | None, typer.Argument(help="The feed to sync (default: every enabled feed).")] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sync now: pull from each feed's checkpoint to the end of the partner's collection, with progress."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        chosen = [feeds.get_feed(s, p, feed)] if feed else [f for f in feeds.list_feeds(s, p) if f.enabled]
        targets = [(f.id, f.name) for f in chosen]
    reports = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=as_json or not sys.stderr.isatty()) as bar:
        for fid, name in targets:
            task = bar.add_task(f"{name}: starting")

            def show(r: client.SyncReport, task: TaskID = task) -> None:
                bar.update(task, description=f"{r.feed}: {r.pages} pages, {r.objects:,} objects, {r.added:,} added, "
                                             f"{r.revoked:,} revoked, {r.refused:,} refused")

            reports.append(client.sync_feed(inst, fid, progress=show))
    if as_json:
        echo_json([r.__dict__ for r in reports])
    for r in reports if not as_json else []:
        line = (f"{escape(r.feed)}: {r.pages} pages, {r.objects:,} objects, {r.added:,} added, {r.revoked:,} revoked, "
                f"{r.ignored:,} already held, {r.refused:,} refused; checkpoint {escape(str(r.checkpoint or '-'))}")
        out.print(line)
        if r.error:
            err.print(f"[bold red]Error:[/bold red] [red]{escape(r.feed)}: {escape(r.error)}[/red]", soft_wrap=True)
    if any(r.error for r in reports):
        raise typer.Exit(client.PartnerError.exit_code)


@cli_app.command("export")
def export_bank(
    ctx: typer.Context,
    bank: Annotated[str, typer.Argument(help="The bank's name (in the acting organization) or its id.")],
    output: Annotated[Path | None, typer.Option("--out", "-o", help="Write the bundle here (default: stdout).",
                                                dir_okay=False)] = None,
    opinions: Annotated[bool, typer.Option("--opinions", help="Add the organization's opinions.")] = False,
    org: OrgOption = None,
) -> None:
    """Export a bank as a STIX 2.1 bundle, streamed (revoked indicators for disabled signals; RED never)."""
    inst = state(ctx).instance()
    ref: int | str = int(bank) if bank.isdigit() else bank
    with inst.db.session() as s:
        p, _ = principal(s, org)
        chunks = export.bank_bundle(s, p, inst.secret_key, ref, opinions=opinions)
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with output.open("w", encoding="utf-8") as f:
            for chunk in chunks:
                f.write(chunk)
    out.print(f"Wrote {escape(str(output))}.")
