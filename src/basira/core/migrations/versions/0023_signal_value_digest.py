"""signals: uniqueness on the SHA-256 of the value, not on the value itself

PostgreSQL refuses B-tree index rows over 2,704 bytes, so a vPDQ value of more than about fifty frames could not be
stored (HTTP 500). The unique constraint (entry, type, value) becomes (entry, type, value_digest); the index on
(type, value), which no query uses, is dropped. Existing rows get their digest here.

Revision ID: 0023
Revises: 0003
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0003"
branch_labels = None
depends_on = None

_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s_%(column_2_name)s"}
_OLD_SQLITE = "uq_signals_entry_id_signal_type_value"
_OLD_POSTGRES = "signals_entry_id_signal_type_value_key"


def _fill_digests() -> None:
    conn = op.get_bind()
    signals = sa.table("signals", sa.column("id", sa.BigInteger), sa.column("value", sa.Text),
                       sa.column("value_digest", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(signals.c.id, signals.c.value).where(signals.c.id > last)
                            .order_by(signals.c.id).limit(5000)).all()
        if not rows:
            return
        conn.execute(signals.update().where(signals.c.id == sa.bindparam("sid"))
                     .values(value_digest=sa.bindparam("digest")),
                     [{"sid": i, "digest": hashlib.sha256(v.encode("utf-8")).hexdigest()} for i, v in rows])
        last = rows[-1][0]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("signals") as batch:
        batch.add_column(sa.Column("value_digest", sa.String(length=64), nullable=True))
    _fill_digests()
    with op.batch_alter_table("signals", naming_convention=_SQLITE_NAMES if sqlite else None) as batch:
        batch.alter_column("value_digest", existing_type=sa.String(length=64), nullable=False)
        batch.drop_constraint(_OLD_SQLITE if sqlite else _OLD_POSTGRES, type_="unique")
        batch.drop_index("ix_signals_type_value")
        batch.create_unique_constraint("uq_signals_entry_type_digest", ["entry_id", "signal_type", "value_digest"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("signals") as batch:
        batch.drop_constraint("uq_signals_entry_type_digest", type_="unique")
        batch.create_index("ix_signals_type_value", ["signal_type", "value"], unique=False)
        batch.create_unique_constraint(_OLD_SQLITE if sqlite else _OLD_POSTGRES, ["entry_id", "signal_type", "value"])
        batch.drop_column("value_digest")
