"""The example front's command group: ``basira example tag VALUE`` prints the canonical tag."""

from __future__ import annotations

import typer
from tests.plugins.example_front.signals import ExampleTagSignal

cli_app = typer.Typer(help="The example front.", no_args_is_help=True)


@cli_app.command("tag")
def tag(value: str) -> None:
    """Print VALUE as a canonical tag."""
    typer.echo(ExampleTagSignal.validate(value))


@cli_app.command("hello")
def hello() -> None:
    """Say hello."""
    typer.echo("hello")
