"""A real HTTP server on 127.0.0.1 in a thread, standing for the world outside: it receives webhooks, checking
each signature as a real receiver would, and serves generated pictures as an organization's content source.

``Receiver.mode`` says how it answers a webhook: ``ok`` (204, or 401 when the signature does not verify),
``fail`` (500) or ``hang`` (holds the request until released, longer than the sender's timeout). Every webhook is
kept with its headers, body and whether its signature verified; every picture asked for, with its path.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

from basira.actions.signing import verify_signature


def generated_png(seed: int) -> bytes:
    """A neutral generated picture (colour bands): never real material."""
    img = Image.new("RGB", (320, 200))
    px = img.load()
    assert px is not None
    for x in range(320):
        for y in range(200):
            px[x, y] = ((x * 3 + seed * 40) % 256, (y * 5) % 256, ((x + y) * 2 + seed * 90) % 256)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@dataclass
class Received:
    """One webhook as it arrived (header names in lower case)."""

    headers: dict[str, str]
    body: bytes
    signed: bool

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data

    @property
    def event(self) -> str:
        return self.headers.get("basira-event", "")

    @property
    def idempotency_key(self) -> str:
        return self.headers.get("idempotency-key", "")


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.mode = "ok"
        self.requests: list[Received] = []
        self.media_requests: list[str] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with receiver._lock:
                    receiver.media_requests.append(self.path)
                body = generated_png(len(self.path))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                signed = verify_signature(receiver.secret, body, headers.get("basira-signature", ""))
                with receiver._lock:
                    receiver.requests.append(Received(headers, body, signed))
                    mode = receiver.mode
                if mode == "hang":
                    receiver.release.wait(10)
                    return
                if mode == "ok" and not signed:
                    self.send_response(401)
                else:
                    self.send_response(204 if mode == "ok" else 500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        """Where webhooks go."""
        return f"{self.base}/hook"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
