"""Web pages, mounted on the API app: sign-in (password, then TOTP), the first-run welcome with the demo, home.

Pages are rendered on the server with Jinja2; the only script is the vendored-free ``static/review.js`` (keyboard
shortcuts, reveal without reload), and every page works without it. Every POST form carries the session's CSRF
token; the language comes from ``?lang=`` (kept in a cookie), the user's locale or the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from basira.core import audit, orgs, setup
from basira.core.banks import list_banks
from basira.core.errors import BasiraError, Conflict, InvalidInput, PermissionDenied
from basira.core.instance import Instance
from basira.core.matching import recent_matches
from basira.core.models import Bank, Organization, User
from basira.core.orgs import orgs_by_id
from basira.core.principal import system_principal
from basira.core.visibility import Access
from basira.legal.banner import legal_banner
from basira.reports.dashboard import PERIODS, cases_of_matches, dashboard, period
from basira.web import auth, oidc_pages, totp
from basira.web import dashboard as charts
from basira.web.common import (
    STATIC_DIR,
    TEMPLATES_DIR,
    SignInRequired,
    Viewer,
    checked_form,
    error,
    field,
    flash,
    inst,
    recovery_codes_page,
    redirect,
    render,
    request_language,
    to_sign_in,
    url,
    viewer,
)
from basira.web.headers import SecurityHeaders

__all__ = ["TEMPLATES_DIR", "install", "router"]

SESSION_COOKIE = "basira_session"
SESSION_MAX_AGE = 12 * 3600  # enforced by the cookie's signed timestamp, not only by the browser
RECENT_MATCHES = 20

router = APIRouter(include_in_schema=False)


def install(app: FastAPI, *, https_only: bool | None = None) -> None:
    """Add the pages, their static assets, the session cookie and the security headers to ``app``.

    Args:
        app: the app built by :func:`basira.api.app.create_app`, with ``app.state.instance`` set.
        https_only: send the session and language cookies over HTTPS only; by default the instance's
            ``session_https_only`` setting (off where the setting does not exist).
    """
    from basira.web import (
        admin_pages,
        errors,
        exercise_pages,
        legal_pages,
        review_pages,
        search_pages,
        sharing_pages,
    )

    instance: Instance = app.state.instance
    secure = instance.settings.session_https_only if https_only is None else https_only
    app.state.web_https_only = secure
    app.add_middleware(SessionMiddleware, secret_key=instance.secret_key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=secure)
    app.add_middleware(SecurityHeaders, https_only=secure, hsts_max_age=instance.settings.hsts_max_age_s)
    app.add_exception_handler(SignInRequired, to_sign_in)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
    app.include_router(review_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(oidc_pages.router)
    app.include_router(legal_pages.router)
    app.include_router(exercise_pages.router)
    app.include_router(sharing_pages.router)
    app.include_router(search_pages.router)


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _has_org(instance: Instance) -> bool:
    with instance.db.session() as s:
        return s.scalar(select(Organization.id).limit(1)) is not None


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """The dashboard, the organization's banks and recent matches; the welcome page on an empty instance.

    ``?days=`` picks the dashboard's period (7, 30 or 90 days; 30 by default); any other value answers 422 with
    the reason in the page.
    """
    instance = inst(request)
    if not _has_org(instance):
        return _welcome(request, instance)
    with instance.db.session() as s:
        v = viewer(s, request)
        if v is None:
            return redirect(request, "/login")
        root = url(request, "")
        owners = orgs_by_id(s)
        banks = list_banks(s, v.principal)
        access = {b.id: a for b, a, _ in banks}
        bank_rows = [_bank_row(b, a, n, owners, root) for b, a, n in
                     sorted(banks, key=lambda t: (-int(t[1]), t[0].name.casefold()))]
        recent = recent_matches(s, v.principal, RECENT_MATCHES)
        case_of = cases_of_matches(s, v.principal, [m.id for m, _, _ in recent])
        match_rows = [{
            "when": m.created_at, "item": item.ref or f"#{item.id}", "signal_type": m.signal_type,
            "value": m.query_value, "distance": m.distance, "suppressed": m.suppressed, "case": case_of.get(m.id),
            "bank": _bank_row(bank, access.get(bank.id, Access.NONE), 0, owners, root),
        } for m, bank, item in recent]
        dash, problem = _dashboard(request, s, v, root)
        return render(request, "home.html", {
            **v.context(), "banks": bank_rows, "matches": match_rows, "nav": "banks",
            "legal_deadlines": legal_banner(s, v.principal),
            "total_signals": sum(r["size"] for r in bank_rows if r["size"] is not None),
            "dash": dash, "dash_problem": problem, "dash_periods": PERIODS,
        }, status=422 if problem else 200)


def _dashboard(request: Request, s: Session, v: Viewer, root: str) -> tuple[dict[str, Any] | None, str | None]:
    """The dashboard's view of the period ``?days=`` asks for, or the reason the period is refused."""
    days = request.query_params.get("days")
    try:
        window = period(days[:8] if days is not None else None)
    except InvalidInput as e:
        return None, e.detail
    figures = dashboard(s, v.principal, window, fronts=inst(request).fronts)
    _, lang = request_language(request, v.user.locale)
    return charts.view(figures, len(window.days), lang, root), None


