"""Protected zones: geometry in metres (circles and buffers through a local azimuthal projection), time windows,
altitude bands, a fast containment index (shapely STRtree over prepared geometries), and zone storage.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import shapely  # type: ignore[import-untyped]
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.models import Role, as_id, utcnow
from basira.core.principal import Principal
from basira.drones.models import DroneZone
from basira.drones.zonefiles import DAYS, ZoneSpec, _reference, windows_from

GEOD = Geod(ellps="WGS84")
MAX_RADIUS_M = 500_000.0
MAX_BUFFER_M = 100_000.0
MAX_VERTICES = 100_000
ZONE_WRITERS = {Role.ADMIN, Role.ANALYST}


@functools.lru_cache(maxsize=4096)
def _aeqd(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    """Forward and back transformers of an azimuthal equidistant projection centred on (lon, lat): distances
    from the centre are true there, so a buffer of r metres is a true r-metre buffer."""
    proj = f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m"
    return (Transformer.from_crs("EPSG:4326", proj, always_xy=True),
            Transformer.from_crs(proj, "EPSG:4326", always_xy=True))


def circle(lon: float, lat: float, radius: float, segments: int = 72) -> BaseGeometry:
    """A geodesic circle: ``segments`` points at ``radius`` metres on the WGS84 ellipsoid (exact, and fast)."""
    az = np.linspace(0.0, 360.0, segments, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(segments, lon), np.full(segments, lat), az, np.full(segments, radius))
    return shapely.Polygon(np.column_stack([lons, lats]))


def buffer_m(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """``geom`` (lon/lat) grown by ``metres`` (shrunk when negative), computed in metres."""
    if metres == 0:
        return geom
    c = geom.centroid
    # Projections are shared by zones whose centres fall in one quarter-degree cell: building one costs tens of
    # milliseconds, and 30 km off its centre an azimuthal equidistant projection is still true to 1e-5.
    fwd, back = _aeqd(round(c.x * 4) / 4, round(c.y * 4) / 4)
    local = shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    grown = local.buffer(metres, quad_segs=16)
    return shapely.transform(grown, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))


def _check_coords(geom: BaseGeometry) -> None:
    coords = shapely.get_coordinates(geom)
    if len(coords) > MAX_VERTICES:
        raise InvalidInput(f"a zone has at most {MAX_VERTICES} vertices")
    if not np.isfinite(coords).all() or (np.abs(coords[:, 0]) > 180).any() or (np.abs(coords[:, 1]) > 90).any():
        raise InvalidInput("zone coordinates are [longitude, latitude] within ±180 and ±90")


def zone_geometry(geometry: dict[str, Any], radius_m: float | None, buffer: float = 0.0) -> BaseGeometry:
    """The zone's area in lon/lat: a polygon as given, or a circle of ``radius_m`` around a point, plus buffer."""
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon", "Point"}:
        raise InvalidInput("a zone's geometry is a GeoJSON Polygon, MultiPolygon, or a Point with a radius")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.GEOSException):
        raise InvalidInput("the zone's coordinates do not make a valid geometry") from None
    _check_coords(geom)
    if geom.is_empty:
        raise InvalidInput("the zone's geometry is empty")
    if not (0 <= buffer <= MAX_BUFFER_M) or not math.isfinite(buffer):
        raise InvalidInput(f"a buffer is 0-{MAX_BUFFER_M:.0f} m")
    if isinstance(geom, Point):
        if radius_m is None or not (0 < radius_m <= MAX_RADIUS_M):
            raise InvalidInput(f"a circle zone needs a radius of 0-{MAX_RADIUS_M:.0f} m")
        return circle(geom.x, geom.y, radius_m + buffer)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        if geom.area == 0:
            raise InvalidInput("the zone's polygon has no area")
    return buffer_m(geom, buffer)


