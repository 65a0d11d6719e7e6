"""exercise: the exercise flag of organizations; exercises and the injects of their scenarios

Revision ID: 0022
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0022"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, basira.core.models.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # A plain ADD COLUMN (never a batch copy of the table: SQLite would drop it under the rows that refer to it).
    op.add_column("organizations", sa.Column("exercise", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "exercises",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _at("started_at"),
        _at("ended_at", nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id"),
    )
    op.create_table(
        "exercise_injects",
        sa.Column("id", _ID, nullable=False),
        sa.Column("exercise_id", _ID, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at_s", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("injected_by", sa.String(length=200), nullable=True),
        _at("injected_at", nullable=True),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercises.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exercise_id", "ref"),
    )
    op.create_index("ix_exercise_injects_exercise_id", "exercise_injects", ["exercise_id"])


def downgrade() -> None:
    op.drop_index("ix_exercise_injects_exercise_id", table_name="exercise_injects")
    op.drop_table("exercise_injects")
    op.drop_table("exercises")
    op.drop_column("organizations", "exercise")
