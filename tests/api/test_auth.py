"""API keys at the door: every way of presenting a bad key gets 401, and a key only reaches its own org's banks."""

from __future__ import annotations

from collections.abc import Callable

from tests.factories import Api, auth, problem

BAD_HEADERS: list[dict[str, str]] = [
    {},  # no key at all
    {"Authorization": "Bearer "},  # empty bearer
    {"Authorization": "Bearer not-a-key"},  # malformed: no bsk_ prefix
    {"Authorization": "Basic dXNlcjpwYXNz"},  # another scheme, and no X-API-Key
    {"X-API-Key": "bsk_000000000000_unknownsecret"},  # well-formed but unknown
]


def test_missing_malformed_or_unknown_key_is_401(api: Api) -> None:
    # One test walks the cases: each database-backed test costs a fresh instance on two backends.
    for headers in BAD_HEADERS:
        for method, url in [("GET", "/v1/banks"), ("POST", "/v1/match"), ("GET", "/v1/orgs")]:
            r = api.client.request(method, url, headers=headers)
            problem(r, 401)
            assert r.headers["www-authenticate"] == "Bearer"


def test_right_key_id_with_wrong_secret_is_401(api: Api) -> None:
    key_id = api.key.split("_")[1]
    problem(api.client.get("/v1/banks", headers=auth(f"bsk_{key_id}_wrongsecret")), 401)


def test_key_is_accepted_as_bearer_or_x_api_key(api: Api) -> None:
    assert api.client.get("/v1/banks", headers=auth(api.key)).status_code == 200
    assert api.client.get("/v1/banks", headers={"X-API-Key": api.key}).status_code == 200


def test_revoked_key_is_refused_at_once(api: Api, org_key: Callable[..., str]) -> None:
    key = org_key("partner", "analyst")
    assert api.as_(key).get("/v1/banks").status_code == 200
    key_id = key.split("_")[1]
    assert api.delete(f"/v1/keys/{key_id}").status_code == 204
    body = problem(api.as_(key).get("/v1/banks"), 401)
    assert "revoked" in body["detail"]
    # Revoking twice is harmless.
    assert api.delete(f"/v1/keys/{key_id}").status_code == 204


def test_key_of_another_org_cannot_see_or_change_this_orgs_bank(api: Api, org_key: Callable[..., str]) -> None:
    bank = api.bank("private", tlp="AMBER")
    sig = api.add(bank["id"], "md5", "0" * 32)
    other = api.as_(org_key("other", "admin"))
    for method, url, body in [
        ("GET", f"/v1/banks/{bank['id']}", None),
        ("GET", f"/v1/banks/{bank['id']}/signals", None),
        ("GET", f"/v1/banks/{bank['id']}/export?format=csv", None),
        ("PATCH", f"/v1/banks/{bank['id']}", {"tlp": "CLEAR"}),
        ("DELETE", f"/v1/banks/{bank['id']}", None),
        ("POST", f"/v1/banks/{bank['id']}/signals", {"signal_type": "md5", "value": "1" * 32}),
        ("POST", f"/v1/banks/{bank['id']}/share", {"org": "other"}),
        ("POST", f"/v1/signals/{sig['id']}/disable", None),
        ("DELETE", f"/v1/signals/{sig['id']}", None),
    ]:
        problem(other.request(method, url, json=body), 404)
    # Unchanged for its owner.
    assert api.get(f"/v1/banks/{bank['id']}").json()["tlp"] == "AMBER"
    assert api.match(("md5", "0" * 32)).json()["matched"] is True
    assert other.match(("md5", "0" * 32)).json()["matches"] == []


def test_auditor_reads_but_never_changes(api: Api, org_key: Callable[..., str]) -> None:
    bank = api.bank("watched")
    sig = api.add(bank["id"], "md5", "a" * 32)
    r = api.post("/v1/orgs/acme/keys", json={"role": "auditor"})
    auditor = api.as_(r.json()["secret"])
    assert auditor.get(f"/v1/banks/{bank['id']}").status_code == 200
    assert auditor.get(f"/v1/banks/{bank['id']}/signals").json()["signals"][0]["id"] == sig["id"]
    assert auditor.get("/v1/orgs/acme/keys").status_code == 200
    problem(auditor.post("/v1/banks", json={"name": "mine"}), 403)
    problem(auditor.patch(f"/v1/banks/{bank['id']}", json={"description": "x"}), 403)
    problem(auditor.post(f"/v1/signals/{sig['id']}/disable"), 403)
    problem(auditor.match(("md5", "a" * 32)), 403)
    # Hashing stores nothing, so an auditor may hash.
    assert auditor.post("/v1/hash", files={"file": ("x", b"neutral")}).status_code == 200
    problem(auditor.post("/v1/orgs/acme/keys", json={"role": "admin"}), 403)


def test_reviewer_matches_but_cannot_change_banks(api: Api) -> None:
    bank = api.bank("reviewed")
    api.add(bank["id"], "md5", "b" * 32)
    reviewer = api.as_(api.post("/v1/orgs/acme/keys", json={"role": "reviewer"}).json()["secret"])
    assert reviewer.match(("md5", "b" * 32)).json()["matched"] is True
    problem(reviewer.post(f"/v1/banks/{bank['id']}/signals", json={"signal_type": "md5", "value": "c" * 32}),
            403)
