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
from basira.sharing import bundle, client, exchanges, export, feeds, incidents

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
    push_secret: Annotated[str, typer.Option("--push-secret", envvar="BASIRA_FEED_PUSH_SECRET", show_default=False,
                                             help="The secret the partner signs its incident pushes with (16+ "
                                                  "characters; better in BASIRA_FEED_PUSH_SECRET): a valid push to "
                                                  "/v1/sharing/push/FEED-ID syncs the feed at once.")] = "",
    org: OrgOption = None,
) -> None:
    """Add a feed: a partner's TAXII collection pulled into one of the organization's banks."""
    inst = state(ctx).instance()
    spec = feeds.FeedSpec(name, api_root, collection, bank, user, secret, interval, push_secret)
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


@cli_app.command("import")
def import_bundle(
    ctx: typer.Context,
    bank: Annotated[str, typer.Argument(help="The bank's name (in the acting organization) or its id.")],
    path: Annotated[Path, typer.Argument(help="A STIX 2.1 bundle (JSON file, any size: it is read streamed).",
                                         exists=True, dir_okay=False, readable=True)],
    page: Annotated[int, typer.Option("--page", min=1, max=100_000, help="Objects per transaction.")] = 1000,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a STIX 2.1 bundle file into one of the organization's banks, streamed and a page at a time (the
    checks of a TAXII sync; what is refused is counted and the first reasons shown)."""
    inst = state(ctx).instance()
    ref: int | str = int(bank) if bank.isdigit() else bank
    with inst.db.session() as s:
        p, _ = principal(s, org)
    with path.open("rb") as f, Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                         console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("Importing")

        def show(r: bundle.BundleReport) -> None:
            bar.update(task, description=f"Importing: {r.objects:,} objects, {r.added:,} signals added")

        report = bundle.import_bundle(inst, p, ref, f, page_size=page, source=f"file:{path.name}", progress=show)
    if as_json:
        echo_json({k: v for k, v in vars(report).items()})
        return
    out.print(f"{report.objects:,} objects in {report.pages:,} pages: {report.added:,} signals added, "
              f"{report.revoked:,} revoked, {report.ignored:,} ignored, {report.refused:,} refused.")
    for reason in report.first_refusals or []:
        err.print(f"[yellow]refused[/yellow] {escape(reason)}", soft_wrap=True)


exchange_app = typer.Typer(help="Hash-sharing exchanges feeding banks: ThreatExchange (through python-threatexchange), "
                                "Tech Against Terrorism, StopNCII, NCMEC, or a file of signals.",
                           no_args_is_help=True)
cli_app.add_typer(exchange_app, name="exchange")


def _env(name: str) -> str:
    import os

    return os.environ.get(name, "")


@exchange_app.command("add")
def exchange_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the exchange, unique in the organization.")],
    bank: Annotated[str, typer.Option("--bank", help="The organization's own bank that receives the hashes.")],
    api: Annotated[str, typer.Option("--api", help="fb_threatexchange, tat (Tech Against Terrorism), stopncii, "
                                                   "ncmec or file.")] = exchanges.API_THREATEXCHANGE,
    privacy_group: Annotated[str, typer.Option("--privacy-group",
                                               help="ThreatExchange: the privacy group id.")] = "",
    token: Annotated[str, typer.Option("--token", envvar="BASIRA_EXCHANGE_TOKEN", show_default=False,
                                       help="ThreatExchange: the app's access token (APP_ID|SECRET); better in "
                                            "BASIRA_EXCHANGE_TOKEN. Stored encrypted with the instance key.")] = "",
    user: Annotated[str, typer.Option("--user", help="TAT, NCMEC: the user name (the password in "
                                                     "BASIRA_EXCHANGE_PASSWORD).")] = "",
    file: Annotated[str, typer.Option("--file", help="file: the file, relative to the data folder's "
                                                     "exchange-files folder.")] = "",
    file_type: Annotated[str, typer.Option("--file-type", help="file: the signal type of lines that hold a value "
                                                               "alone (pdq, video_md5, md5).")] = "",
    endpoint: Annotated[str, typer.Option("--endpoint", help="The service's base URL (default: the service's "
                                                             "own; NCMEC: the environment's).")] = "",
    interval: Annotated[int, typer.Option("--interval", help="Seconds between scheduled syncs.")] = 3600,
    replace: Annotated[bool, typer.Option("--replace", help="Change the exchange of that name.")] = False,
    org: OrgOption = None,
) -> None:
    """Add an exchange fetched into one of the organization's banks. Secrets come from the environment and are
    stored encrypted: BASIRA_EXCHANGE_TOKEN (ThreatExchange), BASIRA_EXCHANGE_PASSWORD (TAT, NCMEC),
    BASIRA_EXCHANGE_SUBSCRIPTION_KEY, BASIRA_EXCHANGE_FUNCTION_KEY and optionally BASIRA_EXCHANGE_FEEDBACK_KEY
    (StopNCII)."""
    inst = state(ctx).instance()
    creds = {"username": user, "password": _env("BASIRA_EXCHANGE_PASSWORD")} if api in ("tat", "ncmec") else \
        {"subscription_key": _env("BASIRA_EXCHANGE_SUBSCRIPTION_KEY"),
         "fetch_function_key": _env("BASIRA_EXCHANGE_FUNCTION_KEY"),
         "feedback_function_key": _env("BASIRA_EXCHANGE_FEEDBACK_KEY")} if api == "stopncii" else {}
    spec = exchanges.ExchangeSpec(name, bank, privacy_group, token, endpoint, interval, api=api, credentials=creds,
                                  file=file, file_type=file_type)
    with inst.db.session() as s:
        p, _ = principal(s, org)
        ex = exchanges.add_exchange(s, p, inst.secret_key, spec, replace=replace)
        eid, source = ex.id, ex.endpoint or file
    what = f"privacy group {escape(privacy_group)}" if api == exchanges.API_THREATEXCHANGE else \
        f"{escape(api)} ({escape(source)})"
    out.print(f"Exchange [bold]{escape(name)}[/bold] (id {eid}) fetches {what} into bank {escape(bank)} every "
              f"{interval} s.")


@exchange_app.command("status")
def exchange_status(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Each exchange: its API, bank, last sync, last success, records fetched, failures in a row, last error."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        rows = [{"id": e.id, "name": e.name, "api": e.api, "bank_id": e.bank_id, "enabled": e.enabled,
                 "interval_s": e.interval_s, "last_sync_at": e.last_sync_at, "last_success_at": e.last_success_at,
                 "checkpoint": e.checkpoint, "fetched": e.fetched, "failures": e.failures,
                 "last_error": e.last_error, "next_due": exchanges.next_due(e)} for e in exchanges.list_exchanges(s, p)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        out.print("No exchanges. Add one with `basira sharing exchange add`.")
        return
    table = Table("id", "exchange", "api", "bank", "last sync", "last success", "fetched", "failures")
    for r in rows:
        table.add_row(str(r["id"]), escape(str(r["name"])) + ("" if r["enabled"] else " (stopped)"),
                      str(r["api"]), str(r["bank_id"]), _when(r["last_sync_at"]), _when(r["last_success_at"]),
                      str(r["fetched"]), str(r["failures"]))
    out.print(table)
    for r in rows:
        if r["last_error"]:
            out.print(f"[red]{escape(str(r['name']))}: {escape(str(r['last_error']))}[/red]", soft_wrap=True)


@exchange_app.command("sync")
def exchange_sync(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="The exchange (default: every enabled one).")] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch now from each exchange's checkpoint, and write the organization's opinions back where the exchange
    takes them (ThreatExchange reactions, StopNCII feedback)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        chosen = [exchanges.get_exchange(s, p, name)] if name else \
            [e for e in exchanges.list_exchanges(s, p) if e.enabled]
        ids = [e.id for e in chosen]
    reports = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=as_json or not sys.stderr.isatty()) as bar:
        for i in ids:
            task = bar.add_task(f"exchange {i}: starting")

            def show(r: exchanges.ExchangeReport, task: TaskID = task) -> None:
                bar.update(task, description=f"{r.name}: {r.pages} pages, {r.added:,} added, {r.disabled:,} deleted, "
                                             f"{r.refused:,} refused")

            reports.append(exchanges.sync_exchange(inst, i, progress=show))
    if as_json:
        echo_json([r.__dict__ for r in reports])
    for r in reports if not as_json else []:
        out.print(f"{escape(r.name)}: {r.pages} pages, {r.added:,} added, {r.disabled:,} deleted, {r.refused:,} "
                  f"refused, {r.skipped:,} of other types, {r.reactions:,} opinions sent; checkpoint {r.update_time}")
        if r.error:
            err.print(f"[bold red]Error:[/bold red] [red]{escape(r.name)}: {escape(r.error)}[/red]", soft_wrap=True)
    if any(r.error for r in reports):
        raise typer.Exit(exchanges.ExchangeError.exit_code)


incident_app = typer.Typer(help="Crisis incidents: an incident bank whose new signals are pushed to partners at once.",
                           no_args_is_help=True)
cli_app.add_typer(incident_app, name="incident")


@incident_app.command("declare")
def incident_declare(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The incident's name.")],
    bank: Annotated[str, typer.Option("--bank", help="The incident bank (one of the organization's).")],
    description: Annotated[str, typer.Option("--description", help="What is happening.")] = "",
    org: OrgOption = None,
) -> None:
    """Declare an incident: from now on new signals of its bank are pushed to subscribed partners."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        iid = incidents.declare(s, p, name, bank, description).id
    out.print(f"Incident {iid} [bold]{escape(name)}[/bold] declared on bank {escape(bank)}.")


