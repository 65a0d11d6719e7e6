"""Errors a browser meets are pages in its reader's language; the API's errors stay problem+json."""

from __future__ import annotations

from typing import Any

import pytest
from tests.factories import PASSWORD
from tests.web.helpers import sign_in

from basira.core.models import User

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize(("lang", "title"), [("en", "Not found"), ("ar", "غير موجود"), ("fr", "Introuvable")])
def test_an_unknown_address_is_a_page_in_the_readers_language(client: Any, lang: str, title: str) -> None:
    r = client.get(f"/no/such/page?lang={lang}", headers=BROWSER)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}"' in r.text and f"<h1>{title}</h1>" in r.text
    assert "about:blank" not in r.text


def test_the_error_page_keeps_the_signed_in_header(client: Any, user: User) -> None:
    sign_in(client, "alice", PASSWORD)
    r = client.get("/no/such/page", headers=BROWSER)
    assert r.status_code == 404 and "alice" in r.text and 'action="/logout"' in r.text


@pytest.mark.parametrize(("path", "status"), [
    ("/logout", 405),  # a form's address, opened as a page
    ("/drones/case/not-a-number", 422),  # a malformed address of a page
])
def test_a_wrong_method_or_malformed_address_is_a_page(client: Any, path: str, status: int) -> None:
    r = client.get(path, headers=BROWSER)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(("path", "headers"), [
    ("/no/such/page", {}),  # a script that accepts anything
    ("/no/such/page", {"Accept": "application/json"}),
    ("/v1/no/such/thing", BROWSER),  # the API, even from a browser
    ("/taxii2/no/such/thing", BROWSER),
    ("/drones/case/not-a-number", {}),
])
def test_other_requests_keep_the_apis_problem_json(client: Any, path: str, headers: dict[str, str]) -> None:
    r = client.get(path, headers=headers)
    assert r.status_code in (404, 422) and r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == r.status_code
