"""Webhook endpoints of an organization: create, list, read, change, rotate the secret, delete.

Admins manage webhooks; reviewers and auditors may read them (never the secret, which is shown once, on creation
or rotation). Every change is audited. A deleted webhook stays as a row for its delivery log; its deliveries that
had not gone out are cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from basira.actions.config import Network
from basira.actions.models import Delivery, DeliveryStatus, Webhook
from basira.actions.signing import new_secret
from basira.actions.urls import validate_url
from basira.core import audit
from basira.core.errors import InvalidInput, NotFound
from basira.core.exercise import ExerciseIsolation, exercise_endpoint, is_exercise
from basira.core.models import Role, as_id, utcnow
from basira.core.principal import Principal

#: The events a webhook can ask for (see docs/review.md for each body).
WEBHOOK_EVENTS: tuple[str, ...] = ("case.decided", "case.high_priority", "appeal.decided", "action.undone",
                                   "legal.deadline_near", "legal.deadline_missed", "legal.notice_released",
                                   "legal.order_reinstated")
READ_ROLES = {Role.ADMIN, Role.REVIEWER, Role.AUDITOR}
MAX_WEBHOOKS = 50


def require_read(principal: Principal) -> None:
    principal.require(READ_ROLES, "read webhooks and deliveries")


@dataclass
class WebhookSpec:
    """A webhook as asked for; on a change, a field left None stays as it is.

    Attributes:
        url: The endpoint (``https://...``); see :mod:`basira.actions.urls` for what is refused.
        events: Webhook events to send (a subset of :data:`WEBHOOK_EVENTS`, at least one).
        name: What the endpoint is (shown in lists and the audit log).
        enabled: A disabled webhook gets no new deliveries; those pending wait until it is enabled again.
    """

    url: str | None = None
    events: Sequence[str] | None = None
    name: str | None = None
    enabled: bool | None = None


def _events(events: Sequence[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in WEBHOOK_EVENTS]
    if unknown or not chosen:
        raise InvalidInput(f"a webhook asks for one or more of {', '.join(WEBHOOK_EVENTS)}"
                           + (f" (not {unknown[0][:60]!r})" if unknown else ""))
    return chosen


def _name(name: str) -> str:
    text = name.strip()
    if len(text) > 200 or any(ord(c) < 32 for c in text):
        raise InvalidInput("a webhook name has at most 200 characters and no control characters")
    return text


def _check_exercise(session: Session, org_id: int, url: str, endpoints: Sequence[str]) -> None:
    """An exercise organization's webhooks go to an exercise endpoint (BASIRA_EXERCISE_WEBHOOK_PREFIXES) only."""
    if is_exercise(session, org_id) and not exercise_endpoint(url, endpoints):
        raise ExerciseIsolation("an exercise organization's webhooks go only to an exercise endpoint "
                                "(BASIRA_EXERCISE_WEBHOOK_PREFIXES); this URL is not one")


def create_webhook(session: Session, principal: Principal, spec: WebhookSpec,
                   allowlist: Sequence[Network] = (), exercise_endpoints: Sequence[str] = ()) -> tuple[Webhook, str]:
    """Add a webhook to the caller's organization; returns it and its signing secret (shown this once).

    An exercise organization's webhook must go to one of ``exercise_endpoints`` (ExerciseIsolation otherwise).
    """
    principal.require_admin()
    if spec.url is None:
        raise InvalidInput("a webhook needs a URL")
    url = validate_url(spec.url, allowlist)
    _check_exercise(session, principal.org_id, url, exercise_endpoints)
    events = _events(spec.events if spec.events is not None else WEBHOOK_EVENTS)
    live = session.scalars(select(Webhook.id).where(Webhook.org_id == principal.org_id,
                                                    Webhook.deleted_at.is_(None))).all()
    if len(live) >= MAX_WEBHOOKS:
        raise InvalidInput(f"an organization has at most {MAX_WEBHOOKS} webhooks")
    secret = new_secret()
    now = utcnow()
    hook = Webhook(org_id=principal.org_id, name=_name(spec.name or ""), url=url, secret=secret, events=events,
                   enabled=True if spec.enabled is None else spec.enabled, created_by=principal.actor,
                   created_at=now, updated_at=now)
    session.add(hook)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="webhook.create",
                 target=f"webhook:{hook.id}", details={"url": url, "events": events, "enabled": hook.enabled})
    return hook, secret


def list_webhooks(session: Session, principal: Principal) -> list[Webhook]:
    require_read(principal)
    return list(session.scalars(select(Webhook).where(Webhook.org_id == principal.org_id,
                                                      Webhook.deleted_at.is_(None)).order_by(Webhook.id)))


def get_webhook(session: Session, principal: Principal, webhook_id: int | str) -> Webhook:
    """A live webhook of the caller's organization, else NotFound."""
    require_read(principal)
    wid = as_id(webhook_id)
    hook = session.get(Webhook, wid) if wid is not None and wid > 0 else None
    if hook is None or hook.org_id != principal.org_id or hook.deleted_at is not None:
        raise NotFound(f"no webhook {webhook_id!r}")
    return hook


def update_webhook(session: Session, principal: Principal, webhook_id: int, spec: WebhookSpec,
                   allowlist: Sequence[Network] = (), exercise_endpoints: Sequence[str] = ()) -> Webhook:
    """Change a webhook's URL, events, name or enabled flag."""
    principal.require_admin()
    hook = get_webhook(session, principal, webhook_id)
    changes: dict[str, object] = {}
    if spec.url is not None:
        url = validate_url(spec.url, allowlist)
        _check_exercise(session, hook.org_id, url, exercise_endpoints)
        hook.url = changes["url"] = url
    if spec.events is not None:
        hook.events = _events(spec.events)
        changes["events"] = hook.events
    if spec.name is not None:
        hook.name = changes["name"] = _name(spec.name)
    if spec.enabled is not None:
        hook.enabled = changes["enabled"] = spec.enabled
    hook.updated_at = utcnow()
    session.flush()
    audit.record(session, org_id=hook.org_id, actor=principal.actor, action="webhook.update",
                 target=f"webhook:{hook.id}", details=changes)
    return hook


def rotate_secret(session: Session, principal: Principal, webhook_id: int) -> tuple[Webhook, str]:
    """Give a webhook a new signing secret (returned this once); deliveries from now on use it."""
    principal.require_admin()
    hook = get_webhook(session, principal, webhook_id)
    hook.secret = new_secret()
    hook.updated_at = utcnow()
    session.flush()
    audit.record(session, org_id=hook.org_id, actor=principal.actor, action="webhook.rotate_secret",
                 target=f"webhook:{hook.id}")
    return hook, hook.secret


def delete_webhook(session: Session, principal: Principal, webhook_id: int) -> int:
    """Delete a webhook; returns how many of its deliveries that had not gone out were cancelled."""
    principal.require_admin()
    hook = get_webhook(session, principal, webhook_id)
    now = utcnow()
    hook.deleted_at, hook.enabled, hook.updated_at = now, False, now
    res = session.execute(update(Delivery).where(
        Delivery.webhook_id == hook.id,
        Delivery.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.DEAD.value]))
        .values(status=DeliveryStatus.CANCELLED.value, last_error="the webhook was deleted")
        .execution_options(synchronize_session=False))
    cancelled = int(getattr(res, "rowcount", 0) or 0)
    session.flush()
    audit.record(session, org_id=hook.org_id, actor=principal.actor, action="webhook.delete",
                 target=f"webhook:{hook.id}", details={"cancelled_deliveries": cancelled})
    return cancelled
