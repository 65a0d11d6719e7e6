"""Purged drone frames leave their sensor's hash chain verifiable: the runs deleted by a rule are recorded, the
verification steps over them and says how many frames were purged, and a frame removed by hand is still named."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from basira.core.chaingaps import ChainGap
from basira.core.instance import Instance
from basira.drones import evidence
from basira.drones.models import DroneFrame, DroneSensor
from basira.retention.purge import PurgeOptions, run
from basira.review.models import Case

from . import factories as f
from .factories import T0

LATE = T0 + dt.timedelta(days=30, seconds=1)


def _verify(instance: Instance, sensor_id: int) -> evidence.ChainReport:
    with instance.db.session() as s:
        sensor = s.get(DroneSensor, sensor_id)
        assert sensor is not None
        return evidence.verify(s, sensor)


def test_chain_verifies_after_a_purge_around_held_frames_and_names_a_frame_cut_by_hand(
        instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        sensor = f.sensor(s, org_id)
        held = f.track(s, org_id, T0 + dt.timedelta(days=100))
        f.chained_frames(s, org_id, sensor, T0, [None, None, held, held, None, None, None])
        s.add(Case(org_id=org_id, kind="drone_alert", group_key=f"track:{held}", due_at=T0))
    assert _verify(instance, sensor).ok
    run(instance, PurgeOptions(now=LATE, kinds=("drone_frames",), batch=2))
    report = _verify(instance, sensor)
    assert (report.ok, report.frames, report.purged) == (True, 2, 5), report.problems
    with instance.db.session() as s:
        runs = s.execute(select(ChainGap.first_seq, ChainGap.last_seq).order_by(ChainGap.first_seq)).all()
        assert [tuple(r) for r in runs] == [(1, 2), (5, 7)]  # batches of two: one row per run, not per batch
        s.execute(delete(DroneFrame).where(DroneFrame.seq == 3))
    cut = _verify(instance, sensor)
    assert not cut.ok and "frame 3 is missing (next found is 4)" in cut.problems


def test_a_chain_purged_to_its_last_frame_still_meets_its_head(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        sensor = f.sensor(s, org_id)
        f.chained_frames(s, org_id, sensor, T0, [None] * 4)
        f.chained_frames(s, org_id, sensor, LATE, [None])  # not expired yet
    run(instance, PurgeOptions(now=LATE, kinds=("drone_frames",), batch=3))
    report = _verify(instance, sensor)
    assert (report.ok, report.frames, report.purged) == (True, 1, 4), report.problems
