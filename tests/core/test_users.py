"""User management, the one service behind the API, the command line and the web pages: roles, soft deletion,
the last admin kept, every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from basira.core import users
from basira.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import AuditEntry, Role
from basira.core.principal import Principal

PASSWORD = "correct horse battery"


def make(instance: Instance, admin: Principal, username: str, role: str = "analyst") -> int:
    with instance.db.session() as s:
        return users.create_user(s, admin, admin.org_id, username, PASSWORD, role).id


def actions(instance: Instance) -> list[str]:
    with instance.db.session() as s:
        return [a for a in s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)) if a.startswith("user.")]


def test_a_role_change_is_audited_with_before_and_after(instance: Instance, admin: Principal) -> None:
    make(instance, admin, "rana", "reviewer")
    with instance.db.session() as s:
        assert users.set_role(s, admin, "rana", "analyst").role == "analyst"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.role")).one()
        assert entry.details == {"username": "rana", "before": "reviewer", "after": "analyst"}


def test_a_deleted_user_is_no_longer_listed_nor_found(instance: Instance, admin: Principal) -> None:
    uid = make(instance, admin, "sami")
    with instance.db.session() as s:
        users.delete_user(s, admin, uid)
    with instance.db.session() as s:
        assert [u.username for u in users.list_users(s, admin)] == []
        with pytest.raises(NotFound):
            users.delete_user(s, admin, "sami")
    assert actions(instance) == ["user.create", "user.delete"]


def test_the_last_admin_can_be_neither_deleted_nor_demoted(instance: Instance, admin: Principal) -> None:
    make(instance, admin, "lea", "admin")
    with instance.db.session() as s:
        with pytest.raises(Conflict):
            users.delete_user(s, admin, "lea")
        with pytest.raises(Conflict):
            users.set_role(s, admin, "lea", "auditor")
    make(instance, admin, "omar", "admin")
    with instance.db.session() as s:
        users.set_role(s, admin, "lea", "auditor")
        users.delete_user(s, admin, "lea")


def test_an_admin_cannot_delete_their_own_account(instance: Instance, admin: Principal) -> None:
    uid = make(instance, admin, "lea", "admin")
    make(instance, admin, "omar", "admin")
    with instance.db.session() as s, pytest.raises(PermissionDenied):
        users.delete_user(s, admin, uid, acting_user_id=uid)


def test_only_admins_change_users_and_auditors_may_look(instance: Instance, admin: Principal) -> None:
    make(instance, admin, "rana")
    auditor = Principal(org_id=admin.org_id, role=Role.AUDITOR, actor="user:audit")
    with instance.db.session() as s:
        assert [u.username for u in users.list_users(s, auditor)] == ["rana"]
        with pytest.raises(PermissionDenied):
            users.set_role(s, auditor, "rana", "admin")
        with pytest.raises(PermissionDenied):
            users.delete_user(s, auditor, "rana")
        with pytest.raises(InvalidInput):
            users.set_role(s, admin, "rana", "king")


def test_users_of_another_organization_do_not_exist_for_a_plain_admin(instance: Instance, admin: Principal) -> None:
    from basira.core import orgs

    make(instance, admin, "rana")
    with instance.db.session() as s:
        other = Principal(org_id=orgs.create_org(s, "test", "other").id, role=Role.ADMIN, actor="user:x")
    with instance.db.session() as s:
        with pytest.raises(NotFound):
            users.delete_user(s, other, "rana")
        with pytest.raises(PermissionDenied):
            users.list_users(s, other, admin.org_id)
