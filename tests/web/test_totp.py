"""The TOTP second factor: enrolment required by the organization, sign-in with a code, no reuse, lock-out."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests.factories import PASSWORD, make_user

from basira.core import audit
from basira.core.instance import Instance
from basira.core.models import AuditEntry, User
from basira.core.principal import Principal
from basira.web import auth, media, totp
from basira.web.models import RecoveryCode

from .helpers import csrf_of, sign_in


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Sign-in arithmetic and pages: SQLite here; the one test whose UPDATE races matter runs on both."""
    return str(request.param)


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


def _recovery_codes(html: str) -> list[str]:
    return re.findall(r"<li><bdi>([2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4})</bdi></li>", html)


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
    # The ten recovery codes are shown once, right after enrolling, never cached; then on to the home page.
    assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
    assert len(_recovery_codes(done.text)) == totp.RECOVERY_CODES
    assert "Sign out" in client.get("/").text
    with instance.db.session() as s:
        user = s.get(User, uid)
        assert user is not None and user.totp_secret == secret and user.totp_last_step is not None
        assert user.failed_logins == 0
    assert _actions(instance, admin.org_id)[-5:] == ["user.password_ok", "user.totp_failed", "user.totp_enrol",
                                                     "user.login", "user.recovery_codes"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
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
    # Said as it is: the code was right but used, not "wrong".
    assert "already used" in again.text and "Wrong code" not in again.text  # type: ignore[attr-defined]
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
    assert ok.status_code == 200 and len(_recovery_codes(ok.text)) == totp.RECOVERY_CODES
    assert "Your second factor is set up." in ok.text
    with instance.db.session() as s:
        assert s.get(User, uid).totp_secret == secret  # type: ignore[union-attr]


def _recover(client: TestClient, code: str) -> object:
    page = client.get("/login/totp")
    return client.post("/login/recovery", data={"csrf": csrf_of(page.text), "recovery_code": code})


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_recovery_code_signs_in_once_and_the_rest_still_work(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    uid = make_user(instance, admin, "rita", "reviewer")
    secret = _enrolled(instance, uid)
    with instance.db.session() as s:
        codes = totp.new_recovery_codes(s, s.get(User, uid), "test")  # type: ignore[arg-type]
        stored = {c.digest for c in s.scalars(select(RecoveryCode).where(RecoveryCode.user_id == uid))}
    assert len(codes) == len(set(codes)) == totp.RECOVERY_CODES and len(stored) == totp.RECOVERY_CODES
    assert not any(c.replace("-", "") in d for c in codes for d in stored)  # only digests are kept
    assert sign_in(client, "rita", PASSWORD).url.path == "/login/totp"
    # Typed loosely (upper case, spaces in place of dashes): still the code.
    first = _recover(client, codes[0].upper().replace("-", " "))
    assert first.url.path == "/account" and "Codes left: <bdi>9</bdi>" in first.text  # type: ignore[attr-defined]
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    sign_in(client, "rita", PASSWORD)
    again = _recover(client, codes[0])
    assert again.status_code == 401 and "already used" in again.text  # type: ignore[attr-defined]
    wrong = _recover(client, "2222-3333-4444")
    assert wrong.status_code == 401 and "Wrong recovery code" in wrong.text  # type: ignore[attr-defined]
    assert _recover(client, codes[1]).url.path == "/account"  # type: ignore[attr-defined]
    with instance.db.session() as s:
        whys = [e.details["why"] for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "user.totp_failed"))]
        logins = [e.details for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "user.login"))]
        assert totp.recovery_codes_left(s, uid) == 8
    assert whys == ["recovery code used before", "wrong recovery code"]
    assert [d["factor"] for d in logins] == ["recovery_code", "recovery_code"] and logins[-1]["codes_left"] == 8
    # Another account's code never signs in here, nor does one after an admin reset.
    with instance.db.session() as s:
        assert totp.reset(s, admin, uid).totp_secret is None
        assert totp.recovery_codes_left(s, uid) == 0
    del secret


def test_recovery_codes_are_renewed_only_with_a_current_code(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    uid = make_user(instance, admin, "rita", "reviewer")
    secret = _enrolled(instance, uid)
    with instance.db.session() as s:
        old = totp.new_recovery_codes(s, s.get(User, uid), "test")  # type: ignore[arg-type]
    sign_in(client, "rita", PASSWORD)
    assert _recover(client, old[0]).url.path == "/account"  # type: ignore[attr-defined]
    page = client.get("/account")
    assert "Recovery codes left: <bdi>9</bdi>" in page.text
    bad = client.post("/account/recovery-codes", data={"csrf": csrf_of(page.text), "code": _wrong(secret)})
    assert bad.status_code == 401 and "Wrong code" in bad.text
    new = client.post("/account/recovery-codes", data={"csrf": csrf_of(page.text), "code": pyotp.TOTP(secret).now()})
    fresh = _recovery_codes(new.text)
    assert new.status_code == 200 and len(fresh) == totp.RECOVERY_CODES and not set(fresh) & set(old)
    with instance.db.session() as s:
        assert totp.recovery_codes_left(s, uid) == totp.RECOVERY_CODES
        # The old codes are gone.
        assert totp.verify_recovery_code(s, s.get(User, uid), old[1]).outcome is auth.Outcome.BAD  # type: ignore[arg-type]


def test_the_enrolment_page_draws_the_uri_as_a_qr_code(
        client: TestClient, instance: Instance, admin: Principal) -> None:
    make_user(instance, admin, "rita", "reviewer")
    sign_in(client, "rita", PASSWORD)
    page = client.get("/account").text
    uri = re.search(r'id="totp-uri">([^<]+)<', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert uri.startswith("otpauth://totp/") and str(totp.qr_svg(uri)) in page
    assert "<script" not in str(totp.qr_svg(uri))


@pytest.mark.parametrize("backend", ["sqlite"])
@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_any_typed_recovery_code_is_read_or_refused(backend: str, text: str) -> None:
    cleaned = totp.clean_recovery_code(text)
    assert cleaned is None or (len(cleaned) == totp.RECOVERY_LENGTH
                               and set(cleaned) <= set(totp.RECOVERY_ALPHABET))
