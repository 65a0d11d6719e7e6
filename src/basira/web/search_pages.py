"""The search page (cases, submitted items, bank signals, screened customers, drone tracks; by value, reference,
label and date range), and the CSV/JSON downloads of the list pages that have no filters of their own (banks,
users, TAXII feeds).

Every kind is searched through its own service with the viewer's organization: cases, items, customers and tracks
of that organization, and signals of the banks it may see (a bank shared for matching only is never searched).
A download leaves out what may not be passed on, as the API's exports do, and is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from basira.core import search, users
from basira.core.banks import list_banks
from basira.core.errors import InvalidInput, PermissionDenied
from basira.core.models import Entry, Item, Signal, utcnow
from basira.core.orgs import orgs_by_id
from basira.core.principal import Principal
from basira.drones.listing import find_tracks, tracks_query
from basira.drones.models import DroneTrack
from basira.finance.customers import customers_query, find_customers
from basira.finance.models import Customer
from basira.review import queue
from basira.review.models import Case
from basira.sharing import feeds
from basira.web import casefile, listexport
from basira.web.common import Viewer, ViewerDep, error, inst, render

router = APIRouter(include_in_schema=False)

#: The kinds a search looks through, in the page's order, and the front each needs.
KINDS = ("cases", "items", "signals", "customers", "tracks")
_FRONT = {"customers": "finance", "tracks": "drones"}
#: Rows of each kind shown on the page (the total is counted; the download has them all).
SHOWN = 25
COLUMNS = ("kind", "id", "reference", "value", "detail", "when", "link")
PARAMS = ("q", "label", "since", "until")

Row = dict[str, Any]


def _case_row(c: Case) -> Row:
    r = casefile.queue_row(c, utcnow())
    return {"kind": "cases", "id": c.id, "reference": r["ref"], "value": r["drone_id"] or "",
            "detail": f"{c.kind} · {c.status}", "case_kind": c.kind, "status": c.status, "when": c.created_at,
            "link": f"/cases/{c.id}"}


def _signal_values(item: Item) -> str:
    found = [f"{s.get('signal_type', '')}:{s.get('value', '')}" for s in (item.signals or [])[:5]
             if isinstance(s, dict)]
    return "; ".join(v[:200] for v in found)


def _item_row(i: Item) -> Row:
    return {"kind": "items", "id": i.id, "reference": i.ref, "value": _signal_values(i), "detail": i.content_type,
            "when": i.created_at, "link": "/cases?" + urlencode({"status": "all", "q": i.ref}) if i.ref else ""}


def _signal_row(s: Signal, e: Entry, bank_names: dict[int, str]) -> Row:
    return {"kind": "signals", "id": s.id, "reference": e.ref, "value": f"{s.signal_type}:{s.value}",
            "detail": bank_names.get(s.bank_id, ""), "labels": list(s.labels or []), "when": s.created_at,
            "link": f"/banks/{s.bank_id}/provenance"}


def _customer_row(c: Customer) -> Row:
    names = c.signals.get("names") if isinstance(c.signals, dict) else None
    shown = "; ".join(str(n)[:200] for n in names[:5]) if isinstance(names, list) else ""
    return {"kind": "customers", "id": c.id, "reference": c.ref, "value": shown, "detail": c.kind,
            "when": c.screened_at, "link": "/cases?" + urlencode({"status": "all", "q": c.ref})}


def _track_row(t: DroneTrack) -> Row:
    return {"kind": "tracks", "id": t.id, "reference": t.uas_id, "value": t.operator_id or "",
            "detail": f"{t.status} · {t.verdict}", "when": t.last_seen, "link": f"/drones/case/{t.id}"}


def _bank_names(session: Session, principal: Principal) -> dict[int, str]:
    return {b.id: b.name for b in search.visible_bank_ids(session, principal).values()}


def _kinds(request: Request) -> list[str]:
    """The kinds this instance can search (a front that is not installed has nothing to search)."""
    fronts = set(inst(request).fronts.names())
    return [k for k in KINDS if k not in _FRONT or _FRONT[k] in fronts]


def _cases_query(p: Principal, query: search.SearchQuery) -> search.AnySelect:
    """Cases of any status whose number, reference, assignee or evidence holds the text; a label is a signal's,
    which a case carries in its evidence."""
    cq = queue.queue_query(p, queue.QueueFilter(status="all", dates=query.dates, text=query.text))
    return cq.where(search.json_has_string(Case.evidence, query.label)) if query.label else cq


def _results(s: Session, p: Principal, kind: str, query: search.SearchQuery) -> tuple[int, list[Row]]:
    """How many rows of ``kind`` the query finds, and the first :data:`SHOWN` as rows of the page."""
    if kind == "cases":
        total, rows = search.counted(s, _cases_query(p, query), SHOWN)
        return total, [_case_row(r[0]) for r in rows]
    if kind == "items":
        n, items = search.find_items(s, p, query)
        return n, [_item_row(i) for i in items]
    if kind == "signals":
        names = _bank_names(s, p)
        n, sigs = search.find_signals(s, p, query)
        return n, [_signal_row(sig, e, names) for sig, e in sigs]
    if kind == "customers":
        n, found = find_customers(s, p.org_id, query)
        return n, [_customer_row(c) for c in found]
    n, tracks = find_tracks(s, p.org_id, query)
    return n, [_track_row(t) for t in tracks]


def _all_rows(s: Session, p: Principal, kinds: list[str], query: search.SearchQuery) -> Iterator[Row]:
    """Every row of the chosen kinds, for a download (signals: only those that may be passed on)."""
    stream = {"yield_per": 500}
    for kind in kinds:
        if kind == "cases":
            yield from (_case_row(r[0]) for r in s.execute(_cases_query(p, query).execution_options(**stream)))
        elif kind == "items":
            yield from (_item_row(i) for i in s.scalars(search.items_query(p, query).execution_options(**stream)))
        elif kind == "signals":
            names = _bank_names(s, p)
            sq = search.signals_query(s, p, query, leaving=True).execution_options(**stream)
            yield from (_signal_row(sig, e, names) for sig, e in s.execute(sq))
        elif kind == "customers":
            yield from (_customer_row(c) for c in s.scalars(customers_query(p.org_id, query)
                                                            .execution_options(**stream)))
        else:
            yield from (_track_row(t) for t in s.scalars(tracks_query(p.org_id, query).execution_options(**stream)))


class BadSearch(Exception):
    """A search parameter the page cannot use: which one, why (a code the template words) and the detail."""

    def __init__(self, name: str, why: str, detail: str) -> None:
        super().__init__(detail)
        self.name, self.why, self.detail = name, why, detail


def _parse(request: Request, offered: list[str]) -> tuple[dict[str, str], list[str], search.SearchQuery]:
    """The page's parameters, the kinds chosen and the checked query; :class:`BadSearch` says what is wrong."""
    qp = request.query_params
    params = {k: qp.get(k, "")[:1000] for k in PARAMS}
    chosen = [k for k in qp.getlist("kind") if k]
    unknown = [k for k in chosen if k not in offered]
    if unknown:
        raise BadSearch("kind", "choice", f"unknown kind {unknown[0][:40]!r} ({', '.join(offered)})")
    try:
        text = search.clean_query(params["q"])
        label = search.clean_query(params["label"], "the label", search.MAX_LABEL)
    except InvalidInput as e:
        raise BadSearch("label" if "label" in e.detail else "q", "text", e.detail) from None
    try:
        dates = search.DateRange.parse(params["since"], params["until"])
    except InvalidInput as e:
        raise BadSearch(str(e.extra["field"]), str(e.extra["problem"]), e.detail) from None
    return params, chosen or offered, search.SearchQuery(text, label, dates, SHOWN)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, v: ViewerDep) -> Response:
    """Search what the organization holds; ``?format=csv`` or ``json`` downloads every result."""
    offered = _kinds(request)
    fmt = request.query_params.get("format", "")
    try:
        params, chosen, query = _parse(request, offered)
    except BadSearch as e:
        if fmt:
            return JSONResponse({"detail": e.detail, "filter": e.name, "reason": e.why}, status_code=422)
        return render(request, "search.html", {
            **v.context(), "nav": "search", "params": {k: request.query_params.get(k, "")[:300] for k in PARAMS},
            "offered": offered, "chosen": offered, "groups": [], "problem": e, "searched": False,
            "export_query": ""}, status=422)
    if fmt:
        if fmt not in listexport.FORMATS:
            return JSONResponse({"detail": f"unknown format {fmt[:20]!r} (csv or json)"}, status_code=422)
        if query.empty:
            return JSONResponse({"detail": "give a text, a label or a date to search"}, status_code=422)
        filters = {**params, "kind": ",".join(chosen)}
        return listexport.export(request, v, "search", fmt, filters, COLUMNS,
                                 lambda s: _all_rows(s, v.principal, chosen, query))
    groups = []
    if not query.empty:
        with inst(request).db.session() as s:
            for kind in chosen:
                total, rows = _results(s, v.principal, kind, query)
                groups.append({"kind": kind, "total": total, "rows": rows})
    export_query = urlencode([*((k, x) for k, x in params.items() if x), *(("kind", k) for k in chosen
                                                                          if chosen != offered)])
    return render(request, "search.html", {
        **v.context(), "nav": "search", "params": params, "offered": offered, "chosen": chosen, "groups": groups,
        "problem": None, "searched": not query.empty, "export_query": export_query,
        "queue_query": urlencode({"status": "all", **{k: params[k] for k in ("q", "since", "until") if params[k]}}),
    })


