"""Bulk import and export of a bank's signals as CSV or JSON lines (the format is described in core/bulk.py).

An import is all or nothing: every row is checked first, and one bad row leaves the database untouched and
comes back in the problem's ``bad_rows``. An export is audited.
"""

from __future__ import annotations

import csv
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from basira.api import uploads
from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import BankRef, BulkFormat, errors
from basira.core import bulk
from basira.core.banks import get_bank
from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.core.signals import Content
from basira.core.visibility import Access

router = APIRouter(prefix="/v1", tags=["bulk"], responses=errors(401))

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}

_IMPORT_BODY: dict[str, Any] = {
    "required": True,
    "description": "The rows: the request body itself (e.g. `curl --data-binary @rows.csv`), or the multipart "
                   "field `file`. UTF-8 text; at most the instance's upload limit.",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/x-ndjson": {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"}}}},
    },
}


class ImportResult(BaseModel):
    """What an import wrote."""

    bank: str = Field(description="The bank's name.")
    rows: int = Field(description="Rows read and written.")
    signals: int = Field(description="Distinct signals added or updated.")


def _import(inst: Instance, principal: Principal, bank: str, content: Content, fmt: str,
            source: str) -> dict[str, Any]:
    def attempt() -> dict[str, Any]:
        with inst.db.session() as s, content.path.open(encoding="utf-8-sig", newline="") as stream:
            return bulk.import_signals(s, principal, inst.registry, inst.settings, bank, stream, fmt, source)

    try:
        return inst.db.retry_locked(attempt)  # all or nothing: a locked SQLite is tried again from the start
    except UnicodeDecodeError:
        raise InvalidInput("the import is not UTF-8 text; nothing was imported") from None
    except csv.Error as e:
        raise InvalidInput(f"the CSV cannot be read ({e}); nothing was imported") from None


def _check_bank(inst: Instance, principal: Principal, bank: str) -> None:
    with inst.db.session() as s:
        principal.require_bank_write()
        get_bank(s, principal, bank, Access.OWNER)


@router.post("/banks/{bank}/import", response_model=ImportResult, openapi_extra={"requestBody": _IMPORT_BODY},
             responses=errors(400, 403, 404, 413, 422))
async def import_signals(bank: BankRef, fmt: BulkFormat, request: Request, inst: InstanceDep,
                         principal: PrincipalDep) -> ImportResult:
    """Import signals into a bank of the caller's organization from CSV or JSON lines. All or nothing: when
    any row is bad, nothing is written and the 422 problem lists the bad rows (`bad_rows`: line and reason,
    the first 100). A row whose value is already in its entry updates that signal instead of doubling it."""
    # Refuse before receiving a large body for a bank the caller cannot change.
    await run_in_threadpool(_check_bank, inst, principal, bank)
    async with uploads.receive(request, inst.settings) as up:
        result = await run_in_threadpool(_import, inst, principal, bank, up.content, fmt,
                                         up.filename or "api")
    return ImportResult(**result)


@router.get("/banks/{bank}/export", response_class=StreamingResponse,
            responses={200: {"description": "The signals, streamed.",
                             "content": {"text/csv": {"schema": {"type": "string"}},
                                         "application/x-ndjson": {"schema": {"type": "string"}}}},
                       **errors(404, 422)})
def export_signals(bank: BankRef, fmt: BulkFormat, inst: InstanceDep, principal: PrincipalDep) -> StreamingResponse:
    """Export the enabled signals of a bank the caller may see, as CSV or JSON lines (the import's format).
    Each export is recorded in the audit log. RED banks of others are never exported."""
    with inst.db.session() as s:
        chunks = bulk.export_signals(s, principal, bank, fmt)
    filename = f"bank-{bank if bank.isdigit() else 'export'}.{fmt}"
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[fmt],
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})
