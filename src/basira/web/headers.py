"""Security headers on every response: no framing, no sniffing, no referrer leaks, same-origin content only."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The pages need no script and load nothing from elsewhere (no CDN, no web fonts).
PAGE_POLICY = ("default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
               "object-src 'none'")
# /docs runs the vendored Swagger UI, which starts from one inline script and sets inline styles.
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
_DOCS_PREFIXES = ("/docs",)


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response (pages, static files, API, errors).

    Behind TLS (a request that came over HTTPS, or ``https_only`` set), it also sends Strict-Transport-Security
    for ``hsts_max_age`` seconds (0: never) and marks every cookie ``Secure``, so a cookie is never sent in clear
    even when the setting was forgotten.
    """

    def __init__(self, app: ASGIApp, *, https_only: bool = False, hsts_max_age: int = 0) -> None:
        self.app = app
        self.https_only = https_only
        self.hsts_max_age = hsts_max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = DOCS_POLICY if path.startswith(_DOCS_PREFIXES) else PAGE_POLICY
        tls = self.https_only or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if tls and self.hsts_max_age > 0:
                    headers.setdefault("Strict-Transport-Security", f"max-age={self.hsts_max_age}")
                if tls:
                    _secure_cookies(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure_cookies(headers: MutableHeaders) -> None:
    cookies = headers.getlist("set-cookie")
    if not cookies or all("secure" in c.lower().split("; ") for c in cookies):
        return
    del headers["set-cookie"]
    for c in cookies:
        headers.append("set-cookie", c if "secure" in c.lower().split("; ") else f"{c}; Secure")


def media_policy(origins: list[str]) -> str:
    """The page policy, plus images and media from ``origins`` (an organization's content source)."""
    extra = " ".join(origins)
    return f"{PAGE_POLICY}; img-src 'self' {extra}; media-src 'self' {extra}"
