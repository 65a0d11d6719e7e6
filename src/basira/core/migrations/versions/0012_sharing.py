"""sharing: TAXII feeds, received STIX objects, TAXII add-object statuses

Revision ID: 0012
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0012"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = basira.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sharing_feeds",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("bank_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("api_root", sa.String(length=2000), nullable=False),
        sa.Column("collection_id", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("added_after", sa.String(length=40), nullable=True),
        sa.Column("next_cursor", sa.String(length=500), nullable=True),
        sa.Column("last_sync_at", _TS, nullable=True),
        sa.Column("last_success_at", _TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("objects_received", _ID, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name"),
    )
    op.create_index("ix_sharing_feeds_org_id", "sharing_feeds", ["org_id"])
    op.create_index("ix_sharing_feeds_bank_id", "sharing_feeds", ["bank_id"])
    op.create_table(
        "sharing_received",
        sa.Column("id", _ID, nullable=False),
        sa.Column("bank_id", _ID, nullable=False),
        sa.Column("feed_id", _ID, nullable=True),
        sa.Column("stix_id", sa.String(length=100), nullable=False),
        sa.Column("signal_type", sa.String(length=32), nullable=False),
        sa.Column("value_key", sa.String(length=64), nullable=False),
        sa.Column("signal_id", _ID, nullable=True),
        sa.Column("modified", sa.String(length=40), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"]),
        sa.ForeignKeyConstraint(["feed_id"], ["sharing_feeds.id"]),
        sa.ForeignKeyConstraint(["signal_id"], ["signals.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bank_id", "stix_id", "signal_type", "value_key"),
    )
    op.create_index("ix_sharing_received_signal", "sharing_received", ["signal_id"])
    op.create_table(
        "sharing_taxii_status",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("request_timestamp", _TS, nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sharing_taxii_status_org_id", "sharing_taxii_status", ["org_id"])


def downgrade() -> None:
    op.drop_index("ix_sharing_taxii_status_org_id", table_name="sharing_taxii_status")
    op.drop_table("sharing_taxii_status")
    op.drop_index("ix_sharing_received_signal", table_name="sharing_received")
    op.drop_table("sharing_received")
    op.drop_index("ix_sharing_feeds_bank_id", table_name="sharing_feeds")
    op.drop_index("ix_sharing_feeds_org_id", table_name="sharing_feeds")
    op.drop_table("sharing_feeds")
