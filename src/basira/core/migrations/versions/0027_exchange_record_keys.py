"""exchange records keyed by the exchange's own record key (NCMEC entries, file lines), for deletions

Revision ID: 0027
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sharing_exchange_records") as batch:
        batch.add_column(sa.Column("record_key", sa.String(300), nullable=False, server_default=""))
    op.create_index("ix_sharing_exchange_records_key", "sharing_exchange_records", ["exchange_id", "record_key"])


def downgrade() -> None:
    op.drop_index("ix_sharing_exchange_records_key", table_name="sharing_exchange_records")
    with op.batch_alter_table("sharing_exchange_records") as batch:
        batch.drop_column("record_key")
