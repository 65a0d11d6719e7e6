"""The reviewer's pages: the queue with filters and bulk decisions, the case page with its evidence, decision,
four-eyes, appeal and assignment forms, and the reveal of a blurred medium (counted for the reviewer's wellbeing).

Views are thin: they call :mod:`basira.review` services and render :mod:`basira.web.casefile` view models. Every
change carries the case version the person looked at; when someone else acted first the page says so (409).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from basira.actions.undo import get_action, undo_action
from basira.core.banks import list_banks
from basira.core.errors import BasiraError, Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.fronts import EvidenceView
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.core.search import DateRange, clean_query
from basira.review import appeals, cases, decisions, queue
from basira.review.models import OPEN_STATUSES, Case, CaseStatus
from basira.review.taxonomy import reasons_by_kind
from basira.web import accounts, casefile, listexport
from basira.web.common import Viewer, ViewerDep, checked_form, error, field, flash, inst, redirect, render
from basira.web.headers import media_policy

router = APIRouter(include_in_schema=False)

QUEUE_COLUMNS = ("id", "kind", "reference", "uas_id", "status", "priority", "assignee", "four_eyes", "matches",
                 "due_at", "created_at", "version")
#: The filters of the queue's URL (a dashboard links to ``/cases?kind=...&bank=...&since=...&until=...&status=...``).
FILTER_NAMES = ("status", "kind", "priority", "assignee", "overdue", "bank", "since", "until", "q")
#: The most cases one bulk form may name (the largest page).
MAX_BULK = max(queue.PAGE_SIZES)
DEFAULT_PAGE_SIZE = 50


def _cid(text: str) -> int:
    """A case id from a path or form; 0 (which no case has: NotFound) for anything else."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0


def _version(form_value: str) -> int | None:
    return int(form_value) if form_value.isascii() and form_value.isdigit() and len(form_value) < 10 else None


def _filters(source: Mapping[str, Any]) -> dict[str, str]:
    """The queue's filters and paging as given (a query string or the bulk form's hidden fields)."""
    def get(name: str) -> str:
        value = source.get(name)
        return value[:1000] if isinstance(value, str) else ""

    params = {k: get(k) for k in (*FILTER_NAMES, "page", "per_page")}
    params["status"] = params["status"] or "open"
    return params


