"""Pages for the organization's admins (users: create, delete, reset TOTP; the TOTP rule and media sources) and
for every signed-in person (their language, their own second factor).

Auditors may look at the users page; only admins change anything (403 otherwise, checked again by the services).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from basira.core import users
from basira.core.errors import BasiraError, Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.models import Role
from basira.web import accounts, auth, i18n, media, totp
from basira.web.common import (
    Viewer,
    ViewerDep,
    checked_form,
    error,
    field,
    flash,
    inst,
    recovery_codes_page,
    redirect,
    render,
    viewer,
)

router = APIRouter(include_in_schema=False)


def _users_page(request: Request, v: Viewer, *, status: int = 200,
                problem: dict[str, Any] | None = None) -> Response:
    with inst(request).db.session() as s:
        try:
            people = users.list_users(s, v.principal)
        except PermissionDenied:
            return error(request, "forbidden", 403, v.context())
        return render(request, "users.html", {
            **v.context(), "users": people, "settings": totp.org_settings(s, v.principal.org_id),
            "roles": [r.value for r in Role], "languages_all": i18n.LANGUAGES, "problem": problem, "nav": "users",
        }, status=status)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, v: ViewerDep) -> Response:
    return _users_page(request, v)


async def _admin_form(request: Request, v: Viewer) -> FormData | Response:
    """The posted form of an admin's change, or the page that says why not (too large, CSRF, not an admin)."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    if not v.is_admin:
        return error(request, "forbidden", 403, v.context())
    return form


@router.post("/admin/users", response_class=HTMLResponse)
async def create_user(request: Request, v: ViewerDep) -> Response:
    form = await _admin_form(request, v)
    if not isinstance(form, FormData):
        return form
    username = field(form, "username").strip()

    def create() -> None:
        with inst(request).db.session() as s:
            if not username.isprintable():
                raise InvalidInput("a username holds no control or formatting characters")
            users.create_user(s, v.principal, v.principal.org_id, username, field(form, "password"),
                             field(form, "role"), field(form, "locale") or "en")

    try:
        await run_in_threadpool(create)  # argon2
    except BasiraError as e:
        return _users_page(request, v, status=e.status if e.status < 500 else 422,
                           problem={"detail": e.detail, "username": username})
    flash(request, "user_created", name=username)
    return redirect(request, "/admin/users")


async def _user_action(request: Request, v: Viewer, user_id: str, what: str) -> Response:
    form = await _admin_form(request, v)
    if not isinstance(form, FormData):
        return form
    uid = int(user_id) if user_id.isascii() and user_id.isdigit() and len(user_id) < 19 else 0
    try:
        with inst(request).db.session() as s:
            if what == "delete":
                name = users.delete_user(s, v.principal, uid, acting_user_id=v.user.id).username
            elif what == "sign-out":
                name = auth.end_sessions_of(s, v.principal, uid).username
            else:
                name = totp.reset(s, v.principal, uid).username
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except (PermissionDenied, Conflict) as e:
        return _users_page(request, v, status=e.status, problem={"detail": e.detail, "username": ""})
    flash(request, {"delete": "user_deleted", "sign-out": "sessions_ended"}.get(what, "totp_reset"), name=name)
    return redirect(request, "/admin/users")


@router.post("/admin/users/{user_id}/delete", response_class=HTMLResponse)
async def delete_user(request: Request, user_id: str, v: ViewerDep) -> Response:
    return await _user_action(request, v, user_id, "delete")


@router.post("/admin/users/{user_id}/sign-out", response_class=HTMLResponse)
async def sign_out_user(request: Request, user_id: str, v: ViewerDep) -> Response:
    """End every session of the user: a cookie they (or anyone who took it) kept opens nothing any more."""
    return await _user_action(request, v, user_id, "sign-out")


@router.post("/admin/users/{user_id}/reset-totp", response_class=HTMLResponse)
async def reset_totp(request: Request, user_id: str, v: ViewerDep) -> Response:
    return await _user_action(request, v, user_id, "reset")


