"""What every page module shares: the template environment, rendering in the request's language, forms with
their CSRF check, redirects, and the signed-in viewer (user, role, organization, today's exposure count) as a
dependency (``v: ViewerDep``) that sends anyone not signed in to the sign-in page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from basira.core.instance import Instance
from basira.core.models import Organization, Role, User
from basira.core.principal import Principal
from basira.web import accounts, auth, i18n

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LANG_COOKIE = "basira_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_FORM_BYTES = 64 * 1024
FLASH_KEY = "flash"


@functools.cache
def env() -> Environment:
    e = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                    undefined=StrictUndefined, extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
                    trim_blocks=True, lstrip_blocks=True, finalize=i18n.finalize)
    # New-style gettext formats after translating, so "%(name)s" works inside translated strings.
    e.newstyle_gettext = True  # type: ignore[attr-defined]
    e.policies["ext.i18n.trimmed"] = True
    e.filters["number"] = i18n.number_filter
    e.filters["datetime"] = i18n.datetime_filter
    e.filters["date"] = i18n.date_filter
    e.filters["due"] = i18n.due_filter
    e.filters["visible"] = i18n.visible
    e.filters["partial_date"] = i18n.partial_date_filter
    e.filters["country"] = i18n.country_filter
    return e


def inst(request: Request) -> Instance:
    instance: Instance = request.app.state.instance
    return instance


def url(request: Request, path: str) -> str:
    return str(request.scope.get("root_path", "")) + path


def redirect(request: Request, path: str) -> RedirectResponse:
    lang = i18n.normalise(request.query_params.get("lang"))
    sep = "&" if "?" in path else "?"
    return RedirectResponse(url(request, path + (f"{sep}lang={lang}" if lang else "")), status_code=303)


def flash(request: Request, message: str, **values: str | int) -> None:
    """A message for the next page (a code the template turns into a sentence, with its values)."""
    request.session[FLASH_KEY] = {"code": message, **values}


@dataclass
class Viewer:
    """The signed-in person of a request and what the page header shows of them."""

    user: User
    principal: Principal
    org: Organization | None
    exposure: int

    @property
    def can_decide(self) -> bool:
        return self.principal.role in (Role.ADMIN, Role.REVIEWER)

    @property
    def is_admin(self) -> bool:
        return self.principal.role == Role.ADMIN

    def context(self) -> dict[str, Any]:
        return {"user": self.user, "org": self.org, "exposure": self.exposure, "viewer": self,
                "user_locale": self.user.locale}


def viewer(session: Session, request: Request) -> Viewer | None:
    user = auth.session_user(session, request.session)
    if user is None:
        return None
    return Viewer(user, auth.principal_for(session, user), session.get(Organization, user.org_id),
                  accounts.exposure_today(session, user.id))


class SignInRequired(Exception):
    """Nobody is signed in on this request (or the session's user is gone): the page sends them to sign in."""


def signed_in(request: Request) -> Viewer:
    """The viewer of a page that needs one (a FastAPI dependency: ``v: ViewerDep``); :class:`SignInRequired`
    otherwise, which :func:`to_sign_in` turns into the redirect to ``/login``."""
    with inst(request).db.session() as s:
        v = viewer(s, request)
    if v is None:
        raise SignInRequired
    return v


ViewerDep = Annotated[Viewer, Depends(signed_in)]


async def to_sign_in(request: Request, exc: Exception) -> Response:
    """The answer to :class:`SignInRequired`: the sign-in page (keeping a ``?lang=`` choice)."""
    return redirect(request, "/login")


def request_language(request: Request, user_locale: str | None) -> tuple[str | None, str]:
    """The language a ``?lang=`` asks for (None when absent or unknown) and the language to speak.

    The choice: ``?lang=``, then the language cookie (an earlier ``?lang=``), the user's locale, the browser's.
    """
    asked = i18n.normalise(request.query_params.get("lang"))
    return asked, i18n.choose_language(asked, request.cookies.get(LANG_COOKIE), user_locale,
                                       request.headers.get("accept-language", ""))


def remember_language(response: Response, request: Request, asked: str | None) -> None:
    """Mark ``response`` as depending on the browser's language; keep a new ``?lang=`` choice in the cookie."""
    response.headers["Vary"] = "Accept-Language"  # the session middleware adds "Cookie"
    if asked and asked != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, asked, max_age=LANG_COOKIE_MAX_AGE, httponly=True, samesite="lax",
                            secure=bool(request.app.state.web_https_only))


@functools.cache
def language_choices() -> tuple[tuple[str, str, str], ...]:
    """What a language switcher offers: (code, name in that language, writing direction) of each language."""
    return tuple((code, i18n.autonym(code), i18n.direction(code)) for code in i18n.LANGUAGES)


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200,
           user_locale: str | None = None, switch_path: str | None = None,
           csp: str | None = None) -> HTMLResponse:
    """Render template ``name`` in the request's language; remember a ``?lang=`` choice in a cookie.

    Args:
        csp: A Content-Security-Policy for this response only (the case page allows its media origin).
    """
    context = dict(context or {})
    user_locale = user_locale or context.pop("user_locale", None)
    asked, lang = request_language(request, user_locale)
    ctx: dict[str, Any] = {
        **i18n.template_context(lang),
        "csrf": auth.csrf_token(request.session),
        "root": url(request, ""),
        "static": lambda path: url(request, f"/static/{path}"),
        "languages": language_choices(),
        # request.url.path already holds the root path; a path given here does not.
        "switch_path": url(request, switch_path) if switch_path else request.url.path,
        "user": None, "org": None, "exposure": None, "viewer": None,
        "show_languages": True,
        "flash": request.session.pop(FLASH_KEY, None),
        "nav": "",
        "scripts": [],
        **context,
    }
    resp = HTMLResponse(env().get_template(name).render(ctx), status_code=status)
    resp.headers["Cache-Control"] = "no-store"
    remember_language(resp, request, asked)
    if csp:
        resp.headers["Content-Security-Policy"] = csp
    return resp


def error(request: Request, kind: str, status: int, context: dict[str, Any] | None = None) -> HTMLResponse:
    return render(request, "error.html", {"kind": kind, **(context or {})}, status=status, switch_path="/")


async def read_form(request: Request, max_fields: int = 20) -> FormData | None:
    """The posted form, or None when it is too large to be a form of these pages."""
    try:
        length = int(request.headers.get("content-length", ""))
    except ValueError:
        return None
    if length > MAX_FORM_BYTES:
        return None
    return await request.form(max_files=0, max_fields=max_fields, max_part_size=MAX_FORM_BYTES)


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def checked_form(request: Request, max_fields: int = 20) -> FormData | HTMLResponse:
    """The form when it is small enough and carries the session's CSRF token, else the error page."""
    try:
        form = await read_form(request, max_fields)
    except (HTTPException, MultiPartException):  # too many fields, or a malformed multipart body
        form = None
    if form is None:
        return error(request, "too_large", 413)
    if not auth.csrf_ok(request.session, form.get("csrf")):
        return error(request, "csrf", 403)
    return form


def recovery_codes_page(request: Request, codes: list[str], then: str) -> Response:
    """The ten TOTP recovery codes, shown this once (never cached: they sign in)."""
    resp = render(request, "totp_recovery.html", {"codes": codes, "then": then})
    resp.headers["Cache-Control"] = "no-store"
    return resp
