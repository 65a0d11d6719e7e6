"""The reviewer's pages: the queue with filters and bulk decisions, the case page with its evidence, decision,
four-eyes, appeal and assignment forms, and the reveal of a blurred medium (counted for the reviewer's wellbeing).

Views are thin: they call :mod:`basira.review` services and render :mod:`basira.web.casefile` view models. Every
change carries the case version the person looked at; when someone else acted first the page says so (409).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from basira.actions.undo import get_action, undo_action
from basira.core.errors import BasiraError, Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.fronts import EvidenceView
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.review import appeals, cases, decisions
from basira.review.models import OPEN_STATUSES, Case, CaseStatus
from basira.review.taxonomy import reasons_by_kind
from basira.web import accounts, casefile
from basira.web.common import Viewer, ViewerDep, checked_form, error, field, flash, inst, redirect, render
from basira.web.headers import media_policy

router = APIRouter(include_in_schema=False)

STATUS_FILTERS = ("open", *(s.value for s in CaseStatus), "all")
QUEUE_LENGTH = 100
MAX_BULK = 100


def _cid(text: str) -> int:
    """A case id from a path or form; 0 (which no case has: NotFound) for anything else."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0


def _version(form_value: str) -> int | None:
    return int(form_value) if form_value.isascii() and form_value.isdigit() and len(form_value) < 10 else None


def _queue(session: Session, v: Viewer, params: dict[str, str]) -> list[Case]:
    status = params["status"]
    statuses: list[str | None] = (list(OPEN_STATUSES) if status == "open" else [None] if status == "all"
                                  else [status])
    assignee = v.principal.actor if params["assignee"] == "me" else None
    found: list[Case] = []
    for st in statuses:
        found += cases.list_cases(session, v.principal, cases.CaseQuery(
            status=st, kind=params["kind"] or None, assignee=assignee, overdue=params["overdue"] == "1",
            limit=cases.MAX_PAGE))
    if params["assignee"] == "none":
        found = [c for c in found if not c.assignee]
    if params["priority"]:
        found = [c for c in found if str(c.priority) == params["priority"]]
    found.sort(key=lambda c: (c.priority, c.due_at, c.id))
    return found[:QUEUE_LENGTH]


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    params = {k: q.get(k, "")[:40] for k in ("status", "kind", "priority", "assignee", "overdue")}
    params["status"] = params["status"] or "open"
    return params


def _bad_filter(params: dict[str, str], kinds: Collection[str]) -> str | None:
    if params["status"] not in STATUS_FILTERS:
        return "status"
    if params["kind"] and params["kind"] not in kinds:
        return "kind"
    if params["priority"] not in ("", "1", "2", "3"):
        return "priority"
    if params["assignee"] not in ("", "me", "none"):
        return "assignee"
    if params["overdue"] not in ("", "1"):
        return "overdue"
    return None


@router.get("/cases", response_class=HTMLResponse)
def queue(request: Request, v: ViewerDep) -> Response:
    """The queue: most urgent first, filtered by status, kind, priority, assignee and deadline."""
    params = _filters(request)
    with inst(request).db.session() as s:
        reasons = reasons_by_kind(inst(request).fronts)
        bad = _bad_filter(params, reasons)
        rows = [] if bad else [casefile.queue_row(c, utcnow()) for c in _queue(s, v, params)]
        kinds = sorted({r["kind"] for r in rows}) or list(reasons)
        return render(request, "queue.html", {
            **v.context(), "rows": rows, "params": params, "bad_filter": bad, "nav": "cases",
            "statuses": STATUS_FILTERS, "kinds": list(reasons),
            "bulk_reasons": [(k, reasons[k]) for k in kinds], "scripts": ["review.js"], "max_bulk": MAX_BULK,
        }, status=422 if bad else 200)