def window_active(windows: Sequence[dict[str, Any]], at: dt.datetime) -> bool:
    """Whether any window covers ``at`` (UTC); no window at all means always active."""
    if not windows:
        return True
    t = at.astimezone(dt.UTC)
    clock = t.strftime("%H:%M:%S")
    day = DAYS[t.weekday()]
    for w in windows:
        start, end = w.get("start"), w.get("end")
        if start and t < dt.datetime.fromisoformat(start):
            continue
        if end and t > dt.datetime.fromisoformat(end):
            continue
        schedule = w.get("schedule") or []
        if not schedule:
            return True
        for s in schedule:
            days = s.get("days") or ["ANY"]
            if "ANY" not in days and day not in days:
                continue
            lo, hi = s.get("start") or "00:00:00", s.get("end") or "23:59:59"
            if (lo <= clock <= hi) if lo <= hi else (clock >= lo or clock <= hi):
                return True
    return False


@dataclass
class CompiledZone:
    """A zone ready for containment checks: its area, the larger area used for exits (hysteresis), its band."""

    id: int
    ref: str
    name: str
    geom: BaseGeometry
    exit_geom: BaseGeometry
    lower_m: float | None
    lower_ref: str
    upper_m: float | None
    upper_ref: str
    windows: list[dict[str, Any]]
    restriction: str

    def band(self, alt: Altitudes) -> str:
        """Whether the drone is within the zone's altitude limits: ``in``, ``out``, or ``possible`` when its
        altitude in a limit's reference is unknown or too uncertain to tell (a drone that does not say how high
        it is may be inside, and is shown as possibly inside, never as inside)."""
        state = IN
        for limit, ref, upper in ((self.lower_m, self.lower_ref, False), (self.upper_m, self.upper_ref, True)):
            if limit is None:
                continue
            span = alt.interval(ref)
            if span is None:
                state = POSSIBLE
                continue
            lo, hi = span
            if (lo > limit) if upper else (hi < limit):
                return OUT
            if (hi > limit) if upper else (lo < limit):
                state = POSSIBLE
        return state

    def in_band(self, alt_geo: float | None, height_agl: float | None) -> bool:
        """Whether the altitude may be within the band (inside or possibly inside)."""
        return self.band(Altitudes(alt_geo=alt_geo, height_agl=height_agl)) != OUT


IN, OUT, POSSIBLE = "in", "out", "possible"
#: The geoid's height over the WGS84 ellipsoid stays within these metres worldwide (EGM2008: -107 to +86): the
#: uncertainty of an AMSL altitude derived from a geodetic one when the sensor's geoid undulation is not set.
GEOID_SPREAD_M = 107.0
#: Pressure altitude (STD, flight levels) and altitude above mean sea level differ with the weather by this much
#: at most in practice (±30 hPa).
PRESSURE_SPREAD_M = 250.0


