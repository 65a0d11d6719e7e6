"""Web pages, mounted on the API app: sign-in, the first-run welcome with the demo, and the home page.

Pages are rendered on the server with Jinja2 and need no script. Every POST form carries the session's CSRF
token; the language comes from ``?lang=`` (kept in a cookie), the user's locale or the browser.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware.sessions import SessionMiddleware

from basira.core import audit
from basira.core.banks import list_banks
from basira.core.errors import BasiraError
from basira.core.instance import Instance
from basira.core.matching import recent_matches
from basira.core.models import Bank, Organization, User
from basira.core.visibility import Access
from basira.web import auth, i18n
from basira.web.headers import SecurityHeaders

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "basira_session"
SESSION_MAX_AGE = 12 * 3600  # enforced by the cookie's signed timestamp, not only by the browser
LANG_COOKIE = "basira_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_FORM_BYTES = 64 * 1024
# Whoever loads the demo becomes its admin: only someone on the server's own machine may.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "testclient"})
RECENT_MATCHES = 20

router = APIRouter(include_in_schema=False)


def install(app: FastAPI, *, https_only: bool | None = None) -> None:
    """Add the pages, their static assets, the session cookie and the security headers to ``app``.

    Args:
        app: the app built by :func:`basira.api.app.create_app`, with ``app.state.instance`` set.
        https_only: send the session and language cookies over HTTPS only; by default the instance's
            ``session_https_only`` setting (off where the setting does not exist).
    """
    inst: Instance = app.state.instance
    secure = inst.settings.session_https_only if https_only is None else https_only
    app.state.web_https_only = secure
    app.add_middleware(SessionMiddleware, secret_key=inst.secret_key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=secure)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)


@functools.cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    # New-style gettext formats after translating, so "%(name)s" works inside translated strings.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True
    env.filters["number"] = i18n.number_filter
    env.filters["datetime"] = i18n.datetime_filter
    return env


def _inst(request: Request) -> Instance:
    inst: Instance = request.app.state.instance
    return inst


def _url(request: Request, path: str) -> str:
    return str(request.scope.get("root_path", "")) + path


def _redirect(request: Request, path: str) -> RedirectResponse:
    lang = i18n.normalise(request.query_params.get("lang"))
    return RedirectResponse(_url(request, path + (f"?lang={lang}" if lang else "")), status_code=303)


def _is_loopback(request: Request) -> bool:
    return request.client is not None and request.client.host in LOOPBACK_HOSTS


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200,
           user_locale: str | None = None, switch_path: str | None = None) -> HTMLResponse:
    """Render template ``name`` in the request's language; remember a ``?lang=`` choice in a cookie."""
    asked = i18n.normalise(request.query_params.get("lang"))
    lang = i18n.choose_language(asked, request.cookies.get(LANG_COOKIE), user_locale,
                                request.headers.get("accept-language", ""))
    ctx: dict[str, Any] = {
        **i18n.template_context(lang),
        "csrf": auth.csrf_token(request.session),
        "root": _url(request, ""),
        "static": lambda path: _url(request, f"/static/{path}"),
        "languages": [(code, i18n.autonym(code), i18n.direction(code)) for code in i18n.LANGUAGES],
        # request.url.path already holds the root path; a path given here does not.
        "switch_path": _url(request, switch_path) if switch_path else request.url.path,
        "user": None,
        "org": None,
        "show_languages": True,
        **(context or {}),
    }
    resp = HTMLResponse(_env().get_template(name).render(ctx), status_code=status)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Vary"] = "Accept-Language"  # the session middleware adds "Cookie"
    if asked and asked != request.cookies.get(LANG_COOKIE):
        resp.set_cookie(LANG_COOKIE, asked, max_age=LANG_COOKIE_MAX_AGE, httponly=True, samesite="lax",
                        secure=bool(request.app.state.web_https_only))
    return resp


def _error(request: Request, kind: str, status: int) -> HTMLResponse:
    return render(request, "error.html", {"kind": kind}, status=status, switch_path="/")


async def _form(request: Request) -> FormData | None:
    """The posted form, or None when it is too large to be a form of these pages."""
    try:
        length = int(request.headers.get("content-length", ""))
    except ValueError:
        return None
    if length > MAX_FORM_BYTES:
        return None
    return await request.form(max_files=0, max_fields=20, max_part_size=MAX_FORM_BYTES)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _checked_form(request: Request) -> FormData | HTMLResponse:
    """The form when it is small enough and carries the session's CSRF token, else the error page."""
    form = await _form(request)
    if form is None:
        return _error(request, "too_large", 413)
    if not auth.csrf_ok(request.session, form.get("csrf")):
        return _error(request, "csrf", 403)
    return form


