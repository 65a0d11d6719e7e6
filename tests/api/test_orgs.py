"""Organizations, keys and users through the API: operator-only administration, secrets shown once."""

from __future__ import annotations

from collections.abc import Callable

from tests.factories import Api, problem


def test_operator_admin_creates_and_lists_orgs(api: Api) -> None:
    r = api.post("/v1/orgs", json={"slug": "partner-x", "name": "Partner X"})
    assert r.status_code == 201
    assert r.json()["slug"] == "partner-x" and r.json()["operator"] is False
    slugs = [o["slug"] for o in api.get("/v1/orgs").json()]
    assert slugs == ["acme", "partner-x"]


def test_duplicate_or_bad_slug_is_refused(api: Api) -> None:
    problem(api.post("/v1/orgs", json={"slug": "acme"}), 409)
    problem(api.post("/v1/orgs", json={"slug": "Not A Slug"}), 422)
    problem(api.post("/v1/orgs", json={}), 422)


def test_admin_of_a_plain_org_cannot_administer_the_instance(api: Api, org_key: Callable[..., str]) -> None:
    plain = api.as_(org_key("plain", "admin"))
    problem(plain.post("/v1/orgs", json={"slug": "sneaky"}), 403)
    problem(plain.get("/v1/orgs"), 403)
    # Other organizations do not exist for it, and it cannot issue their keys.
    problem(plain.post("/v1/orgs/acme/keys", json={"role": "admin"}), 404)
    problem(plain.get("/v1/orgs/acme/keys"), 404)
    # Its own keys it manages.
    assert plain.post("/v1/orgs/plain/keys", json={"role": "analyst"}).status_code == 201


def test_key_secret_is_shown_once_and_never_listed(api: Api) -> None:
    r = api.post("/v1/orgs/acme/keys", json={"role": "analyst", "name": "scanner"})
    assert r.status_code == 201
    issued = r.json()
    assert issued["secret"].startswith(f"bsk_{issued['key_id']}_")
    listed = api.get("/v1/orgs/acme/keys").json()
    assert {k["key_id"] for k in listed} >= {issued["key_id"]}
    assert all("secret" not in k for k in listed)
    assert issued["secret"] not in api.get("/v1/orgs/acme/keys").text


def test_unknown_role_or_org_or_key(api: Api) -> None:
    problem(api.post("/v1/orgs/acme/keys", json={"role": "superuser"}), 422)
    problem(api.post("/v1/orgs/nobody/keys", json={"role": "admin"}), 404)
    problem(api.delete("/v1/keys/0123456789ab"), 404)
    problem(api.delete("/v1/keys/not-a-key-id"), 422)


def test_users_are_created_without_echoing_the_password(api: Api, org_key: Callable[..., str]) -> None:
    org_key("partner")
    r = api.post("/v1/orgs/partner/users", json={"username": "rana", "password": "correct horse battery",
                                                  "role": "reviewer"})
    assert r.status_code == 201
    assert r.json()["username"] == "rana" and r.json()["role"] == "reviewer"
    assert "password" not in r.text and "argon2" not in r.text
    problem(api.post("/v1/orgs/partner/users", json={"username": "rana", "password": "another long one",
                                                      "role": "reviewer"}), 409)
    problem(api.post("/v1/orgs/partner/users", json={"username": "sami", "password": "short",
                                                      "role": "reviewer"}), 422)


def test_users_are_listed_changed_and_deleted_through_the_api(api: Api, org_key: Callable[..., str]) -> None:
    for name, role in (("rana", "reviewer"), ("lea", "admin")):
        assert api.post("/v1/orgs/acme/users", json={"username": name, "password": "correct horse battery",
                                                      "role": role}).status_code == 201
    assert [u["username"] for u in api.get("/v1/orgs/acme/users").json()] == ["lea", "rana"]
    r = api.patch("/v1/orgs/acme/users/rana", json={"role": "analyst"})
    assert r.status_code == 200 and r.json()["role"] == "analyst"
    problem(api.patch("/v1/orgs/acme/users/lea", json={"role": "auditor"}), 409)  # the last admin
    problem(api.delete("/v1/orgs/acme/users/lea"), 409)
    problem(api.patch("/v1/orgs/acme/users/rana", json={"role": "king"}), 422)
    assert api.delete("/v1/orgs/acme/users/rana").status_code == 204
    problem(api.delete("/v1/orgs/acme/users/rana"), 404)
    assert [u["username"] for u in api.get("/v1/orgs/acme/users").json()] == ["lea"]
    # Another organization's admin sees no user of acme.
    plain = api.as_(org_key("plain", "admin"))
    problem(plain.get("/v1/orgs/acme/users"), 404)
    problem(plain.delete("/v1/orgs/plain/users/lea"), 404)