class BadFilter(Exception):
    """A filter of the queue's URL the page cannot use: which one, and why (a code the template words)."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"{name}: {why}")
        self.name, self.why = name, why


def _number(params: dict[str, str], name: str, default: int) -> int:
    raw = params[name]
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise BadFilter(name, "number")
    return int(raw)


def _bad_filter(s: Session, v: Viewer, params: dict[str, str], kinds: Collection[str]) -> queue.QueueFilter:
    """The service's filter of the page's parameters; :class:`BadFilter` for the first one that is wrong."""
    choices = {"status": queue.STATUS_FILTERS, "kind": ("", *kinds), "priority": ("", "1", "2", "3"),
               "assignee": ("", "me", "none"), "overdue": ("", "1")}
    for name, allowed in choices.items():
        if params[name] not in allowed:
            raise BadFilter(name, "choice")
    try:
        dates = DateRange.parse(params["since"], params["until"])
    except InvalidInput as e:
        raise BadFilter(str(e.extra["field"]), str(e.extra["problem"])) from None
    try:
        text = clean_query(params["q"])
    except InvalidInput:
        raise BadFilter("q", "text") from None
    bank = _number(params, "bank", 0) if params["bank"] else None
    assignee = {"me": v.principal.actor, "none": ""}.get(params["assignee"])
    found = queue.QueueFilter(status=params["status"], kind=params["kind"] or None,
                              priority=int(params["priority"]) if params["priority"] else None,
                              assignee=assignee, overdue=params["overdue"] == "1", bank_id=bank, dates=dates,
                              text=text)
    try:
        queue.check_filter(s, v.principal, found)
    except InvalidInput:
        raise BadFilter("bank", "bank") from None
    return found


def _paging(params: dict[str, str]) -> tuple[int, int]:
    number, size = _number(params, "page", 1), _number(params, "per_page", DEFAULT_PAGE_SIZE)
    if number < 1:
        raise BadFilter("page", "number")
    if size not in queue.PAGE_SIZES:
        raise BadFilter("per_page", "choice")
    return number, size


def _queue(s: Session, v: Viewer, params: dict[str, str], kinds: Collection[str]) -> queue.Page:
    f = _bad_filter(s, v, params, kinds)
    number, size = _paging(params)
    return queue.page_of(s, v.principal, f, number, size)


def filter_query(params: dict[str, str], **changes: str | int) -> str:
    """The query string of the queue with these filters (and ``changes``), leaving out empty ones."""
    values = {k: params.get(k, "") for k in (*FILTER_NAMES, "per_page")}
    values.update({k: str(x) for k, x in changes.items()})
    if values.get("status") == "open":
        values["status"] = ""
    return urlencode({k: x for k, x in values.items() if x})


def export_row(case: Case) -> dict[str, Any]:
    """A case as a row of the queue's download (the page's row, with its reference and UAS ID named)."""
    row = casefile.queue_row(case, utcnow())
    return {**row, "reference": row["ref"], "uas_id": row["drone_id"]}


@router.get("/cases.{fmt}")
def queue_file(request: Request, fmt: str, v: ViewerDep) -> Response:
    """The queue with its filters as a CSV or JSON download (every matching case, not one page)."""
    return _queue_export(request, v, fmt)


def _queue_export(request: Request, v: Viewer, fmt: str) -> Response:
    if fmt not in listexport.FORMATS:
        return error(request, "not_found", 404, v.context())
    params = _filters(request.query_params)
    with inst(request).db.session() as s:
        try:
            f = _bad_filter(s, v, params, reasons_by_kind(inst(request).fronts))
        except BadFilter as e:
            return JSONResponse({"detail": f"the filter {e.name!r} is wrong ({e.why})", "filter": e.name,
                                 "reason": e.why}, status_code=422)
    filters = {k: params[k] for k in FILTER_NAMES}
    return listexport.export(request, v, "cases", fmt, filters, QUEUE_COLUMNS,
                             lambda s: (export_row(c) for c in queue.iter_cases(s, v.principal, f)))


@router.get("/cases", response_class=HTMLResponse)
def queue_page(request: Request, v: ViewerDep) -> Response:
    """The queue: most urgent first, filtered by status, kind, priority, assignee, deadline, bank, creation date
    and free text, a page at a time with the total; ``?format=csv`` or ``json`` downloads every matching case."""
    fmt = request.query_params.get("format", "")
    if fmt:
        return _queue_export(request, v, fmt)
    params = _filters(request.query_params)
    with inst(request).db.session() as s:
        reasons = reasons_by_kind(inst(request).fronts)
        bad: BadFilter | None = None
        try:
            page = _queue(s, v, params, reasons)
        except BadFilter as e:
            bad, page = e, queue.Page([], 1, DEFAULT_PAGE_SIZE, 0)
        now = utcnow()
        rows = [casefile.queue_row(c, now) for c in page.cases]
        kinds = sorted({r["kind"] for r in rows}) or list(reasons)
        banks = [(b.id, b.name) for b, _, _ in list_banks(s, v.principal)]
        return render(request, "queue.html", {
            **v.context(), "rows": rows, "params": {k: x[:300] for k, x in params.items()}, "nav": "cases",
            "bad_filter": bad.name if bad else None, "bad_reason": bad.why if bad else None,
            "statuses": queue.STATUS_FILTERS, "kinds": list(reasons), "banks": banks, "page": page,
            "page_sizes": queue.PAGE_SIZES, "filter_query": filter_query(params),
            "page_query": lambda n: filter_query(params, page=n),
            "bulk_reasons": [(k, reasons[k]) for k in kinds], "scripts": ["review.js", "lists.js"],
            "max_bulk": MAX_BULK, "bulk_cap": inst(request).settings.review_bulk_max,
            "filter_names": FILTER_NAMES,
        }, status=422 if bad else 200)


def _decide_each(request: Request, v: Viewer, tokens: list[tuple[int, int | None]], reason: str,
                 rationale: str) -> tuple[int, list[str]]:
    done, failed = 0, []
    for cid, ver in tokens:
        try:
            with inst(request).db.session() as s:
                decisions.decide(s, v.principal, cid, decisions.DecisionRequest(
                    reason, rationale, expected_version=ver))
            done += 1
        except BasiraError as e:
            failed.append(f"#{cid} ({type(e).__name__})")
    return done, failed


@router.post("/cases/bulk", response_class=HTMLResponse)
async def bulk_decide(request: Request, v: ViewerDep) -> Response:
    """One reason code for several cases; each is decided on its own (one conflict does not stop the others).

    ``all=1`` decides every open case that the queue's filters (sent back as hidden fields) match, re-run on the
    server and capped at ``BASIRA_REVIEW_BULK_MAX``; the page then says how many matched and how many were decided.
    Either way the reviewer comes back to the queue with the same filters.
    """
    form = await checked_form(request, max_fields=MAX_BULK + 30)
    if isinstance(form, HTMLResponse):
        return form
    params = _filters({k: field(form, k) for k in (*FILTER_NAMES, "per_page", "page")})
    kept = filter_query(params, **({"page": params["page"][:9]} if params["page"] else {}))
    back = "/cases" + (f"?{kept}" if kept else "")
    picked = [x for x in form.getlist("case") if isinstance(x, str)]
    reason, rationale = field(form, "reason"), field(form, "rationale")
    if not v.can_decide:
        return error(request, "forbidden", 403, v.context())
    if field(form, "all") == "1" and reason:
        cap = inst(request).settings.review_bulk_max
        try:
            with inst(request).db.session() as s:
                matching = queue.open_matching(s, v.principal, _bad_filter(s, v, params, reasons_by_kind(
                    inst(request).fronts)), cap)
        except BadFilter:
            flash(request, "bulk_filter")
            return redirect(request, back)
        done, failed = _decide_each(request, v, [(i, None) for i in matching.ids], reason, rationale)
        with inst(request).db.session() as s:
            queue.record_bulk(s, v.principal, {k: params[k] for k in FILTER_NAMES}, matching, done)
        flash(request, "bulk_all_done", done=done, total=matching.total, cap=cap if matching.capped else 0,
              failed=", ".join(failed[:20]))
        return redirect(request, back)
    if not picked or len(picked) > MAX_BULK or not reason:
        flash(request, "bulk_empty", limit=MAX_BULK)
        return redirect(request, back)
    tokens = [(_cid(cid), _version(ver)) for cid, _, ver in (t.partition(":") for t in picked)]
    done, failed = _decide_each(request, v, tokens, reason, rationale)
    flash(request, "bulk_done", done=done, failed=", ".join(failed[:20]))
    return redirect(request, back)


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
