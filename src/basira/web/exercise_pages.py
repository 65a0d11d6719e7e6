"""The trainer's pages of an exercise (its timeline, the injects to send, the report) and the readiness
self-assessment form, for signed-in users; the figures come from :mod:`basira.exercise` and nothing is computed
here. The report and the assessment are also rendered as self-contained documents for the API and the CLI.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from basira.core.errors import BasiraError
from basira.exercise import readiness, scoring, service
from basira.exercise.scenario import LANGUAGES
from basira.web import i18n
from basira.web.common import ViewerDep, checked_form, env, error, inst, redirect, render, request_language

router = APIRouter(include_in_schema=False)
#: The report's figures, by status, as the pages show them.
STATUSES = scoring.STATUSES


def _lang(request: Request, v: Any) -> str:
    return request_language(request, v.user.locale)[1]


def render_report(report: scoring.ExerciseReport, lang: str) -> str:
    """The exercise report as one self-contained HTML document in ``lang`` (for the API and the CLI)."""
    language = i18n.normalise(lang) or i18n.DEFAULT_LANGUAGE
    context: dict[str, Any] = {**i18n.template_context(language), "r": report, "totals": report.totals}
    return env().get_template("exercise_report_doc.html").render(context)


def render_assessment(assessment: readiness.Assessment, lang: str) -> str:
    """The readiness assessment as one self-contained HTML document in ``lang``."""
    language = i18n.normalise(lang) or i18n.DEFAULT_LANGUAGE
    context: dict[str, Any] = {**i18n.template_context(language), "a": readiness.as_json(assessment, language)}
    return env().get_template("readiness_doc.html").render(context)


@router.get("/exercise", response_class=HTMLResponse)
def exercises_page(request: Request, v: ViewerDep) -> Response:
    """The exercises the viewer trains (their organization's, or every one for the operator)."""
    with inst(request).db.session() as s:
        rows = [{"slug": o.slug, "name": e.name, "site": e.site, "state": e.state, "started_at": e.started_at}
                for e, o in service.list_exercises(s, v.principal)]
    return render(request, "exercise_list.html", {**v.context(), "exercises": rows, "nav": "exercise"})


def _trainer(request: Request, v: Any, slug: str, sent: str | None = None, problem: str | None = None,
             status: int = 200) -> Response:
    instance = inst(request)
    try:
        report = scoring.score(instance, v.principal, slug)
    except BasiraError as e:
        return error(request, "not_found", e.status if e.status in (403, 404) else 404)
    lang = _lang(request, v)
    return render(request, "exercise_trainer.html", {
        **v.context(), "r": report, "totals": report.totals, "tlang": lang if lang in LANGUAGES else "en",
        "sent": sent if any(i.ref == sent for i in report.injects) else None, "problem": problem, "nav": "exercise",
    }, status=status)


@router.get("/exercise/{slug}", response_class=HTMLResponse)
def trainer_page(request: Request, slug: str, v: ViewerDep) -> Response:
    """The trainer's view: the scenario's timeline, each inject's state, and a button to send it now."""
    return _trainer(request, v, slug, sent=request.query_params.get("sent"))


@router.post("/exercise/{slug}/injects/{ref}", response_class=HTMLResponse)
async def send_inject(request: Request, slug: str, ref: str, v: ViewerDep) -> Response:
    """Send one inject now (the trainer's button)."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    try:
        await run_in_threadpool(service.play, inst(request), v.principal, slug, ref)
    except BasiraError as e:
        return _trainer(request, v, slug, problem=e.detail, status=e.status)
    return redirect(request, f"/exercise/{slug}?sent={ref}")


@router.post("/exercise/{slug}/end", response_class=HTMLResponse)
async def end_exercise(request: Request, slug: str, v: ViewerDep) -> Response:
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    try:
        service.end(inst(request), v.principal, slug)
    except BasiraError as e:
        return _trainer(request, v, slug, problem=e.detail, status=e.status)
    return redirect(request, f"/exercise/{slug}/report")


@router.get("/exercise/{slug}/report", response_class=HTMLResponse)
def report_page(request: Request, slug: str, v: ViewerDep) -> Response:
    """The exercise report: time to decision, misses and deadline breaches, inject by inject."""
    try:
        report = scoring.score(inst(request), v.principal, slug)
    except BasiraError as e:
        return error(request, "not_found", e.status if e.status in (403, 404) else 404)
    lang = _lang(request, v)
    return render(request, "exercise_report.html", {**v.context(), "r": report, "totals": report.totals,
                                                    "tlang": lang if lang in LANGUAGES else "en", "nav": "exercise"})


@router.get("/exercise/{slug}/report.{fmt}")
def report_file(request: Request, slug: str, fmt: str, v: ViewerDep) -> Response:
    """The report as JSON or CSV (titles in the page's language)."""
    if fmt not in ("json", "csv"):
        return error(request, "not_found", 404)
    try:
        report = scoring.score(inst(request), v.principal, slug)
    except BasiraError as e:
        return error(request, "not_found", e.status if e.status in (403, 404) else 404)
    name = f"{slug}-report.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if fmt == "csv":
        return PlainTextResponse(scoring.as_csv(report, _lang(request, v)), media_type="text/csv", headers=headers)
    return Response(json.dumps(scoring.as_json(report), ensure_ascii=False), media_type="application/json",
                    headers=headers)


@router.get("/readiness", response_class=HTMLResponse)
def readiness_page(request: Request, v: ViewerDep) -> Response:
    """The readiness questionnaire (the shipped one, in the page's language)."""
    q = readiness.configured(inst(request).settings)
    return render(request, "readiness.html", {**v.context(), "q": q, "tlang": _lang(request, v), "a": None,
                                              "answers": {}, "problem": None, "nav": "readiness"})


@router.post("/readiness", response_class=HTMLResponse)
async def readiness_submit(request: Request, v: ViewerDep) -> Response:
    """Score the answers: the result on the page, or the report as a JSON or HTML download."""
    q = readiness.configured(inst(request).settings)
    form = await checked_form(request, max_fields=len(q.questions) + 5)
    if isinstance(form, HTMLResponse):
        return form
    lang = _lang(request, v)
    answers = {x.id: form.get(f"q-{x.id}") for x in q.questions if isinstance(form.get(f"q-{x.id}"), str)}
    try:
        assessment = readiness.assess(q, answers)
    except BasiraError as e:
        return render(request, "readiness.html", {**v.context(), "q": q, "tlang": lang, "a": None,
                                                  "answers": answers, "problem": e.detail, "nav": "readiness"},
                      status=e.status)
    fmt = form.get("format")
    if fmt in ("json", "document"):
        suffix = "json" if fmt == "json" else "html"
        headers = {"Content-Disposition": f'attachment; filename="readiness-{lang}.{suffix}"',
                   "Cache-Control": "no-store"}
        if fmt == "json":
            return Response(json.dumps(readiness.as_json(assessment, lang), ensure_ascii=False),
                            media_type="application/json", headers=headers)
        return HTMLResponse(render_assessment(assessment, lang), headers=headers)
    return render(request, "readiness.html", {**v.context(), "q": q, "tlang": lang,
                                              "a": readiness.as_json(assessment, lang), "answers": answers,
                                              "problem": None, "nav": "readiness"})
