"""The map's data: a flight lost while nobody watched stays drawn, with its path, for the recent window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from basira.core.demo import DemoContext
from basira.core.instance import Instance
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.drones import mapdata
from basira.drones.demo import FLIGHT_S, UAS_ID, seed_drones
from basira.drones.ingest import service


def _flown(instance: Instance, admin: Principal, tmp_path: Path) -> None:
    seed_drones(DemoContext(inst=instance, admin=admin, work=tmp_path, files=tmp_path / "try"))


def test_a_lost_flight_is_drawn_with_its_whole_path_within_the_window(
        instance: Instance, admin: Principal, tmp_path: Path) -> None:
    _flown(instance, admin, tmp_path)
    later = utcnow() + dt.timedelta(minutes=5)
    with instance.db.session() as s:
        service(instance).sweep_lost(s, admin.org_id, later)
        (track,) = mapdata.recent_tracks(s, admin.org_id, later, hours=1)
    assert track["uas_id"] == UAS_ID and track["status"] == "lost"
    path = track["path"]
    assert len(path) == FLIGHT_S  # one position a second, under the thinning limit
    lons = [lon for _, lon in path]
    assert lons == sorted(lons)  # flown west to east, oldest first


def test_the_window_and_its_off_switch(instance: Instance, admin: Principal, tmp_path: Path) -> None:
    _flown(instance, admin, tmp_path)
    later = utcnow() + dt.timedelta(minutes=5)
    with instance.db.session() as s:
        service(instance).sweep_lost(s, admin.org_id, later)
        assert mapdata.recent_tracks(s, admin.org_id, later, hours=0) == []
        assert mapdata.recent_tracks(s, admin.org_id, later + dt.timedelta(hours=2), hours=1) == []


def test_a_long_path_is_thinned_but_keeps_its_last_point(
        instance: Instance, admin: Principal, tmp_path: Path, monkeypatch: object) -> None:
    _flown(instance, admin, tmp_path)
    later = utcnow() + dt.timedelta(minutes=5)
    with instance.db.session() as s:
        service(instance).sweep_lost(s, admin.org_id, later)
        full = mapdata.recent_tracks(s, admin.org_id, later, hours=1)[0]["path"]
        mapdata.PATH_POINTS, saved = 7, mapdata.PATH_POINTS
        try:
            thin = mapdata.recent_tracks(s, admin.org_id, later, hours=1)[0]["path"]
        finally:
            mapdata.PATH_POINTS = saved
    assert len(thin) <= 8 and thin[0] == full[0] and thin[-1] == full[-1]
