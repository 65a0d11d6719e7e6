"""identity and retention: OpenID Connect providers, sign-ins in flight, linked identities, retention rules, holds

Revision ID: 0013
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0013"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = basira.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "identity_oidc_providers",
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=300), nullable=False),
        sa.Column("client_secret_enc", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(length=300), nullable=False),
        sa.Column("groups_claim", sa.String(length=100), nullable=False),
        sa.Column("role_rules", sa.JSON(), nullable=False),
        sa.Column("provisioning", sa.String(length=16), nullable=False),
        sa.Column("allowlist", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_table(
        "identity_oidc_logins",
        sa.Column("state_sha256", sa.String(length=64), nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("redirect_uri", sa.String(length=1000), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("state_sha256"),
    )
    op.create_table(
        "identity_oidc_identities",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_login_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_index("ix_identity_oidc_identities_org_id", "identity_oidc_identities", ["org_id"])
    op.create_table(
        "retention_rules",
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("org_id", "kind"),
    )
    op.create_table(
        "retention_holds",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", _TS, nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("released_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retention_holds_subject", "retention_holds", ["org_id", "subject"])


def downgrade() -> None:
    op.drop_index("ix_retention_holds_subject", table_name="retention_holds")
    op.drop_table("retention_holds")
    op.drop_table("retention_rules")
    op.drop_index("ix_identity_oidc_identities_org_id", table_name="identity_oidc_identities")
    op.drop_table("identity_oidc_identities")
    op.drop_table("identity_oidc_logins")
    op.drop_table("identity_oidc_providers")
