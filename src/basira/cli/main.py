"""The ``basira`` command: the root group, its global options, the platform's commands and each front's groups.

:func:`build_app` wires the fronts' command groups from their manifests; ``app`` (the process's fronts) is built
on first use, not at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from basira import __version__
from basira.cli import backup, matching, scan, serve
from basira.cli.audit import audit_app
from basira.cli.banks import bank_app
from basira.cli.common import BasiraGroup, state
from basira.cli.orgs import key_app, org_app, user_app
from basira.core.errors import ConfigurationError
from basira.core.fronts import FrontRegistry, default_fronts

_HELP = (
    "Basira: detect and share the signals of terrorist exploitation of new technologies.\n\n"
    "Settings come from BASIRA_* environment variables. Commands act as the admin of one organization "
    "(--org SLUG; by default the only one, or the operator) and are audited as cli:<your user name>."
)

def _version(value: bool) -> None:
    if value:
        typer.echo(f"basira {__version__}")
        raise typer.Exit()


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


def build_app(fronts: FrontRegistry | None = None) -> typer.Typer:
    """The root command with the platform's commands and every front's command groups."""
    app = typer.Typer(
        cls=BasiraGroup, name="basira", help=_HELP, no_args_is_help=True, add_completion=False,
        # Local variables can hold keys and passwords: never print them in a traceback.
        pretty_exceptions_show_locals=False,
    )
    app.callback()(root)
    app.command("serve")(serve.serve)
    app.command("demo")(serve.demo)
    app.command("setup-token")(serve.setup_token)
    app.command("hash")(matching.hash_files)
    app.command("match")(matching.match_paths)
    app.command("backup")(backup.backup)
    app.command("restore")(backup.restore)
    app.command("scan")(scan.scan)
    for name, sub in (("bank", bank_app), ("org", org_app), ("key", key_app), ("user", user_app),
                      ("audit", audit_app)):
        app.add_typer(sub, name=name)
    # The layers above the fronts (sharing, legal duties, reports): each module names its group.
    from basira.cli import exercise, hma, legal, misp, oidc, reports, retention, sharing, subject

    for area in (sharing, misp, hma, legal, reports, oidc, retention, subject, exercise):
        app.add_typer(area.cli_app, name=area.CLI_NAME)
    app.command("readiness")(exercise.readiness)
    for name, group in (fronts or default_fronts()).cli_groups():
        if not isinstance(group, typer.Typer):
            raise ConfigurationError(f"command group {name!r} is not a Typer app")
        app.add_typer(group, name=name)
    return app


_app: typer.Typer | None = None


def __getattr__(name: str) -> typer.Typer:
    """``app``: the command of this process's fronts, built on first use."""
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        _app = build_app()
    return _app


def main() -> None:
    """Entry point of the ``basira`` console script."""
    __getattr__("app")()
