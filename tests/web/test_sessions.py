"""Server-side sessions (issue 21): a cookie saved before sign-out, or before an admin ended the user's sessions,
opens nothing afterwards; a session past its lifetime ends on the server too."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD, make_user

from basira.api.app import create_app
from basira.core.instance import Instance
from basira.core.models import Role, User, utcnow
from basira.core.principal import Principal
from basira.web.models import WebSession
from basira.web.pages import SESSION_COOKIE

from .helpers import csrf_of, sign_in


def _replay(instance: Instance, cookie: str, path: str = "/cases") -> int:
    """What a second browser holding a copy of the cookie gets at ``path``."""
    with TestClient(create_app(instance)) as thief:
        thief.cookies.set(SESSION_COOKIE, cookie)
        return thief.get(path, follow_redirects=False).status_code


def test_a_cookie_saved_before_sign_out_opens_nothing_after(client: TestClient, instance: Instance,
                                                            user: User) -> None:
    home = sign_in(client, "alice", PASSWORD)
    saved = client.cookies[SESSION_COOKIE]
    assert _replay(instance, saved) == 200 and _replay(instance, saved, "/admin/users") == 200
    client.post("/logout", data={"csrf": csrf_of(home.text)})
    # The attack: the saved cookie still opened /cases and /admin/users for 12 hours.
    assert _replay(instance, saved) == 303
    assert _replay(instance, saved, "/admin/users") == 303
    with instance.db.session() as s:
        row = s.scalars(select(WebSession)).one()
        assert row.ended_at is not None and row.ended_by == "user"


def test_an_admin_ends_every_session_of_a_user(client: TestClient, instance: Instance, user: User,
                                               admin: Principal) -> None:
    make_user(instance, admin, "bob", "analyst")
    with TestClient(create_app(instance)) as bob:
        sign_in(bob, "bob", PASSWORD)
        bobs = bob.cookies[SESSION_COOKIE]
    assert _replay(instance, bobs) == 200
    page = sign_in(client, "alice", PASSWORD)
    with instance.db.session() as s:
        bob_id = s.scalars(select(User.id).where(User.username == "bob")).one()
    r = client.post(f"/admin/users/{bob_id}/sign-out", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 200 and "Every session of" in r.text
    assert _replay(instance, bobs) == 303
    assert client.get("/cases", follow_redirects=False).status_code == 200  # the admin's own session lives on


def test_a_session_past_its_lifetime_ends_on_the_server(client: TestClient, instance: Instance, user: User) -> None:
    sign_in(client, "alice", PASSWORD)
    with instance.db.session() as s:
        s.scalars(select(WebSession)).one().expires_at = utcnow() - dt.timedelta(seconds=1)
    assert client.get("/cases", follow_redirects=False).status_code == 303


def test_another_organizations_admin_cannot_end_a_users_sessions(client: TestClient, instance: Instance,
                                                                  user: User) -> None:
    from basira.core import orgs

    with instance.db.session() as s:
        other = orgs.create_org(s, "test", "other")
    make_user(instance, Principal(other.id, Role.ADMIN, "t"), "olga", "admin")
    with TestClient(create_app(instance)) as olga:
        page = sign_in(olga, "olga", PASSWORD)
        assert olga.post(f"/admin/users/{user.id}/sign-out", data={"csrf": csrf_of(page.text)}).status_code == 404
