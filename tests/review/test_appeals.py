"""Appeals: recorded against decided cases, due in two weeks, decided by someone who took no part."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from tests.factories import A, count, make_bank, run_consumer, submit

from basira.core import opinions, outbox
from basira.core.errors import Conflict, InvalidInput, PermissionDenied
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.review import cases
from basira.review.appeals import AppealRequest, decide_appeal, record_appeal
from basira.review.decisions import DecisionRequest, confirm, decide
from basira.review.models import Case, Suppression


def _decided(instance: Instance, admin: Principal, reviewer: Principal, reason: str = "incites") -> tuple[int, int]:
    (sig_id,) = make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A])
    run_consumer(instance)
    with instance.db.session() as s:
        case_id = s.scalars(select(Case.id)).one()
        decide(s, reviewer, case_id, DecisionRequest(reason, "As seen."))
    return case_id, sig_id


def test_an_appeal_is_due_in_two_weeks_and_upheld_by_another_reviewer(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    case_id, sig_id = _decided(instance, admin, reviewer)
    with instance.db.session() as s:
        appeal = record_appeal(s, reviewer, case_id, AppealRequest("user-4711", "It was a news report."))
        assert appeal.due_at - appeal.received_at == dt.timedelta(days=14)
        assert cases.get_case(s, reviewer, case_id).status == "appealed"
    with pytest.raises(PermissionDenied), instance.db.session() as s:
        decide_appeal(s, reviewer, case_id, "overturned")
    with instance.db.session() as s:
        done = decide_appeal(s, second_reviewer, case_id, "upheld", "The video is the group's own release.")
        assert (done.outcome, done.decided_by) == ("upheld", "sami")
        assert cases.get_case(s, reviewer, case_id).status == "decided"
        assert opinions.summary(s, sig_id) == "confirmed"
        (ev,) = outbox.pending(s, "test", ["appeal.decided"])
        assert ev.payload["outcome"] == "upheld" and ev.payload["violating"] is True
        assert ev.payload["complainant"] == "user-4711"
        actions = [e.action for e in cases.audit_trail(s, reviewer, case_id)]
        assert actions == ["case.decide", "case.appeal", "case.appeal_decide"]


def test_an_overturned_violation_becomes_a_suppressed_false_positive(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    case_id, sig_id = _decided(instance, admin, reviewer)
    with instance.db.session() as s:
        record_appeal(s, reviewer, case_id, AppealRequest("user-4711"))
        decide_appeal(s, second_reviewer, case_id, "overturned", "Counter-speech quoting the video.")
        assert opinions.summary(s, sig_id) == "false_positive"
        (ev,) = outbox.pending(s, "test", ["appeal.decided"])
        assert ev.payload["violating"] is False and ev.payload["reason_code"] == "incites"
    assert count(instance, Suppression) == 1
    submit(instance, admin, [A])
    assert run_consumer(instance).suppressed == 1


def test_an_overturned_false_positive_lifts_its_suppression(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    case_id, sig_id = _decided(instance, admin, reviewer, "not_violating")
    assert count(instance, Suppression) == 1
    with instance.db.session() as s:
        record_appeal(s, reviewer, case_id, AppealRequest("notifier-12", "This is the attack video."))
        decide_appeal(s, second_reviewer, case_id, "overturned")
        assert opinions.summary(s, sig_id) == "confirmed"
    assert count(instance, Suppression) == 0


def test_the_second_reviewer_of_a_four_eyes_decision_may_not_decide_its_appeal(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal,
        third_reviewer: Principal) -> None:
    make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A])
    run_consumer(instance)
    with instance.db.session() as s:
        case_id = s.scalars(select(Case.id)).one()
        decide(s, reviewer, case_id, DecisionRequest("recruitment", four_eyes=True))
        confirm(s, second_reviewer, case_id)
        record_appeal(s, reviewer, case_id, AppealRequest("user-1"))
        for took_part in (reviewer, second_reviewer):
            with pytest.raises(PermissionDenied):
                decide_appeal(s, took_part, case_id, "overturned")
        assert decide_appeal(s, third_reviewer, case_id, "upheld").decided_by == "tala"


def test_appeals_only_against_decided_cases_and_one_at_a_time(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A])
    run_consumer(instance)
    with instance.db.session() as s:
        case_id = s.scalars(select(Case.id)).one()
        with pytest.raises(Conflict, match="only a decided case"):
            record_appeal(s, reviewer, case_id, AppealRequest("user-1"))
        with pytest.raises(Conflict, match="no open appeal"):
            decide_appeal(s, second_reviewer, case_id, "upheld")
        decide(s, reviewer, case_id, DecisionRequest("incites"))
        record_appeal(s, reviewer, case_id, AppealRequest("user-1"))
        with pytest.raises(Conflict):
            record_appeal(s, reviewer, case_id, AppealRequest("user-2"))
        with pytest.raises(Conflict, match="only a decided case can be closed"):
            cases.close_case(s, reviewer, case_id)
        decide_appeal(s, second_reviewer, case_id, "upheld")
        cases.close_case(s, reviewer, case_id)
        with pytest.raises(Conflict, match="closed"):
            record_appeal(s, reviewer, case_id, AppealRequest("user-3"))


@pytest.mark.parametrize("complainant,outcome", [
    ("", "upheld"),  # nobody complained
    ("x" * 301, "upheld"),
    ("user-\u202e1", "upheld"),  # a right-to-left override in a reference
    ("user-1", "maybe"),  # not an outcome
])
def test_a_bad_complaint_or_outcome_is_refused(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal,
        complainant: str, outcome: str) -> None:
    case_id, _ = _decided(instance, admin, reviewer)
    with pytest.raises(InvalidInput), instance.db.session() as s:
        record_appeal(s, reviewer, case_id, AppealRequest(complainant))
        decide_appeal(s, second_reviewer, case_id, outcome)
