"""The audit log: one hash chain per organization and one for the instance (:mod:`basira.core.hashchain`).

Each entry's hash covers its chain, sequence number, time, actor, action, target, details and the previous
entry's hash; a head row per chain holds the last seq and hash. :func:`verify` recomputes every link, so an
edited, removed (anywhere, the tail included) or reordered entry is found.

The hash is an HMAC-SHA256 under a key derived from the instance secret (a file of the data folder or the
``BASIRA_SECRET_KEY`` setting, never the database): whoever can write the database but not read that key cannot
recompute a chain after editing it. Chains written before the key came are kept as they are: the head row's
``keyed_from`` names the first keyed entry, whose HMAC covers the hash of the last plain one, so the plain part
is sealed from that moment. Heads are exported to signed files (:mod:`basira.core.audit_heads`), so that even a
rewrite by someone holding the key is found from outside.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from basira.core import hashchain, pgcopy
from basira.core.errors import ConfigurationError
from basira.core.hashchain import GENESIS
from basira.core.models import AuditEntry, AuditHead, utcnow

INSTANCE = "instance"


def org_chain(org_id: int) -> str:
    return f"org:{org_id}"


#: Where :class:`basira.core.db.Database` puts the audit key in every session's ``info``.
KEY_INFO = "audit_key"


def derive_key(instance_secret: str) -> bytes:
    """The audit chain's HMAC key, derived from the instance secret (one purpose, one key)."""
    return hmac.new(instance_secret.encode(), b"basira audit chain v1", hashlib.sha256).digest()


def _key(session: Session) -> bytes | None:
    key = session.info.get(KEY_INFO)
    return key if isinstance(key, bytes) else None


def _digest(chain: str, seq: int, ts: str, actor: str, action: str, target: str,
            details: dict[str, Any], prev_hash: str, key: bytes | None = None) -> str:
    return hashchain.digest([chain, seq, ts, actor, action, target, details, prev_hash], key=key)


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
    key = _key(session)
    if key is None and head is not None and head.keyed_from is not None:
        raise ConfigurationError("the audit chain is keyed but this session has no audit key")
    ts = utcnow().isoformat()
    det = json.loads(json.dumps(details or {}, default=str))
    h = _digest(chain, seq, ts, actor, action, target, det, prev, key)
    entry = AuditEntry(chain=chain, seq=seq, ts=ts, actor=actor, action=action, target=target,
                       details=det, prev_hash=prev, hash=h)
    session.add(entry)
    if head is None:
        head = AuditHead(chain=chain, seq=seq, hash=h)
        session.add(head)
    else:
        head.seq, head.hash = seq, h
    if head.keyed_from is None and key is not None:
        head.keyed_from, head.seal = seq, _seal(key, chain, seq)
    session.flush()
    return entry


#: The columns of an audit entry as :func:`record_many` writes them.
_COLUMNS = ("chain", "seq", "ts", "actor", "action", "target", "details", "prev_hash", "hash")
#: Details made only of these (exact types) are JSON as they are: :func:`_as_json` has nothing to change in them.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _as_json(details: dict[str, Any] | None) -> dict[str, Any]:
    """``details`` as they read back from the database (``default=str`` for what JSON cannot hold): what an entry's
    hash covers. Flat details of plain scalars (a bulk write's) are copied without the JSON round trip."""
    if not details:
        return {}
    if all(type(k) is str and type(v) in _SCALARS for k, v in details.items()):
        return dict(details)
    return cast(dict[str, Any], json.loads(json.dumps(details, default=str)))


