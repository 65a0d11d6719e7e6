"""The legal API end to end: authorities, an order through its clock to confirmation, refusals as problem+json,
complaints, and preserved content handed over and read back."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from tests.factories import Api, problem

from basira.legal import authorities
from basira.legal.orders import annex_fields
from basira.legal.views import request_from_json

SECRET = "cd" * 32


def _signed(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "authority": "DE-BKA", "reference": "BKA-API-1", "member_state": "DE", "urls": ["https://v.example/w/9"],
        "grounds": "Made-up grounds.", "grounds_points": ["a", "d"], "redress": "Court.", "signatory": "Officer",
        "issued_at": "2026-05-04T09:00:00+00:00"}
    body.update(changes)
    sig = authorities.signed_body(annex_fields(request_from_json(body), "DE-BKA"))
    return {**body, "signature": authorities.sign_hmac(SECRET, sig)}


@pytest.fixture
def legal_api(api: Api) -> Api:
    r = api.post("/v1/legal/authorities", json={"name": "DE-BKA", "member_state": "DE", "timezone": "Europe/Berlin",
                                                "key_kind": "hmac-sha256", "key": SECRET})
    assert r.status_code == 201, r.text
    return api


def test_an_order_runs_its_clock_and_is_confirmed_through_the_api(legal_api: Api) -> None:
    r = legal_api.post("/v1/legal/orders", json=_signed())
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["clock"]["state"] == "running" and order["receipt"]
    (banner,) = legal_api.get("/v1/legal/deadlines").json()
    assert banner["order_ids"] == [order["id"]] and 0 < banner["remaining_s"] <= 3600
    r = legal_api.post(f"/v1/legal/orders/{order['id']}/confirm", json={"action": "disabled"})
    assert r.status_code == 200 and r.json()["in_time"]
    assert legal_api.get("/v1/legal/deadlines").json() == []
    assert legal_api.get(f"/v1/legal/orders/{order['id']}").json()["status"] == "executed"
    trail = legal_api.get(f"/v1/legal/orders/{order['id']}/audit").json()
    assert [e["action"] for e in trail] == ["legal.order.receive", "legal.order.confirm"]


def test_missing_annex_i_fields_come_back_as_a_list(legal_api: Api) -> None:
    body = problem(legal_api.post("/v1/legal/orders", json={"authority": "DE-BKA", "urls": []}), 422)
    assert body["missing"] == ["reference", "urls", "member_state", "grounds", "grounds_points", "redress",
                               "signatory", "issued_at"]


def test_a_forged_signature_is_a_403(legal_api: Api) -> None:
    forged = {**_signed(), "signature": "ab" * 32}
    assert "HMAC" in problem(legal_api.post("/v1/legal/orders", json=forged), 403)["detail"]


def test_a_pause_and_a_resume_through_the_api(legal_api: Api) -> None:
    order_id = legal_api.post("/v1/legal/orders", json=_signed()).json()["id"]
    r = legal_api.post(f"/v1/legal/orders/{order_id}/pause", json={"reason": "force_majeure", "explanation": "x"})
    assert r.json()["clock"]["state"] == "paused"
    problem(legal_api.post(f"/v1/legal/orders/{order_id}/pause", json={"reason": "force_majeure"}), 409)
    assert legal_api.post(f"/v1/legal/orders/{order_id}/resume", json={}).json()["clock"]["state"] == "running"


def test_a_complaint_overturned_reinstates(legal_api: Api, org_key: Any, api: Api) -> None:
    order_id = legal_api.post("/v1/legal/orders", json=_signed()).json()["id"]
    legal_api.post(f"/v1/legal/orders/{order_id}/confirm", json={})
    c = legal_api.post(f"/v1/legal/orders/{order_id}/complaints", json={"complainant": "u-1"}).json()
    reviewer = api.as_(api.post("/v1/orgs/acme/keys", json={"role": "reviewer", "name": "r"}).json()["secret"])
    r = reviewer.post(f"/v1/legal/complaints/{c['id']}/decide", json={"outcome": "overturned"})
    assert r.status_code == 200, r.text
    assert legal_api.get(f"/v1/legal/orders/{order_id}").json()["status"] == "reinstated"


def test_preserved_content_is_handed_over_and_read_back(legal_api: Api) -> None:
    order_id = legal_api.post("/v1/legal/orders", json=_signed()).json()["id"]
    kept = legal_api.post(f"/v1/legal/orders/{order_id}/confirm", json={}).json()["preservation_id"]
    r = legal_api.request("PUT", f"/v1/legal/preservations/{kept}/content", content=b"made-up bytes")
    assert r.status_code == 200 and r.json()["has_content"]
    got = legal_api.get(f"/v1/legal/preservations/{kept}?content=true").json()
    assert base64.b64decode(got["content"]) == b"made-up bytes"
    assert got["record"]["orders"][0]["id"] == order_id


def test_analysts_see_no_orders(legal_api: Api, api: Api) -> None:
    analyst = api.as_(api.post("/v1/orgs/acme/keys", json={"role": "analyst", "name": "a"}).json()["secret"])
    problem(analyst.get("/v1/legal/orders"), 403)
