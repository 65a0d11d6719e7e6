"""setup tokens: the one-time token that claims an empty instance from the web

Revision ID: 0011
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0011"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "setup_tokens",
        sa.Column("id", _ID, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", basira.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", basira.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", basira.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )


def downgrade() -> None:
    op.drop_table("setup_tokens")
