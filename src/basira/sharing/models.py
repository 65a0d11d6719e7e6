"""Sharing tables: TAXII feeds pulled into local banks, STIX objects received, and TAXII add-object statuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow


class TaxiiFeed(Base):
    """A partner's TAXII 2.1 collection pulled into one of the organization's banks, with its checkpoint."""

    __tablename__ = "sharing_feeds"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    api_root: Mapped[str] = mapped_column(String(2000))
    collection_id: Mapped[str] = mapped_column(String(200))
    username: Mapped[str] = mapped_column(String(200), default="")
    # The password or API key, encrypted with the instance key (AES-GCM); empty when the feed needs none.
    secret_enc: Mapped[str] = mapped_column(Text, default="")
    interval_s: Mapped[int] = mapped_column(Integer, default=300)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Checkpoint: the date_added of the last object taken (TAXII's X-TAXII-Date-Added-Last) and, within a
    # run that stopped half-way, the server's next cursor.
    added_after: Mapped[str | None] = mapped_column(String(40), nullable=True)
    next_cursor: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    objects_received: Mapped[int] = mapped_column(BigId, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReceivedObject(Base):
    """A STIX indicator taken into a bank: the signal it became, the version taken and its marking.

    Later versions replace earlier ones; an older or replayed version is ignored. The marking is kept so that a
    signal received under AMBER+STRICT is never exported again.
    """

    __tablename__ = "sharing_received"
    __table_args__ = (UniqueConstraint("bank_id", "stix_id", "signal_type", "value_key"),
                      Index("ix_sharing_received_signal", "signal_id"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("sharing_feeds.id"), nullable=True)
    stix_id: Mapped[str] = mapped_column(String(100))
    signal_type: Mapped[str] = mapped_column(String(32))
    # SHA-256 of the canonical value: one indicator may carry several values (a pattern with OR).
    value_key: Mapped[str] = mapped_column(String(64))
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"), nullable=True)
    modified: Mapped[str] = mapped_column(String(40))
    tlp: Mapped[str] = mapped_column(String(16))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TaxiiStatus(Base):
    """The status resource of one TAXII "add objects" request (kept so that a client can read it later)."""

    __tablename__ = "sharing_taxii_status"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="complete")
    request_timestamp: Mapped[dt.datetime] = mapped_column(default=utcnow)
    total_count: Mapped[int] = mapped_column(Integer, default=0)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    pending_count: Mapped[int] = mapped_column(Integer, default=0)
    # {"successes": [{"id", "version"}...], "failures": [{"id", "version", "message"}...]}, capped.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

