"""Deliveries end to end: signed webhooks to a real receiver, back-off and dead letters on a simulated clock,
retry now, idempotency, and the background worker."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest
from sqlalchemy import select
from tests.actions.helpers import decided_case, hook
from tests.factories import count
from tests.receiver import Receiver

from basira.actions.config import ActionsConfig
from basira.actions.delivery import attempts_of, deliver_due, list_deliveries, retry_delivery
from basira.actions.dispatch import CONSUMER, dispatch
from basira.actions.models import Action, Delivery
from basira.core import audit
from basira.core.errors import Conflict, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import ConsumerCursor, utcnow
from basira.core.principal import Principal
from basira.worker import run_once, start_worker


def test_a_decision_is_delivered_signed_with_an_idempotency_key(
        instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config, ["case.decided"])
    case_id = decided_case(instance, admin, reviewer)
    report = run_once(instance, config=config)
    assert (report.dispatch.actions, report.delivery.delivered) == (1, 1)
    (got,) = receiver.requests
    assert got.signed, got.headers
    assert got.headers["basira-event"] == "case.decided" and got.headers["idempotency-key"].startswith("bsd_")
    body = got.json
    assert body["type"] == "case.decided" and body["organization"] == "acme"
    assert body["data"]["case_id"] == case_id and body["data"]["reason_code"] == "incites"
    assert body["data"]["refs"] == ["post-1"] and body["data"]["violating"] is True
    with instance.db.session() as s:
        (d,) = list_deliveries(s, admin)
        assert (d.status, d.attempts, d.last_status_code) == ("delivered", 1, 204)
        (a,) = attempts_of(s, admin, d.id)
        assert a.status_code == 204 and a.error == "" and a.duration_ms >= 0
    # Nothing is due any more.
    assert run_once(instance, config=config).delivery.attempted == 0


def test_failures_back_off_then_dead_letter_after_the_horizon_then_retry_now_delivers(
        instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config, ["case.decided"])
    decided_case(instance, admin, reviewer)
    dispatch(instance.db.session)
    rng = random.Random(4)
    start = now = utcnow()
    receiver.mode = "fail"
    waits: list[float] = []
    for _ in range(40):  # far more rounds than the horizon allows; it must stop by itself
        report = deliver_due(instance.db.session, config, now=now, rng=rng)
        assert report.attempted == 1
        if report.dead:
            break
        with instance.db.session() as s:
            d = s.scalars(select(Delivery)).one()
            waits.append((d.next_attempt_at - now).total_seconds())
            # Nothing goes out before it is due.
            early = d.next_attempt_at - dt.timedelta(seconds=1)
        assert deliver_due(instance.db.session, config, now=early, rng=rng).attempted == 0
        now = d.next_attempt_at
        # Three attempts meet an endpoint that never answers within the timeout, the others a 500.
        receiver.mode = "hang" if 4 <= len(waits) < 7 else "fail"
    else:
        pytest.fail("the delivery was never dead-lettered")
    # Exponential back-off with jitter (±20 %), capped at 10 minutes, and dead an hour after the first attempt.
    assert 8 <= waits[0] <= 12 and 16 <= waits[1] <= 24 and 32 <= waits[2] <= 48
    assert all(w <= 600 * 1.2 for w in waits)
    assert dt.timedelta(minutes=59) <= now - start <= dt.timedelta(minutes=61)
    with instance.db.session() as s:
        (dead,) = list_deliveries(s, admin, status="dead")
        log = attempts_of(s, admin, dead.id)
        assert len(log) == dead.attempts == len(waits) + 1 == len(receiver.requests)
        assert [a.status_code for a in log[:4]] == [500] * 4 and {a.status_code for a in log[7:]} == {500}
        assert all(a.status_code is None and "no answer within" in a.error for a in log[4:7])
        with pytest.raises(PermissionDenied):
            retry_delivery(s, reviewer, dead.id)
    receiver.mode = "ok"
    with instance.db.session() as s:
        retry_delivery(s, admin, dead.id, now=now)
    assert deliver_due(instance.db.session, config, now=now, rng=rng).delivered == 1
    # Nothing lost: every attempt carried the same body and the same idempotency key, and each was signed.
    assert len({r.headers["idempotency-key"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1 and all(r.signed for r in receiver.requests)
    with instance.db.session() as s:
        d = s.get(Delivery, dead.id)
        assert d is not None and d.status == "delivered"
        with pytest.raises(Conflict):
            retry_delivery(s, admin, dead.id)
        assert [e.action for e in audit.entries(s, audit.org_chain(admin.org_id), 1)] == ["delivery.retry"]


def test_an_event_consumed_twice_is_delivered_once(
        instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config)
    decided_case(instance, admin, reviewer)
    run_once(instance, config=config)
    with instance.db.session() as s:
        cursor = s.get(ConsumerCursor, CONSUMER)
        assert cursor is not None
        cursor.last_event_id = 0  # what an operator does to replay the outbox
    again = run_once(instance, config=config)
    assert again.dispatch.duplicates >= 1 and again.dispatch.actions == 0 and again.delivery.attempted == 0
    assert (count(instance, Action), count(instance, Delivery), len(receiver.requests)) == (1, 1, 1)


def test_two_workers_at_once_send_each_delivery_once(
        instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config)
    for i in range(3):
        decided_case(instance, admin, reviewer, value=f"{i}" * 32, ref=f"post-{i}")
    dispatch(instance.db.session)
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def work() -> None:
        barrier.wait()
        sent.append(deliver_due(instance.db.session, config).attempted)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(sent) == 3 and len(receiver.requests) == 3
    assert len({r.headers["idempotency-key"] for r in receiver.requests}) == 3


def test_a_target_that_is_no_longer_allowed_is_refused_when_sending(
        instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config)
    decided_case(instance, admin, reviewer)
    dispatch(instance.db.session)
    strict = ActionsConfig(timeout=config.timeout)  # the operator removed loopback from the allowlist
    assert deliver_due(instance.db.session, strict).failed == 1
    assert receiver.requests == []
    with instance.db.session() as s:
        d = s.scalars(select(Delivery)).one()
        assert d.status == "pending" and d.last_error.startswith("refused: ")


def test_disabled_and_unsubscribed_webhooks_get_nothing(
        instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config, ["appeal.decided"])
    decided_case(instance, admin, reviewer)
    assert run_once(instance, config=config).dispatch.actions == 0
    assert receiver.requests == [] and count(instance, Action) == 0


def test_the_background_worker_delivers_without_being_asked(
        instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config)
    worker = start_worker(instance, interval=0.05, config=config)
    try:
        decided_case(instance, admin, reviewer)
        deadline = time.monotonic() + 30  # generous: the machine may be busy
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert not worker.is_alive() and worker.rounds >= 1
    assert [r.headers["basira-event"] for r in receiver.requests] == ["case.decided"]


def test_a_worker_with_interval_zero_is_off(instance: Instance, config: ActionsConfig) -> None:
    worker = start_worker(instance, interval=0, config=config)
    assert not worker.is_alive()
    worker.stop()  # harmless
