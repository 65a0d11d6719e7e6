"""Signing people in to the web pages: password check with lock-out, the session's user, CSRF tokens.

The session lives in a signed cookie (Starlette's SessionMiddleware); it holds the user's id, a fingerprint of
the password hash (so that a password change ends other sessions), the CSRF token and the id of a server-side
session row (:class:`basira.web.models.WebSession`, stored as SHA-256): signing out or an admin ends that row, so a
cookie saved before opens nothing afterwards. Between
the password and the TOTP code (:mod:`basira.web.totp`) the session holds a *pending* user, who can do nothing
but type a code, for a few minutes.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import NotFound
from basira.core.models import Organization, Role, User, utcnow
from basira.core.principal import Principal
from basira.core.security import hash_password, sha256_hex, verify_password
from basira.web.models import OrgWebSettings, WebSession

MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
# Longer inputs are refused before hashing: argon2 over a megabyte "password" is a cheap denial of service.
MAX_USERNAME = 200
MAX_PASSWORD = 1024


PENDING_FOR = dt.timedelta(minutes=5)
#: How long a signed-in session lives on the server (the cookie's own signed lifetime is the same).
SESSION_LIFETIME = dt.timedelta(hours=12)


class Outcome(enum.Enum):
    """How a sign-in attempt ended."""

    OK = "ok"
    SECOND_FACTOR = "second_factor"  # the password is right; a TOTP code (or an enrolment) must follow
    BAD = "bad"  # unknown user, deleted user or wrong password: the page does not tell them apart
    LOCKED = "locked"  # the password is right but too many wrong TOTP codes locked the account
    REUSED = "reused"  # a right TOTP or recovery code that was used before (counted as a failure, said as such)
    THROTTLED = "throttled"  # too many failures from this client address, whatever the username


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    user: User | None = None


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def attempt_login(session: Session, username: str, password: str, client: str = "") -> LoginResult:
    """Check a username and password.

    A wrong password never locks the account (anyone could lock anyone's account by guessing): failures are
    throttled per client address instead (:class:`SourceThrottle`, by the page). An unknown, deleted or locked
    user with a wrong password gets the same answer as a wrong password, after the same argon2 work, so neither
    the answer nor its timing tells which usernames exist. Only someone who knows the password learns that the
    account is locked (by wrong TOTP codes, :func:`count_failure`). Attempts on existing accounts are audited.
    """
    username = username.strip()
    # No username holds control or format characters (PostgreSQL would even refuse a NUL in the query).
    if not username or len(username) > MAX_USERNAME or not username.isprintable() \
            or len(password) > MAX_PASSWORD:
        verify_password(password[:MAX_PASSWORD], _dummy_hash())
        return LoginResult(Outcome.BAD)
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.deleted_at is not None:
        verify_password(password, _dummy_hash())
        return LoginResult(Outcome.BAD)
    chain_args = _chain(user)
    if not verify_password(password, user.password_hash):
        audit.record(session, action="user.login_failed", details={"client": client}, **chain_args)
        return LoginResult(Outcome.BAD)
    if is_locked(user):
        return LoginResult(Outcome.LOCKED, user)
    if needs_second_factor(session, user):
        # The failure count (of TOTP codes) is kept until the code is right too.
        audit.record(session, action="user.password_ok", details={"client": client}, **chain_args)
        return LoginResult(Outcome.SECOND_FACTOR, user)
    finish_login(session, user, {"client": client})
    return LoginResult(Outcome.OK, user)


class SourceThrottle:
    """Failed sign-ins per client address in a sliding window of :data:`LOCK_FOR`: past the limit, the address
    is refused (whatever the username) until its oldest failure leaves the window. Held per worker process."""

    #: Addresses remembered at most; the oldest are forgotten first (a bound on memory).
    MAX_SOURCES = 100_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, source: str, now: float) -> deque[float]:
        found = self._failures.get(source)
        if found is None:
            return deque()
        while found and now - found[0] > LOCK_FOR.total_seconds():
            found.popleft()
        return found

    def wait(self, source: str, limit: int) -> int:
        """Seconds before ``source`` may try again (0: now); a limit of 0 or less never refuses."""
        if limit <= 0:
            return 0
        with self._lock:
            now = self._clock()
            recent = self._recent(source, now)
            if len(recent) < limit:
                return 0
            return max(1, int(LOCK_FOR.total_seconds() - (now - recent[-limit]) + 0.999))

    def fail(self, source: str) -> None:
        with self._lock:
            now = self._clock()
            recent = self._recent(source, now)
            recent.append(now)
            while len(recent) > 1000:
                recent.popleft()
            self._failures[source] = recent
            if len(self._failures) > self.MAX_SOURCES:
                del self._failures[next(iter(self._failures))]


def needs_second_factor(session: Session, user: User) -> bool:
    """Whether ``user`` must give a TOTP code: they enrolled, or their organization requires it of everyone."""
    if user.totp_secret:
        return True
    prefs = session.get(OrgWebSettings, user.org_id)
    return bool(prefs and prefs.require_totp)


def _chain(user: User) -> dict[str, Any]:
    return {"org_id": user.org_id, "actor": f"user:{user.username}", "target": f"user:{user.id}"}


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def count_failure(session: Session, user: User, action: str, details: dict[str, Any]) -> LoginResult:
    """Count a wrong TOTP code (asked only of someone who gave the right password), audit it, lock the account
    at the fifth."""
    # One UPDATE, so that parallel guesses cannot overwrite each other's count.
    session.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1))
    session.refresh(user)
    audit.record(session, action=action, details={**details, "failures": user.failed_logins}, **_chain(user))
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = utcnow() + LOCK_FOR
        user.failed_logins = 0
        audit.record(session, action="user.lock", details={"until": user.locked_until.isoformat()},
                     **_chain(user))
        return LoginResult(Outcome.LOCKED, user)
    return LoginResult(Outcome.BAD, user)


def finish_login(session: Session, user: User, details: dict[str, Any]) -> None:
    """The sign-in succeeded (every factor given): clear the failure count and audit it."""
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, action="user.login", details=details, **_chain(user))


def fingerprint(user: User) -> str:
    """A short digest of the password hash: stored in the session, it changes when the password does."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


OpenDb = Callable[[], AbstractContextManager[Session]]


def start_session(web_session: MutableMapping[str, Any], user: User, open_db: OpenDb, client: str = "") -> None:
    """Put ``user`` in a fresh session (new CSRF token: nothing from before the sign-in carries over), backed by a
    new server-side session row that lives :data:`SESSION_LIFETIME`."""
    web_session.clear()
    sid = secrets.token_urlsafe(32)
    with open_db() as db:
        db.add(WebSession(digest=sha256_hex(sid), user_id=user.id, client=client[:100],
                          expires_at=utcnow() + SESSION_LIFETIME))
    web_session.update({"uid": user.id, "fp": fingerprint(user), "csrf": secrets.token_urlsafe(32), "sid": sid})


def end_session(db: Session, web_session: MutableMapping[str, Any], by: str = "user") -> None:
    """Sign out: end the server-side session (a copy of the cookie opens nothing any more) and clear the cookie."""
    sid = web_session.get("sid")
    if isinstance(sid, str):
        row = db.scalar(select(WebSession).where(WebSession.digest == sha256_hex(sid)))
        if row is not None and row.ended_at is None:
            row.ended_at, row.ended_by = utcnow(), by
    web_session.clear()


def end_user_sessions(db: Session, user: User, by: str) -> int:
    """End every open session of ``user`` (an admin's "sign out everywhere"); returns how many were open."""
    now = utcnow()
    rows = list(db.scalars(select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None),
                                                     WebSession.expires_at > now)))
    for row in rows:
        row.ended_at, row.ended_by = now, by[:200]
    audit.record(db, org_id=user.org_id, actor=by, action="user.sessions_ended", target=f"user:{user.id}",
                 details={"sessions": len(rows)})
    return len(rows)


