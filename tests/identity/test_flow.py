"""Signing in through the organization's identity provider, end to end against the loopback provider.

Each test walks the real flow: Basira's start route, the provider's authorize endpoint, Basira's callback, which
exchanges the code at the provider's token endpoint and verifies the ID token against its JWKS.
"""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from basira.core.instance import Instance
from basira.core.models import AuditEntry, User, utcnow
from basira.core.principal import Principal
from basira.identity import flow
from basira.identity.directory import ProviderDirectory
from basira.identity.errors import SignInRefused
from basira.identity.models import OidcIdentity, OidcLogin

from .conftest import configure
from .helpers import code_for, complete, through_provider
from .provider import Provider


def _user(instance: Instance, username: str) -> User | None:
    with instance.db.session() as s:
        return s.scalar(select(User).where(User.username == username))


def _actions(instance: Instance) -> list[str]:
    with instance.db.session() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _refusal(instance: Instance, provider: Provider) -> str:
    directory = ProviderDirectory()
    state, code = code_for(instance, directory)
    with pytest.raises(SignInRefused) as caught:
        complete(instance, directory, state, code)
    return caught.value.reason


def test_first_sign_in_creates_the_user_with_the_role_of_their_group(
        client: TestClient, instance: Instance, configured: Provider) -> None:
    done = through_provider(client)
    assert done.status_code == 303 and done.headers["location"].endswith("/")
    assert "rana@acme.example" in client.get("/").text
    user = _user(instance, "rana@acme.example")
    assert user is not None and user.role == "reviewer"
    with instance.db.session() as s:
        ident = s.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id))
    assert ident is not None and ident.subject == "subject-rana" and ident.issuer == configured.issuer
    assert _actions(instance)[-2:] == ["user.create", "user.login"]


def test_oidc_user_has_no_password_that_the_password_form_accepts(
        client: TestClient, instance: Instance, configured: Provider) -> None:
    through_provider(client)
    user = _user(instance, "rana@acme.example")
    assert user is not None and user.password_hash.startswith("oidc!")
    fresh = TestClient(client.app)
    page = fresh.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    refused = fresh.post("/login", data={"csrf": token, "username": user.username, "password": user.password_hash})
    assert refused.status_code == 401


def test_expired_id_token_is_refused(client: TestClient, instance: Instance, configured: Provider) -> None:
    configured.overrides = {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}
    assert _refusal(instance, configured) == "expired_token"
    refused = through_provider(client)
    assert refused.status_code == 403
    assert "could not be verified" in refused.text
    assert client.get("/", follow_redirects=False).headers["location"].endswith("/login")
    assert _user(instance, "rana@acme.example") is None


def test_id_token_for_another_audience_is_refused(instance: Instance, configured: Provider) -> None:
    configured.overrides = {"aud": "some-other-client"}
    assert _refusal(instance, configured) == "audience"


def test_id_token_with_another_nonce_is_refused(instance: Instance, configured: Provider) -> None:
    configured.overrides = {"nonce": "not-the-nonce-of-this-sign-in"}
    assert _refusal(instance, configured) == "nonce"


def test_id_token_from_another_issuer_is_refused(instance: Instance, configured: Provider) -> None:
    configured.overrides = {"iss": "https://impostor.example"}
    assert _refusal(instance, configured) == "issuer"


def test_state_is_used_once_even_when_replayed_with_a_fresh_code(instance: Instance, configured: Provider) -> None:
    directory = ProviderDirectory()
    state, code = code_for(instance, directory)
    assert complete(instance, directory, state, code).username == "rana@acme.example"
    with pytest.raises(SignInRefused) as caught:
        complete(instance, directory, state, code)
    assert caught.value.reason == "replayed"


def test_replayed_callback_in_the_browser_is_refused(client: TestClient, configured: Provider) -> None:
    start = client.get("/login/oidc/acme", follow_redirects=False)
    back = httpx.get(start.headers["location"], follow_redirects=False).headers["location"]
    callback = back.removeprefix("http://testserver")
    assert client.get(callback, follow_redirects=False).status_code == 303
    client.cookies.clear()
    replay = client.get(callback, follow_redirects=False)
    assert replay.status_code == 403 and "already used or has expired" in replay.text


