"""The organization's identity provider through the API: admins set it, the secret never comes back."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from tests.factories import Api, problem

from basira.core.instance import Instance
from basira.core.models import AuditEntry
from basira.identity import providers
from basira.identity.models import OidcProvider

BODY = {"issuer": "https://login.acme.example/realms/acme", "client_id": "basira", "client_secret": "s" * 40,
        "display_name": "Acme Login", "role_rules": [{"group": "basira-reviewers", "role": "reviewer"}]}


def test_admin_sets_the_provider_and_reads_it_back_without_the_secret(api: Api, instance: Instance) -> None:
    r = api.request("PUT", "/v1/oidc", json=BODY)
    assert r.status_code == 200, r.text
    shown = api.get("/v1/oidc").json()
    assert shown["issuer"] == BODY["issuer"] and shown["has_client_secret"] is True
    assert "s" * 40 not in r.text + str(shown)
    with instance.db.session() as s:
        row = s.scalars(select(OidcProvider)).one()
        assert "s" * 40 not in row.client_secret_enc
        assert providers.client_secret(row, instance.secret_key) == "s" * 40
        audited = s.scalars(select(AuditEntry).where(AuditEntry.action == "oidc.set")).one()
    assert "s" * 40 not in str(audited.details)


def test_update_without_a_secret_keeps_the_stored_one(api: Api, instance: Instance) -> None:
    api.request("PUT", "/v1/oidc", json=BODY)
    r = api.request("PUT", "/v1/oidc", json={**BODY, "client_secret": None, "display_name": "Acme SSO"})
    assert r.status_code == 200 and r.json()["display_name"] == "Acme SSO"
    with instance.db.session() as s:
        assert providers.client_secret(s.scalars(select(OidcProvider)).one(), instance.secret_key) == "s" * 40


def test_plain_http_issuer_off_loopback_is_refused(api: Api) -> None:
    problem(api.request("PUT", "/v1/oidc", json={**BODY, "issuer": "http://login.acme.example"}), 422)


def test_unknown_role_in_a_rule_is_refused(api: Api) -> None:
    body = {**BODY, "role_rules": [{"group": "g", "role": "superuser"}]}
    assert "unknown role" in problem(api.request("PUT", "/v1/oidc", json=body), 422)["detail"]


def test_analyst_may_not_set_the_provider(api: Api, org_key: Callable[..., str], admin_key: str) -> None:
    problem(api.as_(org_key("partner", "analyst")).request("PUT", "/v1/oidc", json=BODY), 403)


def test_removed_provider_is_gone(api: Api) -> None:
    api.request("PUT", "/v1/oidc", json=BODY)
    assert api.delete("/v1/oidc").status_code == 204
    problem(api.get("/v1/oidc"), 404)
