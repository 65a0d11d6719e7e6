"""Organizations and API keys (users: :mod:`basira.core.users`, whose ``create_user`` is also reached here)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from basira.core.models import ApiKey, Organization, Role, as_id, utcnow
from basira.core.principal import Principal
from basira.core.security import key_matches, new_api_key, split_api_key
from basira.core.users import create_user, parse_role

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


__all__ = ["IssuedKey", "authenticate_key", "create_key", "create_org", "create_user", "get_org", "list_keys",
           "list_orgs", "orgs_by_id", "revoke_key"]


def create_org(session: Session, actor: str, slug: str, name: str = "", operator: bool = False,
               exercise: bool = False) -> Organization:
    """A new organization; an ``exercise`` one is walled off from every other (see :mod:`basira.core.exercise`)."""
    if operator and exercise:
        raise InvalidInput("an exercise organization cannot be the operator")
    if not _SLUG.match(slug):
        raise InvalidInput("an organization slug is 1-63 lower-case letters, digits and dashes")
    if session.scalar(select(Organization).where(Organization.slug == slug)):
        raise Conflict(f"organization {slug!r} exists")
    org = Organization(slug=slug, name=name or slug, operator=operator, exercise=exercise)
    session.add(org)
    session.flush()
    audit.record(session, org_id=None, actor=actor, action="org.create", target=f"org:{org.id}",
                 details={"slug": slug, "operator": operator, **({"exercise": True} if exercise else {})})
    return org


def get_org(session: Session, ref: str | int) -> Organization:
    org_id = as_id(ref)
    if org_id is not None:
        org = session.get(Organization, org_id) if org_id > 0 else None
    else:
        org = session.scalar(select(Organization).where(Organization.slug == ref))
    if org is None:
        raise NotFound(f"no organization {ref!r}")
    return org


def list_orgs(session: Session) -> list[Organization]:
    """Every organization of the instance, oldest first."""
    return list(session.scalars(select(Organization).order_by(Organization.id)))


def orgs_by_id(session: Session) -> dict[int, Organization]:
    """Every organization by id: what a listing needs to name the owners of the banks it shows."""
    return {o.id: o for o in list_orgs(session)}


@dataclass(frozen=True)
class IssuedKey:
    """A new key: ``secret`` is the full key, shown once and never stored."""

    record: ApiKey
    secret: str


def create_key(session: Session, principal: Principal, org_id: int, role: str, name: str = "") -> IssuedKey:
    if org_id != principal.org_id:
        principal.require_operator()
    else:
        principal.require_admin()
    get_org(session, org_id)
    key_id, full, digest = new_api_key()
    rec = ApiKey(key_id=key_id, org_id=org_id, role=parse_role(role).value, name=name, secret_sha256=digest)
    session.add(rec)
    session.flush()
    audit.record(session, org_id=org_id, actor=principal.actor, action="key.create", target=f"key:{key_id}",
                 details={"role": rec.role, "name": name})
    return IssuedKey(rec, full)


def list_keys(session: Session, principal: Principal, org_id: int) -> list[ApiKey]:
    if org_id != principal.org_id:
        principal.require_operator()
    else:
        principal.require({Role.ADMIN, Role.AUDITOR}, "list keys")
    return list(session.scalars(select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.id)))


def revoke_key(session: Session, principal: Principal, key_id: str) -> ApiKey:
    rec = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
    if rec is None or (rec.org_id != principal.org_id and not principal.operator):
        raise NotFound(f"no key {key_id!r}")
    if rec.org_id != principal.org_id:
        principal.require_operator()
    else:
        principal.require_admin()
    if rec.revoked_at is None:
        rec.revoked_at = utcnow()
        audit.record(session, org_id=rec.org_id, actor=principal.actor, action="key.revoke",
                     target=f"key:{key_id}")
    return rec


def authenticate_key(session: Session, full: str) -> Principal:
    """The principal of a presented API key; revoked, unknown or malformed keys are refused alike."""
    key_id = split_api_key(full)
    rec = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id)) if key_id else None
    if rec is None or not key_matches(full, rec.secret_sha256):
        raise NotAuthenticated("the API key is not valid")
    if rec.revoked_at is not None:
        raise NotAuthenticated("the API key was revoked")
    org = session.get(Organization, rec.org_id)
    if org is None:  # the foreign key makes this unreachable
        raise NotAuthenticated("the API key has no organization")
    now = utcnow()
    if rec.last_used_at is None or (now - rec.last_used_at).total_seconds() > 60:
        rec.last_used_at = now
    return Principal(org_id=rec.org_id, role=Role(rec.role), actor=f"key:{rec.key_id}", operator=org.operator)
