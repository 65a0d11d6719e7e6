"""The TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps): enrolment by QR code or key, checking,
single-use recovery codes, admin reset.

A code is accepted for the current step and one step either side (clocks drift), and never twice: the step of
the last accepted code is kept in ``users.totp_last_step`` and only a later step passes. Wrong codes count with
wrong passwords toward the same lock-out (:data:`basira.web.auth.MAX_FAILURES`); a right code typed a second time
counts too, but the page says what happened (:attr:`Outcome.REUSED`). Every outcome is audited.

Enrolling gives ten recovery codes, shown once: each signs in once in place of the app's code. Only their SHA-256
is stored (with the user's id, so the same code can never match another account).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from typing import Any, cast

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import NotFound
from basira.core.models import User, utcnow
from basira.core.principal import Principal
from basira.web.auth import LoginResult, Outcome, count_failure, finish_login, is_locked
from basira.web.models import OrgWebSettings, PendingTotp, RecoveryCode

ISSUER = "Basira"
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of now
ENROLMENT_FOR = dt.timedelta(minutes=30)
RECOVERY_CODES = 10
# 12 letters and digits from 31 that cannot be mistaken for each other (no 0/o, 1/l/i): about 59 random bits.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_LENGTH = 12


def clean_code(code: str) -> str | None:
    """The six digits of a typed code (spaces and dashes allowed between them), else None."""
    digits = "".join(c for c in code.strip()[:20] if c not in " -")
    return digits if len(digits) == 6 and digits.isascii() and digits.isdigit() else None


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step within the window whose code is ``code``, else None (constant-time comparisons)."""
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    found: int | None = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            found = step
    return found


