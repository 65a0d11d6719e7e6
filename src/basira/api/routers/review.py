"""Review: the queue of cases, one case with its evidence and audit trail, assignment, decisions (with optimistic
concurrency: a stale ``version`` is a 409), four-eyes confirmation, bulk decisions, closing, and appeals.

Reviewers and admins act; analysts and auditors read. The routes call :mod:`basira.review` and nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import MAX_ID, Limit, errors
from basira.core.errors import BasiraError
from basira.core.models import AuditEntry, utcnow
from basira.core.principal import Principal
from basira.review import cases
from basira.review.appeals import AppealRequest, decide_appeal, record_appeal
from basira.review.decisions import DecisionRequest, confirm, decide
from basira.review.models import OPEN_STATUSES, Appeal, Case, Decision
from basira.review.policy import Priority
from basira.review.taxonomy import reasons_by_kind, reasons_for

router = APIRouter(prefix="/v1", tags=["review"], responses=errors(401))

CaseId = Annotated[int, Path(title="Case id", description="The case's numeric id.", ge=1, le=MAX_ID)]
VERSION_HELP = ("The case version you looked at (from the case or the queue). If someone changed the case since, "
                "the request fails with 409 and the current `version`; leave it out to act on whatever is there.")
Version = Field(default=None, ge=1, le=2**31 - 1, description=VERSION_HELP)


class CaseSummary(BaseModel):
    """A case as the queue shows it."""

    id: int
    kind: str = Field(description="`content_match`, `screening_hit` or `drone_alert`.")
    group_key: str = Field(description="What the case is about: `item:<ref>`, `customer:<ref>` or `track:<id>`.")
    status: str = Field(description="`new`, `in_review`, `decided`, `appealed` or `closed`.")
    priority: Literal["high", "normal", "low"]
    assignee: str | None
    four_eyes: bool = Field(description="Whether a decision needs a second reviewer.")
    due_at: dt.datetime
    overdue: bool
    version: int = Field(description="Send it back as `version` when you act on the case.")
    match_count: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, c: Case) -> CaseSummary:
        return cls(id=c.id, kind=c.kind, group_key=c.group_key, status=c.status,
                   priority=Priority(c.priority).name.lower(),  # type: ignore[arg-type]
                   assignee=c.assignee, four_eyes=c.four_eyes, due_at=c.due_at,
                   overdue=c.status in OPEN_STATUSES and c.due_at < utcnow(), version=c.version,
                   match_count=int(c.evidence.get("match_count", 0)), created_at=c.created_at, updated_at=c.updated_at)


class DecisionOut(BaseModel):
    """A decision: proposed (waiting for a second reviewer), taken, or rejected by the second reviewer."""

    id: int
    case_id: int
    reviewer: str
    reason_code: str
    rationale: str
    state: str
    four_eyes: bool
    second_reviewer: str | None
    second_note: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(id=d.id, case_id=d.case_id, reviewer=d.reviewer, reason_code=d.reason_code,
                   rationale=d.rationale, state=d.state, four_eyes=d.four_eyes, second_reviewer=d.second_reviewer,
                   second_note=d.second_note, created_at=d.created_at, decided_at=d.decided_at)


class AppealOut(BaseModel):
    """An appeal against a decided case; `outcome` is null until it is decided."""

    id: int
    case_id: int
    decision_id: int
    complainant: str
    statement: str
    recorded_by: str
    received_at: dt.datetime
    due_at: dt.datetime
    outcome: str | None
    decided_by: str | None
    rationale: str
    decided_at: dt.datetime | None

    @classmethod
    def of(cls, a: Appeal) -> AppealOut:
        return cls(id=a.id, case_id=a.case_id, decision_id=a.decision_id, complainant=a.complainant,
                   statement=a.statement, recorded_by=a.recorded_by, received_at=a.received_at, due_at=a.due_at,
                   outcome=a.outcome, decided_by=a.decided_by, rationale=a.rationale, decided_at=a.decided_at)


class AuditOut(BaseModel):
    """One audit entry about the case (a link of the organization's hash chain)."""

    seq: int
    ts: str
    actor: str
    action: str
    details: dict[str, Any]
    hash: str

    @classmethod
    def of(cls, e: AuditEntry) -> AuditOut:
        return cls(seq=e.seq, ts=e.ts, actor=e.actor, action=e.action, details=e.details, hash=e.hash)


class CaseDetail(CaseSummary):
    """A case with its evidence (the documented JSON shape of its kind), decisions, appeals and audit trail."""

    evidence: dict[str, Any]
    decisions: list[DecisionOut]
    appeals: list[AppealOut]
    audit: list[AuditOut]


class AssignIn(BaseModel):
    """Whom to give the case to (null: take it back)."""

    assignee: str | None = Field(default=None, max_length=200)
    version: int | None = Version


class DecideIn(BaseModel):
    """A decision."""

    reason: str = Field(min_length=1, max_length=64, description="A reason code of the case's kind (`/v1/reasons`).")
    rationale: str = Field(default="", max_length=10_000, description="Why, in your words.")
    version: int | None = Version
    four_eyes: bool = Field(default=False, description="Ask a second reviewer to confirm even if not required.")


class ConfirmIn(BaseModel):
    """The second reviewer's answer to a proposed decision."""

    agree: bool = True
    note: str = Field(default="", max_length=10_000)
    version: int | None = Version


class VersionIn(BaseModel):
    version: int | None = Version


class BulkCase(BaseModel):
    id: int = Field(ge=1, le=MAX_ID)
    version: int | None = Version


class BulkDecideIn(BaseModel):
    """The same decision on several cases; each case succeeds or fails on its own."""

    cases: list[BulkCase] = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=64)
    rationale: str = Field(default="", max_length=10_000)