@dataclass(frozen=True, slots=True)
class Altitudes:
    """What is known of a drone's altitude: the Location message's geodetic altitude (WGS84 ellipsoid), its
    height with its reference (above ground, or above the take-off point), its pressure altitude, and the
    receiving sensor's ground elevation (AMSL) and geoid undulation, which convert between references."""

    alt_geo: float | None = None
    height_agl: float | None = None
    height_takeoff: float | None = None
    alt_baro: float | None = None
    ground_amsl: float | None = None
    geoid_m: float | None = None

    def _amsl(self) -> tuple[float, float] | None:
        if self.alt_geo is not None:
            if self.geoid_m is not None:
                return self.alt_geo - self.geoid_m, self.alt_geo - self.geoid_m
            return self.alt_geo - GEOID_SPREAD_M, self.alt_geo + GEOID_SPREAD_M
        h = self.height_agl if self.height_agl is not None else self.height_takeoff
        if h is not None and self.ground_amsl is not None:
            return self.ground_amsl + h, self.ground_amsl + h
        return None

    def interval(self, ref: str) -> tuple[float, float] | None:
        """The drone's altitude in ``ref`` (AGL, AMSL, WGS84 or STD) as a (lowest, highest) interval, or None."""
        if ref == "AGL":
            if self.height_agl is not None:
                return self.height_agl, self.height_agl
            amsl = self._amsl() if self.alt_geo is not None else None
            if amsl is not None and self.ground_amsl is not None:
                return amsl[0] - self.ground_amsl, amsl[1] - self.ground_amsl
            if self.height_takeoff is not None:
                # Height above the take-off point stands for height above ground (documented in docs/drones.md).
                return self.height_takeoff, self.height_takeoff
            return None
        if ref == "WGS84":
            if self.alt_geo is not None:
                return self.alt_geo, self.alt_geo
            amsl = self._amsl()
            if amsl is None:
                return None
            if self.geoid_m is None:
                return amsl[0] - GEOID_SPREAD_M, amsl[1] + GEOID_SPREAD_M
            return amsl[0] + self.geoid_m, amsl[1] + self.geoid_m
        if ref == "STD" and self.alt_baro is not None:
            return self.alt_baro, self.alt_baro
        amsl = self._amsl()
        if ref == "STD":
            return None if amsl is None else (amsl[0] - PRESSURE_SPREAD_M, amsl[1] + PRESSURE_SPREAD_M)
        return amsl


class ZoneIndex:
    """Containment of many points in many zones: one STRtree query over prepared geometries per batch."""

    def __init__(self, zones: Sequence[CompiledZone], hysteresis_m: float = 0.0) -> None:
        self.zones = list(zones)
        self.hysteresis_m = hysteresis_m
        #: zone id (as text, the key of a track's zone state) -> position in ``zones``
        self.position_of = {str(z.id): i for i, z in enumerate(self.zones)}
        geoms = [z.geom for z in self.zones]
        for g in geoms:
            shapely.prepare(g)
        self._tree = shapely.STRtree(geoms)
        exits = [z.exit_geom for z in self.zones]
        for g in exits:
            shapely.prepare(g)
        self._exit_tree = shapely.STRtree(exits)

    def __len__(self) -> int:
        return len(self.zones)

    def containing(self, lons: Sequence[float], lats: Sequence[float], *, exit_area: bool = False) -> list[list[int]]:
        """For each point, the indexes (into ``zones``) of the zones whose area holds it."""
        if not self.zones or not len(lons):
            return [[] for _ in range(len(lons))]
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        return _query_many(self._exit_tree if exit_area else self._tree, points)

    def containing_point(self, lon: float, lat: float, *, exit_area: bool = False) -> list[int]:
        """The zones whose area holds one point (the per-observation path of ingest)."""
        if not self.zones:
            return []
        tree = self._exit_tree if exit_area else self._tree
        return [int(i) for i in tree.query(Point(lon, lat), predicate="intersects")]

    def nearby_many(self, lines: Sequence[BaseGeometry]) -> list[list[int]]:
        """Zones whose area meets each of ``lines`` (the paths drones would fly in the next seconds), in one query."""
        if not self.zones or not len(lines):
            return [[] for _ in range(len(lines))]
        return _query_many(self._tree, np.asarray(lines, dtype=object))


def _query_many(tree: shapely.STRtree, geoms: np.ndarray) -> list[list[int]]:
    """For each of ``geoms``, the indexes of the tree's geometries that it meets (one tree query for all)."""
    out: list[list[int]] = [[] for _ in range(len(geoms))]
    idx, hits = tree.query(geoms, predicate="intersects")
    for g, z in zip(idx.tolist(), hits.tolist(), strict=True):
        out[g].append(z)
    return out


def zone_view(z: DroneZone) -> dict[str, Any]:
    """A zone as the API and the command line show it."""
    return {"id": z.id, "ref": z.ref, "name": z.name, "source": z.source, "restriction": z.restriction,
            "geometry": z.geometry, "radius_m": z.radius_m, "buffer_m": z.buffer_m, "lower_m": z.lower_m,
            "lower_ref": z.lower_ref, "upper_m": z.upper_m, "upper_ref": z.upper_ref, "reasons": z.reasons,
            "authority": z.authority, "windows": z.windows, "message": z.message}


