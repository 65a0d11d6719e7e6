"""Helpers for the review tests: banks filled through ``core.banks``, items matched through ``core.matching``.

Values are made-up MD5 digests (``"a" * 32`` and friends): no real material anywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from basira.core import banks
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.models import Base, ConsumerCursor
from basira.core.principal import Principal
from basira.review import ConsumeReport, consume
from basira.review.models import Case

A, B, C = "a" * 32, "b" * 32, "c" * 32


def make_bank(instance: Instance, owner: Principal, name: str, values: list[str], *, copies: int = 1,
              **spec: Any) -> list[int]:
    """A bank holding each value ``copies`` times (on different entries); returns the signal ids."""
    with instance.db.session() as s:
        bank = banks.create_bank(s, owner, instance.registry, banks.BankSpec(name=name, **spec))
        specs = [banks.SignalSpec("md5", v, entry_ref=f"{name}-{v[:4]}-{i}", labels=["test"])
                 for v in values for i in range(copies)]
        return [sig.id for sig in banks.add_signals(s, owner, instance.registry, instance.settings, bank.id, specs,
                                                    audit_each=False)]


def submit(instance: Instance, who: Principal, values: list[str], ref: str = "post-1",
           content_type: str = "") -> dict[str, Any]:
    """Match an item made of MD5 values, as a platform would, and store it (writes ``match.recorded``)."""
    with instance.db.session() as s:
        return match_item(s, who, instance.registry, instance.indexes, instance.settings,
                          MatchRequest(signals=[("md5", v) for v in values], ref=ref, content_type=content_type))


def run_consumer(instance: Instance, **kw: Any) -> ConsumeReport:
    return consume(instance.db.session, **kw)


def count(instance: Instance, model: type[Base]) -> int:
    with instance.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


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
