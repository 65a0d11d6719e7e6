"""legal: authorities, removal orders and their one-hour clocks, preservations, notices, complaints

Revision ID: 0014
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0014"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, basira.core.models.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "legal_authorities",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("member_state", sa.String(length=2), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("key_kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        _at("created_at"),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name"),
    )
    op.create_table(
        "legal_clocks",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        _at("started_at"),
        _at("deadline_at"),
        _at("paused_at", True),
        sa.Column("pause_reason", sa.Text(), nullable=False),
        _at("near_sent_at", True),
        _at("missed_sent_at", True),
        _at("stopped_at", True),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_legal_clocks_due", "legal_clocks", ["state", "deadline_at"])
    op.create_table(
        "legal_orders",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("authority_id", _ID, nullable=False),
        sa.Column("clock_id", _ID, nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("member_state", sa.String(length=2), nullable=False),
        sa.Column("urls", sa.JSON(), nullable=False),
        sa.Column("locating_info", sa.Text(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.String(length=200), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        _at("no_disclosure_until", True),
        sa.Column("redress", sa.Text(), nullable=False),
        sa.Column("signatory", sa.String(length=300), nullable=False),
        _at("issued_at", True),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("authenticated", sa.Boolean(), nullable=False),
        _at("received_at"),
        sa.Column("receipt", sa.String(length=64), nullable=False),
        sa.Column("received_by", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("unknown_content", sa.Boolean(), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("duplicate_of", _ID, nullable=True),
        sa.Column("action", sa.String(length=16), nullable=True),
        _at("executed_at", True),
        sa.Column("confirmed_by", sa.String(length=200), nullable=True),
        sa.Column("not_executed_grounds", sa.Text(), nullable=False),
        _at("reinstated_at", True),
        sa.Column("reinstated_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["authority_id"], ["legal_authorities.id"]),
        sa.ForeignKeyConstraint(["clock_id"], ["legal_clocks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("authority_id", "reference"),
    )
    op.create_index("ix_legal_orders_org_id", "legal_orders", ["org_id"])
    op.create_index("ix_legal_orders_clock_id", "legal_orders", ["clock_id"])
    op.create_table(
        "legal_preservations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=True),
        sa.Column("case_id", _ID, nullable=True),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _at("created_at"),
        _at("expires_at"),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["legal_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_legal_preservations_org_id", "legal_preservations", ["org_id"])
    op.create_index("ix_legal_preservations_order_id", "legal_preservations", ["order_id"])
    op.create_index("ix_legal_preservations_expires_at", "legal_preservations", ["expires_at"])
    op.create_table(
        "legal_notices",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("content_ref", sa.String(length=500), nullable=False),
        _at("held_until", True),
        _at("released_at", True),
        _at("created_at"),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["legal_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_legal_notices_org_id", "legal_notices", ["org_id"])
    op.create_index("ix_legal_notices_order_id", "legal_notices", ["order_id"])
    op.create_table(
        "legal_complaints",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("complainant", sa.String(length=300), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        _at("received_at"),
        _at("due_at"),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        _at("decided_at", True),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["legal_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_legal_complaints_org_id", "legal_complaints", ["org_id"])
    op.create_index("ix_legal_complaints_order_id", "legal_complaints", ["order_id"])


def downgrade() -> None:
    for table in ("legal_complaints", "legal_notices", "legal_preservations", "legal_orders", "legal_clocks",
                  "legal_authorities"):
        op.drop_table(table)
