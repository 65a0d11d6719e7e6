"""Preservation: encrypted content outside the database, audited access, and real deletion at expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from tests.factories import make_bank, submit
from tests.legal.conftest import T0, OrderFactory

from basira.core.errors import PermissionDenied
from basira.core.instance import Instance
from basira.core.models import AuditEntry, Role
from basira.core.principal import Principal
from basira.legal import execution, jobs, preservation
from basira.legal.models import Preservation
from basira.legal.orders import receive

CONTENT = b"made-up removed content " * 10

A = "a" * 32  # an md5-shaped value the tests bank and submit


def _preserved(instance: Instance, admin: Principal, order_request: OrderFactory) -> int:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s:
        kept = execution.confirm(s, admin, order.id, now=T0 + dt.timedelta(minutes=5)).preservation_id
        preservation.attach_content(s, admin, instance.settings.data_dir, kept, CONTENT)
    return kept


def test_the_record_keeps_the_items_signals_and_matches(instance: Instance, admin: Principal,
                                                        order_request: OrderFactory) -> None:
    make_bank(instance, admin, "known", [A])
    submit(instance, admin, [A], ref="https://video.example/watch/abc")
    kept = _preserved(instance, admin, order_request)
    with instance.db.session() as s:
        record = preservation.read(s, admin, instance.settings.data_dir, kept).record.record
    assert record["items"][0]["signals"][0]["value"] == A
    assert record["matches"][0]["query_value"] == A


def test_content_is_encrypted_in_the_data_folder_and_reads_back(instance: Instance, admin: Principal,
                                                                order_request: OrderFactory) -> None:
    kept = _preserved(instance, admin, order_request)
    files = list((instance.settings.data_dir / "legal" / "preserved").iterdir())
    assert len(files) == 1 and CONTENT[:20] not in files[0].read_bytes()
    with instance.db.session() as s:
        assert preservation.read(s, admin, instance.settings.data_dir, kept, with_content=True).content == CONTENT


def test_every_read_is_audited(instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    kept = _preserved(instance, admin, order_request)
    for _ in range(2):
        with instance.db.session() as s:
            preservation.read(s, admin, instance.settings.data_dir, kept)
    with instance.db.session() as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.action == "legal.preservation.read")).all()
    assert len(reads) == 2


def test_auditors_see_the_record_but_not_the_content(instance: Instance, admin: Principal, org_id: int,
                                                      order_request: OrderFactory) -> None:
    kept = _preserved(instance, admin, order_request)
    auditor = Principal(org_id, Role.AUDITOR, "aude")
    with instance.db.session() as s:
        assert preservation.read(s, auditor, instance.settings.data_dir, kept).content is None
        with pytest.raises(PermissionDenied):
            preservation.read(s, auditor, instance.settings.data_dir, kept, with_content=True)


def test_an_expired_record_is_really_gone_from_database_and_disk(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    kept = _preserved(instance, admin, order_request)
    folder = instance.settings.data_dir / "legal" / "preserved"
    with instance.db.session() as s:
        expires = s.get(Preservation, kept).expires_at  # type: ignore[union-attr]
    data = instance.settings.data_dir
    assert jobs.run_once(instance.db.session, data, expires - dt.timedelta(seconds=1)).purged == []
    assert jobs.run_once(instance.db.session, data, expires).purged == [kept]
    with instance.db.session() as s:
        assert s.get(Preservation, kept) is None
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.action == "legal.preservation.delete"))
    assert list(folder.iterdir()) == []


def test_an_extension_moves_the_expiry(instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    kept = _preserved(instance, admin, order_request)
    with instance.db.session() as s:
        before = s.get(Preservation, kept).expires_at  # type: ignore[union-attr]
        after = preservation.extend(s, admin, kept, 30, "court request").expires_at
    assert after - before == dt.timedelta(days=30)
    assert jobs.run_once(instance.db.session, instance.settings.data_dir, before).purged == []
