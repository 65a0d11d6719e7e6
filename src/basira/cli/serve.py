"""``basira serve`` (the web pages and the API) and ``basira demo`` (a demo organization to try them with)."""

from __future__ import annotations

import os
import shlex
import shutil
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from basira.cli.common import actor, err, out, state
from basira.core import setup
from basira.core.errors import ConfigurationError

if TYPE_CHECKING:
    from basira.core.instance import Instance
    from basira.worker import Worker


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default: BASIRA_HOST).")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port to listen on (default: BASIRA_PORT).")
    ] = None,
    log_level: Annotated[str | None, typer.Option("--log-level", help="debug, info, warning or error (default: "
                                                                          "BASIRA_LOG_LEVEL, else info).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64,
                                         help="Server processes sharing the port (PostgreSQL advised above 1).")] = 1,
) -> None:
    """Serve the web pages and the HTTP API (OpenAPI at /docs) until interrupted."""
    # Imported here: the server's dependencies are only needed by this command.
    import uvicorn

    from basira.api import serving
    from basira.api.app import create_app, settle_for_serving
    from basira.api.observability import configure_logging

    st = state(ctx)
    settings = st.settings()
    if settings.log_format not in ("text", "json"):
        raise ConfigurationError(f"BASIRA_LOG_FORMAT is {settings.log_format!r}; use text or json")
    log_level = (log_level or settings.log_level).lower()
    if log_level not in ("debug", "info", "warning", "error"):
        raise ConfigurationError(f"log level {log_level!r} (--log-level or BASIRA_LOG_LEVEL): use debug, info, "
                                 "warning or error")
    host = host or settings.host
    port = port or settings.port
    _check_free(host, port)
    inst = st.instance()  # migrates the database, once, before any worker starts
    with inst.db.session() as s:
        token = setup.issue_token(s, settings.setup_token_ttl_s) if setup.is_empty(s) else None
    url = f"http://{_browsable(host)}:{port}/"
    out.print(f"Basira on [bold]{url}[/bold] (API documentation at {url}docs); "
              f"data in {escape(str(settings.data_dir))}" + (f"; {workers} workers" if workers > 1 else ""))
    if token is not None:
        _print_claim(url, token, settings.setup_token_ttl_s, settings.demo)
    configure_logging(settings.log_format, log_level)
    # Deadlines for request heads and idle connections (slow or silent clients), see api/serving.py.
    options = serving.configure(settings)
    if workers == 1:
        app = create_app(inst, warm=True)
        settle_for_serving()
        uvicorn.run(app, host=host, port=port, log_level=log_level, log_config=None, **options)
        return
    if inst.db.engine.dialect.name == "sqlite":
        err.print("[yellow]Several workers on SQLite share one writer; PostgreSQL (BASIRA_DATABASE_URL) scales "
                  "further.[/yellow]")
    # The workers build their own instance from the environment: pass on what the command line chose, and give
    # prometheus-client a directory where every worker's counters add up (emptied at each start).
    os.environ["BASIRA_DATA_DIR"] = str(settings.data_dir)
    os.environ["BASIRA_DATABASE_URL"] = settings.resolved_database_url
    os.environ["BASIRA_LOG_LEVEL"] = log_level
    metrics_dir = settings.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    # The background work (cases from stored matches, webhooks, legal clocks, the purge, incident pushes, feeds) runs
    # once, here in the supervising process, and not in each server process: a batch of 500 cases then never holds
    # the interpreter lock of a process that is answering requests.
    background = start_background(inst)
    os.environ["BASIRA_WORKER_INTERVAL_S"] = "0"
    try:
        uvicorn.run("basira.api.app:create_worker_app", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, log_config=None, **options)
    finally:
        if background is not None:
            background.stop()
        inst.close()


