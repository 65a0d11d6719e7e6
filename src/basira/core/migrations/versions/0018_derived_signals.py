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
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column("derived", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("share_derived", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_column("share_derived")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_column("derived")
        batch_op.drop_column("details")
