"""Helpers of the web tests: read a form's CSRF token, sign in through the real form, a case as the pages show
it (people and the rest of the test data come from ``tests/factories.py``)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from tests.factories import open_case


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str, **extra: Any) -> Any:
    """Fetch the sign-in page, post its form, return the (redirect-followed) response."""
    page = client.get("/login")
    return client.post("/login", data={"csrf": csrf_of(page.text), "username": username, "password": password,
                                       **extra})


def photo_case(instance: Any, admin: Any, ref: str, values: list[str], *, bank: str = "Crisis incident 2027-03",
               labels: list[str] | None = None, content_type: str = "photo", **policy: Any) -> int:
    """A case as the reviewer's pages show it: a photo bank (entries ``{bank}/{n}.jpg``, a partner's provenance)
    and an item matched against it, made by :func:`tests.factories.open_case`; returns its id."""
    return open_case(instance, admin, ref, values, bank=bank, content_type=content_type, policy=policy, tlp="AMBER",
                     labels=labels or ["propaganda"], provenance="Partner hash list 2027-03",
                     entry_refs=[f"{bank}/{n}.jpg" for n in range(len(values))])
