"""The plausibility rules one by one, on observations built by hand (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from basira.drones.sensors import SensorRow
from basira.drones.tracks import RULES, Observation, TrackContext, apply, check, new_track, score, verdict
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
        f = check(track, o, ctx or TrackContext(sensor()))
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


def _north(seconds: float) -> Observation:
    lon, lat, _ = GEOD.fwd(7.0, 47.0, 90, 100)
    return Observation(received_at=T0 + dt.timedelta(seconds=seconds), sensor_id=2, transport="bt5", uas_id="A1",
                       lat=lat, lon=lon)


@pytest.mark.parametrize("order", ["interleaved", "near sensor first", "far sensor first"])
def test_the_same_id_heard_by_two_distant_sensors_is_duplicate_id_far_in_any_arrival_order(order: str) -> None:
    near, far = sensor(), sensor("s2", lat=47.0, lon=7.0, sid=2)  # 111 km north
    a = [(at_east(100 + i, i), near) for i in range(6)]
    b = [(_north(i + 0.5), far) for i in range(6)]
    frames = {"interleaved": [x for pair in zip(a, b, strict=True) for x in pair], "near sensor first": a + b,
              "far sensor first": b + a}[order]
    track = new_track(1, frames[0][0])
    found: dict[str, str] = {}
    for obs, s in frames:
        f = check(track, obs, TrackContext(s, sensors={1: near, 2: far}))
        found.update(f)
        apply(track, obs, f)
    assert "duplicate_id_far" in found, found
    # Heard by the two sensors an hour apart: not at the same time.
    track = new_track(1, a[0][0])
    later = [(_north(3600 + i), far) for i in range(3)]
    hits = [check(track, o, TrackContext(s, sensors={1: near, 2: far})) for o, s in a + later]
    assert not any("duplicate_id_far" in h for h in hits)


@pytest.mark.parametrize("off_m", [0, 20, 95, 150, 300])
def test_a_strong_signal_near_a_roughly_entered_sensor_is_no_rssi_mismatch_and_never_suspect_alone(
        off_m: float) -> None:
    # The reported false alarm: -42 dBm from a drone 95 m from where the sensor was entered.
    s = SensorRow(id=1, org_id=1, ref="s1", lat=46.0, lon=7.0, antenna_height_m=2.0, range_m=2000.0,
                  position_uncertainty_m=max(off_m, 100.0))
    found = flown(at_east(off_m, 0, rssi=-42.0, transport="wifi_beacon"), ctx=TrackContext(s))
    assert "rssi_mismatch" not in found
    # Far beyond anything physics allows, the rule fires, but alone it only makes the track unverified.
    far = flown(at_east(1500, 0, rssi=-20.0, transport="bt5"), ctx=TrackContext(s))
    assert "rssi_mismatch" in far and verdict(far) == "unverified"
    assert "-20.0 dBm" in far["rssi_mismatch"] and "at most -7" in far["rssi_mismatch"]


def test_antenna_gain_raises_the_strongest_reading_expected() -> None:
    plain = SensorRow(id=1, org_id=1, ref="s1", lat=46.0, lon=7.0, antenna_height_m=2.0, range_m=2000.0)
    gain = SensorRow(id=1, org_id=1, ref="s1", lat=46.0, lon=7.0, antenna_height_m=2.0, range_m=2000.0,
                     antenna_gain_dbi=12.0)
    obs = at_east(1500, 0, rssi=-66.0)  # bt5, 20 dBm: at most -73 dBm at 1,400 m without gain
    assert "rssi_mismatch" in flown(obs, ctx=TrackContext(plain))
    assert "rssi_mismatch" not in flown(obs, ctx=TrackContext(gain))


def test_a_frozen_and_a_stale_location_timestamp() -> None:
    # Heard at 12:00:00 + i s; the Location says 12:00:00 + i s: fine.
    steady = [at_east(100 + 5 * i, i, loc_tenths=10 * i) for i in range(6)]
    assert flown(*steady) == {}
    frozen = [at_east(100 + 5 * i, i, loc_tenths=0) for i in range(6)]
    found = flown(*frozen)
    assert set(found) == {"frozen_timestamp"} and verdict(found) == "unverified"
    hovering = [at_east(100, i, loc_tenths=0) for i in range(6)]  # a repeated frame of a hovering drone
    assert flown(*hovering) == {}
    stale = [at_east(100 + 5 * i, 1858 + i, loc_tenths=10 * i) for i in range(3)]  # 1,858 s behind
    assert "1858 s behind" in flown(*stale)["stale_timestamp"]
    # A stale and frozen clock is one clue (one cause), not two.
    both = flown(*[at_east(100 + 5 * i, 1858 + i, loc_tenths=9311) for i in range(6)])
    assert {"frozen_timestamp", "stale_timestamp"} <= set(both) and verdict(both) == "unverified"
    assert score(both) == 0.4


def test_a_pack_declaring_more_messages_than_it_carries() -> None:
    found = flown(at_east(100, 0, pack_declared=4, pack_carried=3))
    assert found == {"pack_count_mismatch": "a message pack declares 4 messages and carries 3"}
    assert flown(at_east(100, 0, pack_declared=3, pack_carried=3)) == {}


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
    # The verdict weighs the rules: two lesser clues together make a track suspect, one alone does not.
    assert verdict({"out_of_range": "x"}) == "unverified"
    assert verdict({"out_of_range": "x", "speed_mismatch": "y"}) == "suspect"
    assert verdict({"impossible_speed": "x"}) == "suspect"
    assert verdict({}) == "plausible"
    assert score({"out_of_range": "x", "speed_mismatch": "y"}) == 1.1
    assert all(sev in {"suspect", "unverified"} and 0 < w <= 1 for sev, w, _ in RULES.values())
    far = flown(at_east(100, 0, operator_lat=50.0, operator_lon=7.0))
    assert set(far) == {"operator_impossible"} and verdict(far) == "suspect"


def test_apply_keeps_reasons_and_derives_heading_when_none_is_sent() -> None:
    track = new_track(1, at_east(0, 0))
    apply(track, at_east(0, 0, heading=None, speed=None), {})
    apply(track, at_east(100, 10, heading=None, speed=None), {"operator_far": "far"})
    assert track.heading_deg is not None and 89 < track.heading_deg < 91
    assert track.speed_mps is not None and 9.9 < track.speed_mps < 10.1
    assert track.reasons == ["operator_far: far"] and track.verdict == "unverified"
    assert track.position_count == 2
