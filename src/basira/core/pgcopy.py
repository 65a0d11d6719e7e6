"""Rows written by PostgreSQL's ``COPY ... FROM STDIN`` inside a session's transaction, for the bulk writers (a
batch of signals, their audit entries): one stream instead of one statement per row, and none of psycopg's parsing
of placeholders. Other databases, and batches too small to be worth it, take ``executemany`` (:func:`insert_rows`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

#: From this many rows, a batch on PostgreSQL goes by ``COPY`` (below it, the statements cost less than the set-up).
MIN_ROWS = 200


def worth_copying(session: Session, rows: int) -> bool:
    """Whether ``rows`` rows should go by ``COPY``: PostgreSQL and at least :data:`MIN_ROWS`."""
    return rows >= MIN_ROWS and session.get_bind().dialect.name == "postgresql"


@contextmanager
def cursor(session: Session) -> Iterator[Any]:
    """A psycopg cursor on the session's connection, in its transaction, after a flush of what is pending (rows
    written by the cursor may refer to them). Writes to a table a read cache looks at are the caller's to mark
    (:mod:`basira.core.readcache`)."""
    session.flush()
    driver: Any = session.connection().connection.driver_connection
    cur = driver.cursor()
    try:
        yield cur
    finally:
        cur.close()


def copy_rows(cur: Any, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """``rows`` into ``table`` (a name and columns from code, never input) by ``COPY ... FROM STDIN``; a JSON
    column takes its value as JSON text."""
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]],
                copied: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None) -> None:
    """``rows`` (values in the order of ``columns``) into ``table``: by ``COPY`` when :func:`worth_copying` (each
    row through ``copied`` first, for the values ``COPY`` takes as text: JSON, timestamps), else one prepared
    statement run per row (Core ``executemany``, no ORM work per row). What the session holds unwritten is written
    first (the rows may refer to it)."""
    if not rows:
        return
    if worth_copying(session, len(rows)):
        with cursor(session) as cur:
            copy_rows(cur, table.name, columns, rows if copied is None else map(copied, rows))
        return
    session.flush()
    session.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in rows])


def timestamp(value: dt.datetime) -> str:
    """An aware datetime as the text ``COPY`` reads for a ``timestamptz`` column: a batch's rows share one, and
    psycopg's datetime dumper, called for every row and column, cost more than the rest of a row."""
    if value.tzinfo is None:
        raise ValueError("a naive datetime has no place in a timestamptz column")
    return value.isoformat()


class JsonTexts:
    """The JSON text of the lists and dicts of one bulk write, each distinct flat one encoded once (a batch repeats
    a few: ``[]``, ``{}``, its labels, its audit details)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, ...], str] = {}

    def __call__(self, value: list[Any] | dict[str, Any]) -> str:
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        # The items' types in the key: 1, 1.0 and True are equal (and hash alike) but are not the same JSON.
        if isinstance(value, dict):
            key: tuple[Any, ...] = (dict, tuple(value.items()), tuple(map(type, value.values())))
        else:
            key = (list, tuple(value), tuple(map(type, value)))
        try:
            text = self._seen.get(key)
        except TypeError:  # a list or a dict inside: not hashable, encoded alone
            return json.dumps(value)
        if text is None:
            text = self._seen[key] = json.dumps(value)
        return text
