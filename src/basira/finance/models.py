"""Tables of the finance area: list imports and their per-entry deltas, monitored customers, screening settings.

Listed entries and their signals live in core's ``entries`` and ``signals`` (one bank per list); these tables
record what each import changed, whom to re-screen when a list changes, and the settings each result cites.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow


class ListImport(Base):
    """One import of a list file into its bank, with the version it brought and the counts of its delta."""

    __tablename__ = "finance_list_imports"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    file_name: Mapped[str] = mapped_column(String(300), default="")
    file_path: Mapped[str] = mapped_column(String(1000), default="")
    file_sha256: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    entries: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    rescreened: Mapped[int] = mapped_column(Integer, default=0)
    new_hits: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ListChange(Base):
    """One entry an import added, changed or removed (``change``), with the entry's new content hash."""

    __tablename__ = "finance_list_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("finance_list_imports.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    ref: Mapped[str] = mapped_column(String(300))
    change: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64), default="")


class Customer(Base):
    """A screened customer kept for ongoing monitoring: the caller's reference and the signals, nothing more."""

    __tablename__ = "finance_customers"
    __table_args__ = (UniqueConstraint("org_id", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    ref: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    signals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    screened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ScreeningSettings(Base):
    """An organization's screening settings; ``version`` goes up with every (audited) change."""

    __tablename__ = "finance_screening_settings"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    threshold: Mapped[float] = mapped_column(Float)
    weights: Mapped[dict[str, Any]] = mapped_column(default=dict)
    bank_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
