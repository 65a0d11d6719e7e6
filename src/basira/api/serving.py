"""How ``basira serve`` runs uvicorn: timeouts and limits against clients that hold connections without using them.

uvicorn (h11) closes a keep-alive connection that stays idle after a response, but sets no deadline for a request's
head: a client that connects and sends nothing, or sends its request line and headers a byte at a time (slowloris),
keeps its connection, and thousands of them keep thousands of file descriptors until the process runs out.
:class:`GuardedH11Protocol` gives every request head ``serve_header_timeout_s`` seconds from the moment the server
waits for it (the connection opened, or the previous response sent) and closes the connection when it is not
complete by then; each byte sent does not move the deadline. A request whose head arrived is the app's to time
(uploads have their own limits, see :mod:`basira.api.uploads`). Connections still count against the process's
file descriptors while they wait: behind a reverse proxy, its own limits come first (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from basira.core.settings import Settings

log = logging.getLogger(__name__)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head (see the module's docstring)."""

    #: Seconds a client has to send a whole request line and headers; set by :func:`configure`.
    header_timeout: ClassVar[float] = 10.0
    #: Connections closed for a late head in this process (for tests and metrics).
    closed_late: ClassVar[int] = 0

    _head_timer: asyncio.TimerHandle | None = None

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

    def _settle_head(self) -> None:
        """Waiting for a head (the client's side idle): a deadline runs; a head received: none."""
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._await_head()
        else:
            self._cancel_head()

    def _await_head(self) -> None:
        if self._head_timer is None and self.header_timeout > 0:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_late)

    def _cancel_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.timeout_keep_alive_task is not None:
            return  # idle after an answer, nothing sent since: uvicorn's keep-alive timeout closes it
        type(self).closed_late += 1
        log.debug("closing a connection that sent no complete request head in %.0f s", self.header_timeout)
        self.transport.close()


def configure(settings: Settings) -> dict[str, Any]:
    """Set this process's protocol deadline from ``settings``; the options for ``uvicorn.run``/``uvicorn.Config``."""
    GuardedH11Protocol.header_timeout = float(settings.serve_header_timeout_s)
    return {
        "http": GuardedH11Protocol,
        "timeout_keep_alive": max(1, int(settings.serve_keep_alive_s)),
        # uvicorn kills a worker silent for 5 s: one starting beside others on a loaded machine was killed and
        # started again and again (11 times in a 63 s start, seen in the container on 2 busy cores).
        "timeout_worker_healthcheck": max(1, int(settings.serve_worker_check_s)),
        # A request line and headers larger than this are refused (400) before they are buffered further.
        "h11_max_incomplete_event_size": 64 * 1024,
        "backlog": 2048,
    }
