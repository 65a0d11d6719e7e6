"""Fixtures for the HTTP API tests.

- ``api``: a small wrapper around the ``client`` fixture that sends the ``acme`` admin key (``admin_key``).
- ``org_key``: makes another organization through the API (as the operator's admin) and returns a key of it
  with the role asked for: ``org_key("partner", "analyst")``.
- ``png`` / ``jpeg``: a generated noise photo (no real material), the same picture in two encodings.

The helpers (``Api``, ``auth``, ``problem``, ``noise_image``, ``encode``) live in ``tests/api/helpers.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import encode, noise_image
from tests.factories import Api


@pytest.fixture
def api(client: TestClient, admin_key: str) -> Api:
    return Api(client, admin_key)


@pytest.fixture
def org_key(api: Api) -> Callable[..., str]:
    made: set[str] = set()

    def make(slug: str, role: str = "admin") -> str:
        if slug not in made:
            r = api.post("/v1/orgs", json={"slug": slug, "name": slug.title()})
            assert r.status_code == 201, r.text
            made.add(slug)
        r = api.post(f"/v1/orgs/{slug}/keys", json={"role": role, "name": f"{role} key"})
        assert r.status_code == 201, r.text
        secret: str = r.json()["secret"]
        return secret

    return make


@pytest.fixture(scope="session")
def png() -> bytes:
    return encode(noise_image(), "PNG")


@pytest.fixture(scope="session")
def jpeg() -> bytes:
    return encode(noise_image(), "JPEG", quality=90)
