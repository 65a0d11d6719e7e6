"""Preservation (TCO Art. 6): what was removed under an order is kept six months (extendable), then deleted.

Basira holds no content, so it keeps the references, the items' signals, the matches and the review decisions.
Where a caller hands over the content itself, it is encrypted (AES-256-GCM) with a key kept in the data folder,
outside the database, and written to a file there; :func:`purge_expired` deletes both the row and the file once
the period ends. Every read, extension and deletion is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from Crypto.Cipher import AES
from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import ConfigurationError, EmptyContent, InvalidInput, NotFound
from basira.core.models import Item, Match, Role, as_id, utcnow
from basira.core.principal import Principal
from basira.legal.models import Preservation, RemovalOrder
from basira.review.models import Case, CaseMatch, Decision

DEFAULT_RETENTION = dt.timedelta(days=183)
# Auditors see that a record exists; only those who act on orders may read what it holds.
LIST_ROLES = {Role.ADMIN, Role.REVIEWER, Role.AUDITOR}
CONTENT_ROLES = {Role.ADMIN, Role.REVIEWER}
MAX_CONTENT = 512 * 1024 * 1024
SYSTEM_ACTOR = "system:preservation"


def folder(data_dir: Path) -> Path:
    return data_dir / "legal"


def _key(data_dir: Path) -> bytes:
    """The preservation key: 32 random bytes in ``<data>/legal/preservation.key``, made on first use (0600)."""
    path = folder(data_dir) / "preservation.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    key = path.read_bytes()
    if len(key) != 32:
        raise ConfigurationError(f"{path} does not hold a 32-byte key")
    return key


def _file(data_dir: Path, name: str) -> Path:
    return folder(data_dir) / "preserved" / name


def _item_record(item: Item) -> dict[str, Any]:
    return {"id": item.id, "ref": item.ref, "content_type": item.content_type, "signals": item.signals,
            "submitted_at": item.created_at.isoformat()}


def _snapshot(session: Session, orders: list[RemovalOrder]) -> dict[str, Any]:
    item_ids = sorted({i for o in orders for i in o.item_ids})
    items = [_item_record(i) for i in session.scalars(select(Item).where(Item.id.in_(item_ids)))]
    matches = list(session.scalars(select(Match).where(Match.item_id.in_(item_ids))))
    case_ids = sorted(set(session.scalars(select(CaseMatch.case_id).where(
        CaseMatch.match_id.in_([m.id for m in matches])))))
    decisions = [{"case_id": d.case_id, "decision_id": d.id, "reason_code": d.reason_code, "state": d.state,
                  "reviewer": d.reviewer, "decided_at": d.decided_at.isoformat() if d.decided_at else None}
                 for d in session.scalars(select(Decision).where(Decision.case_id.in_(case_ids)))]
    return {"orders": [{"id": o.id, "reference": o.reference, "authority_id": o.authority_id, "urls": o.urls,
                        "grounds": o.grounds, "action": o.action,
                        "executed_at": o.executed_at.isoformat() if o.executed_at else None} for o in orders],
            "items": items,
            "matches": [{"id": m.id, "signal_id": m.signal_id, "bank_id": m.bank_id, "signal_type": m.signal_type,
                         "query_value": m.query_value, "distance": m.distance} for m in matches],
            "cases": [{"id": c.id, "kind": c.kind, "status": c.status}
                      for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))],
            "decisions": decisions}


def preserve_orders(session: Session, principal: Principal, orders: list[RemovalOrder], *,
                    now: dt.datetime | None = None, retention: dt.timedelta = DEFAULT_RETENTION) -> Preservation:
    """Keep the record of what ``orders`` removed (one record for orders that share a clock)."""
    at = now or utcnow()
    row = Preservation(org_id=orders[0].org_id, order_id=orders[0].id,
                       refs=sorted({u for o in orders for u in o.urls}), record=_snapshot(session, orders),
                       created_by=principal.actor, created_at=at, expires_at=at + retention)
    session.add(row)
    session.flush()
    audit.record(session, org_id=row.org_id, actor=principal.actor, action="legal.preservation.create",
                 target=f"preservation:{row.id}", details={"orders": [o.id for o in orders],
                                                           "expires_at": row.expires_at.isoformat()})
    return row


def get(session: Session, principal: Principal, ref: int | str) -> Preservation:
    principal.require(LIST_ROLES, "see preserved records")
    ident = as_id(ref)
    row = session.get(Preservation, ident) if ident is not None and ident > 0 else None
    if row is None or row.org_id != principal.org_id:
        raise NotFound(f"no preserved record {ref!r}")
    return row


def list_records(session: Session, principal: Principal) -> list[Preservation]:
    principal.require(LIST_ROLES, "see preserved records")
    return list(session.scalars(select(Preservation).where(Preservation.org_id == principal.org_id)
                                .order_by(Preservation.id)))


def attach_content(session: Session, principal: Principal, data_dir: Path, ref: int | str, data: bytes) -> Preservation:
    """Encrypt ``data`` (the removed content, from the caller) into the record's file."""
    principal.require(CONTENT_ROLES, "preserve content")
    row = get(session, principal, ref)
    if not data:
        raise EmptyContent("there is nothing to preserve")
    if len(data) > MAX_CONTENT:
        raise InvalidInput(f"preserved content is at most {MAX_CONTENT} bytes")
    if row.file_name:
        raise InvalidInput(f"preserved record {row.id} already holds content")
    cipher = AES.new(_key(data_dir), AES.MODE_GCM)
    sealed, tag = cipher.encrypt_and_digest(data)
    name = f"{row.id}-{secrets.token_hex(8)}.bin"
    path = _file(data_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cipher.nonce + tag + sealed)
    row.file_name, row.file_sha256 = name, hashlib.sha256(data).hexdigest()
    session.flush()
    audit.record(session, org_id=row.org_id, actor=principal.actor, action="legal.preservation.attach",
                 target=f"preservation:{row.id}", details={"bytes": len(data), "sha256": row.file_sha256})
    return row


