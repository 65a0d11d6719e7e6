"""The audit hash chains: every edit, removal (the tail too) or reordering is found by verify."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from sqlalchemy import delete, select, update

from basira.core import audit, pgcopy
from basira.core.instance import Instance
from basira.core.models import AuditEntry, AuditHead


def _fill(instance: Instance, org_id: int, n: int = 5) -> None:
    with instance.db.session() as s:
        for i in range(n):
            audit.record(s, org_id=org_id, actor="tester", action="bank.update", target=f"bank:{i}",
                         details={"i": i, "name": "بنك"})


def _problems(instance: Instance, org_id: int) -> list[str]:
    with instance.db.session() as s:
        (report,) = audit.verify(s, [audit.org_chain(org_id)])
        return report.problems


def test_untouched_chains_verify(instance: Instance, org_id: int) -> None:
    _fill(instance, org_id)
    with instance.db.session() as s:
        reports = audit.verify(s)
    assert {r.chain for r in reports} == {"instance", audit.org_chain(org_id)}
    assert all(r.ok for r in reports)
    assert next(r for r in reports if r.chain == audit.org_chain(org_id)).entries == 5


def test_edited_entry_is_found(instance: Instance, org_id: int) -> None:
    _fill(instance, org_id)
    with instance.db.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.chain == audit.org_chain(org_id), AuditEntry.seq == 3)
                  .values(details={"i": 99, "name": "بنك"}))
    problems = _problems(instance, org_id)
    assert problems == ["entry 3 was edited (its hash does not match its content)"]


def test_removed_entry_in_the_middle_is_found(instance: Instance, org_id: int) -> None:
    _fill(instance, org_id)
    with instance.db.session() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.chain == audit.org_chain(org_id), AuditEntry.seq == 2))
    problems = _problems(instance, org_id)
    assert any("entry 2 is missing" in p for p in problems)


def test_removed_tail_is_found_through_the_head(instance: Instance, org_id: int) -> None:
    _fill(instance, org_id)
    with instance.db.session() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.chain == audit.org_chain(org_id), AuditEntry.seq == 5))
    assert any("entries removed" in p for p in _problems(instance, org_id))


def test_reordered_entries_are_found(instance: Instance, org_id: int) -> None:
    _fill(instance, org_id)
    chain = audit.org_chain(org_id)
    with instance.db.session() as s:
        a = s.scalars(select(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq == 2)).one()
        b = s.scalars(select(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq == 4)).one()
        a.seq, b.seq = -2, -4
        s.flush()
        a.seq, b.seq = 4, 2
    problems = _problems(instance, org_id)
    assert any("does not follow" in p for p in problems)


def test_each_organization_has_its_own_chain(instance: Instance, org_id: int) -> None:
    _fill(instance, org_id, 2)
    with instance.db.session() as s:
        audit.record(s, org_id=None, actor="op", action="org.create")
        seqs = s.scalars(select(AuditEntry.seq).where(AuditEntry.chain == audit.org_chain(org_id))
                         .order_by(AuditEntry.seq)).all()
    assert list(seqs) == [1, 2]


def test_entries_written_together_chain_like_single_ones(instance: Instance, org_id: int) -> None:
    """record_many (the API's list of signals) continues a chain as record would: contiguous numbers, each entry
    linked to the one before, the head at the last; an edit of one of them is found."""
    _fill(instance, org_id, 2)
    with instance.db.session() as s:
        n = audit.record_many(s, org_id=org_id, actor="tester", entries=[
            ("signal.add", f"signal:{i}", {"bank": 1, "type": "md5"}) for i in range(4)])
        audit.record(s, org_id=org_id, actor="tester", action="bank.update", target="bank:9")
    assert n == 4 and _problems(instance, org_id) == []
    with instance.db.session() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.chain == audit.org_chain(org_id))
                              .order_by(AuditEntry.seq)))
        assert [e.seq for e in rows] == list(range(1, 8))
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
        s.execute(update(AuditEntry).where(AuditEntry.chain == audit.org_chain(org_id), AuditEntry.seq == 4)
                  .values(target="signal:99"))
    assert _problems(instance, org_id) == ["entry 4 was edited (its hash does not match its content)"]


def test_a_large_batch_of_entries_keeps_every_kind_of_detail_and_verifies(instance: Instance, org_id: int) -> None:
    """record_many of more than pgcopy.MIN_ROWS entries (a COPY on PostgreSQL): details as record would store
    them (what JSON cannot hold as text, tuples as lists; 1, 1.0 and True kept apart), the chain intact."""
    kinds: list[dict[str, Any] | None] = [
        {"bank": 1, "type": "md5"}, {"n": 1}, {"n": 1.0}, {"n": True}, {"s": "بنك\t\\"}, None, {},
        {"when": dt.datetime(2030, 1, 2, tzinfo=dt.UTC), "ids": (1, 2), "deep": {"a": [1, None]}}]
    details = [kinds[i % len(kinds)] for i in range(pgcopy.MIN_ROWS + len(kinds))]
    with instance.db.session() as s:
        audit.record_many(s, org_id=org_id, actor="tester", entries=[
            ("signal.add", f"signal:{i}", d) for i, d in enumerate(details)])
    assert _problems(instance, org_id) == []
    with instance.db.session() as s:
        stored = list(s.scalars(select(AuditEntry.details).where(AuditEntry.chain == audit.org_chain(org_id))
                                .order_by(AuditEntry.seq)))
    assert stored == [json.loads(json.dumps(d or {}, default=str)) for d in details]
    assert [type(d["n"]) for d in stored[1:4]] == [int, float, bool]


def test_entries_written_together_start_a_keyed_chain(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        audit.record_many(s, org_id=org_id + 1000, actor="tester", entries=[("a", "t", None), ("b", "t", {})])
    with instance.db.session() as s:
        (report,) = audit.verify(s, [audit.org_chain(org_id + 1000)])
        head = s.get(AuditHead, audit.org_chain(org_id + 1000))
    assert report.ok and report.entries == 2
    assert head is not None and head.seq == 2 and head.keyed_from == 1 and head.seal
