"""Slow and silent clients (slowloris) against uvicorn as ``basira serve`` runs it (api/serving.py): they do not
starve a normal request, and their connections are closed once the request-head deadline passes, even while they
keep sending a byte at a time."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from basira.api import serving
from basira.api.app import create_app
from basira.core.instance import Instance

SLOW = 150
HEAD_S = 4.0


@pytest.fixture(params=["httptools", "h11"])
def served(instance: Instance, request: pytest.FixtureRequest) -> Iterator[str]:
    """The app served as ``basira serve`` serves it, with either HTTP parser (``BASIRA_SERVE_HTTP``)."""
    options = serving.configure(dataclasses.replace(instance.settings, serve_header_timeout_s=HEAD_S,
                                                    serve_http=request.param))
    assert options["http"].__name__.lower() == f"guarded{request.param}protocol"
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    srv = uvicorn.Server(uvicorn.Config(create_app(instance), log_level="warning", lifespan="off", **options))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()
    serving.configure(instance.settings)


def _closed_by_server(conn: socket.socket, within: float) -> bool:
    conn.settimeout(within)
    try:
        return conn.recv(1024) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_slow_and_silent_clients_neither_starve_others_nor_keep_their_connections(served: str) -> None:
    host, port = served.split(":")
    with httpx.Client(base_url=f"http://{served}", timeout=30) as client:
        assert client.get("/health/live").status_code == 200  # the app's first request builds its routes
        before = serving.HeadDeadline.closed_late
        silent = [socket.create_connection((host, int(port))) for _ in range(SLOW)]
        slow = [socket.create_connection((host, int(port))) for _ in range(SLOW)]
        for conn in slow:
            conn.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
        # A normal client is answered while the 300 others still hold their connections.
        assert client.get("/health/live").status_code == 200
        assert serving.HeadDeadline.closed_late == before
        # The slow ones keep sending a byte now and then: it does not move their deadline.
        for _ in range(3):
            for conn in slow:
                try:
                    conn.sendall(b"X")
                except OSError:
                    pass
            time.sleep(0.2)
        assert all(_closed_by_server(c, HEAD_S + 5) for c in silent + slow)
        assert serving.HeadDeadline.closed_late - before == 2 * SLOW
        # A keep-alive client that asks in time is still served.
        assert client.get("/health/live").status_code == 200
    for conn in silent + slow:
        conn.close()


def test_a_request_head_in_time_and_a_slow_answer_are_not_cut(served: str) -> None:
    host, port = served.split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(b"GET /health/live HTTP/1.1\r\n")
        time.sleep(0.5)  # well within the deadline
        conn.sendall(b"Host: x\r\n\r\n")
        conn.settimeout(5)
        assert conn.recv(4096).startswith(b"HTTP/1.1 200")


def test_a_head_still_incomplete_past_the_limit_is_refused_and_a_whole_one_is_served(served: str) -> None:
    """A client that streams an endless header gets 400 and a closed connection once it sent MAX_HEAD_BYTES; a
    whole head just under the limit is answered."""
    host, port = served.split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (serving.MAX_HEAD_BYTES - 1024)
                     + b"\r\n\r\n")
        conn.settimeout(10)
        assert conn.recv(4096).startswith(b"HTTP/1.1 200")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Pad: ")
        answer = b""
        try:
            for _ in range(2 * serving.MAX_HEAD_BYTES // 4096):
                conn.sendall(b"a" * 4096)
                time.sleep(0.001)
        except OSError:
            pass  # closed by the server while sending
        conn.settimeout(10)
        try:
            answer = conn.recv(4096)
        except OSError:
            pass
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
        assert _closed_by_server(conn, 10)


def test_the_parser_is_chosen_by_setting(instance: Instance) -> None:
    from basira.core.errors import ConfigurationError

    def chosen(name: str) -> str:
        return serving.protocol(dataclasses.replace(instance.settings, serve_http=name)).__name__

    assert chosen("auto") == chosen("httptools") == "GuardedHttpToolsProtocol"  # in the default install
    assert chosen("H11") == "GuardedH11Protocol"
    with pytest.raises(ConfigurationError, match="auto, httptools or h11"):
        chosen("hyper")


def test_workers_get_the_configured_time_to_answer_their_supervisor(instance: Instance) -> None:
    """uvicorn kills a worker silent for 5 s; one starting on a loaded machine needs longer
    (BASIRA_SERVE_WORKER_CHECK_S)."""
    options = serving.configure(dataclasses.replace(instance.settings, serve_worker_check_s=90))
    config = uvicorn.Config("basira.api.app:create_worker_app", factory=True, workers=2, **options)
    assert config.timeout_worker_healthcheck == 90
    assert serving.configure(instance.settings)["timeout_worker_healthcheck"] == 60
