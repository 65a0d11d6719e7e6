"""Alembic environment: runs on the connection handed in by ``basira.core.db.migrate`` or on the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from basira.core.db import load_models
from basira.core.models import Base

load_models()
config = context.config
target_metadata = Base.metadata


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
