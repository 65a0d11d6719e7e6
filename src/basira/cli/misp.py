"""``basira misp``: write a bank as a MISP feed folder, and read a MISP feed (folder or URL) into a bank."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from basira.cli.common import JsonOption, OrgOption, bank_ref, echo_json, out, principal, print_refusals, state
from basira.sharing.misp import export_feed
from basira.sharing.misp_feed import import_feed
from basira.sharing.misp_source import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S, open_source

misp_app = typer.Typer(help="MISP feeds: export a bank as a feed, import a feed into a bank.", no_args_is_help=True)
CLI_NAME = "misp"
cli_app = misp_app


@misp_app.command("export")
def misp_export(
    ctx: typer.Context,
    bank: Annotated[str, typer.Argument(help="The bank's name (in the acting organization) or its id.")],
    folder: Annotated[Path, typer.Argument(help="The feed folder to write (made if missing).", file_okay=False)],
    partner: Annotated[str | None, typer.Option(
        "--partner", help="The partner organization (slug) an AMBER or AMBER+STRICT bank is exported for.")] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the bank as a MISP feed: manifest.json, hashes.csv and one event with the bank's TLP tag.

    RED banks are never exported; AMBER and AMBER+STRICT banks only for a --partner they are shared with.
    """
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        report = export_feed(s, p, bank_ref(bank), folder, partner=partner)
    if as_json:
        echo_json(dataclasses.asdict(report))
        return
    skipped = ", ".join(f"{n} {t}" for t, n in sorted(report.skipped.items()))
    out.print(f"Wrote event {report.event_uuid} (TLP:{report.tlp}) with {report.attributes} attributes and "
              f"{report.objects} objects to {escape(str(folder))}." + (f" Not in MISP: {skipped}." if skipped else ""),
              soft_wrap=True)


@misp_app.command("import")
def misp_import(
    ctx: typer.Context,
    location: Annotated[str, typer.Argument(help="The feed: a folder, or an http(s) URL of its folder.")],
    bank: Annotated[str, typer.Option("--bank", help="The bank of the acting organization to fill (name or id).")],
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, help="Largest file of the feed accepted, in bytes.")] = DEFAULT_MAX_BYTES,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="Seconds one HTTP request of the feed may take.")] = DEFAULT_TIMEOUT_S,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply a MISP feed to a bank as a delta: new values are added, values the feed dropped or deleted are
    disabled, a second import of the same feed adds nothing. A malformed feed changes nothing."""
    inst = state(ctx).instance()
    source = open_source(location, max_bytes=max_bytes, timeout_s=timeout)
    with inst.db.session() as s:
        p, _ = principal(s, org)
        report = import_feed(s, p, inst.registry, inst.settings, bank_ref(bank), source)
    if as_json:
        echo_json(dataclasses.asdict(report))
        return
    out.print(f"Read {report.events} events: {report.added} signals added, {report.disabled} disabled, "
              f"{report.unchanged} unchanged, {report.rejected} rejected.", soft_wrap=True)
    print_refusals(report.reasons, report.skipped_types, "MISP types without a signal type")
