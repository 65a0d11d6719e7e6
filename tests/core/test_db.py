"""The migrations create exactly the tables the models describe, on both backends."""

from __future__ import annotations

import hashlib

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from basira.core import outbox
from basira.core.db import alembic_config, ids_in, load_models, make_engine, migrate
from basira.core.instance import Instance
from basira.core.models import Base, Event, Signal, value_digest


def test_migrations_match_the_models(instance: Instance) -> None:
    load_models()
    with instance.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "write a new migration: alembic revision --autogenerate"


def test_signal_digests_are_filled_for_rows_stored_before_the_digest_column(fresh_database_url: str) -> None:
    """Migration 0023 gives existing signals their value digest and moves uniqueness onto it; a vPDQ value far over
    PostgreSQL's 2,704-byte index row limit is then stored."""
    engine = make_engine(fresh_database_url)
    cfg = alembic_config(fresh_database_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")  # the signals table as it was before 0023
        conn.execute(text("INSERT INTO organizations (id, slug, name, operator, created_at) "
                          "VALUES (900, 'm', 'M', false, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO banks (id, org_id, name, tlp, description, negative, thresholds, created_at, "
                          "updated_at, enabled) VALUES (900, 900, 'b', 'GREEN', '', false, '{}', CURRENT_TIMESTAMP, "
                          "CURRENT_TIMESTAMP, true)"))
        conn.execute(text("INSERT INTO entries (id, bank_id, ref, content_type, attributes, created_at, updated_at) "
                          "VALUES (900, 900, 'e', 'photo', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO signals (id, entry_id, bank_id, signal_type, value, labels, provenance, "
                          "enabled, created_at, updated_at) VALUES (900, 900, 900, 'sha256', :v, '[]', '', true, "
                          "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"v": "ab" * 32})
    migrate(engine)
    long_value = "x" * 100_000
    with engine.begin() as conn:
        digest = conn.execute(text("SELECT value_digest FROM signals WHERE id = 900")).scalar_one()
        assert digest == value_digest("ab" * 32)
        conn.execute(insert(Signal).values(entry_id=900, bank_id=900, signal_type="vpdq", value=long_value))
        stored = conn.execute(select(Signal.value_digest).where(Signal.signal_type == "vpdq")).scalar_one()
        assert stored == hashlib.sha256(long_value.encode()).hexdigest()
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(Signal).values(entry_id=900, bank_id=900, signal_type="vpdq", value=long_value))
    engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(wanted=st.lists(st.integers(min_value=-3, max_value=2**40), max_size=30))
def test_ids_in_selects_what_in_selects(instance: Instance, wanted: list[int]) -> None:
    """``ids_in`` (one array parameter on PostgreSQL) finds the rows SQLAlchemy's IN finds, for any ids: none,
    repeated, unknown, negative or beyond 32 bits."""
    with instance.db.session() as s:
        if not s.scalar(select(Event.id).where(Event.kind == "x.ids").limit(1)):
            outbox.emit_many(s, [("x.ids", {}, None)] * 5, ids=False)
        known = list(s.scalars(select(Event.id).where(Event.kind == "x.ids")))
        ids = wanted + known[: len(wanted) % 6]
        got = set(s.scalars(select(Event.id).where(ids_in(s, Event.id, ids))))
        expected = set(s.scalars(select(Event.id).where(Event.id.in_(ids)))) if ids else set()
    assert got == expected and got <= set(known)
