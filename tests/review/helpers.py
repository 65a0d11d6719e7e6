"""Helpers of the review tests only: the one case there is, and replaying the outbox. Banks, items and counts
come from ``tests/factories.py``."""

from __future__ import annotations

from sqlalchemy import select

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