# -- downloads of the other list pages --------------------------------------------------------------------------

def _download(request: Request, v: Viewer, what: str, fmt: str, columns: tuple[str, ...],
              rows: Callable[[Session], Iterable[Row]]) -> Response:
    if fmt not in listexport.FORMATS:
        return error(request, "not_found", 404, v.context())
    return listexport.export(request, v, what, fmt, {}, columns, rows)


def _bank_rows(s: Session, p: Principal) -> Iterator[Row]:
    owners = orgs_by_id(s)
    for b, access, n in list_banks(s, p):
        owner = owners.get(b.org_id)
        yield {"id": b.id, "name": b.name, "owner": owner.name if owner else "", "tlp": b.tlp,
               "access": access.name.lower(), "negative": b.negative, "enabled": b.enabled, "signals": n,
               "created_at": b.created_at}


@router.get("/banks.{fmt}")
def banks_file(request: Request, fmt: str, v: ViewerDep) -> Response:
    """The banks of the home page (those the organization may at least match against) as CSV or JSON."""
    return _download(request, v, "banks", fmt, ("id", "name", "owner", "tlp", "access", "negative", "enabled",
                                                "signals", "created_at"), lambda s: _bank_rows(s, v.principal))


@router.get("/admin/users.{fmt}")
def users_file(request: Request, fmt: str, v: ViewerDep) -> Response:
    """The organization's users as CSV or JSON (admins and auditors, as the users page)."""
    with inst(request).db.session() as s:
        try:
            users.list_users(s, v.principal)
        except PermissionDenied:
            return error(request, "forbidden", 403, v.context())

    def rows(s: Session) -> Iterator[Row]:
        for u in users.list_users(s, v.principal):
            yield {"id": u.id, "username": u.username, "role": u.role, "locale": u.locale,
                   "second_factor": bool(u.totp_secret), "created_at": u.created_at}

    return _download(request, v, "users", fmt, ("id", "username", "role", "locale", "second_factor",
                                                "created_at"), rows)


@router.get("/sharing/feeds.{fmt}")
def feeds_file(request: Request, fmt: str, v: ViewerDep) -> Response:
    """The organization's TAXII feeds (as the sharing page lists them) as CSV or JSON."""
    def rows(s: Session) -> Iterator[Row]:
        names = _bank_names(s, v.principal)
        for f in feeds.list_feeds(s, v.principal):
            yield {"id": f.id, "name": f.name, "api_root": f.api_root, "collection_id": f.collection_id,
                   "bank": names.get(f.bank_id, ""), "interval_s": f.interval_s, "enabled": f.enabled,
                   "last_sync_at": f.last_sync_at, "last_success_at": f.last_success_at,
                   "objects_received": f.objects_received, "opinions_sent": f.opinions_sent,
                   "failures": f.failures, "last_error": f.last_error}

    return _download(request, v, "feeds", fmt, (
        "id", "name", "api_root", "collection_id", "bank", "interval_s", "enabled", "last_sync_at",
        "last_success_at", "objects_received", "opinions_sent", "failures", "last_error"), rows)
