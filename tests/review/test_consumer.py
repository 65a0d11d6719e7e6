"""The review consumer: events become grouped cases, idempotently, surviving crashes, obeying TLP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from tests.factories import A, B, C, count, make_bank, run_consumer, submit
from tests.review.helpers import only_case, reset_cursor, statements

from basira.core import banks, orgs, outbox
from basira.core.instance import Instance
from basira.core.models import ConsumerCursor, Event, Match, Role, Signal
from basira.core.principal import Principal
from basira.review import consume
from basira.review.models import Case, CaseMatch, ProcessedEvent
from basira.review.policy import Priority, ReviewPolicy


def test_fifty_matches_of_one_item_make_one_case(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "b", [A], copies=50)
    assert len(submit(instance, admin, [A])["matches"]) == 50
    report = run_consumer(instance)
    assert (report.events, report.opened) == (1, 1)
    case = only_case(instance)
    assert (case.kind, case.group_key, case.status, case.priority) == ("content_match", "item:post-1", "new", 2)
    assert case.evidence["match_count"] == 50 and len(case.evidence["matches"]) == 50
    assert [i["ref"] for i in case.evidence["items"]] == ["post-1"]
    assert case.due_at - case.created_at == dt.timedelta(hours=24)
    assert count(instance, CaseMatch) == 50
    with instance.db.session() as s:
        (opened,) = outbox.pending(s, "test", ["case.opened"])
        assert opened.payload["case_id"] == case.id and opened.payload["match_count"] == 50


def test_hits_on_one_item_reference_join_one_case_and_other_items_open_their_own(
        instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "b", [A, B])
    submit(instance, admin, [A], ref="post-1")
    run_consumer(instance)
    submit(instance, admin, [B], ref="post-1")
    submit(instance, admin, [A], ref="post-2")
    report = run_consumer(instance, policy=ReviewPolicy(sla={"content_match": dt.timedelta(hours=1)}))
    assert (report.opened, report.joined) == (1, 1)
    with instance.db.session() as s:
        cases = {c.group_key: c for c in s.scalars(select(Case))}
    assert set(cases) == {"item:post-1", "item:post-2"}
    first = cases["item:post-1"]
    assert first.version == 2 and first.evidence["match_count"] == 2 and len(first.evidence["items"]) == 2
    assert first.due_at - first.created_at == dt.timedelta(hours=24)  # the deadline is set once, at opening
    assert cases["item:post-2"].due_at - cases["item:post-2"].created_at == dt.timedelta(hours=1)


def test_persons_are_screening_hits_grouped_by_customer(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "list", [A, B])
    submit(instance, admin, [A], ref="customer-9", content_type="person")
    submit(instance, admin, [B], ref="customer-9", content_type="person")
    run_consumer(instance)
    case = only_case(instance)
    assert (case.kind, case.group_key) == ("screening_hit", "customer:customer-9")
    assert case.evidence["customer_ref"] == "customer-9" and case.evidence["match_count"] == 2


def test_consuming_again_after_a_cursor_reset_doubles_nothing(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "b", [A, B], copies=3)
    submit(instance, admin, [A], ref="post-1")
    submit(instance, admin, [B], ref="post-2")
    consume(instance.db.sessions)  # a sessionmaker works as well as instance.db.session
    before = {c.id: (c.version, c.evidence) for c in _cases(instance)}
    reset_cursor(instance)
    report = run_consumer(instance)
    assert (report.events, report.duplicates, report.opened, report.joined) == (2, 2, 0, 0)
    assert {c.id: (c.version, c.evidence) for c in _cases(instance)} == before
    assert count(instance, CaseMatch) == 6 and count(instance, ProcessedEvent) == 2


def test_an_event_whose_processed_record_is_lost_still_links_no_match_twice(
        instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A])
    run_consumer(instance)
    with instance.db.session() as s:
        s.query(ProcessedEvent).delete()
    reset_cursor(instance)
    report = run_consumer(instance)
    assert report.duplicates == 1 and count(instance, CaseMatch) == 1 and only_case(instance).version == 1


def test_a_crash_mid_batch_moves_no_cursor_and_the_next_run_completes(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "b", [A])
    for n in range(3):
        submit(instance, admin, [A], ref=f"post-{n}")
    with pytest.raises(RuntimeError, match="power cut"), instance.db.session() as s:
        _crash_on_second_case(s)
        consume(s)
    with instance.db.session() as s:
        assert s.get(ConsumerCursor, "review") is None
    assert count(instance, Case) == 0 and count(instance, ProcessedEvent) == 0
    report = run_consumer(instance)
    assert report.opened == 3 and count(instance, Case) == 3 and count(instance, CaseMatch) == 3
    with instance.db.session() as s:
        last = s.scalar(select(Event.id).where(Event.kind == "match.recorded").order_by(Event.id.desc()))
        cursor = s.get(ConsumerCursor, "review")
        assert cursor is not None and cursor.last_event_id == last


def test_batches_commit_one_by_one(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "b", [A])
    for n in range(5):
        submit(instance, admin, [A], ref=f"post-{n}")
    assert run_consumer(instance, batch_size=2, max_batches=1).opened == 2
    assert run_consumer(instance, batch_size=2).opened == 3
    assert count(instance, Case) == 5


def test_events_whose_matches_are_all_suppressed_open_no_case(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "bad", [A])
    make_bank(instance, admin, "harmless", [A], negative=True)
    assert submit(instance, admin, [A])["suppressed"] is True
    report = run_consumer(instance)
    assert report.suppressed == 1 and count(instance, Case) == 0
    with instance.db.session() as s:
        (done,) = s.scalars(select(ProcessedEvent)).all()
        assert (done.outcome, done.case_id) == ("suppressed", None)


def test_a_red_bank_hit_shows_its_owner_never_the_value(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        partner = Principal(orgs.create_org(s, "test", "partner").id, Role.ADMIN, "p")
    make_bank(instance, partner, "red", [A], tlp="RED")
    with instance.db.session() as s:
        banks.share_bank(s, partner, "red", org="acme")
    submit(instance, admin, [A])
    run_consumer(instance)
    (hit,) = only_case(instance).evidence["matches"]
    assert hit["signal"] is None and hit["entry"] is None and hit["distance"] is None
    assert hit["bank"] == {"owner_org_id": partner.org_id, "tlp": "RED"}


def test_a_visible_hit_carries_signal_entry_and_explanation(instance: Instance, admin: Principal) -> None:
    (sig_id,) = make_bank(instance, admin, "b", [A])
    submit(instance, admin, [A])
    run_consumer(instance)
    (hit,) = only_case(instance).evidence["matches"]
    assert hit["signal"]["id"] == sig_id and hit["signal"]["labels"] == ["test"]
    assert hit["entry"]["ref"] == "b-aaaa-0" and hit["distance"] == 0.0 and "threshold" in hit["explanation"]
    assert hit["bank"]["name"] == "b"


def _alert(instance: Instance, org_id: int, **payload: Any) -> None:
    with instance.db.session() as s:
        outbox.emit(s, "alert.raised", payload, org_id=org_id)


def test_drone_alerts_group_by_track_and_keep_only_documented_fields(instance: Instance, org_id: int) -> None:
    _alert(instance, org_id, track_id="T1", alert_id="1", alert_kind="LOITER", uas_id="UAS-1",
           position={"lat": 48.1, "lon": 11.5, "alt_m": "high"}, raw_frames="not kept")
    _alert(instance, org_id, track_id="T1", alert_id="2", alert_kind="ENTER", zone_name="Stadium \u202eeno")
    _alert(instance, org_id, track_id="T2", alert_id="3", alert_kind="EXIT")
    report = run_consumer(instance)
    assert (report.opened, report.joined) == (2, 1)
    with instance.db.session() as s:
        cases = {c.group_key: c for c in s.scalars(select(Case))}
    t1 = cases["track:T1"]
    assert t1.kind == "drone_alert" and t1.priority == Priority.HIGH  # ENTER raised it
    assert t1.due_at - t1.created_at == dt.timedelta(minutes=15)
    assert [a["alert_kind"] for a in t1.evidence["alerts"]] == ["LOITER", "ENTER"]
    assert t1.evidence["alerts"][0]["position"] == {"lat": 48.1, "lon": 11.5}
    assert "raw_frames" not in t1.evidence["alerts"][0] and t1.evidence["track_id"] == "T1"
    assert cases["track:T2"].priority == Priority.NORMAL


@pytest.mark.parametrize("kind,payload", [
    ("match.recorded", {"item_id": 1, "match_ids": "1,2"}),  # ids as a string
    ("match.recorded", {"item_id": 99999, "match_ids": [1]}),  # an item that does not exist
    ("match.recorded", {"item_id": True, "match_ids": [1]}),  # a boolean is no id
    ("alert.raised", {"alert_kind": "ENTER"}),  # no track
    ("alert.raised", {"track_id": {"nested": 1}}),  # a track that is not text
])
def test_a_malformed_event_is_recorded_as_skipped_and_the_rest_goes_on(
        instance: Instance, admin: Principal, kind: str, payload: dict[str, Any]) -> None:
    make_bank(instance, admin, "b", [A])
    with instance.db.session() as s:
        outbox.emit(s, kind, payload, org_id=admin.org_id)
    submit(instance, admin, [A])
    report = run_consumer(instance)
    assert (report.skipped, report.opened) == (1, 1)
    with instance.db.session() as s:
        skipped = s.scalar(select(ProcessedEvent).where(ProcessedEvent.outcome == "skipped"))
        assert skipped is not None and skipped.note


def test_matches_of_another_organization_are_never_pulled_into_a_case(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        other = Principal(orgs.create_org(s, "test", "other").id, Role.ADMIN, "o")
    make_bank(instance, admin, "b", [A, C], tlp="GREEN")
    submit(instance, other, [C], ref="theirs")
    with instance.db.session() as s:
        theirs = s.scalars(select(Match.id)).all()
    submit(instance, admin, [A])
    with instance.db.session() as s:  # a forged event naming the other organization's match
        item_id = s.scalar(select(Match.item_id).where(Match.org_id == admin.org_id))
        outbox.emit(s, "match.recorded", {"item_id": item_id, "match_ids": list(theirs)}, org_id=admin.org_id)
    run_consumer(instance)
    with instance.db.session() as s:
        linked = set(s.scalars(select(CaseMatch.match_id).join(Case, Case.id == CaseMatch.case_id)
                               .where(Case.org_id == admin.org_id)))
    assert len(linked) == 1 and linked.isdisjoint(theirs)
    assert count(instance, Case) == 2  # acme's own case, and the other organization's own case


def _cases(instance: Instance) -> list[Case]:
    with instance.db.session() as s:
        return list(s.scalars(select(Case).order_by(Case.id)))


def _crash_on_second_case(session: Session) -> None:
    """Fail the flush that writes the second case, as a power cut between two cases would."""
    seen: list[object] = []

    @event.listens_for(session, "before_flush")
    def crash(sess: Session, _ctx: object, _instances: object) -> None:
        seen.extend(o for o in sess.new if isinstance(o, Case))
        if len(seen) >= 2:
            raise RuntimeError("power cut")


def test_a_bank_that_asks_for_four_eyes_gets_it_on_its_cases(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "plain", [A])
    (sig_id,) = make_bank(instance, admin, "careful", [B])
    with instance.db.session() as s:
        careful = s.scalars(select(Signal.bank_id).where(Signal.id == sig_id)).one()
    submit(instance, admin, [A], ref="post-1")
    submit(instance, admin, [B], ref="post-2")
    run_consumer(instance, policy=ReviewPolicy(four_eyes_bank_ids=frozenset({careful})))
    assert {c.group_key: c.four_eyes for c in _cases(instance)} == {"item:post-1": False, "item:post-2": True}


def test_a_batch_reads_its_items_signals_and_entries_ahead_not_event_by_event(
        instance: Instance, admin: Principal) -> None:
    """The consumer reads the rows a batch's events name in a few statements (``_Builder.prefetch``): twice the
    events make no more reads of items, matches, signals, entries, links to cases or suppressions, and every case
    is the same as read one by one."""
    make_bank(instance, admin, "b", [A, B, C])

    def reads(items: int) -> tuple[int, list[tuple[str, int]]]:
        for n in range(items):
            submit(instance, admin, [A, B, C], ref=f"post-{items}-{n}")
        with statements(instance) as seen:
            report = run_consumer(instance)
        assert report.opened == items
        with instance.db.session() as s:
            made = [(c.group_key, c.evidence["match_count"]) for c in s.scalars(select(Case).where(
                Case.group_key.like(f"item:post-{items}-%")).order_by(Case.id))]
        return sum(any(f"FROM {t} " in st or st.rstrip().endswith(f"FROM {t}")
                       for t in ("items", "signals", "entries", "matches", "review_case_matches",
                                 "review_suppressions"))
                   for st in seen if st.lstrip().upper().startswith("SELECT")), made

    few, made_few = reads(5)
    many, made_many = reads(10)
    assert made_few == [(f"item:post-5-{n}", 3) for n in range(5)]
    assert made_many == [(f"item:post-10-{n}", 3) for n in range(10)]
    assert many == few, (few, many)


def test_a_batch_writes_its_new_cases_together_each_opened_event_as_at_its_opening(
        instance: Instance, admin: Principal) -> None:
    """New cases are written together for the batch (one INSERT on PostgreSQL), not one flush per event; two
    events of one group in one batch make one case (opened, then joined), and ``case.opened`` tells the case as
    the first event opened it."""
    make_bank(instance, admin, "b", [A, B, C])
    submit(instance, admin, [A], ref="post-1")
    submit(instance, admin, [B, C], ref="post-1")  # joins post-1's case in the same batch
    for n in range(2, 8):
        submit(instance, admin, [A, B], ref=f"post-{n}")
    with statements(instance) as seen:
        report = run_consumer(instance)
    inserts = [st for st in seen if st.lstrip().upper().startswith("INSERT INTO REVIEW_CASES ")]
    assert (report.opened, report.joined) == (7, 1)
    # PostgreSQL takes them in one multi-row INSERT; SQLite's driver one by one, in the same flush.
    assert len(inserts) == (1 if instance.db.engine.dialect.name == "postgresql" else 7)
    with instance.db.session() as s:
        cases = {c.group_key: c for c in s.scalars(select(Case))}
        opened = {e.payload["group_key"]: e.payload for e in s.scalars(select(Event).where(
            Event.kind == "case.opened").order_by(Event.id))}
        links = {(m.case_id, m.match_id) for m in s.scalars(select(CaseMatch))}
        done = {p.event_id: p.case_id for p in s.scalars(select(ProcessedEvent))}
    assert cases["item:post-1"].evidence["match_count"] == 3 and opened["item:post-1"]["match_count"] == 1
    assert opened["item:post-1"]["case_id"] == cases["item:post-1"].id
    assert list(opened) == ["item:post-1", *(f"item:post-{n}" for n in range(2, 8))]
    assert len(links) == 3 + 6 * 2 and {c for c, _ in links} == {c.id for c in cases.values()}
    assert set(done.values()) == {c.id for c in cases.values()}


def test_a_batch_locks_the_open_cases_of_its_groups_in_one_statement(instance: Instance, admin: Principal) -> None:
    """The open cases the batch's events join are read and locked together (``FOR UPDATE``, in id order), not one
    statement per event; each event still joins its own group's case."""
    make_bank(instance, admin, "b", [A, B, C])
    for n in range(5):
        submit(instance, admin, [A], ref=f"post-{n}")
    run_consumer(instance)
    for n in range(5):
        submit(instance, admin, [B], ref=f"post-{n}")
        submit(instance, admin, [C], ref=f"post-{n}")
    with statements(instance) as seen:
        report = run_consumer(instance)
    locks = [st for st in seen if "FROM review_cases" in st and "FOR UPDATE" in st.upper()]
    assert (report.opened, report.joined) == (0, 10)
    if instance.db.engine.dialect.name == "postgresql":  # SQLite has no FOR UPDATE (one writer at a time)
        assert len(locks) == 1
    with instance.db.session() as s:
        counts = {c.group_key: c.evidence["match_count"] for c in s.scalars(select(Case))}
    assert counts == {f"item:post-{n}": 3 for n in range(5)}


