"""The example front's routes: report a tag on a channel (an ``example.reported`` event), read the greeting."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from tests.plugins.example_front.front import ExampleSettings

from basira.api.deps import InstanceDep, PrincipalDep
from basira.core import outbox

router = APIRouter(prefix="/v1/example", tags=["example"])


class ReportIn(BaseModel):
    channel: str
    report_id: str
    tag: str
    flagged: bool = False


@router.post("/reports", status_code=201)
def report(body: ReportIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Validate the tag with the instance's signal types and record the report for review."""
    tag = inst.registry.validate("example_tag", body.tag)
    with inst.db.session() as s:
        ev = outbox.emit(s, "example.reported", {**body.model_dump(), "tag": tag}, org_id=principal.org_id)
        return {"event_id": ev.id, "tag": tag}


@router.get("/greeting")
def greeting(inst: InstanceDep) -> dict[str, str]:
    return {"greeting": inst.settings.of(ExampleSettings).example_greeting}
