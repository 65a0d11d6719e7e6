"""Decisions: reason codes, opinions, events and audit; four-eyes; concurrent and late decisions conflict."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from tests.factories import A, B, make_bank, run_consumer, submit
from tests.review.helpers import only_case

from basira.core import audit, opinions, orgs, outbox
from basira.core.errors import BasiraError, Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import Role
from basira.core.principal import Principal
from basira.review import cases
from basira.review.decisions import DecisionRequest, confirm, decide
from basira.review.models import Case, Decision
from basira.review.policy import ReviewPolicy


def _case(instance: Instance, admin: Principal, values: list[str] = [A], ref: str = "post-1",  # noqa: B006
          content_type: str = "", policy: ReviewPolicy | None = None) -> tuple[Case, list[int]]:
    sig_ids = make_bank(instance, admin, f"bank-{ref}", values)
    submit(instance, admin, values, ref=ref, content_type=content_type)
    run_consumer(instance, policy=policy)
    with instance.db.session() as s:
        case = s.scalars(select(Case).where(Case.group_key.like(f"%{ref}"))).one()
    return case, sig_ids


def test_a_decision_records_opinions_an_event_and_an_audit_entry(
        instance: Instance, admin: Principal, reviewer: Principal) -> None:
    case, sig_ids = _case(instance, admin, [A, B])
    with instance.db.session() as s:
        d = decide(s, reviewer, case.id, DecisionRequest("incites", "Calls for attacks.", expected_version=1))
        assert (d.state, d.reviewer, d.decided_at is not None) == ("taken", "rita", True)
    with instance.db.session() as s:
        c = cases.get_case(s, reviewer, case.id)
        assert (c.status, c.version) == ("decided", 2)
        assert [opinions.summary(s, sid) for sid in sig_ids] == ["confirmed", "confirmed"]
        (ev,) = outbox.pending(s, "test", ["case.decided"])
        assert ev.payload["reason_code"] == "incites" and ev.payload["violating"] is True
        assert ev.payload["signal_ids"] == sorted(sig_ids) and ev.payload["refs"] == ["post-1"]
        assert ev.payload["rationale"] == "Calls for attacks." and ev.payload["second_reviewer"] is None
        trail = cases.audit_trail(s, reviewer, case.id)
        assert [e.action for e in trail] == ["case.decide"] and trail[0].details["opinions"] == 2
        assert all(r.ok for r in audit.verify(s))


def test_not_violating_records_false_positives(instance: Instance, admin: Principal, reviewer: Principal) -> None:
    case, (sig_id,) = _case(instance, admin)
    with instance.db.session() as s:
        decide(s, reviewer, case.id, DecisionRequest("not_violating", "News report."))
        assert opinions.summary(s, sig_id) == "false_positive"
        (ev,) = outbox.pending(s, "test", ["case.decided"])
        assert ev.payload["violating"] is False and ev.payload["opinion"] == "false_positive"


@pytest.mark.parametrize("reason,rationale", [
    ("true_match", ""),  # a finance code on a content case
    ("", ""),
    ("incites", "x" * 10_001),  # too long
    ("incites", "looks fine \u202e"),  # a right-to-left override hides what the text says
])
def test_a_bad_reason_or_rationale_is_refused_and_changes_nothing(
        instance: Instance, admin: Principal, reviewer: Principal, reason: str, rationale: str) -> None:
    case, _ = _case(instance, admin)
    with pytest.raises(InvalidInput), instance.db.session() as s:
        decide(s, reviewer, case.id, DecisionRequest(reason, rationale))
    assert only_case(instance).status == "new"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ANALYST])
def test_only_reviewers_and_admins_decide(instance: Instance, admin: Principal, role: Role) -> None:
    case, _ = _case(instance, admin)
    who = Principal(admin.org_id, role, "someone")
    with instance.db.session() as s:
        assert cases.get_case(s, who, case.id).id == case.id  # reading is fine
        with pytest.raises(PermissionDenied):
            decide(s, who, case.id, DecisionRequest("incites"))


def test_another_organization_cannot_see_or_decide_the_case(instance: Instance, admin: Principal) -> None:
    case, _ = _case(instance, admin)
    with instance.db.session() as s:
        other = Principal(orgs.create_org(s, "test", "other").id, Role.REVIEWER, "x")
    with instance.db.session() as s:
        for ref in (case.id, str(case.id), "0", "-1", "abc", 2**70):
            with pytest.raises(NotFound):
                decide(s, other, ref, DecisionRequest("incites"))  # type: ignore[arg-type]


def test_four_eyes_needs_a_second_different_reviewer(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    case, (sig_id,) = _case(instance, admin, policy=ReviewPolicy(four_eyes_kinds=frozenset({"content_match"})))
    assert case.four_eyes
    with instance.db.session() as s:
        assert decide(s, reviewer, case.id, DecisionRequest("threatens", "Threat.")).state == "proposed"
    with instance.db.session() as s:
        assert cases.get_case(s, reviewer, case.id).status == "in_review"
        assert opinions.summary(s, sig_id) is None and not outbox.pending(s, "test", ["case.decided"])
        with pytest.raises(Conflict, match="awaits"):
            decide(s, second_reviewer, case.id, DecisionRequest("not_violating"))
        with pytest.raises(PermissionDenied, match="different reviewer"):
            confirm(s, reviewer, case.id)
    with instance.db.session() as s:
        d = confirm(s, second_reviewer, case.id, note="Agreed.")
        assert (d.state, d.second_reviewer) == ("taken", "sami")
    with instance.db.session() as s:
        assert cases.get_case(s, reviewer, case.id).status == "decided"
        assert opinions.summary(s, sig_id) == "confirmed"
        (ev,) = outbox.pending(s, "test", ["case.decided"])
        assert (ev.payload["reviewer"], ev.payload["second_reviewer"]) == ("rita", "sami")


def test_four_eyes_on_request_and_a_rejected_proposal_returns_the_case_to_review(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    case, _ = _case(instance, admin)
    with instance.db.session() as s:
        decide(s, reviewer, case.id, DecisionRequest("glorification", four_eyes=True))
        confirm(s, second_reviewer, case.id, agree=False, note="Satire, not glorification.")
        assert cases.get_case(s, reviewer, case.id).status == "in_review"
        with pytest.raises(Conflict, match="no decision"):
            confirm(s, second_reviewer, case.id)
        # The case keeps asking for four eyes: the next decision waits for confirmation too.
        assert decide(s, second_reviewer, case.id, DecisionRequest("not_violating")).state == "proposed"
        confirm(s, reviewer, case.id)
        states = [d.state for d in cases.decisions_of(s, reviewer, case.id)]
        assert states == ["rejected", "taken"]


def test_a_stale_version_loses_to_the_reviewer_who_decided_first(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    case, _ = _case(instance, admin)
    first, second = instance.db.sessions(), instance.db.sessions()
    try:
        # Both load the case before either decides (the second keeps its copy, as a request in flight does).
        seen1 = cases.get_case(first, reviewer, case.id).version
        loaded = cases.get_case(second, second_reviewer, case.id)
        decide(first, reviewer, case.id, DecisionRequest("incites", expected_version=seen1))
        first.commit()
        assert loaded.status == "new"  # what the second reviewer still sees
        with pytest.raises(Conflict, match="changed since version 1"):
            decide(second, second_reviewer, case.id,
                   DecisionRequest("not_violating", expected_version=loaded.version))
        second.rollback()
    finally:
        first.close()
        second.close()
    with instance.db.session() as s:
        (d,) = s.scalars(select(Decision)).all()
        assert d.reviewer == "rita"


def test_two_reviewers_deciding_at_the_same_moment_one_wins_one_is_told(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    case, _ = _case(instance, admin)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(who: Principal, reason: str) -> None:
        try:
            with instance.db.session() as s:
                seen = cases.get_case(s, who, case.id).version
                barrier.wait(timeout=10)
                decide(s, who, case.id, DecisionRequest(reason, expected_version=seen))
            outcomes[who.actor] = "won"
        except BasiraError as e:
            outcomes[who.actor] = type(e).__name__

    threads = [threading.Thread(target=act, args=(reviewer, "incites")),
               threading.Thread(target=act, args=(second_reviewer, "not_violating"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["Conflict", "won"]
    with instance.db.session() as s:
        assert len(s.scalars(select(Decision)).all()) == 1


def test_a_hit_joining_while_the_reviewer_looks_makes_their_decision_conflict(
        instance: Instance, admin: Principal, reviewer: Principal) -> None:
    case, _ = _case(instance, admin, [A])
    make_bank(instance, admin, "more", [B])
    submit(instance, admin, [B], ref="post-1")
    run_consumer(instance)
    with pytest.raises(Conflict), instance.db.session() as s:
        decide(s, reviewer, case.id, DecisionRequest("not_violating", expected_version=case.version))


def test_deciding_a_decided_or_closed_case_is_a_conflict(
        instance: Instance, admin: Principal, reviewer: Principal, second_reviewer: Principal) -> None:
    case, _ = _case(instance, admin)
    with instance.db.session() as s:
        decide(s, reviewer, case.id, DecisionRequest("incites"))
    with pytest.raises(Conflict, match="appeal"), instance.db.session() as s:
        decide(s, second_reviewer, case.id, DecisionRequest("not_violating"))
    with instance.db.session() as s:
        cases.close_case(s, reviewer, case.id)
    for attempt in ("decide", "assign", "close"):
        with pytest.raises(Conflict, match="closed"), instance.db.session() as s:
            if attempt == "decide":
                decide(s, second_reviewer, case.id, DecisionRequest("not_violating"))
            elif attempt == "assign":
                cases.assign(s, second_reviewer, case.id, "sami")
            else:
                cases.close_case(s, second_reviewer, case.id)
    assert only_case(instance).status == "closed"


def test_needs_information_keeps_a_screening_case_in_review(
        instance: Instance, admin: Principal, reviewer: Principal) -> None:
    case, (sig_id,) = _case(instance, admin, ref="customer-7", content_type="person")
    assert case.kind == "screening_hit"
    with instance.db.session() as s:
        decide(s, reviewer, case.id, DecisionRequest("needs_information", "Ask for a birth date."))
        assert cases.get_case(s, reviewer, case.id).status == "in_review" and opinions.summary(s, sig_id) is None
        assert len(outbox.pending(s, "test", ["case.information_requested"])) == 1
        decide(s, reviewer, case.id, DecisionRequest("false_positive", "Birth dates differ by 30 years."))
        assert cases.get_case(s, reviewer, case.id).status == "decided"
        assert opinions.summary(s, sig_id) == "false_positive"


def test_a_new_hit_after_the_decision_opens_a_new_case(
        instance: Instance, admin: Principal, reviewer: Principal) -> None:
    case, _ = _case(instance, admin)
    with instance.db.session() as s:
        decide(s, reviewer, case.id, DecisionRequest("incites"))
    submit(instance, admin, [A], ref="post-1")
    assert run_consumer(instance).opened == 1
    with instance.db.session() as s:
        assert [c.status for c in s.scalars(select(Case).order_by(Case.id))] == ["decided", "new"]


def test_assignment_puts_a_case_in_review_and_the_queue_filters_and_orders(
        instance: Instance, admin: Principal, reviewer: Principal) -> None:
    first, _ = _case(instance, admin, ref="post-1")
    second, _ = _case(instance, admin, [B], ref="post-2")
    with instance.db.session() as s:
        c = cases.assign(s, reviewer, second.id, "rita", expected_version=1)
        assert (c.status, c.assignee, c.version) == ("in_review", "rita", 2)
        with pytest.raises(Conflict):
            cases.assign(s, reviewer, second.id, "sami", expected_version=1)
        with pytest.raises(InvalidInput):
            cases.assign(s, reviewer, first.id, "   ")
        mine = cases.list_cases(s, reviewer, cases.CaseQuery(assignee="rita"))
        assert [x.id for x in mine] == [second.id]
        queue = cases.list_cases(s, reviewer, cases.CaseQuery(status="new"))
        assert [x.id for x in queue] == [first.id]
        assert [x.id for x in cases.list_cases(s, reviewer, cases.CaseQuery())] == [first.id, second.id]
        for bad in (cases.CaseQuery(status="open"), cases.CaseQuery(kind="x"), cases.CaseQuery(limit=0)):
            with pytest.raises(InvalidInput):
                cases.list_cases(s, reviewer, bad)
