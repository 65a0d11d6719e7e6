"""Administration of API keys and webhooks, by the organization's admins, through the services the command line and
the API call (each writes its audit row).

A new key, and a webhook's signing secret, are shown once on the page that answers their creation (never stored in
clear, never shown again); lists show a key's visible id (its prefix) only. Auditors see the lists.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from basira.actions import webhooks
from basira.actions.config import ActionsConfig
from basira.actions.models import Webhook
from basira.core import orgs
from basira.core.errors import BasiraError, NotFound, PermissionDenied
from basira.core.models import Role
from basira.core.security import KEY_PREFIX
from basira.web.admin_common import ADMINS, as_id, change_form, may, refused, status_of
from basira.web.common import Viewer, ViewerDep, error, field, flash, inst, redirect, render

router = APIRouter(include_in_schema=False)


# -- API keys -----------------------------------------------------------------------------------------------------

def _keys_page(request: Request, v: Viewer, *, status: int = 200, problem: dict[str, Any] | None = None,
               issued: dict[str, str] | None = None) -> Response:
    with inst(request).db.session() as s:
        try:
            keys = [{"key_id": k.key_id, "prefix": f"{KEY_PREFIX}_{k.key_id}_…", "role": k.role, "name": k.name,
                     "created_at": k.created_at, "last_used_at": k.last_used_at, "revoked_at": k.revoked_at}
                    for k in orgs.list_keys(s, v.principal, v.principal.org_id)]
        except PermissionDenied:
            return error(request, "forbidden", 403, v.context())
    return render(request, "admin_keys.html", {
        **v.context(), "keys": keys, "roles": [r.value for r in Role], "may_write": may(v, ADMINS),
        "problem": problem, "issued": issued, "nav": "admin"}, status=status)


@router.get("/admin/keys", response_class=HTMLResponse)
def keys_page(request: Request, v: ViewerDep) -> Response:
    return _keys_page(request, v)


@router.post("/admin/keys", response_class=HTMLResponse)
async def create_key(request: Request, v: ViewerDep) -> Response:
    """Issue a key; the answer is the page showing it this once (no redirect: reloading does not show it again)."""
    form = await change_form(request, v, ADMINS)
    if not isinstance(form, FormData):
        return form
    try:
        with inst(request).db.session() as s:
            got = orgs.create_key(s, v.principal, v.principal.org_id, field(form, "role"),
                                  field(form, "name").strip()[:200])
            issued = {"key_id": got.record.key_id, "secret": got.secret, "name": got.record.name}
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _keys_page(request, v, status=status_of(e), problem=refused(e))
    return _keys_page(request, v, status=201, issued=issued)


@router.post("/admin/keys/{key_id}/revoke", response_class=HTMLResponse)
async def revoke_key(request: Request, key_id: str, v: ViewerDep) -> Response:
    form = await change_form(request, v, ADMINS)
    if not isinstance(form, FormData):
        return form
    if not key_id.isascii() or not key_id.isalnum() or len(key_id) > 32:
        return error(request, "not_found", 404, v.context())
    try:
        with inst(request).db.session() as s:
            orgs.revoke_key(s, v.principal, key_id)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    flash(request, "admin_key_revoked", name=f"{KEY_PREFIX}_{key_id}_…")
    return redirect(request, "/admin/keys")


# -- webhooks -----------------------------------------------------------------------------------------------------

def _config(request: Request) -> ActionsConfig:
    return ActionsConfig.from_settings(inst(request).settings)


def _events(form: FormData) -> list[str]:
    return [e for e in form.getlist("events") if isinstance(e, str)][:len(webhooks.WEBHOOK_EVENTS) + 1]


def _hook_view(h: Webhook) -> dict[str, Any]:
    return {"id": h.id, "name": h.name, "url": h.url, "events": list(h.events), "enabled": h.enabled,
            "created_by": h.created_by, "created_at": h.created_at}


def _hooks_page(request: Request, v: Viewer, *, status: int = 200, problem: dict[str, Any] | None = None,
                secret: dict[str, Any] | None = None, values: dict[str, Any] | None = None) -> Response:
    with inst(request).db.session() as s:
        try:
            hooks = [_hook_view(h) for h in webhooks.list_webhooks(s, v.principal)]
        except PermissionDenied:
            return error(request, "forbidden", 403, v.context())
    return render(request, "admin_webhooks.html", {
        **v.context(), "hooks": hooks, "events_all": webhooks.WEBHOOK_EVENTS, "may_write": may(v, ADMINS),
        "problem": problem, "secret": secret, "values": values or {}, "nav": "admin"}, status=status)


def _hook_page(request: Request, v: Viewer, hook_id: int, *, status: int = 200,
               problem: dict[str, Any] | None = None) -> Response:
    with inst(request).db.session() as s:
        try:
            hook = _hook_view(webhooks.get_webhook(s, v.principal, hook_id))
        except NotFound:
            return error(request, "not_found", 404, v.context())
        except PermissionDenied:
            return error(request, "forbidden", 403, v.context())
    return render(request, "admin_webhook.html", {
        **v.context(), "hook": hook, "events_all": webhooks.WEBHOOK_EVENTS, "may_write": may(v, ADMINS),
        "problem": problem, "nav": "admin"}, status=status)


@router.get("/admin/webhooks", response_class=HTMLResponse)
def hooks_page(request: Request, v: ViewerDep) -> Response:
    return _hooks_page(request, v)


@router.post("/admin/webhooks", response_class=HTMLResponse)
async def create_hook(request: Request, v: ViewerDep) -> Response:
    """Add a webhook; the answer shows its signing secret this once."""
    form = await change_form(request, v, ADMINS)
    if not isinstance(form, FormData):
        return form
    cfg = _config(request)
    spec = webhooks.WebhookSpec(url=field(form, "url").strip(), events=_events(form) or None,
                                name=field(form, "name").strip(), enabled=True)
    try:
        with inst(request).db.session() as s:
            hook, secret = webhooks.create_webhook(s, v.principal, spec, cfg.allowlist, cfg.exercise_endpoints)
            shown = {"id": hook.id, "name": hook.name, "url": hook.url, "secret": secret}
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _hooks_page(request, v, status=status_of(e), problem=refused(e),
                           values={"url": field(form, "url"), "name": field(form, "name")})
    return _hooks_page(request, v, status=201, secret=shown)


@router.get("/admin/webhooks/{hook_id}", response_class=HTMLResponse)
def hook_page(request: Request, hook_id: str, v: ViewerDep) -> Response:
    return _hook_page(request, v, as_id(hook_id))


@router.post("/admin/webhooks/{hook_id}", response_class=HTMLResponse)
async def update_hook(request: Request, hook_id: str, v: ViewerDep) -> Response:
    form = await change_form(request, v, ADMINS)
    if not isinstance(form, FormData):
        return form
    hid, cfg = as_id(hook_id), _config(request)
    spec = webhooks.WebhookSpec(url=field(form, "url").strip(), events=_events(form),
                                name=field(form, "name").strip(), enabled=field(form, "enabled") == "on")
    try:
        with inst(request).db.session() as s:
            name = webhooks.update_webhook(s, v.principal, hid, spec, cfg.allowlist, cfg.exercise_endpoints).name
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _hook_page(request, v, hid, status=status_of(e), problem=refused(e))
    flash(request, "admin_webhook_updated", name=name)
    return redirect(request, f"/admin/webhooks/{hid}")


@router.post("/admin/webhooks/{hook_id}/rotate", response_class=HTMLResponse)
async def rotate_hook_secret(request: Request, hook_id: str, v: ViewerDep) -> Response:
    """A new signing secret, shown this once on the webhooks page."""
    form = await change_form(request, v, ADMINS)
    if not isinstance(form, FormData):
        return form
    try:
        with inst(request).db.session() as s:
            hook, secret = webhooks.rotate_secret(s, v.principal, as_id(hook_id))
            shown = {"id": hook.id, "name": hook.name, "url": hook.url, "secret": secret}
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    return _hooks_page(request, v, secret=shown)


@router.post("/admin/webhooks/{hook_id}/delete", response_class=HTMLResponse)
async def delete_hook(request: Request, hook_id: str, v: ViewerDep) -> Response:
    form = await change_form(request, v, ADMINS)
    if not isinstance(form, FormData):
        return form
    try:
        with inst(request).db.session() as s:
            hook = webhooks.get_webhook(s, v.principal, as_id(hook_id))
            name = hook.name or hook.url
            webhooks.delete_webhook(s, v.principal, hook.id)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    flash(request, "admin_webhook_deleted", name=name)
    return redirect(request, "/admin/webhooks")
