"""Organizations, their API keys and users: the instance operator's administration, and each admin's own keys."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import KeyId, OrgRef, UserRef, errors
from basira.core import orgs, users
from basira.core.errors import NotFound
from basira.core.models import ApiKey, Organization, User
from basira.core.principal import Principal

router = APIRouter(prefix="/v1", tags=["organizations"], responses=errors(401, 403))

RoleName = Field(description="`admin`, `analyst`, `reviewer` or `auditor`.", examples=["analyst"],
                 min_length=1, max_length=16)


class OrgIn(BaseModel):
    """A new organization."""

    slug: str = Field(description="1-63 lower-case letters, digits and dashes; never changes.",
                      min_length=1, max_length=63, examples=["partner-x"])
    name: str = Field(default="", description="A display name (the slug when empty).", max_length=200)
    operator: bool = Field(default=False, description="Whether it runs the instance (its admins manage every org).")


class OrgOut(BaseModel):
    """An organization."""

    id: int
    slug: str
    name: str
    operator: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, org: Organization) -> OrgOut:
        return cls(id=org.id, slug=org.slug, name=org.name, operator=org.operator, created_at=org.created_at)


class KeyIn(BaseModel):
    """A new API key."""

    role: str = RoleName
    name: str = Field(default="", description="What the key is for (shown in lists and the audit log).", max_length=200)


class KeyOut(BaseModel):
    """An API key, without its secret."""

    key_id: str = Field(description="The visible id (the part after `bsk_`); use it to revoke the key.")
    org_id: int
    role: str
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        return cls(key_id=key.key_id, org_id=key.org_id, role=key.role, name=key.name,
                   created_at=key.created_at, revoked_at=key.revoked_at, last_used_at=key.last_used_at)


class IssuedKeyOut(KeyOut):
    """A new API key with its secret, shown this once and never again."""

    secret: str = Field(description="The full key for `Authorization: Bearer` or `X-API-Key`; store it now.")


class UserIn(BaseModel):
    """A new user of an organization."""

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(description="At least 12 characters.", min_length=1, max_length=1000)
    role: str = RoleName
    locale: str = Field(default="en", description="`en`, `ar` or `fr`.", max_length=8)


class RoleIn(BaseModel):
    """A user's new role."""

    role: str = RoleName


class UserOut(BaseModel):
    """A user (never the password hash)."""

    id: int
    org_id: int
    username: str
    role: str
    locale: str
    created_at: dt.datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(id=user.id, org_id=user.org_id, username=user.username, role=user.role, locale=user.locale,
                   created_at=user.created_at)


def _org_for(session: Session, principal: Principal, ref: str) -> Organization:
    """The organization named by ``ref``; to callers outside the operator, other organizations do not exist."""
    org = orgs.get_org(session, ref)
    if org.id != principal.org_id and not principal.operator:
        raise NotFound(f"no organization {ref!r}")
    return org


@router.post("/orgs", status_code=status.HTTP_201_CREATED, response_model=OrgOut, responses=errors(409, 422))
def create_org(body: OrgIn, inst: InstanceDep, principal: PrincipalDep) -> OrgOut:
    """Create an organization (a tenant of this instance). Only an admin of the operator organization may."""
    principal.require_operator()
    with inst.db.session() as s:
        org = orgs.create_org(s, principal.actor, body.slug, body.name, operator=body.operator)
        return OrgOut.of(org)


@router.get("/orgs", response_model=list[OrgOut])
def list_orgs(inst: InstanceDep, principal: PrincipalDep) -> list[OrgOut]:
    """Every organization of the instance. Only an admin of the operator organization may list them."""
    principal.require_operator()
    with inst.db.session() as s:
        return [OrgOut.of(o) for o in orgs.list_orgs(s)]


@router.post("/orgs/{org}/keys", status_code=status.HTTP_201_CREATED, response_model=IssuedKeyOut,
             responses=errors(404, 422))
def create_key(org: OrgRef, body: KeyIn, inst: InstanceDep, principal: PrincipalDep) -> IssuedKeyOut:
    """Issue an API key for the organization, with a role. The reply holds the full key once; only its
    SHA-256 is stored. An organization's admin issues its own keys; the operator's admin issues any.
    """
    with inst.db.session() as s:
        target = _org_for(s, principal, org)
        issued = orgs.create_key(s, principal, target.id, body.role, body.name)
        return IssuedKeyOut(**KeyOut.of(issued.record).model_dump(), secret=issued.secret)


@router.get("/orgs/{org}/keys", response_model=list[KeyOut], responses=errors(404, 422))
def list_keys(org: OrgRef, inst: InstanceDep, principal: PrincipalDep) -> list[KeyOut]:
    """The organization's API keys, revoked ones included, never their secrets (admins and auditors)."""
    with inst.db.session() as s:
        target = _org_for(s, principal, org)
        return [KeyOut.of(k) for k in orgs.list_keys(s, principal, target.id)]


@router.delete("/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=errors(404, 422))
def revoke_key(key_id: KeyId, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Revoke an API key at once: requests that present it get 401 from then on. Revoking twice is harmless."""
    with inst.db.session() as s:
        orgs.revoke_key(s, principal, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/orgs/{org}/users", status_code=status.HTTP_201_CREATED, response_model=UserOut,
             responses=errors(404, 409, 422))
def create_user(org: OrgRef, body: UserIn, inst: InstanceDep, principal: PrincipalDep) -> UserOut:
    """Add a user (a person who signs in to the web pages) to the organization, with a role."""
    with inst.db.session() as s:
        target = _org_for(s, principal, org)
        user = users.create_user(s, principal, target.id, body.username, body.password, body.role, body.locale)
        return UserOut.of(user)


@router.get("/orgs/{org}/users", response_model=list[UserOut], responses=errors(404, 422))
def list_users(org: OrgRef, inst: InstanceDep, principal: PrincipalDep) -> list[UserOut]:
    """The organization's users, by username, deleted ones left out (admins and auditors; the operator's admin
    for any organization)."""
    with inst.db.session() as s:
        target = _org_for(s, principal, org)
        return [UserOut.of(u) for u in users.list_users(s, principal, target.id)]


@router.patch("/orgs/{org}/users/{user}", response_model=UserOut, responses=errors(404, 409, 422))
def set_user_role(org: OrgRef, user: UserRef, body: RoleIn, inst: InstanceDep, principal: PrincipalDep) -> UserOut:
    """Change a user's role (admins). The organization's last admin keeps the admin role (409). Audited."""
    with inst.db.session() as s:
        target = _org_for(s, principal, org)
        return UserOut.of(users.set_role(s, principal, user, body.role, target.id))


@router.delete("/orgs/{org}/users/{user}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=errors(404, 409, 422))
def delete_user(org: OrgRef, user: UserRef, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Delete a user (admins): they can no longer sign in and their session ends at their next request; the
    audit log keeps naming them. The organization's last admin cannot be deleted (409). Audited."""
    with inst.db.session() as s:
        target = _org_for(s, principal, org)
        users.delete_user(s, principal, user, org_id=target.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