@incident_app.command("close")
def incident_close(
    ctx: typer.Context,
    incident: Annotated[int, typer.Argument(help="The incident's id.")],
    debrief: Annotated[str, typer.Option("--debrief", help="What happened and what was learnt.")] = "",
    org: OrgOption = None,
) -> None:
    """Close an incident with its debrief; print the debrief report's figures."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        incidents.close(s, p, incident, debrief)
        d = incidents.debrief(s, p, incident)
    out.print(f"Incident {incident} closed: {d.signals:,} signals added, {d.partners} partners notified in "
              f"{d.pushes:,} pushes ({d.failed} failed); median push {d.median_ms} ms.")


@incident_app.command("subscribe")
def incident_subscribe(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The partner's name.")],
    url: Annotated[str, typer.Option("--url", help="The partner's push URL (a Basira: /v1/sharing/push/FEED-ID).")],
    secret: Annotated[str, typer.Option("--secret", envvar="BASIRA_PUSH_SECRET", show_default=False,
                                        help="The shared signing secret (16+ characters; better in "
                                             "BASIRA_PUSH_SECRET).")] = "",
    org: OrgOption = None,
) -> None:
    """Subscribe a partner's webhook to the organization's incidents."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        incidents.add_subscriber(s, p, inst.secret_key, name, url, secret)
    out.print(f"Partner {escape(name)} will be pushed the new signals of every open incident.")
