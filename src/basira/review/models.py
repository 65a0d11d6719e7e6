"""The review tables: cases built from outbox events, their matches, decisions, appeals and suppressions.

They live on :class:`basira.core.models.Base`, so one Alembic history (``0002_review``) creates them beside the core.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow


class CaseStatus(enum.StrEnum):
    """Where a case stands: new → in_review → decided → (appealed → decided) → closed."""

    NEW = "new"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    APPEALED = "appealed"
    CLOSED = "closed"


# Statuses in which a case still collects new hits and waits for a decision.
OPEN_STATUSES = (CaseStatus.NEW.value, CaseStatus.IN_REVIEW.value)


class DecisionState(enum.StrEnum):
    """A decision is proposed (waiting for a second reviewer), taken, or rejected by the second reviewer."""

    PROPOSED = "proposed"
    TAKEN = "taken"
    REJECTED = "rejected"


class AppealOutcome(enum.StrEnum):
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Case(Base):
    """What a reviewer works on: one story (an item, a customer or a drone track) and its evidence."""

    __tablename__ = "review_cases"
    __table_args__ = (
        Index("ix_review_cases_group", "org_id", "kind", "group_key", "status"),
        Index("ix_review_cases_queue", "org_id", "status", "priority", "due_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    group_key: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.NEW.value)
    # 1 is the most urgent (see basira.review.policy.Priority).
    priority: Mapped[int] = mapped_column(Integer, default=2)
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    four_eyes: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[dt.datetime] = mapped_column()
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Optimistic concurrency: every change is UPDATE ... WHERE version = <the version the actor saw>.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseMatch(Base):
    """A match (core ``matches`` row) that is part of a case."""

    __tablename__ = "review_case_matches"
    __table_args__ = (UniqueConstraint("case_id", "match_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), index=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), index=True)
    signal_id: Mapped[int] = mapped_column(BigId)
    query_value: Mapped[str] = mapped_column(Text)


class ProcessedEvent(Base):
    """An outbox event the review consumer has handled, so that consuming it again changes nothing."""

    __tablename__ = "review_processed_events"
    event_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("review_cases.id"), nullable=True)
    # opened, joined, suppressed, duplicates (all its matches already in a case) or skipped (why in ``note``).
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """A reviewer's decision on a case, with a reason code from :mod:`basira.review.taxonomy`."""

    __tablename__ = "review_decisions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    reason_code: Mapped[str] = mapped_column(String(64))
    rationale: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16))
    four_eyes: Mapped[bool] = mapped_column(Boolean, default=False)
    second_reviewer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    second_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class Appeal(Base):
    """A complaint by the affected user or customer against a decided case."""

    __tablename__ = "review_appeals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("review_decisions.id"))
    complainant: Mapped[str] = mapped_column(String(300))
    statement: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class Suppression(Base):
    """A decided false positive: this query value against this signal raises no case while the signal is unchanged.

    ``query_sha256`` keys the (possibly long) query value; the snapshot columns record the signal and its entry as
    they were when the decision was taken, and any difference lifts the suppression.
    """

    __tablename__ = "review_suppressions"
    __table_args__ = (UniqueConstraint("org_id", "signal_id", "query_sha256"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    query_sha256: Mapped[str] = mapped_column(String(64))
    query_value: Mapped[str] = mapped_column(Text)
    signal_updated_at: Mapped[dt.datetime] = mapped_column()
    signal_enabled: Mapped[bool] = mapped_column(Boolean)
    entry_updated_at: Mapped[dt.datetime] = mapped_column()
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("review_decisions.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
