"""What the administration pages share: the /admin index, the checked form of a change, the file upload of an
import (CSRF checked, size capped, streamed to a temporary file), ids from the URL, and the page that says why a
change was refused.

Every change goes through the same service function as the command line and the API, which checks the role again
and writes the audit row; a page never writes to the database itself.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from basira.core.errors import BasiraError, ContentTooLarge, EmptyContent, InvalidInput
from basira.core.models import Role
from basira.core.settings import Settings
from basira.web import auth
from basira.web.common import Viewer, ViewerDep, checked_form, error, inst, render

router = APIRouter(include_in_schema=False)

#: Who may change what (the services check again): banks, lists, groups, zones and sensors take writers of banks;
#: keys, webhooks and users take admins.
WRITERS = frozenset({Role.ADMIN, Role.ANALYST})
ADMINS = frozenset({Role.ADMIN})
#: The largest id a URL may name (a BIGINT).
MAX_ID = 2**62


class UploadRefused(BasiraError):
    """The upload's form did not carry the session's CSRF token."""

    status = 403
    exit_code = 77
    title = "Forbidden"


def may(v: Viewer, roles: frozenset[Role]) -> bool:
    return v.principal.role in roles


def as_id(raw: str) -> int:
    """A numeric id from the URL, or 0 (which names nothing) when it is not one."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 and int(raw) <= MAX_ID else 0


async def change_form(request: Request, v: Viewer, roles: frozenset[Role], max_fields: int = 40
                      ) -> FormData | Response:
    """The posted form of a change, or the page that says why not (too large, CSRF, a role that may not)."""
    form = await checked_form(request, max_fields)
    if isinstance(form, HTMLResponse):
        return form
    if not may(v, roles):
        return error(request, "forbidden", 403, v.context())
    return form


#: Limits on the text fields that travel beside an uploaded file.
MAX_UPLOAD_FIELDS = 20
MAX_UPLOAD_FIELD_BYTES = 8 * 1024


@dataclass(frozen=True)
class Upload:
    """A posted file in a temporary file of its own, with the text fields that came beside it."""

    path: Path
    size: int
    filename: str
    fields: dict[str, str]

    def text(self, name: str) -> str:
        return self.fields.get(name, "")


def spool_dir(settings: Settings) -> Path:
    """Where uploads are spooled: the instance's data folder, which is on disk (``/tmp`` is often in RAM)."""
    path = settings.data_dir / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.asynccontextmanager
async def upload(request: Request) -> AsyncIterator[Upload]:
    """The posted file (multipart field ``file``) in a temporary file, deleted when the block ends.

    The body is capped before it is read by the app's body limit (the upload routes are in
    ``basira.api.limits.LARGE_BODY_PAGES``); the file is refused over the instance's upload limit (413) and when
    empty (400), and the whole upload (403) when the form's ``csrf`` field is not the session's token.
    """
    settings = inst(request).settings
    try:
        form = await request.form(max_files=1, max_fields=MAX_UPLOAD_FIELDS, max_part_size=MAX_UPLOAD_FIELD_BYTES)
    except (HTTPException, MultiPartException) as e:
        raise InvalidInput(f"the form cannot be read ({getattr(e, 'detail', None) or e})") from None
    try:
        if not auth.csrf_ok(request.session, form.get("csrf")):
            raise UploadRefused("the form has expired: reload the page and try again")
        sent = form.get("file")
        if not isinstance(sent, UploadFile):
            raise InvalidInput("send the content as a file in the form's field 'file'")
        fd, name = tempfile.mkstemp(prefix="upload-", dir=spool_dir(settings))
        path = Path(name)
        try:
            size = 0
            with os.fdopen(fd, "wb") as out:
                while chunk := await sent.read(1 << 20):
                    size += len(chunk)
                    if size > settings.max_upload_bytes:
                        raise ContentTooLarge(f"the upload is over the limit of {settings.max_upload_bytes} bytes")
                    out.write(chunk)
            if size == 0:
                raise EmptyContent("the upload is empty")
            fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            yield Upload(path, size, (sent.filename or "")[:300], fields)
        finally:
            path.unlink(missing_ok=True)
    finally:
        await form.close()


def refused(e: BasiraError) -> dict[str, Any]:
    """What a page shows of a refused change: the service's reason and, for an import, its bad rows."""
    rows = e.extra.get("bad_rows")
    return {"detail": e.detail, "bad_rows": rows[:100] if isinstance(rows, list) else []}


def status_of(e: BasiraError) -> int:
    """The page's status for a refused change: the error's own 4xx (a 5xx becomes 422: the input was refused)."""
    return e.status if 400 <= e.status < 500 else 422


def bad_number(raw: str, what: str) -> InvalidInput:
    return InvalidInput(f"{what} is not a number: {raw[:40]!r}")


def number(raw: str, what: str, *, optional: bool = False) -> float | None:
    """A decimal number typed in a form (comma or point); None for an empty optional field."""
    text = raw.strip().replace(",", ".")
    if not text:
        if optional:
            return None
        raise InvalidInput(f"{what} is required")
    try:
        value = float(text)
    except ValueError:
        raise bad_number(raw, what) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise bad_number(raw, what)
    return value


@router.get("/admin", response_class=HTMLResponse)
def admin_index(request: Request, v: ViewerDep) -> Response:
    """The administration pages this viewer may open, those of the fronts this instance runs included."""
    fronts = set(inst(request).fronts.names())
    role = v.principal.role
    sections = [name for name, shown in (
        ("banks", True), ("lists", "finance" in fronts), ("groups", True),
        ("zones", "drones" in fronts), ("sensors", "drones" in fronts),
        ("keys", role in (Role.ADMIN, Role.AUDITOR)), ("webhooks", role in (Role.ADMIN, Role.AUDITOR,
                                                                           Role.REVIEWER)),
        ("users", role in (Role.ADMIN, Role.AUDITOR)),
    ) if shown]
    return render(request, "admin.html", {**v.context(), "sections": sections, "nav": "admin"})
