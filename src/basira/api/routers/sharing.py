"""Sharing beyond TAXII: opinions on signals (a partner's included), crisis incidents and their pushes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import errors
from basira.core import opinions as core_opinions
from basira.core.errors import ContentTooLarge
from basira.sharing import incidents, opinions
from basira.sharing.models import Incident

router = APIRouter(prefix="/v1", tags=["sharing"], responses=errors(401, 403))
SignalId = Annotated[int, Path(ge=1, le=2**62)]
IncidentId = Annotated[int, Path(ge=1, le=2**62)]
MAX_PUSH_BYTES = 64 * 1024


class OpinionIn(BaseModel):
    """The caller's organization's view of a signal."""

    kind: str = Field(description="`confirmed`, `false_positive` or `seen`.", max_length=32)
    note: str = Field(default="", max_length=opinions.MAX_NOTE)


class OpinionsOut(BaseModel):
    """Opinions of a signal: counts by kind, the summary (`disputed` when organizations differ) and each opinion
    the caller may see (the owner sees every organization's, partners' included)."""

    signal_id: int
    summary: str | None
    counts: dict[str, int]
    opinions: list[dict[str, Any]]


def _opinions(inst: Any, principal: Any, signal_id: int) -> OpinionsOut:
    with inst.db.session() as s:
        got = opinions.of_signal(s, principal, signal_id)
        return OpinionsOut(signal_id=got.signal_id, summary=got.summary, counts=got.counts, opinions=got.opinions)


@router.put("/signals/{signal_id}/opinion", response_model=OpinionsOut, responses=errors(404, 422))
def set_opinion(signal_id: SignalId, body: OpinionIn, inst: InstanceDep, principal: PrincipalDep) -> OpinionsOut:
    """Record the organization's opinion of a signal it may match against. On a signal received from a partner's
    TAXII collection, the opinion goes back to the partner at the feed's next sync."""
    with inst.db.session() as s:
        core_opinions.set_opinion(s, principal, signal_id, body.kind, body.note)
    return _opinions(inst, principal, signal_id)


@router.get("/signals/{signal_id}/opinions", response_model=OpinionsOut, responses=errors(404, 422))
def get_opinions(signal_id: SignalId, inst: InstanceDep, principal: PrincipalDep) -> OpinionsOut:
    """A signal's opinions, with counts and whether they are disputed."""
    return _opinions(inst, principal, signal_id)


class IncidentIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    bank: str = Field(description="The incident bank: one of the organization's banks, by name or id.",
                      min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class CloseIn(BaseModel):
    debrief: str = Field(default="", max_length=20_000, description="What happened and what was learnt.")


class IncidentOut(BaseModel):
    id: int
    name: str
    bank_id: int
    status: str
    declared_by: str
    declared_at: dt.datetime
    closed_at: dt.datetime | None
    description: str
    debrief: str

    @classmethod
    def of(cls, i: Incident) -> IncidentOut:
        return cls(id=i.id, name=i.name, bank_id=i.bank_id, status=i.status, declared_by=i.declared_by,
                   declared_at=i.declared_at, closed_at=i.closed_at, description=i.description, debrief=i.debrief)


@router.post("/sharing/incidents", response_model=IncidentOut, status_code=201, responses=errors(404, 409, 422))
def declare_incident(body: IncidentIn, inst: InstanceDep, principal: PrincipalDep) -> IncidentOut:
    """Declare a crisis incident: new signals of its bank are pushed to subscribed partners at once."""
    with inst.db.session() as s:
        return IncidentOut.of(incidents.declare(s, principal, body.name, body.bank, body.description))


@router.get("/sharing/incidents", response_model=list[IncidentOut])
def list_incidents(inst: InstanceDep, principal: PrincipalDep) -> list[IncidentOut]:
    """The organization's crisis incidents, open and closed, with their incident bank, status and debrief."""
    with inst.db.session() as s:
        return [IncidentOut.of(i) for i in incidents.list_incidents(s, principal)]


@router.post("/sharing/incidents/{incident_id}/close", response_model=IncidentOut, responses=errors(404, 409, 422))
def close_incident(incident_id: IncidentId, body: CloseIn, inst: InstanceDep, principal: PrincipalDep) -> IncidentOut:
    """Close an incident with its debrief."""
    with inst.db.session() as s:
        return IncidentOut.of(incidents.close(s, principal, incident_id, body.debrief))


@router.get("/sharing/incidents/{incident_id}/notifications", responses=errors(404, 422))
def incident_notifications(incident_id: IncidentId, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """The incident's debrief figures and its notification log: who was notified when, of how many signals."""
    with inst.db.session() as s:
        d = incidents.debrief(s, principal, incident_id)
        return {"incident": IncidentOut.of(d.incident).model_dump(mode="json"), "signals": d.signals,
                "partners": d.partners, "pushes": d.pushes, "failed": d.failed, "median_ms": d.median_ms,
                "max_ms": d.max_ms, "log": [{**x, "sent_at": x["sent_at"].isoformat()} for x in d.log]}


@router.get("/sharing/incidents/{incident_id}/chart.svg", response_class=Response,
            responses=errors(404, 422))
def incident_chart(incident_id: IncidentId, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """The hourly chart: signals added to the incident bank (bars) and pushes sent (line), per hour (UTC)."""
    with inst.db.session() as s:
        rows = incidents.hourly(s, incidents.get_incident(s, principal, incident_id))
    return Response(incidents.chart_svg(rows), media_type="image/svg+xml")


class SubscriberIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(description="The partner's push URL, e.g. https://b.example/v1/sharing/push/3",
                     min_length=1, max_length=2000)
    secret: str = Field(description="The secret both sides sign and check pushes with (16+ characters).",
                        min_length=16, max_length=4000)


@router.put("/sharing/subscribers", responses=errors(422))
def set_subscriber(body: SubscriberIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Subscribe a partner's webhook to the organization's incidents (admins)."""
    with inst.db.session() as s:
        sub = incidents.add_subscriber(s, principal, inst.secret_key, body.name, body.url, body.secret)
        return {"id": sub.id, "name": sub.name, "url": sub.url}


push_router = APIRouter(prefix="/v1", tags=["sharing"])


@push_router.post("/sharing/push/{feed_id}", status_code=202, responses=errors(403, 413, 422))
async def receive_push(feed_id: Annotated[int, Path(ge=1, le=2**62)], request: Request,
                       inst: InstanceDep) -> dict[str, str]:
    """A partner's incident push for one of this instance's TAXII feeds, signed with the feed's push secret
    (``Basira-Signature``; no API key): the feed is synced at once."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_PUSH_BYTES:
            raise ContentTooLarge(f"a push is at most {MAX_PUSH_BYTES:,} bytes")
        chunks.append(chunk)
    header = request.headers.get(incidents.SIGNATURE_HEADER, "")
    await run_in_threadpool(incidents.receive_push, inst, feed_id, b"".join(chunks), header)
    return {"status": "syncing"}
