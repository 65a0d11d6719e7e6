"""The drones front's settings (``BASIRA_DRONES_*``): the tiles of the live drone map.

Read them with ``settings.of(DroneSettings)``; they are loaded from the environment with the core settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DroneSettings:
    """The drone map's tiles. The metadata ``help`` is the documentation of each one."""

    drones_tile_url: str = field(
        default="",
        metadata={"help": "Tile URL template of the drone map (e.g. https://tiles.example/{z}/{x}/{y}.png); "
                          "empty: a plain vector map."},
    )
    drones_tile_archive: str = field(
        default="",
        metadata={"help": "A PMTiles or MBTiles file of raster tiles (PNG, JPEG or WebP) to draw the drone map "
                          "from, offline; used when no tile URL is set. Empty, with no tile URL: built-in "
                          "coastlines and borders."},
    )
    drones_tile_attribution: str = field(
        default="", metadata={"help": "Attribution shown under the drone map's tiles, as their licence asks."},
    )
    drones_map_recent_hours: float = field(
        default=24.0,
        metadata={"help": "The drone map also draws, greyed, the paths of tracks lost within this many hours "
                          "(an operator who opens the map after a flight still sees it); 0 shows active tracks only."},
    )