def _bank_row(bank: Bank, access: Access, size: int, owners: dict[int, Organization], root: str) -> dict[str, Any]:
    """What the page shows of a bank: a RED bank shared for matching only keeps its name and size hidden."""
    owner = owners.get(bank.org_id)
    visible = access >= Access.SEE
    return {"id": bank.id, "name": bank.name if visible else None, "owner": owner.name if owner else "",
            "tlp": bank.tlp, "negative": bank.negative, "access": access.name.lower(),
            "size": size if visible else None,
            # A bank no longer reachable (deleted, or unshared since the match) leads nowhere.
            "page": charts.bank_page(root, bank.id, access.name.lower()) if access > Access.NONE else None}


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    instance = inst(request)
    with instance.db.session() as s:
        if auth.session_user(s, request.session) is not None:
            return redirect(request, "/")
    return render(request, "login.html", {"error": None, "username": "", "providers": oidc_pages.choices(request)})


def _throttle(request: Request) -> auth.SourceThrottle:
    """The app's throttle of failed sign-ins per client address (one per worker process)."""
    found = getattr(request.app.state, "login_throttle", None)
    if not isinstance(found, auth.SourceThrottle):
        found = request.app.state.login_throttle = auth.SourceThrottle()
    return found


def _refused(request: Request, template: str, result: auth.LoginResult, context: dict[str, Any]) -> Response:
    locked = result.outcome is auth.Outcome.LOCKED
    throttled = result.outcome is auth.Outcome.THROTTLED
    if locked:
        request.session.clear()  # a locked account starts again from the password, in 15 minutes
    return render(request, template, {
        **context, "error": "locked" if locked else "throttled" if throttled else
        "reused" if result.outcome is auth.Outcome.REUSED else context.get("bad_as", "bad"),
        "lock_minutes": int(auth.LOCK_FOR.total_seconds() // 60),
    }, status=429 if locked or throttled else 401)


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    username, password = field(form, "username"), field(form, "password")
    instance = inst(request)
    throttle, source = _throttle(request), _client(request)
    wait = throttle.wait(source, instance.settings.login_failures_per_source)
    if wait:
        return _refused(request, "login.html", auth.LoginResult(auth.Outcome.THROTTLED),
                        {"username": username[:auth.MAX_USERNAME], "wait_minutes": (wait + 59) // 60})

    def attempt() -> auth.LoginResult:
        with instance.db.session() as s:
            return auth.attempt_login(s, username, password, source)

    # argon2 takes tens of milliseconds: keep it off the event loop.
    result = await run_in_threadpool(attempt)
    if result.outcome is auth.Outcome.BAD:
        throttle.fail(source)
    if result.user is not None and result.outcome is auth.Outcome.OK:
        auth.start_session(request.session, result.user, inst(request).db.session, _client(request))
        return redirect(request, "/")
    if result.user is not None and result.outcome is auth.Outcome.SECOND_FACTOR:
        auth.start_pending(request.session, result.user)
        return redirect(request, "/login/totp" if result.user.totp_secret else "/login/enrol")
    return _refused(request, "login.html", result, {"username": username[:auth.MAX_USERNAME]})


def _pending(request: Request, want_secret: bool) -> tuple[User | None, Response | None]:
    """The half-signed-in user, or where to send a request that has none (or is on the wrong step)."""
    with inst(request).db.session() as s:
        user = auth.pending_user(s, request.session)
        if user is None:
            return None, redirect(request, "/login")
        if bool(user.totp_secret) != want_secret:
            return None, redirect(request, "/login/totp" if user.totp_secret else "/login/enrol")
        s.expunge(user)
        return user, None


@router.get("/login/totp", response_class=HTMLResponse)
def totp_page(request: Request) -> Response:
    user, elsewhere = _pending(request, want_secret=True)
    if elsewhere is not None or user is None:
        return elsewhere or redirect(request, "/login")
    return render(request, "totp.html", {"error": None, "pending": user}, user_locale=user.locale)


async def _second_step(request: Request, field_name: str, verify: Callable[[Session, User, str, str], auth.LoginResult],
                       then: str, bad_as: str = "bad",
                       on_success: Callable[[Session, User], None] | None = None) -> Response:
    """The second step of signing in (an app's code or a recovery code) for the half-signed-in user: ``verify``
    checks the typed value; on success the session starts, ``on_success`` runs (a flash message) and the browser goes
    to ``then``."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    with inst(request).db.session() as s:
        user = auth.pending_user(s, request.session)
        if user is None or not user.totp_secret:
            return redirect(request, "/login")
        result = verify(s, user, field(form, field_name), _client(request))
        locale = user.locale
    if result.outcome is auth.Outcome.OK and result.user is not None:
        auth.start_session(request.session, result.user, inst(request).db.session, _client(request))
        if on_success is not None:  # after start_session, which clears the session (and any flash) first
            with inst(request).db.session() as s:
                on_success(s, result.user)
        return redirect(request, then)
    return _refused(request, "totp.html", result, {"pending": result.user, "user_locale": locale, "bad_as": bad_as})


@router.post("/login/totp", response_class=HTMLResponse)
async def totp_submit(request: Request) -> Response:
    return await _second_step(request, "code", totp.verify_login_code, "/")


@router.post("/login/recovery", response_class=HTMLResponse)
async def recovery_submit(request: Request) -> Response:
    """The second step of signing in with one of the ten recovery codes (lost phone); each works once."""
    def say_how_many_left(s: Session, user: User) -> None:
        flash(request, "recovery_code_used", left=totp.recovery_codes_left(s, user.id))

    return await _second_step(request, "recovery_code", totp.verify_recovery_code, "/account",
                              bad_as="bad_recovery", on_success=say_how_many_left)


def _enrol_context(request: Request, user: User) -> dict[str, Any]:
    with inst(request).db.session() as s:
        secret = totp.pending_secret(s, user)
        org = s.get(Organization, user.org_id)
        uri = totp.provisioning_uri(secret, user.username, org.name if org else "")
        return {"secret": secret, "uri": uri, "qr": totp.qr_svg(uri), "pending": user, "action": "/login/enrol"}


@router.get("/login/enrol", response_class=HTMLResponse)
def enrol_page(request: Request) -> Response:
    user, elsewhere = _pending(request, want_secret=False)
    if elsewhere is not None or user is None:
        return elsewhere or redirect(request, "/login")
    return render(request, "totp_enrol.html", {"error": None, **_enrol_context(request, user)},
                  user_locale=user.locale)


@router.post("/login/enrol", response_class=HTMLResponse)
async def enrol_submit(request: Request) -> Response:
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    with inst(request).db.session() as s:
        user = auth.pending_user(s, request.session)
        if user is None or user.totp_secret:
            return redirect(request, "/login")
        result = totp.confirm_enrolment(s, user, field(form, "code"), _client(request))
        codes = (totp.new_recovery_codes(s, user, f"user:{user.username}", _client(request))
                 if result.outcome is auth.Outcome.OK else [])
    if result.outcome is auth.Outcome.OK and result.user is not None:
        auth.start_session(request.session, result.user, inst(request).db.session, _client(request))
        return recovery_codes_page(request, codes, "/")
    if result.user is None or result.outcome is auth.Outcome.LOCKED:
        return _refused(request, "totp_enrol.html", result, {"secret": None, "uri": None, "pending": None,
                                                             "action": "/login/enrol"})
    return _refused(request, "totp_enrol.html", result, _enrol_context(request, result.user))


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    with inst(request).db.session() as s:
        auth.end_session(s, request.session)
    return redirect(request, "/login")


def _welcome(request: Request, instance: Instance, *, status: int = 200, refused: str | None = None,
             form: dict[str, str] | None = None) -> HTMLResponse:
    """The first page of an empty instance: it asks for the set-up token before offering the demo or an
    organization of one's own (a link printed by ``basira serve`` carries the token in ``?token=``)."""
    token = request.query_params.get("token", "")[:setup.MAX_TOKEN_CHARS] if form is None else form.get("token", "")
    return render(request, "welcome.html", {"demo_enabled": instance.settings.demo, "token": token,
                                            "refused": refused, "form": form or {}}, status=status)


def _refused_setup(request: Request, instance: Instance, e: BasiraError, form: dict[str, str]) -> HTMLResponse:
    reason = str(e.extra.get("reason", "invalid"))
    if reason == "claimed":
        return error(request, "setup_claimed", 403)
    return _welcome(request, instance, status=403, refused=reason, form=form)


@router.post("/demo", response_class=HTMLResponse)
async def load_demo(request: Request) -> Response:
    """Load the demo on an empty instance with the set-up token, sign the visitor in as its admin, show the
    credentials once."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    instance = inst(request)
    if not instance.settings.demo:
        return error(request, "demo_forbidden", 403)
    token = field(form, "token")
    client = _client(request)

    def seed() -> tuple[Any, User] | None:
        from basira.demo import seed_demo  # the demo's generated files are only needed here

        result = seed_demo(instance, claim=lambda s: setup.spend_token(s, token))
        with instance.db.session() as s:
            user = s.scalar(select(User).where(User.username == result.username))
            if user is None or result.password is None:
                return None
            audit.record(s, org_id=user.org_id, actor=f"user:{user.username}", action="user.login",
                         target=f"user:{user.id}", details={"client": client, "via": "demo"})
        return result, user

    try:
        seeded = await run_in_threadpool(seed)
    except PermissionDenied as e:
        return _refused_setup(request, instance, e, {"token": token})
    if seeded is None:
        return redirect(request, "/")
    result, user = seeded
    auth.start_session(request.session, user, inst(request).db.session, _client(request))
    # No language links here: following one would lose the credentials that are shown only on this page.
    return render(request, "demo_loaded.html", {"result": result, "user": user, "show_languages": False},
                  user_locale=user.locale)


@router.post("/setup", response_class=HTMLResponse)
async def claim_instance(request: Request) -> Response:
    """Create the first organization and its administrator on an empty instance, with the set-up token; the new
    administrator then signs in (and enrols a second factor) as every user does."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    instance = inst(request)
    values = {k: field(form, k).strip() for k in ("token", "org_name", "org_slug", "username")}
    password = field(form, "password")

    def claim() -> None:
        with instance.db.session() as s:
            setup.spend_token(s, values["token"])
            org = orgs.create_org(s, "web:setup", values["org_slug"], values["org_name"], operator=True)
            admin = system_principal(org.id, actor="web:setup")
            user = orgs.create_user(s, admin, org.id, values["username"], password, "admin")
            audit.record(s, org_id=org.id, actor=f"user:{user.username}", action="instance.claim",
                         target=f"org:{org.id}", details={"client": _client(request), "via": "web"})

    try:
        await run_in_threadpool(claim)
    except PermissionDenied as e:
        return _refused_setup(request, instance, e, values)
    except (InvalidInput, Conflict) as e:
        return _welcome(request, instance, status=422, refused="form", form={**values, "problem": e.detail})
    return redirect(request, "/login")
