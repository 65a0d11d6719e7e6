"""finance tables: list imports and their deltas, monitored customers, screening settings

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('finance_list_imports',
    sa.Column('id', _ID, nullable=False),
    sa.Column('org_id', _ID, nullable=False),
    sa.Column('bank_id', _ID, nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('published_at', basira.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('file_path', sa.String(length=1000), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('rescreened', sa.Integer(), nullable=False),
    sa.Column('new_hits', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', basira.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('finance_list_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finance_list_imports_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finance_list_imports_org_id'), ['org_id'], unique=False)

    op.create_table('finance_list_changes',
    sa.Column('id', _ID, nullable=False),
    sa.Column('import_id', _ID, nullable=False),
    sa.Column('entry_id', _ID, nullable=False),
    sa.Column('ref', sa.String(length=300), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ),
    sa.ForeignKeyConstraint(['import_id'], ['finance_list_imports.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('finance_list_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finance_list_changes_import_id'), ['import_id'], unique=False)

    op.create_table('finance_customers',
    sa.Column('id', _ID, nullable=False),
    sa.Column('org_id', _ID, nullable=False),
    sa.Column('ref', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('created_at', basira.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('screened_at', basira.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'ref')
    )
    with op.batch_alter_table('finance_customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finance_customers_org_id'), ['org_id'], unique=False)

    op.create_table('finance_screening_settings',
    sa.Column('org_id', _ID, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('bank_ids', sa.JSON(), nullable=True),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', basira.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('org_id')
    )


def downgrade() -> None:
    op.drop_table('finance_screening_settings')
    with op.batch_alter_table('finance_customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finance_customers_org_id'))
    op.drop_table('finance_customers')
    with op.batch_alter_table('finance_list_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finance_list_changes_import_id'))
    op.drop_table('finance_list_changes')
    with op.batch_alter_table('finance_list_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finance_list_imports_org_id'))
        batch_op.drop_index(batch_op.f('ix_finance_list_imports_bank_id'))
    op.drop_table('finance_list_imports')
