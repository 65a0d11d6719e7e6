"""The ``basira`` command: the root group, its global options, the platform's commands and each front's groups.

:func:`build_app` wires the fronts' command groups from their manifests; ``app`` (the process's fronts) is built
on first use, not at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from basira import __version__
from basira.cli.common import BasiraGroup, LazyCommand, state
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


#: The platform's commands and groups, in the order ``basira --help`` lists them: (name, ``"module:attribute"``
#: of the command function or Typer group, whether it is a group). Each is imported only when it runs (or for
#: ``--help``): importing every command's modules took longer than `basira screen` of ten names.
PLATFORM: tuple[tuple[str, str, bool], ...] = (
    ("serve", "basira.cli.serve:serve", False),
    ("demo", "basira.cli.serve:demo", False),
    ("setup-token", "basira.cli.serve:setup_token", False),
    ("worker", "basira.cli.serve:worker", False),
    ("hash", "basira.cli.matching:hash_files", False),
    ("match", "basira.cli.matching:match_paths", False),
    ("backup", "basira.cli.backup:backup", False),
    ("restore", "basira.cli.backup:restore", False),
    ("scan", "basira.cli.scan:scan", False),
    ("readiness", "basira.cli.exercise:readiness", False),
    ("bank", "basira.cli.banks:bank_app", True),
    ("org", "basira.cli.orgs:org_app", True),
    ("key", "basira.cli.orgs:key_app", True),
    ("user", "basira.cli.orgs:user_app", True),
    ("audit", "basira.cli.audit:audit_app", True),
    # The layers above the fronts (sharing, legal duties, reports); each module's CLI_NAME is the name here.
    ("sharing", "basira.cli.sharing:cli_app", True),
    ("misp", "basira.cli.misp:cli_app", True),
    ("hma", "basira.cli.hma:cli_app", True),
    ("legal", "basira.cli.legal:cli_app", True),
    ("report", "basira.cli.reports:cli_app", True),
    ("oidc", "basira.cli.oidc:cli_app", True),
    ("retention", "basira.cli.retention:cli_app", True),
    ("subject", "basira.cli.subject:cli_app", True),
    ("exercise", "basira.cli.exercise:cli_app", True),
)


def build_app(fronts: FrontRegistry | None = None) -> typer.Typer:
    """The root command with the platform's commands and every front's command groups (each loaded when used)."""
    lazy = {name: LazyCommand(name, ref, group) for name, ref, group in PLATFORM}
    for name, ref in (fronts or default_fronts()).cli_refs():
        if name in lazy:
            raise ConfigurationError(f"command group {name!r} is declared twice")
        lazy[name] = LazyCommand(name, ref, True)

    class Root(BasiraGroup):
        commands_to_load = lazy

    app = typer.Typer(
        cls=Root, name="basira", help=_HELP, no_args_is_help=True, add_completion=False,
        # Local variables can hold keys and passwords: never print them in a traceback.
        pretty_exceptions_show_locals=False,
    )
    app.callback()(root)
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
