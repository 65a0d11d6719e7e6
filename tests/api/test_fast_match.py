"""The match fast path (:mod:`basira.api.fastmatch`): ``POST /v1/match`` with signal values (lookups and storing
matches) is answered ahead of the router, with the route's answer and the route's errors; anything else reaches
the route.

Each answer is compared with the one the same app gives with the fast path off (``fast_match=False``), on the same
instance and database; a spy counts the requests the fast path answered, so a test cannot pass by falling through."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import Api, auth, problem

from basira.api import fastmatch
from basira.api.app import create_app
from basira.core.instance import Instance
from basira.core.models import Item, Match

PDQ = "f" * 16 + "0" * 48
NEAR = "f" * 15 + "e" + "0" * 48  # one bit from PDQ


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Requests the fast path answered itself (a 200 or an error it raised)."""
    calls: list[int] = []
    real = fastmatch._answer

    async def spy(*args: Any) -> bytes:
        calls.append(1)
        return await real(*args)

    monkeypatch.setattr(fastmatch, "_answer", spy)
    return calls


@pytest.fixture
def routed(instance: Instance, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The same instance served with the fast path off: every request goes through the router."""
    fast = instance.settings
    monkeypatch.setattr(instance, "settings", dataclasses.replace(fast, fast_match=False))
    app = create_app(instance)
    monkeypatch.setattr(instance, "settings", fast)
    with TestClient(app) as c:
        yield c


def _lookup(*signals: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"signals": [{"signal_type": t, "value": v} for t, v in signals], "store": False, **extra}


def _both(api: Api, routed: TestClient, body: Any, key: str | None = None, **kw: Any) -> tuple[Any, Any]:
    headers = auth(key or api.key)
    return (api.client.post("/v1/match", json=body, headers=headers, **kw),
            routed.post("/v1/match", json=body, headers=headers, **kw))


def test_lookups_answer_as_the_route_does(api: Api, routed: TestClient, answered: list[int],
                                          org_key: Callable[..., str]) -> None:
    known = api.bank("known", tlp="GREEN")
    benign = api.bank("benign", negative=True)
    red = api.bank("red", tlp="RED")
    api.add(known["id"], "md5", "a" * 32, entry_ref="e-a", labels=["propaganda"])
    api.add(known["id"], "pdq", PDQ, entry_ref="e-pdq")
    api.add(known["id"], "sha256", "c" * 64)
    api.add(benign["id"], "sha256", "c" * 64)
    api.add(red["id"], "md5", "b" * 32)
    partner = org_key("partner", "analyst")
    assert api.post(f"/v1/banks/{red['id']}/share", json={"org": "partner"}).status_code == 200
    bodies = [
        _lookup(("md5", "a" * 32)),  # an exact hit
        _lookup(("md5", "A" * 32), ("pdq", NEAR), ref="item-1"),  # upper case, and a near PDQ hit
        _lookup(("md5", "9" * 32)),  # a miss
        _lookup(("sha256", "c" * 64)),  # suppressed by the negative bank
        _lookup(("md5", "a" * 32), banks=[benign["id"]]),  # only the banks asked for
        _lookup(("md5", "b" * 32)),  # the owner sees its RED bank
    ]
    for body in bodies:
        fast, slow = _both(api, routed, body)
        assert fast.status_code == slow.status_code == 200, fast.text
        assert fast.json() == slow.json()
        assert fast.headers["content-type"] == slow.headers["content-type"] == "application/json"
    # A partner matching a RED bank shared for matching only: whose signal matched, nothing more.
    fast, slow = _both(api, routed, _lookup(("md5", "b" * 32)), key=partner)
    assert fast.json() == slow.json()
    hit = fast.json()["matches"][0]
    assert hit["signal"] is None and hit["bank"]["name"] is None and hit["note"]
    assert len(answered) == len(bodies) + 1
    assert fast.json()["item"]["id"] is None


def test_errors_are_the_routes_own(api: Api, routed: TestClient, answered: list[int],
                                   org_key: Callable[..., str]) -> None:
    auditor = org_key("watchers", "auditor")
    cases: list[tuple[Any, str | None, dict[str, str] | None, int]] = [
        (_lookup(("md5", "zz")), None, None, 422),  # the value is not an md5
        (_lookup(("nope", "1")), None, None, 422),  # no such signal type
        (_lookup(("md5", "a" * 32)), auditor, None, 403),  # auditors may not match
        (_lookup(("md5", "a" * 32)), "bsk_not-a-key", None, 401),
        (_lookup(("md5", "a" * 32)), None, {}, 401),  # no key at all
        (_lookup(("md5", "a" * 32), banks=[0]), None, None, 422),  # the model refuses: on to the route
    ]
    for body, key, headers, status in cases:
        sent = headers if headers is not None else auth(key or api.key)
        fast = api.client.post("/v1/match", json=body, headers=sent)
        slow = routed.post("/v1/match", json=body, headers=sent)
        assert fast.status_code == slow.status_code == status, (body, fast.text)
        assert problem(fast, status) == problem(slow, status)
    # Answered by the fast path: the bad md5, the unknown type, the auditor, the unknown key and the missing key.
    assert len(answered) == 5


def test_storing_matches_are_recorded_as_the_route_records_them(api: Api, routed: TestClient, answered: list[int],
                                                                instance: Instance) -> None:
    bank = api.bank("known")
    api.add(bank["id"], "md5", "a" * 32, entry_ref="e-a")
    body = {"signals": [{"signal_type": "md5", "value": "a" * 32}], "ref": "post-7"}
    fast, slow = _both(api, routed, body)
    assert fast.status_code == slow.status_code == 200, fast.text
    one, two = fast.json(), slow.json()
    assert one["item"]["id"] and two["item"]["id"] and one["item"]["id"] != two["item"]["id"]
    one["item"]["id"] = two["item"]["id"] = None
    assert one == two and one["matched"] is True
    assert len(answered) == 1
    with instance.db.session() as s:
        items = s.scalars(select(Item).where(Item.ref == "post-7")).all()
        matches = s.scalars(select(Match).where(Match.item_id.in_([i.id for i in items]))).all()
    assert len(items) == 2 and len(matches) == 2  # each recorded with its hit


def test_anything_but_signal_values_goes_to_the_route(api: Api, answered: list[int]) -> None:
    text = api.post("/v1/match", json={"text": "a post about the weather", "store": False})
    assert text.status_code == 200, text.text
    url = api.post("/v1/match", json={"url": "https://example.org/a", "store": False})
    assert url.status_code == 200, url.text
    broken = api.post("/v1/match", content=b'{"signals": [', headers={"Content-Type": "application/json"})
    assert problem(broken, 422)["errors"][0]["loc"][0] == "body"
    plain = api.post("/v1/match", content=b'{"signals": []}', headers={"Content-Type": "text/plain"})
    problem(plain, 415)
    upload = api.post("/v1/match", files={"file": ("x.txt", b"some bytes")}, data={"store": "false"})
    assert upload.status_code == 200, upload.text
    assert answered == []


def test_rate_limits_count_fast_matches(api: Api, instance: Instance, answered: list[int],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instance, "settings", dataclasses.replace(instance.settings, match_rate_per_key=3))
    results = [api.post("/v1/match", json=_lookup(("md5", "a" * 32))) for _ in range(4)]
    assert [r.status_code for r in results] == [200, 200, 200, 429]
    assert int(results[-1].headers["retry-after"]) >= 1
    assert len(answered) == 4


def test_a_body_over_the_json_limit_is_refused_by_the_route(instance: Instance, admin_key: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instance, "settings", dataclasses.replace(instance.settings, max_upload_bytes=2_000))
    with TestClient(create_app(instance)) as c:
        body = _lookup(*[("md5", "a" * 32)] * 40)  # about 2,400 bytes
        problem(c.post("/v1/match", json=body, headers=auth(admin_key)), 413)
        assert c.post("/v1/match", json=_lookup(("md5", "a" * 32)), headers=auth(admin_key)).status_code == 200


def test_fast_matches_are_logged_and_counted_under_the_route(instance: Instance, admin_key: str,
                                                             answered: list[int],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instance, "settings", dataclasses.replace(instance.settings, metrics_token="scrape-me"))
    with TestClient(create_app(instance)) as c:
        r = c.post("/v1/match", json=_lookup(("md5", "a" * 32)), headers={**auth(admin_key), "X-Request-ID": "lb-1"})
        assert r.status_code == 200 and r.headers["x-request-id"] == "lb-1"
        metrics = c.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).text
    assert 'basira_http_requests_total{method="POST",route="/v1/match",status="2xx"} 1.0' in metrics
    assert len(answered) == 1
