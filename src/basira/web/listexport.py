"""Any list of the web pages as a CSV or JSON download, with the page's filters applied.

The CSV opens in a spreadsheet as it should: UTF-8 with a byte order mark (so that Excel reads Arabic), and no cell
a spreadsheet would take for a formula (a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``). Both formats are streamed a chunk at a time from a session of their own, so a long
list never sits in memory whole; every export is written to the organization's audit log before the first byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from basira.core.models import utcnow
from basira.core.search import record_export
from basira.web.common import Viewer, inst

FORMATS = ("csv", "json")
BOM = "\ufeff"
#: What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 1 << 16

#: The rows of an export, read from the session it is given (one opened for the download).
Rows = Callable[[Session], Iterable[dict[str, Any]]]


def csv_cell(value: Any) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        text = "; ".join(csv_cell(v).removeprefix("'") for v in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def csv_chunks(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buf = io.StringIO()
    buf.write(BOM)
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([csv_cell(row.get(c)) for c in columns])
        if buf.tell() > _CHUNK:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def json_chunks(what: str, filters: dict[str, str], columns: Sequence[str],
                rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    head = {"list": what, "exported_at": utcnow().isoformat(), "filters": {k: v for k, v in filters.items() if v}}
    parts = [json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [']
    size, sep = 0, "\n"
    for row in rows:
        text = sep + json.dumps({c: json_value(row.get(c)) for c in columns}, ensure_ascii=False)
        parts.append(text)
        size, sep = size + len(text), ",\n"
        if size > _CHUNK:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("\n]}\n")
    yield "".join(parts)


def export(request: Request, v: Viewer, what: str, fmt: str, filters: dict[str, str], columns: Sequence[str],
           rows: Rows) -> StreamingResponse:
    """The download of list ``what`` in ``fmt`` (``csv`` or ``json``; the caller checked it), audited first."""
    instance = inst(request)
    with instance.db.session() as s:
        record_export(s, v.principal, what, fmt, filters)

    def stream() -> Iterator[bytes]:
        with instance.db.session() as s:
            found = rows(s)
            chunks = csv_chunks(columns, found) if fmt == "csv" else json_chunks(what, filters, columns, found)
            for chunk in chunks:
                yield chunk.encode()

    name = f"basira-{what}-{utcnow():%Y%m%d-%H%M%S}.{fmt}"
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return StreamingResponse(stream(), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})
