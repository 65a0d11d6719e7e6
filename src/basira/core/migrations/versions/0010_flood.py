"""flood control: hourly hit counts per signal, and a signal's quarantine

Revision ID: 0010
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0010"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "signal_hit_counts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("signal_id", _ID, nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["signal_id"], ["signals.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("signal_id", "hour"),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quarantined_at", basira.core.models.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_column("quarantined_at")
    op.drop_table("signal_hit_counts")
