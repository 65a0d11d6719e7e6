"""The tables of the exercise mode: one exercise per exercise organization, and the injects of its scenario."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow


class Exercise(Base):
    """An exercise: its organization (walled off), the site, the scenario as loaded, and whether it runs."""

    __tablename__ = "exercises"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    site: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[dict[str, Any]] = mapped_column()
    # running → ended
    state: Mapped[str] = mapped_column(String(16), default="running")
    created_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class ExerciseInject(Base):
    """One inject of the scenario's timeline: when it is due, what it asks, and what it made once sent."""

    __tablename__ = "exercise_injects"
    __table_args__ = (UniqueConstraint("exercise_id", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    # Seconds after the start at which the inject is due on schedule.
    at_s: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column()
    outcome: Mapped[dict[str, Any]] = mapped_column(default=dict)
    injected_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    injected_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
