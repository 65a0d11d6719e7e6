"""The database tables (SQLAlchemy 2 declarative); Alembic migrations in ``core/migrations`` create them.

One schema serves SQLite and PostgreSQL. Signal values are stored in their canonical string form.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from basira.core.sealed import SealedTotp

# SQLite has no 64-bit autoincrement other than INTEGER; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


MAX_ID = 2**63 - 1


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC, a naive one taken as UTC: how :class:`UTCDateTime` writes and reads every datetime."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def as_id(ref: int | str) -> int | None:
    """``ref`` as a row id when it is one (ASCII digits within 64 bits), else None (then it is a name)."""
    if isinstance(ref, int):
        return ref if 0 < ref <= MAX_ID else -1
    if ref.isascii() and ref.isdigit():
        n = int(ref)
        return n if 0 < n <= MAX_ID else -1
    return None


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else as_utc(value)


class Role(enum.StrEnum):
    """What a user or an API key may do inside its organization."""

    ADMIN = "admin"
    ANALYST = "analyst"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"


class TLP(enum.StrEnum):
    """Traffic Light Protocol 2.0 markings."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class OpinionKind(enum.StrEnum):
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    SEEN = "seen"


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON, dt.datetime: UTCDateTime}


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[bool] = mapped_column(Boolean, default=False)
    # An exercise organization's things never leave it (see basira.core.exercise).
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # Base32 TOTP secret (RFC 6238) once the user has enrolled a second factor; None before. Sealed with the
    # instance key (rows in clear from before are sealed at start-up: basira.core.sealed.seal_existing).
    totp_secret: Mapped[str | None] = mapped_column(SealedTotp(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigId, nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class SharingGroup(Base):
    """A named set of organizations that can stand wherever a bank is "shared with"."""

    __tablename__ = "sharing_groups"
    __table_args__ = (UniqueConstraint("owner_org_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(200))
    members: Mapped[list[SharingGroupMember]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class SharingGroupMember(Base):
    __tablename__ = "sharing_group_members"
    group_id: Mapped[int] = mapped_column(ForeignKey("sharing_groups.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)


class Bank(Base):
    __tablename__ = "banks"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    tlp: Mapped[str] = mapped_column(String(16), default=TLP.AMBER.value)
    negative: Mapped[bool] = mapped_column(Boolean, default=False)
    # Derived signals (hashes of canonical edits of a banked photo, ``Signal.details["derived"]``) go to
    # partners only when this is set; partners with plain hashes match the plain signal either way.
    share_derived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Per-signal-type distance thresholds, e.g. {"pdq": 31}; a missing type uses its default.
    thresholds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    shares: Mapped[list[BankShare]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class BankShare(Base):
    """A bank shared with one organization or with a sharing group (exactly one of the two)."""

    __tablename__ = "bank_shares"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), nullable=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("sharing_groups.id"), nullable=True)


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("bank_id", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    ref: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(32))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def value_digest(value: str) -> str:
    """The SHA-256 (hex) of a signal's value: what the uniqueness index holds, since a value may be longer than an
    index row may be (PostgreSQL refuses B-tree rows over 2,704 bytes; a vPDQ value of a few minutes is ~100 KB)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _value_digest_default(context: Any) -> str:
    return value_digest(str(context.get_current_parameters()["value"]))


class Signal(Base):
    __tablename__ = "signals"
    __table_args__ = (
        UniqueConstraint("entry_id", "signal_type", "value_digest", name="uq_signals_entry_type_digest"),
        Index("ix_signals_bank_type", "bank_id", "signal_type"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    signal_type: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    # Set from ``value`` on every insert (ORM or Core) and by the validator when an object's value changes.
    value_digest: Mapped[str] = mapped_column(String(64), default=_value_digest_default)
    labels: Mapped[list[str]] = mapped_column(default=list)
    provenance: Mapped[str] = mapped_column(String(300), default="")
    quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What the value is beyond itself: ``{"derived": "crop_10pct"}`` for a hash of an edit of the entry's
    # content, made when the content was banked (see ``SignalType.derive``); empty for a plain value.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # True for a derived signal (``details["derived"]``): kept in a column so exports filter in the database.
    derived: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    # Set by flood control when the signal matched far more than usual; its hits are then suppressed
    # until a member of the owning organization releases it.
    quarantined_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @validates("value")
    def _keep_digest(self, _key: str, value: str) -> str:
        self.value_digest = value_digest(value)
        return value


class SignalHitCount(Base):
    """How many times a signal matched in one hour (``hour`` is unix time // 3600), for flood control."""

    __tablename__ = "signal_hit_counts"
    __table_args__ = (UniqueConstraint("signal_id", "hour"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"))
    hour: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class SignalChange(Base):
    """Append-only log of signal changes; indexes replay it past their watermark to stay current."""

    __tablename__ = "signal_changes"
    __table_args__ = (Index("ix_signal_changes_bank_type", "bank_id", "signal_type", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signal_id: Mapped[int] = mapped_column(BigId)
    bank_id: Mapped[int] = mapped_column(BigId)
    signal_type: Mapped[str] = mapped_column(String(32))
    op: Mapped[str] = mapped_column(String(8))  # "add" or "remove"
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Item(Base):
    """Something a caller submitted for matching: its signals and a reference, never the content."""

    __tablename__ = "items"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    ref: Mapped[str] = mapped_column(String(300), default="")
    content_type: Mapped[str] = mapped_column(String(32))
    submitted_by: Mapped[str] = mapped_column(String(64), default="")
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Match(Base):
    __tablename__ = "matches"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    signal_type: Mapped[str] = mapped_column(String(32))
    query_value: Mapped[str] = mapped_column(Text)
    distance: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Event(Base):
    """The outbox: written in the same transaction as the change it reports."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConsumerCursor(Base):
    """How far an outbox consumer has read; consumers resume from here after a crash."""

    __tablename__ = "consumer_cursors"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigId, default=0)


class Opinion(Base):
    __tablename__ = "opinions"
    __table_args__ = (UniqueConstraint("org_id", "signal_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """One link of a hash chain: ``chain`` is ``org:<id>`` or ``instance``."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("chain", "seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chain: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigId)
    ts: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last seq and hash of each chain, updated with every entry, so a removed tail is found too."""

    __tablename__ = "audit_heads"
    chain: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigId)
    hash: Mapped[str] = mapped_column(String(64))
    # The first entry hashed with the audit key (HMAC), and an HMAC of that mark (see basira.core.audit).
    keyed_from: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    seal: Mapped[str] = mapped_column(String(64), default="")


class SetupToken(Base):
    """A one-time token that lets whoever holds it claim an empty instance from the web (stored as SHA-256)."""

    __tablename__ = "setup_tokens"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ScanRun(Base):
    """A batch scan of a source (folder, list of paths, manifest): its checkpoint is the set of its done chunks."""

    __tablename__ = "scan_runs"
    __table_args__ = (Index("ix_scan_runs_org_source", "org_id", "source_digest"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    source: Mapped[str] = mapped_column(String(2000))
    # SHA-256 of the ordered list of paths and of the chunk size: a resumed run has the same chunks.
    source_digest: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = mapped_column(Integer)
    chunk_size: Mapped[int] = mapped_column(Integer)
    store: Mapped[bool] = mapped_column(Boolean)
    started_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ScanChunk(Base):
    """One done chunk of a scan, written in the same transaction as its items and matches (so that a chunk is
    either wholly recorded and marked, or not at all, and is never recorded twice)."""

    __tablename__ = "scan_chunks"
    __table_args__ = (UniqueConstraint("run_id", "chunk"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id"))
    chunk: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProbeCount(Base):
    """How many near-threshold queries one organization made against one signal of a RED or AMBER+STRICT bank
    of another organization in one hour (``hour`` is unix time // 3600): many are a search for the value."""

    __tablename__ = "probe_counts"
    __table_args__ = (UniqueConstraint("org_id", "signal_id", "hour"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"))
    hour: Mapped[int] = mapped_column(Integer)
    queries: Mapped[int] = mapped_column(Integer, default=0)
