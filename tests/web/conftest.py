"""Fixtures of the web tests (helpers that tests import live in ``helpers.py``).

- ``user``: the admin ``alice`` of the ``acme`` organization (from the top conftest's ``org_id``), whose
  password is ``helpers.PASSWORD``.
- ``server``: ``create_app(instance)`` served by uvicorn on a free loopback port in a thread (browser tests).
- ``walk``: for the tests that walk every page, once per session: a site with data of every kind
  (``tests/web/site.py``) served on a free port, and its HTML pages found from the app's routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from tests.factories import make_user, serving
from tests.web.site import Page, Site, build_site, pages

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


@dataclass
class Walk:
    """A served site and its pages."""

    base: str
    site: Site
    pages: list[Page]
    app: FastAPI


@pytest.fixture(scope="session")
def walk(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    site = build_site(sqlite_template, tmp_path_factory.mktemp("site"))
    try:
        app = create_app(site.instance)
        with serving(app) as base:
            yield Walk(base, site, pages(base, app, site), app)
    finally:
        site.instance.close()
