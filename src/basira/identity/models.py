"""The identity tables: each organization's OpenID Connect provider, sign-ins in flight, and linked identities.

The client secret is stored encrypted with the instance key (:mod:`basira.identity.secrets`); a sign-in in flight
is kept under the SHA-256 of its ``state``, so that the database never holds a value a browser could replay.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow


class OidcProvider(Base):
    """An organization's identity provider: where it is, who Basira is to it, and how its claims become roles.

    ``role_rules`` is an ordered list of ``{"group": ..., "role": ...}``: the first rule whose group is among the
    user's groups gives the role; a user matching no rule may not sign in. ``provisioning`` is ``jit`` (a user is
    created at their first sign-in) or ``allowlist`` (only the e-mail addresses or subjects in ``allowlist``).
    """

    __tablename__ = "identity_oidc_providers"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(300))
    client_secret_enc: Mapped[str] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(String(300), default="openid email profile")
    groups_claim: Mapped[str] = mapped_column(String(100), default="groups")
    role_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    provisioning: Mapped[str] = mapped_column(String(16), default="jit")
    allowlist: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OidcLogin(Base):
    """One sign-in in flight, from the redirect to the provider until its callback (used once)."""

    __tablename__ = "identity_oidc_logins"
    state_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class OidcIdentity(Base):
    """A provider's subject linked to one Basira user (the subject, not the e-mail, is the stable key)."""

    __tablename__ = "identity_oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
