"""Errors as a browser should see them: an unknown address, a wrong method or a malformed address asked for by a
page (``Accept: text/html``, outside the API's paths) is answered with a page in the reader's language; every
other request keeps the API's ``application/problem+json`` answer (``api/problems.py``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from basira.web.common import error, inst, viewer

log = logging.getLogger(__name__)
# Paths of machines (the API, TAXII, the HMA-compatible API, probes, metrics, files): JSON whatever they accept.
API_PREFIXES = ("/v1/", "/v1", "/taxii2", "/h/", "/m/", "/c/", "/health/", "/metrics", "/openapi.json", "/static/",
                "/docs")
Handler = Callable[[Request, Exception], Awaitable[Response]]


def wants_page(request: Request) -> bool:
    """Whether ``request`` is a browser's for a page: it names ``text/html`` and is not for the API's paths."""
    path = request.url.path[len(str(request.scope.get("root_path", ""))):] or "/"
    if path.startswith(API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "").lower()


def error_page(request: Request, status: int) -> Response:
    """The error page for ``status``, with the page header of whoever is signed in."""
    kind = "not_found" if status in (404, 405) else "bad_request" if 400 <= status < 500 else "unexpected"
    try:
        with inst(request).db.session() as s:
            v = viewer(s, request)
            context = v.context() if v else {}
    except Exception:  # the database may be what failed: the page is shown without the viewer
        log.warning("an error page without its viewer", exc_info=True)
        context = {}
    return error(request, kind, status, context)


def install(app: FastAPI) -> None:
    """Answer pages' errors with a page; keep the handlers already installed for the API's requests.

    An unexpected failure (500) keeps the API's answer: its handler runs outside the session middleware, where no
    page can be rendered.
    """
    handlers: dict[type[Exception], Handler] = {}
    for exc_class in (StarletteHTTPException, RequestValidationError):
        found = app.exception_handlers.get(exc_class)
        if found is None:
            raise RuntimeError(f"install the API's handler of {exc_class.__name__} first")
        handlers[exc_class] = found  # type: ignore[assignment]

    async def http_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StarletteHTTPException) and exc.status_code >= 400 and wants_page(request):
            return error_page(request, exc.status_code)
        return await handlers[StarletteHTTPException](request, exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        if wants_page(request):
            return error_page(request, 422)
        return await handlers[RequestValidationError](request, exc)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
