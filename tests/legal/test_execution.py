"""Acting on orders: the Annex II confirmation, orders sharing a clock, declining, reinstating, notices held
while a no-disclosure period runs, and complaints with their two-week clock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from tests.legal.conftest import T0, OrderFactory

from basira.core.errors import Conflict, InvalidInput, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import Event, Role
from basira.core.principal import Principal
from basira.legal import complaints, execution, jobs, notices
from basira.legal.models import Notice, Preservation, RemovalOrder
from basira.legal.orders import OrderRequest, receive


def _order(instance: Instance, order_id: int) -> RemovalOrder:
    with instance.db.session() as s:
        o = s.get(RemovalOrder, order_id)
        assert o is not None
        return o


def test_a_confirmation_within_the_hour_records_the_action_and_its_time(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    done = T0 + dt.timedelta(minutes=42)
    with instance.db.session() as s:
        c = execution.confirm(s, admin, order.id, "disabled", done, now=done + dt.timedelta(minutes=1))
    assert c.in_time and c.executed_at == done and c.action == "disabled"
    got = _order(instance, order.id)
    assert got.status == "executed" and got.executed_at == done and got.confirmed_by == "test"


def test_a_late_confirmation_says_so(instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s:
        assert not execution.confirm(s, admin, order.id, now=T0 + dt.timedelta(minutes=61)).in_time


@pytest.mark.parametrize("offset", [dt.timedelta(minutes=-1), dt.timedelta(hours=2)])
def test_a_time_of_action_before_receipt_or_in_the_future_is_refused(
        instance: Instance, admin: Principal, order_request: OrderFactory, offset: dt.timedelta) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s, pytest.raises(InvalidInput):
        execution.confirm(s, admin, order.id, executed_at=T0 + offset, now=T0 + dt.timedelta(minutes=5))


def test_confirming_one_of_two_linked_orders_confirms_both(
        instance: Instance, admin: Principal, order_request: OrderFactory, unsigned_authority: int) -> None:
    first = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    second = receive(instance.db.session, admin, OrderRequest(
        authority="FR-OCLCTIC", reference="FR-1", member_state="FR", urls=list(first.urls), grounds="Made-up.",
        grounds_points=["a"], redress="Tribunal.", signatory="Chef", issued_at=T0), instance.secret_key, now=T0)
    with instance.db.session() as s:
        c = execution.confirm(s, admin, second.id, now=T0 + dt.timedelta(minutes=5))
    assert c.order_ids == [first.id, second.id]
    assert _order(instance, first.id).status == "executed"
    with instance.db.session() as s, pytest.raises(Conflict):
        execution.confirm(s, admin, first.id, now=T0 + dt.timedelta(minutes=6))


def test_declining_needs_grounds_and_stops_the_clock(instance: Instance, admin: Principal,
                                                     order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s, pytest.raises(InvalidInput):
        execution.decline(s, admin, order.id, "  ")
    with instance.db.session() as s:
        execution.decline(s, admin, order.id, "The URL hosts a news report (Art. 5(3) journalism).", now=T0)
    assert _order(instance, order.id).status == "not_executed"
    assert jobs.run_once(instance.db.session, instance.settings.data_dir, T0 + dt.timedelta(hours=2)).missed == []


def test_reinstating_needs_an_executed_order_and_emits_an_event(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s, pytest.raises(Conflict):
        execution.reinstate(s, admin, order.id, "scrutiny")
    with instance.db.session() as s:
        execution.confirm(s, admin, order.id, now=T0 + dt.timedelta(minutes=5))
        execution.reinstate(s, admin, order.id, "Art. 4 scrutiny found no infringement", now=T0 + dt.timedelta(days=3))
        assert s.scalar(select(Event.kind).where(Event.kind == "legal.order_reinstated"))
    assert _order(instance, order.id).status == "reinstated"


def test_confirming_keeps_a_preservation_record_for_six_months(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s:
        c = execution.confirm(s, admin, order.id, now=T0 + dt.timedelta(minutes=5))
        kept = s.get(Preservation, c.preservation_id)
        assert kept is not None and kept.refs == order.urls
        assert kept.expires_at == T0 + dt.timedelta(minutes=5) + dt.timedelta(days=183)


def test_a_notice_is_held_until_the_no_disclosure_period_ends(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    until = T0 + dt.timedelta(weeks=6)
    order = receive(instance.db.session, admin, order_request(confidential=True, no_disclosure_until=until),
                    instance.secret_key, now=T0)
    with instance.db.session() as s:
        execution.confirm(s, admin, order.id, now=T0 + dt.timedelta(minutes=5))
        (notice,) = s.scalars(select(Notice)).all()
        assert notice.held_until == until and notice.released_at is None
    data = instance.settings.data_dir
    assert jobs.run_once(instance.db.session, data, until - dt.timedelta(seconds=1)).released == []
    assert jobs.run_once(instance.db.session, data, until).released == [notice.id]
    with instance.db.session() as s:
        (ev,) = s.scalars(select(Event).where(Event.kind == "legal.notice_released")).all()
        assert ev.payload["content_ref"] == order.urls[0] and ev.payload["redress"] == order.redress


def test_a_notice_without_a_hold_is_released_at_once(instance: Instance, admin: Principal,
                                                      order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s:
        execution.confirm(s, admin, order.id, now=T0 + dt.timedelta(minutes=5))
        (n,) = notices.notices_of(s, admin, s.get(RemovalOrder, order.id))  # type: ignore[arg-type]
        assert n.released_at is not None


def test_a_complaint_is_due_in_two_weeks_and_overturning_it_reinstates(
        instance: Instance, admin: Principal, org_id: int, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    other = Principal(org_id, Role.REVIEWER, "rita")
    with instance.db.session() as s:
        execution.confirm(s, admin, order.id, now=T0 + dt.timedelta(minutes=5))
        c = complaints.record(s, admin, order.id, "uploader-991", "It is a documentary.", now=T0 + dt.timedelta(days=1))
        assert c.due_at == T0 + dt.timedelta(days=15)
        with pytest.raises(PermissionDenied):
            complaints.decide(s, admin, c.id, "overturned")
        complaints.decide(s, other, c.id, "overturned", "Documentary context.", now=T0 + dt.timedelta(days=2))
    assert _order(instance, order.id).status == "reinstated"


def test_a_complaint_needs_an_executed_order(instance: Instance, admin: Principal,
                                             order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s, pytest.raises(Conflict):
        complaints.record(s, admin, order.id, "uploader-1")
