"""Each organization's OpenID Connect provider as admins set it: validation, the encrypted secret, audit.

The CLI (``basira oidc``), the API (``/v1/oidc``) and the sign-in page call these functions. The client secret is
never shown again once stored; :func:`describe` says only whether one is set.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import InvalidInput, NotFound
from basira.core.models import Organization, Role, utcnow
from basira.core.principal import Principal
from basira.identity import secrets
from basira.identity.models import OidcProvider

SECRET_PURPOSE = "oidc-client-secret"  # noqa: S105 - a key-derivation label, not a secret
PROVISIONING = ("jit", "allowlist")
MAX_RULES = 50
MAX_ALLOWLIST = 10_000
READ = {Role.ADMIN, Role.AUDITOR}


class RoleRule(TypedDict):
    """One group rule: a member of ``group`` gets ``role`` (the first rule that applies wins)."""

    group: str
    role: str


@dataclass(frozen=True)
class ProviderSpec:
    """What an admin sets; ``client_secret`` None keeps the stored secret (an update of other fields)."""

    issuer: str
    client_id: str
    client_secret: str | None
    display_name: str = ""
    scopes: str = "openid email profile"
    groups_claim: str = "groups"
    role_rules: list[RoleRule] = field(default_factory=list)
    provisioning: str = "jit"
    allowlist: list[str] = field(default_factory=list)
    enabled: bool = True


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_issuer(issuer: str) -> str:
    """The issuer URL without a trailing slash; https, or http on loopback only (a provider run for tests)."""
    issuer = issuer.strip().rstrip("/")
    if not issuer or len(issuer) > 500 or not issuer.isprintable():
        raise InvalidInput("the issuer is an https URL of at most 500 characters")
    parts = urlsplit(issuer)
    host = parts.hostname or ""
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(host)):
        raise InvalidInput("the issuer must be an https URL (http only on this machine's loopback)")
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidInput("the issuer is a plain URL: a host, maybe a path, no user, query or fragment")
    return issuer


def _text(value: str, name: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if (required and not value) or len(value) > limit or not value.isprintable():
        raise InvalidInput(f"the {name} has {'1' if required else '0'}-{limit} printable characters")
    return value


def _rules(rules: list[RoleRule]) -> list[RoleRule]:
    if len(rules) > MAX_RULES:
        raise InvalidInput(f"at most {MAX_RULES} group rules")
    checked: list[RoleRule] = []
    for rule in rules:
        role = str(rule.get("role", ""))
        if role not in {r.value for r in Role}:
            raise InvalidInput(f"unknown role {role[:20]!r} in a group rule ({', '.join(r.value for r in Role)})")
        checked.append({"group": _text(str(rule.get("group", "")), "group of a rule", 300), "role": role})
    return checked


def parse_rule(text: str) -> RoleRule:
    """A rule written ``group=role`` (the CLI's form)."""
    group, sep, role = text.rpartition("=")
    if not sep:
        raise InvalidInput(f"a group rule is written group=role, not {text[:60]!r}")
    return _rules([{"group": group, "role": role.strip()}])[0]


def set_provider(session: Session, principal: Principal, instance_secret: str, org_id: int,
                 spec: ProviderSpec) -> OidcProvider:
    """Create or replace the organization's provider (admins of that organization; audited, secret excluded)."""
    principal.require_admin()
    if org_id != principal.org_id:
        principal.require_operator()
    if spec.provisioning not in PROVISIONING:
        raise InvalidInput(f"provisioning is one of {', '.join(PROVISIONING)}")
    if len(spec.allowlist) > MAX_ALLOWLIST:
        raise InvalidInput(f"at most {MAX_ALLOWLIST} names on the allow-list")
    scopes = _text(spec.scopes, "scopes", 300)
    if "openid" not in scopes.split():
        raise InvalidInput("the scopes must include openid")
    values: dict[str, Any] = {
        "issuer": check_issuer(spec.issuer), "client_id": _text(spec.client_id, "client id", 300),
        "display_name": _text(spec.display_name, "display name", 200, required=False),
        "scopes": scopes, "groups_claim": _text(spec.groups_claim, "groups claim", 100),
        "role_rules": _rules(spec.role_rules), "provisioning": spec.provisioning,
        "allowlist": sorted({_text(a, "allow-list name", 300).lower() for a in spec.allowlist}),
        "enabled": spec.enabled, "updated_at": utcnow(),
    }
    row = session.get(OidcProvider, org_id)
    if spec.client_secret is not None:
        values["client_secret_enc"] = secrets.encrypt(
            instance_secret, _text(spec.client_secret, "client secret", 1000), SECRET_PURPOSE)
    elif row is None:
        raise InvalidInput("a new provider needs its client secret")
    if row is None:
        row = OidcProvider(org_id=org_id, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    shown = {k: v for k, v in values.items() if k not in ("client_secret_enc", "updated_at", "allowlist")}
    audit.record(session, org_id=org_id, actor=principal.actor, action="oidc.set", target=f"org:{org_id}",
                 details={**shown, "allowlist_size": len(values["allowlist"]),
                          "secret_changed": spec.client_secret is not None})
    return row


def get_provider(session: Session, principal: Principal, org_id: int) -> OidcProvider:
    """The organization's provider (admins and auditors may look); NotFound when none is set."""
    principal.require(READ, "read the identity provider settings")
    if org_id != principal.org_id:
        principal.require_operator()
    row = session.get(OidcProvider, org_id)
    if row is None:
        raise NotFound("this organization has no identity provider")
    return row


def remove_provider(session: Session, principal: Principal, org_id: int) -> None:
    """Remove the provider: its users keep their accounts but can no longer sign in through it."""
    row = get_provider(session, principal, org_id)
    principal.require_admin()
    session.delete(row)
    session.flush()
    audit.record(session, org_id=org_id, actor=principal.actor, action="oidc.remove", target=f"org:{org_id}",
                 details={"issuer": row.issuer})


def client_secret(provider: OidcProvider, instance_secret: str) -> str:
    return secrets.decrypt(instance_secret, provider.client_secret_enc, SECRET_PURPOSE)


def describe(provider: OidcProvider) -> dict[str, Any]:
    """The provider as the CLI and API show it: everything but the secret."""
    return {"org_id": provider.org_id, "display_name": provider.display_name, "issuer": provider.issuer,
            "client_id": provider.client_id, "has_client_secret": bool(provider.client_secret_enc),
            "scopes": provider.scopes, "groups_claim": provider.groups_claim, "role_rules": provider.role_rules,
            "provisioning": provider.provisioning, "allowlist": provider.allowlist, "enabled": provider.enabled,
            "updated_at": provider.updated_at.isoformat()}


@dataclass(frozen=True)
class SignInChoice:
    """One "Sign in with ..." button of the sign-in page."""

    slug: str
    label: str


def sign_in_choices(session: Session) -> list[SignInChoice]:
    """Every enabled provider, by organization name: what the sign-in page offers."""
    rows = session.execute(select(Organization.slug, Organization.name, OidcProvider.display_name)
                           .join(OidcProvider, OidcProvider.org_id == Organization.id)
                           .where(OidcProvider.enabled.is_(True)).order_by(Organization.name)).all()
    return [SignInChoice(slug, display or name) for slug, name, display in rows]
