"""The retention tables: an organization's rule per kind of record, and the holds that keep records past it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow


class RetentionRule(Base):
    """How many days an organization keeps one kind of record (0: forever); without a row the instance default."""

    __tablename__ = "retention_rules"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RetentionHold(Base):
    """A legal hold or a preservation duty on one subject (``item:<ref>``, ``customer:<ref>``, ``track:<id>``).

    While it is active (not released, ``until`` not passed) no rule deletes the subject's records and no erasure
    request may remove them.
    """

    __tablename__ = "retention_holds"
    __table_args__ = (Index("ix_retention_holds_subject", "org_id", "subject"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    subject: Mapped[str] = mapped_column(String(400))
    basis: Mapped[str] = mapped_column(String(16))  # legal_hold or preservation
    reason: Mapped[str] = mapped_column(Text, default="")
    until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    released_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)

