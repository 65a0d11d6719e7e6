"""Suppression of decided false positives: the same query value against the same signal raises no new case.

A suppression is keyed on (organization, signal, query value) and remembers the signal (its ``updated_at`` and
enabled state) and its entry (``updated_at``) as they were when the false positive was decided. When either has
changed since — the bank owner relabelled, re-enabled or edited it, or a list update changed the listed person —
the suppression is lifted and the hit is reviewed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from basira.core.db import ids_in
from basira.core.models import Entry, Signal
from basira.review.models import CaseMatch, Suppression


def query_sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _find(session: Session, org_id: int, signal_id: int, query_value: str) -> Suppression | None:
    return session.scalar(select(Suppression).where(
        Suppression.org_id == org_id, Suppression.signal_id == signal_id,
        Suppression.query_sha256 == query_sha256(query_value)))


def _unchanged(sup: Suppression, signal: Signal, entry: Entry) -> bool:
    return (sup.signal_updated_at == signal.updated_at and sup.signal_enabled == signal.enabled
            and sup.entry_updated_at == entry.updated_at)


def is_suppressed(session: Session, org_id: int, signal: Signal, entry: Entry, query_value: str) -> bool:
    """Whether a hit is a decided false positive; a stale suppression (the signal changed) is lifted here."""
    return holds(session, _find(session, org_id, signal.id, query_value), signal, entry)


def holds(session: Session, sup: Suppression | None, signal: Signal, entry: Entry) -> bool:
    """Whether ``sup`` (the hit's suppression, read by the caller; None if there is none) still suppresses it; a
    stale one (the signal or its entry changed since) is lifted here."""
    if sup is None:
        return False
    if _unchanged(sup, signal, entry):
        return True
    session.delete(sup)
    session.flush()
    return False


def of_signals(session: Session, signal_ids: Iterable[int],
               chunk: int = 1000) -> dict[tuple[int, int, str], Suppression]:
    """Every suppression of ``signal_ids``, by (organization, signal, ``query_sha256``), a statement per ``chunk``
    ids."""
    ids = sorted(set(signal_ids))
    out: dict[tuple[int, int, str], Suppression] = {}
    for start in range(0, len(ids), chunk):
        for sup in session.scalars(select(Suppression).where(
                ids_in(session, Suppression.signal_id, ids[start:start + chunk]))):
            out[(sup.org_id, sup.signal_id, sup.query_sha256)] = sup
    return out


def record(session: Session, org_id: int, case_id: int, decision_id: int | None,
           links: Iterable[CaseMatch]) -> int:
    """Suppress every (signal, query value) of ``links``; an existing suppression takes the new snapshot."""
    n = 0
    for link in links:
        signal = session.get(Signal, link.signal_id)
        entry = session.get(Entry, signal.entry_id) if signal is not None else None
        if signal is None or entry is None:
            continue
        sup = _find(session, org_id, signal.id, link.query_value)
        if sup is None:
            sup = Suppression(org_id=org_id, signal_id=signal.id, query_sha256=query_sha256(link.query_value),
                              query_value=link.query_value)
            session.add(sup)
        sup.signal_updated_at, sup.signal_enabled = signal.updated_at, signal.enabled
        sup.entry_updated_at = entry.updated_at
        sup.case_id, sup.decision_id = case_id, decision_id
        session.flush()
        n += 1
    return n


def lift(session: Session, org_id: int, links: Iterable[CaseMatch]) -> int:
    """Remove the suppressions of ``links`` (an appeal found the false positive was not one)."""
    n = 0
    for link in links:
        res = session.execute(delete(Suppression).where(
            Suppression.org_id == org_id, Suppression.signal_id == link.signal_id,
            Suppression.query_sha256 == query_sha256(link.query_value)))
        n += int(getattr(res, "rowcount", 0) or 0)
    return n
