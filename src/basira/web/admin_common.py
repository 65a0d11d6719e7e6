"""What the administration pages share: the /admin index, the checked form of a change, the file upload of an
import (CSRF checked, size capped, streamed to a temporary file), ids from the URL, and the page that says why a
change was refused.

Every change goes through the same service function as the command line and the API, which checks the role again
and writes the audit row; a page never writes to the database itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from basira.api import uploads
from basira.core.errors import BasiraError, InvalidInput
from basira.core.models import Role
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


@contextlib.asynccontextmanager
async def upload(request: Request) -> AsyncIterator[uploads.Upload]:
    """The posted file (multipart field ``file``) in a temporary file, deleted when the block ends.

    Capped at the instance's upload limit as it arrives (413), refused when empty (400), and refused (403) when
    the form's ``csrf`` field is not the session's token: the token is checked before the block runs.
    """
    async with uploads.receive(request, inst(request).settings) as up:
        if not auth.csrf_ok(request.session, up.text("csrf")):
            raise UploadRefused("the form has expired: reload the page and try again")
        yield up


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
