"""Legal duties: competent authorities, removal orders with their one-hour clocks (Regulation (EU) 2021/784),
complaints, and preserved records. The routes call :mod:`basira.legal` and nothing else.

An order's fields are all optional in the schema on purpose: a missing Annex I field is refused by the service,
with a 422 whose ``missing`` member lists every one that is missing, and the refusal is audited.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import MAX_ID, errors
from basira.core.errors import ContentTooLarge
from basira.legal import authorities, complaints, execution, orders, preservation, views
from basira.legal.clock import view as clock_view
from basira.legal.models import Authority, Complaint, Preservation

router = APIRouter(prefix="/v1/legal", tags=["legal"], responses=errors(401))

OrderId = Annotated[int, Path(title="Order id", ge=1, le=MAX_ID)]
RecordId = Annotated[int, Path(title="Preserved record id", ge=1, le=MAX_ID)]
ComplaintId = Annotated[int, Path(title="Complaint id", ge=1, le=MAX_ID)]
Text = Field(default="", max_length=10_000)


class AuthorityIn(BaseModel):
    """A competent authority and the key its orders are signed with."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    member_state: str = Field(min_length=2, max_length=2, description="EU code, e.g. `DE`.")
    timezone: str = Field(min_length=1, max_length=64, description="IANA zone, e.g. `Europe/Berlin`.")
    key_kind: Literal["hmac-sha256", "ed25519", "none"] = "none"
    key: str = Field(default="", max_length=10_000, description="HMAC secret (hex) or Ed25519 public key (PEM).")


class AuthorityOut(BaseModel):
    id: int
    name: str
    member_state: str
    timezone: str
    key_kind: str

    @classmethod
    def of(cls, a: Authority) -> AuthorityOut:
        return cls(id=a.id, name=a.name, member_state=a.member_state, timezone=a.timezone, key_kind=a.key_kind)


class OrderIn(BaseModel):
    """A removal order (or referral) with the field names of Annex I; see docs/legal.md for the signature."""

    model_config = ConfigDict(extra="forbid")
    authority: str = Field(default="", max_length=200, description="The registered authority's name or id.")
    reference: str = Field(default="", max_length=200)
    member_state: str = Field(default="", max_length=2)
    urls: list[str] = Field(default_factory=list, max_length=orders.MAX_URLS)
    locating_info: str = Text
    grounds: str = Text
    grounds_points: list[str] = Field(default_factory=list, max_length=5, description="Points of Art. 2(7): a-e.")
    redress: str = Text
    signatory: str = Field(default="", max_length=300)
    issued_at: dt.datetime | None = None
    confidential: bool = False
    no_disclosure_until: dt.datetime | None = None
    signature: str = Field(default="", max_length=2000)
    kind: Literal["order", "referral"] = "order"


class PauseIn(BaseModel):
    reason: Literal["force_majeure", "de_facto_impossibility", "manifest_error", "insufficient_information"]
    explanation: str = Text


class NoteIn(BaseModel):
    note: str = Text


class ConfirmIn(BaseModel):
    """The Annex II confirmation: what was done and when (default: now)."""

    action: Literal["removed", "disabled"] = "removed"
    executed_at: dt.datetime | None = None


class GroundsIn(BaseModel):
    grounds: str = Field(min_length=1, max_length=10_000)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=10_000)


class ComplaintIn(BaseModel):
    complainant: str = Field(min_length=1, max_length=300, description="Your reference for the content provider.")
    statement: str = Text


class ComplaintDecideIn(BaseModel):
    outcome: Literal["upheld", "overturned"] = Field(description="`overturned` reinstates the content.")
    rationale: str = Text


class ComplaintOut(BaseModel):
    id: int
    order_id: int
    complainant: str
    received_at: dt.datetime
    due_at: dt.datetime
    outcome: str | None
    decided_at: dt.datetime | None

    @classmethod
    def of(cls, c: Complaint) -> ComplaintOut:
        return cls(id=c.id, order_id=c.order_id, complainant=c.complainant, received_at=c.received_at,
                   due_at=c.due_at, outcome=c.outcome, decided_at=c.decided_at)