def test_state_from_another_browser_is_refused(instance: Instance, configured: Provider) -> None:
    directory = ProviderDirectory()
    state, code = code_for(instance, directory)
    with pytest.raises(SignInRefused) as caught:
        flow.complete(instance.db.session, directory, instance.secret_key, state=state, code=code,
                      kept_state="the-state-of-some-other-browser")
    assert caught.value.reason == "state"


def test_rotated_signing_key_is_fetched_and_trusted(instance: Instance, configured: Provider) -> None:
    directory = ProviderDirectory()
    state, code = code_for(instance, directory)
    complete(instance, directory, state, code)
    fetches = configured.jwks_fetches
    configured.rotate()
    state, code = code_for(instance, directory)
    assert complete(instance, directory, state, code).username == "rana@acme.example"
    assert configured.jwks_fetches == fetches + 1


def test_token_signed_with_an_unpublished_key_is_refused(instance: Instance, configured: Provider) -> None:
    rogue = Provider._new_key("key-1")  # same key id as the published key, another key
    configured.key = rogue
    assert _refusal(instance, configured) == "token"


def test_user_removed_from_the_group_loses_access_at_next_sign_in(
        client: TestClient, instance: Instance, configured: Provider) -> None:
    assert through_provider(client).status_code == 303
    client.cookies.clear()
    configured.user = {**configured.user, "groups": ["marketing"]}
    refused = through_provider(client)
    assert refused.status_code == 403 and "does not put you in any group" in refused.text
    assert client.get("/", follow_redirects=False).headers["location"].endswith("/login")
    assert _actions(instance)[-1] == "user.oidc_refused"


def test_role_follows_the_group_at_each_sign_in(instance: Instance, configured: Provider) -> None:
    directory = ProviderDirectory()
    complete(instance, directory, *code_for(instance, directory))
    configured.user = {**configured.user, "groups": ["basira-admins", "basira-reviewers"]}
    assert complete(instance, directory, *code_for(instance, directory)).role == "admin"


def test_allow_list_refuses_unlisted_people_and_admits_listed_ones(
        instance: Instance, admin: Principal, provider: Provider) -> None:
    configure(instance, admin, provider, provisioning="allowlist", allowlist=["Omar@acme.example"])
    assert _refusal(instance, provider) == "not_allowed"
    provider.user = {"sub": "subject-omar", "email": "omar@acme.example", "groups": ["basira-reviewers"]}
    directory = ProviderDirectory()
    assert complete(instance, directory, *code_for(instance, directory)).username == "omar@acme.example"


def test_disabled_provider_offers_no_sign_in(client: TestClient, instance: Instance, admin: Principal,
                                             provider: Provider) -> None:
    configure(instance, admin, provider, enabled=False)
    assert "Acme Login" not in client.get("/login").text
    assert client.get("/login/oidc/acme", follow_redirects=False).status_code == 404


def test_unknown_organization_gets_a_page_not_a_traceback(client: TestClient) -> None:
    page = client.get("/login/oidc/nobody", follow_redirects=False)
    assert page.status_code == 404 and "does not offer sign-in" in page.text


def test_callback_with_an_error_from_the_provider_is_refused(client: TestClient) -> None:
    page = client.get("/login/oidc/callback?error=access_denied&state=x", follow_redirects=False)
    assert page.status_code == 403


def test_unreachable_provider_gets_a_502_page(client: TestClient, instance: Instance, admin: Principal) -> None:
    dead = Provider()
    dead.server.server_close()  # never started: nothing listens on its port
    configure(instance, admin, dead)
    page = client.get("/login/oidc/acme", follow_redirects=False)
    assert page.status_code == 502 and "could not be reached" in page.text


@pytest.mark.parametrize(("lang", "label"), [("en", "Sign in with"), ("ar", "تسجيل الدخول عبر"),
                                             ("fr", "Se connecter avec")])
def test_sign_in_page_offers_the_provider_in_each_language(client: TestClient, configured: Provider, lang: str,
                                                           label: str) -> None:
    page = client.get(f"/login?lang={lang}").text
    assert label in page and "Acme Login" in page and "/login/oidc/acme" in page


def test_sign_ins_never_finished_are_cleared_when_another_starts(instance: Instance, configured: Provider) -> None:
    directory = ProviderDirectory()
    code_for(instance, directory)
    with instance.db.session() as s:
        s.execute(update(OidcLogin).values(created_at=utcnow() - 2 * flow.STALE_AFTER))
    code_for(instance, directory)
    with instance.db.session() as s:
        assert s.scalar(select(func.count(OidcLogin.state_sha256))) == 1
