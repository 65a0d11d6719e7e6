"""Actions: webhook endpoints (admins manage them), the actions taken after events, the delivery log with its
attempts, dead letters and "retry now", and undo (reinstate), which sends its own `action.undone` webhook.

Reviewers and auditors read; admins manage webhooks and retry; reviewers and admins undo.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from basira.actions import delivery as deliveries
from basira.actions import webhooks
from basira.actions.config import ActionsConfig
from basira.actions.models import Action, Delivery, DeliveryAttempt, Webhook
from basira.actions.undo import get_action, list_actions, undo_action
from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import MAX_ID, Limit, errors

router = APIRouter(prefix="/v1/actions", tags=["actions"], responses=errors(401))

WebhookId = Annotated[int, Path(title="Webhook id", ge=1, le=MAX_ID, description="The webhook's numeric id.")]
DeliveryId = Annotated[int, Path(title="Delivery id", ge=1, le=MAX_ID, description="The delivery's numeric id.")]
ActionId = Annotated[int, Path(title="Action id", ge=1, le=MAX_ID, description="The action's numeric id.")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Rows to skip.")]
EVENTS_HELP = "Webhook events: " + ", ".join(f"`{e}`" for e in webhooks.WEBHOOK_EVENTS) + "."


class WebhookIn(BaseModel):
    """A new webhook endpoint."""

    url: str = Field(min_length=1, max_length=2000, examples=["https://hooks.example.org/basira"],
                     description="http(s) only, no user name or password; private addresses only if allowlisted.")
    events: list[str] = Field(default_factory=lambda: list(webhooks.WEBHOOK_EVENTS), max_length=10,
                              description=EVENTS_HELP + " All of them by default.")
    name: str = Field(default="", max_length=200)
    enabled: bool = True


class WebhookPatch(BaseModel):
    """Changes to a webhook; a field left out stays as it is."""

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    events: list[str] | None = Field(default=None, max_length=10, description=EVENTS_HELP)
    name: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None


class WebhookOut(BaseModel):
    """A webhook endpoint (never its secret)."""

    id: int
    name: str
    url: str
    events: list[str]
    enabled: bool
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, h: Webhook) -> WebhookOut:
        return cls(id=h.id, name=h.name, url=h.url, events=list(h.events), enabled=h.enabled,
                   created_by=h.created_by, created_at=h.created_at, updated_at=h.updated_at)


class WebhookSecretOut(WebhookOut):
    """A webhook with its signing secret, shown this once: verify `Basira-Signature` with it."""

    secret: str


class DeliveryOut(BaseModel):
    """One action sent to one webhook, and where its attempts stand."""

    id: int
    webhook_id: int
    action_id: int
    event: str
    idempotency_key: str = Field(description="Sent as `Idempotency-Key`, the same on every attempt.")
    status: str = Field(description="`pending`, `delivered`, `dead` (gave up; retry it) or `cancelled`.")
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    dead_at: dt.datetime | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(id=d.id, webhook_id=d.webhook_id, action_id=d.action_id, event=d.webhook_event,
                   idempotency_key=d.idempotency_key, status=d.status, attempts=d.attempts,
                   next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
                   last_status_code=d.last_status_code, last_error=d.last_error, created_at=d.created_at,
                   delivered_at=d.delivered_at, dead_at=d.dead_at)


class AttemptOut(BaseModel):
    """One HTTP attempt: the status code (null when no answer came), the error, how long it took."""

    number: int
    at: dt.datetime
    status_code: int | None
    error: str
    duration_ms: int

    @classmethod
    def of(cls, a: DeliveryAttempt) -> AttemptOut:
        return cls(number=a.number, at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms)


class DeliveryDetail(DeliveryOut):
    """A delivery with the exact body sent and every attempt."""

    body: str
    attempt_log: list[AttemptOut]


class ActionOut(BaseModel):
    """What Basira told the outside after one event, and whether it was undone."""

    id: int
    event: str
    event_id: int
    case_id: int | None
    status: str = Field(description="`done` or `undone`.")
    data: dict[str, Any]
    undoes_action_id: int | None
    undone_by: str | None
    undone_at: dt.datetime | None
    undo_reason: str
    created_at: dt.datetime

    @classmethod
    def of(cls, a: Action) -> ActionOut:
        return cls(id=a.id, event=a.webhook_event, event_id=a.event_id, case_id=a.case_id, status=a.status,
                   data=a.data, undoes_action_id=a.undoes_action_id, undone_by=a.undone_by, undone_at=a.undone_at,
                   undo_reason=a.undo_reason, created_at=a.created_at)


class UndoIn(BaseModel):
    reason: str = Field(default="", max_length=2000, description="Why it is undone (sent in the webhook).")


def _spec(body: WebhookIn | WebhookPatch) -> webhooks.WebhookSpec:
    return webhooks.WebhookSpec(url=body.url, events=body.events, name=body.name, enabled=body.enabled)


@router.get("/webhooks", response_model=list[WebhookOut], responses=errors(403))
def list_webhooks(inst: InstanceDep, principal: PrincipalDep) -> list[WebhookOut]:
    """The organization's webhook endpoints (without secrets)."""
    with inst.db.session() as s:
        return [WebhookOut.of(h) for h in webhooks.list_webhooks(s, principal)]


@router.post("/webhooks", status_code=status.HTTP_201_CREATED, response_model=WebhookSecretOut,
             responses=errors(403, 422))
