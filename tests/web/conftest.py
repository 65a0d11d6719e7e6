"""Fixtures of the web tests (helpers that tests import live in ``helpers.py``).

- ``user``: the admin ``alice`` of the ``acme`` organization (from the top conftest's ``org_id``), whose
  password is ``helpers.PASSWORD``.
- ``server``: ``create_app(instance)`` served by uvicorn on a free loopback port in a thread (browser tests).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from tests.factories import make_user

from basira.api.app import create_app
from basira.core.instance import Instance
from basira.core.models import User
from basira.core.principal import Principal


@pytest.fixture
def user(instance: Instance, admin: Principal) -> User:
    with instance.db.session() as s:
        return s.get_one(User, make_user(instance, admin, "alice", "admin"))


@pytest.fixture
def server(instance: Instance) -> Iterator[str]:
    """``create_app(instance)`` served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(instance), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        sock.close()
