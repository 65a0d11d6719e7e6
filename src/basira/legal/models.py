"""The legal tables: competent authorities, removal orders (TCO Annex I) and their one-hour clocks, preserved
records, notices to content providers and complaints.

They live on :class:`basira.core.models.Base`; the migration ``0014_legal`` creates them.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow
from basira.core.sealed import SealedText


class OrderStatus(enum.StrEnum):
    """Where an order stands: received → (paused → received) → executed | not_executed → (reinstated)."""

    RECEIVED = "received"
    PAUSED = "paused"
    EXECUTED = "executed"
    NOT_EXECUTED = "not_executed"
    REINSTATED = "reinstated"


class ClockState(enum.StrEnum):
    """A one-hour clock runs, is paused (Annex III: force majeure or an unclear order), or is stopped."""

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class Authority(Base):
    """A competent authority an organization accepts orders from, with the key its orders are signed with.

    ``key_kind`` is ``hmac-sha256`` (``key`` is the shared secret, hex), ``ed25519`` (``key`` is the public key,
    PEM or raw hex) or ``none`` (orders are accepted unsigned and marked as such).
    """

    __tablename__ = "legal_authorities"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(200))
    member_state: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    key_kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(SealedText, default="")  # sealed with the instance key
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RemovalClock(Base):
    """The one-hour clock shared by every order that names the same content (one clock, several orders)."""

    __tablename__ = "legal_clocks"
    __table_args__ = (Index("ix_legal_clocks_due", "state", "deadline_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    state: Mapped[str] = mapped_column(String(16), default=ClockState.RUNNING.value)
    started_at: Mapped[dt.datetime] = mapped_column()
    deadline_at: Mapped[dt.datetime] = mapped_column()
    paused_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    pause_reason: Mapped[str] = mapped_column(Text, default="")
    near_sent_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    missed_sent_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class RemovalOrder(Base):
    """A removal order as received, with the fields of Annex I of Regulation (EU) 2021/784 (or a referral)."""

    __tablename__ = "legal_orders"
    __table_args__ = (UniqueConstraint("authority_id", "reference"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # "order" (binding, one hour) or "referral" (voluntary consideration, no clock).
    kind: Mapped[str] = mapped_column(String(16), default="order")
    authority_id: Mapped[int] = mapped_column(ForeignKey("legal_authorities.id"))
    clock_id: Mapped[int | None] = mapped_column(ForeignKey("legal_clocks.id"), nullable=True, index=True)
    reference: Mapped[str] = mapped_column(String(200))
    member_state: Mapped[str] = mapped_column(String(2))
    urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    locating_info: Mapped[str] = mapped_column(Text, default="")
    grounds: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(200), default="")
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    no_disclosure_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    redress: Mapped[str] = mapped_column(Text)
    signatory: Mapped[str] = mapped_column(String(300))
    issued_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    signature: Mapped[str] = mapped_column(Text, default="")
    authenticated: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column()
    # HMAC of (id, reference, receipt time) with the instance secret: proof of when the order arrived.
    receipt: Mapped[str] = mapped_column(String(64), default="")
    received_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.RECEIVED.value)
    # Basira saw none of the URLs (no item, no match): recorded and flagged for a person to look at.
    unknown_content: Mapped[bool] = mapped_column(Boolean, default=False)
    item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    duplicate_of: Mapped[int | None] = mapped_column(BigId, nullable=True)
    action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    executed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    not_executed_grounds: Mapped[str] = mapped_column(Text, default="")
    reinstated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    reinstated_reason: Mapped[str] = mapped_column(Text, default="")


class Preservation(Base):
    """What Basira keeps of content removed under an order: references, signals, the decision, and optionally
    the content itself, encrypted in a file of the data folder; gone at ``expires_at``."""

    __tablename__ = "legal_preservations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("legal_orders.id"), nullable=True, index=True)
    case_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    file_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class Notice(Base):
    """The information owed to the content provider (TCO Art. 11), held back while a no-disclosure period runs."""

    __tablename__ = "legal_notices"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("legal_orders.id"), index=True)
    content_ref: Mapped[str] = mapped_column(String(500))
    held_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Complaint(Base):
    """A content provider's complaint against a removal (TCO Art. 10), decided within two weeks."""

    __tablename__ = "legal_complaints"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("legal_orders.id"), index=True)
    complainant: Mapped[str] = mapped_column(String(300))
    statement: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime] = mapped_column()
    due_at: Mapped[dt.datetime] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
