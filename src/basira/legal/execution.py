"""What a provider does with a received order: pause and restart its clock (Annex III), confirm the removal
with its time (Annex II), explain why it was not executed, or reinstate the content after a scrutiny.

Acting on one order acts on its clock, and so on every order that shares it (the same content ordered by two
authorities is removed once). Confirming stops the clock, keeps the preservation record and queues the notices
to the content providers (held back while a no-disclosure period runs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from basira.core import audit, outbox
from basira.core.errors import Conflict, InvalidInput
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.legal import clock as clocks
from basira.legal import notices, preservation
from basira.legal.models import ClockState, OrderStatus, RemovalClock, RemovalOrder
from basira.legal.orders import LEGAL_ROLES, MAX_TEXT, OPEN_STATUSES, get_order, orders_on_clock
from basira.review.cases import clean_text

ACTIONS = ("removed", "disabled")
PAUSE_REASONS = ("force_majeure", "de_facto_impossibility", "manifest_error", "insufficient_information")


def _clock_of(session: Session, order: RemovalOrder) -> RemovalClock:
    clock = session.get(RemovalClock, order.clock_id) if order.clock_id else None
    if clock is None:
        raise Conflict(f"order {order.id} is a referral: it has no deadline clock")
    return clock


def _siblings(session: Session, order: RemovalOrder) -> list[RemovalOrder]:
    return orders_on_clock(session, order.clock_id) if order.clock_id else [order]


def _log(session: Session, principal: Principal, action: str, orders: list[RemovalOrder],
         details: dict[str, object]) -> None:
    for o in orders:
        audit.record(session, org_id=o.org_id, actor=principal.actor, action=action, target=f"order:{o.id}",
                     details=details)


def pause(session: Session, principal: Principal, order_id: int | str, reason: str, explanation: str = "",
          now: dt.datetime | None = None) -> RemovalOrder:
    """Stop the clock: the provider told the authority it cannot comply yet (Annex III), and why."""
    principal.require(LEGAL_ROLES, "act on removal orders")
    order = get_order(session, principal, order_id)
    if reason not in PAUSE_REASONS:
        raise InvalidInput(f"unknown reason {reason!r} ({', '.join(PAUSE_REASONS)})")
    why = clean_text(explanation, "the explanation", MAX_TEXT)
    clock = _clock_of(session, order)
    if clock.state != ClockState.RUNNING.value:
        raise Conflict(f"the clock of order {order.id} is {clock.state}, not running")
    at = clocks.as_utc(now or utcnow())
    clocks.pause(clock, at, f"{reason}: {why}".strip(": "))
    orders = _siblings(session, order)
    for o in orders:
        o.status = OrderStatus.PAUSED.value
    session.flush()
    _log(session, principal, "legal.order.pause", orders, {"clock": clock.id, "reason": reason,
                                                           "explanation": why[:500], "at": at.isoformat()})
    return order


def resume(session: Session, principal: Principal, order_id: int | str, note: str = "",
           now: dt.datetime | None = None) -> RemovalOrder:
    """Restart the hour from now: the reason has ceased or the authority's clarification arrived."""
    principal.require(LEGAL_ROLES, "act on removal orders")
    order = get_order(session, principal, order_id)
    clock = _clock_of(session, order)
    if clock.state != ClockState.PAUSED.value:
        raise Conflict(f"the clock of order {order.id} is {clock.state}, not paused")
    at = clocks.as_utc(now or utcnow())
    clocks.restart(clock, at)
    orders = _siblings(session, order)
    for o in orders:
        o.status = OrderStatus.RECEIVED.value
    session.flush()
    said = clean_text(note, "a note", MAX_TEXT)
    _log(session, principal, "legal.order.resume", orders, {"clock": clock.id, "note": said[:500],
                                                            "deadline_at": clock.deadline_at.isoformat()})
    return order


@dataclass
class Confirmation:
    """The Annex II confirmation: what was done, when, and whether it was within the hour."""

    order_ids: list[int]
    action: str
    executed_at: dt.datetime
    deadline_at: dt.datetime | None
    in_time: bool
    preservation_id: int


