"""Reports: the yearly transparency report (JSON, CSV, or HTML with charts in English, Arabic or French), an
authority's figures, and the DSA statements of reasons. The routes call :mod:`basira.reports` and nothing else
(the HTML page is rendered by :mod:`basira.web.reports_html`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import MAX_ID, errors
from basira.reports import export, goaml, statements, transparency

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=errors(401))

Year = Annotated[int, Query(title="Year", description="The calendar year (UTC).", ge=transparency.FIRST_YEAR,
                            le=transparency.LAST_YEAR)]


@router.get("/transparency", responses={**errors(403, 422), 200: {"content": {
    "application/json": {}, "text/csv": {}, "text/html": {}, "application/pdf": {}}}})
def transparency_report(
    year: Year, inst: InstanceDep, principal: PrincipalDep,
    fmt: Annotated[Literal["json", "csv", "html", "pdf"], Query(alias="format")] = "json",
    lang: Annotated[Literal["en", "ar", "fr"], Query(description="Language of the HTML report.")] = "en",
) -> Response:
    """The provider's transparency report for `year` (Regulation (EU) 2021/784, Art. 7), with safeguard figures."""
    with inst.db.session() as s:
        report = transparency.provider_report(s, principal, year)
    if fmt in ("html", "pdf"):
        from basira.web.reports_html import render_report

        page = render_report(report, lang)
        return HTMLResponse(page) if fmt == "html" else _pdf(page, f"transparency-{year}-{lang}.pdf")
    if fmt == "csv":
        return PlainTextResponse(export.to_csv(report), media_type="text/csv")
    return Response(export.to_json(report), media_type="application/json")


def _pdf(page: str, filename: str) -> Response:
    from basira.web.reports_pdf import to_pdf

    return Response(to_pdf(page), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.get("/transparency/authorities/{authority}", responses=errors(403, 404, 422))
def authority_report(authority: Annotated[str, Path(min_length=1, max_length=200)], year: Year,
                     inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """What became of the orders one authority issued to the organization in `year` (Art. 8 figures)."""
    with inst.db.session() as s:
        return transparency.authority_report(s, principal, authority, year).as_dict()


@router.get("/statements-of-reasons", responses={**errors(403, 422), 200: {"content": {
    "application/json": {}, "text/csv": {}}}})
def statements_of_reasons(year: Year, inst: InstanceDep, principal: PrincipalDep,
                          fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json") -> Response:
    """DSA statements of reasons of `year` in the EU transparency database's field layout, without personal data."""
    with inst.db.session() as s:
        rows = statements.statements(s, principal, year)
    if fmt == "csv":
        return PlainTextResponse(statements.to_csv(rows), media_type="text/csv")
    return Response(statements.to_json(rows), media_type="application/json")


class GoamlIn(BaseModel):
    """Who reports: the FIU's registration of the reporting entity and the person who files the report."""

    rentity_id: int = Field(ge=1, le=goaml.MAX_RENTITY_ID, description="The reporting entity's id at the FIU.")
    first_name: str = Field(min_length=1, max_length=100, description="The reporting person's first name.")
    last_name: str = Field(min_length=1, max_length=100, description="The reporting person's last name.")
    email: str = Field(default="", max_length=255)
    branch: str = Field(default="", max_length=255, description="The reporting entity's branch, if any.")
    currency: str = Field(default="EUR", min_length=3, max_length=3, description="The local currency (ISO 4217).")
    report_code: str = Field(default="STR", description="`STR` or `SAR`.", max_length=3)
    action: str = Field(default="", max_length=8000, description="What the entity did (e.g. froze the funds).")
    indicators: list[str] = Field(min_length=1, max_length=50,
                                  description="The FIU's indicator codes for this report (goAML asks for one or more).")


@router.post("/goaml/{case_id}", responses={**errors(403, 404, 409, 422), 200: {"content": {"application/xml": {}}}})
def goaml_report(case_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: GoamlIn, inst: InstanceDep,
                 principal: PrincipalDep) -> Response:
    """The goAML XML report (UNODC layout) of a screening case decided as a true match: reporting entity and
    person, reason, the subject as a person or entity and its wallets as accounts; transactions are left for the
    reporter to add. Names are written in Latin letters as goAML asks (the original script kept beside them).
    Validated against Basira's goAML schema (the published goAML 5.0.2 rules for what Basira writes); audited."""
    reporter = goaml.Reporter(rentity_id=body.rentity_id, first_name=body.first_name, last_name=body.last_name,
                              email=body.email, branch=body.branch, currency=body.currency,
                              report_code=body.report_code, action=body.action, indicators=tuple(body.indicators))
    with inst.db.session() as s:
        xml = goaml.goaml_report(s, principal, case_id, reporter, fronts=inst.fronts)
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="goaml-case-{case_id}.xml"'})


@router.get("/incidents/{case_id}", responses={**errors(403, 404, 422), 200: {"content": {
    "application/json": {}, "text/html": {}, "application/pdf": {}}}})
def incident_report(
    case_id: Annotated[int, Path(ge=1, le=MAX_ID)], inst: InstanceDep, principal: PrincipalDep,
    fmt: Annotated[Literal["json", "html", "pdf"], Query(alias="format")] = "json",
    lang: Annotated[Literal["en", "ar", "fr"], Query(description="Language of the HTML and PDF report.")] = "en",
) -> Response:
    """The incident report of a case for an authority (a drone alert: track, zones, alerts, operator position,
    sensor chain verification, evidence digest) as JSON, HTML or PDF; audited."""
    from basira.reports import incident

    with inst.db.session() as s:
        report = incident.incident_report(s, principal, case_id, fronts=inst.fronts)
    if fmt == "json":
        return Response(incident.to_json(report), media_type="application/json")
    from basira.web.reports_html import render_incident

    page = render_incident(report, lang)
    return HTMLResponse(page) if fmt == "html" else _pdf(page, f"incident-{case_id}-{lang}.pdf")


@router.get("/banks/{bank}/provenance", responses=errors(404, 422))
def bank_provenance(bank: Annotated[str, Path(min_length=1, max_length=200, description="Bank id or name.")],
                    inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Why is this bank here: owner, marking, where its signals came from (provenance, labels, types), its history
    in the owner's audit log (owners only) and the organization's own matches and opinions on it."""
    from basira.reports.provenance import bank_provenance as provenance

    with inst.db.session() as s:
        return provenance(s, principal, bank)


@router.get("/supervisor", responses={**errors(403, 422), 200: {"content": {"application/json": {}, "text/csv": {}}}})
def supervisor_report(year: Year, inst: InstanceDep, principal: PrincipalDep,
                      fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json") -> Response:
    """For a financial supervisor: the year's sanctions-list updates (version, publication, delay, delta, customers
    re-screened, new hits), the screening activity and the screening cases opened and decided."""
    from basira.reports import supervisor

    with inst.db.session() as s:
        report = supervisor.supervisor_report(s, principal, year, fronts=inst.fronts)
    if fmt == "csv":
        return PlainTextResponse(supervisor.to_csv(report), media_type="text/csv")
    return Response(supervisor.to_json(report), media_type="application/json")
