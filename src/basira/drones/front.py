"""The drones front's manifest: Remote ID frames, tracks, zones, alerts and the live map's data."""

from __future__ import annotations

from basira.core.fronts import CliGroup, FrontManifest, RetentionKind, RetentionPart
from basira.drones.cases import DRONE_ALERT
from basira.drones.settings import DroneSettings

MANIFEST = FrontManifest(
    name="drones",
    description="Drone Remote ID: sensors, frames, tracks, protected zones, alerts and watch lists.",
    signal_types=(
        "basira.drones.signals:UasIdSignal",
        "basira.drones.signals:OperatorIdSignal",
    ),
    content_types=frozenset({"drone_frame"}),
    case_kinds=(DRONE_ALERT,),
    settings=DroneSettings,
    models=("basira.drones.models",),
    routers=("basira.api.routers.drones:router",),
    cli=(CliGroup("drones", "basira.cli.drones:cli_app"),),
    pages=("basira.web.drones_map:router", "basira.web.admin_drones:router"),
    demo="basira.drones.demo:seed",
    reports={"incident": "basira.drones.incident:incident_report"},
    retention=(
        # Frames are the largest table: deleted in the database batch by batch, each sensor's chain keeping a
        # record of the runs deleted so that its verification still passes (basira.core.chaingaps).
        RetentionKind("drone_frames", "raw drone frames", default_days=30, parts=(
            RetentionPart(table="drone_frames", age_column="received_at", subjects=(("track", "track_id"),),
                          bulk=True, chain=("sensor_id", "seq", "prev_hash", "hash")),)),
        RetentionKind("drone_tracks", "drone tracks with their positions and alerts", default_days=180, parts=(
            RetentionPart(table="drone_tracks", age_column="last_seen", subjects=(("track", "id"),),
                          children=(("drone_positions", "track_id"), ("drone_alerts", "track_id")),
                          # Frames keep their own rule; they only forget the track.
                          detach=(("drone_frames", "track_id"),)),)),
    ),
    exercise="basira.drones.exercise:HOOK",
)
