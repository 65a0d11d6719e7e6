"""Health: is the instance up and can it reach its database."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from basira import __version__
from basira.api.deps import InstanceDep

router = APIRouter(tags=["health"])


@router.get("/v1/health")
def health(inst: InstanceDep) -> dict[str, Any]:
    """Up and able to query the database."""
    with inst.db.session() as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": inst.db.engine.dialect.name,
            "signal_types": inst.registry.names()}