def compile_zone(z: DroneZone, hysteresis_m: float = 0.0) -> CompiledZone:
    geom = zone_geometry(z.geometry, z.radius_m, z.buffer_m)
    if not hysteresis_m:
        exit_geom = geom
    elif z.geometry.get("type") == "Point" and z.radius_m:
        # A circle's exit area is a wider circle: no projection needed.
        lon, lat = z.geometry["coordinates"][:2]
        exit_geom = circle(float(lon), float(lat), z.radius_m + z.buffer_m + hysteresis_m)
    else:
        exit_geom = buffer_m(geom, hysteresis_m)
    return CompiledZone(z.id, z.ref, z.name, geom, exit_geom,
                        z.lower_m, z.lower_ref, z.upper_m, z.upper_ref, list(z.windows), z.restriction)


def naive_containing(zones: Sequence[CompiledZone], lon: float, lat: float) -> list[int]:
    """The baseline the benchmark compares with: every zone tested in turn, unprepared."""
    p = Point(lon, lat)
    return [i for i, z in enumerate(zones) if z.geom.contains(p)]


# --- storage ---------------------------------------------------------------------------------------------------------

def _validated(spec: ZoneSpec) -> ZoneSpec:
    spec.ref = spec.ref.strip()
    if not spec.ref or len(spec.ref) > 120 or not spec.ref.isprintable():
        raise InvalidInput("a zone reference has 1-120 printable characters")
    if len(spec.name) > 300:
        raise InvalidInput("a zone name has at most 300 characters")
    zone_geometry(spec.geometry, spec.radius_m, spec.buffer_m)
    spec.lower_ref, spec.upper_ref = _reference(spec.lower_ref), _reference(spec.upper_ref)
    for v in (spec.lower_m, spec.upper_m):
        if v is not None and not (math.isfinite(v) and -1000 <= v <= 100_000):
            raise InvalidInput("altitude limits are -1,000 to 100,000 m")
    if spec.lower_m is not None and spec.upper_m is not None and spec.lower_ref == spec.upper_ref \
            and spec.lower_m > spec.upper_m:
        raise InvalidInput("the lower limit is above the upper limit")
    # Windows given by hand go through the same normaliser as file windows (ISO times, known days).
    spec.windows = windows_from([{"startDateTime": w.get("start"), "endDateTime": w.get("end"),
                                  "schedule": [{"day": s.get("days"), "startTime": s.get("start"),
                                                "endTime": s.get("end")} for s in w.get("schedule") or []]}
                                 for w in spec.windows]) if spec.windows else []
    return spec


def _apply(z: DroneZone, spec: ZoneSpec) -> None:
    for name in ("ref", "name", "geometry", "radius_m", "buffer_m", "lower_m", "lower_ref", "upper_m",
                 "upper_ref", "restriction", "reasons", "authority", "windows", "message", "source"):
        setattr(z, name, getattr(spec, name))


class ZoneCache(Protocol):
    """Whatever keeps compiled zones in memory (the drone service): told when an organization's zones changed."""

    def forget_zones(self, org_id: int) -> None: ...


# Weak: a cache lives as long as its instance's service, and a changed zone must not keep a dead one alive.
_caches: weakref.WeakSet[Any] = weakref.WeakSet()


def watch_changes(cache: ZoneCache) -> None:
    """Have ``cache`` forget an organization's zones whenever a transaction that changed them commits."""
    _caches.add(cache)


def _forget_after_commit(session: Session, org_id: int) -> None:
    """Once the change is committed (not before: a reader would cache the old zones again), tell every cache."""
    def forget(_session: Session) -> None:
        for cache in list(_caches):
            cache.forget_zones(org_id)

    event.listen(session, "after_commit", forget, once=True)