@router.post("/cases/bulk", response_class=HTMLResponse)
async def bulk_decide(request: Request, v: ViewerDep) -> Response:
    """One reason code for several cases; each is decided on its own (one conflict does not stop the others)."""
    form = await checked_form(request, max_fields=MAX_BULK + 10)
    if isinstance(form, HTMLResponse):
        return form
    picked = [x for x in form.getlist("case") if isinstance(x, str)]
    reason, rationale = field(form, "reason"), field(form, "rationale")
    if not v.can_decide:
        return error(request, "forbidden", 403, v.context())
    if not picked or len(picked) > MAX_BULK or not reason:
        flash(request, "bulk_empty", limit=MAX_BULK)
        return redirect(request, "/cases")
    done, failed = 0, []
    for token in picked:
        cid, _, ver = token.partition(":")
        try:
            with inst(request).db.session() as s:
                decisions.decide(s, v.principal, _cid(cid), decisions.DecisionRequest(
                    reason, rationale, expected_version=_version(ver)))
            done += 1
        except BasiraError as e:
            failed.append(f"#{cid[:12]} ({type(e).__name__})")
    flash(request, "bulk_done", done=done, failed=", ".join(failed[:20]))
    return redirect(request, "/cases")


def _case_page(request: Request, s: Session, v: Viewer, case_id: str, *, status: int = 200,
               problem: dict[str, Any] | None = None) -> Response:
    try:
        case = cases.get_case(s, v.principal, case_id)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    try:
        shape: EvidenceView | None = inst(request).fronts.case_kind(case.kind).view
    except InvalidInput:  # a kind whose front is no longer installed: the generic layout
        shape = None
    view = casefile.case_view(s, v.principal, case, shape)
    revealed = request.query_params.get("revealed", "")[:100]
    view["queue_empty"] = request.query_params.get("next") == "none"
    return render(request, "case.html", {**v.context(), **view, "problem": problem, "revealed": revealed,
                                         "nav": "cases", "scripts": ["review.js"]},
                  status=status, csp=media_policy(view["media_origins"]) if view["media_origins"] else None)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, v: ViewerDep) -> Response:
    with inst(request).db.session() as s:
        return _case_page(request, s, v, case_id)


def next_open_case(s: Session, p: Principal, after: int) -> int | None:
    """The most urgent open case other than ``after``, in the queue's order (priority, deadline, id), preferring
    cases nobody has taken and those of the viewer."""
    found: list[Case] = []
    for status in OPEN_STATUSES:
        found += cases.list_cases(s, p, cases.CaseQuery(status=status, limit=cases.MAX_PAGE))
    free = [c for c in found if c.id != after and c.assignee in (None, "", p.actor)]
    free.sort(key=lambda c: (c.priority, c.due_at, c.id))
    return free[0].id if free else None


@router.get("/cases/{case_id}/next", response_class=HTMLResponse)
def next_case(request: Request, case_id: str, v: ViewerDep) -> Response:
    """Go on to the next open case of the queue (back to this case, which says so, when none is left)."""
    with inst(request).db.session() as s:
        found = next_open_case(s, v.principal, _cid(case_id))
    if found is None:
        return redirect(request, f"/cases/{quote(case_id[:20], safe='')}?next=none")
    return redirect(request, f"/cases/{found}")


#: A change made from a case's page: it returns the flash message to show.
Change = Callable[[Session, Principal, int, FormData, int | None], str]


def _decide(s: Session, p: Principal, case_id: int, form: FormData, version: int | None) -> str:
    d = decisions.decide(s, p, case_id, decisions.DecisionRequest(
        field(form, "reason"), field(form, "rationale"), expected_version=version,
        four_eyes=field(form, "four_eyes") == "on"))
    return "proposed" if d.state == "proposed" else "decided"


def _confirm(s: Session, p: Principal, case_id: int, form: FormData, version: int | None) -> str:
    agree = field(form, "agree") == "yes"
    decisions.confirm(s, p, case_id, agree=agree, note=field(form, "note"), expected_version=version)
    return "confirmed" if agree else "rejected"


def _assign(s: Session, p: Principal, case_id: int, form: FormData, version: int | None) -> str:
    mine = field(form, "assignee") == "me"
    cases.assign(s, p, case_id, p.actor if mine else None, expected_version=version)
    return "assigned" if mine else "released"


def _close(s: Session, p: Principal, case_id: int, form: FormData, version: int | None) -> str:
    cases.close_case(s, p, case_id, expected_version=version)
    return "closed"


def _appeal(s: Session, p: Principal, case_id: int, form: FormData, version: int | None) -> str:
    appeals.record_appeal(s, p, case_id, appeals.AppealRequest(
        field(form, "complainant"), field(form, "statement"), expected_version=version))
    return "appeal_recorded"


