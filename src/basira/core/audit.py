"""The audit log: one hash chain per organization and one for the instance (:mod:`basira.core.hashchain`).

Each entry's hash covers its chain, sequence number, time, actor, action, target, details and the previous
entry's hash; a head row per chain holds the last seq and hash. :func:`verify` recomputes every link, so an
edited, removed (anywhere, the tail included) or reordered entry is found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import hashchain
from basira.core.hashchain import GENESIS
from basira.core.models import AuditEntry, AuditHead, utcnow

INSTANCE = "instance"


def org_chain(org_id: int) -> str:
    return f"org:{org_id}"


def _digest(chain: str, seq: int, ts: str, actor: str, action: str, target: str,
            details: dict[str, Any], prev_hash: str) -> str:
    return hashchain.digest([chain, seq, ts, actor, action, target, details, prev_hash])


def record(session: Session, *, org_id: int | None, actor: str, action: str, target: str = "",
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Append an entry to the organization's chain (or the instance chain when ``org_id`` is None).

    The head row is locked (``FOR UPDATE`` on PostgreSQL; SQLite serialises writers) so that two writers
    never take the same sequence number.
    """
    chain = INSTANCE if org_id is None else org_chain(org_id)
    head = session.scalars(select(AuditHead).where(AuditHead.chain == chain).with_for_update()).first()
    seq = 1 if head is None else head.seq + 1
    prev = GENESIS if head is None else head.hash
    ts = utcnow().isoformat()
    det = json.loads(json.dumps(details or {}, default=str))
    h = _digest(chain, seq, ts, actor, action, target, det, prev)
    entry = AuditEntry(chain=chain, seq=seq, ts=ts, actor=actor, action=action, target=target,
                       details=det, prev_hash=prev, hash=h)
    session.add(entry)
    if head is None:
        session.add(AuditHead(chain=chain, seq=seq, hash=h))
    else:
        head.seq, head.hash = seq, h
    session.flush()
    return entry


@dataclass
class ChainReport:
    chain: str
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_WORDS = hashchain.Wording(item="entry", changed="was edited", unlinked=" (removed or reordered)",
                          removed=": entries removed")


def _recompute(e: AuditEntry) -> str:
    return _digest(e.chain, e.seq, e.ts, e.actor, e.action, e.target, e.details, e.prev_hash)


def verify_chain(session: Session, chain: str) -> ChainReport:
    """Recompute every link of one chain and compare the last with the chain's head row."""
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq).execution_options(
            yield_per=1000)
    )
    found = hashchain.walk(rows, _recompute, _WORDS)
    report = ChainReport(chain, found.links, found.problems)
    head = session.get(AuditHead, chain)
    if head is None:
        if report.entries:
            report.problems.append("the chain's head record is missing")
    elif (problem := hashchain.head_problem(found, head.seq, head.hash, _WORDS)) is not None:
        report.problems.append(problem)
    return report


def verify(session: Session, chains: list[str] | None = None) -> list[ChainReport]:
    """Verify the named chains, or every chain that has a head or an entry."""
    if chains is None:
        names = set(session.scalars(select(AuditHead.chain)).all())
        names.update(session.scalars(select(AuditEntry.chain).distinct()).all())
        chains = sorted(names)
    return [verify_chain(session, c) for c in chains]


def entries(session: Session, chain: str, limit: int = 100) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq.desc()).limit(limit)))
