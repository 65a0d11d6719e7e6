"""Suppression: a decided false positive raises no new case until the signal (or its entry) changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from tests.factories import A, B, count, make_bank, run_consumer, submit

from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.models import Role
from basira.core.principal import Principal
from basira.review.decisions import DecisionRequest, decide
from basira.review.models import Case, CaseMatch, ProcessedEvent, Suppression


def _decide_first_case(instance: Instance, reviewer: Principal, reason: str) -> Case:
    run_consumer(instance)
    with instance.db.session() as s:
        case = s.scalars(select(Case).order_by(Case.id)).first()
        assert case is not None
        decide(s, reviewer, case.id, DecisionRequest(reason, "Checked by hand."))
        return case


def test_a_decided_false_positive_raises_no_new_case(
        instance: Instance, admin: Principal, reviewer: Principal) -> None:
    make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A], ref="post-1")
    _decide_first_case(instance, reviewer, "not_violating")
    submit(instance, admin, [A], ref="post-1")  # the same item again
    submit(instance, admin, [A], ref="post-2")  # another item with the same value
    report = run_consumer(instance)
    assert (report.suppressed, report.opened) == (2, 0) and count(instance, Case) == 1
    with instance.db.session() as s:
        assert {p.outcome for p in s.scalars(select(ProcessedEvent))} == {"opened", "suppressed"}


def test_a_confirmed_decision_suppresses_nothing(instance: Instance, admin: Principal, reviewer: Principal) -> None:
    make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A])
    _decide_first_case(instance, reviewer, "incites")
    submit(instance, admin, [A])
    assert run_consumer(instance).opened == 1 and count(instance, Suppression) == 0


def _relabel(instance: Instance, admin: Principal, sig_id: int) -> None:
    with instance.db.session() as s:
        banks.add_signals(s, admin, instance.registry, instance.settings, "b",
                          [banks.SignalSpec("md5", A, entry_ref="b-aaaa-0", labels=["reviewed-again"])])


def _disable_and_enable(instance: Instance, admin: Principal, sig_id: int) -> None:
    with instance.db.session() as s:
        banks.set_signal_enabled(s, admin, sig_id, False)
    with instance.db.session() as s:
        banks.set_signal_enabled(s, admin, sig_id, True)


def _update_entry(instance: Instance, admin: Principal, sig_id: int) -> None:
    # A list update that changes the listed entry's attributes, not the signal itself.
    with instance.db.session() as s:
        banks.add_signals(s, admin, instance.registry, instance.settings, "b",
                          [banks.SignalSpec("md5", A, entry_ref="b-aaaa-0", labels=["test"],
                                            attributes={"listed_on": "2027-01-01"})])


@pytest.mark.parametrize("change", [_relabel, _disable_and_enable, _update_entry])
def test_a_changed_signal_lifts_the_suppression(instance: Instance, admin: Principal, reviewer: Principal,
                                                change: Callable[[Instance, Principal, int], None]) -> None:
    (sig_id,) = make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A])
    _decide_first_case(instance, reviewer, "not_violating")
    assert count(instance, Suppression) == 1
    change(instance, admin, sig_id)
    submit(instance, admin, [A])
    report = run_consumer(instance)
    assert (report.opened, report.suppressed) == (1, 0)
    assert count(instance, Suppression) == 0 and count(instance, Case) == 2


def test_only_the_false_positive_part_of_an_item_is_suppressed(
        instance: Instance, admin: Principal, reviewer: Principal) -> None:
    make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A], ref="post-1")
    _decide_first_case(instance, reviewer, "not_violating")
    make_bank(instance, admin, "other", [B])
    submit(instance, admin, [A, B], ref="post-2")
    run_consumer(instance)
    with instance.db.session() as s:
        new = s.scalars(select(Case).where(Case.group_key == "item:post-2")).one()
        links = s.scalars(select(CaseMatch).where(CaseMatch.case_id == new.id)).all()
    assert [lk.query_value for lk in links] == [B]
    assert new.evidence["match_count"] == 1 and len(new.evidence["suppressed_match_ids"]) == 1


def test_a_suppression_belongs_to_the_organization_that_decided(
        instance: Instance, admin: Principal, reviewer: Principal) -> None:
    make_bank(instance, admin, "b", [A], tlp="GREEN")
    submit(instance, admin, [A])
    _decide_first_case(instance, reviewer, "not_violating")
    with instance.db.session() as s:
        partner = Principal(orgs.create_org(s, "test", "partner").id, Role.ANALYST, "p")
    submit(instance, partner, [A])
    assert run_consumer(instance).opened == 1
    with instance.db.session() as s:
        assert s.scalars(select(Case.org_id).where(Case.status == "new")).all() == [partner.org_id]
