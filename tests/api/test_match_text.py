"""Texts and URLs through /v1/match: the URL's domain and a URL found inside a text hit a bank of outlets."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.factories import auth, problem


def _outlet_bank(client: TestClient, key: str) -> None:
    r = client.post("/v1/banks", headers=auth(key), json={"name": "outlets", "tlp": "AMBER"})
    assert r.status_code == 201, r.text
    r = client.post("/v1/banks/outlets/signals", headers=auth(key),
                    json={"signal_type": "domain", "value": "example-outlet.org", "labels": ["outlet"]})
    assert r.status_code == 201, r.text


def test_a_url_matches_its_outlet_by_domain(client: TestClient, admin_key: str) -> None:
    _outlet_bank(client, admin_key)
    r = client.post("/v1/match", headers=auth(admin_key),
                    json={"url": "HTTPS://www.Example-Outlet.org:443/a/../b?utm_source=x#top", "ref": "post-9"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["matched"] is True
    assert {m["signal_type"] for m in body["matches"]} == {"domain"}


def test_a_url_inside_a_text_is_matched_too(client: TestClient, admin_key: str) -> None:
    _outlet_bank(client, admin_key)
    r = client.post("/v1/match", headers=auth(admin_key),
                    json={"text": "عاجل: اقرأ البيان على https://news.example-outlet.org/x"})
    assert r.status_code == 200, r.text
    assert r.json()["matched"] is True
    unrelated = client.post("/v1/match", headers=auth(admin_key), json={"text": "a weather report for Geneva"})
    assert unrelated.status_code == 200 and unrelated.json()["matched"] is False


def test_empty_text_both_kinds_or_nothing_are_refused(client: TestClient, admin_key: str) -> None:
    problem(client.post("/v1/match", headers=auth(admin_key), json={"text": "   "}), 400)
    problem(client.post("/v1/match", headers=auth(admin_key), json={"text": "a", "url": "https://a.org"}), 422)
    problem(client.post("/v1/match", headers=auth(admin_key), json={}), 422)
    problem(client.post("/v1/match", headers=auth(admin_key), json={"url": "javascript:alert(1)"}), 422)
