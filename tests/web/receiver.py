"""A loopback HTTP server for browser tests: serves generated images (a stand-in for an organization's content
source) and receives webhooks, checking each one's HMAC signature as a real receiver would."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

from basira.actions.signing import SIGNATURE_HEADER, verify_signature


def generated_png(seed: int) -> bytes:
    """A neutral generated picture (colour bands): never real material."""
    img = Image.new("RGB", (320, 200))
    px = img.load()
    for x in range(320):
        for y in range(200):
            px[x, y] = ((x * 3 + seed * 40) % 256, (y * 5) % 256, ((x + y) * 2 + seed * 90) % 256)  # type: ignore[index]
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@dataclass
class Received:
    event: str
    body: bytes
    signed: bool
    idempotency_key: str


@dataclass
class Receiver:
    """What the server got; ``secret`` is set once the webhook exists."""

    port: int = 0
    secret: str = ""
    hooks: list[Received] = field(default_factory=list)
    media_requests: list[str] = field(default_factory=list)
    server: Any = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start() -> Receiver:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            rec.media_requests.append(self.path)
            body = generated_png(len(self.path))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signed = verify_signature(rec.secret, body, self.headers.get(SIGNATURE_HEADER, ""))
            rec.hooks.append(Received(self.headers.get("Basira-Event", ""), body, signed,
                                      self.headers.get("Idempotency-Key", "")))
            self.send_response(200 if signed else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.port, rec.server = srv.server_address[1], srv
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return rec
