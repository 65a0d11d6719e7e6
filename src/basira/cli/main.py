"""The ``basira`` command: the root group, its global options, and every area's commands wired in one place."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Annotated

import typer

from basira import __version__
from basira.cli import matching, serve
from basira.cli.audit import audit_app
from basira.cli.banks import bank_app
from basira.cli.common import BasiraGroup, state
from basira.cli.orgs import key_app, org_app, user_app

app = typer.Typer(
    cls=BasiraGroup,
    name="basira",
    help="Basira: detect and share the signals of terrorist exploitation of new technologies.\n\n"
         "Settings come from BASIRA_* environment variables. Commands act as the admin of one organization "
         "(--org SLUG; by default the only one, or the operator) and are audited as cli:<your user name>.",
    no_args_is_help=True,
    add_completion=False,
    # Local variables can hold keys and passwords: never print them in a traceback.
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"basira {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data folder (default: BASIRA_DATA_DIR, else ~/.local/share/basira).",
                     file_okay=False),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Global options, read before any command runs."""
    state(ctx).data_dir = data_dir


app.command("serve")(serve.serve)
app.command("demo")(serve.demo)
app.command("setup-token")(serve.setup_token)
app.command("hash")(matching.hash_files)
app.command("match")(matching.match_paths)
app.add_typer(bank_app, name="bank")
app.add_typer(org_app, name="org")
app.add_typer(key_app, name="key")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")


def _add_area_commands() -> None:
    """Wire every other module of ``basira.cli`` that defines ``CLI_NAME`` and ``cli_app`` (an area's commands)."""
    import basira.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"basira.cli.{info.name}")
        name = getattr(module, "CLI_NAME", None)
        sub = getattr(module, "cli_app", None)
        if isinstance(name, str) and isinstance(sub, typer.Typer):
            app.add_typer(sub, name=name)


_add_area_commands()


def main() -> None:
    """Entry point of the ``basira`` console script."""
    app()
