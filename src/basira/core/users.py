"""People of an organization: create, list, change role, delete. The API, the command line and the web pages
call these; every change is audited.

Deleting is soft (``deleted_at``): the audit log keeps naming the person, and their web session ends at their
next request. An organization keeps at least one admin user: the last one can be neither deleted nor demoted.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.models import Role, User, as_id, utcnow
from basira.core.principal import Principal
from basira.core.security import hash_password

READ_USERS = {Role.ADMIN, Role.AUDITOR}
LOCALES = ("en", "ar", "fr")
MIN_PASSWORD = 12


def parse_role(role: str) -> Role:
    """``role`` as a :class:`Role`; InvalidInput naming the four roles otherwise."""
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r} (admin, analyst, reviewer, auditor)") from None


def _require_manage(principal: Principal, org_id: int) -> None:
    """An organization's admin manages its users; the operator's admin manages anyone's."""
    if org_id != principal.org_id:
        principal.require_operator()
    else:
        principal.require_admin()


def create_user(session: Session, principal: Principal, org_id: int, username: str, password: str,
                role: str, locale: str = "en") -> User:
    """Add a user to ``org_id`` with a role; the password is stored as an argon2 hash only."""
    _require_manage(principal, org_id)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters")
    if not username or len(username) > 200:
        raise InvalidInput("a username has 1-200 characters")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"the username {username!r} is not available")
    user = User(org_id=org_id, username=username, password_hash=hash_password(password),
                role=parse_role(role).value, locale=locale if locale in LOCALES else "en")
    session.add(user)
    session.flush()
    audit.record(session, org_id=org_id, actor=principal.actor, action="user.create", target=f"user:{user.id}",
                 details={"username": username, "role": user.role})
    return user


def list_users(session: Session, principal: Principal, org_id: int | None = None) -> list[User]:
    """The organization's users (not deleted), by username; admins and auditors may look, the operator's admin
    at any organization."""
    org = principal.org_id if org_id is None else org_id
    if org != principal.org_id:
        principal.require_operator()
    else:
        principal.require(READ_USERS, "list the organization's users")
    return list(session.scalars(select(User).where(User.org_id == org, User.deleted_at.is_(None))
                                .order_by(User.username)))


def get_user(session: Session, principal: Principal, ref: int | str, org_id: int | None = None) -> User:
    """A live user of ``org_id`` (the caller's by default) by id or username; NotFound for anyone else's."""
    org = principal.org_id if org_id is None else org_id
    user_id = as_id(ref)
    if user_id is not None:
        user = session.get(User, user_id) if user_id > 0 else None
    else:
        user = session.scalar(select(User).where(User.username == str(ref)))
    if user is None or user.org_id != org or user.deleted_at is not None:
        raise NotFound(f"no user {ref!r}")
    return user


def _other_admins(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.org_id == user.org_id, User.role == Role.ADMIN.value, User.deleted_at.is_(None),
        User.id != user.id)) or 0


def set_role(session: Session, principal: Principal, ref: int | str, role: str, org_id: int | None = None) -> User:
    """Change a user's role (admins); the organization's last admin keeps the admin role."""
    org = principal.org_id if org_id is None else org_id
    _require_manage(principal, org)
    new = parse_role(role)
    user = get_user(session, principal, ref, org)
    if user.role == new.value:
        return user
    if user.role == Role.ADMIN.value and _other_admins(session, user) == 0:
        raise Conflict(f"{user.username!r} is the organization's last admin: make another admin first")
    before, user.role = user.role, new.value
    session.flush()
    audit.record(session, org_id=user.org_id, actor=principal.actor, action="user.role", target=f"user:{user.id}",
                 details={"username": user.username, "before": before, "after": user.role})
    return user


def delete_user(session: Session, principal: Principal, ref: int | str, *, org_id: int | None = None,
                acting_user_id: int | None = None) -> User:
    """Soft-delete a user (admins); not the acting person themselves, nor the organization's last admin."""
    org = principal.org_id if org_id is None else org_id
    _require_manage(principal, org)
    user = get_user(session, principal, ref, org)
    if user.id == acting_user_id:
        raise PermissionDenied("an admin cannot delete their own account (ask another admin)")
    if user.role == Role.ADMIN.value and _other_admins(session, user) == 0:
        raise Conflict(f"{user.username!r} is the organization's last admin: make another admin first")
    user.deleted_at = utcnow()
    session.flush()
    audit.record(session, org_id=user.org_id, actor=principal.actor, action="user.delete", target=f"user:{user.id}",
                 details={"username": user.username})
    return user