def _has_org(inst: Instance) -> bool:
    with inst.db.session() as s:
        return s.scalar(select(Organization.id).limit(1)) is not None


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """The organization's banks and recent matches; the welcome page on an empty instance."""
    inst = _inst(request)
    if not _has_org(inst):
        return render(request, "welcome.html", {"demo_enabled": inst.settings.demo,
                                                "demo_offer": inst.settings.demo and _is_loopback(request)})
    with inst.db.session() as s:
        user = auth.session_user(s, request.session)
        if user is None:
            return _redirect(request, "/login")
        principal = auth.principal_for(s, user)
        org = s.get(Organization, user.org_id)
        owners = {o.id: o for o in s.scalars(select(Organization))}
        banks = list_banks(s, principal)
        access = {b.id: a for b, a, _ in banks}
        bank_rows = [_bank_row(b, a, n, owners) for b, a, n in
                     sorted(banks, key=lambda t: (-int(t[1]), t[0].name.casefold()))]
        match_rows = [{
            "when": m.created_at, "item": item.ref or f"#{item.id}", "signal_type": m.signal_type,
            "value": m.query_value, "distance": m.distance, "suppressed": m.suppressed,
            "bank": _bank_row(bank, access.get(bank.id, Access.NONE), 0, owners),
        } for m, bank, item in recent_matches(s, principal, RECENT_MATCHES)]
    return render(request, "home.html", {
        "user": user, "org": org, "banks": bank_rows, "matches": match_rows,
        "total_signals": sum(r["size"] for r in bank_rows if r["size"] is not None),
    }, user_locale=user.locale)


def _bank_row(bank: Bank, access: Access, size: int, owners: dict[int, Organization]) -> dict[str, Any]:
    """What the page shows of a bank: a RED bank shared for matching only keeps its name and size hidden."""
    owner = owners.get(bank.org_id)
    visible = access >= Access.SEE
    return {"id": bank.id, "name": bank.name if visible else None, "owner": owner.name if owner else "",
            "tlp": bank.tlp, "negative": bank.negative, "access": access.name.lower(),
            "size": size if visible else None}


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    inst = _inst(request)
    with inst.db.session() as s:
        if auth.session_user(s, request.session) is not None:
            return _redirect(request, "/")
    return render(request, "login.html", {"error": None, "username": ""})


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await _checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    username, password = _field(form, "username"), _field(form, "password")
    inst = _inst(request)
    client = request.client.host if request.client else ""

    def attempt() -> auth.LoginResult:
        with inst.db.session() as s:
            return auth.attempt_login(s, username, password, client)

    # argon2 takes tens of milliseconds: keep it off the event loop.
    result = await run_in_threadpool(attempt)
    if result.outcome is auth.Outcome.OK and result.user is not None:
        auth.start_session(request.session, result.user)
        return _redirect(request, "/")
    locked = result.outcome is auth.Outcome.LOCKED
    return render(request, "login.html", {
        "error": "locked" if locked else "bad", "username": username[:auth.MAX_USERNAME],
        "lock_minutes": int(auth.LOCK_FOR.total_seconds() // 60),
    }, status=429 if locked else 401)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await _checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    request.session.clear()
    return _redirect(request, "/login")


@router.post("/demo", response_class=HTMLResponse)
async def load_demo(request: Request) -> Response:
    """Load the demo on an empty instance, sign the visitor in as its admin, show the credentials once."""
    form = await _checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    inst = _inst(request)
    if not inst.settings.demo or not _is_loopback(request):
        return _error(request, "demo_forbidden", 403)
    client = request.client.host if request.client else ""

    def seed() -> tuple[Any, User] | None:
        if _has_org(inst):
            return None
        from basira.demo import seed_demo  # the demo's generated files are only needed here

        result = seed_demo(inst)
        with inst.db.session() as s:
            user = s.scalar(select(User).where(User.username == result.username))
            if user is None:
                return None
            audit.record(s, org_id=user.org_id, actor=f"user:{user.username}", action="user.login",
                         target=f"user:{user.id}", details={"client": client, "via": "demo"})
        return result, user

    try:
        seeded = await run_in_threadpool(seed)
    except BasiraError:
        seeded = None  # another visitor loaded it a moment before: their demo stands
    if seeded is None:
        return _redirect(request, "/")
    result, user = seeded
    auth.start_session(request.session, user)
    # No language links here: following one would lose the credentials that are shown only on this page.
    return render(request, "demo_loaded.html", {"result": result, "user": user, "show_languages": False},
                  user_locale=user.locale)
