"""The drone tables: sensors, raw frames (one hash chain per sensor), tracks and their positions, zones, alerts.

They live on :class:`basira.core.models.Base`; the migration ``0006_drones`` creates them exactly as written here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.hashchain import GENESIS
from basira.core.models import Base, BigId, utcnow


class DroneSensor(Base):
    """A receiver: where it stands, how high its antenna is and how far it is expected to hear.

    ``chain_seq`` and ``chain_hash`` are the head of the sensor's hash chain over the raw frames it delivered.
    """

    __tablename__ = "drone_sensors"
    __table_args__ = (UniqueConstraint("org_id", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    antenna_height_m: Mapped[float] = mapped_column(Float, default=0.0)
    range_m: Mapped[float] = mapped_column(Float, default=1000.0)
    #: How far the sensor may really stand from the position entered (metres; 0016-era sensors: 100).
    position_uncertainty_m: Mapped[float] = mapped_column(Float, default=100.0, server_default="100")
    #: The receiving antenna's gain over isotropic (dBi), which makes every reading that much stronger.
    antenna_gain_dbi: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    #: Ground elevation at the sensor (metres above mean sea level) and the geoid's height over the WGS84
    #: ellipsoid there: they convert a drone's geodetic altitude and heights to the references of zone limits
    #: (AGL, AMSL, WGS84) for the frames the sensor hears (None: unknown).
    ground_elevation_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    geoid_undulation_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    chain_seq: Mapped[int] = mapped_column(BigId, default=0)
    chain_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DroneFrame(Base):
    """A raw frame kept byte for byte, as one link of its sensor's hash chain."""

    __tablename__ = "drone_frames"
    __table_args__ = (
        UniqueConstraint("sensor_id", "seq"),
        Index("ix_drone_frames_track", "track_id", "id"),
        Index("ix_drone_frames_source", "org_id", "source", "received_at"),
        Index("ix_drone_frames_sensor_time", "sensor_id", "received_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    sensor_id: Mapped[int] = mapped_column(ForeignKey("drone_sensors.id"))
    seq: Mapped[int] = mapped_column(BigId)
    received_at: Mapped[dt.datetime] = mapped_column()
    transport: Mapped[str] = mapped_column(String(16))
    rssi: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    counter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    uas_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("drone_tracks.id"), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DroneTrack(Base):
    """One flight of one UAS ID: its last state, its plausibility verdict and reasons, and any allowance."""

    __tablename__ = "drone_tracks"
    __table_args__ = (Index("ix_drone_tracks_uas", "org_id", "uas_id", "status"),
                      Index("ix_drone_tracks_seen", "org_id", "last_seen"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    uas_id: Mapped[str] = mapped_column(String(64))
    id_type: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ua_type: Mapped[int | None] = mapped_column(Integer, nullable=True)
    operator_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active or lost
    verdict: Mapped[str] = mapped_column(String(16), default="plausible")  # plausible, unverified, suspect
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen: Mapped[dt.datetime] = mapped_column()
    last_seen: Mapped[dt.datetime] = mapped_column()
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    alt_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    height_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    speed_mps: Mapped[float | None] = mapped_column(Float, nullable=True)
    heading_deg: Mapped[float | None] = mapped_column(Float, nullable=True)
    drone_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    operator_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    operator_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    position_count: Mapped[int] = mapped_column(Integer, default=0)
    last_sensor_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    #: The authorisation found on an allowlist, shown on the track: bank, entry, window, purpose.
    allowance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Working state of the alert rules (zone presence, debounce counts, what was already raised).
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DronePosition(Base):
    """One reported position of a track."""

    __tablename__ = "drone_positions"
    __table_args__ = (Index("ix_drone_positions_track", "track_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("drone_tracks.id"))
    at: Mapped[dt.datetime] = mapped_column()
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    alt_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    speed_mps: Mapped[float | None] = mapped_column(Float, nullable=True)
    heading_deg: Mapped[float | None] = mapped_column(Float, nullable=True)
    operator_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    operator_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    sensor_id: Mapped[int] = mapped_column(BigId)
    frame_id: Mapped[int | None] = mapped_column(BigId, nullable=True)


class DroneZone(Base):
    """A protected airspace volume: polygon or circle (GeoJSON, lon/lat), altitude band, time windows."""

    __tablename__ = "drone_zones"
    __table_args__ = (UniqueConstraint("org_id", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    ref: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300), default="")
    geometry: Mapped[dict[str, Any]] = mapped_column()
    radius_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    buffer_m: Mapped[float] = mapped_column(Float, default=0.0)
    lower_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    lower_ref: Mapped[str] = mapped_column(String(8), default="AGL")
    upper_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    upper_ref: Mapped[str] = mapped_column(String(8), default="AGL")
    restriction: Mapped[str] = mapped_column(String(40), default="PROHIBITED")
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    authority: Mapped[dict[str, Any]] = mapped_column(default=dict)
    windows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32), default="api")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DroneAlert(Base):
    """An alert raised on a track, and the outbox event that carried it to review."""

    __tablename__ = "drone_alerts"
    __table_args__ = (Index("ix_drone_alerts_org", "org_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    track_id: Mapped[int] = mapped_column(ForeignKey("drone_tracks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[dt.datetime] = mapped_column()
    zone_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    sensor_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evidence_ref: Mapped[str] = mapped_column(String(200), default="")
    event_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    #: When the frame that caused the alert reached the server (ingest-to-alert latency is measured from it).
    received_at: Mapped[dt.datetime] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
