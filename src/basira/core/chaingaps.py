"""Gaps left in a hash chain on purpose: links deleted by a retention rule, recorded so the chain still verifies.

When the retention job deletes expired links of a chain (drone frames of a sensor), it first records each run of
consecutive deleted links: the first and last sequence number and the hash of the last one. Verification
(:func:`basira.core.hashchain.walk`) steps over a recorded run, checks that the next kept link follows the run's
last hash, and reports how many links were purged; a link missing outside a recorded run is still a problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from basira.core.models import Base, BigId, utcnow


class ChainGap(Base):
    """One run of consecutive links deleted from a chain (``<table>:<group id>``) by a rule, never by hand."""

    __tablename__ = "chain_gaps"
    __table_args__ = (Index("ix_chain_gaps_chain", "chain", "first_seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    chain: Mapped[str] = mapped_column(String(100))
    first_seq: Mapped[int] = mapped_column(BigId)
    last_seq: Mapped[int] = mapped_column(BigId)
    last_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def chain_name(table: str, group: int | str) -> str:
    return f"{table}:{group}"


def gaps_of(session: Session, chain: str) -> dict[int, tuple[int, str]]:
    """The chain's recorded runs: first sequence number -> (last sequence number, hash of the last link)."""
    rows = session.execute(select(ChainGap.first_seq, ChainGap.last_seq, ChainGap.last_hash)
                           .where(ChainGap.chain == chain).order_by(ChainGap.first_seq))
    return {int(f): (int(last), h) for f, last, h in rows}


def record_runs(session: Session, org_id: int, chain: str, runs: Iterable[tuple[int, int, str]],
                reason: str) -> None:
    """Record runs ``(first, last, hash of last)`` about to be deleted; a run that continues the chain's latest
    recorded run extends it (a purge in batches leaves one row per run, not one per batch)."""
    for first, last, last_hash in sorted(runs):
        prev = session.scalar(select(ChainGap).where(ChainGap.chain == chain, ChainGap.last_seq == first - 1)
                              .limit(1))
        if prev is not None:
            prev.last_seq, prev.last_hash, prev.updated_at = last, last_hash, utcnow()
        else:
            session.add(ChainGap(org_id=org_id, chain=chain, first_seq=first, last_seq=last, last_hash=last_hash,
                                 reason=reason))
        session.flush()