def provisioning_uri(secret: str, username: str, org_name: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (by QR code or by pasting)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=f"{ISSUER} ({org_name})"
                                               if org_name else ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as inline SVG markup (drawn here from the URI alone, so nothing in it is the user's)."""
    qr = segno.make(uri, error="m", micro=False)
    return Markup(qr.svg_inline(scale=4, border=4, dark="#000", light="#fff", omitsize=False))  # noqa: S704


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Record ``step`` as used if it is later than the last one; False when a parallel request took it first."""
    result = cast(CursorResult[Any], session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)))
    session.refresh(user)
    return result.rowcount == 1


def _reused(session: Session, user: User, client: str, why: str) -> LoginResult:
    """A right code typed again: it counts as a failure (a replayed code is an attack as often as a slip), but the
    person is told that the code was used, not that it is wrong."""
    result = count_failure(session, user, "user.totp_failed", {"client": client, "why": why})
    return LoginResult(Outcome.REUSED, user) if result.outcome is Outcome.BAD else result


def verify_code(session: Session, user: User, code: str, client: str = "") -> LoginResult:
    """Check a code from the user's enrolled app (and use up its time step); failures count toward the lock-out."""
    if is_locked(user):
        return LoginResult(Outcome.LOCKED, user)
    digits = clean_code(code)
    step = matching_step(user.totp_secret, digits) if digits and user.totp_secret else None
    if step is None:
        return count_failure(session, user, "user.totp_failed", {"client": client, "why": "wrong code"})
    if not _claim_step(session, user, step):
        return _reused(session, user, client, "code used before")
    return LoginResult(Outcome.OK, user)


def verify_login_code(session: Session, user: User, code: str, client: str = "") -> LoginResult:
    """The second step of signing in: a code from the user's enrolled app."""
    result = verify_code(session, user, code, client)
    if result.outcome is Outcome.OK:
        finish_login(session, user, {"client": client, "factor": "totp"})
    return result


def clean_recovery_code(code: str) -> str | None:
    """A typed recovery code in its stored form (case, spaces and dashes ignored), else None."""
    text = "".join(c for c in code.strip()[:40].lower() if c not in " -")
    ok = len(text) == RECOVERY_LENGTH and all(c in RECOVERY_ALPHABET for c in text)
    return text if ok else None


def _recovery_digest(user_id: int, code: str) -> str:
    return hashlib.sha256(f"basira-recovery:{user_id}:{code}".encode()).hexdigest()


def new_recovery_codes(session: Session, user: User, actor: str, client: str = "") -> list[str]:
    """Ten new single-use codes for ``user``, replacing every earlier one; returned once, formatted for reading."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, digest=_recovery_digest(user.id, c)) for c in codes)
    session.flush()
    audit.record(session, org_id=user.org_id, actor=actor, action="user.recovery_codes", target=f"user:{user.id}",
                 details={"count": len(codes), "client": client})
    return ["-".join(c[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for c in codes]


def recovery_codes_left(session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0)


def verify_recovery_code(session: Session, user: User, code: str, client: str = "") -> LoginResult:
    """The second step of signing in with a recovery code in place of the app: each code works once."""
    if is_locked(user):
        return LoginResult(Outcome.LOCKED, user)
    text = clean_recovery_code(code)
    if text is None or not user.totp_secret:
        return count_failure(session, user, "user.totp_failed", {"client": client, "why": "wrong recovery code"})
    digest = _recovery_digest(user.id, text)
    # One UPDATE claims the code: two requests racing with the same code cannot both sign in.
    claimed = cast(CursorResult[Any], session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.digest == digest,
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)))
    if claimed.rowcount != 1:
        known = session.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.digest == digest))
        if known is not None:
            return _reused(session, user, client, "recovery code used before")
        return count_failure(session, user, "user.totp_failed", {"client": client, "why": "wrong recovery code"})
    left = recovery_codes_left(session, user.id)
    finish_login(session, user, {"client": client, "factor": "recovery_code", "codes_left": left})
    return LoginResult(Outcome.OK, user)


def pending_secret(session: Session, user: User) -> str:
    """The secret to show a user who enrols: the one shown before if still fresh, else a new one."""
    pending = session.get(PendingTotp, user.id)
    if pending is None or utcnow() - pending.created_at > ENROLMENT_FOR:
        if pending is not None:
            session.delete(pending)
            session.flush()
        pending = PendingTotp(user_id=user.id, secret=pyotp.random_base32(), created_at=utcnow())
        session.add(pending)
        session.flush()
    return pending.secret


def confirm_enrolment(session: Session, user: User, code: str, client: str = "") -> LoginResult:
    """Make the pending secret the user's once they type a valid code from it (which also signs them in)."""
    if is_locked(user):
        return LoginResult(Outcome.LOCKED, user)
    pending = session.get(PendingTotp, user.id)
    digits = clean_code(code)
    if pending is None or utcnow() - pending.created_at > ENROLMENT_FOR or digits is None:
        return count_failure(session, user, "user.totp_failed", {"client": client, "why": "enrolment code"})
    step = matching_step(pending.secret, digits)
    if step is None:
        return count_failure(session, user, "user.totp_failed", {"client": client, "why": "enrolment code"})
    user.totp_secret, user.totp_last_step = pending.secret, step
    session.delete(pending)
    session.flush()
    audit.record(session, org_id=user.org_id, actor=f"user:{user.username}", action="user.totp_enrol",
                 target=f"user:{user.id}", details={"client": client})
    finish_login(session, user, {"client": client, "factor": "totp", "enrolled": True})
    return LoginResult(Outcome.OK, user)


def reset(session: Session, principal: Principal, user_id: int) -> User:
    """An admin removes a user's second factor (lost phone): they enrol again at their next sign-in."""
    principal.require_admin()
    user = session.get(User, user_id)
    if user is None or user.org_id != principal.org_id or user.deleted_at is not None:
        raise NotFound(f"no user {user_id}")
    user.totp_secret, user.totp_last_step = None, None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    pending = session.get(PendingTotp, user.id)
    if pending is not None:
        session.delete(pending)
    session.flush()
    audit.record(session, org_id=user.org_id, actor=principal.actor, action="user.totp_reset",
                 target=f"user:{user.id}")
    return user


def org_settings(session: Session, org_id: int) -> OrgWebSettings:
    """The organization's page settings (defaults when none were saved)."""
    prefs = session.get(OrgWebSettings, org_id)
    return prefs or OrgWebSettings(org_id=org_id, require_totp=False, item_media_url="", entry_media_url="")

