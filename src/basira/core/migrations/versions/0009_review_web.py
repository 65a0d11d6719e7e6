"""web pages of review: organization page settings, pending TOTP enrolments, reviewers' daily exposure

Revision ID: 0009
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0009"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "web_org_settings",
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("require_totp", sa.Boolean(), nullable=False),
        sa.Column("item_media_url", sa.String(length=500), nullable=False),
        sa.Column("entry_media_url", sa.String(length=500), nullable=False),
        sa.Column("updated_at", basira.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_table(
        "web_totp_enrolments",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", basira.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "web_exposures",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("web_exposures")
    op.drop_table("web_totp_enrolments")
    op.drop_table("web_org_settings")
