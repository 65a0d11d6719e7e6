"""The keyed audit chain (issue 21): a rewrite made with Basira's old, unkeyed hash function is found, the keying
mark cannot be moved, chains from before the key are sealed at start-up, and signed heads files find even a rewrite
by someone holding the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit, audit_heads, hashchain
from basira.core.instance import Instance
from basira.core.models import AuditEntry, AuditHead
from basira.core.principal import Principal


def _entries(instance: Instance, admin: Principal, n: int = 4) -> str:
    with instance.db.session() as s:
        for i in range(n):
            audit.record(s, org_id=admin.org_id, actor="test", action="bank.update", target=f"bank:{i}",
                         details={"tlp": "RED"})
    return audit.org_chain(admin.org_id)


def _rewrite(s: Session, chain: str, seq: int, key: bytes | None) -> None:
    """Change entry ``seq`` from RED to CLEAR and recompute every later link and the head with ``key`` (None: the
    plain SHA-256 every earlier version of Basira used) -- the attack of the issue."""
    rows = list(s.scalars(select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)))
    prev = hashchain.GENESIS
    for e in rows:
        if e.seq == seq:
            e.details = {"tlp": "CLEAR"}
        if e.seq >= seq:
            e.prev_hash = prev
            e.hash = hashchain.digest([e.chain, e.seq, e.ts, e.actor, e.action, e.target, e.details, prev], key=key)
        prev = e.hash
    head = s.get_one(AuditHead, chain)
    head.hash = prev


def _problems(instance: Instance) -> list[str]:
    with instance.db.session() as s:
        return [p for r in audit.verify(s) for p in r.problems]


def test_a_rewrite_with_the_unkeyed_function_is_found(instance: Instance, admin: Principal) -> None:
    chain = _entries(instance, admin)
    assert _problems(instance) == []
    with instance.db.session() as s:
        _rewrite(s, chain, 2, None)
    assert any("entry 2 was edited" in p for p in _problems(instance))


def test_moving_the_keying_mark_past_the_end_is_found(instance: Instance, admin: Principal) -> None:
    chain = _entries(instance, admin)
    with instance.db.session() as s:
        _rewrite(s, chain, 2, None)
        head = s.get_one(AuditHead, chain)
        head.keyed_from = head.seq + 1  # "every entry is from before the key"
    found = _problems(instance)
    assert any("keying mark was altered" in p for p in found), found


def test_a_plain_chain_from_before_the_key_is_sealed_at_start_up(instance: Instance, admin: Principal) -> None:
    with instance.db.sessions() as s, s.begin():
        s.info.clear()  # as a version without the key wrote it
        for i in range(3):
            audit.record(s, org_id=admin.org_id, actor="old", action="bank.create", target=f"bank:{i}")
    chain = audit.org_chain(admin.org_id)
    with instance.db.session() as s:
        assert s.get_one(AuditHead, chain).keyed_from is None
        assert any("not keyed" in p for p in (audit.verify_chain(s, chain).problems))
        assert audit.seal_chains(s) == 1
    with instance.db.session() as s:
        head = s.get_one(AuditHead, chain)
        assert (head.seq, head.keyed_from) == (4, 4)
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.seq == 4)) == "audit.keyed"
    assert _problems(instance) == []
    # The plain part is sealed: rewriting it (plain function) breaks the link to the first keyed entry.
    with instance.db.session() as s:
        _rewrite(s, chain, 2, None)
        s.get_one(AuditHead, chain).hash = s.scalar(select(AuditEntry.hash).where(AuditEntry.seq == 4))
    assert any("entry 4" in p for p in _problems(instance))


def test_heads_files_find_a_rewrite_by_someone_holding_the_key(instance: Instance, admin: Principal,
                                                               tmp_path: Path) -> None:
    chain = _entries(instance, admin)
    with instance.db.session() as s:
        path = audit_heads.export(s, instance.secret_key, tmp_path / "heads")
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "heads").stat().st_mode & 0o777 == 0o700
    with instance.db.session() as s:
        assert audit_heads.check(s, instance.secret_key, path).ok
        _rewrite(s, chain, 2, audit.derive_key(instance.secret_key))
    assert _problems(instance) == []  # the key holder's rewrite passes the chain check alone...
    with instance.db.session() as s:
        found = audit_heads.check(s, instance.secret_key, path)  # ...but not the heads kept outside
    assert not found.ok and "rewritten" in found.problems[0]


def test_a_forged_heads_file_is_refused(instance: Instance, admin: Principal, tmp_path: Path) -> None:
    _entries(instance, admin)
    with instance.db.session() as s:
        path = audit_heads.export(s, instance.secret_key, tmp_path)
    data = json.loads(path.read_text())
    data["heads"][0]["hash"] = "0" * 64
    path.write_text(json.dumps(data))
    with instance.db.session() as s:
        assert "signature" in audit_heads.check(s, instance.secret_key, path).problems[0]
    path.write_text("[")
    with instance.db.session() as s, pytest.raises(Exception, match="not a heads file"):
        audit_heads.check(s, instance.secret_key, path)


def test_the_worker_exports_heads_on_schedule(instance: Instance, admin: Principal) -> None:
    import datetime as dt

    from basira.core.models import utcnow

    _entries(instance, admin, 1)
    now = utcnow()
    with instance.db.session() as s:
        first = audit_heads.export_due(s, instance.settings, instance.secret_key, now)
        assert first is not None and first.parent == instance.settings.data_dir / "audit-heads"
        assert audit_heads.export_due(s, instance.settings, instance.secret_key, now) is None
        later = now + dt.timedelta(seconds=instance.settings.audit_heads_every_s + 1)
        assert audit_heads.export_due(s, instance.settings, instance.secret_key, later) is not None