class RecordOut(BaseModel):
    """A preserved record; ``content`` (base64) only when asked for, and every read is audited."""

    id: int
    order_id: int | None
    refs: list[str]
    record: dict[str, Any] | None = None
    has_content: bool
    content: str | None = None
    expires_at: dt.datetime

    @classmethod
    def of(cls, r: Preservation, *, full: bool = False, content: bytes | None = None) -> RecordOut:
        return cls(id=r.id, order_id=r.order_id, refs=r.refs, record=r.record if full else None,
                   has_content=bool(r.file_name), expires_at=r.expires_at,
                   content=base64.b64encode(content).decode() if content is not None else None)


@router.post("/authorities", response_model=AuthorityOut, status_code=status.HTTP_201_CREATED,
             responses=errors(403, 409, 422))
def register_authority(body: AuthorityIn, inst: InstanceDep, principal: PrincipalDep) -> AuthorityOut:
    """Register an authority whose orders the organization accepts (admins only)."""
    with inst.db.session() as s:
        spec = authorities.AuthoritySpec(body.name, body.member_state, body.timezone, body.key_kind, body.key)
        return AuthorityOut.of(authorities.register(s, principal, spec))


@router.get("/authorities", response_model=list[AuthorityOut])
def list_authorities(inst: InstanceDep, principal: PrincipalDep) -> list[AuthorityOut]:
    """The registered authorities."""
    with inst.db.session() as s:
        return [AuthorityOut.of(a) for a in authorities.list_authorities(s, principal)]


