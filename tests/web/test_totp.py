"""The TOTP second factor: enrolment required by the organization, sign-in with a code, no reuse, lock-out."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD, make_user

from basira.core import audit
from basira.core.instance import Instance
from basira.core.models import AuditEntry, User
from basira.core.principal import Principal
from basira.web import auth, media, totp

from .helpers import csrf_of, sign_in


def _actions(instance: Instance, org_id: int) -> list[str]:
    with instance.db.session() as s:
        return [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.chain == audit.org_chain(org_id))
                                             .order_by(AuditEntry.seq))]


def _require_totp(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        media.save_settings(s, admin, require_totp=True, item_media_url="", entry_media_url="")


def _enrolled(instance: Instance, user_id: int) -> str:
    secret = pyotp.random_base32()
    with instance.db.session() as s:
        s.get(User, user_id).totp_secret = secret  # type: ignore[union-attr]
    return secret


def _code(client: TestClient, path: str, code: str) -> object:
    page = client.get(path)
    return client.post(path, data={"csrf": csrf_of(page.text), "code": code})


def _wrong(secret: str) -> str:
    good = {pyotp.TOTP(secret).at(time.time() + d * 30) for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in good)


@pytest.mark.parametrize("backend", ["sqlite"])  # pure time arithmetic: one backend is enough
def test_a_code_is_accepted_one_step_either_side_and_no_further(backend: str) -> None:
    secret = pyotp.random_base32()
    now = 1_800_000_015.0
    step = int(now // 30)
    t = pyotp.TOTP(secret)
    assert [totp.matching_step(secret, t.at(now + d * 30), now) for d in (-1, 0, 1)] == [step - 1, step, step + 1]
    assert totp.matching_step(secret, t.at(now - 60), now) is None
    assert totp.matching_step(secret, t.at(now + 60), now) is None
    assert totp.clean_code(" 123 456 ") == "123456"
    assert [totp.clean_code(c) for c in ("12345", "1234567", "12a456", "١٢٣٤٥٦", "")] == [None] * 5


def test_an_organization_that_requires_totp_makes_users_enrol_at_sign_in(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    uid = make_user(instance, admin, "rita", "reviewer")
    _require_totp(instance, admin)
    r = sign_in(client, "rita", PASSWORD)
    assert r.url.path == "/login/enrol"
    secret = re.sub(r"\s", "", re.search(r'id="totp-secret">([A-Z2-7 ]+)<', r.text).group(1))  # type: ignore[union-attr]
    assert "otpauth://totp/" in r.text and f"secret={secret}" in r.text
    # Half signed in: nothing else is reachable.
    assert client.get("/cases", follow_redirects=False).headers["location"] == "/login"
    assert client.post("/login/enrol", data={"csrf": csrf_of(r.text), "code": _wrong(secret)}).status_code == 401
    done = client.post("/login/enrol", data={"csrf": csrf_of(r.text), "code": pyotp.TOTP(secret).now()})
    assert done.url.path == "/" and "Sign out" in done.text
    with instance.db.session() as s:
        user = s.get(User, uid)
        assert user is not None and user.totp_secret == secret and user.totp_last_step is not None
        assert user.failed_logins == 0
    assert _actions(instance, admin.org_id)[-4:] == ["user.password_ok", "user.totp_failed", "user.totp_enrol",
                                                     "user.login"]


def test_signing_in_needs_the_code_and_a_code_cannot_be_used_twice(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    uid = make_user(instance, admin, "rita", "reviewer")
    secret = _enrolled(instance, uid)
    r = sign_in(client, "rita", PASSWORD)
    assert r.url.path == "/login/totp"
    code = pyotp.TOTP(secret).now()
    assert _code(client, "/login/totp", code).url.path == "/"  # type: ignore[attr-defined]
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    # The same code, replayed within its 30 seconds, is refused (RFC 6238 section 5.2).
    assert sign_in(client, "rita", PASSWORD).url.path == "/login/totp"
    again = _code(client, "/login/totp", code)
    assert again.status_code == 401  # type: ignore[attr-defined]
    with instance.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.totp_failed")).one()
        assert entry.details["why"] == "code used before"


def test_five_wrong_codes_lock_the_account_like_passwords(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    uid = make_user(instance, admin, "rita", "reviewer")
    secret = _enrolled(instance, uid)
    sign_in(client, "rita", PASSWORD)
    wrong = _wrong(secret)
    statuses = [_code(client, "/login/totp", wrong).status_code for _ in range(auth.MAX_FAILURES)]  # type: ignore[attr-defined]
    assert statuses == [401] * 4 + [429]
    # The lock holds the password too, and the pending session is gone.
    assert client.get("/login/totp", follow_redirects=False).headers["location"] == "/login"
    assert sign_in(client, "rita", PASSWORD).status_code == 429
    with instance.db.session() as s:
        assert s.get(User, uid).locked_until is not None  # type: ignore[union-attr]
    acts = _actions(instance, admin.org_id)
    assert acts.count("user.totp_failed") == 5 and "user.lock" in acts and "user.login" not in acts


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    uid = make_user(instance, admin, "rita", "reviewer")
    secret = _enrolled(instance, uid)
    for _ in range(auth.MAX_FAILURES - 1):
        sign_in(client, "rita", PASSWORD)
        _code(client, "/login/totp", _wrong(secret))
    sign_in(client, "rita", PASSWORD)
    assert _code(client, "/login/totp", _wrong(secret)).status_code == 429  # type: ignore[attr-defined]


def test_an_admin_resets_a_lost_second_factor_and_the_user_enrols_again(
        client: TestClient, instance: Instance, admin: Principal, user: User) -> None:
    uid = make_user(instance, admin, "rita", "reviewer")
    _enrolled(instance, uid)
    page = sign_in(client, "alice", PASSWORD)
    users = client.get("/admin/users").text
    assert "Remove second factor" in users
    r = client.post(f"/admin/users/{uid}/reset-totp", data={"csrf": csrf_of(page.text)})
    assert r.url.path == "/admin/users" and "they enrol again" in r.text
    with instance.db.session() as s:
        assert s.get(User, uid).totp_secret is None  # type: ignore[union-attr]
    assert "user.totp_reset" in _actions(instance, admin.org_id)
    _require_totp(instance, admin)
    with TestClient(client.app) as rita:
        assert sign_in(rita, "rita", PASSWORD).url.path == "/login/enrol"


def test_a_signed_in_user_turns_on_their_own_second_factor(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    uid = make_user(instance, admin, "rita", "reviewer")
    sign_in(client, "rita", PASSWORD)
    page = client.get("/account")
    secret = re.sub(r"\s", "", re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1))  # type: ignore[union-attr]
    bad = client.post("/account/totp", data={"csrf": csrf_of(page.text), "code": _wrong(secret)})
    assert bad.status_code == 401 and "Wrong code" in bad.text
    ok = client.post("/account/totp", data={"csrf": csrf_of(page.text), "code": pyotp.TOTP(secret).now()})
    assert ok.url.path == "/account" and "Your second factor is set up." in ok.text
    with instance.db.session() as s:
        assert s.get(User, uid).totp_secret == secret  # type: ignore[union-attr]
