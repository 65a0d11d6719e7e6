"""``basira report``: the transparency report and the statements of reasons from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.conftest import Cli


def test_an_empty_year_reports_zeros_in_json(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    report = json.loads(cli.ok("report", "transparency", "--year", "2026").stdout)
    assert report["orders_received"] == 0 and report["year"] == 2026
    rows = cli.ok("report", "supervisor", "--year", "2026", "--format", "csv").stdout.splitlines()
    assert rows[0].startswith("list,version,published_at") and "cases.opened,0" in rows


def test_the_html_report_is_written_to_a_file_in_arabic(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    target = tmp_path / "report.html"
    cli.ok("report", "transparency", "--year", "2026", "--format", "html", "--lang", "ar", "-o", str(target))
    page = target.read_text(encoding="utf-8")
    assert 'dir="rtl"' in page and "<svg" in page


def test_statements_come_out_as_csv_with_the_database_header(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    header = cli.ok("report", "statements", "--year", "2026", "--format", "csv").stdout.splitlines()[0]
    assert header.startswith("puid,decision_visibility,decision_ground")


def test_a_year_out_of_range_exits_65(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    result = cli("report", "transparency", "--year", "99999")
    assert result.exit_code == 65 and "between" in result.output


def test_an_unknown_authority_exits_66(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    assert cli("report", "transparency", "--year", "2026", "--authority", "Nobody").exit_code == 66


# One backend: what the database does here is covered by the tests of the services.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_goaml_report_is_written_and_an_open_case_exits_with_a_message(cli: Cli, tmp_path: Path) -> None:
    from tests.reports.screening_case import decided_screening_case

    from basira.core.models import Role
    from basira.core.principal import Principal
    from basira.finance.screening import ScreenQuery
    from basira.reports import goaml

    cli.ok("org", "create", "acme")
    inst = cli.instance()
    admin, reviewer = Principal(1, Role.ADMIN, "cli-test"), Principal(1, Role.REVIEWER, "rita")
    query = ScreenQuery(ref="C-9", kind="person", names=["Zubayr Qasim Example"])
    case_id = decided_screening_case(inst, admin, reviewer, tmp_path, query, reason=None)
    args = ["report", "goaml", str(case_id), "--rentity-id", "4711", "--first-name", "Lina", "--last-name", "Haddad"]
    no_indicator = cli(*args)
    assert no_indicator.exit_code != 0 and "indicator" in no_indicator.output
    args += ["--indicator", "TF1"]
    refused = cli(*args)
    assert refused.exit_code != 0 and "not decided" in refused.output
    from basira.review.decisions import DecisionRequest, decide

    with inst.db.session() as s:
        decide(s, reviewer, case_id, DecisionRequest("true_match"))
    target = tmp_path / "str.xml"
    cli.ok(*args, "-o", str(target))
    assert goaml.validate(target.read_bytes()) == []


# One backend: what the database does here is covered by the tests of the services.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_pdf_report_needs_an_output_file(cli: Cli, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    refused = cli("report", "transparency", "--year", "2026", "--format", "pdf")
    assert refused.exit_code == 65 and "--output" in refused.output
    target = tmp_path / "report.pdf"
    cli.ok("report", "transparency", "--year", "2026", "--format", "pdf", "--lang", "fr", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF")
    assert cli("report", "incident", "42").exit_code == 66
