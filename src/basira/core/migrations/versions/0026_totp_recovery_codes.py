"""single-use recovery codes of the TOTP second factor

Revision ID: 0026
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0026"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "web_totp_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", basira.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", basira.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_web_totp_recovery_codes_user_id", "web_totp_recovery_codes", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_web_totp_recovery_codes_user_id", table_name="web_totp_recovery_codes")
    op.drop_table("web_totp_recovery_codes")
