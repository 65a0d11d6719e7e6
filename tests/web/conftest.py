"""Fixtures of the web tests (helpers that tests import live in ``helpers.py``).

- ``user``: the admin ``alice`` of the ``acme`` organization (from the top conftest's ``org_id``), whose
  password is ``helpers.PASSWORD``.
"""

from __future__ import annotations

import pytest

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.models import User
from basira.core.principal import Principal

from .helpers import PASSWORD


@pytest.fixture
def user(instance: Instance, admin: Principal) -> User:
    with instance.db.session() as s:
        return orgs.create_user(s, admin, admin.org_id, "alice", PASSWORD, "admin")
