"""``basira hma import``: fill a bank from an HMA bank export (a signal file or content JSON), as a delta."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from basira.cli.common import JsonOption, OrgOption, bank_ref, echo_json, out, principal, print_refusals, state
from basira.sharing.hma_import import DEFAULT_MAX_BYTES, import_export, read_text

hma_app = typer.Typer(help="Hasher-Matcher-Actioner (HMA): import an HMA bank export.", no_args_is_help=True)
CLI_NAME = "hma"
cli_app = hma_app


@hma_app.command("import")
def hma_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The export: a signal file ('<type> <value>' lines) or content JSON.",
                                         dir_okay=False)],
    bank: Annotated[str, typer.Option("--bank", help="The bank of the acting organization to fill (name or id).")],
    signal_type: Annotated[str | None, typer.Option(
        "--signal-type", help="The type of every value of a signal file whose lines hold values only.")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1, help="Largest export accepted, in bytes.")] = (
        DEFAULT_MAX_BYTES),
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply an HMA export to a bank: new values are added, values gone from the export (or disabled in it)
    are disabled, a second import of the same export adds nothing. A malformed export changes nothing."""
    inst = state(ctx).instance()
    text = read_text(path, max_bytes)
    ref = bank_ref(bank)
    with inst.db.session() as s:
        p, _ = principal(s, org)
        report = import_export(s, p, inst.registry, inst.settings, ref, text, path.name, signal_type)
    if as_json:
        echo_json(dataclasses.asdict(report))
        return
    out.print(f"Read {report.contents} contents ({report.format}): {report.added} signals added, "
              f"{report.disabled} disabled, {report.unchanged} unchanged, {report.rejected} rejected.", soft_wrap=True)
    print_refusals(report.reasons, report.skipped_types, "signal types Basira does not have")