def end_sessions_of(db: Session, principal: Principal, user_id: int) -> User:
    """An admin ends every session of a user of their organization."""
    principal.require_admin()
    user = db.get(User, user_id)
    if user is None or user.org_id != principal.org_id or user.deleted_at is not None:
        raise NotFound(f"no user {user_id}")
    end_user_sessions(db, user, principal.actor)
    return user


def _live_session(db: Session, web_session: MutableMapping[str, Any], user_id: int) -> bool:
    sid = web_session.get("sid")
    if not isinstance(sid, str):
        return False
    row = db.scalar(select(WebSession).where(WebSession.digest == sha256_hex(sid)))
    return row is not None and row.user_id == user_id and row.ended_at is None and row.expires_at > utcnow()


def start_pending(web_session: MutableMapping[str, Any], user: User) -> None:
    """Remember a user who gave the right password and must now give a TOTP code (or enrol)."""
    web_session.clear()
    web_session.update({"pending_uid": user.id, "fp": fingerprint(user), "csrf": secrets.token_urlsafe(32),
                        "pending_since": int(time.time())})


def pending_user(session: Session, web_session: MutableMapping[str, Any]) -> User | None:
    """The user half-way through signing in, or None (none, too late, deleted, password changed)."""
    uid, since, fp = (web_session.get(k) for k in ("pending_uid", "pending_since", "fp"))
    if not isinstance(uid, int) or not isinstance(since, int) or not isinstance(fp, str):
        return None
    if time.time() - since > PENDING_FOR.total_seconds():
        web_session.clear()
        return None
    user = session.get(User, uid)
    if user is None or user.deleted_at is not None or not hmac.compare_digest(fp, fingerprint(user)):
        web_session.clear()
        return None
    return user


def session_user(session: Session, web_session: MutableMapping[str, Any]) -> User | None:
    """The signed-in user, or None; a deleted user or a changed password ends the session here."""
    uid = web_session.get("uid")
    if not isinstance(uid, int):
        return None
    user = session.get(User, uid)
    fp = web_session.get("fp")
    if user is None or user.deleted_at is not None or not isinstance(fp, str) \
            or not hmac.compare_digest(fp, fingerprint(user)) or not _live_session(session, web_session, uid):
        web_session.clear()
        return None
    return user


def principal_for(session: Session, user: User) -> Principal:
    org = session.get(Organization, user.org_id)
    return Principal(user.org_id, Role(user.role), f"user:{user.username}",
                     operator=bool(org and org.operator))


def csrf_token(web_session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use (the sign-in form needs one before anyone signs in)."""
    token = web_session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        web_session["csrf"] = token
    return token


def csrf_ok(web_session: MutableMapping[str, Any], sent: object) -> bool:
    """Whether a form's token is the session's (constant-time; a missing token on either side fails)."""
    token = web_session.get("csrf")
    return (isinstance(token, str) and bool(token) and isinstance(sent, str)
            and hmac.compare_digest(token.encode(), sent.encode()))
