"""Undo (reinstate): an undone action sends its own webhook, is audited, cancels what had not gone out, and cannot
be undone twice; an overturned appeal undoes the decision's action by itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.actions.helpers import decided_case, hook
from tests.factories import count, open_case
from tests.receiver import Receiver

from basira.actions.config import ActionsConfig
from basira.actions.dispatch import dispatch
from basira.actions.models import Action, Delivery
from basira.actions.undo import undo_action
from basira.core import audit, outbox
from basira.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import Role
from basira.core.principal import Principal
from basira.review import cases
from basira.review.appeals import AppealRequest, decide_appeal, record_appeal
from basira.worker import run_once


def _decision_action(instance: Instance) -> int:
    with instance.db.session() as s:
        return s.scalars(select(Action.id).where(Action.webhook_event == "case.decided")).one()


def test_undo_sends_its_own_signed_webhook_and_is_audited(
        instance: Instance, admin: Principal, reviewer: Principal, auditor: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config, ["case.decided", "action.undone"])
    case_id = decided_case(instance, admin, reviewer)
    run_once(instance, config=config)
    action_id = _decision_action(instance)
    with instance.db.session() as s:
        with pytest.raises(PermissionDenied):
            undo_action(s, auditor, action_id, "no")
        undo_action(s, reviewer, action_id, "The post is news reporting; reinstate it.")
    run_once(instance, config=config)
    assert [r.headers["basira-event"] for r in receiver.requests] == ["case.decided", "action.undone"]
    undone = receiver.requests[1]
    assert undone.signed
    data = undone.json["data"]
    assert data["action_id"] == action_id and data["undone_event"] == "case.decided" and data["case_id"] == case_id
    assert data["refs"] == ["post-1"] and data["undone_by"] == "rita"
    assert data["original"]["reason_code"] == "incites"
    assert undone.headers["idempotency-key"] != receiver.requests[0].headers["idempotency-key"]
    with instance.db.session() as s:
        a = s.get(Action, action_id)
        assert a is not None and (a.status, a.undone_by) == ("undone", "rita")
        trail = [e.action for e in cases.audit_trail(s, auditor, case_id)]
        assert trail[-1] == "case.action_undo"
        assert audit.entries(s, audit.org_chain(admin.org_id), 2)[1].action == "action.undo"
        assert all(r.ok for r in audit.verify(s))
        with pytest.raises(Conflict):
            undo_action(s, reviewer, action_id)  # twice
        undo_id = s.scalars(select(Action.id).where(Action.webhook_event == "action.undone")).one()
    with pytest.raises(Conflict), instance.db.session() as s:
        undo_action(s, reviewer, undo_id)  # an undo is not undone


def test_undo_before_delivery_cancels_the_original_delivery(
        instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
        config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config)
    decided_case(instance, admin, reviewer)
    dispatch(instance.db.session)  # queued, not sent
    with instance.db.session() as s:
        undo_action(s, reviewer, _decision_action(instance))
    run_once(instance, config=config)
    assert [r.headers["basira-event"] for r in receiver.requests] == ["action.undone"]
    with instance.db.session() as s:
        statuses = {d.webhook_event: d.status for d in s.scalars(select(Delivery))}
    assert statuses == {"case.decided": "cancelled", "action.undone": "delivered"}


def test_bad_undo_requests(instance: Instance, admin: Principal, reviewer: Principal, receiver: Receiver,
                           config: ActionsConfig, org_id: int) -> None:
    hook(instance, admin, receiver, config)
    decided_case(instance, admin, reviewer)
    dispatch(instance.db.session)
    action_id = _decision_action(instance)
    other = Principal(org_id + 1000, Role.REVIEWER, "outsider")
    with pytest.raises(NotFound), instance.db.session() as s:
        undo_action(s, other, action_id)
    with pytest.raises(NotFound), instance.db.session() as s:
        undo_action(s, reviewer, 10**20)
    with pytest.raises(InvalidInput), instance.db.session() as s:
        undo_action(s, reviewer, action_id, "x" * 3000)
    with instance.db.session() as s:
        assert s.get(Action, action_id).status == "done"  # type: ignore[union-attr]


def test_an_overturned_appeal_undoes_the_decision_and_notifies(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal,
        receiver: Receiver, config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config)
    case_id = decided_case(instance, admin, reviewer)
    run_once(instance, config=config)
    with instance.db.session() as s:
        record_appeal(s, reviewer, case_id, AppealRequest("user-77", "It was a news report."))
    with instance.db.session() as s:
        decide_appeal(s, second_reviewer, case_id, "overturned", "Reporting, not propaganda.")
    report = run_once(instance, config=config)
    assert report.dispatch.undone == 1
    got = {r.headers["basira-event"]: r.json["data"] for r in receiver.requests}
    assert sorted(got) == ["action.undone", "appeal.decided", "case.decided"] and len(receiver.requests) == 3
    assert got["appeal.decided"]["outcome"] == "overturned"
    assert got["action.undone"]["undone_by"].startswith("appeal:")
    with instance.db.session() as s:
        assert s.get(Action, _decision_action(instance)).status == "undone"  # type: ignore[union-attr]


def test_a_high_priority_hit_is_announced(
        instance: Instance, admin: Principal, receiver: Receiver, config: ActionsConfig, org_id: int) -> None:
    hook(instance, admin, receiver, config, ["case.high_priority"])
    with instance.db.session() as s:
        outbox.emit(s, "alert.raised", {"track_id": "T1", "alert_id": "1", "alert_kind": "ENTER",
                                        "zone_name": "Stadium"}, org_id=org_id)
    open_case(instance, admin, "post-normal", ["a" * 32])  # a normal-priority case: no webhook
    run_once(instance, config=config)
    (got,) = receiver.requests
    assert got.json["type"] == "case.high_priority" and got.json["data"]["group_key"] == "track:T1"
    assert got.json["data"]["priority"] == 1 and count(instance, Action) == 1
