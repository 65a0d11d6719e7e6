"""Map Basira's exceptions (and FastAPI's own) to ``application/problem+json`` responses, in one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from basira.core.errors import BasiraError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(extra.get("retry_after"), int):
        headers = {"Retry-After": str(extra["retry_after"])}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def is_nul_refusal(exc: sa_exc.DataError) -> bool:
    """Whether the database refused a NUL character (PostgreSQL in text, ``\\u0000`` in JSON): the caller's fault."""
    text = str(exc.orig or exc)
    return "NUL" in text or "\\u0000" in text


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(BasiraError)
    async def _basira(_: Request, exc: BasiraError) -> JSONResponse:
        if exc.status >= 500:
            log.error("%s: %s", type(exc).__name__, exc.detail)
        return problem(exc.status, exc.title, exc.detail, f"https://basira.invalid/problems/{exc.slug}",
                       **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
                  for e in exc.errors()][:50]
        return problem(422, "Invalid request", "the request does not match the API's schema", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(SATimeoutError)
    async def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        # The database restarted, is unreachable, every pooled connection is busy, or SQLite's one writer stayed
        # busy past its timeout: a temporary condition, said as such (the next request reconnects on its own).
        log.warning("database unavailable: %s", type(exc).__name__)
        response = problem(503, "Service unavailable", "the database is unavailable for the moment; try again",
                           "https://basira.invalid/problems/database-unavailable")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(sa_exc.DataError)
    async def _data(_: Request, exc: sa_exc.DataError) -> JSONResponse:
        if is_nul_refusal(exc):
            return problem(422, "Invalid request", "text may not hold a NUL character (U+0000)")
        log.exception("the database refused a value")
        return problem(500, "Internal error", "an unexpected error occurred; it was logged")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return problem(500, "Internal error", "an unexpected error occurred; it was logged")
