"""The plausibility rules on the shared spoofed captures (cyber-defence-campus/RemoteIDReceiver, MIT).

``cdc_parrot_anafi4_spoofed`` replays a real Parrot Anafi 4's MAC address and UAS ID: the frames alone carry the
right identity, but the spoofer moves the position about 380 m every 4 s while claiming 0 m/s, never advances the
message counter, and puts the operator 25 km away. ``cdc_mavic_multiple_spoofed`` invents 15 DJI drones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.drones import sensors
from basira.drones.capture import replay
from basira.drones.ingest import service
from basira.drones.models import DroneSensor, DroneTrack
from basira.drones.remoteid import Frame

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # what the database does is covered by the API tests


def run(instance: Instance, admin: Principal, path: Path, lat: float, lon: float) -> list[DroneTrack]:
    frames: list[Frame] = []
    replay(path, frames.append)
    with instance.db.session() as s:
        sensor = sensors.create_sensor(s, admin, sensors.SensorSpec(ref="cdc", lat=lat, lon=lon, range_m=3000))
        good = [(f, sensor) for f in frames if f.ok]
        service(instance).ingest_decoded(s, admin, good)
    with instance.db.session() as s:
        return list(s.query(DroneTrack).order_by(DroneTrack.id))


def codes(track: DroneTrack) -> set[str]:
    return {r.split(":")[0] for r in track.reasons}


def test_replayed_parrot_identity_is_caught_by_speed_counter_and_operator_rules(
        instance: Instance, admin: Principal, shared_data: Path) -> None:
    found = run(instance, admin, shared_data / "remoteid" / "cdc_parrot_anafi4_spoofed.pcapng", 47.378, 8.532)
    assert len(found) == 1
    track = found[0]
    assert track.uas_id == "1588E040445AC004418"
    assert track.verdict == "suspect"
    assert {"impossible_speed", "speed_mismatch", "counter_anomaly", "operator_far"} <= codes(track)
    # The receiver stands within range of every claimed position: range alone would not have caught it.
    assert "out_of_range" not in codes(track)


def test_invented_dji_drones_are_suspect(instance: Instance, admin: Principal, shared_data: Path) -> None:
    found = run(instance, admin, shared_data / "remoteid" / "cdc_mavic_multiple_spoofed.pcapng", 46.80, 7.66)
    assert len({t.uas_id for t in found}) == 15
    assert all(t.verdict == "suspect" for t in found), [(t.uas_id, t.reasons) for t in found]
    # Operators placed at impossible spots (70°N 170°E for a drone over Bern).
    assert sum("operator_far" in codes(t) for t in found) == len(found)


def test_a_sensor_far_from_the_claimed_positions_marks_the_track_out_of_range(
        instance: Instance, admin: Principal, shared_data: Path) -> None:
    found = run(instance, admin, shared_data / "remoteid" / "cdc_mavic_alessa_spoofed.pcapng", 46.80, 7.66)
    assert len(found) == 1 and "out_of_range" in codes(found[0])
    with instance.db.session() as s:
        assert s.query(DroneSensor).one().chain_seq == 10
