"""chain gaps: runs of hash-chain links deleted by a retention rule, so the chain still verifies

Revision ID: 0021
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0021"
down_revision = "0014"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chain_gaps",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("chain", sa.String(length=100), nullable=False),
        sa.Column("first_seq", _ID, nullable=False),
        sa.Column("last_seq", _ID, nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("created_at", basira.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", basira.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_chain_gaps_chain", "chain_gaps", ["chain", "first_seq"])


def downgrade() -> None:
    op.drop_index("ix_chain_gaps_chain", table_name="chain_gaps")
    op.drop_table("chain_gaps")
