"""Outbox cursors: two consumers starting at once on a fresh database take turns instead of colliding."""

from __future__ import annotations

import threading

from basira.core import outbox
from basira.core.instance import Instance
from basira.core.models import ConsumerCursor


def test_two_consumers_creating_the_same_cursor_at_once_do_not_collide(instance: Instance) -> None:
    first_has_row = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            first_has_row.wait(5)
            with instance.db.session() as s:
                outbox.advance(s, "review", 7)  # waits for the first transaction, then moves the cursor on
        except BaseException as e:  # reported below, in the test thread
            errors.append(e)

    t = threading.Thread(target=second)
    t.start()
    with instance.db.session() as s:
        outbox.advance(s, "review", 3)
        first_has_row.set()
        t.join(0.5)  # the second consumer is now blocked on this uncommitted cursor (or on SQLite's write lock)
    t.join(20)
    assert not errors, errors
    with instance.db.session() as s:
        cur = s.get(ConsumerCursor, "review")
        assert cur is not None and cur.last_event_id == 7


def test_emit_many_writes_the_rows_emit_writes_and_returns_their_ids_in_order(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        single = outbox.emit(s, "x.one", {"n": 0}, org_id)
        ids = outbox.emit_many(s, [("x.many", {"n": n}, org_id if n % 2 else None) for n in range(1, 6)])
        assert outbox.emit_many(s, []) == []
    assert len(ids) == 5 and ids == sorted(ids) and ids[0] > single.id
    with instance.db.session() as s:
        events = outbox.pending(s, "test-emit-many", kinds=["x.one", "x.many"])
        got = [(e.id, e.kind, e.payload, e.org_id, e.created_at is not None) for e in events]
    assert got == [(single.id, "x.one", {"n": 0}, org_id, True)] + [
        (i, "x.many", {"n": n}, org_id if n % 2 else None, True) for i, n in zip(ids, range(1, 6), strict=True)]


def test_emit_many_without_ids_writes_the_same_rows(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        assert outbox.emit_many(s, [("x.rows", {"n": n}, org_id if n % 2 else None) for n in range(1, 4)],
                                ids=False) == []
    with instance.db.session() as s:
        got = [(e.kind, e.payload, e.org_id) for e in outbox.pending(s, "test-rows", kinds=["x.rows"])]
    assert got == [("x.rows", {"n": n}, org_id if n % 2 else None) for n in range(1, 4)]
