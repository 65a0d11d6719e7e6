"""Fixtures of the identity tests.

- ``provider``: the loopback OpenID Connect provider of ``provider.py``, started for the test.
- ``configured``: the ``acme`` organization (top conftest's ``org_id``) set to sign in through ``provider``, with
  the rules basira-admins=admin and basira-reviewers=reviewer, users created at first sign-in.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.identity import providers

from .provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider().start()
    try:
        yield p
    finally:
        p.stop()


def configure(instance: Instance, admin: Principal, provider: Provider, **changes: object) -> None:
    """Point the admin's organization at ``provider`` (``changes`` replace fields of the spec)."""
    fields: dict[str, object] = {
        "issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "display_name": "Acme Login",
        "role_rules": [{"group": "basira-admins", "role": "admin"}, {"group": "basira-reviewers", "role": "reviewer"}],
        **changes}
    with instance.db.session() as s:
        providers.set_provider(s, admin, instance.secret_key, admin.org_id,
                               providers.ProviderSpec(**fields))  # type: ignore[arg-type]


@pytest.fixture
def configured(instance: Instance, admin: Principal, provider: Provider) -> Provider:
    configure(instance, admin, provider)
    return provider


# The browser test serves the app on a loopback port like the web tests do.
from tests.web.conftest import server as server  # noqa: E402
