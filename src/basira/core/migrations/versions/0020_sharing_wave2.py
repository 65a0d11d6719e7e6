"""sharing: opinions sent back per feed, exchanges (ThreatExchange), crisis incidents, subscribers, notifications

Revision ID: 0020
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0020"
down_revision = "0012"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = basira.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sharing_feeds") as batch:
        batch.add_column(sa.Column("opinions_after", _TS, nullable=True))
        batch.add_column(sa.Column("opinions_sent", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("push_secret_enc", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "sharing_exchanges",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("bank_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("api", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=False),
        sa.Column("collab", sa.String(length=200), nullable=False),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("checkpoint", sa.JSON(), nullable=False),
        sa.Column("last_sync_at", _TS, nullable=True),
        sa.Column("last_success_at", _TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("fetched", _ID, nullable=False),
        sa.Column("opinions_after", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name"),
    )
    op.create_index("ix_sharing_exchanges_org_id", "sharing_exchanges", ["org_id"])
    op.create_index("ix_sharing_exchanges_bank_id", "sharing_exchanges", ["bank_id"])
    op.create_table(
        "sharing_exchange_records",
        sa.Column("id", _ID, nullable=False),
        sa.Column("exchange_id", _ID, nullable=False),
        sa.Column("signal_id", _ID, nullable=False),
        sa.Column("indicator_type", sa.String(length=64), nullable=False),
        sa.Column("descriptor_ids", sa.JSON(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["exchange_id"], ["sharing_exchanges.id"]),
        sa.ForeignKeyConstraint(["signal_id"], ["signals.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exchange_id", "signal_id"),
    )
    op.create_index("ix_sharing_exchange_records_exchange_id", "sharing_exchange_records", ["exchange_id"])
    op.create_table(
        "sharing_incidents",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("bank_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("declared_by", sa.String(length=200), nullable=False),
        sa.Column("declared_at", _TS, nullable=False),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("debrief", sa.Text(), nullable=False),
        sa.Column("last_event_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sharing_incidents_org_id", "sharing_incidents", ["org_id"])
    op.create_index("ix_sharing_incidents_bank_id", "sharing_incidents", ["bank_id"])
    op.create_table(
        "sharing_subscribers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name"),
    )
    op.create_index("ix_sharing_subscribers_org_id", "sharing_subscribers", ["org_id"])
    op.create_table(
        "sharing_notifications",
        sa.Column("id", _ID, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("subscriber_id", _ID, nullable=False),
        sa.Column("signals", sa.Integer(), nullable=False),
        sa.Column("sent_at", _TS, nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["sharing_incidents.id"]),
        sa.ForeignKeyConstraint(["subscriber_id"], ["sharing_subscribers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sharing_notifications_incident_id", "sharing_notifications", ["incident_id"])


def downgrade() -> None:
    op.drop_table("sharing_notifications")
    op.drop_table("sharing_subscribers")
    op.drop_table("sharing_incidents")
    op.drop_table("sharing_exchange_records")
    op.drop_table("sharing_exchanges")
    with op.batch_alter_table("sharing_feeds") as batch:
        batch.drop_column("push_secret_enc")
        batch.drop_column("opinions_sent")
        batch.drop_column("opinions_after")