class BulkResult(BaseModel):
    """What happened to one case of a bulk decision: `ok` with the decision, or the problem's status and detail."""

    case_id: int
    ok: bool
    status: int = Field(description="200, or the HTTP status the same request on this case alone would get.")
    detail: str = ""
    decision: DecisionOut | None = None
    version: int | None = None


class AppealIn(BaseModel):
    """A complaint by the affected user or customer."""

    complainant: str = Field(min_length=1, max_length=300, description="Your reference for the person.")
    statement: str = Field(default="", max_length=10_000)
    version: int | None = Version


class AppealDecideIn(BaseModel):
    outcome: Literal["upheld", "overturned"]
    rationale: str = Field(default="", max_length=10_000)
    version: int | None = Version


class ReasonOut(BaseModel):
    """A reason code and what choosing it does."""

    kind: str
    code: str
    label: str
    description: str
    opinion: str | None = Field(description="The opinion recorded on the case's signals.")
    decides: bool
    violating: bool
    basis: str


def _detail(s: Session, principal: Principal, case_id: int) -> CaseDetail:
    c = cases.get_case(s, principal, case_id)
    return CaseDetail(**CaseSummary.of(c).model_dump(), evidence=c.evidence,
                      decisions=[DecisionOut.of(d) for d in cases.decisions_of(s, principal, c.id)],
                      appeals=[AppealOut.of(a) for a in cases.appeals_of(s, principal, c.id)],
                      audit=[AuditOut.of(e) for e in cases.audit_trail(s, principal, c.id)])


@router.get("/reasons", response_model=list[ReasonOut], responses=errors(422))
def list_reasons(inst: InstanceDep, principal: PrincipalDep,
                 kind: Annotated[str | None, Query(max_length=32, description="Only this case kind.")] = None,
                 ) -> list[ReasonOut]:
    """The reason codes reviewers choose from, per case kind, with the opinion each records and its legal basis."""
    kinds = [kind] if kind is not None else list(reasons_by_kind(inst.fronts))
    return [ReasonOut(kind=k, code=r.code, label=r.label, description=r.description,
                      opinion=r.opinion.value if r.opinion else None, decides=r.decides, violating=r.violating,
                      basis=r.basis) for k in kinds for r in reasons_for(k, inst.fronts)]


