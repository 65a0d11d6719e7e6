"""The plausibility rules one by one, on observations built by hand (no database)."""

from __future__ import annotations

import datetime as dt

from basira.drones.sensors import SensorRow
from basira.drones.tracks import RULES, Observation, TrackContext, apply, check, new_track, verdict
from basira.drones.zones import GEOD

T0 = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)


def sensor(ref: str = "s1", lat: float = 46.0, lon: float = 7.0, range_m: float = 2000.0, sid: int = 1) -> SensorRow:
    return SensorRow(id=sid, org_id=1, ref=ref, lat=lat, lon=lon, antenna_height_m=10.0, range_m=range_m)


def at_east(metres: float, seconds: float, **kw: object) -> Observation:
    lon, lat, _ = GEOD.fwd(7.0, 46.0, 90, metres)
    args: dict[str, object] = dict(received_at=T0 + dt.timedelta(seconds=seconds), sensor_id=1, transport="bt5",
                                   uas_id="A1", lat=lat, lon=lon, height=50.0, speed=10.0, heading=90.0)
    args.update(kw)
    return Observation(**args)  # type: ignore[arg-type]


def flown(*obs: Observation, ctx: TrackContext | None = None) -> dict[str, str]:
    track = new_track(1, obs[0])
    found: dict[str, str] = {}
    for o in obs:
        prior = None if track.lat is None else track
        f = check(prior, o, ctx or TrackContext(sensor()))
        found.update(f)
        apply(track, o, f)
    return found


def test_a_steady_flight_within_range_is_plausible() -> None:
    assert flown(*[at_east(100 + 10 * i, i) for i in range(10)]) == {}


def test_a_jump_faster_than_any_drone_is_impossible_speed() -> None:
    found = flown(at_east(100, 0), at_east(1100, 2))
    assert "impossible_speed" in found and "500 m/s" in found["impossible_speed"]


def test_a_position_beyond_the_sensor_range_is_out_of_range() -> None:
    assert "out_of_range" in flown(at_east(3500, 0))
    assert "out_of_range" not in flown(at_east(2500, 0))  # within the 1.5x tolerance


def test_a_signal_too_strong_for_the_claimed_distance_is_rssi_mismatch() -> None:
    assert "rssi_mismatch" in flown(at_east(1500, 0, rssi=-40.0))
    assert "rssi_mismatch" not in flown(at_east(1500, 0, rssi=-85.0))
    assert "rssi_mismatch" not in flown(at_east(50, 0, rssi=-55.0))


def test_the_same_id_heard_by_two_distant_sensors_at_once_is_duplicate_id_far() -> None:
    far = sensor("s2", lat=47.0, lon=7.0, sid=2)  # 111 km north
    track = new_track(1, at_east(100, 0))
    apply(track, at_east(100, 0), {})
    lon, lat, _ = GEOD.fwd(7.0, 47.0, 90, 100)
    obs = Observation(received_at=T0 + dt.timedelta(seconds=1), sensor_id=2, transport="bt5", uas_id="A1",
                      lat=lat, lon=lon)
    found = check(track, obs, TrackContext(far, last_sensor=sensor()))
    assert "duplicate_id_far" in found and "impossible_speed" in found


def test_one_radio_sending_several_ids_and_replayed_counters() -> None:
    found = flown(at_east(100, 0, source="aa", counter=5),
                  ctx=TrackContext(sensor(), other_ids_from_radio=["B2", "C3"]))
    assert found["multiple_ids_one_radio"] == "aa also sent B2, C3"
    obs = [at_east(100 + i, i, source="aa", counter=7, raw_digest=str(i)) for i in range(5)]
    assert "counter_anomaly" in flown(*obs)
    steady = [at_east(100 + i, i, source="aa", counter=i, raw_digest=str(i)) for i in range(5)]
    assert "counter_anomaly" not in flown(*steady)


def test_operator_far_only_makes_a_track_unverified_and_spoofing_rules_make_it_suspect() -> None:
    found = flown(at_east(100, 0, operator_lat=46.5, operator_lon=7.0))
    assert set(found) == {"operator_far"}
    assert verdict(found) == "unverified"
    assert verdict({"out_of_range": "x", "operator_far": "y"}) == "suspect"
    assert verdict({}) == "plausible"
    assert all(sev in {"suspect", "unverified"} for sev, _ in RULES.values())


def test_apply_keeps_reasons_and_derives_heading_when_none_is_sent() -> None:
    track = new_track(1, at_east(0, 0))
    apply(track, at_east(0, 0, heading=None, speed=None), {})
    apply(track, at_east(100, 10, heading=None, speed=None), {"operator_far": "far"})
    assert track.heading_deg is not None and 89 < track.heading_deg < 91
    assert track.speed_mps is not None and 9.9 < track.speed_mps < 10.1
    assert track.reasons == ["operator_far: far"] and track.verdict == "unverified"
    assert track.position_count == 2