def _appeal_decision(s: Session, p: Principal, case_id: int, form: FormData, version: int | None) -> str:
    appeals.decide_appeal(s, p, case_id, field(form, "outcome"), field(form, "rationale"),
                          expected_version=version)
    return "appeal_decided"


def _undo(action_id: str) -> Change:
    def undo(s: Session, p: Principal, case_id: int, form: FormData, version: int | None) -> str:
        act = get_action(s, p, action_id)
        if act.case_id != case_id:
            raise NotFound(f"no action {action_id!r} on case {case_id}")
        undo_action(s, p, act.id, field(form, "reason"))
        return "undone"

    return undo


#: The verbs of ``POST /cases/{case_id}/{verb}``, each a form on the case page.
CASE_VERBS: dict[str, Change] = {"decide": _decide, "confirm": _confirm, "assign": _assign, "close": _close,
                                 "appeal": _appeal, "appeal-decision": _appeal_decision}


async def _act(request: Request, v: Viewer, case_id: str, change: Change) -> Response:
    """Run one change on a case from its form; tell the person on the page when it cannot be done."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    version = _version(field(form, "version"))
    if not v.can_decide:
        return error(request, "forbidden", 403, v.context())
    try:
        with inst(request).db.session() as s:
            done = change(s, v.principal, _cid(case_id), form, version)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except PermissionDenied as e:
        with inst(request).db.session() as s:
            return _case_page(request, s, v, case_id, status=403,
                              problem={"code": "forbidden", "detail": e.detail})
    except (Conflict, InvalidInput) as e:
        with inst(request).db.session() as s:
            now = cases.get_case(s, v.principal, case_id)
            code = ("invalid" if isinstance(e, InvalidInput) else
                    "closed" if now.status == CaseStatus.CLOSED.value else
                    "changed" if version is not None and now.version != version else "conflict")
            return _case_page(request, s, v, case_id, status=409 if isinstance(e, Conflict) else 422,
                              problem={"code": code, "detail": e.detail, "status": now.status,
                                       "form": {k: field(form, k) for k in ("reason", "rationale", "complainant",
                                                                            "statement", "note")}})
    flash(request, done)
    if field(form, "then") == "next" and done in ("decided", "proposed", "confirmed", "rejected"):
        return redirect(request, f"/cases/{quote(case_id, safe='')}/next")
    return redirect(request, f"/cases/{quote(case_id, safe='')}")


@router.post("/cases/{case_id}/actions/{action_id}/undo", response_class=HTMLResponse)
async def undo(request: Request, case_id: str, action_id: str, v: ViewerDep) -> Response:
    """Undo what a decision triggered (reinstate): the undo sends its own webhook."""
    return await _act(request, v, case_id, _undo(action_id[:20]))


@router.post("/cases/{case_id}/reveal", response_class=HTMLResponse)
async def reveal(request: Request, case_id: str, v: ViewerDep) -> Response:
    """Count one revealed medium; answer JSON to the page's script, or reload the page with it revealed."""
    form = await checked_form(request)
    if isinstance(form, HTMLResponse):
        return form
    key = field(form, "item")
    with inst(request).db.session() as s:
        try:
            cases.get_case(s, v.principal, case_id)
            count = accounts.record_reveal(s, v.user, f"{case_id}:{key}")
        except NotFound:
            return error(request, "not_found", 404, v.context())
        except InvalidInput:
            return error(request, "bad_request", 400, v.context())
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"exposure": count})
    safe = quote(key[:60], safe="")
    return redirect(request, f"/cases/{quote(case_id, safe='')}?revealed={safe}#{safe}")


# Registered after the routes above, so that ``reveal`` and ``bulk`` are never taken for a verb.
@router.post("/cases/{case_id}/{verb}", response_class=HTMLResponse)
async def case_verb(request: Request, case_id: str, verb: str, v: ViewerDep) -> Response:
    """A change from the case page's forms: ``decide``, ``confirm``, ``assign``, ``close``, ``appeal`` or
    ``appeal-decision`` (any other verb: the not-found page)."""
    change = CASE_VERBS.get(verb)
    if change is None:
        return error(request, "not_found", 404, v.context())
    return await _act(request, v, case_id, change)
