"""The reports API: formats, languages, limits and who may read."""

from __future__ import annotations

from typing import Any

import pytest
from tests.factories import Api, problem


def test_the_report_comes_as_json_csv_and_html(api: Api) -> None:
    assert api.get("/v1/reports/transparency?year=2026").json()["orders_received"] == 0
    csv = api.get("/v1/reports/transparency?year=2026&format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("figure,value")
    html = api.get("/v1/reports/transparency?year=2026&format=html&lang=fr")
    assert "Rapport de transparence 2026" in html.text
    assert api.get("/v1/reports/supervisor?year=2026").json()["list_updates"] == []


def test_statements_of_reasons_as_json(api: Api) -> None:
    assert api.get("/v1/reports/statements-of-reasons?year=2026").json() == []


def test_a_year_out_of_range_is_a_422(api: Api) -> None:
    problem(api.get("/v1/reports/transparency?year=1900"), 422)


def test_analysts_may_not_read_reports(api: Api) -> None:
    analyst = api.as_(api.post("/v1/orgs/acme/keys", json={"role": "analyst", "name": "a"}).json()["secret"])
    problem(analyst.get("/v1/reports/transparency?year=2026"), 403)


def test_goaml_report_of_a_decided_screening_case_over_http(api: Api, instance: Any, admin: Any, reviewer: Any,
                                                            tmp_path: Any) -> None:
    from tests.reports.screening_case import decided_screening_case

    from basira.finance.screening import ScreenQuery
    from basira.reports import goaml

    case_id = decided_screening_case(instance, admin, reviewer, tmp_path,
                                     ScreenQuery(ref="C-7", kind="organization", names=["Example Relief Foundation"]))
    body = {"rentity_id": 4711, "first_name": "Lina", "last_name": "Haddad", "report_code": "SAR",
            "indicators": ["TF1"]}
    r = api.post(f"/v1/reports/goaml/{case_id}", json=body)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml") and goaml.validate(r.content) == []
    assert b"<name>Example Relief Foundation</name>" in r.content and b"<report_code>SAR</report_code>" in r.content
    problem(api.post(f"/v1/reports/goaml/{case_id + 1000}", json=body), 404)
    assert "report code" in problem(api.post(f"/v1/reports/goaml/{case_id}", json={**body, "report_code": "CTR"}),
                                    422)["detail"]
    problem(api.post(f"/v1/reports/goaml/{case_id}", json={**body, "rentity_id": 0}), 422)
    problem(api.post(f"/v1/reports/goaml/{case_id}", json={**body, "indicators": []}), 422)


# One backend: what the database does here is covered by the tests of the services.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_transparency_pdf_and_incident_refusals_over_http(api: Api, instance: Any, admin: Any) -> None:
    from tests.factories import open_case

    pdf = api.get("/v1/reports/transparency?year=2026&format=pdf&lang=ar")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    problem(api.get("/v1/reports/incidents/999999"), 404)
    content_case = open_case(instance, admin, "post-1", ["a" * 32])
    assert "no incident report" in problem(api.get(f"/v1/reports/incidents/{content_case}?format=pdf"), 422)["detail"]


def test_bank_provenance_over_http(api: Api, instance: Any, admin: Any) -> None:
    from tests.factories import make_bank

    make_bank(instance, admin, "Crisis 2027-03", ["c" * 32], provenance="Partner feed 7")
    body = api.get("/v1/reports/banks/Crisis 2027-03/provenance").json()
    assert body["signals"]["by_provenance"] == [{"provenance": "Partner feed 7", "signals": 1}]
    assert body["bank"]["yours"] and body["history"]["by_action"]["bank.create"] == 1
    problem(api.get("/v1/reports/banks/404-no-such-bank/provenance"), 404)