@dataclass
class Preserved:
    """A record as read: the row, and the decrypted content when asked for and present."""

    record: Preservation
    content: bytes | None


def read(session: Session, principal: Principal, data_dir: Path, ref: int | str, *,
         with_content: bool = False) -> Preserved:
    """Read a record (and its content); the access is audited either way."""
    row = get(session, principal, ref)
    if with_content:
        principal.require(CONTENT_ROLES, "read preserved content")
    content: bytes | None = None
    if with_content and row.file_name:
        try:
            blob = _file(data_dir, row.file_name).read_bytes()
        except OSError:
            raise ConfigurationError(f"preserved record {row.id}: its file is missing from the data folder") from None
        cipher = AES.new(_key(data_dir), AES.MODE_GCM, nonce=blob[:16])
        try:
            content = cipher.decrypt_and_verify(blob[32:], blob[16:32])
        except ValueError:
            raise ConfigurationError(f"preserved record {row.id}: the file does not decrypt (wrong key or "
                                     "altered file)") from None
    audit.record(session, org_id=row.org_id, actor=principal.actor, action="legal.preservation.read",
                 target=f"preservation:{row.id}", details={"content": content is not None})
    return Preserved(row, content)


def extend(session: Session, principal: Principal, ref: int | str, days: int, reason: str) -> Preservation:
    """Keep a record longer (an authority or a court asked for it, Art. 6(2))."""
    principal.require(CONTENT_ROLES, "extend preservation")
    row = get(session, principal, ref)
    if not 1 <= days <= 3650 or not reason.strip():
        raise InvalidInput("an extension is 1-3650 days, with a reason")
    row.expires_at = row.expires_at + dt.timedelta(days=days)
    session.flush()
    audit.record(session, org_id=row.org_id, actor=principal.actor, action="legal.preservation.extend",
                 target=f"preservation:{row.id}", details={"days": days, "reason": reason.strip()[:500],
                                                           "expires_at": row.expires_at.isoformat()})
    return row


def purge_expired(session: Session, now: dt.datetime | None = None) -> list[tuple[int, str | None]]:
    """Delete (in the caller's transaction) every record whose period has ended; ``(id, file name)`` of each."""
    at = now or utcnow()
    gone: list[tuple[int, str | None]] = []
    for row in session.scalars(select(Preservation).where(Preservation.expires_at <= at)
                               .order_by(Preservation.id).with_for_update(skip_locked=True)):
        audit.record(session, org_id=row.org_id, actor=SYSTEM_ACTOR, action="legal.preservation.delete",
                     target=f"preservation:{row.id}", details={"expired_at": row.expires_at.isoformat(),
                                                               "file": bool(row.file_name)})
        gone.append((row.id, row.file_name))
        session.delete(row)
    session.flush()
    return gone


def purge(sessions: Callable[[], AbstractContextManager[Session]], data_dir: Path,
          now: dt.datetime | None = None) -> list[int]:
    """Delete expired records, then their files once the deletion has committed; the ids deleted."""
    with sessions() as s:
        gone = purge_expired(s, now)
    for _, name in gone:
        if name:
            _file(data_dir, name).unlink(missing_ok=True)
    return [i for i, _ in gone]
