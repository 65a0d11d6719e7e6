"""Offline base maps for the drone map: raster tiles read from a tile archive the operator provides, a PMTiles
file (with the ``pmtiles`` package) or an MBTiles file (SQLite), so that a map works where no tile server can be
reached. Vector tiles (MVT) are not drawn by the map: an archive of them is refused with the reason.
"""

from __future__ import annotations

import gzip
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType

from basira.core.errors import ConfigurationError

#: Raster formats the map draws, by PMTiles tile type and MBTiles ``format``.
_PMTILES_TYPES = {TileType.PNG: "image/png", TileType.JPEG: "image/jpeg", TileType.WEBP: "image/webp"}
_MBTILES_FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
MAX_ZOOM = 24


@dataclass(frozen=True)
class Tile:
    data: bytes
    content_type: str


class TileArchive:
    """One PMTiles or MBTiles archive of raster tiles, opened read-only (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as f:
                magic = f.read(16)
        except OSError as e:
            raise ConfigurationError(f"the drone map's tile archive {path} cannot be read: {e.strerror}") from None
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._reader: Any = None
        if magic.startswith(b"PMTiles"):
            self._file = path.open("rb")
            self._reader = Reader(MmapSource(self._file))  # type: ignore[no-untyped-call]
            header = self._reader.header()
            kind = header.get("tile_type")
            if kind not in _PMTILES_TYPES:
                raise ConfigurationError(f"{path} holds {getattr(kind, 'name', kind)} tiles; the drone map draws "
                                         "raster tiles (PNG, JPEG or WebP)")
            self.content_type = _PMTILES_TYPES[kind]
            self._gzip = header.get("tile_compression") == Compression.GZIP
        elif magic.startswith(b"SQLite format 3\x00"):
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            try:
                row = self._db.execute("SELECT value FROM metadata WHERE name = 'format'").fetchone()
            except sqlite3.DatabaseError:
                raise ConfigurationError(f"{path} is not an MBTiles file (no metadata table)") from None
            fmt = str(row[0]).lower() if row else "png"
            if fmt not in _MBTILES_FORMATS:
                raise ConfigurationError(f"{path} holds {fmt} tiles; the drone map draws raster tiles "
                                         "(PNG, JPEG or WebP)")
            self.content_type = _MBTILES_FORMATS[fmt]
            self._gzip = False
        else:
            raise ConfigurationError(f"{path} is neither a PMTiles nor an MBTiles file")

    def get(self, z: int, x: int, y: int) -> Tile | None:
        """The tile at zoom ``z``, column ``x``, row ``y`` (XYZ, from the north), or None."""
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
            return None
        with self._lock:
            if self._reader is not None:
                data = self._reader.get(z, x, y)
            else:
                assert self._db is not None
                row = self._db.execute("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND "
                                       "tile_row = ?", (z, x, 2 ** z - 1 - y)).fetchone()  # TMS rows
                data = row[0] if row else None
        if not data:
            return None
        return Tile(gzip.decompress(data) if self._gzip else bytes(data), self.content_type)
