"""The users page (admins create and delete users; auditors look), organization settings, and one's own language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD, make_user

from basira.api.app import create_app
from basira.core.instance import Instance
from basira.core.models import AuditEntry, User
from basira.core.principal import Principal
from basira.web import totp

from .helpers import csrf_of, sign_in


def test_an_admin_creates_a_user_and_deleting_them_ends_their_session(
        client: TestClient, instance: Instance, user: User) -> None:
    page = sign_in(client, "alice", PASSWORD)
    r = client.post("/admin/users", data={"csrf": csrf_of(page.text), "username": "rita", "password": PASSWORD,
                                          "role": "reviewer", "locale": "ar"})
    assert "User <bdi>rita</bdi> created." in r.text and "<bdi>rita</bdi>" in r.text
    with TestClient(create_app(instance)) as rita:
        assert sign_in(rita, "rita", PASSWORD).url.path == "/"
        with instance.db.session() as s:
            rid = s.scalars(select(User.id).where(User.username == "rita")).one()
        gone = client.post(f"/admin/users/{rid}/delete", data={"csrf": csrf_of(r.text)})
        assert "their session ends now" in gone.text
        assert rita.get("/cases", follow_redirects=False).headers["location"] == "/login"
    with instance.db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "user.create" in actions and "user.delete" in actions


@pytest.mark.parametrize(("form", "says"), [
    ({"username": "rita", "password": "short", "role": "reviewer"}, "at least 12 characters"),
    ({"username": "rita", "password": PASSWORD, "role": "overlord"}, "unknown role"),
    ({"username": "ri\u202eta", "password": PASSWORD, "role": "reviewer"}, "control or formatting"),
])
def test_a_bad_new_user_is_refused_with_the_reason(client: TestClient, user: User, form: dict[str, str],
                                                   says: str) -> None:
    page = sign_in(client, "alice", PASSWORD)
    r = client.post("/admin/users", data={"csrf": csrf_of(page.text), **form})
    assert r.status_code == 422 and says in r.text


def test_an_admin_cannot_delete_themselves_nor_users_of_other_organizations(
        client: TestClient, user: User) -> None:
    page = sign_in(client, "alice", PASSWORD)
    assert client.post(f"/admin/users/{user.id}/delete", data={"csrf": csrf_of(page.text)}).status_code == 403
    assert client.post("/admin/users/987654/delete", data={"csrf": csrf_of(page.text)}).status_code == 404


def test_an_auditor_sees_the_users_but_no_form_and_a_reviewer_not_at_all(
        instance: Instance, admin: Principal) -> None:
    make_user(instance, admin, "aude", "auditor")
    make_user(instance, admin, "rita", "reviewer")
    with TestClient(create_app(instance)) as aude:
        sign_in(aude, "aude", PASSWORD)
        page = aude.get("/admin/users")
        assert page.status_code == 200 and "<bdi>rita</bdi>" in page.text and "New user" not in page.text
        assert aude.post("/admin/settings", data={"csrf": csrf_of(page.text), "require_totp": "on"}
                         ).status_code == 403
    with TestClient(create_app(instance)) as rita:
        sign_in(rita, "rita", PASSWORD)
        assert rita.get("/admin/users").status_code == 403


@pytest.mark.parametrize("template", [
    "javascript:alert(1)/{item_ref}", "https://cdn.example/{nope}", "https://cdn.example/static.jpg",
    "https://cdn.example/{item_ref}' ; script-src *", "https://{item_ref}.example/x", "https://cdn.example/{item_ref",
])
def test_a_content_source_that_could_break_the_policy_is_refused(client: TestClient, instance: Instance,
                                                                  user: User, template: str) -> None:
    page = sign_in(client, "alice", PASSWORD)
    r = client.post("/admin/settings", data={"csrf": csrf_of(page.text), "item_media_url": template})
    assert r.status_code == 422 and "media URL template" in r.text
    with instance.db.session() as s:
        assert totp.org_settings(s, user.org_id).item_media_url == ""


def test_a_user_chooses_their_language_for_every_page(client: TestClient, instance: Instance,
                                                      admin: Principal) -> None:
    make_user(instance, admin, "rita", "reviewer")
    page = sign_in(client, "rita", PASSWORD)
    r = client.post("/account/language", data={"csrf": csrf_of(page.text), "locale": "ar"})
    assert '<html lang="ar" dir="rtl">' in r.text
    assert '<html lang="ar" dir="rtl">' in client.get("/cases", headers={"accept-language": "fr"}).text
    assert client.post("/account/language", data={"csrf": csrf_of(r.text), "locale": "xx"}).status_code == 400
