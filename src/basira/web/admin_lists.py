"""Administration of the finance front's sanctions lists (mounted through the front's manifest ``pages``): the lists
in force with their latest version, the import of a list file (UN, OFAC, EU XML or CSV; bzip2 or gzip), each list's
versions and each import's delta (the entries it added, changed and removed).

An import goes through :func:`basira.finance.lists.store.import_list`, as ``basira lists import`` does: streaming,
bounded XML that refuses DTDs (XML bombs, external entities), all or nothing, audited ``list.import``, then the stored
customers re-screened. A list is deleted as the bank it is (``/admin/banks``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from basira.core.errors import BasiraError, InvalidInput, NotFound, PermissionDenied
from basira.core.visibility import Access
from basira.finance.lists.history import changes_of, imports_of, latest_imports
from basira.finance.lists.store import SOURCES, ImportRequest, import_list
from basira.finance.monitoring import rescreen
from basira.web.admin_common import WRITERS, as_id, may, refused, spool_dir, status_of, upload
from basira.web.common import Viewer, ViewerDep, error, flash, inst, redirect, render

router = APIRouter(include_in_schema=False)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _latest(request: Request, v: Viewer) -> list[dict[str, Any]]:
    with inst(request).db.session() as s:
        return [{**r.as_dict(), "mine": r.access == Access.OWNER, "published_at": r.imp.published_at,
                 "created_at": r.imp.created_at} for r in latest_imports(s, v.principal)]


def _lists_page(request: Request, v: Viewer, *, status: int = 200, problem: dict[str, Any] | None = None,
                values: dict[str, str] | None = None) -> Response:
    return render(request, "admin_lists.html", {
        **v.context(), "lists": _latest(request, v), "sources": SOURCES, "may_write": may(v, WRITERS),
        "problem": problem, "values": values or {}, "nav": "admin"}, status=status)


@router.get("/admin/lists", response_class=HTMLResponse)
def lists_page(request: Request, v: ViewerDep) -> Response:
    return _lists_page(request, v)


@contextlib.contextmanager
def _named_copy(path: Path, filename: str, folder: Path) -> Iterator[Path]:
    """The uploaded file under its own (cleaned) name, which the import records; removed when the block ends."""
    name = _UNSAFE.sub("_", Path(filename).name)[:120].strip("._") or "list"
    with tempfile.TemporaryDirectory(prefix="upload-list-", dir=folder) as tmp:
        target = Path(tmp) / name
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
        yield target


def _import(request: Request, v: Viewer, path: Path, filename: str, fields: dict[str, str]) -> dict[str, Any]:
    source = fields["source"].strip().lower()
    if source not in SOURCES:
        raise InvalidInput(f"the list's format is one of {', '.join(SOURCES)}")
    i = inst(request)
    with _named_copy(path, filename, spool_dir(i.settings)) as named, i.db.session() as s:
        report = import_list(s, v.principal, i.registry, ImportRequest(
            source=source, path=named, bank=fields["bank"].strip()[:200] or None,
            version=fields["version"].strip()[:64] or None, tlp=fields["tlp"] or "CLEAR",
            allow_older=fields["allow_older"] == "on", monitor=fields["monitor"] == "on"), rescreen)
        return report.as_dict()


@router.post("/admin/lists/import", response_class=HTMLResponse)
async def import_list_file(request: Request, v: ViewerDep) -> Response:
    """A list file into its bank as a delta; the answer is the list's versions with the new one, or the page with
    the reason the file was refused (nothing written)."""
    if not may(v, WRITERS):
        return error(request, "forbidden", 403, v.context())
    names = ("source", "bank", "version", "tlp", "allow_older", "monitor")
    values: dict[str, str] = {}
    try:
        async with upload(request) as up:
            values = {k: up.text(k) for k in names}
            report = await run_in_threadpool(_import, request, v, up.path, up.filename, values)
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _lists_page(request, v, status=status_of(e), problem=refused(e), values=values)
    if report["skipped"]:
        flash(request, "admin_list_unchanged", name=report["bank"], version=report["version"])
    else:
        flash(request, "admin_list_imported", name=report["bank"], version=report["version"],
              added=report["added"], changed=report["changed"], removed=report["removed"])
    return redirect(request, f"/admin/lists/{report['bank_id']}")


@router.get("/admin/lists/{bank_id}", response_class=HTMLResponse)
def list_versions(request: Request, bank_id: str, v: ViewerDep) -> Response:
    """A list's versions: every import of it, newest first, with the counts of its delta."""
    with inst(request).db.session() as s:
        try:
            bank, access, rows = imports_of(s, v.principal, as_id(bank_id))
        except NotFound:
            return error(request, "not_found", 404, v.context())
        info = {"id": bank.id, "name": bank.name, "tlp": bank.tlp, "mine": access == Access.OWNER}
        versions = [{"id": i.id, "source": i.source, "title": i.title, "version": i.version,
                     "published_at": i.published_at, "created_at": i.created_at, "file_name": i.file_name,
                     "actor": i.actor, "entries": i.entries, "added": i.added, "changed": i.changed,
                     "removed": i.removed, "rescreened": i.rescreened, "new_hits": i.new_hits,
                     "warnings": int(i.details.get("warning_count", 0))} for i in rows]
    return render(request, "admin_list.html", {
        **v.context(), "bank": info, "versions": versions, "may_write": may(v, WRITERS) and info["mine"],
        "nav": "admin"})


@router.get("/admin/lists/imports/{import_id}", response_class=HTMLResponse)
def list_delta(request: Request, import_id: str, v: ViewerDep) -> Response:
    """One import's delta: the entries it added, changed and removed (the first thousand), and its warnings."""
    with inst(request).db.session() as s:
        try:
            imp, changes = changes_of(s, v.principal, as_id(import_id))
        except NotFound:
            return error(request, "not_found", 404, v.context())
        info = {"id": imp.id, "bank_id": imp.bank_id, "title": imp.title, "version": imp.version,
                "created_at": imp.created_at, "added": imp.added, "changed": imp.changed, "removed": imp.removed,
                "warnings": [str(w) for w in imp.details.get("warnings", [])][:200]}
        rows = [{"ref": c.ref, "change": c.change} for c in changes]
    return render(request, "admin_list_delta.html", {**v.context(), "imp": info, "changes": rows, "nav": "admin"})
