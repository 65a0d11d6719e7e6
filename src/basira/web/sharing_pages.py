"""The sharing pages: the organization's TAXII feeds (partners' collections pulled into its banks: schedule, last
sync, last success, failures, last error, opinions sent back), the partners subscribed to its incidents, and its
crisis incidents with their hourly chart, notification log and debrief. Read-only: changes go through
``basira sharing`` and the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from basira.core.errors import NotFound
from basira.core.models import Bank
from basira.sharing import feeds, incidents
from basira.web.common import ViewerDep, error, inst, render

router = APIRouter(include_in_schema=False)


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(request: Request, v: ViewerDep) -> Response:
    with inst(request).db.session() as s:
        banks = {b.id: b.name for b in s.scalars(select(Bank).where(Bank.org_id == v.principal.org_id))}
        rows = [{"feed": f, "bank": banks.get(f.bank_id, ""), "next_due": feeds.next_due(f) if f.enabled else None}
                for f in feeds.list_feeds(s, v.principal)]
        subs = incidents.list_subscribers(s, v.principal)
        incs = [{"incident": i, "bank": banks.get(i.bank_id, "")} for i in incidents.list_incidents(s, v.principal)]
        return render(request, "sharing.html", {**v.context(), "feeds": rows, "subscribers": subs,
                                                "incidents": incs, "nav": "sharing"})


def _incident_id(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0


@router.get("/sharing/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str, v: ViewerDep) -> Response:
    with inst(request).db.session() as s:
        try:
            d = incidents.debrief(s, v.principal, _incident_id(incident_id))
        except NotFound:
            return error(request, "not_found", 404, v.context())
        bank = s.get(Bank, d.incident.bank_id)
        return render(request, "sharing_incident.html", {**v.context(), "d": d, "bank": bank.name if bank else "",
                                                         "nav": "sharing"})


@router.get("/sharing/incidents/{incident_id}/chart.svg")
def incident_chart(request: Request, incident_id: str, v: ViewerDep) -> Response:
    with inst(request).db.session() as s:
        try:
            rows = incidents.hourly(s, incidents.get_incident(s, v.principal, _incident_id(incident_id)))
        except NotFound:
            return Response(status_code=404)
    return Response(incidents.chart_svg(rows), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})
