"""Signing in to the web pages: passwords, lock-out, deleted users, CSRF and the audit trail."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD

from basira.core import audit
from basira.core.instance import Instance
from basira.core.models import AuditEntry, User, utcnow
from basira.core.security import hash_password
from basira.web import auth

from .helpers import csrf_of, sign_in


def _audit_actions(instance: Instance, org_id: int) -> list[str]:
    with instance.db.session() as s:
        return [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.chain == audit.org_chain(org_id))
                                             .order_by(AuditEntry.seq))]


def test_sign_in_with_the_right_password_shows_the_home_page_and_is_audited(
        client: TestClient, instance: Instance, user: User) -> None:
    r = sign_in(client, "alice", PASSWORD)
    assert r.status_code == 200
    assert r.url.path == "/"
    assert "<bdi>alice</bdi>" in r.text and "Sign out" in r.text
    cookie = r.history[0].headers["set-cookie"]
    assert "basira_session=" in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "user.login" in _audit_actions(instance, user.org_id)
    with instance.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.login")).one()
        assert entry.actor == "user:alice"
        assert all(r.ok for r in audit.verify(s))


def test_wrong_password_is_refused_and_audited(client: TestClient, instance: Instance, user: User) -> None:
    r = sign_in(client, "alice", "not the password")
    assert r.status_code == 401
    assert "Wrong username or password." in r.text
    assert client.get("/", follow_redirects=False).status_code == 303
    with instance.db.session() as s:
        assert s.get(User, user.id).failed_logins == 0  # type: ignore[union-attr]
    assert _audit_actions(instance, user.org_id)[-1] == "user.login_failed"


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client: TestClient, user: User) -> None:
    r = sign_in(client, "mallory", PASSWORD)
    assert r.status_code == 401
    assert "Wrong username or password." in r.text


def test_wrong_passwords_never_lock_an_account(client: TestClient, instance: Instance, user: User) -> None:
    """Issue 21: five guesses locked any account for 15 minutes (anyone could lock anyone out) and the 429 told
    which usernames exist. Now the answer stays 401 and the owner signs in."""
    for _ in range(auth.MAX_FAILURES + 2):
        assert sign_in(client, "alice", "guess").status_code == 401
    with instance.db.session() as s:
        assert s.get(User, user.id).locked_until is None  # type: ignore[union-attr]
    assert sign_in(client, "alice", PASSWORD).url.path == "/"


def test_failures_are_throttled_per_address_whatever_the_username(
        client: TestClient, instance: Instance, user: User) -> None:
    import dataclasses

    instance.settings = dataclasses.replace(instance.settings, login_failures_per_source=3)
    for name in ("alice", "mallory", "nobody"):
        assert sign_in(client, name, "guess").status_code == 401
    # The same answer for a real and a made-up name: the address is throttled, no account is locked.
    for name in ("alice", "mallory"):
        r = sign_in(client, name, "guess")
        assert r.status_code == 429 and "from your address" in r.text
    with instance.db.session() as s:
        assert s.get(User, user.id).locked_until is None  # type: ignore[union-attr]
    # From another address the owner signs in (same app, so the same throttle).
    elsewhere = TestClient(client.app, client=("192.0.2.7", 50000))
    assert sign_in(elsewhere, "alice", PASSWORD).url.path == "/"


def test_a_lock_by_totp_codes_ends_after_fifteen_minutes(client: TestClient, instance: Instance,
                                                         user: User) -> None:
    with instance.db.session() as s:
        s.get(User, user.id).locked_until = utcnow() + dt.timedelta(minutes=5)  # type: ignore[union-attr]
    assert sign_in(client, "alice", "guess").status_code == 401  # a wrong password does not learn of the lock
    assert sign_in(client, "alice", PASSWORD).status_code == 429  # the right one does
    with instance.db.session() as s:
        s.get(User, user.id).locked_until = utcnow() - dt.timedelta(seconds=1)  # type: ignore[union-attr]
    assert sign_in(client, "alice", PASSWORD).url.path == "/"
    with instance.db.session() as s:
        row = s.get(User, user.id)
        assert row is not None and row.locked_until is None and row.failed_logins == 0


def test_a_deleted_user_cannot_sign_in(client: TestClient, instance: Instance, user: User) -> None:
    with instance.db.session() as s:
        s.get(User, user.id).deleted_at = utcnow()  # type: ignore[union-attr]
    r = sign_in(client, "alice", PASSWORD)
    assert r.status_code == 401
    assert "user.login" not in _audit_actions(instance, user.org_id)


def test_deleting_a_user_ends_their_session(client: TestClient, instance: Instance, user: User) -> None:
    assert sign_in(client, "alice", PASSWORD).url.path == "/"
    with instance.db.session() as s:
        s.get(User, user.id).deleted_at = utcnow()  # type: ignore[union-attr]
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_changing_the_password_ends_other_sessions(client: TestClient, instance: Instance, user: User) -> None:
    assert sign_in(client, "alice", PASSWORD).url.path == "/"
    with instance.db.session() as s:
        s.get(User, user.id).password_hash = hash_password("another long password")  # type: ignore[union-attr]
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_forged_csrf_token_is_rejected(client: TestClient, instance: Instance, user: User) -> None:
    client.get("/login")
    r = client.post("/login", data={"csrf": "forged", "username": "alice", "password": PASSWORD})
    assert r.status_code == 403
    assert "This form has expired" in r.text
    assert client.get("/", follow_redirects=False).status_code == 303
    with instance.db.session() as s:
        assert s.get(User, user.id).failed_logins == 0  # type: ignore[union-attr]


def test_a_form_without_a_session_is_rejected(instance: Instance, user: User) -> None:
    from basira.api.app import create_app

    # A cross-site form: the attacker can copy a token from their own session, never the victim's cookie.
    with TestClient(create_app(instance)) as attacker:
        token = csrf_of(attacker.get("/login").text)
    with TestClient(create_app(instance)) as victim:
        r = victim.post("/login", data={"csrf": token, "username": "alice", "password": PASSWORD})
    assert r.status_code == 403


def test_sign_out_needs_the_token_and_ends_the_session(client: TestClient, user: User) -> None:
    home = sign_in(client, "alice", PASSWORD)
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200
    r = client.post("/logout", data={"csrf": csrf_of(home.text)})
    assert r.url.path == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_hostile_sign_in_forms_get_clear_answers(client: TestClient, user: User) -> None:
    token = csrf_of(client.get("/login").text)
    # A huge password is refused before argon2 ever sees it.
    assert client.post("/login", data={"csrf": token, "username": "alice", "password": "x" * 5000}
                       ).status_code == 401
    # Missing fields are a wrong password, not a server error.
    assert client.post("/login", data={"csrf": token}).status_code == 401
    # A body larger than any form of these pages.
    assert client.post("/login", data={"csrf": token, "junk": "x" * 70_000}).status_code == 413
    # Mixed scripts and control characters in a username are just an unknown user.
    assert client.post("/login", data={"csrf": token, "username": "علي\u202eadmin\x00",
                                       "password": PASSWORD}).status_code == 401


def test_the_session_cookie_is_secure_when_https_only(instance: Instance, user: User) -> None:
    from fastapi import FastAPI

    from basira.api import problems
    from basira.web import pages

    app = FastAPI()
    app.state.instance = instance
    problems.install(app)
    pages.install(app, https_only=True)
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/login?lang=fr")
    cookies = r.headers.get_list("set-cookie")
    assert cookies and all("secure" in c.lower() for c in cookies)
    assert r.headers["strict-transport-security"] == f"max-age={instance.settings.hsts_max_age_s}"


def test_behind_tls_cookies_are_secure_and_hsts_is_sent_without_the_setting(client: TestClient,
                                                                            user: User) -> None:
    """Issue 21: the session cookie went without ``Secure`` and no HSTS was sent, even behind TLS."""
    plain = client.get("/login?lang=fr")
    assert "strict-transport-security" not in plain.headers
    assert not any("secure" in c.lower() for c in plain.headers.get_list("set-cookie"))
    tls = TestClient(client.app, base_url="https://testserver")
    r = tls.get("/login?lang=fr")
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 2 and all(c.endswith("; Secure") or "; secure" in c for c in cookies)
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_a_tampered_session_cookie_is_a_signed_out_visitor(client: TestClient, user: User) -> None:
    sign_in(client, "alice", PASSWORD)
    value = client.cookies["basira_session"]
    client.cookies.set("basira_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.set("basira_session", "not.even-base64!!")
    assert client.get("/", follow_redirects=False).status_code == 303