def confirm(session: Session, principal: Principal, order_id: int | str, action: str = "removed",
            executed_at: dt.datetime | None = None, *, now: dt.datetime | None = None,
            retention: dt.timedelta = preservation.DEFAULT_RETENTION) -> Confirmation:
    """Confirm that the content was removed or disabled at ``executed_at`` (default: now).

    Raises:
        InvalidInput: An unknown action, or a time in the future or before the order was received.
        Conflict: The order (or its clock) is no longer open.
    """
    principal.require(LEGAL_ROLES, "act on removal orders")
    order = get_order(session, principal, order_id)
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r} ({', '.join(ACTIONS)})")
    at_now = clocks.as_utc(now or utcnow())
    done = clocks.as_utc(executed_at) if executed_at else at_now
    if order.status not in OPEN_STATUSES:
        raise Conflict(f"order {order.id} is {order.status}")
    orders = [o for o in _siblings(session, order) if o.status in OPEN_STATUSES]
    if done > at_now or done < min(o.received_at for o in orders):
        raise InvalidInput("the time of action lies in the future or before the order was received")
    clock = session.get(RemovalClock, order.clock_id) if order.clock_id else None
    if clock is not None:
        clocks.stop(clock, done)
    for o in orders:
        o.status, o.action, o.executed_at, o.confirmed_by = OrderStatus.EXECUTED.value, action, done, principal.actor
    session.flush()
    kept = preservation.preserve_orders(session, principal, orders, now=at_now, retention=retention)
    for o in orders:
        notices.queue(session, o, at_now)
    in_time = clock is None or done <= clock.deadline_at
    deadline = clock.deadline_at if clock else None
    details: dict[str, object] = {"action": action, "executed_at": done.isoformat(), "in_time": in_time,
                                  "deadline_at": deadline.isoformat() if deadline else None,
                                  "preservation": kept.id}
    _log(session, principal, "legal.order.confirm", orders, details)
    outbox.emit(session, "legal.order_executed", {"order_ids": [o.id for o in orders], **details},
                org_id=order.org_id)
    return Confirmation([o.id for o in orders], action, done, deadline, in_time, kept.id)


def decline(session: Session, principal: Principal, order_id: int | str, grounds: str,
            now: dt.datetime | None = None) -> RemovalOrder:
    """Record that the order was not executed, with the grounds given to the authority (reported yearly)."""
    principal.require(LEGAL_ROLES, "act on removal orders")
    order = get_order(session, principal, order_id)
    why = clean_text(grounds, "the grounds", MAX_TEXT)
    if not why:
        raise InvalidInput("the grounds for not executing an order are required")
    if order.status not in OPEN_STATUSES:
        raise Conflict(f"order {order.id} is {order.status}")
    at = clocks.as_utc(now or utcnow())
    order.status, order.not_executed_grounds = OrderStatus.NOT_EXECUTED.value, why
    remaining = [o for o in _siblings(session, order) if o.status in OPEN_STATUSES and o.id != order.id]
    if order.clock_id and not remaining:
        clocks.stop(_clock_of(session, order), at)
    session.flush()
    _log(session, principal, "legal.order.decline", [order], {"grounds": why[:500], "at": at.isoformat()})
    return order


def reinstate(session: Session, principal: Principal, order_id: int | str, reason: str,
              now: dt.datetime | None = None) -> RemovalOrder:
    """Put the content back: a scrutiny (Art. 4) or a complaint (Art. 10) overturned the removal."""
    principal.require(LEGAL_ROLES, "act on removal orders")
    order = get_order(session, principal, order_id)
    why = clean_text(reason, "the reason", MAX_TEXT)
    if not why:
        raise InvalidInput("the reason for reinstating is required")
    if order.status != OrderStatus.EXECUTED.value:
        raise Conflict(f"only an executed order's content can be reinstated; order {order.id} is {order.status}")
    at = clocks.as_utc(now or utcnow())
    order.status, order.reinstated_at, order.reinstated_reason = OrderStatus.REINSTATED.value, at, why
    session.flush()
    _log(session, principal, "legal.order.reinstate", [order], {"reason": why[:500], "at": at.isoformat()})
    outbox.emit(session, "legal.order_reinstated", {"order_id": order.id, "urls": order.urls[:100],
                                                    "reason": why[:500], "at": at.isoformat()}, org_id=order.org_id)
    return order
