"""Zones without a database: metres-true circles and buffers, the STRtree index against the naive loop, time
windows, altitude bands, and the shared ED-269/ED-318 samples."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from shapely.geometry import Point

from basira.core.errors import InvalidInput
from basira.drones.zonefiles import parse_zone_file
from basira.drones.zones import (
    Altitudes,
    CompiledZone,
    ZoneIndex,
    buffer_m,
    distance_m,
    naive_containing,
    window_active,
    zone_geometry,
)


def compiled(i: int, geom: object, **kw: object) -> CompiledZone:
    args: dict[str, object] = dict(lower_m=None, lower_ref="AGL", upper_m=None, upper_ref="AGL", windows=[],
                                   restriction="PROHIBITED")
    args.update(kw)
    return CompiledZone(i, f"z{i}", "", geom, geom, **args)  # type: ignore[arg-type]


def test_a_circle_has_its_radius_in_metres_at_any_latitude() -> None:
    for lat in (0.0, 46.0, 69.0):
        g = zone_geometry({"type": "Point", "coordinates": [7.0, lat]}, 1000)
        xs, ys = g.exterior.coords.xy
        d = [distance_m(7.0, lat, x, y) for x, y in zip(xs, ys, strict=True)]
        assert 995 < min(d) and max(d) < 1001


def test_a_buffer_grows_a_polygon_by_metres() -> None:
    square = {"type": "Polygon", "coordinates": [[[7, 46], [7.01, 46], [7.01, 46.01], [7, 46.01], [7, 46]]]}
    g = zone_geometry(square, None, buffer=200)
    assert g.contains(Point(7.0 - 0.002, 46.005))  # 153 m west of the edge
    assert not g.contains(Point(7.0 - 0.0035, 46.005))  # 268 m west
    assert buffer_m(g, 0) is g


def test_index_finds_exactly_what_the_naive_loop_finds() -> None:
    rng = random.Random(7)
    zones = [compiled(i, zone_geometry({"type": "Point", "coordinates": [rng.uniform(6, 8), rng.uniform(46, 47)]},
                                       rng.uniform(200, 5000))) for i in range(150)]
    index = ZoneIndex(zones)
    lons = [rng.uniform(6, 8) for _ in range(400)]
    lats = [rng.uniform(46, 47) for _ in range(400)]
    found = index.containing(lons, lats)
    assert any(found)
    for lon, lat, hit in zip(lons, lats, found, strict=True):
        assert sorted(hit) == naive_containing(zones, lon, lat)


@pytest.mark.parametrize(("when", "active"), [
    ("2019-06-01T16:30:00+00:00", True),  # any day, 16:00-17:00
    ("2019-06-01T18:00:00+00:00", False),  # Saturday evening: no schedule covers it
    ("2019-06-02T11:00:00+00:00", True),  # Sunday 10:00-12:00
    ("2020-06-01T16:30:00+00:00", False),  # after the window's end
])
def test_ed318_schedule_decides_when_a_zone_is_active(shared_data: Path, when: str, active: bool) -> None:
    spec = parse_zone_file((shared_data / "zones" / "ed318_Example_GeoZone_2_Layers.json").read_bytes())[0]
    assert window_active(spec.windows, dt.datetime.fromisoformat(when)) is active


def test_no_window_means_always_and_overnight_schedules_wrap() -> None:
    assert window_active([], dt.datetime.now(dt.UTC))
    night = [{"start": None, "end": None, "schedule": [{"days": ["ANY"], "start": "22:00:00", "end": "06:00:00"}]}]
    assert window_active(night, dt.datetime(2024, 1, 1, 23, tzinfo=dt.UTC))
    assert not window_active(night, dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC))


def test_altitude_band_uses_its_reference_and_unknown_altitude_is_possibly_inside() -> None:
    z = compiled(1, Point(0, 0).buffer(1), lower_m=50, upper_m=150, upper_ref="AMSL")
    assert z.band(Altitudes(alt_geo=100, height_agl=60, geoid_m=0)) == "in"
    assert z.band(Altitudes(alt_geo=100, height_agl=30, geoid_m=0)) == "out"  # under the AGL floor
    assert z.band(Altitudes(alt_geo=200, height_agl=60, geoid_m=0)) == "out"  # over the AMSL ceiling
    assert z.band(Altitudes()) == "possible"
    # Without the geoid undulation a geodetic altitude says little about AMSL: near the ceiling it is possible.
    assert z.band(Altitudes(alt_geo=200, height_agl=60)) == "possible"
    assert z.band(Altitudes(alt_geo=400, height_agl=60)) == "out"


def test_agl_limits_from_geodetic_altitude_with_ground_elevation_or_height_above_take_off() -> None:
    z = compiled(1, Point(0, 0).buffer(1), lower_m=50, upper_m=120)  # 50-120 m above ground
    # The reported case: a drone that never rose above 11 m (height above take-off) is not in the zone.
    assert z.band(Altitudes(height_takeoff=11.0)) == "out"
    assert z.band(Altitudes(height_takeoff=80.0)) == "in"
    # Geodetic altitude 611 m, ground 500 m AMSL, geoid 50 m above the ellipsoid: 61 m above ground.
    assert z.band(Altitudes(alt_geo=611.0, ground_amsl=500.0, geoid_m=50.0)) == "in"
    low = Altitudes(alt_geo=561.0, ground_amsl=500.0, geoid_m=50.0)
    assert z.band(low) == "out" and low.interval("AGL") == (11.0, 11.0)
    assert z.band(Altitudes(alt_geo=611.0)) == "possible"  # no ground elevation: unknown AGL
    wgs = compiled(2, Point(0, 0).buffer(1), lower_m=None, upper_m=600, upper_ref="WGS84")
    assert wgs.band(Altitudes(alt_geo=611.0)) == "out" and wgs.band(Altitudes(alt_geo=590.0)) == "in"
    std = compiled(3, Point(0, 0).buffer(1), lower_m=None, upper_m=1000, upper_ref="STD")
    assert std.band(Altitudes(alt_baro=900.0)) == "in" and std.band(Altitudes(alt_baro=1100.0)) == "out"


def test_every_shared_zone_file_imports_and_the_invalid_example_is_refused(shared_data: Path) -> None:
    counts = {}
    for path in sorted((shared_data / "zones").glob("*.json")):
        if "Invalid" in path.name:
            with pytest.raises(InvalidInput, match="validFrom"):
                parse_zone_file(path.read_bytes())
            continue
        specs = parse_zone_file(path.read_bytes())
        for s in specs:
            zone_geometry(s.geometry, s.radius_m, s.buffer_m)
        assert len({s.ref for s in specs}) == len(specs)
        counts[path.name] = len(specs)
    assert counts["interuss_cis_source_sample_ed269.json"] == 1
    assert counts["interuss_cis_source_sample_ed318.json"] == 3
    assert counts["ed318_Example_GeoZone_2_Layers.json"] == 2  # one zone per layer
    assert counts["interuss_geo-awareness-che-1_ed269.json"] == 10


def test_ed269_circles_feet_and_authority_are_read(shared_data: Path) -> None:
    specs = parse_zone_file((shared_data / "zones" / "interuss_geo-awareness-che-1_ed269.json").read_bytes())
    montreux = specs[0]
    assert montreux.geometry["type"] == "Point" and montreux.radius_m == 3000
    assert montreux.upper_ref == "AMSL" and montreux.authority["name"] == "Local Canton"
    feet = [s for s in specs if s.upper_m is not None and s.upper_m % 1]
    assert feet, "limits given in FT are converted to metres"
    circle = parse_zone_file((shared_data / "zones" / "ed318_Example_GeoZone_Circle.json").read_bytes())[0]
    assert circle.radius_m == 3500 and circle.lower_m == 50 and circle.reasons == ["POPULATION", "NATURE"]
