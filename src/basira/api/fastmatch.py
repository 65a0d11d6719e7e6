"""The hot path of the match API: ``POST /v1/match`` with signal values (HMA's lookup with ``store: false``, and
storing matches), answered by an ASGI middleware ahead of the framework's routing and dependency resolution.

A platform asks this for every upload, so its cost per request sets how many one server answers. The route in
:mod:`basira.api.routers.matching` does the same work; between the two, what the framework adds (walking its
route table, resolving five dependencies, validating the answer a second time) was about a fifth of a lookup's
CPU (docs/benchmarks.md, issue 20). This middleware sits inside the request observer and the body limit (request
ids, access lines, metrics, size caps and the NUL scan apply as to any request) and takes only requests it can
answer exactly as the route would:

- the body is JSON that the route's own model (:class:`~basira.api.routers.matching.MatchBody`) accepts, with
  signal values and no text or URL;
- the API key is checked, the match rate counted and the role required in the route's order, by the same
  functions; the item is matched by the route's own function
  (:func:`~basira.api.routers.matching.match_values`); an error is raised as the route raises it and rendered
  by the app's own exception handlers;
- the answer is the route's model, serialised by pydantic as the framework would.

Anything else (an upload, a text, a URL, a body the model refuses) goes on to the route with the body it sent,
untouched: every error message stays the route's own. ``BASIRA_FAST_MATCH=false`` turns it off.
"""

from __future__ import annotations

import inspect
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from basira.api import uploads
from basira.api.deps import principal_of
from basira.api.ratelimits import count_match
from basira.api.routers.matching import MatchBody, match_values
from basira.core.instance import Instance

PATH = "/v1/match"


class _Template:
    """What the request observer reads from ``scope["route"]``: the route template, for metrics and access lines."""

    path = PATH


_ROUTE = _Template()


class FastMatch:
    """ASGI middleware: answers matches of signal values on ``POST /v1/match`` (see the module's description)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        inst: Instance = scope["app"].state.instance
        limit = min(uploads.MAX_JSON_BYTES, inst.settings.max_upload_bytes)
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                # The client left, or the body limit stopped the body (it answers 413 or 422 itself).
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
            if size > limit:
                break
        raw = b"".join(chunks)
        body = _values_body(raw) if size <= limit else None
        if body is None:
            await self.app(scope, _replay(raw, more, receive), send)
            return
        scope["route"] = _ROUTE
        try:
            payload = await _answer(inst, Request(scope, receive), body)
        except Exception as exc:  # rendered by the app's own handler for it, as a route's exception is
            await _render(scope, receive, send, exc)
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value).lower().startswith(b"application/json")
    return False


def _values_body(raw: bytes) -> MatchBody | None:
    """The body when it is a match of signal values, which this middleware answers; None otherwise."""
    try:
        body = MatchBody.model_validate_json(raw)
    except ValidationError:
        return None
    if body.text is not None or body.url is not None or not body.signals:
        return None
    return body


async def _answer(inst: Instance, request: Request, body: MatchBody) -> bytes:
    # The route's order: the key, the match rate (as ``ratelimits.match_rate``), the role, then the match.
    principal = await principal_of(inst, request)
    count_match(request, principal)
    principal.require_match()
    result = await match_values(inst, principal, body)
    return result.model_dump_json().encode()


def _replay(raw: bytes, more: bool, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the body already read, then passes on to the client's."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            # A body read only past the limit goes on as unfinished: the route reads the rest and refuses it.
            return {"type": "http.request", "body": raw, "more_body": more}
        return await receive()

    return replay


async def _render(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    handlers: dict[Any, Any] = scope["app"].exception_handlers
    handler = next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers), None)
    if handler is None:
        raise exc
    response = handler(Request(scope, receive), exc)
    if inspect.isawaitable(response):
        response = await response
    await response(scope, receive, send)
