"""``basira exercise``: start an exercise on a site from a scenario, send its injects (now, or those due), end it
and write its report; ``basira readiness``: the readiness self-assessment (interactive, or from an answers file),
written as JSON or HTML in English, Arabic or French."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from basira.cli.common import echo_json, out, state
from basira.core.errors import InvalidInput
from basira.core.models import Organization, Role
from basira.core.principal import Principal

CLI_NAME = "exercise"
cli_app = typer.Typer(help="Exercises on synthetic data in a walled-off organization: scenario, injects, report.",
                      no_args_is_help=True)

LangOption = Annotated[Literal["en", "ar", "fr"], typer.Option("--lang", help="Language of titles and HTML.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).",
                                                   dir_okay=False)]


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"Written to {escape(str(output))}.")


def _trainer(ctx: typer.Context, slug: str) -> Principal:
    """The exercise organization's admin, as the command line's user (never the operator)."""
    from basira.cli.common import actor
    from basira.exercise.service import SLUG_PREFIX

    inst = state(ctx).instance()
    with inst.db.session() as s:
        from sqlalchemy import select

        org = s.scalar(select(Organization).where(Organization.slug == slug, Organization.exercise.is_(True)))
        if org is None:
            raise InvalidInput(f"no exercise {slug!r} (its slug starts with {SLUG_PREFIX!r}; see basira exercise list)")
        return Principal(org_id=org.id, role=Role.ADMIN, actor=actor(), operator=False)


@cli_app.command("start")
def start(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Option("--scenario", help="A scenario file (JSON), or a shipped scenario's "
                                                             "name (see 'basira exercise scenarios').")],
    site: Annotated[str | None, typer.Option("--site", help="A zone file (GeoJSON, ED-269, ED-318), or a shipped "
                                                            "site's name; the scenario's site by default.")] = None,
    slug: Annotated[str | None, typer.Option("--slug", help="The organization's slug after 'exercise-'.")] = None,
    webhook: Annotated[str | None, typer.Option(
        "--webhook", help="An exercise endpoint for its webhooks (BASIRA_EXERCISE_WEBHOOK_PREFIXES).")] = None,
) -> None:
    """Start an exercise: a clearly marked, walled-off organization with synthetic banks, customers, content hits
    and the site's zones; nothing of it can reach a real organization, partner, export or webhook."""
    from basira.cli.common import actor
    from basira.exercise import service

    inst = state(ctx).instance()
    plan, site_name, site_doc = service.load_plan(inst, scenario, site)
    started = service.start(inst, actor(), plan=plan, site_name=site_name, site_doc=site_doc, slug=slug,
                            webhook=webhook)
    out.print(f"Started exercise [bold]{escape(plan.name)}[/bold] on site [bold]{escape(site_name)}[/bold]: "
              f"organization [bold]{started.org_slug}[/bold] (EXERCISE), {len(plan.injects)} injects, "
              f"{started.cases} cases already in the queue.")
    out.print("Trainer's API key (shown once):")
    typer.echo(f"  {started.api_key}")
    out.print("Web sign-in (shown once): the trainer (/exercise) and the team (/cases):")
    typer.echo(f"  {started.trainer} / {started.trainer_password}\n  {started.team} / {started.team_password}")
    out.print(f"Send an inject: basira exercise inject {started.org_slug} <inject>; those due: basira exercise due")


