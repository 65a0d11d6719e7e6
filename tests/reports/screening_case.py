"""A screening case decided by a reviewer, through the real list import, screening, review consumer and decision."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.finance.lists.store import ImportRequest, import_list
from basira.finance.screening import ScreenQuery, screen
from basira.review.consumer import consume
from basira.review.decisions import DecisionRequest, decide
from basira.review.models import Case

LIST = ("ref,kind,name,aliases,birth_dates,wallets\n"
        "N-1,person,Zubayr Qasim Example,Zubair Kassem Example,1961,XBT:12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\n"
        "N-2,organization,Example Relief Foundation,,,\n")


def decided_screening_case(instance: Instance, admin: Principal, reviewer: Principal, tmp_path: Path,
                           query: ScreenQuery, reason: str | None = "true_match") -> int:
    """The id of the ``screening_hit`` case ``query`` opens, decided with ``reason`` (None: left open)."""
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    with instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("csv", path, bank="National list", version="v1"))
    with instance.db.session() as s:
        screen(s, admin, [query])
    consume(instance.db.session)
    with instance.db.session() as s:
        case_id = s.scalars(select(Case.id).where(Case.group_key == f"customer:{query.ref}")).one()
        if reason is not None:
            decide(s, reviewer, case_id, DecisionRequest(reason, rationale="Same person: birth year and alias."))
    return case_id
