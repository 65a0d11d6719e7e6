"""``basira report``: the yearly transparency report (HTML with charts in en/ar/fr, JSON, CSV) and the DSA
statements of reasons (JSON, CSV), written to a file or to stdout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from basira.cli.common import OrgOption, out, principal, state

CLI_NAME = "report"
cli_app = typer.Typer(help="Transparency reports (Regulation (EU) 2021/784) and DSA statements of reasons.",
                      no_args_is_help=True)

YearOption = Annotated[int, typer.Option("--year", help="The calendar year (UTC) the report covers.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).",
                                                   dir_okay=False)]


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"Written to {output}.")


def _emit_pdf(page: str, output: Path | None) -> None:
    from basira.core.errors import InvalidInput
    from basira.web.reports_pdf import to_pdf

    if output is None:
        raise InvalidInput("a PDF is written to a file: give --output")
    output.write_bytes(to_pdf(page))
    out.print(f"Written to {output}.")


@cli_app.command("transparency")
def transparency(
    ctx: typer.Context,
    year: YearOption,
    fmt: Annotated[Literal["html", "pdf", "json", "csv"], typer.Option("--format", help="html, pdf, json or csv.")
                   ] = "json",
    lang: Annotated[Literal["en", "ar", "fr"], typer.Option("--lang", help="Language of the HTML or PDF report.")
                    ] = "en",
    authority: Annotated[str | None, typer.Option("--authority", help="The report on one authority's orders "
                                                                      "instead (JSON or CSV).")] = None,
    output: OutputOption = None,
    org: OrgOption = None,
) -> None:
    """The provider's yearly transparency report, or the figures of one authority's orders."""
    from basira.core.errors import InvalidInput
    from basira.reports import export, transparency

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        if authority is not None:
            if fmt in ("html", "pdf"):
                raise InvalidInput("the authority report is JSON or CSV")
            a_report = transparency.authority_report(s, who, authority, year)
            _emit(export.to_json(a_report) if fmt == "json" else export.to_csv(a_report), output)
            return
        report = transparency.provider_report(s, who, year)
    if fmt in ("html", "pdf"):
        from basira.web.reports_html import render_report

        page = render_report(report, lang)
        if fmt == "html":
            _emit(page, output)
        else:
            _emit_pdf(page, output)
    else:
        _emit(export.to_json(report) if fmt == "json" else export.to_csv(report), output)


@cli_app.command("statements")
def statements(
    ctx: typer.Context,
    year: YearOption,
    fmt: Annotated[Literal["json", "csv"], typer.Option("--format", help="json or csv.")] = "json",
    output: OutputOption = None,
    org: OrgOption = None,
) -> None:
    """DSA statements of reasons of the year, in the EU transparency database's field layout (no personal data)."""
    from basira.reports import statements as sor

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        rows = sor.statements(s, who, year)
    _emit(sor.to_json(rows) if fmt == "json" else sor.to_csv(rows), output)


@cli_app.command("goaml")
def goaml_cmd(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument(help="The decided screening case.", min=1)],
    rentity_id: Annotated[int, typer.Option("--rentity-id", help="The reporting entity's id at the FIU.", min=1)],
    first_name: Annotated[str, typer.Option("--first-name", help="The reporting person's first name.")],
    last_name: Annotated[str, typer.Option("--last-name", help="The reporting person's last name.")],
    email: Annotated[str, typer.Option("--email", help="The reporting person's e-mail.")] = "",
    branch: Annotated[str, typer.Option("--branch", help="The reporting entity's branch.")] = "",
    currency: Annotated[str, typer.Option("--currency", help="The local currency (ISO 4217).")] = "EUR",
    code: Annotated[str, typer.Option("--code", help="STR or SAR.")] = "STR",
    action: Annotated[str, typer.Option("--action", help="What was done (e.g. funds frozen).")] = "",
    indicator: Annotated[list[str] | None, typer.Option(
        "--indicator", help="An FIU indicator code (repeat; goAML asks for one or more).")] = None,
    output: OutputOption = None,
    org: OrgOption = None,
) -> None:
    """The goAML XML report of a screening case decided as a true match (validated against the schema)."""
    from basira.reports import goaml

    reporter = goaml.Reporter(rentity_id=rentity_id, first_name=first_name, last_name=last_name, email=email,
                              branch=branch, currency=currency, report_code=code, action=action,
                              indicators=tuple(indicator or ()))
    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        xml = goaml.goaml_report(s, who, case_id, reporter, fronts=inst.fronts)
    _emit(xml.decode("utf-8"), output)


@cli_app.command("incident")
def incident_cmd(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument(help="The case (a drone alert).", min=1)],
    fmt: Annotated[Literal["json", "html", "pdf"], typer.Option("--format", help="json, html or pdf.")] = "json",
    lang: Annotated[Literal["en", "ar", "fr"], typer.Option("--lang", help="Language of the HTML or PDF report.")
                    ] = "en",
    output: OutputOption = None,
    org: OrgOption = None,
) -> None:
    """The incident report of a case for an authority: track, zones, alerts, operator position, sensor chains."""
    from basira.reports import incident

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        report = incident.incident_report(s, who, case_id, fronts=inst.fronts)
    if fmt == "json":
        _emit(incident.to_json(report), output)
        return
    from basira.web.reports_html import render_incident

    page = render_incident(report, lang)
    if fmt == "html":
        _emit(page, output)
    else:
        _emit_pdf(page, output)


@cli_app.command("supervisor")
def supervisor_cmd(
    ctx: typer.Context,
    year: YearOption,
    fmt: Annotated[Literal["json", "csv"], typer.Option("--format", help="json or csv.")] = "json",
    output: OutputOption = None,
    org: OrgOption = None,
) -> None:
    """For a financial supervisor: the year's list updates and re-screening, screening activity and cases."""
    from basira.reports import supervisor

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        report = supervisor.supervisor_report(s, who, year, fronts=inst.fronts)
    _emit(supervisor.to_json(report) if fmt == "json" else supervisor.to_csv(report), output)