@router.post("/orders", status_code=status.HTTP_201_CREATED, responses=errors(403, 404, 409, 422))
def receive_order(body: OrderIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Receive an order: Basira takes the receipt time and starts the one-hour clock. A missing Annex I field
    (422, `missing`), an unknown authority (404) or a bad signature (403) is refused and audited."""
    request = orders.OrderRequest(**body.model_dump())
    order = orders.receive(inst.db.session, principal, request, inst.secret_key)
    with inst.db.session() as s:
        return views.order_view(s, order)


@router.get("/orders", responses=errors(403, 422))
def list_orders(inst: InstanceDep, principal: PrincipalDep, status_: Annotated[
        str | None, Query(alias="status", max_length=16)] = None) -> list[dict[str, Any]]:
    """Orders of the organization, newest first."""
    with inst.db.session() as s:
        return [views.order_view(s, o) for o in orders.list_orders(s, principal, orders.OrderQuery(status=status_))]


@router.get("/deadlines", responses=errors(403))
def deadlines(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Clocks still running or paused, soonest first: what a banner shows."""
    principal.require(orders.READ_ROLES, "read removal orders")
    with inst.db.session() as s:
        out = []
        for c in orders.running_deadlines(s, principal.org_id):
            v = clock_view(c)
            out.append({"clock_id": c.id, "state": v.state, "deadline_at": v.deadline_at.isoformat(),
                        "remaining_s": round(v.remaining_s), "missed": v.missed,
                        "order_ids": [o.id for o in orders.orders_on_clock(s, c.id)]})
        return out


@router.get("/orders/{order_id}", responses=errors(403, 404, 422))
def get_order(order_id: OrderId, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """One order with its clock (deadline in UTC and in the authority's time zone)."""
    with inst.db.session() as s:
        return views.order_view(s, orders.get_order(s, principal, order_id))


@router.get("/orders/{order_id}/audit", responses=errors(403, 404, 422))
def order_audit(order_id: OrderId, inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The audit entries about an order, oldest first (links of the organization's hash chain)."""
    with inst.db.session() as s:
        return [{"seq": e.seq, "ts": e.ts, "actor": e.actor, "action": e.action, "details": e.details,
                 "hash": e.hash} for e in orders.audit_trail(s, principal, order_id)]


@router.post("/orders/{order_id}/pause", responses=errors(403, 404, 409, 422))
def pause_order(order_id: OrderId, body: PauseIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Stop the clock (Annex III): force majeure, de facto impossibility, or an unclear order."""
    with inst.db.session() as s:
        return views.order_view(s, execution.pause(s, principal, order_id, body.reason, body.explanation))


@router.post("/orders/{order_id}/resume", responses=errors(403, 404, 409, 422))
def resume_order(order_id: OrderId, body: NoteIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Restart the clock: a whole hour from now."""
    with inst.db.session() as s:
        return views.order_view(s, execution.resume(s, principal, order_id, body.note))


@router.post("/orders/{order_id}/confirm", responses=errors(403, 404, 409, 422))
def confirm_order(order_id: OrderId, body: ConfirmIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Confirm the removal with its time (Annex II); orders sharing the clock are confirmed together."""
    retention = dt.timedelta(days=inst.settings.legal_preservation_days)
    with inst.db.session() as s:
        c = execution.confirm(s, principal, order_id, body.action, body.executed_at, retention=retention)
    return {"order_ids": c.order_ids, "action": c.action, "executed_at": c.executed_at.isoformat(),
            "deadline_at": c.deadline_at.isoformat() if c.deadline_at else None, "in_time": c.in_time,
            "preservation_id": c.preservation_id}


@router.post("/orders/{order_id}/decline", responses=errors(403, 404, 409, 422))
def decline_order(order_id: OrderId, body: GroundsIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Record that the order is not executed, with the grounds told to the authority."""
    with inst.db.session() as s:
        return views.order_view(s, execution.decline(s, principal, order_id, body.grounds))


@router.post("/orders/{order_id}/reinstate", responses=errors(403, 404, 409, 422))
def reinstate_order(order_id: OrderId, body: ReasonIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Put the content back: a scrutiny or a complaint overturned the removal."""
    with inst.db.session() as s:
        return views.order_view(s, execution.reinstate(s, principal, order_id, body.reason))


@router.post("/orders/{order_id}/complaints", response_model=ComplaintOut, status_code=status.HTTP_201_CREATED,
             responses=errors(403, 404, 409, 422))
def record_complaint(order_id: OrderId, body: ComplaintIn, inst: InstanceDep,
                     principal: PrincipalDep) -> ComplaintOut:
    """A content provider's complaint against a removal; due in two weeks."""
    with inst.db.session() as s:
        return ComplaintOut.of(complaints.record(s, principal, order_id, body.complainant, body.statement))


@router.post("/complaints/{complaint_id}/decide", response_model=ComplaintOut, responses=errors(403, 404, 409, 422))
def decide_complaint(complaint_id: ComplaintId, body: ComplaintDecideIn, inst: InstanceDep,
                     principal: PrincipalDep) -> ComplaintOut:
    """Decide a complaint; `overturned` reinstates the content."""
    with inst.db.session() as s:
        return ComplaintOut.of(complaints.decide(s, principal, complaint_id, body.outcome, body.rationale))


@router.get("/preservations", response_model=list[RecordOut], responses=errors(403))
def list_records(inst: InstanceDep, principal: PrincipalDep) -> list[RecordOut]:
    """Preserved records and when each is deleted (no content, no audit entry)."""
    with inst.db.session() as s:
        return [RecordOut.of(r) for r in preservation.list_records(s, principal)]


@router.get("/preservations/{record_id}", response_model=RecordOut, responses=errors(403, 404, 422))
def read_record(record_id: RecordId, inst: InstanceDep, principal: PrincipalDep,
                content: bool = False) -> RecordOut:
    """A preserved record, with its content (base64) when `content=true`; the read is audited."""
    with inst.db.session() as s:
        got = preservation.read(s, principal, inst.settings.data_dir, record_id, with_content=content)
        return RecordOut.of(got.record, full=True, content=got.content)


@router.put("/preservations/{record_id}/content", response_model=RecordOut, responses=errors(400, 403, 404, 413, 422))
async def attach_content(record_id: RecordId, request: Request, inst: InstanceDep,
                         principal: PrincipalDep) -> RecordOut:
    """Hand over the removed content (the raw body): it is encrypted with a key outside the database."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > preservation.MAX_CONTENT:
            raise ContentTooLarge(f"preserved content is at most {preservation.MAX_CONTENT} bytes")
    with inst.db.session() as s:
        row = preservation.attach_content(s, principal, inst.settings.data_dir, record_id, bytes(data))
        return RecordOut.of(row)