@router.post("/admin/settings", response_class=HTMLResponse)
async def save_settings(request: Request, v: ViewerDep) -> Response:
    form = await _admin_form(request, v)
    if not isinstance(form, FormData):
        return form
    try:
        with inst(request).db.session() as s:
            media.save_settings(s, v.principal, require_totp=field(form, "require_totp") == "on",
                                item_media_url=field(form, "item_media_url"),
                                entry_media_url=field(form, "entry_media_url"))
    except InvalidInput as e:
        return _users_page(request, v, status=422, problem={"detail": e.detail, "username": ""})
    flash(request, "settings_saved")
    return redirect(request, "/admin/users")


# -- every signed-in person ------------------------------------------------------------------------------------------

def _account(request: Request, v: Viewer, *, status: int = 200, **extra: Any) -> Response:
    enrol: dict[str, Any] = {}
    if not v.user.totp_secret:
        with inst(request).db.session() as s:
            secret = totp.pending_secret(s, v.user)
        uri = totp.provisioning_uri(secret, v.user.username, v.org.name if v.org else "")
        enrol = {"secret": secret, "uri": uri, "qr": totp.qr_svg(uri)}
    else:
        with inst(request).db.session() as s:
            extra.setdefault("codes_left", totp.recovery_codes_left(s, v.user.id))
    return render(request, "account.html", {**v.context(), "enrol": enrol, "error": None, "nav": "account",
                                            "languages_all": i18n.LANGUAGES, "renew_error": None, "codes_left": 0,
                                            **extra}, status=status)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, v: ViewerDep) -> Response:
    return _account(request, v)


@router.post("/account/language", response_class=HTMLResponse)
async def set_language(request: Request, v: ViewerDep) -> Response:
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    try:
        with inst(request).db.session() as s:
            user = s.get(type(v.user), v.user.id)
            if user is not None:
                accounts.set_locale(s, user, field(form, "locale"))
    except InvalidInput:
        return error(request, "bad_request", 400, v.context())
    resp = redirect(request, "/account")
    # The saved choice is the user's from now on: drop an earlier ?lang= kept in the cookie.
    resp.delete_cookie("basira_lang")
    return resp


@router.post("/account/totp", response_class=HTMLResponse)
async def enrol_totp(request: Request, v: ViewerDep) -> Response:
    """A signed-in person adds a second factor to their own account (checked with a first code)."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    with inst(request).db.session() as s:
        user = s.get(type(v.user), v.user.id)
        if user is None or user.totp_secret:
            return redirect(request, "/account")
        client = request.client.host if request.client else ""
        result = totp.confirm_enrolment(s, user, field(form, "code"), client)
        codes = (totp.new_recovery_codes(s, user, f"user:{user.username}", client)
                 if result.outcome is auth.Outcome.OK else [])
    if result.outcome is auth.Outcome.OK and result.user is not None:
        # The session's fingerprint is of the password only: it stays valid, but start afresh anyway.
        auth.start_session(request.session, result.user, inst(request).db.session)
        flash(request, "totp_enrolled")
        return recovery_codes_page(request, codes, "/account")
    if result.outcome is auth.Outcome.LOCKED:
        request.session.clear()
        return redirect(request, "/login")
    with inst(request).db.session() as s:
        fresh = viewer(s, request)
    if fresh is None:
        return redirect(request, "/login")
    return _account(request, fresh, status=401, error="bad")


@router.post("/account/recovery-codes", response_class=HTMLResponse)
async def renew_recovery_codes(request: Request, v: ViewerDep) -> Response:
    """Ten new recovery codes in place of the old ones, for someone who proves they hold the app (a current code):
    a borrowed signed-in browser alone cannot take them."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    client = request.client.host if request.client else ""
    with inst(request).db.session() as s:
        user = s.get(type(v.user), v.user.id)
        if user is None or not user.totp_secret:
            return redirect(request, "/account")
        result = totp.verify_code(s, user, field(form, "code"), client)
        codes = (totp.new_recovery_codes(s, user, f"user:{user.username}", client)
                 if result.outcome is auth.Outcome.OK else [])
    if result.outcome is auth.Outcome.OK:
        return recovery_codes_page(request, codes, "/account")
    if result.outcome is auth.Outcome.LOCKED:
        request.session.clear()
        return redirect(request, "/login")
    return _account(request, v, status=401, renew_error=result.outcome.value)
