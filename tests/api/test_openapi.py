"""Meta-tests on the OpenAPI document: a route without documentation, or with undeclared errors, fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from basira.api.app import create_app
from basira.core.instance import Instance
from basira.core.settings import load_settings

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def app_and_doc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, Any]]]:
    inst = Instance(load_settings(environ={}, data_dir=tmp_path_factory.mktemp("openapi")))
    app = create_app(inst)
    with TestClient(app) as c:
        r = c.get("/openapi.json")
        assert r.status_code == 200
        yield app, r.json()
    inst.close()


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def test_every_api_route_is_in_the_document(app_and_doc: tuple[Any, dict[str, Any]]) -> None:
    app, doc = app_and_doc
    listed = {(p, m.upper()) for p, m, _ in _operations(doc)}
    checked = 0
    # The routes of included routers, as FastAPI resolves them (app.routes holds only the included routers).
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path.startswith("/v1"):
            checked += 1
            for method in route.methods - {"HEAD", "OPTIONS"}:
                assert (route.path, method) in listed, f"{method} {route.path} is left out of the OpenAPI document"
    assert checked > 50, "no API route was found to check"


def test_every_operation_has_a_summary_and_a_description(app_and_doc: tuple[Any, dict[str, Any]]) -> None:
    _, doc = app_and_doc
    ops = list(_operations(doc))
    assert len(ops) >= 23  # the routes of this foundation; more come with each area
    for path, method, op in ops:
        assert op.get("summary"), f"{method.upper()} {path} has no summary"
        assert len(op.get("description", "")) >= 20, f"{method.upper()} {path} has no docstring"
        assert op.get("tags"), f"{method.upper()} {path} has no tag"


def test_every_authenticated_operation_declares_its_errors_as_problems(
        app_and_doc: tuple[Any, dict[str, Any]]) -> None:
    _, doc = app_and_doc
    for path, method, op in _operations(doc):
        if path in ("/v1/health", "/health/live", "/health/ready"):  # probes: no key, by design
            continue
        codes = set(op["responses"])
        if path == "/v1/sharing/push/{feed_id}":  # signed by the partner, no key; an unknown feed is a bad signature
            assert {"403", "422"} <= codes
            continue
        assert "401" in codes, f"{method.upper()} {path} does not declare 401"
        if "{" in path or method != "get":
            assert "422" in codes, f"{method.upper()} {path} does not declare 422"
        if "{" in path and not path.startswith("/v1/orgs/{org}/users"):
            assert "404" in codes, f"{method.upper()} {path} does not declare 404"
        for code, resp in op["responses"].items():
            assert resp.get("description"), f"{method.upper()} {path} {code} has no description"
            if code.startswith(("4", "5")):
                assert list(resp["content"]) == ["application/problem+json"], (method, path, code)


def test_hand_parsed_bodies_are_documented(app_and_doc: tuple[Any, dict[str, Any]]) -> None:
    _, doc = app_and_doc
    match_body = doc["paths"]["/v1/match"]["post"]["requestBody"]["content"]
    assert set(match_body) == {"multipart/form-data", "application/json"}
    assert "signals" in match_body["application/json"]["schema"]["properties"]
    assert "$ref" not in str(match_body)  # written in place, so it resolves
    assert "multipart/form-data" in doc["paths"]["/v1/hash"]["post"]["requestBody"]["content"]
    assert "text/csv" in doc["paths"]["/v1/banks/{bank}/import"]["post"]["requestBody"]["content"]