def create_webhook(body: WebhookIn, inst: InstanceDep, principal: PrincipalDep) -> WebhookSecretOut:
    """Add a webhook (admins). The answer holds the signing secret, shown this once."""
    cfg = ActionsConfig.from_settings(inst.settings)
    with inst.db.session() as s:
        hook, secret = webhooks.create_webhook(s, principal, _spec(body), cfg.allowlist, cfg.exercise_endpoints)
        return WebhookSecretOut(**WebhookOut.of(hook).model_dump(), secret=secret)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut, responses=errors(403, 404, 422))
def get_webhook(webhook_id: WebhookId, inst: InstanceDep, principal: PrincipalDep) -> WebhookOut:
    """One webhook endpoint (without its secret)."""
    with inst.db.session() as s:
        return WebhookOut.of(webhooks.get_webhook(s, principal, webhook_id))


@router.patch("/webhooks/{webhook_id}", response_model=WebhookOut, responses=errors(403, 404, 422))
def update_webhook(webhook_id: WebhookId, body: WebhookPatch, inst: InstanceDep,
                   principal: PrincipalDep) -> WebhookOut:
    """Change a webhook's URL, events, name or enabled flag (admins). A disabled webhook's pending deliveries
    wait until it is enabled again."""
    cfg = ActionsConfig.from_settings(inst.settings)
    with inst.db.session() as s:
        return WebhookOut.of(webhooks.update_webhook(s, principal, webhook_id, _spec(body), cfg.allowlist,
                                                     cfg.exercise_endpoints))


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=WebhookSecretOut,
             responses=errors(403, 404, 422))
def rotate_secret(webhook_id: WebhookId, inst: InstanceDep, principal: PrincipalDep) -> WebhookSecretOut:
    """Give the webhook a new signing secret (admins), shown this once; every later attempt is signed with it."""
    with inst.db.session() as s:
        hook, secret = webhooks.rotate_secret(s, principal, webhook_id)
        return WebhookSecretOut(**WebhookOut.of(hook).model_dump(), secret=secret)


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=errors(403, 404, 422))
def delete_webhook(webhook_id: WebhookId, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Delete a webhook (admins); its deliveries that had not gone out are cancelled, its log stays."""
    with inst.db.session() as s:
        webhooks.delete_webhook(s, principal, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/deliveries", response_model=list[DeliveryOut], responses=errors(403, 422))
def list_deliveries(
    inst: InstanceDep, principal: PrincipalDep,
    status_: Annotated[str | None, Query(alias="status", max_length=16, description=(
        "`pending`, `delivered`, `dead` (the dead letters) or `cancelled`."))] = None,
    webhook_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    action_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 50, offset: Offset = 0,
) -> list[DeliveryOut]:
    """The delivery log, newest first; `?status=dead` is the dead-letter list."""
    with inst.db.session() as s:
        return [DeliveryOut.of(d) for d in deliveries.list_deliveries(
            s, principal, status=status_, webhook_id=webhook_id, action_id=action_id, limit=min(limit, 500),
            offset=offset)]


@router.get("/deliveries/{delivery_id}", response_model=DeliveryDetail, responses=errors(403, 404, 422))
def get_delivery(delivery_id: DeliveryId, inst: InstanceDep, principal: PrincipalDep) -> DeliveryDetail:
    """One delivery with the exact body sent and every attempt (time, status code, error, duration)."""
    with inst.db.session() as s:
        d = deliveries.get_delivery(s, principal, delivery_id)
        log = [AttemptOut.of(a) for a in deliveries.attempts_of(s, principal, d.id)]
        return DeliveryDetail(**DeliveryOut.of(d).model_dump(), body=d.body, attempt_log=log)


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut, responses=errors(403, 404, 409, 422))
def retry_delivery(delivery_id: DeliveryId, inst: InstanceDep, principal: PrincipalDep) -> DeliveryOut:
    """Retry a dead delivery now (admins): the worker sends it within a second, with the same body and
    idempotency key, and a fresh retry horizon. 409 unless it is dead."""
    with inst.db.session() as s:
        return DeliveryOut.of(deliveries.retry_delivery(s, principal, delivery_id))


@router.get("", response_model=list[ActionOut], responses=errors(403, 422))
def list_actions_(
    inst: InstanceDep, principal: PrincipalDep,
    case_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only the actions of this case.")] = None,
    limit: Limit = 50, offset: Offset = 0,
) -> list[ActionOut]:
    """Actions taken after events (decisions, high-priority hits, appeals, undos), newest first."""
    with inst.db.session() as s:
        return [ActionOut.of(a) for a in list_actions(s, principal, case_id=case_id, limit=min(limit, 500),
                                                      offset=offset)]


@router.get("/{action_id}", response_model=ActionOut, responses=errors(403, 404, 422))
def get_action_(action_id: ActionId, inst: InstanceDep, principal: PrincipalDep) -> ActionOut:
    """One action and whether it was undone."""
    with inst.db.session() as s:
        webhooks.require_read(principal)
        return ActionOut.of(get_action(s, principal, action_id))


@router.post("/{action_id}/undo", response_model=ActionOut, responses=errors(403, 404, 409, 422))
def undo(action_id: ActionId, body: UndoIn, inst: InstanceDep, principal: PrincipalDep) -> ActionOut:
    """Undo (reinstate) an action (reviewers and admins): audited, and an `action.undone` webhook goes to the
    endpoints that asked for it. Deliveries of the action that had not gone out are cancelled. 409 when it is
    already undone or is itself an undo."""
    with inst.db.session() as s:
        return ActionOut.of(undo_action(s, principal, action_id, body.reason))