def record_many(session: Session, *, org_id: int | None, actor: str,
                entries: Sequence[tuple[str, str, dict[str, Any] | None]]) -> int:
    """Append several ``(action, target, details)`` entries to one chain, as many :func:`record` calls would (the
    same rows, hashes and head), with one lock of the head and the rows written in bulk (``COPY`` on PostgreSQL for
    a large batch, a Core ``executemany`` otherwise); how many were written."""
    if not entries:
        return 0
    chain = INSTANCE if org_id is None else org_chain(org_id)
    head = session.scalars(select(AuditHead).where(AuditHead.chain == chain).with_for_update()).first()
    seq = 0 if head is None else head.seq
    prev = GENESIS if head is None else head.hash
    key = _key(session)
    if key is None and head is not None and head.keyed_from is not None:
        raise ConfigurationError("the audit chain is keyed but this session has no audit key")
    ts = utcnow().isoformat()
    first = seq + 1
    rows: list[tuple[Any, ...]] = []
    # What the links share is written once: the chain, time and actor, each action, each details object given.
    encoded = hashchain.encoded
    chain_text, ts_text, actor_text = encoded(chain), encoded(ts), encoded(actor)
    actions: dict[str, str] = {}
    given: dict[int, tuple[dict[str, Any], str]] = {}  # by id(): the entries hold every details object meanwhile
    for action, target, details in entries:
        seq += 1
        if (known := given.get(id(details))) is None:
            det = _as_json(details)
            known = given[id(details)] = (det, encoded(det))
        if (action_text := actions.get(action)) is None:
            action_text = actions[action] = encoded(action)
        det, det_text = known
        # _digest's bytes (tests/core/test_audit.py holds them equal).
        h = hashchain.digest_encoded((chain_text, str(seq), ts_text, actor_text, action_text, encoded(target),
                                      det_text, encoded(prev)), key=key)
        rows.append((chain, seq, ts, actor, action, target, det, prev, h))
        prev = h
    as_text = pgcopy.JsonTexts()  # audit_entries: no read cache looks at it
    pgcopy.insert_rows(session, cast(Table, AuditEntry.__table__), _COLUMNS, rows,
                       lambda r: (*r[:6], as_text(r[6]), *r[7:]))
    if head is None:
        head = AuditHead(chain=chain, seq=seq, hash=prev)
        session.add(head)
    else:
        head.seq, head.hash = seq, prev
    if head.keyed_from is None and key is not None:
        head.keyed_from, head.seal = first, _seal(key, chain, first)
    session.flush()
    return len(rows)


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


def _seal(key: bytes, chain: str, keyed_from: int) -> str:
    """The HMAC that ties a chain's ``keyed_from`` to the key: moving the mark (to pass a rewrite off as plain
    entries of before the key) needs the key."""
    return hmac.new(key, f"keyed-from:{chain}:{keyed_from}".encode(), hashlib.sha256).hexdigest()


def seal_chains(session: Session) -> int:
    """Key every chain still plain (written before the audit key existed): an ``audit.keyed`` entry, the first
    keyed one, is added to each. Run at start-up; returns how many chains were sealed."""
    if _key(session) is None:
        return 0
    sealed = 0
    for head in list(session.scalars(select(AuditHead).where(AuditHead.keyed_from.is_(None)))):
        org_id = int(head.chain.partition(":")[2]) if head.chain.startswith("org:") else None
        record(session, org_id=org_id, actor="system:audit", action="audit.keyed",
               details={"plain_entries": head.seq})
        sealed += 1
    return sealed


def _keying_problem(head: AuditHead | None, key: bytes | None) -> str | None:
    """With the audit key, every chain must be keyed (start-up seals the plain ones) under an intact mark."""
    if head is None or key is None:
        return None
    if head.keyed_from is None and not head.seal:
        return "the chain is not keyed (its keying mark is missing)"
    if head.keyed_from is None or not hmac.compare_digest(head.seal, _seal(key, head.chain, head.keyed_from)):
        return "the chain's keying mark was altered (it does not open with the audit key)"
    return None


def verify_chain(session: Session, chain: str) -> ChainReport:
    """Recompute every link of one chain (HMAC from the head's ``keyed_from`` on, plain SHA-256 before) and
    compare the last with the chain's head row."""
    head = session.get(AuditHead, chain)
    key = _key(session)
    keyed_from = head.keyed_from if head is not None else None
    if keyed_from is not None and key is None:
        return ChainReport(chain, 0, ["the chain is keyed and this instance has no audit key to check it"])

    def recompute(e: AuditEntry) -> str:
        use = key if keyed_from is not None and e.seq >= keyed_from else None
        return _digest(e.chain, e.seq, e.ts, e.actor, e.action, e.target, e.details, e.prev_hash, use)

    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq).execution_options(
            yield_per=1000)
    )
    found = hashchain.walk(rows, recompute, _WORDS)
    report = ChainReport(chain, found.links, found.problems)
    if (keying := _keying_problem(head, key)) is not None:
        report.problems.insert(0, keying)
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
