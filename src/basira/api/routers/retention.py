"""Retention: the rules per kind of record, holds, a purge on demand, and data-subject requests (export, erase).

Admins change rules and holds, run the purge for their organization and answer data-subject requests; auditors
read rules and holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import MAX_ID, errors
from basira.retention import holds, purge, rules, subjects

router = APIRouter(prefix="/v1/retention", tags=["retention"], responses=errors(401, 403, 422))
KIND_HELP = "Kind of record, as `GET /v1/retention/rules` lists them (`items`, `customers`, `drone_frames`, ...)."
Kind = Annotated[str, Path(title="Kind of record", max_length=32, description=KIND_HELP)]
HoldId = Annotated[int, Path(title="Hold id", ge=1, le=MAX_ID)]


class RuleIn(BaseModel):
    """Days a kind of record is kept (0: forever); null goes back to the instance default."""

    days: int | None = Field(ge=0, le=rules.MAX_DAYS)


class HoldIn(BaseModel):
    """A legal hold or a preservation duty on one subject."""

    subject: str = Field(min_length=3, max_length=400, examples=["customer:C-1042"],
                         description="`item:<ref>`, `customer:<ref>` or `track:<id>`.")
    basis: str = Field(default="legal_hold", description="`legal_hold` or `preservation`.")
    reason: str = Field(min_length=1, max_length=2000)
    until: dt.datetime | None = None


class SubjectIn(BaseModel):
    """One person: a screened customer or a user of the organization."""

    subject: str = Field(min_length=3, max_length=400, examples=["customer:C-1042", "user:rana@acme.example"])


@router.get("/rules")
def list_rules(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The rule in force for every kind of record: the organization's own, or the instance default."""
    described = {k.name: k.records for k in rules.kinds()}
    with inst.db.session() as s:
        return [{"kind": r.kind, "days": r.days, "source": r.source, "records": described[r.kind]}
                for r in rules.show_rules(s, principal, inst.settings)]


@router.put("/rules/{kind}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(404))
def set_rule(kind: Kind, body: RuleIn, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Set (or clear) the organization's rule for one kind of record (admins; audited)."""
    with inst.db.session() as s:
        rules.set_rule(s, principal, kind, body.days)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/holds")
def list_holds(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The organization's active holds."""
    with inst.db.session() as s:
        return [{"id": h.id, "subject": h.subject, "basis": h.basis, "reason": h.reason,
                 "until": h.until.isoformat() if h.until else None, "created_by": h.created_by}
                for h in holds.list_holds(s, principal)]


@router.post("/holds", status_code=status.HTTP_201_CREATED, responses=errors(422))
def place_hold(body: HoldIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Keep every record of a subject past its rule, and refuse its erasure (admins; audited)."""
    with inst.db.session() as s:
        hold = holds.place_hold(s, principal, body.subject, body.basis, body.reason, body.until)
        return {"id": hold.id, "subject": hold.subject, "basis": hold.basis}


@router.delete("/holds/{hold_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(404))
def release_hold(hold_id: HoldId, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Release a hold (admins; audited)."""
    with inst.db.session() as s:
        holds.release_hold(s, principal, hold_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/run")
def run_purge(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Purge the organization's expired records now (admins); the same work the background job does."""
    principal.require_admin()
    return [purge.as_dict(r) for r in purge.run(inst, purge.PurgeOptions(org_ids=(principal.org_id,)))]


@router.post("/subjects/export", responses=errors(404, 422))
def export_subject(body: SubjectIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Everything held on one person, for a data-subject request (admins; audited)."""
    with inst.db.session() as s:
        return subjects.export_subject(s, principal, body.subject)


@router.post("/subjects/erase", responses=errors(404, 409, 422))
def erase_subject(body: SubjectIn, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Erase one person's data; 409 while a case, an appeal or a hold still needs it (admins; audited)."""
    with inst.db.session() as s:
        return {"subject": body.subject, "erased": subjects.erase_subject(s, principal, body.subject)}
