"""Zones with altitude limits end to end: the drone's altitude in each limit's reference decides; an unknown
altitude raises alerts marked "possibly inside"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.drones.helpers import basic, frame, system
from tests.drones.test_api import circle_zone, east
from tests.factories import Api

from basira.drones.remoteid import Location

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # the database is covered by the API tests


def loc(lat: float, lon: float, *, height: float | None, height_type: int = 0,
        alt: float | None = None) -> Location:
    return Location(status=2, height_type=height_type, direction=90.0, speed_horizontal=1.0, speed_vertical=0.0,
                    latitude=lat, longitude=lon, altitude_baro=None, altitude_geo=alt, height=height)


def fly(dapi: Api, make: Any, n: int = 150, uas: str = "1581F5FKD229400C0001") -> list[dict[str, Any]]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=n + 5)
    op_lat, op_lon = east(500)  # the operator stands in the zone too
    frames = [frame("north", basic(uas), make(*east(490 + i * 0.1)), system(op_lat, op_lon),
                    at=start + dt.timedelta(seconds=i), counter=i) for i in range(n)]
    r = dapi.post("/v1/drones/frames", json={"frames": frames})
    assert r.status_code == 200, r.text
    return list(r.json()["alerts"])


def test_a_drone_below_a_zone_floor_above_ground_raises_nothing(dapi: Api) -> None:
    # The reported case: a 50-120 m AGL zone, a drone at 11 m above its take-off point for 150 s.
    assert dapi.post("/v1/drones/zones", json=circle_zone(lower_m=50, upper_m=120)).status_code == 201
    assert fly(dapi, lambda lat, lon: loc(lat, lon, height=11.0)) == []
    # Higher up, inside the band: ENTER and LOITER, both inside for sure; the operator on the ground is not.
    alerts = fly(dapi, lambda lat, lon: loc(lat, lon, height=80.0), uas="1581F5FKD229400C0002")
    assert [a["alert_kind"] for a in alerts] == ["ENTER", "LOITER"]
    assert all(a["details"]["altitude"] == "inside" for a in alerts)


def test_an_unknown_altitude_is_possibly_inside_and_shown_as_such(dapi: Api) -> None:
    assert dapi.post("/v1/drones/zones", json=circle_zone(lower_m=50, upper_m=120)).status_code == 201
    alerts = fly(dapi, lambda lat, lon: loc(lat, lon, height=None), n=5)
    assert [a["alert_kind"] for a in alerts] == ["ENTER"]
    assert alerts[0]["details"]["altitude"] == "possibly inside"


def test_geodetic_altitude_against_agl_limits_uses_the_sensor_ground_elevation(dapi: Api) -> None:
    assert dapi.patch("/v1/drones/sensors/north", json={"ground_elevation_m": 500.0,
                                                        "geoid_undulation_m": 50.0}).status_code == 200
    assert dapi.post("/v1/drones/zones", json=circle_zone(lower_m=50, upper_m=120)).status_code == 201
    # 561 m above the ellipsoid = 511 m AMSL = 11 m above the ground: below the floor.
    assert fly(dapi, lambda lat, lon: loc(lat, lon, height=None, alt=561.0), n=5) == []
    alerts = fly(dapi, lambda lat, lon: loc(lat, lon, height=None, alt=631.0), n=5, uas="1581F5FKD229400C0003")
    assert [a["alert_kind"] for a in alerts] == ["ENTER"] and alerts[0]["details"]["altitude"] == "inside"
