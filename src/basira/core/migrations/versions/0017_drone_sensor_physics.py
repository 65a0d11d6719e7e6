"""drones: a sensor's position uncertainty, antenna gain, ground elevation and geoid undulation; frames by sensor and time

Revision ID: 0017
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drone_sensors") as batch:
        batch.add_column(sa.Column("position_uncertainty_m", sa.Float(), nullable=False, server_default="100"))
        batch.add_column(sa.Column("antenna_gain_dbi", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("ground_elevation_m", sa.Float(), nullable=True))
        batch.add_column(sa.Column("geoid_undulation_m", sa.Float(), nullable=True))
    # A frame sent again (same sensor, receive time and bytes) is found and skipped.
    op.create_index("ix_drone_frames_sensor_time", "drone_frames", ["sensor_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_drone_frames_sensor_time", table_name="drone_frames")
    with op.batch_alter_table("drone_sensors") as batch:
        batch.drop_column("geoid_undulation_m")
        batch.drop_column("ground_elevation_m")
        batch.drop_column("antenna_gain_dbi")
        batch.drop_column("position_uncertainty_m")
