"""Notices to content providers (TCO Art. 11): queued when an order is executed, held while the authority's
no-disclosure period runs, then released as ``legal.notice_released`` for actions to deliver.

The payload carries the order's reference, grounds and redress information, and the content reference; never
anything about who asked for what beyond what Art. 11(2) says the content provider is owed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import outbox
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.legal.models import Notice, RemovalOrder
from basira.legal.orders import READ_ROLES


def _release(session: Session, notice: Notice, order: RemovalOrder, at: dt.datetime) -> None:
    notice.released_at = at
    outbox.emit(session, "legal.notice_released", {
        "notice_id": notice.id, "order_id": order.id, "content_ref": notice.content_ref,
        "reference": order.reference, "grounds": order.grounds[:2000], "redress": order.redress[:2000],
        "action": order.action, "executed_at": order.executed_at.isoformat() if order.executed_at else None,
    }, org_id=order.org_id)


def queue(session: Session, order: RemovalOrder, now: dt.datetime | None = None) -> list[Notice]:
    """One notice per URL of an executed order; released at once unless a no-disclosure period runs."""
    at = now or utcnow()
    hold = order.no_disclosure_until if order.confidential else None
    made = []
    for url in order.urls:
        notice = Notice(org_id=order.org_id, order_id=order.id, content_ref=url[:500],
                        held_until=hold if hold and hold > at else None, created_at=at)
        session.add(notice)
        session.flush()
        if notice.held_until is None:
            _release(session, notice, order, at)
        made.append(notice)
    session.flush()
    return made


def release_due(session: Session, now: dt.datetime | None = None) -> list[int]:
    """Release the held notices whose no-disclosure period has ended (the worker calls this every round)."""
    at = now or utcnow()
    released = []
    for notice in session.scalars(select(Notice).where(Notice.released_at.is_(None), Notice.held_until <= at)
                                  .order_by(Notice.id).with_for_update(skip_locked=True)):
        order = session.get(RemovalOrder, notice.order_id)
        if order is not None:
            _release(session, notice, order, at)
            released.append(notice.id)
    session.flush()
    return released


def notices_of(session: Session, principal: Principal, order: RemovalOrder) -> list[Notice]:
    principal.require(READ_ROLES, "read notices")
    return list(session.scalars(select(Notice).where(Notice.order_id == order.id).order_by(Notice.id)))
