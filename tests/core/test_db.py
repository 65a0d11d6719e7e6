"""The migrations create exactly the tables the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from basira.core.db import load_models
from basira.core.instance import Instance
from basira.core.models import Base


def test_migrations_match_the_models(instance: Instance) -> None:
    load_models()
    with instance.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "write a new migration: alembic revision --autogenerate"