def save_zones(session: Session, principal: Principal, specs: Sequence[ZoneSpec], *,
               replace: bool = False) -> list[DroneZone]:
    """Create zones (all or none); with ``replace`` an existing reference is overwritten, else a Conflict."""
    principal.require(ZONE_WRITERS, "change drone zones")
    clean = [_validated(s) for s in specs]
    refs = [s.ref for s in clean]
    if len(set(refs)) != len(refs):
        raise InvalidInput("two zones in the request have the same reference")
    existing = {z.ref: z for z in session.scalars(select(DroneZone).where(
        DroneZone.org_id == principal.org_id, DroneZone.ref.in_(refs)))}
    if existing and not replace:
        raise Conflict(f"zone {sorted(existing)[0]!r} exists (import with replace to overwrite)")
    out = []
    for spec in clean:
        z = existing.get(spec.ref) or DroneZone(org_id=principal.org_id)
        _apply(z, spec)
        z.enabled = True
        z.updated_at = utcnow()
        session.add(z)
        out.append(z)
    session.flush()
    _forget_after_commit(session, principal.org_id)
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="drones.zones.save",
                 target=f"zones:{len(out)}", details={"refs": refs[:50], "replace": replace})
    return out


def get_zone(session: Session, principal: Principal, ref: str | int) -> DroneZone:
    zid = as_id(ref)
    q = select(DroneZone).where(DroneZone.org_id == principal.org_id)
    z = session.scalar(q.where(DroneZone.id == zid) if zid is not None else q.where(DroneZone.ref == ref))
    if z is None or not z.enabled:
        raise NotFound(f"no zone {ref!r}")
    return z


def delete_zone(session: Session, principal: Principal, ref: str | int) -> None:
    """Disable a zone (the row stays for the alerts that cite it) and free its reference."""
    principal.require(ZONE_WRITERS, "change drone zones")
    z = get_zone(session, principal, ref)
    z.enabled = False
    z.ref = f"{z.ref[:100]} (deleted {z.id})"
    z.updated_at = utcnow()
    _forget_after_commit(session, principal.org_id)
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="drones.zones.delete",
                 target=f"zone:{z.id}")


def replace_zone(session: Session, principal: Principal, ref: str | int, spec: ZoneSpec) -> DroneZone:
    """Overwrite the zone ``ref`` with ``spec``; its reference may change (the old one is then deleted)."""
    old = get_zone(session, principal, ref)
    if spec.ref != old.ref:
        delete_zone(session, principal, old.id)
    return save_zones(session, principal, [spec], replace=True)[0]


def list_zones(session: Session, org_id: int) -> list[DroneZone]:
    return list(session.scalars(select(DroneZone).where(DroneZone.org_id == org_id, DroneZone.enabled.is_(True))
                                .order_by(DroneZone.id)))


def zones_version(session: Session, org_id: int) -> tuple[int, str]:
    """A cheap fingerprint of an organization's zones: a cached index is rebuilt when it changes."""
    n, latest = session.execute(select(func.count(), func.max(DroneZone.updated_at))
                                .where(DroneZone.org_id == org_id)).one()
    return int(n or 0), str(latest)


def paths_ahead(lons: Sequence[float], lats: Sequence[float], headings: Sequence[float],
                distances_m: Sequence[float]) -> list[BaseGeometry]:
    """The straight paths from each (lon, lat) along its heading for its distance in metres, on the ellipsoid (one
    geodesic computation over arrays)."""
    if not len(lons):
        return []
    x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    x2, y2, _ = GEOD.fwd(x, y, np.asarray(headings, dtype=float), np.asarray(distances_m, dtype=float))
    coords = np.stack([np.column_stack([x, y]), np.column_stack([x2, y2])], axis=1)
    return list(shapely.linestrings(coords))


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres."""
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])
