"""The audit log: one hash chain per organization and one for the instance.

Each entry's hash covers its chain, sequence number, time, actor, action, target, details and the previous
entry's hash; a head row per chain holds the last seq and hash. :func:`verify` recomputes every link, so an
edited, removed (anywhere, the tail included) or reordered entry is found.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64
INSTANCE = "instance"


def org_chain(org_id: int) -> str:
    return f"org:{org_id}"


def _digest(chain: str, seq: int, ts: str, actor: str, action: str, target: str,
            details: dict[str, Any], prev_hash: str) -> str:
    body = json.dumps(
        [chain, seq, ts, actor, action, target, details, prev_hash],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


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


def verify_chain(session: Session, chain: str) -> ChainReport:
    report = ChainReport(chain)
    prev = GENESIS
    expected_seq = 1
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq).execution_options(
            yield_per=1000)
    )
    for e in rows:
        report.entries += 1
        if e.seq != expected_seq:
            report.problems.append(f"entry {expected_seq} is missing (next found is {e.seq})")
            expected_seq = e.seq
        if e.prev_hash != prev:
            report.problems.append(f"entry {e.seq} does not follow the entry before it (removed or reordered)")
        if _digest(e.chain, e.seq, e.ts, e.actor, e.action, e.target, e.details, e.prev_hash) != e.hash:
            report.problems.append(f"entry {e.seq} was edited (its hash does not match its content)")
        prev = e.hash
        expected_seq += 1
    head = session.get(AuditHead, chain)
    last = expected_seq - 1
    if head is None:
        if report.entries:
            report.problems.append("the chain's head record is missing")
    elif head.seq != last or head.hash != prev:
        report.problems.append(f"the chain ends at entry {last} but its head says {head.seq}: entries removed")
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
