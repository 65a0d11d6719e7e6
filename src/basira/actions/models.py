"""The actions tables: webhook endpoints per organization, actions taken after events, deliveries and attempts.

They live on :class:`basira.core.models.Base`; the migration ``0004_actions`` creates them.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow
from basira.core.sealed import SealedString


class DeliveryStatus(enum.StrEnum):
    """A delivery is pending (waiting for its next attempt), delivered, dead (gave up; can be retried) or
    cancelled (its action was undone before it went out)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    CANCELLED = "cancelled"


class ActionStatus(enum.StrEnum):
    DONE = "done"
    UNDONE = "undone"


class Webhook(Base):
    """An organization's HTTPS endpoint and the webhook events it wants.

    The secret signs every delivery; it is kept because signing needs it (shown once on creation), sealed with
    the instance key (:class:`basira.core.sealed.SealedText`).
    """

    __tablename__ = "action_webhooks"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(SealedString(200))
    events: Mapped[list[str]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class Action(Base):
    """What Basira told the outside after one event (a decision, a high-priority hit, an appeal, an undo).

    ``event_id`` is unique: an event consumed twice makes one action. ``data`` is the event's payload as sent.
    """

    __tablename__ = "action_actions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    webhook_event: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.DONE.value)
    # For an action.undone action: the action it undid.
    undoes_action_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    undone_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    undone_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    undo_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One action sent to one webhook: the exact body, its idempotency key and where its retries stand."""

    __tablename__ = "action_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "action_id"),
        Index("ix_action_deliveries_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("action_webhooks.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_actions.id"), index=True)
    webhook_event: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The retry horizon counts from here (the first attempt, or the last "retry now").
    first_attempt_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    dead_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class DeliveryAttempt(Base):
    """One HTTP attempt of a delivery: when, what came back (or what went wrong) and how long it took."""

    __tablename__ = "action_delivery_attempts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("action_deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
