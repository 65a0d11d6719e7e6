"""The drone map's offline base map: raster tiles from an operator's PMTiles or MBTiles archive."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from tests.web.test_drones_map import signed_in

from basira.core.errors import ConfigurationError
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.drones.settings import DroneSettings
from basira.drones.tiles import TileArchive
from basira.web import drones_map

PNG = b"\x89PNG\r\n\x1a\n" + b"tile-3-4-2"


def mbtiles(path: Path, fmt: str = "png") -> Path:
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, "
                     "tile_column INTEGER, tile_row INTEGER, tile_data BLOB);")
    db.execute("INSERT INTO metadata VALUES ('format', ?)", (fmt,))
    db.execute("INSERT INTO tiles VALUES (3, 4, 5, ?)", (PNG,))  # TMS row 5 = XYZ row 2 at zoom 3
    db.commit()
    db.close()
    return path


def pmtiles(path: Path, kind: TileType = TileType.PNG) -> Path:
    with path.open("wb") as f:
        w = Writer(f)
        w.write_tile(zxy_to_tileid(3, 4, 2), PNG)
        w.finalize({"tile_type": kind, "tile_compression": Compression.NONE, "min_zoom": 3, "max_zoom": 3,
                    "min_lon_e7": 0, "min_lat_e7": 0, "max_lon_e7": 10_000_000, "max_lat_e7": 10_000_000,
                    "center_zoom": 3, "center_lon_e7": 0, "center_lat_e7": 0}, {"attribution": "test"})
    return path


@pytest.mark.parametrize("make", [mbtiles, pmtiles])
def test_a_tile_archive_serves_its_raster_tiles_by_xyz(tmp_path: Path, make: Any) -> None:
    archive = TileArchive(make(tmp_path / "base"))
    tile = archive.get(3, 4, 2)
    assert tile is not None and tile.data == PNG and tile.content_type == "image/png"
    assert archive.get(3, 4, 3) is None and archive.get(3, 99, 2) is None and archive.get(-1, 0, 0) is None


def test_vector_or_unknown_archives_are_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="MVT tiles"):
        TileArchive(pmtiles(tmp_path / "v.pmtiles", TileType.MVT))
    with pytest.raises(ConfigurationError, match="pbf tiles"):
        TileArchive(mbtiles(tmp_path / "v.mbtiles", "pbf"))
    (tmp_path / "x.bin").write_bytes(b"hello")
    with pytest.raises(ConfigurationError, match="neither"):
        TileArchive(tmp_path / "x.bin")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_map_draws_from_the_archive_through_this_server(client: Any, instance: Instance, admin: Principal,
                                                            tmp_path: Path) -> None:
    path = mbtiles(tmp_path / "base.mbtiles")
    own = dataclasses.replace(instance.settings.of(DroneSettings), drones_tile_archive=str(path))
    instance.settings = instance.settings.with_section(own)
    signed_in(client, instance, admin, "alice")
    page = client.get("/drones")
    assert 'data-tile-url="/drones/tiles/{z}/{x}/{y}"' in page.text
    assert "img-src 'self' data:;" in page.headers["content-security-policy"]
    r = client.get("/drones/tiles/3/4/2")
    assert r.status_code == 200 and r.content == PNG and r.headers["content-type"] == "image/png"
    assert client.get("/drones/tiles/3/4/3").status_code == 404
    drones_map._archive.cache_clear()
