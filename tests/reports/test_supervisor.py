"""The supervisor's report: list updates and the re-screening they set off, screening activity and cases, checked
against the records (both backends); as JSON through the API and CSV from the command line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from basira.core.instance import Instance
from basira.core.models import Match, utcnow
from basira.core.principal import Principal
from basira.finance.lists.store import ImportRequest, import_list
from basira.finance.models import ListChange, ListImport
from basira.finance.monitoring import rescreen
from basira.finance.screening import ScreenQuery
from basira.reports import supervisor

from .screening_case import LIST, decided_screening_case


def test_list_updates_rescreening_and_cases_match_the_records(
        instance: Instance, admin: Principal, reviewer: Principal, tmp_path: Path) -> None:
    decided_screening_case(instance, admin, reviewer, tmp_path,
                           ScreenQuery(ref="C-1", kind="person", names=["Zubayr Qasim Example"]))
    # A later version: one name changed, one entry added; monitoring re-screens the kept customer.
    v2 = tmp_path / "v2.csv"
    v2.write_text(LIST.replace("Example Relief Foundation", "Example Relief Foundation International")
                  + "N-3,person,New Listed Person,,,\n", encoding="utf-8")
    with instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("csv", v2, bank="National list", version="v2"),
                    rescreen)
    year = utcnow().year
    with instance.db.session() as s:
        report = supervisor.supervisor_report(s, admin, year)
        imports = list(s.scalars(select(ListImport).order_by(ListImport.id)))
        changes = {imp.id: [c.change for c in s.scalars(select(ListChange).where(ListChange.import_id == imp.id))]
                   for imp in imports}
        matches = s.scalar(select(func.count(Match.id)))
    updates = report["list_updates"]
    assert [u["version"] for u in updates] == ["v1", "v2"]
    for u, imp in zip(updates, imports, strict=True):
        assert (u["added"], u["changed"], u["removed"]) == (changes[imp.id].count("added"),
                                                          changes[imp.id].count("changed"),
                                                          changes[imp.id].count("removed"))
        assert u["file_sha256"] == imp.file_sha256 and u["customers_rescreened"] == imp.rescreened
    assert updates[1]["customers_rescreened"] == 1  # the kept customer was screened again against v2
    assert report["screening"]["hits"] == matches and report["screening"]["customers_monitored_now"] == 1
    assert report["cases"]["opened"] == 1 and report["cases"]["decided_by_reason"] == {"true_match": 1}
    lines = supervisor.to_csv(report).splitlines()
    assert lines[0].startswith("list,version") and lines[2].split(",")[1] == "v2"
    assert "cases.opened,1" in lines
