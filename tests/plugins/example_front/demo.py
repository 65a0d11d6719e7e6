"""The example front's demo data: a reported channel in the demo organization, added once."""

from __future__ import annotations

from sqlalchemy import select

from basira.core import outbox
from basira.core.demo import DemoContext, DemoPart
from basira.core.models import Event


def load_demo(ctx: DemoContext) -> list[DemoPart]:
    with ctx.inst.db.session() as s:
        done = s.scalar(select(Event.id).where(Event.org_id == ctx.admin.org_id,
                                               Event.kind == "example.reported").limit(1))
        if done is None:
            outbox.emit(s, "example.reported", {"channel": "demo", "report_id": "d1", "tag": "demo"},
                        org_id=ctx.admin.org_id)
    return [DemoPart("example", added={"reports": 0 if done else 1})]
