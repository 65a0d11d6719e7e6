"""Who a verified ID token is in Basira: the group rules give the role, the subject finds or creates the user.

A user matching no group rule is refused (and an existing account keeps no access through the provider: the
check is made at every sign-in). A role that changed at the provider changes in Basira at the next sign-in.
Users created here have no usable password: they sign in through their provider only.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.models import User
from basira.identity.errors import SignInRefused
from basira.identity.models import OidcIdentity, OidcProvider

Sessions = Callable[[], AbstractContextManager[Session]]
ACTOR = "oidc"


@dataclass(frozen=True)
class ProviderConfig:
    """A provider's settings as plain values (usable after the session that read them is closed)."""

    org_id: int
    issuer: str
    client_id: str
    groups_claim: str
    role_rules: tuple[tuple[str, str], ...]
    provisioning: str
    allowlist: frozenset[str]

    @classmethod
    def of(cls, p: OidcProvider) -> ProviderConfig:
        rules = tuple((str(r.get("group", "")), str(r.get("role", ""))) for r in p.role_rules)
        return cls(p.org_id, p.issuer, p.client_id, p.groups_claim, rules, p.provisioning,
                   frozenset(a.lower() for a in p.allowlist))


def groups_of(claims: dict[str, Any], claim: str) -> list[str]:
    """The user's groups from ``claim`` (a list of strings, or one string); anything else counts as none."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [g for g in value if isinstance(g, str)]
    return []


def role_for(config: ProviderConfig, groups: list[str]) -> str | None:
    """The role of the first rule whose group the user is in, or None (no access)."""
    held = set(groups)
    return next((role for group, role in config.role_rules if group in held), None)


def _username(claims: dict[str, Any]) -> str:
    for name in ("email", "preferred_username", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value.strip() and value.isprintable():
            return value.strip().lower()[:200]
    raise SignInRefused("token", "the ID token names nobody")


def _refuse(s: Session, config: ProviderConfig, reason: str, subject: str, detail: str) -> SignInRefused:
    # The refusal is audited in the caller's transaction, which commits before the error is raised.
    audit.record(s, org_id=config.org_id, actor=ACTOR, action="user.oidc_refused", target=f"oidc:{subject[:150]}",
                 details={"reason": reason, "issuer": config.issuer})
    return SignInRefused(reason, detail)


def sign_in(sessions: Sessions, config: ProviderConfig, claims: dict[str, Any], at: dt.datetime) -> User:
    """The Basira user for verified ``claims`` (found, updated or created), or SignInRefused (audited)."""
    subject = str(claims.get("sub", ""))
    refused: SignInRefused | None = None
    with sessions() as s:
        user, refused = _resolve(s, config, claims, subject, at)
    if refused is not None or user is None:
        raise refused or SignInRefused("token", "no user")
    return user


def _resolve(s: Session, config: ProviderConfig, claims: dict[str, Any], subject: str,
             at: dt.datetime) -> tuple[User | None, SignInRefused | None]:
    ident = s.scalar(select(OidcIdentity).where(OidcIdentity.issuer == config.issuer,
                                                OidcIdentity.subject == subject))
    role = role_for(config, groups_of(claims, config.groups_claim))
    if role is None:
        return None, _refuse(s, config, "no_group", subject, "you are in no group that gives access to Basira")
    if ident is not None:
        user = s.get(User, ident.user_id)
        if user is None or user.deleted_at is not None or user.org_id != config.org_id:
            return None, _refuse(s, config, "deleted", subject, "this account was removed from Basira")
    else:
        email = str(claims.get("email", "")).lower()
        if config.provisioning == "allowlist" and email not in config.allowlist \
                and subject.lower() not in config.allowlist:
            return None, _refuse(s, config, "not_allowed", subject, "you are not on this organization's list")
        name = _username(claims)
        if s.scalar(select(User.id).where(User.username == name)) is not None:
            return None, _refuse(s, config, "username_taken", subject, "a local account already has this name")
        # No usable password: "oidc!" is not an argon2 hash, so the password form never accepts one.
        user = User(org_id=config.org_id, username=name, password_hash="oidc!" + secrets.token_hex(16), role=role)
        s.add(user)
        s.flush()
        ident = OidcIdentity(org_id=config.org_id, issuer=config.issuer, subject=subject, user_id=user.id)
        s.add(ident)
        audit.record(s, org_id=config.org_id, actor=ACTOR, action="user.create", target=f"user:{user.id}",
                     details={"username": name, "role": role, "via": "oidc", "issuer": config.issuer})
    if user.role != role:
        audit.record(s, org_id=config.org_id, actor=ACTOR, action="user.role", target=f"user:{user.id}",
                     details={"from": user.role, "to": role, "via": "oidc"})
        user.role = role
    ident.last_login_at = at
    user.failed_logins = 0
    audit.record(s, org_id=config.org_id, actor=f"user:{user.username}", action="user.login",
                 target=f"user:{user.id}", details={"via": "oidc", "issuer": config.issuer})
    s.flush()
    return user, None
