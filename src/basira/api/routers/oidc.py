"""The organization's identity provider (OpenID Connect): admins set, read and remove it; auditors read it.

The client secret is written, never read back: the answer says only whether one is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import errors
from basira.identity import providers

router = APIRouter(prefix="/v1/oidc", tags=["identity"], responses=errors(401, 403, 422))


class RoleRuleIn(BaseModel):
    """Members of ``group`` get ``role``; the first rule that applies wins."""

    group: str = Field(min_length=1, max_length=300, examples=["basira-reviewers"])
    role: str = Field(min_length=1, max_length=16, examples=["reviewer"])


class ProviderIn(BaseModel):
    """The organization's OpenID Connect provider; ``client_secret`` left out keeps the stored one."""

    issuer: str = Field(min_length=1, max_length=500, examples=["https://login.example.org/realms/acme"])
    client_id: str = Field(min_length=1, max_length=300)
    client_secret: str | None = Field(default=None, min_length=1, max_length=1000)
    display_name: str = Field(default="", max_length=200)
    scopes: str = Field(default="openid email profile", max_length=300)
    groups_claim: str = Field(default="groups", min_length=1, max_length=100)
    role_rules: list[RoleRuleIn] = Field(default_factory=list, max_length=providers.MAX_RULES)
    provisioning: str = Field(default="jit", description="`jit` (users created at first sign-in) or `allowlist`.")
    allowlist: list[str] = Field(default_factory=list, max_length=providers.MAX_ALLOWLIST,
                                 description="E-mail addresses or subjects allowed when provisioning is allowlist.")
    enabled: bool = True


@router.get("", responses=errors(404))
def show_provider(inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """The organization's identity provider, without its secret."""
    with inst.db.session() as s:
        return providers.describe(providers.get_provider(s, principal, principal.org_id))


@router.put("", responses=errors(422))
def set_provider(body: ProviderIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Create or replace the organization's identity provider (admins; audited without the secret)."""
    spec = providers.ProviderSpec(
        issuer=body.issuer, client_id=body.client_id, client_secret=body.client_secret,
        display_name=body.display_name, scopes=body.scopes, groups_claim=body.groups_claim,
        role_rules=[{"group": r.group, "role": r.role} for r in body.role_rules], provisioning=body.provisioning,
        allowlist=body.allowlist, enabled=body.enabled)
    with inst.db.session() as s:
        return providers.describe(providers.set_provider(s, principal, inst.secret_key, principal.org_id, spec))


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, responses=errors(404))
def remove_provider(inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Remove the identity provider; its users can no longer sign in through it (local accounts stay)."""
    with inst.db.session() as s:
        providers.remove_provider(s, principal, principal.org_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
