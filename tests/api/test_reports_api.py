"""The reports API: formats, languages, limits and who may read."""

from __future__ import annotations

from tests.factories import Api, problem


def test_the_report_comes_as_json_csv_and_html(api: Api) -> None:
    assert api.get("/v1/reports/transparency?year=2026").json()["orders_received"] == 0
    csv = api.get("/v1/reports/transparency?year=2026&format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("figure,value")
    html = api.get("/v1/reports/transparency?year=2026&format=html&lang=fr")
    assert "Rapport de transparence 2026" in html.text


def test_statements_of_reasons_as_json(api: Api) -> None:
    assert api.get("/v1/reports/statements-of-reasons?year=2026").json() == []


def test_a_year_out_of_range_is_a_422(api: Api) -> None:
    problem(api.get("/v1/reports/transparency?year=1900"), 422)


def test_analysts_may_not_read_reports(api: Api) -> None:
    analyst = api.as_(api.post("/v1/orgs/acme/keys", json={"role": "analyst", "name": "a"}).json()["secret"])
    problem(analyst.get("/v1/reports/transparency?year=2026"), 403)
