"""The FastAPI application factory: every router (API and web pages) is wired here."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from basira import __version__
from basira.api import observability, problems, uploads
from basira.api.deps import check_presented_key
from basira.api.limits import MULTIPART_ROOM, BodyLimit
from basira.core.errors import ConfigurationError
from basira.core.instance import Instance


def settle_for_serving() -> None:
    """Collect once, then freeze what start-up built (modules, models, routes) for the life of a server process.

    Full collections otherwise walk those objects again and again and stall requests for tens of milliseconds.
    Only for a process that serves until it ends (``basira serve``): frozen objects are never collected.
    """
    gc.collect()
    gc.freeze()


def create_app(instance: Instance | None = None, *, warm: bool = False) -> FastAPI:
    """Build the app around ``instance`` (a new one from the environment when None). ``warm`` (``basira serve``):
    build every route's request handling at start-up (FastAPI builds it at a route's first request, on the event
    loop, where it holds up every request then in flight: a second and more for the first requests after a start,
    an incident push among them)."""
    inst = instance or Instance()
    from basira.content.hamming import set_query_threads

    set_query_threads(inst.settings.index_threads)

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        from basira.api.limits import prepare
        from basira.core.db import start_checkpointer
        from basira.worker import start_worker

        # Off the event loop and before the first request: see limits.prepare.
        await run_in_threadpool(prepare, started)
        if warm:
            await run_in_threadpool(started.openapi)  # builds each route's dependants, as a first request would
        uploads.clean_stale(inst.settings)  # what a crash (kill -9 during an upload) left behind
        checkpointer = start_checkpointer(inst.db.engine, float(inst.settings.sqlite_checkpoint_interval_s))
        worker = start_worker(inst)
        yield
        # Storing matches still queued are written before the process ends (uvicorn has answered or closed every
        # request by now, so nothing new arrives).
        inst.close_match_writer()
        worker.stop()
        if checkpointer is not None:
            checkpointer.stop()
        # Large indexes are saved on the way out so that the next start need not rebuild them.
        inst.indexes.save_all()

    app = FastAPI(
        lifespan=lifespan,
        title="Basira",
        version=__version__,
        description="Detect and share the signals of terrorist exploitation of new technologies.",
        docs_url=None,  # served below from vendored assets, not a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        vendor = "/static/vendor/swagger-ui"
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Basira API",
                                   swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{vendor}/swagger-ui.css",
                                   swagger_favicon_url=f"{vendor}/favicon-32x32.png")

    app.state.instance = inst
    problems.install(app)
    if inst.settings.fast_match:
        # Matches of signal values answered ahead of the router, inside the body limit (see api/fastmatch.py).
        from basira.api.fastmatch import FastMatch

        app.add_middleware(FastMatch)
    # Per-route body caps, and the API key checked before a large body is read (see api/limits.py).
    app.add_middleware(BodyLimit, limit=inst.settings.max_upload_bytes + MULTIPART_ROOM,
                       json_limit=inst.settings.max_json_bytes, key_check=check_presented_key)
    # Routers are imported here, not at module level, so that building an app has no import-time effects.
    from basira.api.routers import ROUTERS

    # Request ids, access log lines, Prometheus metrics, /health/live and /health/ready (see api/observability.py);
    # added last, so it is the outermost middleware and times the whole request.
    observability.install(app, inst)
    for router in [*ROUTERS, *inst.fronts.routers(), *inst.fronts.pages()]:
        if not isinstance(router, APIRouter):
            raise ConfigurationError(f"a front's router or page is not an APIRouter: {router!r}")
        # Before the web pages' static mount, so that a front's page may serve its own /static/<front>/ files.
        app.include_router(router)
    from basira.web.pages import install as install_web

    install_web(app)
    return app


def create_worker_app() -> FastAPI:
    """The app of one worker process of ``basira serve --workers N`` (settings from the environment that the
    command set; the database was migrated by the command before the workers started)."""
    from basira.api.observability import configure_logging
    from basira.core.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    from basira.api.serving import configure

    configure(settings)  # this worker's request-head deadline (the class is shared with the command's process)
    app = create_app(Instance(settings), warm=True)
    settle_for_serving()
    return app
