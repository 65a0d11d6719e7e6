"""The plausibility rules on the shared spoofed captures (cyber-defence-campus/RemoteIDReceiver, MIT).

``cdc_parrot_anafi4_spoofed`` replays a real Parrot Anafi 4's MAC address and UAS ID: the frames alone carry the
right identity, but the spoofer moves the position about 380 m every 4 s while claiming 0 m/s, never advances the
message counter, and puts the operator 25 km away. ``cdc_mavic_multiple_spoofed`` invents 15 DJI drones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import Principal, system_principal
from basira.drones import sensors, zones
from basira.drones.capture import replay
from basira.drones.ingest import service
from basira.drones.models import DroneSensor, DroneTrack
from basira.drones.remoteid import Frame
from basira.drones.zonefiles import ZoneSpec
from basira.drones.zones import GEOD

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
    assert sum("operator_impossible" in codes(t) for t in found) == len(found)


def test_a_sensor_far_from_the_claimed_positions_marks_the_track_out_of_range(
        instance: Instance, admin: Principal, shared_data: Path) -> None:
    found = run(instance, admin, shared_data / "remoteid" / "cdc_mavic_alessa_spoofed.pcapng", 46.80, 7.66)
    assert len(found) == 1 and "out_of_range" in codes(found[0])
    with instance.db.session() as s:
        assert s.query(DroneSensor).one().chain_seq == 10


def _org(instance: Instance, slug: str) -> Principal:
    with instance.db.session() as s:
        return system_principal(orgs.create_org(s, "test", slug, slug).id, actor="test")


def _alerts(instance: Instance, who: Principal, path: Path, batch: int | None, zone_at: tuple[float, float]
            ) -> list[tuple[str, str, list[str], dict[str, float] | None]]:
    frames: list[Frame] = []
    replay(path, frames.append)
    with instance.db.session() as s:
        sensor = sensors.create_sensor(s, who, sensors.SensorSpec(ref="cdc", lat=zone_at[0], lon=zone_at[1],
                                                                   range_m=3000))
        zones.save_zones(s, who, [ZoneSpec(ref="z", radius_m=600.0, geometry={
            "type": "Point", "coordinates": [zone_at[1], zone_at[0]]})])
    good = [f for f in frames if f.ok]
    out: list[tuple[str, str, list[str], dict[str, float] | None]] = []
    step = batch or len(good)
    for i in range(0, len(good), step):
        with instance.db.session() as s:
            sensor = s.get(DroneSensor, sensor.id)
            assert sensor is not None
            report = service(instance).ingest_decoded(s, who, [(f, sensor) for f in good[i:i + step]])
            out.extend((a["alert_kind"], a["at"], a["suspect_reasons"], a.get("position"))
                       for a in report.alerts)
    return out


def test_alerts_carry_the_reasons_known_at_their_frame_whatever_the_batch_size(
        instance: Instance, shared_data: Path) -> None:
    path = shared_data / "remoteid" / "cdc_parrot_anafi4_spoofed.pcapng"
    one = _alerts(instance, _org(instance, "one"), path, 1, (47.379, 8.531))
    whole = _alerts(instance, _org(instance, "whole"), path, None, (47.379, 8.531))
    assert one == whole
    assert one and one[0][0] == "ENTER"
    # The first alert came before the spoofer's jumps: it does not yet name them.
    assert not any(r.startswith("impossible_speed") for r in one[0][2])
    assert any(any(r.startswith("impossible_speed") for r in a[2]) for a in one)


@pytest.mark.parametrize("off_m", [0.0, 150.0, 300.0])
def test_real_flights_are_never_suspect_with_the_sensor_entered_up_to_300_m_off(
        instance: Instance, shared_data: Path, off_m: float) -> None:
    # opendroneid's sample transmissions (Wi-Fi beacon with RSSI -35..-31 dBm, Wi-Fi NAN without Basic ID,
    # Bluetooth 5 long range without positions); their transmitter's clock is not set (timestamp 0).
    for n, name in enumerate(("odid_wifi_bcn_sample.pcap", "odid_wifi_sample.pcap", "odid_bt5_lr_sample.pcapng")):
        who = _org(instance, f"real{n}")
        frames: list[Frame] = []
        replay(shared_data / "remoteid" / name, frames.append)
        lon, lat, _ = GEOD.fwd(-122.9681, 45.5457, 45.0 * n, off_m)
        with instance.db.session() as s:
            sensor = sensors.create_sensor(s, who, sensors.SensorSpec(ref="s", lat=lat, lon=lon, range_m=2000))
            service(instance).ingest_decoded(s, who, [(f, sensor) for f in frames if f.ok])
        with instance.db.session() as s:
            found = list(s.query(DroneTrack).filter(DroneTrack.org_id == who.org_id))
        assert len(found) == 1 and found[0].verdict != "suspect", (name, found[0].reasons)
