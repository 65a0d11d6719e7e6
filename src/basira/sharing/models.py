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
    # Opinions of the organization on this feed's signals changed after this moment are not yet sent back.
    opinions_after: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    opinions_sent: Mapped[int] = mapped_column(Integer, default=0)
    # The secret a partner signs its incident pushes with (encrypted); a valid push syncs the feed at once.
    push_secret_enc: Mapped[str] = mapped_column(Text, default="")


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



class Exchange(Base):
    """A hash-sharing exchange feeding one bank: ThreatExchange (through python-threatexchange), Tech Against
    Terrorism's hash list, StopNCII, NCMEC's hash sharing, or a file of signals (``api``; see sharing/hashlists.py)."""

    __tablename__ = "sharing_exchanges"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    api: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(2000), default="")
    # The exchange's collaboration: the privacy group id for ThreatExchange, the file (relative to the instance's
    # exchange-files folder) and its default signal type for a file, empty for the others.
    collab: Mapped[str] = mapped_column(String(200))
    # The credentials (an access token, or a JSON object of the exchange's keys), encrypted as a feed's secret is.
    secret_enc: Mapped[str] = mapped_column(Text, default="")
    interval_s: Mapped[int] = mapped_column(Integer, default=3600)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where the next sync resumes, as JSON: pytx's checkpoint (FBThreatExchangeCheckpoint, TATCheckpoint,
    # StopNCIICheckpoint, NCMECCheckpoint as dataclasses.asdict); a file's digest.
    checkpoint: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(BigId, default=0)
    # Opinions of the organization changed after this moment are not yet written back to the exchange.
    opinions_after: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ExchangeRecord(Base):
    """A record taken from an exchange: its (type, indicator) key, the descriptor ids and opinions it carried."""

    __tablename__ = "sharing_exchange_records"
    __table_args__ = (UniqueConstraint("exchange_id", "signal_id"),
                      Index("ix_sharing_exchange_records_key", "exchange_id", "record_key"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("sharing_exchanges.id"), index=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"))
    indicator_type: Mapped[str] = mapped_column(String(64))
    descriptor_ids: Mapped[list[str]] = mapped_column(default=list)
    positive: Mapped[int] = mapped_column(Integer, default=0)
    negative: Mapped[int] = mapped_column(Integer, default=0)
    # The exchange's own key of the record that brought the signal (an NCMEC entry "member-id", a file line's
    # "type value"): a deletion that names only the key finds its signals by it. Empty for ThreatExchange.
    record_key: Mapped[str] = mapped_column(String(300), default="", server_default="")


class Incident(Base):
    """A crisis incident: an incident bank whose new signals are pushed to subscribed partners at once."""

    __tablename__ = "sharing_incidents"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    declared_by: Mapped[str] = mapped_column(String(200), default="")
    declared_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    debrief: Mapped[str] = mapped_column(Text, default="")
    # The last outbox event looked at by the pusher.
    last_event_id: Mapped[int] = mapped_column(BigId, default=0)


class Subscriber(Base):
    """A partner that wants the organization's incident signals pushed: a webhook URL, signed with a secret."""

    __tablename__ = "sharing_subscribers"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    secret_enc: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """One push of an incident's new signals to one subscriber: when, how many, how long it took, and how it went."""

    __tablename__ = "sharing_notifications"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("sharing_incidents.id"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("sharing_subscribers.id"))
    signals: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
