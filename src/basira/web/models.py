"""The web pages' own tables: per-organization page settings, pending TOTP enrolments and recovery codes, reviewers'
daily exposure.

Data minimisation: nothing here holds content. The media URL templates tell the reviewer's *browser* where the
organization's content source serves an item; the server never fetches or keeps it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from basira.core.models import Base, utcnow
from basira.core.sealed import SealedTotp


class OrgWebSettings(Base):
    """What an organization's admins set for its pages: the TOTP rule and where media can be seen.

    ``item_media_url`` is a template such as ``https://cdn.example/{item_ref}``; ``entry_media_url`` one such as
    ``https://media.example/banks/{bank_id}/{entry_ref}``. Empty means "this organization cannot show media".
    """

    __tablename__ = "web_org_settings"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True, autoincrement=False)
    require_totp: Mapped[bool] = mapped_column(Boolean, default=False)
    item_media_url: Mapped[str] = mapped_column(String(500), default="")
    entry_media_url: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PendingTotp(Base):
    """A TOTP secret shown to a user who has not yet proved (with a first code) that their app holds it."""

    __tablename__ = "web_totp_enrolments"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, autoincrement=False)
    secret: Mapped[str] = mapped_column(SealedTotp(64))  # sealed with the instance key
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RecoveryCode(Base):
    """A single-use code that stands in for the TOTP app (lost phone). Only its SHA-256 is kept: the code has about
    60 random bits, so the digest cannot be reversed by guessing."""

    __tablename__ = "web_totp_recovery_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class Exposure(Base):
    """How many media items a reviewer revealed on one day (UTC): the wellbeing counter in the page header."""

    __tablename__ = "web_exposures"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, autoincrement=False)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO date: comparable and portable
    count: Mapped[int] = mapped_column(Integer, default=0)


class WebSession(Base):
    """A signed-in browser, server side: the cookie names it by a random id (stored as SHA-256 only), so that
    signing out, an admin, a password change or the end of its lifetime ends it whatever the browser kept."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    client: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    ended_by: Mapped[str] = mapped_column(String(200), default="")
