"""Exercises and the readiness self-assessment: start an exercise (the operator), send its injects and read its
report (the trainer), and score a readiness questionnaire. The logic is in :mod:`basira.exercise`; the HTML
documents are rendered by :mod:`basira.web.exercise_pages`.

The API never reads a file path it is given: a scenario or a site is a shipped one's name, or the JSON itself.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import errors
from basira.core.errors import InvalidInput
from basira.exercise import readiness, scenario, scoring, service

router = APIRouter(prefix="/v1", tags=["exercise"], responses=errors(401))

Slug = Annotated[str, Path(min_length=1, max_length=64, description="The exercise organization's slug.")]
InjectRef = Annotated[str, Path(min_length=1, max_length=64, description="The inject's id in the scenario.")]
Lang = Annotated[Literal["en", "ar", "fr"], Query(description="Language of titles and of the HTML document.")]


class StartIn(BaseModel):
    """An exercise to start: the scenario and the site as shipped names or as JSON documents."""

    scenario: str | dict[str, Any] = Field(description="A shipped scenario's name, or the scenario itself.")
    site: str | dict[str, Any] | None = Field(
        default=None, description="A shipped site's name, or its zones (GeoJSON, ED-269, ED-318); the scenario's "
                                  "site when absent.")
    slug: str | None = Field(default=None, max_length=50, description="The organization's slug after 'exercise-'.")
    webhook: str | None = Field(default=None, max_length=2048, description="An exercise endpoint for its webhooks.")


class StartOut(BaseModel):
    org_slug: str
    exercise_id: int
    api_key: str = Field(description="The trainer's admin key, shown this once.")
    trainer: str
    trainer_password: str
    team: str
    team_password: str
    cases: int


class AssessmentIn(BaseModel):
    answers: dict[str, str] = Field(description="Question id → answer value of the scale.")


@router.post("/exercises", status_code=status.HTTP_201_CREATED, response_model=StartOut,
             responses=errors(403, 409, 422))
def start_exercise(body: StartIn, inst: InstanceDep, principal: PrincipalDep) -> StartOut:
    """Start an exercise (the operator's admins): a walled-off organization with synthetic data from every front."""
    principal.require_operator()
    limit = int(inst.settings.exercise_max_file_bytes)
    kinds = service.inject_functions(inst)
    if isinstance(body.scenario, str):
        plan = scenario.load_scenario(body.scenario, kinds, limit, files=False)
    else:
        if len(json.dumps(body.scenario)) > limit:
            raise InvalidInput(f"the scenario is larger than {limit} bytes")
        plan = scenario.parse(body.scenario, kinds)
    site = body.site if body.site is not None else (plan.site or "stadium")
    site_name, site_doc = (scenario.load_site(site, limit, files=False) if isinstance(site, str)
                           else ("custom site", site))
    started = service.start(inst, principal.actor, plan=plan, site_name=site_name, site_doc=site_doc,
                            slug=body.slug, webhook=body.webhook)
    return StartOut(org_slug=started.org_slug, exercise_id=started.exercise_id, api_key=started.api_key,
                    trainer=started.trainer, trainer_password=started.trainer_password, team=started.team,
                    team_password=started.team_password, cases=started.cases)


@router.get("/exercises", responses=errors(403))
def list_exercises(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The exercises the caller trains (its organization's; every one for the operator)."""
    with inst.db.session() as s:
        return [{"org_slug": o.slug, "name": e.name, "site": e.site, "state": e.state,
                 "started_at": e.started_at.isoformat()} for e, o in service.list_exercises(s, principal)]


@router.post("/exercises/{slug}/injects/{ref}", responses=errors(403, 404, 409, 422))
async def send_inject(slug: Slug, ref: InjectRef, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Send one inject now (the trainer); the cases it opens join the team's queue."""
    played = await run_in_threadpool(service.play, inst, principal, slug, ref)
    return {"ref": played.ref, "kind": played.kind, "summary": played.result.summary,
            "case_keys": played.result.case_keys, "cases_opened": played.cases}


@router.post("/exercises/{slug}/end", responses=errors(403, 404, 422))
def end_exercise(slug: Slug, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """End the exercise: no more injects; the report scores what was decided until now."""
    ex = service.end(inst, principal, slug)
    return {"org_slug": slug, "state": ex.state, "ended_at": ex.ended_at.isoformat() if ex.ended_at else None}


@router.get("/exercises/{slug}/report", responses={**errors(403, 404, 422), 200: {"content": {
    "application/json": {}, "text/csv": {}, "text/html": {}}}})
def exercise_report(slug: Slug, inst: InstanceDep, principal: PrincipalDep,
                    fmt: Annotated[Literal["json", "csv", "html"], Query(alias="format")] = "json",
                    lang: Lang = "en") -> Response:
    """The exercise report: time to decision, misses and deadline breaches, inject by inject."""
    report = scoring.score(inst, principal, slug)
    if fmt == "html":
        from basira.web.exercise_pages import render_report

        return HTMLResponse(render_report(report, lang))
    if fmt == "csv":
        return PlainTextResponse(scoring.as_csv(report, lang), media_type="text/csv")
    return Response(json.dumps(scoring.as_json(report), ensure_ascii=False), media_type="application/json")


@router.get("/readiness/questionnaire", responses=errors(422))
def questionnaire(inst: InstanceDep, principal: PrincipalDep, lang: Lang = "en") -> dict[str, Any]:
    """The readiness questionnaire in ``lang``: themes, questions and the answer scale."""
    q = readiness.configured(inst.settings)
    return {"version": q.version,
            "scale": [{"value": v, "score": sc, "label": label[lang]} for v, sc, label in q.scale],
            "themes": [{"id": t, "source": q.sources[src][lang], "title": title[lang]} for t, src, title in q.themes],
            "questions": [{"id": x.id, "theme": x.theme, "weight": x.weight, "text": x.text[lang]}
                          for x in q.questions]}


@router.post("/readiness/assessments", responses={**errors(422), 200: {"content": {
    "application/json": {}, "text/html": {}}}})
def assess(body: AssessmentIn, inst: InstanceDep, principal: PrincipalDep, lang: Lang = "en",
           fmt: Annotated[Literal["json", "html"], Query(alias="format")] = "json") -> Response:
    """Score readiness answers: by theme and overall, with the gaps and the Basira features that close them."""
    q = readiness.configured(inst.settings)
    assessment = readiness.assess(q, body.answers)
    if fmt == "html":
        from basira.web.exercise_pages import render_assessment

        return HTMLResponse(render_assessment(assessment, lang))
    return Response(json.dumps(readiness.as_json(assessment, lang), ensure_ascii=False),
                    media_type="application/json")
