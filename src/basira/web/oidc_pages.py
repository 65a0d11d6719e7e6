"""Sign-in through an organization's identity provider: the redirect to it and the callback from it.

The sign-in page offers one "Sign in with ..." button per organization whose provider is enabled; the callback
starts the same session as a password sign-in (:func:`basira.web.auth.start_session`). TOTP is not asked on top:
the provider is where those users prove who they are.
"""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from basira.core.models import User
from basira.identity import flow
from basira.identity.directory import ProviderDirectory
from basira.identity.errors import ProviderUnavailable, SignInRefused
from basira.identity.providers import SignInChoice, sign_in_choices
from basira.web import auth
from basira.web.common import inst, redirect, render

router = APIRouter(include_in_schema=False)
STATE_KEY = "oidc_state"
CALLBACK = "/login/oidc/callback"


@functools.cache
def directory() -> ProviderDirectory:
    """The process's cache of discovery documents and key sets."""
    return ProviderDirectory()


def choices(request: Request) -> list[SignInChoice]:
    """What the sign-in page offers besides the password form."""
    with inst(request).db.session() as s:
        return sign_in_choices(s)


def _refused(request: Request, reason: str, status: int) -> Response:
    return render(request, "oidc_error.html", {"reason": reason}, status=status, switch_path="/login")


# Declared before the start route, whose path parameter would otherwise take "callback" for a slug.
@router.get(CALLBACK)
async def oidc_callback(request: Request) -> Response:
    """Where the provider sends the browser back, with a code (or an error) and the state."""
    params = request.query_params
    kept = request.session.pop(STATE_KEY, None)
    if params.get("error"):
        return _refused(request, "provider_error", 403)
    instance = inst(request)

    def finish() -> User:
        return flow.complete(instance.db.session, directory(), instance.secret_key, state=params.get("state", ""),
                             code=params.get("code", ""), kept_state=kept if isinstance(kept, str) else None)

    try:
        user = await run_in_threadpool(finish)
    except SignInRefused as e:
        return _refused(request, e.reason, 403)
    except ProviderUnavailable:
        return _refused(request, "unavailable", 502)
    auth.start_session(request.session, user, inst(request).db.session)
    return redirect(request, "/")


@router.get("/login/oidc/{org_slug}")
async def oidc_start(request: Request, org_slug: str) -> Response:
    """Send the browser to the organization's provider, remembering the sign-in's state in the session."""
    instance = inst(request)
    callback = str(request.base_url).rstrip("/") + CALLBACK

    def start() -> flow.Started:
        return flow.begin(instance.db.session, directory(), org_slug, callback)

    try:
        started = await run_in_threadpool(start)
    except SignInRefused as e:
        return _refused(request, e.reason, 404)
    except ProviderUnavailable:
        return _refused(request, "unavailable", 502)
    request.session[STATE_KEY] = started.state
    return RedirectResponse(started.url, status_code=303)
