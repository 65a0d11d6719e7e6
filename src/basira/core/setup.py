"""The first-run claim: a one-time set-up token, printed by ``basira serve`` on an empty instance, that the web page
asks for before anyone may load the demo or create the first organization (as Jupyter and Grafana do).

Whoever can read the server's console (or run ``basira setup-token``) owns the instance; someone who merely reaches
its port does not. A token is stored as SHA-256, expires, is spent by its first successful use, and is refused
once the instance has an organization, whichever way that organization was made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from basira.core.errors import PermissionDenied
from basira.core.models import Organization, SetupToken, utcnow

TOKEN_BYTES = 24
MAX_TOKEN_CHARS = 200

# The one error of this module: 403 on the web and the API, exit code 77 on the command line.
SetupRefused = PermissionDenied


def is_empty(session: Session) -> bool:
    """True while the instance has no organization: only then can it be claimed."""
    return session.scalar(select(Organization.id).limit(1)) is None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, ttl_s: float, *, now: dt.datetime | None = None) -> str:
    """A new set-up token valid for ``ttl_s`` seconds (the caller prints it; only its digest is kept).

    Raises:
        SetupRefused: The instance has an organization already.
    """
    if not is_empty(session):
        raise SetupRefused("this instance is set up already: sign in, or ask its administrator for an account",
                           reason="claimed")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    start = now or utcnow()
    session.add(SetupToken(digest=_digest(token), created_at=start,
                           expires_at=start + dt.timedelta(seconds=ttl_s)))
    session.flush()
    return token


def check_token(session: Session, token: str | None, *, now: dt.datetime | None = None) -> SetupToken:
    """The stored token behind ``token`` when it may claim the instance now; nothing is changed.

    Raises:
        SetupRefused: With the reason a person can act on; ``extra["reason"]`` is ``claimed``, ``missing``,
            ``invalid``, ``used`` or ``expired`` (the web page words each in the reader's language).
    """
    if not is_empty(session):
        raise SetupRefused("this instance is set up already: sign in, or ask its administrator for an account",
                           reason="claimed")
    if not token or not token.strip():
        raise SetupRefused("the set-up token is missing: copy it from the console where `basira serve` runs "
                           "(or run `basira setup-token`)", reason="missing")
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS:
        raise SetupRefused("this is not a set-up token of this instance", reason="invalid")
    digest = _digest(token)
    row = session.scalar(select(SetupToken).where(SetupToken.digest == digest))
    if row is None or not hmac.compare_digest(row.digest, digest):
        raise SetupRefused("this is not a set-up token of this instance: copy the one `basira serve` printed",
                           reason="invalid")
    if row.used_at is not None:
        raise SetupRefused("this set-up token has been used already; each token claims the instance once",
                           reason="used")
    if row.expires_at <= (now or utcnow()):
        raise SetupRefused("this set-up token has expired: restart `basira serve` or run `basira setup-token` "
                           "for a new one", reason="expired")
    return row


def spend_token(session: Session, token: str | None, *, now: dt.datetime | None = None) -> None:
    """Check ``token`` and mark it used in the caller's transaction (two requests with one token: one wins).

    Raises:
        SetupRefused: As :func:`check_token`, or when a parallel request spent the token first.
    """
    when = now or utcnow()
    row = check_token(session, token, now=when)
    spent = session.execute(update(SetupToken).where(SetupToken.id == row.id, SetupToken.used_at.is_(None))
                            .values(used_at=when).execution_options(synchronize_session=False))
    if getattr(spent, "rowcount", 0) != 1:
        raise SetupRefused("this set-up token has been used already; each token claims the instance once",
                           reason="used")
    session.expire(row)
