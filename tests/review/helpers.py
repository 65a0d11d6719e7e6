"""Helpers of the review tests only: the one case there is, and replaying the outbox. Banks, items and counts
come from ``tests/factories.py``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from basira.core.instance import Instance
from basira.core.models import ConsumerCursor
from basira.review.models import Case


def only_case(instance: Instance) -> Case:
    with instance.db.session() as s:
        (case,) = s.scalars(select(Case)).all()
        return case


def reset_cursor(instance: Instance) -> None:
    """What an operator does to replay the outbox (``outbox.advance`` never moves back)."""
    with instance.db.session() as s:
        cur = s.get(ConsumerCursor, "review")
        assert cur is not None
        cur.last_event_id = 0


@contextmanager
def statements(instance: Instance) -> Iterator[list[str]]:
    """Every SQL statement the instance's engine sends to the database inside the ``with`` block, in order (what the
    driver runs by ``COPY`` is not among them)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(instance.db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(instance.db.engine, "before_cursor_execute", note)