def _check_free(host: str, port: int) -> None:
    """A clear message, before migrations and a set-up token, when another program already listens on the port
    (the server would otherwise stop with the bind error after printing a link that leads elsewhere)."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as e:
        raise ConfigurationError(f"cannot listen on {host!r} ({e.strerror or e}); give --host or BASIRA_HOST") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ConfigurationError(f"port {port} on {host} is in use by another program; give another with "
                                         "--port or BASIRA_PORT") from None
            raise ConfigurationError(f"cannot listen on {host}:{port} ({e.strerror or e})") from None


def start_background(inst: Instance) -> Worker | None:
    """The background worker of ``basira serve --workers N``, started in the command's own (supervising) process;
    None when ``BASIRA_WORKER_INTERVAL_S`` turns the background work off."""
    from basira.worker import start_worker

    if inst.settings.worker_interval_s <= 0:
        return None
    return start_worker(inst, nice=background_nice(inst))


def background_nice(inst: Instance) -> int:
    """How much lower the background work's CPU priority is in a process of its own: ``BASIRA_WORKER_NICE``, except
    on SQLite, where a batch holds the one writer's lock that the servers' writes wait for (a thread starved of CPU
    while holding it would hold them all up)."""
    return 0 if inst.db.engine.dialect.name == "sqlite" else max(0, inst.settings.worker_nice)


def worker(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="One round (cases, legal clocks, exercises, actions, "
                                                      "deliveries), then exit: for a scheduler such as cron.")] = False,
    interval: Annotated[float | None, typer.Option("--interval", min=0.05, help="Seconds between rounds (default: "
                                                   "BASIRA_WORKER_INTERVAL_S, else 1).")] = None,
) -> None:
    """Run the background work without serving HTTP, until interrupted: cases from stored matches, webhooks, legal
    clocks, the retention purge, incident pushes and TAXII feeds.

    For deployments that run it apart from the servers (give those BASIRA_WORKER_INTERVAL_S=0). Several may run on one
    database: they take turns on each event and claim each delivery once.
    """
    import signal
    import threading

    from basira.worker import run_once, start_worker

    st = state(ctx)
    inst = st.instance()
    if once:
        report = run_once(inst)
        review, made, sent = report.review, report.dispatch, report.delivery
        out.print(f"{review.events} events: {review.opened} cases opened, {review.joined} joined, "
                  f"{review.suppressed} suppressed; {made.actions} actions, {made.deliveries} deliveries queued; "
                  f"{sent.delivered} delivered, {sent.failed} failed, {sent.dead} given up")
        return
    every = interval if interval is not None else float(inst.settings.worker_interval_s)
    if every <= 0:
        raise ConfigurationError("BASIRA_WORKER_INTERVAL_S is 0, which turns the background work off; give "
                                 "--interval SECONDS to run it here")
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    background = start_worker(inst, interval=every, nice=background_nice(inst))
    out.print(f"Basira's background work every {every:g} s on {escape(_where(inst))}; Ctrl-C stops it.")
    while not stop.wait(0.5):
        if not background.is_alive():  # pragma: no cover - the thread catches every round's failure
            raise typer.Exit(1)
    background.stop()
    out.print("Stopped.")


def _where(inst: Instance) -> str:
    """The database, for people: its dialect and name (never a password)."""
    url = inst.db.engine.url
    return f"{url.get_backend_name()} {url.database or ''}".strip()


def _print_claim(url: str, token: str, ttl_s: float, demo: bool) -> None:
    """How to claim an empty instance: the one-time token, in a link and on its own (for a browser elsewhere)."""
    what = "load the demo or create the first organization" if demo else "create the first organization"
    out.print(f"This instance has no organization yet. To {what} from the web page, open")
    typer.echo(f"  {url}?token={token}")
    out.print(f"The set-up token [bold]{token}[/bold] works once and for {_duration(ttl_s)}; anyone who holds it "
              "can become this instance's administrator. Or, on this machine: [bold]basira demo[/bold], or "
              "[bold]basira org create SLUG[/bold] then [bold]basira user create NAME --org SLUG --role admin[/bold].")


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} hour" + ("s" if hours != 1 else "")
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute" + ("s" if minutes != 1 else "")


def setup_token(ctx: typer.Context) -> None:
    """Print a new one-time set-up token for the web page of an empty instance (each works once, then expires)."""
    st = state(ctx)
    settings = st.settings()
    inst = st.instance()
    with inst.db.session() as s:
        token = setup.issue_token(s, settings.setup_token_ttl_s)
    url = f"http://{_browsable(settings.host)}:{settings.port}/"
    _print_claim(url, token, settings.setup_token_ttl_s, settings.demo)


def _browsable(host: str) -> str:
    """The address to print for a browser: a wildcard listen address is reached through localhost."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def demo(ctx: typer.Context) -> None:
    """Create the demo (an organization, banks, a list, a drone sensor and zone, cases of every kind to review) from
    generated data; run again, it adds nothing."""
    from basira.demo import seed_demo

    st = state(ctx)
    inst = st.instance()
    result = seed_demo(inst, actor=actor())
    settings = inst.settings
    prefix = ["basira"] + (["--data-dir", str(st.data_dir)] if st.data_dir is not None else [])
    added = sum(n for kinds in result.added.values() for n in kinds.values())
    if result.created:
        out.print(f"Created the demo organization [bold]{result.org_slug}[/bold] with the banks "
                  + ", ".join(f"[bold]{escape(b)}[/bold]" for b in result.banks) + ".")
    elif added:
        out.print(f"The demo organization [bold]{result.org_slug}[/bold] was there already; completed what was "
                  "missing.")
    else:
        out.print(f"The demo is loaded already (organization [bold]{result.org_slug}[/bold]); nothing was added. "
                  f"For a new key: [bold]{escape(shlex.join([*prefix, 'key', 'create', '--org', 'demo']))}[/bold]")
    if result.cases:
        out.print(f"{result.cases} cases wait for review on the web page ([bold]/cases[/bold]).")
    if result.api_key is not None and result.password is not None:
        out.print("\nAdmin API key (shown once, store it now):")
        typer.echo(f"  {result.api_key}")
        out.print("Web sign-in (shown once):")
        typer.echo(f"  username: {result.username}\n  password: {result.password}")
    out.print("\nFiles to try:")
    for path in result.example_files:
        note = result.expectations.get(path.name, "")
        out.print(f"  {escape(str(path))}" + (f"\n      {escape(note)}" if note else ""), soft_wrap=True)
    try_dir = settings.data_dir / "demo" / "try"
    url = f"http://{_browsable(settings.host)}:{settings.port}"
    first = result.example_files[0] if result.example_files else try_dir / "resized-copy.jpg"
    out.print("\nTry a match from the command line:")
    typer.echo("  " + shlex.join([*prefix, "match", "--org", result.org_slug, str(try_dir)]))
    basira = shlex.join(prefix)
    for command in result.commands:
        typer.echo("  " + command.replace("{basira}", basira))
    out.print(f"or through the API (with [bold]{shlex.join([*prefix, 'serve'])}[/bold] running):")
    key = result.api_key or "$KEY"
    typer.echo("  " + shlex.join(["curl", "-H", f"Authorization: Bearer {key}", "-F",
                                  f"file=@{first}", f"{url}/v1/match"]))
