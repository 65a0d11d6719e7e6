"""Helpers of the identity tests: walk a browser's way through the provider, with a TestClient or by hand."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from basira.core.instance import Instance
from basira.identity import flow
from basira.identity.directory import ProviderDirectory

CALLBACK = "http://testserver/login/oidc/callback"


def through_provider(client: TestClient, slug: str = "acme") -> Any:
    """Click "Sign in with ...", let the provider answer, follow it back: the callback's response (unfollowed)."""
    start = client.get(f"/login/oidc/{slug}", follow_redirects=False)
    assert start.status_code == 303, start.text
    back = httpx.get(start.headers["location"], follow_redirects=False)
    assert back.status_code == 302, back.text
    return client.get(back.headers["location"].removeprefix("http://testserver"), follow_redirects=False)


def code_for(instance: Instance, directory: ProviderDirectory, slug: str = "acme") -> tuple[str, str]:
    """Begin a sign-in with the service functions and get the provider's code: (state, code)."""
    started = flow.begin(instance.db.session, directory, slug, CALLBACK)
    back = httpx.get(started.url, follow_redirects=False)
    query = httpx.URL(back.headers["location"]).params
    assert query["state"] == started.state
    return started.state, query["code"]


def complete(instance: Instance, directory: ProviderDirectory, state: str, code: str) -> Any:
    return flow.complete(instance.db.session, directory, instance.secret_key, state=state, code=code,
                         kept_state=state)
