"""The retention purge with a frozen clock: what expires goes, what is still needed stays, every purge is audited.

Records are made at ``T0``; a rule of ``D`` days keeps them at ``T0 + D - 1 s`` and deletes them at
``T0 + D + 1 s``. Every test runs on SQLite and PostgreSQL (the ``backend`` fixture).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from tests.web.helpers import photo_case

from basira.actions.models import Delivery, DeliveryStatus
from basira.core.instance import Instance
from basira.core.models import AuditEntry, Item, Match
from basira.core.principal import Principal
from basira.drones.models import DroneFrame, DroneTrack
from basira.finance.models import Customer
from basira.retention import holds, rules
from basira.retention.purge import PurgeOptions, run
from basira.review.models import Case, CaseStatus

from . import factories as f
from .factories import T0

SECOND = dt.timedelta(seconds=1)
DAY = dt.timedelta(days=1)


def _count(instance: Instance, column: object) -> int:
    with instance.db.session() as s:
        return int(s.scalar(select(func.count(column))) or 0)  # type: ignore[call-overload]


def _purge(instance: Instance, at: dt.datetime, *kinds: str, batch: int | None = None) -> None:
    run(instance, PurgeOptions(now=at, kinds=kinds or None, batch=batch))


def test_item_is_kept_one_second_before_its_rule_and_gone_one_second_after(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        f.item(s, org_id, T0)
    days = instance.settings.retention_items_days
    _purge(instance, T0 + days * DAY - SECOND, "items")
    assert _count(instance, Item.id) == 1
    _purge(instance, T0 + days * DAY + SECOND, "items")
    assert _count(instance, Item.id) == 0


def test_organization_rule_replaces_the_default(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        f.item(s, admin.org_id, T0)
        rules.set_rule(s, admin, "items", 7)
    _purge(instance, T0 + 7 * DAY - SECOND, "items")
    assert _count(instance, Item.id) == 1
    _purge(instance, T0 + 7 * DAY + SECOND, "items")
    assert _count(instance, Item.id) == 0


def test_zero_days_keeps_records_forever(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        f.item(s, admin.org_id, T0)
        rules.set_rule(s, admin, "items", 0)
    _purge(instance, T0 + 100 * 365 * DAY, "items")
    assert _count(instance, Item.id) == 1


def test_item_under_an_open_case_is_kept_past_its_rule_until_the_case_closes(
        instance: Instance, admin: Principal) -> None:
    case_id = photo_case(instance, admin, "held-upload.jpg", ["a" * 32])
    with instance.db.session() as s:
        s.execute(update(Item).values(created_at=T0))
        f.item(s, admin.org_id, T0, ref="unheld.jpg")
    late = T0 + 400 * DAY
    _purge(instance, late, "items")
    with instance.db.session() as s:
        assert list(s.scalars(select(Item.ref))) == ["held-upload.jpg"]
        assert s.scalar(select(func.count(Match.id))) == 1
        s.execute(update(Case).where(Case.id == case_id).values(status=CaseStatus.CLOSED.value))
    _purge(instance, late, "items")
    assert _count(instance, Item.id) == 0 and _count(instance, Match.id) == 0
    with instance.db.session() as s:
        assert s.get(Case, case_id) is not None  # the decided case keeps its evidence snapshot


def test_legal_hold_keeps_a_customer_until_it_is_released(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        f.customer(s, admin.org_id, T0, ref="C-1042")
        f.customer(s, admin.org_id, T0, ref="C-2001")
        hold = holds.place_hold(s, admin, "customer:C-1042", "legal_hold", "Court order 2027/114")
    late = T0 + 1826 * DAY
    _purge(instance, late, "customers")
    with instance.db.session() as s:
        assert list(s.scalars(select(Customer.ref))) == ["C-1042"]
        holds.release_hold(s, admin, hold.id)
    _purge(instance, late, "customers")
    assert _count(instance, Customer.id) == 0


def test_preservation_duty_with_an_end_keeps_records_only_until_then(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        f.customer(s, admin.org_id, T0)
        holds.place_hold(s, admin, "customer:C-1042", "preservation", "Preservation request",
                         until=T0 + 2000 * DAY)
    _purge(instance, T0 + 1999 * DAY, "customers")
    assert _count(instance, Customer.id) == 1
    _purge(instance, T0 + 2000 * DAY + SECOND, "customers")
    assert _count(instance, Customer.id) == 0


def test_frames_expire_except_those_of_a_track_under_an_open_case(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        sensor = f.sensor(s, org_id)
        held_track = f.track(s, org_id, T0 + 100 * DAY)
        f.frames(s, org_id, sensor, T0, 5)
        f.frames(s, org_id, sensor, T0, 3, track_id=held_track, first_seq=6)
        s.add(Case(org_id=org_id, kind="drone_alert", group_key=f"track:{held_track}", due_at=T0))
    _purge(instance, T0 + 30 * DAY + SECOND, "drone_frames", batch=2)
    assert _count(instance, DroneFrame.id) == 3


def test_expired_track_goes_and_its_frames_lose_only_the_link(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        sensor = f.sensor(s, org_id)
        old = f.track(s, org_id, T0)
        f.frames(s, org_id, sensor, T0 + 170 * DAY, 2, track_id=old)
    _purge(instance, T0 + 180 * DAY + SECOND, "drone_tracks")
    assert _count(instance, DroneTrack.id) == 0
    with instance.db.session() as s:
        assert list(s.scalars(select(DroneFrame.track_id))) == [None, None]


def test_finished_deliveries_expire_and_pending_ones_stay(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        f.delivery(s, org_id, T0, DeliveryStatus.DELIVERED.value)
        f.delivery(s, org_id, T0, DeliveryStatus.DEAD.value)
        pending = f.delivery(s, org_id, T0, DeliveryStatus.PENDING.value)
    _purge(instance, T0 + 90 * DAY + SECOND, "webhook_deliveries")
    with instance.db.session() as s:
        assert list(s.scalars(select(Delivery.id))) == [pending]


def test_purge_in_batches_is_audited_once_per_kind_with_count_and_rule_never_content(
        instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        for n in range(7):
            f.item(s, org_id, T0, ref=f"secret-name-{n}.jpg")
    _purge(instance, T0 + 366 * DAY, "items", batch=3)
    assert _count(instance, Item.id) == 0
    with instance.db.session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "retention.purge")))
    assert len(entries) == 1
    details = entries[0].details
    assert (details["kind"], details["count"], details["held"]) == ("items", 7, 0)
    assert details["rule"] == {"days": 365, "source": "default"}
    assert "secret-name" not in str(details) and entries[0].actor == "system:retention"


def test_nothing_expired_writes_no_audit_entry(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        f.item(s, org_id, T0)
    _purge(instance, T0 + DAY)
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "retention.purge")) == 0


def test_exposure_counts_expire_by_their_day(instance: Instance, admin: Principal) -> None:
    from basira.core import orgs
    from basira.web import accounts
    from basira.web.models import Exposure

    with instance.db.session() as s:
        user = orgs.create_user(s, admin, admin.org_id, "rana", "a long enough password", "reviewer")
        accounts.record_reveal(s, user, "case-1/medium-0")
        s.execute(update(Exposure).values(day="2027-03-01"))
    _purge(instance, T0 + 90 * DAY, "sessions")
    assert _count(instance, Exposure.user_id) == 1
    _purge(instance, T0 + 91 * DAY, "sessions")
    assert _count(instance, Exposure.user_id) == 0


def test_a_stop_request_ends_the_run_between_batches(instance: Instance, org_id: int) -> None:
    import threading

    with instance.db.session() as s:
        for n in range(5):
            f.item(s, org_id, T0, ref=f"post-{n}")
    stop = threading.Event()
    stop.set()
    run(instance, PurgeOptions(now=T0 + 400 * DAY, kinds=("items",), batch=2, stop=stop))
    assert _count(instance, Item.id) == 5  # asked to stop before it began: nothing deleted, nothing half done
    run(instance, PurgeOptions(now=T0 + 400 * DAY, kinds=("items",), batch=2))
    assert _count(instance, Item.id) == 0
