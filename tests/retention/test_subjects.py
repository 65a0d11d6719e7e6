"""Export and erasure of a user's data: what the export holds, what erasure removes, what it keeps."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from basira.core import orgs
from basira.core.errors import Conflict
from basira.core.instance import Instance
from basira.core.models import AuditEntry, User
from basira.core.principal import Principal
from basira.retention import subjects
from basira.web import accounts


@pytest.fixture
def rana(instance: Instance, admin: Principal) -> int:
    with instance.db.session() as s:
        user = orgs.create_user(s, admin, admin.org_id, "rana", "a long enough password", "reviewer")
        accounts.record_reveal(s, user, "case-1/medium-0")
        return user.id


def test_user_export_lists_account_exposures_and_own_audit_entries(instance: Instance, admin: Principal,
                                                                   rana: int) -> None:
    with instance.db.session() as s:
        accounts.set_locale(s, s.get(User, rana), "ar")  # type: ignore[arg-type]
        data = subjects.export_subject(s, admin, "user:rana")
    assert data["user"]["role"] == "reviewer" and data["user"]["locale"] == "ar"
    assert [e["count"] for e in data["exposures"]] == [1]
    assert [e["action"] for e in data["audit"]] == ["user.locale"]
    assert "password" not in str(data)


def test_user_erasure_removes_name_credentials_and_counts_but_keeps_the_audit_log(
        instance: Instance, admin: Principal, rana: int) -> None:
    with instance.db.session() as s:
        counts = subjects.erase_subject(s, admin, "user:rana")
    assert counts["exposures"] == 1 and counts["user"] == 1
    with instance.db.session() as s:
        user = s.get(User, rana)
        assert user is not None and user.username == f"erased-{rana}" and user.deleted_at is not None
        assert s.scalar(select(User.id).where(User.username == "rana")) is None
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-1] == "subject.erase" and "user.create" in actions


def test_admin_cannot_erase_their_own_account(instance: Instance, admin: Principal, rana: int) -> None:
    me = Principal(admin.org_id, admin.role, "user:rana")
    with instance.db.session() as s, pytest.raises(Conflict):
        subjects.erase_subject(s, me, "user:rana")
