"""Drones that send no Basic ID are tracked by their radio's address; frames heard before a Basic ID join the
track once it names the drone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.drones.helpers import UAS, basic, frame, location
from tests.drones.test_api import circle_zone, east
from tests.factories import Api

from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.drones import sensors, zones
from basira.drones.capture import replay
from basira.drones.ingest import service
from basira.drones.models import DroneFrame, DroneTrack
from basira.drones.remoteid import Frame
from basira.drones.zonefiles import ZoneSpec


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_capture_without_basic_id_makes_a_track_by_radio_address_and_raises_zone_alerts(
        instance: Instance, admin: Principal, shared_data: Path) -> None:
    # opendroneid's Wi-Fi NAN sample: 31 positions, never a Basic ID.
    frames: list[Frame] = []
    replay(shared_data / "remoteid" / "odid_wifi_sample.pcap", frames.append)
    with instance.db.session() as s:
        sensor = sensors.create_sensor(s, admin, sensors.SensorSpec(ref="s", lat=45.5450, lon=-122.9723))
        zones.save_zones(s, admin, [ZoneSpec(ref="z", radius_m=500.0, geometry={
            "type": "Point", "coordinates": [-122.9723, 45.5450]})])
        report = service(instance).ingest_decoded(s, admin, [(f, sensor) for f in frames if f.ok])
        assert report.awaiting_id == 42
    with instance.db.session() as s:
        (track,) = s.query(DroneTrack).all()
        assert track.uas_id.startswith("addr:") and track.position_count == 31
    assert [a["alert_kind"] for a in report.alerts] == ["ENTER", "OPERATOR_IN_ZONE"]
    assert report.alerts[0]["uas_id"] == track.uas_id


def test_frames_before_the_basic_id_join_the_track_once_it_is_known(dapi: Api, instance: Instance) -> None:
    dapi.post("/v1/drones/zones", json=circle_zone())
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    at = [start + dt.timedelta(seconds=i) for i in range(8)]
    # Bluetooth 4 style: one message per advertisement, positions first, the Basic ID only later.
    early = [frame("north", location(*east(500 + i), speed=1), at=at[i], counter=i) for i in range(4)]
    body = dapi.post("/v1/drones/frames", json={"frames": early}).json()
    assert body["awaiting_id"] == 4 and [a["alert_kind"] for a in body["alerts"]] == ["ENTER"]
    (unnamed,) = dapi.get("/v1/drones/tracks").json()
    assert unnamed["id_synthetic"] is True and unnamed["uas_id"] == "addr:60:60:1f:00:00:01"
    later = [frame("north", basic(), at=at[4], counter=4)] + [
        frame("north", location(*east(504 + i), speed=1), at=at[5 + i], counter=5 + i) for i in range(3)]
    body = dapi.post("/v1/drones/frames", json={"frames": later}).json()
    assert body["awaiting_id"] == 0
    (track,) = dapi.get("/v1/drones/tracks?state=all").json()
    assert track["id"] == unnamed["id"] and track["uas_id"] == UAS and track["id_synthetic"] is False
    assert dt.datetime.fromisoformat(track["first_seen"]) == at[0]  # the track starts with the first frame
    with instance.db.session() as s:
        assert {f.uas_id for f in s.query(DroneFrame)} == {UAS}
    # Within one batch too: a second drone's Location before its Basic ID.
    other = "1581F5FKD229400C9999"
    mixed = [frame("north", location(*east(100), speed=1), at=at[6], source="60:60:1f:00:00:02"),
             frame("north", basic(other), at=at[7], source="60:60:1f:00:00:02")]
    dapi.post("/v1/drones/frames", json={"frames": mixed})
    ids = sorted(t["uas_id"] for t in dapi.get("/v1/drones/tracks?state=all").json())
    assert ids == sorted([UAS, other])
