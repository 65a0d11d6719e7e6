"""A real webhook receiver for the tests: an HTTP server on 127.0.0.1 in a thread that checks each signature.

``Receiver.mode`` says how it answers: ``ok`` (204), ``fail`` (500) or ``hang`` (holds the request until released,
longer than the sender's timeout). Every request is kept with its headers, body and whether its signature verified.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from basira.actions.signing import verify_signature


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signed: bool

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.mode = "ok"
        self.requests: list[Received] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
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
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
