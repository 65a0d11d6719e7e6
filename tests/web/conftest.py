"""Fixtures of the web tests (helpers that tests import live in ``helpers.py``).

- ``user``: the admin ``alice`` of the ``acme`` organization (from the top conftest's ``org_id``), whose
  password is ``helpers.PASSWORD``.
- ``server``: ``create_app(instance)`` served by uvicorn on a free loopback port in a thread (browser tests).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.factories import make_user, serving

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
    with serving(create_app(instance)) as url:
        yield url
