"""derived signals: a signal's details and derived flag, and whether a bank shares its derived signals

Revision ID: 0018
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with a constant default, no table copy: SQLite would have to drop ``banks`` to copy it,
    # which its foreign keys forbid once entries exist.
    op.add_column("signals", sa.Column("details", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    op.add_column("signals", sa.Column("derived", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("banks", sa.Column("share_derived", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("banks", "share_derived")
    op.drop_column("signals", "derived")
    op.drop_column("signals", "details")
