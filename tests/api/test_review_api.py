"""The review and actions API: the queue and a case, decisions with optimistic concurrency, four-eyes, bulk
decisions, appeals, webhooks, deliveries, dead letters and undo, and who may do what."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories import Api, problem
from tests.receiver import Receiver

from basira.actions.config import ActionsConfig, RetryPolicy
from basira.actions.webhooks import WebhookSpec, create_webhook
from basira.api.app import create_app
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.review import consume
from basira.worker import run_once

LOOPBACK = ActionsConfig(timeout=0.5, allowlist=(ipaddress.ip_network("127.0.0.0/8"),))


@pytest.fixture
def client(instance: Instance) -> TestClient:
    """The app without its lifespan, so no background worker races the rounds these tests run themselves."""
    return TestClient(create_app(instance))


@pytest.fixture
def key(api: Api) -> Callable[[str], Api]:
    """An Api of the acme organization with a new key of the given role."""

    def make(role: str) -> Api:
        r = api.post("/v1/orgs/acme/keys", json={"role": role, "name": role})
        assert r.status_code == 201, r.text
        return api.as_(r.json()["secret"])

    return make


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _case(api: Api, instance: Instance, value: str = "a" * 32, ref: str = "post-1") -> dict[str, Any]:
    bank = api.bank(f"bank-{ref}")
    api.add(bank["id"], "md5", value)
    assert api.match(("md5", value), ref=ref).status_code == 200
    consume(instance.db.session)
    (case,) = [c for c in api.get("/v1/cases").json() if c["group_key"] == f"item:{ref}"]
    return case


def _hook(instance: Instance, admin: Principal, receiver: Receiver, config: ActionsConfig = LOOPBACK) -> None:
    with instance.db.session() as s:
        _, receiver.secret = create_webhook(s, admin, WebhookSpec(url=receiver.url, name="receiver"),
                                            config.allowlist)


def test_queue_filters_and_a_case_with_evidence_and_audit_trail(
        api: Api, instance: Instance, key: Callable[[str], Api]) -> None:
    case = _case(api, instance)
    assert (case["status"], case["kind"], case["priority"], case["version"]) == ("new", "content_match", "normal", 1)
    assert [c["id"] for c in api.get("/v1/cases?status=new&kind=content_match&priority=normal").json()] == [
        case["id"]]
    assert api.get("/v1/cases?priority=high").json() == [] and api.get("/v1/cases?overdue=true").json() == []
    assert api.get("/v1/cases?assignee=rita").json() == []
    problem(api.get("/v1/cases?status=nope"), 422)
    problem(api.get("/v1/cases?priority=urgent"), 422)
    problem(api.get("/v1/cases/999999"), 404)
    problem(api.get("/v1/cases/0"), 422)
    reviewer = key("reviewer")
    r = reviewer.post(f"/v1/cases/{case['id']}/assign", json={"assignee": "rita", "version": 1})
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    assert [c["id"] for c in api.get("/v1/cases?assignee=rita").json()] == [case["id"]]
    detail = key("auditor").get(f"/v1/cases/{case['id']}").json()
    assert detail["evidence"]["items"][0]["ref"] == "post-1" and detail["evidence"]["match_count"] == 1
    assert [e["action"] for e in detail["audit"]] == ["case.assign"]
    reasons = api.get("/v1/reasons?kind=content_match").json()
    assert {"incites", "not_violating"} <= {r["code"] for r in reasons}
    problem(api.get("/v1/reasons?kind=nope"), 422)


def test_roles_reviewers_decide_analysts_and_auditors_do_not(
        api: Api, instance: Instance, key: Callable[[str], Api]) -> None:
    case = _case(api, instance)
    analyst, auditor = key("analyst"), key("auditor")
    body = {"reason": "incites", "rationale": "x"}
    problem(analyst.post(f"/v1/cases/{case['id']}/decide", json=body), 403)
    problem(auditor.post(f"/v1/cases/{case['id']}/decide", json=body), 403)
    problem(auditor.post(f"/v1/cases/{case['id']}/assign", json={"assignee": "aude"}), 403)
    problem(auditor.post("/v1/cases/bulk-decide", json={"cases": [{"id": case["id"]}], **body}), 403)
    problem(auditor.post("/v1/actions/webhooks", json={"url": "https://hooks.example.org/x"}), 403)
    problem(key("reviewer").post("/v1/actions/webhooks", json={"url": "https://hooks.example.org/x"}), 403)
    problem(analyst.get("/v1/actions/deliveries"), 403)
    assert auditor.get("/v1/actions/deliveries").status_code == 200
    assert auditor.get(f"/v1/cases/{case['id']}").status_code == 200
    # An analyst still manages banks.
    assert analyst.post("/v1/banks", json={"name": "analyst bank"}).status_code == 201
    r = key("reviewer").post(f"/v1/cases/{case['id']}/decide", json=body)
    assert r.status_code == 200 and r.json()["status"] == "decided"
    assert r.json()["decisions"][0]["reason_code"] == "incites"


def test_two_reviewers_deciding_at_once_one_gets_409(
        api: Api, instance: Instance, key: Callable[[str], Api]) -> None:
    case = _case(api, instance)
    first, second = key("reviewer"), key("reviewer")
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def go(who: Api, reason: str) -> None:
        barrier.wait()
        codes.append(who.post(f"/v1/cases/{case['id']}/decide",
                              json={"reason": reason, "version": case["version"]}).status_code)

    threads = [threading.Thread(target=go, args=(first, "incites")),
               threading.Thread(target=go, args=(second, "not_violating"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [200, 409]
    # The loser acting again on the version it saw is told where the case stands.
    body = problem(second.post(f"/v1/cases/{case['id']}/decide", json={"reason": "incites", "version": 1}), 409)
    assert "decided" in body["detail"]
    assert len(api.get(f"/v1/cases/{case['id']}").json()["decisions"]) == 1


def test_a_stale_version_is_409_with_the_current_version_and_a_closed_case_is_409(
        api: Api, instance: Instance, key: Callable[[str], Api]) -> None:
    case = _case(api, instance)
    reviewer = key("reviewer")
    assert reviewer.post(f"/v1/cases/{case['id']}/assign", json={"assignee": "rita"}).status_code == 200
    body = problem(reviewer.post(f"/v1/cases/{case['id']}/decide", json={"reason": "incites", "version": 1}), 409)
    assert body["version"] == 2
    r = reviewer.post(f"/v1/cases/{case['id']}/decide", json={"reason": "incites", "version": 2})
    assert r.status_code == 200
    r = reviewer.post(f"/v1/cases/{case['id']}/close", json={"version": 3})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    problem(reviewer.post(f"/v1/cases/{case['id']}/decide", json={"reason": "not_violating"}), 409)
    problem(reviewer.post(f"/v1/cases/{case['id']}/appeals", json={"complainant": "u1"}), 409)
    problem(reviewer.post(f"/v1/cases/{case['id']}/decide", json={"reason": "true_match"}), 422)
    # A right-to-left override would hide what the rationale says.
    problem(reviewer.post(f"/v1/cases/{case['id']}/decide", json={"reason": "incites", "rationale": "\u202e"}),
            422)


def test_four_eyes_bulk_decisions_and_appeals(api: Api, instance: Instance, key: Callable[[str], Api]) -> None:
    one, two = _case(api, instance, "a" * 32, "p1"), _case(api, instance, "b" * 32, "p2")
    three = _case(api, instance, "c" * 32, "p3")
    rita, sami = key("reviewer"), key("reviewer")
    r = rita.post(f"/v1/cases/{one['id']}/decide", json={"reason": "incites", "four_eyes": True})
    assert r.json()["status"] == "in_review" and r.json()["decisions"][0]["state"] == "proposed"
    problem(rita.post(f"/v1/cases/{one['id']}/confirm", json={}), 403)  # not the same eyes
    r = sami.post(f"/v1/cases/{one['id']}/confirm", json={"agree": True, "note": "agreed"})
    assert r.json()["status"] == "decided" and r.json()["decisions"][0]["second_reviewer"].startswith("key:")
    results = rita.post("/v1/cases/bulk-decide", json={
        "reason": "not_violating", "rationale": "news",
        "cases": [{"id": two["id"], "version": 1}, {"id": three["id"], "version": 7}, {"id": 999999},
                  {"id": one["id"]}]}).json()
    assert [(x["ok"], x["status"]) for x in results] == [(True, 200), (False, 409), (False, 404), (False, 409)]
    assert results[1]["version"] == 1 and results[0]["decision"]["reason_code"] == "not_violating"
    problem(rita.post("/v1/cases/bulk-decide", json={"reason": "incites", "cases": []}), 422)
    r = rita.post(f"/v1/cases/{one['id']}/appeals", json={"complainant": "user-9", "statement": "It is satire."})
    assert r.status_code == 201 and r.json()["outcome"] is None
    problem(rita.post(f"/v1/cases/{one['id']}/appeals/decide", json={"outcome": "upheld"}), 403)  # took part
    problem(key("reviewer").post(f"/v1/cases/{one['id']}/appeals/decide", json={"outcome": "maybe"}), 422)
    r = key("reviewer").post(f"/v1/cases/{one['id']}/appeals/decide", json={"outcome": "upheld", "rationale": "ok"})
    assert r.status_code == 200 and r.json()["outcome"] == "upheld"
    assert api.get(f"/v1/cases/{one['id']}").json()["status"] == "decided"


def test_webhook_crud_and_unsafe_urls(api: Api, key: Callable[[str], Api]) -> None:
    r = api.post("/v1/actions/webhooks", json={"url": "https://hooks.example.org/basira", "events": ["case.decided"],
                                               "name": "platform"})
    assert r.status_code == 201 and r.json()["secret"].startswith("whsec_")
    hook = r.json()
    listed = api.get("/v1/actions/webhooks").json()
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    assert key("auditor").get(f"/v1/actions/webhooks/{hook['id']}").json()["events"] == ["case.decided"]
    r = api.patch(f"/v1/actions/webhooks/{hook['id']}", json={"enabled": False, "events": ["action.undone"]})
    assert r.json()["enabled"] is False and r.json()["events"] == ["action.undone"]
    rotated = api.post(f"/v1/actions/webhooks/{hook['id']}/rotate-secret").json()["secret"]
    assert rotated != hook["secret"]
    for url in ["http://127.0.0.1:9/x", "http://169.254.169.254/", "ftp://hooks.example.org/",
                "https://u:p@hooks.example.org/", "https://hooks.example.org/\u202e"]:
        problem(api.post("/v1/actions/webhooks", json={"url": url}), 422)
    problem(api.post("/v1/actions/webhooks", json={"url": "https://hooks.example.org/", "events": ["nope"]}), 422)
    problem(api.post("/v1/actions/webhooks", json={"url": "https://hooks.example.org/", "events": []}), 422)
    problem(api.patch(f"/v1/actions/webhooks/{hook['id']}", json={"url": "http://10.0.0.1/"}), 422)
    assert api.delete(f"/v1/actions/webhooks/{hook['id']}").status_code == 204
    problem(api.get(f"/v1/actions/webhooks/{hook['id']}"), 404)
    problem(api.delete("/v1/actions/webhooks/999999"), 404)
    problem(api.get("/v1/actions/deliveries?status=lost"), 422)
    problem(api.get("/v1/actions/deliveries/999999"), 404)
    problem(api.post("/v1/actions/999999/undo", json={}), 404)


def test_decide_deliver_dead_letter_retry_and_undo_through_the_api(
        api: Api, instance: Instance, admin: Principal, receiver: Receiver, key: Callable[[str], Api]) -> None:
    _hook(instance, admin, receiver)
    case = _case(api, instance)
    reviewer, auditor = key("reviewer"), key("auditor")
    assert reviewer.post(f"/v1/cases/{case['id']}/decide", json={"reason": "incites"}).status_code == 200
    receiver.mode = "fail"
    # A horizon of zero: the first failure is final, so the dead-letter path needs no waiting.
    run_once(instance, config=ActionsConfig(timeout=0.5, allowlist=LOOPBACK.allowlist, retry=RetryPolicy(horizon=0)))
    (dead,) = auditor.get("/v1/actions/deliveries?status=dead").json()
    assert dead["event"] == "case.decided" and dead["last_status_code"] == 500
    detail = auditor.get(f"/v1/actions/deliveries/{dead['id']}").json()
    assert [a["status_code"] for a in detail["attempt_log"]] == [500] and '"case.decided"' in detail["body"]
    problem(reviewer.post(f"/v1/actions/deliveries/{dead['id']}/retry"), 403)
    receiver.mode = "ok"
    assert api.post(f"/v1/actions/deliveries/{dead['id']}/retry").json()["status"] == "pending"
    problem(api.post(f"/v1/actions/deliveries/{dead['id']}/retry"), 409)  # not dead any more
    run_once(instance, config=LOOPBACK)
    assert auditor.get(f"/v1/actions/deliveries/{dead['id']}").json()["status"] == "delivered"
    assert all(r.signed for r in receiver.requests) and len(receiver.requests) == 2
    (action,) = auditor.get(f"/v1/actions?case_id={case['id']}").json()
    problem(auditor.post(f"/v1/actions/{action['id']}/undo", json={}), 403)
    r = reviewer.post(f"/v1/actions/{action['id']}/undo", json={"reason": "reinstated after review"})
    assert r.status_code == 200 and r.json()["status"] == "undone"
    problem(reviewer.post(f"/v1/actions/{action['id']}/undo", json={}), 409)
    run_once(instance, config=LOOPBACK)
    assert receiver.requests[-1].headers["basira-event"] == "action.undone" and receiver.requests[-1].signed
    assert receiver.requests[-1].json["data"]["reason"] == "reinstated after review"
    trail = [e["action"] for e in auditor.get(f"/v1/cases/{case['id']}").json()["audit"]]
    assert trail == ["case.decide", "case.action_undo"]
