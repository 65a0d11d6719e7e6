"""An ASGI middleware that caps every request body per route, and asks for the API key before a large body is read.

A route gets the small JSON cap (``max_json_bytes``) unless :data:`LARGE_BODY_ROUTES` names it: uploads, bulk imports
and batches get the upload cap (``max_upload_bytes`` plus room for multipart framing). Bytes are counted as they arrive,
with or without Content-Length. A route that needs an API key and is about to receive more than
:data:`PREAUTH_BYTES` (or a body of unknown length) has the key checked first, so that nobody without a key can make
the server receive, hold or parse a large body: the answer is 401 before the first body byte is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from basira.core.errors import BasiraError

#: Routes whose bodies may be as large as an upload; every other route gets the JSON cap.
LARGE_BODY_ROUTES: frozenset[tuple[str, str]] = frozenset({
    ("POST", "/v1/match"),  # a file upload
    ("POST", "/v1/hash"),  # a file upload
    ("POST", "/v1/text/hash"),  # a text file
    ("POST", "/v1/banks/{bank}/import"),  # CSV or JSON lines of up to max_import_rows
    ("POST", "/v1/banks/{bank}/signals"),  # a batch of signals
    ("POST", "/v1/drones/frames"),  # up to 5,000 frames of up to 4 KB each, base64
    ("POST", "/v1/drones/zones/import"),  # a zone file (GeoJSON, ED-269, ED-318)
    ("POST", "/v1/screen"),  # a batch of up to 10,000 customers
    ("POST", "/v1/text/classifiers/{scheme}"),  # labelled training texts
    ("POST", "/taxii2/api/collections/{cid}/objects/"),  # a STIX bundle, up to BASIRA_SHARING_MAX_BUNDLE_BYTES
    ("POST", "/h/hash"),  # HMA: a media upload
    ("POST", "/m/lookup"),  # HMA: a media upload
    ("POST", "/c/bank/{bank_name}/content"),  # HMA: a media upload
})
#: Web pages (left out of the OpenAPI document) that take a file upload: they get the upload cap too. Each one asks
#: for a signed-in session and the role first, before it reads the body (see ``basira.web.admin_common``).
LARGE_BODY_PAGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("POST", re.compile(r"^/admin/banks/[^/]+/import$")),  # CSV, JSON lines or a STIX bundle
    ("POST", re.compile(r"^/admin/lists/import$")),  # a sanctions list file (XML, CSV; bz2 or gzip)
    ("POST", re.compile(r"^/admin/zones/import$")),  # a zone file (GeoJSON, ED-269, ED-318)
)
#: A body at most this large is read before the key is checked (the key is checked once, by the route).
PREAUTH_BYTES = 64 * 1024
#: Room above the upload limit for multipart headers and form fields; upload routes count the file exactly.
MULTIPART_ROOM = 1 << 20

#: (method, path) pairs whose body rule :class:`BodyLimit` keeps at most.
SEEN_PATHS = 4096

KeyCheck = Callable[[Scope], None]


@dataclass(frozen=True)
class _RouteRule:
    pattern: re.Pattern[str]
    method: str
    template: str
    needs_key: bool


#: Rules already read, by the shape of an app's routes: building the OpenAPI document takes about a second, and every
#: app of a process with the same routes (each test's app, each worker's) has the same document. Bounded: apps with
#: routes of their own (tests of plugins) do not pile up.
_RULES_BY_ROUTES: dict[tuple[object, ...], list[_RouteRule]] = {}
_MAX_SHAPES = 16


def _route_shape(routes: object) -> tuple[object, ...]:
    """Path, methods and endpoint of every route, descending into included routers (which recent FastAPI keeps
    nested rather than copying their routes into the app)."""
    shape: list[object] = []
    for route in routes if isinstance(routes, list | tuple) else ():
        inner = getattr(route, "original_router", None)
        if inner is not None:
            prefix = str(getattr(getattr(route, "include_context", None), "prefix", ""))
            shape.append(("include", prefix, _route_shape(getattr(inner, "routes", ()))))
            continue
        endpoint = getattr(route, "endpoint", None)
        name = f"{getattr(endpoint, '__module__', '')}.{getattr(endpoint, '__qualname__', '')}"
        methods = ",".join(sorted(getattr(route, "methods", None) or ()))
        shape.append((str(getattr(route, "path", "")), methods, name, type(route).__name__))
    return tuple(shape)


def _rules(app: object) -> list[_RouteRule]:
    """The app's documented operations, read from its OpenAPI document (the public contract, whatever the
    framework's internal route classes): path template, method, and whether a security scheme (the API key)
    guards it. Routes left out of the document (web pages) get the JSON cap and no early key check."""
    openapi = getattr(app, "openapi", None)
    if openapi is None:
        return []
    shape = _route_shape(getattr(app, "routes", ()))
    if shape in _RULES_BY_ROUTES:
        return _RULES_BY_ROUTES[shape]
    rules = _read_rules(openapi())
    if len(_RULES_BY_ROUTES) >= _MAX_SHAPES:
        _RULES_BY_ROUTES.clear()
    _RULES_BY_ROUTES[shape] = rules
    return rules


def prepare(app: object) -> int:
    """Read the app's route rules now (at start-up) rather than on its first request: building the OpenAPI
    document takes a second or more, and on the first request it would hold up the event loop, so the first
    requests after a start (an incident push among them) would wait for it. The number of rules."""
    return len(_rules(app))


def _read_rules(document: dict[str, Any]) -> list[_RouteRule]:
    rules = []
    for template, operations in document.get("paths", {}).items():
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
        for method, operation in operations.items():
            if isinstance(operation, dict):
                rules.append(_RouteRule(pattern, method.upper(), template, bool(operation.get("security"))))
    return rules


class BodyLimit:
    """Refuse bodies over the route's cap with 413, and unauthenticated large bodies with 401 (problem+json).

    Args:
        app: The ASGI app.
        limit: The upload cap (bytes) for :data:`LARGE_BODY_ROUTES`.
        json_limit: The cap (bytes) for every other route.
        key_check: Raises a :class:`BasiraError` (401) when the request's API key is missing or not valid; called
            for operations that the OpenAPI document marks with a security scheme.
    """

    def __init__(self, app: ASGIApp, limit: int, json_limit: int, key_check: KeyCheck | None = None) -> None:
        self.app = app
        self.limit = limit
        self.json_limit = json_limit
        self.key_check = key_check
        self._rules: list[_RouteRule] | None = None
        # The rule of each (method, path) seen lately: the hot routes skip the walk over every rule.
        self._seen: dict[tuple[str, str], _RouteRule | None] = {}

    def _rule(self, scope: Scope) -> _RouteRule | None:
        if self._rules is None:  # the routes are all included once the first request arrives
            self._rules = _rules(scope.get("app"))
        path, method = scope.get("path", ""), scope.get("method", "")
        if (method, path) in self._seen:
            return self._seen[(method, path)]
        rule = next((r for r in self._rules if r.method == method and r.pattern.match(path)), None)
        if len(self._seen) >= SEEN_PATHS:
            self._seen.clear()  # paths with ids in them are many: start again rather than grow
        self._seen[(method, path)] = rule
        return rule

    def _cap(self, rule: _RouteRule | None, scope: Scope | None = None) -> int:
        large = rule is not None and (rule.method, rule.template) in LARGE_BODY_ROUTES
        if rule is None and scope is not None:
            path, method = scope.get("path", ""), scope.get("method", "")
            large = any(m == method and p.match(path) for m, p in LARGE_BODY_PAGES)
        return self.limit if large else min(self.json_limit, self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            # PostgreSQL refuses NUL in text (the route would fail with a 500); no path or query needs one.
            await _problem(send, 400, "Bad request", "a URL may not hold a NUL character (%00)")
            return
        rule = self._rule(scope)
        cap = self._cap(rule, scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        size = int(declared) if declared is not None and declared.isdigit() else None
        if size is not None and size > cap:
            await _problem(send, 413, "Content too large", f"the request body is over the limit of {cap} bytes "
                                                           "for this route")
            return
        unknown_length = size is None and b"transfer-encoding" in headers
        if (unknown_length or (size or 0) > PREAUTH_BYTES) and self.key_check is not None \
                and rule is not None and rule.needs_key:
            try:
                await to_thread.run_sync(self.key_check, scope)
            except BasiraError as e:
                await _problem(send, e.status, e.title, e.detail)
                return
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        is_json = ctype == b"application/json" or ctype.endswith(b"+json")
        await self._counted(scope, receive, send, cap, NulScan() if is_json else None)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, cap: int,
                       nul: NulScan | None = None) -> None:
        """Pass the body on while counting it; past the cap, tell the app the client left and answer 413 (422 for
        a JSON body that holds a NUL character, which PostgreSQL would refuse with a 500).

        The app sees a disconnect rather than an exception, because a framework turns exceptions raised while it
        parses a body into its own 400; whatever it tries to send afterwards is dropped in favour of the 413.
        """
        seen = 0
        over = False
        started = False
        refused: tuple[int, str, str] = (413, "Content too large",
                                         f"the request body is over the limit of {cap} bytes for this route")

        async def counted() -> Message:
            nonlocal seen, over, refused
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > cap:
                    over = True
                    return {"type": "http.disconnect"}
                if nul is not None and nul.holds_nul(chunk):
                    over = True
                    refused = (422, "Invalid request", "text may not hold a NUL character (\\u0000)")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _problem(send, *refused)


class NulScan:
    """Finds the JSON escape of a NUL character (backslash, ``u0000``) in a body read chunk by chunk; an escaped
    backslash followed by ``u0000`` (text, not a NUL) is told apart by the parity of the backslashes before it."""

    _ESCAPE = re.compile(rb"(\\+)u0000")

    def __init__(self) -> None:
        self._tail = b""

    def holds_nul(self, chunk: bytes) -> bool:
        window = self._tail + chunk
        # The search for the literal first: the expression tries a match at every byte of a body without one.
        found = b"u0000" in window and any(len(m.group(1)) % 2 == 1 for m in self._ESCAPE.finditer(window))
        # Keep the trailing backslashes and up to five bytes after them: an escape cut by a chunk boundary.
        keep = len(window) - len(window.rstrip(b"\\0u"))
        self._tail = window[-max(keep, 6):]
        return found


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
