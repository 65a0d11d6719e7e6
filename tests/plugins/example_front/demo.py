"""The example front's demo data: one organization with a reported channel, loaded into any instance."""

from __future__ import annotations

from basira.core import orgs, outbox
from basira.core.instance import Instance


def load_demo(inst: Instance) -> None:
    with inst.db.session() as s:
        org = orgs.create_org(s, "demo", "example-demo", "Example demo")
        outbox.emit(s, "example.reported", {"channel": "demo", "report_id": "d1", "tag": "demo"}, org_id=org.id)