@cli_app.command("list")
def list_exercises(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every exercise of the instance."""
    from sqlalchemy import select

    from basira.exercise.models import Exercise

    inst = state(ctx).instance()
    with inst.db.session() as s:
        rows = [{"org_slug": o.slug, "name": e.name, "site": e.site, "state": e.state,
                 "started_at": e.started_at.isoformat()}
                for e, o in s.execute(select(Exercise, Organization).join(Organization,
                                                                          Organization.id == Exercise.org_id)
                                      .order_by(Exercise.id)).all()]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        out.print(f"{r['org_slug']}  {escape(r['name'])}  site={escape(r['site'])}  {r['state']}  {r['started_at']}")


@cli_app.command("scenarios")
def scenarios() -> None:
    """The shipped scenarios and sites."""
    from basira.exercise.scenario import scenario_names, site_names

    out.print("Scenarios: " + ", ".join(scenario_names()))
    out.print("Sites: " + ", ".join(site_names()))


@cli_app.command("inject")
def inject(ctx: typer.Context, slug: Annotated[str, typer.Argument(help="The exercise organization.")],
           ref: Annotated[str, typer.Argument(help="The inject's id in the scenario.")]) -> None:
    """Send one inject now (the trainer)."""
    from basira.exercise import service

    played = service.play(state(ctx).instance(), _trainer(ctx, slug), slug, ref)
    out.print(f"Sent {played.ref} ({played.kind}): {escape(played.result.summary)}; "
              f"{played.cases} new cases in the queue.")


@cli_app.command("due")
def due(ctx: typer.Context) -> None:
    """Send every inject whose time has come in running exercises (what the server's worker does each round)."""
    from basira.exercise import service

    sent = service.due(state(ctx).instance())
    for slug, ref, summary in sent:
        out.print(f"{slug} {ref}: {escape(summary)}")
    if not sent:
        out.print("No inject is due.")


@cli_app.command("end")
def end(ctx: typer.Context, slug: Annotated[str, typer.Argument(help="The exercise organization.")]) -> None:
    """End the exercise: no more injects."""
    from basira.exercise import service

    service.end(state(ctx).instance(), _trainer(ctx, slug), slug)
    out.print(f"Exercise {slug} ended; write its report with: basira exercise report {slug}")


@cli_app.command("report")
def report(ctx: typer.Context, slug: Annotated[str, typer.Argument(help="The exercise organization.")],
           fmt: Annotated[Literal["json", "csv", "html"], typer.Option("--format")] = "json",
           lang: LangOption = "en", output: OutputOption = None) -> None:
    """The exercise report: time to decision, misses and deadline breaches, inject by inject."""
    from basira.exercise import scoring

    rep = scoring.score(state(ctx).instance(), _trainer(ctx, slug), slug)
    if fmt == "html":
        from basira.web.exercise_pages import render_report

        _emit(render_report(rep, lang), output)
    elif fmt == "csv":
        _emit(scoring.as_csv(rep, lang), output)
    else:
        _emit(json.dumps(scoring.as_json(rep), ensure_ascii=False, indent=2), output)


def readiness(
    ctx: typer.Context,
    answers: Annotated[Path | None, typer.Option("--answers", help="A JSON file: question id → answer (no, partly, "
                                                                   "yes); asked one by one when absent.",
                                                 dir_okay=False)] = None,
    questions: Annotated[Path | None, typer.Option("--questions", help="Your own questionnaire file (default: "
                                                                       "BASIRA_READINESS_QUESTIONS, else the shipped "
                                                                       "one).", dir_okay=False)] = None,
    fmt: Annotated[Literal["json", "html"], typer.Option("--format")] = "json",
    lang: LangOption = "en",
    output: OutputOption = None,
) -> None:
    """The readiness self-assessment (Delhi Declaration themes, Berlin Memorandum good practices on drones):
    scored by theme, with the gaps and the Basira features that close them."""
    from basira.exercise import readiness as ready
    from basira.exercise.scenario import read_json

    settings = state(ctx).settings()
    limit = int(settings.exercise_max_file_bytes)
    q = ready.load(questions, limit) if questions is not None else ready.configured(settings)
    given: dict[str, Any] = read_json(answers, limit, "the answers file") if answers is not None else _ask(q, lang)
    assessment = ready.assess(q, given)
    if fmt == "html":
        from basira.web.exercise_pages import render_assessment

        _emit(render_assessment(assessment, lang), output)
    else:
        _emit(json.dumps(ready.as_json(assessment, lang), ensure_ascii=False, indent=2), output)


def _ask(q: Any, lang: str) -> dict[str, Any]:
    values = [v for v, _, _ in q.scale]
    labels = ", ".join(f"{v} ({label[lang]})" for v, _, label in q.scale)
    got: dict[str, Any] = {}
    for x in q.questions:
        while True:
            answer = typer.prompt(f"{x.text[lang]}\n  [{labels}]", err=True).strip()
            if answer in values:
                got[x.id] = answer
                break
            typer.echo(f"  one of: {', '.join(values)}", err=True)
    return got