@router.get("/cases", response_model=list[CaseSummary], responses=errors(422))
def list_cases(
    inst: InstanceDep, principal: PrincipalDep,
    status_: Annotated[str | None, Query(alias="status", max_length=16,
                                         description="`new`, `in_review`, `decided`, `appealed` or `closed`.")] = None,
    kind: Annotated[str | None, Query(max_length=32, description="A case kind.")] = None,
    priority: Annotated[Literal["high", "normal", "low"] | None, Query(description="A priority.")] = None,
    assignee: Annotated[str | None, Query(max_length=200, description="Cases given to this reviewer.")] = None,
    overdue: Annotated[bool, Query(description="Only open cases past their deadline.")] = False,
    limit: Limit = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[CaseSummary]:
    """The queue of the caller's organization: most urgent first, then by deadline. Any role may read it."""
    q = cases.CaseQuery(status=status_, kind=kind, priority=Priority[priority.upper()].value if priority else None,
                        assignee=assignee, overdue=overdue, limit=min(limit, cases.MAX_PAGE), offset=offset)
    with inst.db.session() as s:
        return [CaseSummary.of(c) for c in cases.list_cases(s, principal, q)]


@router.get("/cases/{case_id}", response_model=CaseDetail, responses=errors(404, 422))
def get_case(case_id: CaseId, inst: InstanceDep, principal: PrincipalDep) -> CaseDetail:
    """One case with its evidence (cut to what the organization may see under TLP), decisions, appeals and the
    audit entries about it, oldest first."""
    with inst.db.session() as s:
        return _detail(s, principal, case_id)


@router.post("/cases/{case_id}/assign", response_model=CaseSummary, responses=errors(403, 404, 409, 422))
def assign_case(case_id: CaseId, body: AssignIn, inst: InstanceDep, principal: PrincipalDep) -> CaseSummary:
    """Give an open case to a reviewer (it is then `in_review`), or take it back with `assignee: null`."""
    with inst.db.session() as s:
        return CaseSummary.of(cases.assign(s, principal, case_id, body.assignee, body.version))


@router.post("/cases/{case_id}/decide", response_model=CaseDetail, responses=errors(403, 404, 409, 422))
def decide_case(case_id: CaseId, body: DecideIn, inst: InstanceDep, principal: PrincipalDep) -> CaseDetail:
    """Decide a case with a reason code and a rationale. It records opinions on the case's signals and a
    `case.decided` event (webhooks follow); with four-eyes review it waits for `/confirm`. 409 when the case is
    closed, already decided, or changed since `version` (another reviewer was first)."""
    with inst.db.session() as s:
        decide(s, principal, case_id, DecisionRequest(body.reason, body.rationale, body.version, body.four_eyes))
    with inst.db.session() as s:
        return _detail(s, principal, case_id)


@router.post("/cases/{case_id}/confirm", response_model=CaseDetail, responses=errors(403, 404, 409, 422))
def confirm_case(case_id: CaseId, body: ConfirmIn, inst: InstanceDep, principal: PrincipalDep) -> CaseDetail:
    """Four-eyes review: a second, different reviewer agrees (the decision takes effect) or disagrees (the case
    goes back to review)."""
    with inst.db.session() as s:
        confirm(s, principal, case_id, agree=body.agree, note=body.note, expected_version=body.version)
    with inst.db.session() as s:
        return _detail(s, principal, case_id)


@router.post("/cases/{case_id}/close", response_model=CaseSummary, responses=errors(403, 404, 409, 422))
def close_case(case_id: CaseId, body: VersionIn, inst: InstanceDep, principal: PrincipalDep) -> CaseSummary:
    """Close a decided case: nothing more happens to it."""
    with inst.db.session() as s:
        return CaseSummary.of(cases.close_case(s, principal, case_id, body.version))


@router.post("/cases/bulk-decide", response_model=list[BulkResult], responses=errors(403, 422))
def bulk_decide(body: BulkDecideIn, inst: InstanceDep, principal: PrincipalDep) -> list[BulkResult]:
    """The same reason and rationale on up to 200 cases. Each case is decided in its own transaction: the answer
    lists, per case, the decision or the status and detail of its problem (e.g. 409 for a stale version)."""
    cases.require_reviewer(principal)
    results: list[BulkResult] = []
    for item in body.cases:
        try:
            with inst.db.session() as s:
                d = decide(s, principal, item.id, DecisionRequest(body.reason, body.rationale, item.version))
                version = cases.get_case(s, principal, item.id).version
                results.append(BulkResult(case_id=item.id, ok=True, status=200, decision=DecisionOut.of(d),
                                          version=version))
        except BasiraError as e:
            results.append(BulkResult(case_id=item.id, ok=False, status=e.status, detail=e.detail,
                                      version=e.extra.get("version")))
    return results


@router.post("/cases/{case_id}/appeals", status_code=status.HTTP_201_CREATED, response_model=AppealOut,
             responses=errors(403, 404, 409, 422))
def create_appeal(case_id: CaseId, body: AppealIn, inst: InstanceDep, principal: PrincipalDep) -> AppealOut:
    """Record the affected user's or customer's complaint against a decided case; it is due in 14 days and is
    decided by a reviewer who took no part in the decision."""
    with inst.db.session() as s:
        return AppealOut.of(record_appeal(s, principal, case_id,
                                          AppealRequest(body.complainant, body.statement, body.version)))


@router.post("/cases/{case_id}/appeals/decide", response_model=AppealOut, responses=errors(403, 404, 409, 422))
def decide_case_appeal(case_id: CaseId, body: AppealDecideIn, inst: InstanceDep,
                       principal: PrincipalDep) -> AppealOut:
    """Uphold or overturn the decision under appeal. Overturning reverses the recorded opinions and undoes the
    decision's actions (an `action.undone` webhook); the outcome goes out as `appeal.decided`."""
    with inst.db.session() as s:
        return AppealOut.of(decide_appeal(s, principal, case_id, body.outcome, body.rationale, body.version))
