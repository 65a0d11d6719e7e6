"""The SQLite checkpointer: connections stop checkpointing inside commits while it runs, and the log still shrinks."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from basira.core.db import make_engine, start_checkpointer


def _autocheckpoint(engine: object) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_checkpoints_move_to_the_thread_and_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x BLOB)"))
    assert _autocheckpoint(engine) == 1000
    cp = start_checkpointer(engine, 0.05)
    assert cp is not None
    try:
        time.sleep(0.1)
        assert _autocheckpoint(engine) == 0
        with engine.begin() as conn:
            for _ in range(200):
                conn.execute(text("INSERT INTO t VALUES (randomblob(8000))"))
        wal = tmp_path / "c.db-wal"
        assert wal.stat().st_size > 1_000_000
        db = tmp_path / "c.db"
        assert db.stat().st_size < 200_000  # the rows are in the log only: no commit checkpointed them
        deadline = time.monotonic() + 5
        while db.stat().st_size < 1_500_000:  # the thread copies the log's pages into the database file
            assert time.monotonic() < deadline, "the checkpointer never copied the log"
            time.sleep(0.05)
    finally:
        cp.stop()
    assert not cp.is_alive()
    assert _autocheckpoint(engine) == 1000
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 200
    engine.dispose()


def test_no_checkpointer_for_other_databases_or_when_off(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    assert start_checkpointer(engine, 0) is None
    assert start_checkpointer(make_engine("sqlite://"), 1.0) is None
    engine.dispose()