def test_a_large_batch_writes_every_link_and_processed_event_once(instance: Instance, admin: Principal) -> None:
    """A batch of more than ``pgcopy.MIN_ROWS`` events writes its links and processed events as rows (``COPY`` on
    PostgreSQL: no INSERT statement for them there), each exactly once, pointing at the right cases."""
    from basira.core import pgcopy
    from basira.core.matching import MatchRequest, match_items

    n = pgcopy.MIN_ROWS + 20
    values = [f"{v:032x}" for v in range(1, n + 2)]
    make_bank(instance, admin, "many", values)
    requests = [(admin, MatchRequest(signals=[("md5", values[i]), ("md5", values[i + 1])], ref=f"post-{i // 2}"))
                for i in range(n)]
    with instance.db.session() as s:
        match_items(s, instance.registry, instance.indexes, instance.settings, requests)
    with statements(instance) as seen:
        report = run_consumer(instance)
    inserts = [st for st in seen
               if st.lstrip().upper().startswith(("INSERT INTO REVIEW_CASE_MATCHES", "INSERT INTO REVIEW_PROCESSED"))]
    assert (report.events, report.opened, report.joined) == (n, n // 2, n // 2)
    if instance.db.engine.dialect.name == "postgresql":
        assert inserts == []
    with instance.db.session() as s:
        cases = {c.id: c.group_key for c in s.scalars(select(Case))}
        links = [(cases[m.case_id], m.match_id) for m in s.scalars(select(CaseMatch))]
        matches = {m.id: m.item_id for m in s.scalars(select(Match))}
        done = list(s.scalars(select(ProcessedEvent)))
    assert len(cases) == n // 2 and len(links) == len(set(links)) == 2 * n == len(matches)
    assert {match_id for _, match_id in links} == set(matches)
    assert len(done) == n and {p.outcome for p in done} == {"opened", "joined"}
    assert {cases[p.case_id] for p in done} == set(cases.values()) and all(p.created_at is not None for p in done)
    assert run_consumer(instance).events == 0 and count(instance, CaseMatch) == 2 * n  # nothing done twice
