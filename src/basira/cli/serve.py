"""``basira serve`` (the web pages and the API) and ``basira demo`` (a demo organization to try them with)."""

from __future__ import annotations

import shlex
from typing import Annotated

import typer
from rich.markup import escape

from basira.cli.common import actor, out, state
from basira.core import orgs
from basira.core.errors import Conflict


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default: BASIRA_HOST).")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port to listen on (default: BASIRA_PORT).")
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")] = "info",
) -> None:
    """Serve the web pages and the HTTP API (OpenAPI at /docs) until interrupted."""
    # Imported here: the server's dependencies are only needed by this command.
    import uvicorn

    from basira.api.app import create_app, settle_for_serving

    st = state(ctx)
    settings = st.settings()
    host = host or settings.host
    port = port or settings.port
    inst = st.instance()
    with inst.db.session() as s:
        empty = not orgs.list_orgs(s)
    app = create_app(inst)
    url = f"http://{_browsable(host)}:{port}/"
    out.print(f"Basira on [bold]{url}[/bold] (API documentation at {url}docs); "
              f"data in {escape(str(settings.data_dir))}")
    if empty and settings.demo:
        out.print("This instance has no organization yet: the web page offers the demo (one button), "
                  "or run [bold]basira demo[/bold].")
    elif empty:
        out.print("This instance has no organization yet: create one with [bold]basira org create SLUG[/bold].")
    settle_for_serving()
    uvicorn.run(app, host=host, port=port, log_level=log_level.lower())


def _browsable(host: str) -> str:
    """The address to print for a browser: a wildcard listen address is reached through localhost."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def demo(ctx: typer.Context) -> None:
    """Create the demo organization, banks of generated images, and files to try a match with."""
    from basira.demo import seed_demo

    st = state(ctx)
    inst = st.instance()
    try:
        result = seed_demo(inst, actor=actor())
    except Conflict as e:
        raise Conflict(f"{e.detail}. For a new key: basira key create --org demo") from None
    settings = inst.settings
    out.print(f"Created the demo organization [bold]{result.org_slug}[/bold] with the banks "
              + ", ".join(f"[bold]{escape(b)}[/bold]" for b in result.banks) + ".")
    out.print("\nAdmin API key (shown once, store it now):")
    typer.echo(f"  {result.api_key}")
    out.print("Web sign-in (shown once):")
    typer.echo(f"  username: {result.username}\n  password: {result.password}")
    out.print("\nFiles to try:")
    for path in result.example_files:
        note = result.expectations.get(path.name, "")
        out.print(f"  {escape(str(path))}" + (f"\n      {escape(note)}" if note else ""), soft_wrap=True)
    prefix = ["basira"] + (["--data-dir", str(st.data_dir)] if st.data_dir is not None else [])
    try_dir = result.example_files[0].parent if result.example_files else settings.data_dir / "demo" / "try"
    url = f"http://{_browsable(settings.host)}:{settings.port}"
    first = result.example_files[0] if result.example_files else try_dir / "resized-copy.jpg"
    out.print("\nTry a match from the command line:")
    typer.echo("  " + shlex.join([*prefix, "match", "--org", result.org_slug, str(try_dir)]))
    out.print(f"or through the API (with [bold]{shlex.join([*prefix, 'serve'])}[/bold] running):")
    typer.echo("  " + shlex.join(["curl", "-H", f"Authorization: Bearer {result.api_key}", "-F",
                                  f"file=@{first}", f"{url}/v1/match"]))
