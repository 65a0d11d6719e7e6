"""Request bodies: a cap per route, counted as bytes arrive, and the API key asked for before a large body is read.

The attack these tests reproduce first: a body of hundreds of megabytes sent to any JSON route without a key used to
be read and parsed whole before the 401, blocking the event loop and taking a gigabyte of memory.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.factories import Api, auth, problem, serving

from basira.api.app import create_app
from basira.api.limits import LARGE_BODY_ROUTES, PREAUTH_BYTES
from basira.core.instance import Instance


class _Counting:
    """A request body that records how much of it the server pulled."""

    def __init__(self, chunks: int, size: int = 64 * 1024) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"[" + b"0," * (self.size // 2 - 1) + b"0]"[: 2]


@pytest.fixture
def live(instance: Instance) -> Iterator[tuple[str, int]]:
    """The app served by uvicorn on a free loopback port (real sockets: the test controls every byte sent)."""
    with serving(create_app(instance)) as url:
        host, _, port = url.removeprefix("http://").partition(":")
        yield host, int(port)


def _warm(address: tuple[str, int]) -> None:
    """One request first: the first one builds the route table from the OpenAPI document."""
    with socket.create_connection(address, timeout=30) as warm:
        warm.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        warm.recv(65536)


def _head_only(address: tuple[str, int], request_head: bytes) -> tuple[bytes, float]:
    """Send only the request head (the body is announced but never sent) and read the answer; the answer coming at
    all proves that the server did not wait for the body."""
    _warm(address)
    start = time.monotonic()
    with socket.create_connection(address, timeout=30) as c:
        c.sendall(request_head)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = c.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer, time.monotonic() - start


def test_a_huge_body_without_a_key_is_answered_401_before_it_is_sent(live: tuple[str, int]) -> None:
    head = (b"POST /v1/banks/1/import?format=csv HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
            b"Content-Length: 199000000\r\n\r\n")
    answer, took = _head_only(live, head)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"API key" in answer and took < 5


def test_a_huge_body_to_a_json_route_is_answered_413_before_it_is_sent(live: tuple[str, int]) -> None:
    head = (b"POST /v1/banks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 190000000\r\n\r\n")
    answer, took = _head_only(live, head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"limit of" in answer and took < 5


def test_a_streamed_body_without_a_key_is_not_read(client: TestClient) -> None:
    body = _Counting(chunks=200)  # 12.8 MB, no Content-Length: chunked
    r = client.post("/v1/drones/frames", content=body, headers={"content-type": "application/json"})
    assert problem(r, 401)["detail"].startswith("send an API key")
    assert body.pulled <= 1


def test_a_wrong_key_is_refused_before_a_large_body(client: TestClient) -> None:
    body = _Counting(chunks=200)
    r = client.post("/v1/screen", content=body, headers={**auth("bsk_0000_nope"), "content-type": "application/json"})
    assert r.status_code == 401 and body.pulled <= 1


def test_a_json_route_counts_bytes_without_content_length(api: Api) -> None:
    body = _Counting(chunks=40)  # 2.6 MB over the 1 MiB cap
    r = api.post("/v1/banks", content=body, headers={"content-type": "application/json"})
    assert "limit of 1048576 bytes" in problem(r, 413)["detail"]


def test_a_small_json_body_still_needs_no_preauthentication(api: Api) -> None:
    """Bodies under the pre-authentication size go straight to the route, which checks the key once."""
    r = api.post("/v1/banks", content=json.dumps({"name": "small", "tlp": "AMBER"}),
                 headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    assert len(r.request.content) < PREAUTH_BYTES


def test_a_batch_route_takes_a_body_over_the_json_cap(api: Api) -> None:
    frames = [{"sensor": "nope", "transport": "bt5", "data": "AA" * 1000}] * 700  # about 1.5 MB
    r = api.post("/v1/drones/frames", json={"frames": frames})
    assert r.status_code != 413, r.text


def test_every_large_body_route_exists(instance: Instance) -> None:
    """A renamed route must not silently fall back to the JSON cap (or leave a stale entry here)."""
    paths = create_app(instance).openapi()["paths"]
    routes = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    assert LARGE_BODY_ROUTES <= routes, sorted(LARGE_BODY_ROUTES - routes)


def test_the_health_route_answers_during_a_slow_unauthenticated_upload(live: tuple[str, int]) -> None:
    """The event loop is not held by a body that never comes."""
    _warm(live)
    with socket.create_connection(live, timeout=10) as slow:
        slow.sendall(b"POST /v1/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{")
        start = time.monotonic()
        with socket.create_connection(live, timeout=10) as c:
            c.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = c.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200") and time.monotonic() - start < 5
