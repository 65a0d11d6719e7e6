"""Administration of sharing groups (named sets of organizations a bank can be shared with): list, create, rename
and set members, delete one no bank is shared with, through :mod:`basira.core.groups` (each change audited).
Admins and analysts change them, as they change banks.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from basira.core import groups, orgs
from basira.core.errors import BasiraError, InvalidInput, NotFound, PermissionDenied
from basira.web.admin_common import WRITERS, as_id, change_form, may, refused, status_of
from basira.web.common import Viewer, ViewerDep, error, field, flash, inst, redirect, render

router = APIRouter(include_in_schema=False)

MAX_MEMBERS = 500


def parse_members(text: str) -> list[str]:
    """Organization slugs typed in a form, separated by commas, spaces or new lines."""
    slugs = [x for x in re.split(r"[\s,;]+", text.strip()) if x]
    if len(slugs) > MAX_MEMBERS:
        raise InvalidInput(f"a sharing group has at most {MAX_MEMBERS} members")
    return slugs


def _others(request: Request, v: Viewer) -> list[str]:
    """The slugs of the other organizations of the instance (what a member may be), for the operator's users only:
    as ``GET /v1/orgs``, the list of tenants is the operator's to see; others type the slugs partners gave them."""
    if not v.principal.operator:
        return []
    with inst(request).db.session() as s:
        return [o.slug for o in orgs.list_orgs(s) if o.id != v.principal.org_id and not o.exercise]


def _groups_page(request: Request, v: Viewer, *, status: int = 200, problem: dict[str, Any] | None = None,
                 values: dict[str, str] | None = None) -> Response:
    with inst(request).db.session() as s:
        rows = [{"id": g.id, "name": g.name, "members": groups.member_slugs(s, g)}
                for g in groups.list_groups(s, v.principal)]
    return render(request, "admin_groups.html", {
        **v.context(), "groups": rows, "orgs": _others(request, v), "may_write": may(v, WRITERS),
        "problem": problem, "values": values or {}, "nav": "admin"}, status=status)


def _group_page(request: Request, v: Viewer, group_id: int, *, status: int = 200,
                problem: dict[str, Any] | None = None) -> Response:
    with inst(request).db.session() as s:
        try:
            g = groups.get_group(s, v.principal, group_id)
        except NotFound:
            return error(request, "not_found", 404, v.context())
        group = {"id": g.id, "name": g.name, "members": groups.member_slugs(s, g)}
    return render(request, "admin_group.html", {
        **v.context(), "group": group, "orgs": _others(request, v), "may_write": may(v, WRITERS),
        "problem": problem, "nav": "admin"}, status=status)


@router.get("/admin/groups", response_class=HTMLResponse)
def groups_page(request: Request, v: ViewerDep) -> Response:
    return _groups_page(request, v)


@router.post("/admin/groups", response_class=HTMLResponse)
async def create_group(request: Request, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    name = field(form, "name").strip()
    try:
        with inst(request).db.session() as s:
            gid = groups.create_group(s, v.principal, name, parse_members(field(form, "members"))).id
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _groups_page(request, v, status=status_of(e), problem=refused(e),
                            values={"name": name, "members": field(form, "members")})
    flash(request, "admin_group_created", name=name)
    return redirect(request, f"/admin/groups/{gid}")


@router.get("/admin/groups/{group_id}", response_class=HTMLResponse)
def group_page(request: Request, group_id: str, v: ViewerDep) -> Response:
    return _group_page(request, v, as_id(group_id))


@router.post("/admin/groups/{group_id}", response_class=HTMLResponse)
async def update_group(request: Request, group_id: str, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    gid = as_id(group_id)
    try:
        with inst(request).db.session() as s:
            groups.get_group(s, v.principal, gid)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    try:
        with inst(request).db.session() as s:
            name = groups.update_group(s, v.principal, gid, field(form, "name").strip(),
                                       parse_members(field(form, "members"))).name
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _group_page(request, v, gid, status=status_of(e), problem=refused(e))
    flash(request, "admin_group_updated", name=name)
    return redirect(request, f"/admin/groups/{gid}")


@router.post("/admin/groups/{group_id}/delete", response_class=HTMLResponse)
async def delete_group(request: Request, group_id: str, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    gid = as_id(group_id)
    try:
        with inst(request).db.session() as s:
            groups.get_group(s, v.principal, gid)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    try:
        with inst(request).db.session() as s:
            name = groups.delete_group(s, v.principal, gid)
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _group_page(request, v, gid, status=status_of(e), problem=refused(e))
    flash(request, "admin_group_deleted", name=name)
    return redirect(request, "/admin/groups")
