"""Administration of banks: list, create, change (marking, thresholds, flags), share and stop sharing, import signals
(CSV, JSON lines or a STIX bundle) and delete, through the services the command line and the API call (each writes
its audit row). Admins and analysts change banks; everyone signed in sees the list.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from basira.core import banks, bulk, groups, orgs
from basira.core.errors import BasiraError, ContentTooLarge, InvalidInput, NotFound, PermissionDenied
from basira.core.models import TLP
from basira.core.visibility import Access
from basira.sharing import export, ingest, taxii
from basira.web.admin_common import WRITERS, as_id, change_form, may, refused, status_of, upload
from basira.web.common import Viewer, ViewerDep, error, field, flash, inst, redirect, render

router = APIRouter(include_in_schema=False)

FORMATS = ("csv", "jsonl", "stix")
MAX_THRESHOLDS = 50


def parse_thresholds(text: str) -> dict[str, float]:
    """``pdq=31, md5=0`` (commas, semicolons or new lines between them) as {type: distance}."""
    out: dict[str, float] = {}
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",") if p.strip()]
    if len(parts) > MAX_THRESHOLDS:
        raise InvalidInput(f"at most {MAX_THRESHOLDS} thresholds")
    for part in parts:
        name, sep, value = part.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError(part)
            out[name.strip()] = float(value.strip())
        except ValueError:
            raise InvalidInput(f"a threshold is written TYPE=NUMBER (e.g. pdq=31), got {part[:60]!r}") from None
    return out


def _spec(form: FormData) -> banks.BankSpec:
    return banks.BankSpec(name=field(form, "name").strip(), description=field(form, "description"),
                          tlp=field(form, "tlp") or "AMBER", negative=field(form, "negative") == "on",
                          thresholds=parse_thresholds(field(form, "thresholds")),
                          enabled=(field(form, "enabled") == "on") if field(form, "edit") else None,
                          share_derived=field(form, "share_derived") == "on")


def _list_page(request: Request, v: Viewer, *, status: int = 200, problem: dict[str, Any] | None = None,
               values: dict[str, str] | None = None) -> Response:
    with inst(request).db.session() as s:
        slugs = {i: o.slug for i, o in orgs.orgs_by_id(s).items()}
        rows = [{"id": b.id, "name": b.name if a >= Access.SEE else None, "owner": slugs.get(b.org_id),
                 "tlp": b.tlp, "negative": b.negative, "enabled": b.enabled, "mine": a == Access.OWNER,
                 "signals": n} for b, a, n in banks.list_banks(s, v.principal)]
    return render(request, "admin_banks.html", {
        **v.context(), "banks": rows, "tlps": [t.value for t in TLP], "may_write": may(v, WRITERS),
        "problem": problem, "values": values or {}, "nav": "admin"}, status=status)


def _bank_page(request: Request, v: Viewer, bank_id: int, *, status: int = 200,
               problem: dict[str, Any] | None = None, done: dict[str, Any] | None = None) -> Response:
    with inst(request).db.session() as s:
        try:
            b = banks.get_bank(s, v.principal, bank_id, Access.OWNER)
        except NotFound:
            return error(request, "not_found", 404, v.context())
        bank = {"id": b.id, "name": b.name, "description": b.description, "tlp": b.tlp, "negative": b.negative,
                "enabled": b.enabled, "share_derived": b.share_derived,
                "thresholds": ", ".join(f"{k}={v:g}" for k, v in sorted(b.thresholds.items())),
                "counts": banks.signal_counts(s, b.id)}
        shares = [{"org": t.org_slug, "group": t.group_name} for t in banks.shares_of(s, b)]
        mine = [g.name for g in groups.list_groups(s, v.principal)]
    return render(request, "admin_bank.html", {
        **v.context(), "bank": bank, "shares": shares, "groups": mine, "tlps": [t.value for t in TLP],
        "formats": FORMATS, "may_write": may(v, WRITERS), "problem": problem, "done": done, "nav": "admin"},
        status=status)


@router.get("/admin/banks", response_class=HTMLResponse)
def banks_page(request: Request, v: ViewerDep) -> Response:
    return _list_page(request, v)


@router.post("/admin/banks", response_class=HTMLResponse)
async def create_bank(request: Request, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form

    def create() -> int:
        with inst(request).db.session() as s:
            return banks.create_bank(s, v.principal, inst(request).registry, _spec(form)).id

    values = {k: field(form, k) for k in ("name", "description", "tlp", "thresholds")}
    try:
        made = create()
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _list_page(request, v, status=status_of(e), problem=refused(e), values=values)
    flash(request, "admin_bank_created", name=field(form, "name").strip())
    return redirect(request, f"/admin/banks/{made}")


@router.get("/admin/banks/{bank_id}", response_class=HTMLResponse)
def bank_page(request: Request, bank_id: str, v: ViewerDep) -> Response:
    return _bank_page(request, v, as_id(bank_id))


async def _bank_change(request: Request, v: Viewer, bank_id: str, what: str) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    bid = as_id(bank_id)

    def change() -> str:
        with inst(request).db.session() as s:
            if what == "update":
                return banks.update_bank(s, v.principal, inst(request).registry, bid, _spec(form)).name
            if what == "delete":
                name = banks.get_bank(s, v.principal, bid, Access.OWNER).name
                banks.delete_bank(s, v.principal, bid)
                return name
            org, group = field(form, "org").strip() or None, field(form, "group").strip() or None
            return banks.share_bank(s, v.principal, bid, org=org, group=group, unshare=what == "unshare").name

    try:
        _check_bank(request, v, bid)
        name = change()
    except NotFound as e:
        if not e.detail.startswith("no bank"):
            return _bank_page(request, v, bid, status=404, problem=refused(e))
        return error(request, "not_found", 404, v.context())
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _bank_page(request, v, bid, status=status_of(e), problem=refused(e))
    flash(request, f"admin_bank_{what}d" if what != "share" else "admin_bank_shared", name=name)
    return redirect(request, "/admin/banks" if what == "delete" else f"/admin/banks/{bid}")


@router.post("/admin/banks/{bank_id}", response_class=HTMLResponse)
async def update_bank(request: Request, bank_id: str, v: ViewerDep) -> Response:
    return await _bank_change(request, v, bank_id, "update")


@router.post("/admin/banks/{bank_id}/delete", response_class=HTMLResponse)
async def delete_bank(request: Request, bank_id: str, v: ViewerDep) -> Response:
    return await _bank_change(request, v, bank_id, "delete")


@router.post("/admin/banks/{bank_id}/share", response_class=HTMLResponse)
async def share_bank(request: Request, bank_id: str, v: ViewerDep) -> Response:
    return await _bank_change(request, v, bank_id, "share")


@router.post("/admin/banks/{bank_id}/unshare", response_class=HTMLResponse)
async def unshare_bank(request: Request, bank_id: str, v: ViewerDep) -> Response:
    return await _bank_change(request, v, bank_id, "unshare")


# -- imports ------------------------------------------------------------------------------------------------------

def _check_bank(request: Request, v: Viewer, bank_id: int) -> None:
    """Refuse before the body is read: a bank the viewer cannot change (NotFound or PermissionDenied)."""
    v.principal.require_bank_write()
    with inst(request).db.session() as s:
        banks.get_bank(s, v.principal, bank_id, Access.OWNER)


def _import_rows(request: Request, v: Viewer, bank_id: int, path: Path, fmt: str,
                 source: str) -> dict[str, Any]:
    """CSV or JSON lines through the bulk import (all or nothing; audited ``bank.import``)."""
    i = inst(request)
    try:
        with i.db.session() as s, path.open(encoding="utf-8-sig", newline="") as stream:
            result = bulk.import_signals(s, v.principal, i.registry, i.settings, bank_id, stream, fmt,
                                         f"web:{source}"[:200])
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text; nothing was imported") from None
    except csv.Error as e:
        raise InvalidInput(f"the CSV cannot be read ({e}); nothing was imported") from None
    return {"kind": "rows", "rows": result["rows"], "signals": result["signals"]}


def _import_stix(request: Request, v: Viewer, bank_id: int, path: Path, size: int) -> dict[str, Any]:
    """A STIX bundle through the TAXII server's intake (each object taken or refused with its reason; audited
    ``sharing.receive``)."""
    i = inst(request)
    limit = i.settings.sharing_max_bundle_bytes
    if size > limit:
        raise ContentTooLarge(f"a STIX bundle is at most {limit:,} bytes")
    raw = path.read_bytes()
    ingest.parse_json(raw, limit, "the STIX bundle")  # not JSON: refused before the bank is touched
    with i.db.session() as s:
        cid = taxii.collection_id(export.instance_namespace(i.secret_key), bank_id)
        st = taxii.add_objects(s, i, v.principal, cid, raw)
        failures = [f"{f.get('id') or '?'}: {f.get('message', '')}" for f in st.details.get("failures", [])]
        return {"kind": "stix", "taken": st.success_count, "refused": st.failure_count, "failures": failures[:100]}


@router.post("/admin/banks/{bank_id}/import", response_class=HTMLResponse)
async def import_into_bank(request: Request, bank_id: str, v: ViewerDep) -> Response:
    """A file of signals into a bank of the viewer's organization; a refused file comes back with the reason."""
    bid = as_id(bank_id)
    try:
        await run_in_threadpool(_check_bank, request, v, bid)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    try:
        async with upload(request) as up:
            fmt = up.text("format").strip().lower()
            if fmt not in FORMATS:
                raise InvalidInput(f"the format is one of {', '.join(FORMATS)}")
            if fmt == "stix":
                done = await run_in_threadpool(_import_stix, request, v, bid, up.path, up.size)
            else:
                done = await run_in_threadpool(_import_rows, request, v, bid, up.path, fmt,
                                               up.filename or "upload")
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _bank_page(request, v, bid, status=status_of(e), problem=refused(e))
    return _bank_page(request, v, bid, done=done)
