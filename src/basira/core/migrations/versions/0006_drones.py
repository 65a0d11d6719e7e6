"""drones: sensors, raw frames with one hash chain per sensor, tracks, positions, zones, alerts

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import basira.core.models

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, basira.core.models.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "drone_sensors",
        sa.Column("id", ID, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("antenna_height_m", sa.Float(), nullable=False),
        sa.Column("range_m", sa.Float(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("chain_seq", ID, nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "ref"),
    )
    op.create_index("ix_drone_sensors_org_id", "drone_sensors", ["org_id"])

    op.create_table(
        "drone_tracks",
        sa.Column("id", ID, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("uas_id", sa.String(length=64), nullable=False),
        sa.Column("id_type", sa.Integer(), nullable=True),
        sa.Column("ua_type", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        _time("first_seen"),
        _time("last_seen"),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("alt_m", sa.Float(), nullable=True),
        sa.Column("height_m", sa.Float(), nullable=True),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("drone_status", sa.Integer(), nullable=True),
        sa.Column("operator_lat", sa.Float(), nullable=True),
        sa.Column("operator_lon", sa.Float(), nullable=True),
        sa.Column("position_count", sa.Integer(), nullable=False),
        sa.Column("last_sensor_id", ID, nullable=True),
        sa.Column("allowance", sa.JSON(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_drone_tracks_uas", "drone_tracks", ["org_id", "uas_id", "status"])
    op.create_index("ix_drone_tracks_seen", "drone_tracks", ["org_id", "last_seen"])

    op.create_table(
        "drone_frames",
        sa.Column("id", ID, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("sensor_id", ID, nullable=False),
        sa.Column("seq", ID, nullable=False),
        _time("received_at"),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("rssi", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("counter", sa.Integer(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("uas_id", sa.String(length=64), nullable=True),
        sa.Column("track_id", ID, nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["sensor_id"], ["drone_sensors.id"]),
        sa.ForeignKeyConstraint(["track_id"], ["drone_tracks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sensor_id", "seq"),
    )
    op.create_index("ix_drone_frames_track", "drone_frames", ["track_id", "id"])
    op.create_index("ix_drone_frames_source", "drone_frames", ["org_id", "source", "received_at"])

    op.create_table(
        "drone_positions",
        sa.Column("id", ID, nullable=False),
        sa.Column("track_id", ID, nullable=False),
        _time("at"),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("alt_m", sa.Float(), nullable=True),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("operator_lat", sa.Float(), nullable=True),
        sa.Column("operator_lon", sa.Float(), nullable=True),
        sa.Column("sensor_id", ID, nullable=False),
        sa.Column("frame_id", ID, nullable=True),
        sa.ForeignKeyConstraint(["track_id"], ["drone_tracks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_drone_positions_track", "drone_positions", ["track_id", "at"])

    op.create_table(
        "drone_zones",
        sa.Column("id", ID, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("ref", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column("buffer_m", sa.Float(), nullable=False),
        sa.Column("lower_m", sa.Float(), nullable=True),
        sa.Column("lower_ref", sa.String(length=8), nullable=False),
        sa.Column("upper_m", sa.Float(), nullable=True),
        sa.Column("upper_ref", sa.String(length=8), nullable=False),
        sa.Column("restriction", sa.String(length=40), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("authority", sa.JSON(), nullable=False),
        sa.Column("windows", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "ref"),
    )
    op.create_index("ix_drone_zones_org_id", "drone_zones", ["org_id"])

    op.create_table(
        "drone_alerts",
        sa.Column("id", ID, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("track_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        _time("at"),
        sa.Column("zone_id", ID, nullable=True),
        sa.Column("sensor_id", ID, nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("evidence_ref", sa.String(length=200), nullable=False),
        sa.Column("event_id", ID, nullable=True),
        _time("received_at"),
        _time("created_at"),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["track_id"], ["drone_tracks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_drone_alerts_org", "drone_alerts", ["org_id", "id"])
    op.create_index("ix_drone_alerts_track_id", "drone_alerts", ["track_id"])


def downgrade() -> None:
    for table in ("drone_alerts", "drone_zones", "drone_positions", "drone_frames", "drone_tracks",
                  "drone_sensors"):
        op.drop_table(table)
