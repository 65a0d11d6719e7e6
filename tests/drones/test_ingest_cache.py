"""Ingest keeps active tracks in memory between batches, with the database as the record: what it writes is what
a fresh read gives, and several workers (two services on one database here) carry each other's tracks on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.drones.helpers import basic, location, operator, pack, system
from tests.drones.test_api import east

from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.drones import evidence, sensors, trackstore, zones
from basira.drones.alerts import AlertConfig, ZoneHits, evaluate, zone_hits
from basira.drones.ingest import DroneService, RawFrame
from basira.drones.models import DroneFrame, DronePosition, DroneSensor, DroneTrack
from basira.drones.tracks import Observation
from basira.drones.zonefiles import ZoneSpec

UAS = "1581F5FKD229400C1234"


@pytest.fixture
def sensor(instance: Instance, admin: Principal) -> str:
    with instance.db.session() as s:
        sensors.create_sensor(s, admin, sensors.SensorSpec(ref="north", lat=46.0, lon=7.0, range_m=2000,
                                                           antenna_height_m=10))
    return "north"


def frames(metres: list[float], start: dt.datetime, *, first_counter: int = 0, op: str | None = None,
           rssi: float = -70.0) -> list[RawFrame]:
    out = []
    for i, m in enumerate(metres):
        lat, lon = east(m)
        msgs: list[Any] = [basic(UAS), location(lat, lon, speed=10, direction=90), system(46.0, 7.0)]
        if op:
            msgs.append(operator(op))
        out.append(RawFrame("north", "bt5", pack(*msgs, counter=first_counter + i),
                            received_at=start + dt.timedelta(seconds=i), rssi=rssi, source="60:60:1f:00:00:01"))
    return out


def ingest(svc: DroneService, instance: Instance, admin: Principal, batch: list[RawFrame]) -> dict[str, Any]:
    with svc.serial(), instance.db.session() as s:
        return svc.ingest(s, admin, batch).as_json()


def stored(instance: Instance) -> list[trackstore.TrackState]:
    with instance.db.session() as s:
        return trackstore.read(s, where=DroneTrack.__table__.c.id > 0)


def test_what_the_cache_holds_is_what_the_database_holds(instance: Instance, admin: Principal, sensor: str) -> None:
    svc = DroneService(instance)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    ingest(svc, instance, admin, frames([100, 110, 120], start))
    # The operator ID arrives later: a seldom-changing column, written with the next batch.
    ingest(svc, instance, admin, frames([130, 140], start + dt.timedelta(seconds=3), first_counter=3,
                                        op="FIN87astrdge12k8"))
    [row] = stored(instance)
    with instance.db.session() as s:
        [cached] = svc.track_cache(admin.org_id).active(s, admin.org_id, {UAS}).values()
    assert vars_of(row) == vars_of(cached)
    assert row.operator_id == "FIN87astrdge12k8" and row.position_count == 5
    assert row.state["pos_at"] == (start + dt.timedelta(seconds=4)).isoformat()


def vars_of(t: trackstore.TrackState) -> dict[str, Any]:
    return {c: getattr(t, c) for c in trackstore.COLUMNS}


def test_a_worker_reads_no_track_it_wrote_itself(instance: Instance, admin: Principal, sensor: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = trackstore.read

    def counted(*args: Any, **kw: Any) -> list[trackstore.TrackState]:
        found = real(*args, **kw)
        reads.extend(t.id for t in found)
        return found

    monkeypatch.setattr(trackstore, "read", counted)
    svc = DroneService(instance)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    for i in range(4):  # the version written (a time to the microsecond) reads back equal on every backend
        ingest(svc, instance, admin, frames([100 + 20 * i, 110 + 20 * i], start + dt.timedelta(seconds=2 * i),
                                            first_counter=2 * i))
    assert reads == []
    svc.track_cache(admin.org_id).clear()  # as after a failed batch: the row is read once, then cached again
    ingest(svc, instance, admin, frames([200, 210], start + dt.timedelta(seconds=8), first_counter=8))
    ingest(svc, instance, admin, frames([220], start + dt.timedelta(seconds=10), first_counter=10))
    assert len(reads) == 1
    assert stored(instance)[0].position_count == 11


def test_two_workers_carry_one_track_on(instance: Instance, admin: Principal, sensor: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = DroneService(instance), DroneService(instance)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    r1 = ingest(a, instance, admin, frames([100, 110], start))
    r2 = ingest(b, instance, admin, frames([120, 130], start + dt.timedelta(seconds=2), first_counter=2))
    # Worker a's copy is now older than the row: it reads the row again rather than overwrite b's positions.
    reads: list[int] = []
    real = trackstore.read
    monkeypatch.setattr(trackstore, "read", lambda *a, **k: [reads.append(t.id) or t for t in real(*a, **k)])
    r3 = ingest(a, instance, admin, frames([140, 150], start + dt.timedelta(seconds=4), first_counter=4))
    assert reads == r1["tracks"]
    assert r1["tracks"] == r2["tracks"] == r3["tracks"]
    [row] = stored(instance)
    assert row.position_count == 6 and row.status == "active"
    assert row.verdict == "plausible", row.reasons  # counters and positions continued without a jump
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(DronePosition)) == 6


def test_a_track_closed_by_another_worker_is_not_revived(instance: Instance, admin: Principal,
                                                         sensor: str) -> None:
    a, b = DroneService(instance), DroneService(instance)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=100)
    ingest(a, instance, admin, frames([100, 110], start))
    with instance.db.session() as s:  # another worker (the track list, the map) finds it silent and closes it
        b.sweep_lost(s, admin.org_id, dt.datetime.now(dt.UTC))
    ingest(a, instance, admin, frames([120], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1), first_counter=2))
    rows = stored(instance)
    assert [r.status for r in rows] == ["lost", "active"]
    assert rows[1].position_count == 1


def test_a_batch_whose_transaction_rolls_back_leaves_no_trace_in_the_cache(instance: Instance, admin: Principal,
                                                                          sensor: str) -> None:
    svc = DroneService(instance)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    ingest(svc, instance, admin, frames([100, 110], start))

    class Boom(Exception):
        pass

    with pytest.raises(Boom), instance.db.session() as s:
        svc.ingest(s, admin, frames([120, 130, 140], start + dt.timedelta(seconds=2), first_counter=2))
        raise Boom  # e.g. the commit fails after ingest returned
    ingest(svc, instance, admin, frames([150], start + dt.timedelta(seconds=5), first_counter=5))
    [row] = stored(instance)
    assert row.position_count == 3  # 2 + 1: the three rolled-back positions are not counted
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(DroneFrame)) == 3
        head = s.scalars(select(DroneSensor)).one()
        assert evidence.verify(s, head).ok


def test_a_failing_batch_empties_the_cache(instance: Instance, admin: Principal, sensor: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    svc = DroneService(instance)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    ingest(svc, instance, admin, frames([100, 110], start))
    assert len(svc.track_cache(admin.org_id)) == 1

    def broken(*args: Any, **kw: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(trackstore, "write_back", broken)
    with pytest.raises(RuntimeError), instance.db.session() as s:
        svc.ingest(s, admin, frames([120], start + dt.timedelta(seconds=2), first_counter=2))
    assert len(svc.track_cache(admin.org_id)) == 0


def test_fractional_rssi_is_kept_and_chained(instance: Instance, admin: Principal, sensor: str) -> None:
    svc = DroneService(instance)
    ingest(svc, instance, admin, frames([100], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1), rssi=-71.5))
    with instance.db.session() as s:
        assert s.scalar(select(DroneFrame.rssi)) == -71.5
        assert evidence.verify(s, s.scalars(select(DroneSensor)).one()).ok


def test_batched_zone_lookups_match_one_observation_at_a_time(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        lon, lat, _ = zones.GEOD.fwd(7.0, 46.0, 90, 500)
        zones.save_zones(s, admin, [
            ZoneSpec(ref="C", radius_m=150, geometry={"type": "Point", "coordinates": [lon, lat]}),
            ZoneSpec(ref="P", geometry={"type": "Polygon", "coordinates": [[[7.0, 46.002], [7.01, 46.002],
                                                                              [7.01, 46.004], [7.0, 46.004],
                                                                              [7.0, 46.002]]]})])
    cfg = AlertConfig()
    with instance.db.session() as s:
        index = DroneService(instance, cfg).zone_index(s, admin.org_id)
    t0 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    # Inside, on the margin flying away, heading for the circle, heading away, too slow, no heading, operator
    # inside the polygon, outside everything.
    cases = [(*east(500), 10.0, 90.0, None), (*east(660), 10.0, 90.0, None), (*east(200), 15.0, 90.0, None),
             (*east(200), 15.0, 270.0, None), (*east(340), 0.5, 90.0, None), (*east(340), 10.0, None, None),
             (46.003, 7.005, 5.0, 0.0, (46.003, 7.005)), (46.0015, 7.005, 20.0, 0.0, None)]
    obs = [Observation(received_at=t0, sensor_id=1, transport="bt5", uas_id="A", lat=lat, lon=lon, speed=speed,
                       heading=heading, operator_lat=op[0] if op else None, operator_lon=op[1] if op else None)
           for lat, lon, speed, heading, op in cases]
    batched = zone_hits(index, obs, cfg)
    for o, hits in zip(obs, batched, strict=True):
        alone = zone_hits(index, [o], cfg)[0]
        assert (hits.inside, hits.margin, hits.ahead, hits.operator) == \
            (alone.inside, alone.margin, alone.ahead, alone.operator)
        assert sorted(hits.inside) == sorted(index.containing_point(o.lon or 0, o.lat or 0))
    assert [bool(h.inside) for h in batched] == [True, False, False, False, False, False, True, False]
    assert [bool(h.ahead) for h in batched][:6] == [True, False, True, False, False, False]
    assert batched[1].margin and not batched[1].inside  # just outside, within the hysteresis margin
    assert batched[6].operator and not batched[7].operator
    # The rules give the same alerts with the batch's lookups as with their own.
    track_a, track_b = new_state(), new_state()
    for o, hits in zip(obs, batched, strict=True):
        assert [d.kind for d in evaluate(track_a, o, index, cfg, hits=hits)] == \
            [d.kind for d in evaluate(track_b, o, index, cfg)]
    assert track_a.state == track_b.state


def new_state() -> trackstore.TrackState:
    t0 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    return trackstore.TrackState(id=1, org_id=1, uas_id="A", first_seen=t0, last_seen=t0)


def test_empty_hits_for_an_empty_index() -> None:
    from basira.drones.zones import ZoneIndex

    o = Observation(received_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC), sensor_id=1, transport="bt5", lat=46.0,
                    lon=7.0, speed=10.0, heading=90.0)
    assert zone_hits(ZoneIndex([]), [o], AlertConfig()) == [ZoneHits()]


def test_a_committed_zone_change_empties_every_services_zone_cache(instance: Instance, admin: Principal) -> None:
    a, b = DroneService(instance), DroneService(instance)
    spec = ZoneSpec(ref="C", radius_m=150, geometry={"type": "Point", "coordinates": [7.0, 46.0]})
    with instance.db.session() as s:
        zones.save_zones(s, admin, [spec])
    with instance.db.session() as s:
        assert len(a.zone_index(s, admin.org_id).zones) == len(b.zone_index(s, admin.org_id).zones) == 1
    with pytest.raises(RuntimeError), instance.db.session() as s:
        zones.delete_zone(s, admin, "C")
        raise RuntimeError("rolled back")  # nothing committed: the caches keep their zones
    assert admin.org_id in a._zones and admin.org_id in b._zones
    with instance.db.session() as s:
        zones.delete_zone(s, admin, "C")
        assert admin.org_id in a._zones  # not before the commit, or a reader could cache the old zones again
    assert admin.org_id not in a._zones and admin.org_id not in b._zones
    with instance.db.session() as s:
        assert a.zone_index(s, admin.org_id).zones == []


def test_listing_tracks_closes_silent_ones_first(instance: Instance, admin: Principal, sensor: str) -> None:
    svc = DroneService(instance)
    ingest(svc, instance, admin, frames([100, 110], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=100)))
    with instance.db.session() as s:
        assert svc.list_tracks(s, admin.org_id, status="active") == []
        [lost] = svc.list_tracks(s, admin.org_id, status="lost")
        assert [t.id for t in svc.list_tracks(s, admin.org_id)] == [lost.id]


def test_an_altered_or_cut_frame_chain_is_named(instance: Instance, admin: Principal, sensor: str) -> None:
    svc = DroneService(instance)
    ingest(svc, instance, admin, frames([100, 110, 120], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)))
    with instance.db.session() as s:
        second = s.scalars(select(DroneFrame).where(DroneFrame.seq == 2)).one()
        second.raw = second.raw + b"\x00"
    with instance.db.session() as s:
        assert evidence.verify(s, s.scalars(select(DroneSensor)).one()).problems == [
            "frame 2 was altered (its hash does not match its content)"]
        s.delete(s.scalars(select(DroneFrame).where(DroneFrame.seq == 3)).one())
    with instance.db.session() as s:
        assert evidence.verify(s, s.scalars(select(DroneSensor)).one()).problems == [
            "frame 2 was altered (its hash does not match its content)",
            "the chain ends at frame 2 but its head says 3"]
