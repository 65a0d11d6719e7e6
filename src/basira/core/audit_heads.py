"""Signed exports of the audit chains' heads, so that a rewrite of the log is found from outside the database.

A heads file lists every chain's last sequence number and hash at one moment, signed with Ed25519 under a key
derived from the instance secret (the public key is in the file). Kept off the machine (a backup, a write-once
store, a partner), a file proves what the log held: :func:`check` fails when an entry at or before an exported
head no longer has the exported hash, even if whoever rewrote it held every key of the instance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.errors import InvalidInput
from basira.core.models import AuditEntry, AuditHead, utcnow
from basira.core.settings import Settings

FORMAT = "basira-audit-heads/1"
#: Bytes a heads file may have (a file this large holds far more chains than an instance has).
MAX_FILE_BYTES = 64 * 1024 * 1024


def _signing_key(instance_secret: str) -> ECC.EccKey:
    seed = hmac.new(instance_secret.encode(), b"basira audit heads v1", hashlib.sha256).digest()
    return ECC.construct(curve="Ed25519", seed=seed)


def public_key(instance_secret: str) -> str:
    """The hex public key that signs this instance's heads files."""
    raw = _signing_key(instance_secret).public_key().export_key(format="raw")
    return bytes(raw).hex()


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def heads_dir(settings: Settings) -> Path:
    return Path(settings.audit_heads_dir) if settings.audit_heads_dir else settings.data_dir / "audit-heads"


def export(session: Session, instance_secret: str, folder: Path, now: dt.datetime | None = None) -> Path:
    """Write a signed heads file into ``folder`` (made 700; the file 600, written whole then renamed)."""
    when = now or utcnow()
    heads = [{"chain": h.chain, "seq": h.seq, "hash": h.hash, "keyed_from": h.keyed_from}
             for h in session.scalars(select(AuditHead).order_by(AuditHead.chain))]
    body = {"format": FORMAT, "exported_at": when.isoformat(), "heads": heads,
            "public_key": public_key(instance_secret)}
    signature = eddsa.new(_signing_key(instance_secret), "rfc8032").sign(_canonical(body))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"heads-{when.strftime('%Y%m%dT%H%M%S%fZ')}.json"
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({**body, "signature": signature.hex()}, f, indent=1)
    os.replace(tmp, target)
    return target


def latest(folder: Path) -> Path | None:
    files = sorted(folder.glob("heads-*.json")) if folder.is_dir() else []
    return files[-1] if files else None


def export_due(session: Session, settings: Settings, instance_secret: str,
               now: dt.datetime | None = None) -> Path | None:
    """Export the heads when the last file is older than ``audit_heads_every_s`` (the worker calls this)."""
    every = settings.audit_heads_every_s
    if every <= 0:
        return None
    folder = heads_dir(settings)
    last = latest(folder)
    when = now or utcnow()
    if last is not None and when.timestamp() - last.stat().st_mtime < every:
        return None
    return export(session, instance_secret, folder, when)


@dataclass
class HeadsCheck:
    """What checking one heads file against the database found."""

    path: str
    chains: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(f"{path.name}: a heads file has at most {MAX_FILE_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InvalidInput(f"{path.name}: cannot be read ({e.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput(f"{path.name}: not a heads file (not JSON)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("heads"), list):
        raise InvalidInput(f"{path.name}: not a heads file of this format ({FORMAT})")
    return data


def _signature_ok(data: dict[str, Any], instance_secret: str) -> bool:
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        signature = bytes.fromhex(str(data.get("signature", "")))
        eddsa.new(_signing_key(instance_secret).public_key(), "rfc8032").verify(_canonical(body), signature)
    except ValueError:
        return False
    return True


def check(session: Session, instance_secret: str, path: Path) -> HeadsCheck:
    """Check a heads file: signed by this instance, and every exported head still in its chain, unchanged."""
    data = _read(path)
    report = HeadsCheck(path.name)
    if not _signature_ok(data, instance_secret):
        report.problems.append("the file's signature is not this instance's (forged or altered file)")
        return report
    for head in data["heads"]:
        if not isinstance(head, dict):
            report.problems.append("a head of the file is malformed")
            continue
        chain, seq, digest = head.get("chain"), head.get("seq"), head.get("hash")
        report.chains += 1
        entry = session.scalar(select(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq == seq))
        if entry is None:
            report.problems.append(f"{chain}: entry {seq}, a head exported {data['exported_at']}, is gone")
        elif entry.hash != digest:
            report.problems.append(f"{chain}: entry {seq} no longer has the hash exported {data['exported_at']} "
                                   "(the chain was rewritten)")
    return report
