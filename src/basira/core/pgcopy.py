"""Rows written by PostgreSQL's ``COPY ... FROM STDIN`` inside a session's transaction, for the bulk writers (a
batch of signals, their audit entries): one stream instead of one statement per row, and none of psycopg's parsing
of placeholders. Other databases take the callers' ``executemany`` path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

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
