"""The text area's table: each organization's trained text classifiers (the model file lives in the data folder,
its SHA-256 here, so that a file changed on disk is refused before it is ever unpickled).

Declared on :class:`basira.core.models.Base`; the migration ``0007_text`` creates it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, BigId, utcnow


class TextClassifier(Base):
    """One trained classifier of an organization for one label scheme; the newest is ``active``."""

    __tablename__ = "text_classifiers"
    __table_args__ = (Index("ix_text_classifiers_org_scheme", "org_id", "scheme", "active"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    scheme: Mapped[str] = mapped_column(String(32))
    features: Mapped[str] = mapped_column(String(32))
    labels: Mapped[list[str]] = mapped_column(default=list)
    #: The held-out evaluation: per-label precision, recall, F1 and support, the confusion matrix, accuracy.
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    train_rows: Mapped[int] = mapped_column(Integer)
    test_rows: Mapped[int] = mapped_column(Integer)
    #: The model file, relative to the data folder, and its SHA-256 (checked before every load).
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
