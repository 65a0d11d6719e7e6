"""The drones front's manifest: Remote ID frames, tracks, zones, alerts and the live map's data."""

from __future__ import annotations

from basira.core.fronts import CliGroup, FrontManifest
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
    pages=("basira.web.drones_map:router",),
    demo="basira.drones.demo:seed",
    exercise="basira.drones.exercise:HOOK",
)
