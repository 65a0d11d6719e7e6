"""How ``basira serve`` runs uvicorn: its HTTP parser, and timeouts and limits against clients that hold connections
without using them.

uvicorn closes a keep-alive connection that stays idle after a response, but sets no deadline for a request's head:
a client that connects and sends nothing, or sends its request line and headers a byte at a time (slowloris), keeps
its connection, and thousands of them keep thousands of file descriptors until the process runs out. The protocols
here give every request head ``serve_header_timeout_s`` seconds from the moment the server waits for it (the
connection opened, or the previous response sent) and close the connection when it is not complete by then; each
byte sent does not move the deadline. A head still incomplete past :data:`MAX_HEAD_BYTES` is refused (400). A
request whose head arrived is the app's to time (uploads have their own limits, see :mod:`basira.api.uploads`).
Connections still count against the process's file descriptors while they wait: behind a reverse proxy, its own
limits come first (docs/operations.md).

Two parsers, the same rules: :class:`GuardedHttpToolsProtocol` on uvicorn's httptools protocol (llhttp, in C: about
a sixth less server CPU per lookup than h11, docs/benchmarks.md, issue 20), used when httptools is installed (it is
in the default install), and :class:`GuardedH11Protocol` on uvicorn's h11 protocol (pure Python), used otherwise or
when ``BASIRA_SERVE_HTTP=h11``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from basira.core.errors import ConfigurationError
from basira.core.settings import Settings

log = logging.getLogger(__name__)

#: Largest request line and headers a connection may send for one request, in bytes.
MAX_HEAD_BYTES = 64 * 1024


class HeadDeadline:
    """The request-head deadline both protocols share (see the module's description); a protocol arms it when it
    starts waiting for a head and cancels it when a head is complete."""

    #: Seconds a client has to send a whole request line and headers; set by :func:`configure`.
    header_timeout: ClassVar[float] = 10.0
    #: Connections closed for a late head in this process, by either protocol (for tests and metrics).
    closed_late: ClassVar[int] = 0

    # The protocol's own (uvicorn's protocols set them).
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    timeout_keep_alive_task: asyncio.TimerHandle | None
    _head_timer: asyncio.TimerHandle | None = None

    def _head_complete(self) -> bool:
        """Whether the request being read has its whole head (then the deadline does not apply)."""
        raise NotImplementedError

    def _await_head(self) -> None:
        if self._head_timer is None and self.header_timeout > 0:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_late)

    def _cancel_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self._head_complete():
            return
        if self.timeout_keep_alive_task is not None:
            return  # idle after an answer, nothing sent since: uvicorn's keep-alive timeout closes it
        HeadDeadline.closed_late += 1
        log.debug("closing a connection that sent no complete request head in %.0f s", self.header_timeout)
        self.transport.close()


class GuardedH11Protocol(HeadDeadline, H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head (the head's size is h11's own limit, set by
    :func:`configure`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._settle_head()

    def handle_events(self) -> None:
        super().handle_events()
        self._settle_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._settle_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head()
        super().connection_lost(exc)

    def _head_complete(self) -> bool:
        return self.conn.their_state is not h11.IDLE

    def _settle_head(self) -> None:
        """Waiting for a head (the client's side idle): a deadline runs; a head received: none."""
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._await_head()
        else:
            self._cancel_head()


HTTPTOOLS = importlib.util.find_spec("httptools") is not None

if HTTPTOOLS:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class GuardedHttpToolsProtocol(HeadDeadline, HttpToolsProtocol):
        """uvicorn's httptools protocol with a deadline for each request's head and h11's limit on its size."""

        #: Bytes of the request head received so far, while it is incomplete.
        _head_bytes = 0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._await_head()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._head_complete() or self.transport.is_closing():
                self._head_bytes = 0
                return
            # Still no whole head after all of this: every byte of it was head (h11's limit counts the same way).
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self.send_400_response("Invalid HTTP request received.")  # as uvicorn answers a malformed head

        def on_headers_complete(self) -> None:
            self._cancel_head()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # No request whose head arrived (a pipelined one starts in the call above): wait for the next head.
            if not self.transport.is_closing() and not self._head_complete():
                self._await_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_head()
            super().connection_lost(exc)

        def _head_complete(self) -> bool:
            return self.cycle is not None and not self.cycle.response_complete


def protocol(settings: Settings) -> type[HeadDeadline]:
    """The protocol class that ``BASIRA_SERVE_HTTP`` names (``auto``: httptools when installed, else h11)."""
    wanted = settings.serve_http.lower()
    if wanted not in ("auto", "httptools", "h11"):
        raise ConfigurationError(f"BASIRA_SERVE_HTTP is {settings.serve_http!r}; use auto, httptools or h11")
    if wanted == "h11" or (wanted == "auto" and not HTTPTOOLS):
        return GuardedH11Protocol
    if not HTTPTOOLS:
        raise ConfigurationError("BASIRA_SERVE_HTTP=httptools, but httptools is not installed (pip install httptools)")
    return GuardedHttpToolsProtocol


def configure(settings: Settings) -> dict[str, Any]:
    """Set this process's protocol deadline from ``settings``; the options for ``uvicorn.run``/``uvicorn.Config``."""
    HeadDeadline.header_timeout = float(settings.serve_header_timeout_s)
    return {
        "http": protocol(settings),
        "timeout_keep_alive": max(1, int(settings.serve_keep_alive_s)),
        # uvicorn kills a worker silent for 5 s: one starting beside others on a loaded machine was killed and
        # started again and again (11 times in a 63 s start, seen in the container on 2 busy cores).
        "timeout_worker_healthcheck": max(1, int(settings.serve_worker_check_s)),
        # h11: a request line and headers larger than this are refused (400) before they are buffered further.
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "backlog": 2048,
    }
