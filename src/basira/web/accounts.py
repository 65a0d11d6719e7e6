"""What the web pages keep of a person beyond :mod:`basira.core.users`: their language and the exposure counter.

Creating, listing, changing and deleting users is :mod:`basira.core.users` (a deleted user's session ends at
their next request: :func:`basira.web.auth.session_user`).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import InvalidInput
from basira.core.models import User, utcnow
from basira.web import i18n
from basira.web.models import Exposure

MAX_REVEAL_KEY = 100


def set_locale(session: Session, user: User, locale: str) -> None:
    """A user's own choice of language for every page (audited as a change by that user)."""
    lang = i18n.normalise(locale)
    if lang is None or lang != locale:
        raise InvalidInput(f"unknown language {locale[:20]!r} ({', '.join(i18n.LANGUAGES)})")
    if user.locale != lang:
        user.locale = lang
        session.flush()
        audit.record(session, org_id=user.org_id, actor=f"user:{user.username}", action="user.locale",
                     target=f"user:{user.id}", details={"locale": lang})


def today() -> str:
    return utcnow().date().isoformat()


def exposure_today(session: Session, user_id: int) -> int:
    row = session.get(Exposure, (user_id, today()))
    return row.count if row else 0


def record_reveal(session: Session, user: User, what: str) -> int:
    """Count one medium revealed by ``user`` today; returns today's count.

    What was revealed is not kept (only how many): the counter is for the reviewer's wellbeing, not a log of
    what they looked at (the case's audit trail records who opened it).
    """
    if not what or len(what) > MAX_REVEAL_KEY:
        raise InvalidInput("which medium was revealed is missing or too long")
    day = today()
    for _ in range(2):
        res = cast(CursorResult[Any], session.execute(
            update(Exposure).where(Exposure.user_id == user.id, Exposure.day == day)
            .values(count=Exposure.count + 1).execution_options(synchronize_session=False)))
        if res.rowcount == 1:
            break
        try:
            with session.begin_nested():
                session.add(Exposure(user_id=user.id, day=day, count=1))
            break
        except IntegrityError:
            continue  # another tab inserted today's row first: add to it
    session.expire_all()
    return exposure_today(session, user.id)

