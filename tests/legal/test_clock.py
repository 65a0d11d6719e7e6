"""The one-hour clock: UTC arithmetic across clock changes, display in the authority's zone, pause and restart,
and the escalations the worker raises (with a frozen clock: every call gets ``now``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from tests.legal.conftest import T0, OrderFactory

from basira.core.errors import Conflict, InvalidInput
from basira.core.instance import Instance
from basira.core.models import Event
from basira.core.principal import Principal
from basira.legal import clock, execution, jobs
from basira.legal.models import RemovalClock
from basira.legal.orders import receive

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


# (received, local zone, deadline as the authority reads it): each row crosses or sits beside a clock change.
@pytest.mark.parametrize(("received", "zone", "expected_local"), [
    # 23:59 on the day Paris leaves summer time (25 Oct 2026): 00:59 the next day, still CET.
    (dt.datetime(2026, 10, 25, 23, 59, tzinfo=PARIS), "Europe/Paris", "2026-10-26T00:59:00+01:00"),
    # 23:59 on the day Paris enters summer time (29 Mar 2026).
    (dt.datetime(2026, 3, 29, 23, 59, tzinfo=PARIS), "Europe/Paris", "2026-03-30T00:59:00+02:00"),
    # 01:30 CET, half an hour before clocks jump from 02:00 to 03:00: one elapsed hour later is 03:30 CEST.
    (dt.datetime(2026, 3, 29, 1, 30, tzinfo=PARIS), "Europe/Paris", "2026-03-29T03:30:00+02:00"),
    # 02:30 CEST, the first time: one elapsed hour later is 02:30 CET, the second time round.
    (dt.datetime(2026, 10, 25, 2, 30, tzinfo=PARIS), "Europe/Paris", "2026-10-25T02:30:00+01:00"),
    # 23:59 on the day New York enters daylight time (8 Mar 2026).
    (dt.datetime(2026, 3, 8, 23, 59, tzinfo=NEW_YORK), "America/New_York", "2026-03-09T00:59:00-04:00"),
])
def test_the_deadline_is_one_elapsed_hour_whatever_the_local_clocks_do(
        received: dt.datetime, zone: str, expected_local: str) -> None:
    deadline = clock.deadline_from(received)
    assert deadline.tzinfo == dt.UTC
    assert (deadline - received.astimezone(dt.UTC)) == dt.timedelta(hours=1)
    assert clock.local(deadline, zone) == expected_local


def test_the_ambiguous_hour_is_told_apart_by_fold() -> None:
    first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)  # fold=0: CEST
    second = first.replace(fold=1)  # the same wall time an hour later: CET
    assert clock.deadline_from(second) - clock.deadline_from(first) == dt.timedelta(hours=1)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no time zone"):
        clock.deadline_from(dt.datetime(2026, 10, 25, 23, 59))


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown time zone"):
        clock.local(T0, "Mars/Olympus")


def test_an_order_received_at_2359_on_the_day_clocks_change_is_due_one_hour_later_in_utc(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    received = dt.datetime(2026, 10, 25, 23, 59, tzinfo=ZoneInfo("Europe/Berlin"))
    order = receive(instance.db.session, admin, order_request(issued_at=received), instance.secret_key,
                    now=received)
    with instance.db.session() as s:
        c = s.get(RemovalClock, order.clock_id)
        assert c is not None
        assert c.deadline_at == dt.datetime(2026, 10, 25, 23, 59, tzinfo=dt.UTC)
        assert clock.local(c.deadline_at, "Europe/Berlin") == "2026-10-26T00:59:00+01:00"


def _clock(instance: Instance, clock_id: int | None) -> RemovalClock:
    with instance.db.session() as s:
        c = s.get(RemovalClock, clock_id)
        assert c is not None
        return c


def test_a_pause_stops_the_clock_and_a_resume_restarts_the_whole_hour(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s:
        execution.pause(s, admin, order.id, "insufficient_information", "the URL shows nothing",
                        now=T0 + dt.timedelta(minutes=40))
    paused = _clock(instance, order.clock_id)
    assert paused.state == "paused"
    # Paused, it does not run: three hours later it still shows the 20 minutes left when it paused.
    assert clock.view(paused, T0 + dt.timedelta(hours=3)).remaining_s == 20 * 60
    resumed_at = T0 + dt.timedelta(hours=5)
    with instance.db.session() as s:
        execution.resume(s, admin, order.id, "clarification received", now=resumed_at)
    restarted = _clock(instance, order.clock_id)
    assert restarted.state == "running" and restarted.deadline_at == resumed_at + dt.timedelta(hours=1)


def test_resuming_a_running_clock_is_a_conflict(instance: Instance, admin: Principal,
                                                order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s, pytest.raises(Conflict):
        execution.resume(s, admin, order.id, now=T0)


def test_an_unknown_pause_reason_is_refused(instance: Instance, admin: Principal,
                                            order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s, pytest.raises(InvalidInput):
        execution.pause(s, admin, order.id, "too busy", now=T0)


def _events(instance: Instance, kind: str) -> list[Event]:
    with instance.db.session() as s:
        return list(s.scalars(select(Event).where(Event.kind == kind)))


def test_the_worker_warns_before_the_deadline_then_reports_it_missed_once_each(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    data = instance.settings.data_dir
    assert jobs.run_once(instance.db.session, data, T0 + dt.timedelta(minutes=30)).near == []
    assert jobs.run_once(instance.db.session, data, T0 + dt.timedelta(minutes=46)).near == [order.clock_id]
    assert jobs.run_once(instance.db.session, data, T0 + dt.timedelta(minutes=50)).near == []
    assert jobs.run_once(instance.db.session, data, T0 + dt.timedelta(minutes=61)).missed == [order.clock_id]
    assert jobs.run_once(instance.db.session, data, T0 + dt.timedelta(minutes=90)).missed == []
    (near,) = _events(instance, "legal.deadline_near")
    assert near.payload["order_ids"] == [order.id] and near.payload["references"] == ["BKA-2026-0001"]
    assert len(_events(instance, "legal.deadline_missed")) == 1


def test_a_confirmed_order_is_never_escalated(instance: Instance, admin: Principal,
                                             order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s:
        execution.confirm(s, admin, order.id, now=T0 + dt.timedelta(minutes=10))
    report = jobs.run_once(instance.db.session, instance.settings.data_dir, T0 + dt.timedelta(hours=2))
    assert report.near == [] and report.missed == []


def test_a_paused_clock_is_not_escalated(instance: Instance, admin: Principal,
                                         order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s:
        execution.pause(s, admin, order.id, "force_majeure", "data centre flooded", now=T0)
    report = jobs.run_once(instance.db.session, instance.settings.data_dir, T0 + dt.timedelta(hours=2))
    assert report.missed == []
