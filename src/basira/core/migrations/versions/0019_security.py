"""security: the audit chain's keying mark, server-side web sessions (revocable) and counts of near-threshold queries against match-only signals

Revision ID: 0019
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0019"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = basira.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("audit_heads") as batch:
        batch.add_column(sa.Column("keyed_from", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("seal", sa.String(length=64), nullable=False, server_default=""))
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("ended_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "probe_counts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("signal_id", _ID, nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["signal_id"], ["signals.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "signal_id", "hour"),
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_heads") as batch:
        batch.drop_column("seal")
        batch.drop_column("keyed_from")
    op.drop_table("probe_counts")
    op.drop_index("ix_web_sessions_user_id", "web_sessions")
    op.drop_table("web_sessions")
