"""Reports: the yearly transparency report (JSON, CSV, or HTML with charts in English, Arabic or French), an
authority's figures, and the DSA statements of reasons. The routes call :mod:`basira.reports` and nothing else
(the HTML page is rendered by :mod:`basira.web.reports_html`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import errors
from basira.reports import export, statements, transparency

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=errors(401))

Year = Annotated[int, Query(title="Year", description="The calendar year (UTC).", ge=transparency.FIRST_YEAR,
                            le=transparency.LAST_YEAR)]


@router.get("/transparency", responses={**errors(403, 422), 200: {"content": {
    "application/json": {}, "text/csv": {}, "text/html": {}}}})
def transparency_report(
    year: Year, inst: InstanceDep, principal: PrincipalDep,
    fmt: Annotated[Literal["json", "csv", "html"], Query(alias="format")] = "json",
    lang: Annotated[Literal["en", "ar", "fr"], Query(description="Language of the HTML report.")] = "en",
) -> Response:
    """The provider's transparency report for `year` (Regulation (EU) 2021/784, Art. 7), with safeguard figures."""
    with inst.db.session() as s:
        report = transparency.provider_report(s, principal, year)
    if fmt == "html":
        from basira.web.reports_html import render_report

        return HTMLResponse(render_report(report, lang))
    if fmt == "csv":
        return PlainTextResponse(export.to_csv(report), media_type="text/csv")
    return Response(export.to_json(report), media_type="application/json")


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
