"""Servers on loopback for sharing tests: a Basira app under uvicorn in a thread, and a scripted TAXII peer that
answers whatever a test tells it to (garbage, silence, loops, 429 and 500)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn
from fastapi import FastAPI

TAXII = "application/taxii+json;version=2.1"


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=15)
        sock.close()


@dataclass
class Answer:
    """One scripted answer of the peer."""

    status: int = 200
    body: bytes | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = TAXII

    @classmethod
    def envelope(cls, objects: list[dict[str, Any]], more: bool = False, next_: str | None = None,
                 added_last: str | None = None) -> Answer:
        body: dict[str, Any] = {"more": more, "objects": objects}
        if next_ is not None:
            body["next"] = next_
        return cls(body=body, headers={"X-TAXII-Date-Added-Last": added_last} if added_last else {})


class Peer:
    """A TAXII "server" whose collection resource is sound and whose objects answers follow a script (the last
    answer repeats). Records each objects request's query string and Authorization header."""

    collection_id = "c0ffee00-0000-4000-8000-000000000001"

    def __init__(self, answers: list[Answer]) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[str, str]] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path.endswith("/objects/"):
                    peer.requests.append((query, self.headers.get("Authorization", "")))
                    answer = peer.answers.pop(0) if len(peer.answers) > 1 else peer.answers[0]
                else:
                    answer = Answer(body={"id": peer.collection_id, "title": "peer", "can_read": True,
                                          "can_write": False})
                time.sleep(answer.delay)
                body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in answer.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as it should

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/taxii2/api/"

    def __enter__(self) -> Peer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
