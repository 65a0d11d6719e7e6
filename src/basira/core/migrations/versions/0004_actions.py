"""actions tables: webhooks, actions, deliveries and their attempts

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _time() -> basira.core.models.UTCDateTime:
    return basira.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('action_webhooks',
    sa.Column('id', _ID, nullable=False),
    sa.Column('org_id', _ID, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', _time(), nullable=False),
    sa.Column('updated_at', _time(), nullable=False),
    sa.Column('deleted_at', _time(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_action_webhooks_org_id', 'action_webhooks', ['org_id'], unique=False)

    op.create_table('action_actions',
    sa.Column('id', _ID, nullable=False),
    sa.Column('org_id', _ID, nullable=False),
    sa.Column('event_id', _ID, nullable=False),
    sa.Column('webhook_event', sa.String(length=64), nullable=False),
    sa.Column('case_id', _ID, nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('undoes_action_id', _ID, nullable=True),
    sa.Column('undone_by', sa.String(length=200), nullable=True),
    sa.Column('undone_at', _time(), nullable=True),
    sa.Column('undo_reason', sa.Text(), nullable=False),
    sa.Column('created_at', _time(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    op.create_index('ix_action_actions_org_id', 'action_actions', ['org_id'], unique=False)
    op.create_index('ix_action_actions_case_id', 'action_actions', ['case_id'], unique=False)

    op.create_table('action_deliveries',
    sa.Column('id', _ID, nullable=False),
    sa.Column('org_id', _ID, nullable=False),
    sa.Column('webhook_id', _ID, nullable=False),
    sa.Column('action_id', _ID, nullable=False),
    sa.Column('webhook_event', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', _time(), nullable=False),
    sa.Column('first_attempt_at', _time(), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', _time(), nullable=False),
    sa.Column('delivered_at', _time(), nullable=True),
    sa.Column('dead_at', _time(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action_actions.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.ForeignKeyConstraint(['webhook_id'], ['action_webhooks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('webhook_id', 'action_id')
    )
    op.create_index('ix_action_deliveries_due', 'action_deliveries', ['status', 'next_attempt_at'], unique=False)
    op.create_index('ix_action_deliveries_org_id', 'action_deliveries', ['org_id'], unique=False)
    op.create_index('ix_action_deliveries_webhook_id', 'action_deliveries', ['webhook_id'], unique=False)
    op.create_index('ix_action_deliveries_action_id', 'action_deliveries', ['action_id'], unique=False)

    op.create_table('action_delivery_attempts',
    sa.Column('id', _ID, nullable=False),
    sa.Column('delivery_id', _ID, nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('at', _time(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['action_deliveries.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_action_delivery_attempts_delivery_id', 'action_delivery_attempts', ['delivery_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_action_delivery_attempts_delivery_id', table_name='action_delivery_attempts')
    op.drop_table('action_delivery_attempts')
    for name in ('action_id', 'webhook_id', 'org_id'):
        op.drop_index(f'ix_action_deliveries_{name}', table_name='action_deliveries')
    op.drop_index('ix_action_deliveries_due', table_name='action_deliveries')
    op.drop_table('action_deliveries')
    op.drop_index('ix_action_actions_case_id', table_name='action_actions')
    op.drop_index('ix_action_actions_org_id', table_name='action_actions')
    op.drop_table('action_actions')
    op.drop_index('ix_action_webhooks_org_id', table_name='action_webhooks')
    op.drop_table('action_webhooks')
