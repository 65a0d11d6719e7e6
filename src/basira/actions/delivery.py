"""Sending deliveries: claim the due ones, POST each signed body with a short timeout, log every attempt, retry
with back-off, dead-letter after the horizon; and the delivery log, the dead letters and "retry now".

A delivery is claimed in one short transaction (its attempt counter moves on and it is leased for a while), sent
with no transaction open, and its outcome recorded in another: a hanging endpoint holds no database lock, and a
worker that dies mid-send leaves a lease that runs out, after which the delivery is sent again (at least once;
receivers drop repeats by the ``Idempotency-Key`` header, the same on every attempt) and the cut-short attempt is
logged without a status.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from basira import __version__
from basira.actions.config import ActionsConfig
from basira.actions.models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from basira.actions.signing import DELIVERY_HEADER, EVENT_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from basira.actions.urls import UnsafeTarget, check_target
from basira.actions.webhooks import require_read
from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.exercise import exercise_endpoint, exercise_org_ids
from basira.core.models import as_id, utcnow
from basira.core.principal import Principal

SessionFactory = Callable[[], AbstractContextManager[Session]]
# Beyond the request timeout, how long a claimed delivery stays leased before another worker may take it.
LEASE_MARGIN = dt.timedelta(seconds=60)
MAX_PAGE = 500
_MAX_ERROR = 500


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    attempt: int
    url: str
    secret: str
    body: str
    key: str
    event: str
    exercise: bool = False


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a status code (None when no answer came), an error text, and its duration;
    ``final`` sends the delivery to the dead letters at once (a refusal no retry can change)."""

    status_code: int | None
    error: str
    duration_ms: int
    final: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class DeliveryReport:
    """What one round of :func:`deliver_due` did (counted in deliveries)."""

    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    delivery_ids: list[int] = field(default_factory=list)


def new_client(config: ActionsConfig) -> httpx.Client:
    """An HTTP client for deliveries: the configured timeout, no redirects (they could lead inside), no proxies
    from the environment."""
    return httpx.Client(timeout=httpx.Timeout(config.timeout), follow_redirects=False, trust_env=False,
                        headers={"User-Agent": f"Basira-Webhooks/{__version__}"})


def deliver_due(factory: SessionFactory, config: ActionsConfig, *, now: dt.datetime | None = None,
                client: httpx.Client | None = None, rng: random.Random | None = None) -> DeliveryReport:
    """Send every delivery due at ``now`` (one round of at most ``config.batch``), and record what happened.

    Args:
        factory: A session factory such as ``instance.db.session`` (each step commits on its own).
        config: Timeout, retry policy, allowlist, batch size and concurrency.
        now: The time of this round (the current time when None); tests pass a simulated clock.
        client: An HTTP client to reuse (one from :func:`new_client` is made and closed when None).
        rng: The source of jitter (a fresh ``random.Random`` when None).
    """
    at = now or utcnow()
    report = DeliveryReport()
    jobs = _claim(factory, config, at)
    if not jobs:
        return report
    own = client is None
    http = client or new_client(config)
    try:
        if len(jobs) == 1 or config.concurrency <= 1:
            outcomes = [_send(http, config, job) for job in jobs]
        else:
            with ThreadPoolExecutor(max_workers=min(config.concurrency, len(jobs))) as pool:
                outcomes = list(pool.map(lambda j: _send(http, config, j), jobs))
    finally:
        if own:
            http.close()
    chance = rng or random.Random()  # noqa: S311 - jitter, not a secret
    for job, outcome in zip(jobs, outcomes, strict=True):
        status = _record(factory, config, job, outcome, at, chance)
        report.attempted += 1
        report.delivery_ids.append(job.delivery_id)
        if status == DeliveryStatus.DELIVERED.value:
            report.delivered += 1
        elif status == DeliveryStatus.DEAD.value:
            report.dead += 1
        else:
            report.failed += 1
    return report


def _claim(factory: SessionFactory, config: ActionsConfig, now: dt.datetime) -> list[_Job]:
    lease = now + dt.timedelta(seconds=config.timeout) + LEASE_MARGIN
    jobs: list[_Job] = []
    with factory() as s:
        exercises = exercise_org_ids(s)
        rows = s.execute(select(Delivery, Webhook).join(Webhook, Webhook.id == Delivery.webhook_id).where(
            Delivery.status == DeliveryStatus.PENDING.value, Delivery.next_attempt_at <= now,
            Webhook.enabled.is_(True), Webhook.deleted_at.is_(None))
            .order_by(Delivery.next_attempt_at, Delivery.id).limit(config.batch)).all()
        for d, hook in rows:
            # Guarded on the attempt counter: of two workers, only one takes each delivery.
            res = cast(CursorResult[Any], s.execute(
                update(Delivery).where(Delivery.id == d.id, Delivery.attempts == d.attempts,
                                       Delivery.status == DeliveryStatus.PENDING.value)
                .values(attempts=d.attempts + 1, next_attempt_at=lease,
                        first_attempt_at=func.coalesce(Delivery.first_attempt_at, now))
                .execution_options(synchronize_session=False)))
            if res.rowcount == 1:
                _log_lost_attempt(s, d, now)
                jobs.append(_Job(d.id, d.attempts + 1, hook.url, hook.secret, d.body, d.idempotency_key,
                                 d.webhook_event, exercise=hook.org_id in exercises))
    return jobs


def _log_lost_attempt(s: Session, d: Delivery, now: dt.datetime) -> None:
    """A claimed delivery whose previous attempt has no row in the log was being sent by a worker that died (its
    lease ran out): that attempt goes in the log now, with no status, so the log shows every attempt made."""
    if d.attempts < 1 or s.scalar(select(DeliveryAttempt.id).where(
            DeliveryAttempt.delivery_id == d.id, DeliveryAttempt.number == d.attempts).limit(1)) is not None:
        return
    s.add(DeliveryAttempt(delivery_id=d.id, number=d.attempts, at=now, status_code=None, duration_ms=0,
                          error="no outcome recorded: the sender stopped while sending (its lease ran out)"))


def _send(http: httpx.Client, config: ActionsConfig, job: _Job) -> Outcome:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    # Checked again at sending: the URL was checked when saved, but the settings may have changed since.
    if job.exercise and not exercise_endpoint(job.url, config.exercise_endpoints):
        return Outcome(None, "refused: an exercise organization's webhook goes only to an exercise endpoint",
                       took(), final=True)
    try:
        check_target(job.url, config.allowlist)
    except UnsafeTarget as e:
        return Outcome(None, f"refused: {e}"[:_MAX_ERROR], took())
    body = job.body.encode()
    # The signature carries the real sending time (receivers compare it with their clock), whatever ``now`` is.
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(job.secret, body, int(time.time())),
               IDEMPOTENCY_HEADER: job.key, EVENT_HEADER: job.event, DELIVERY_HEADER: str(job.delivery_id)}
    try:
        r = http.post(job.url, content=body, headers=headers)
    except httpx.TimeoutException:
        return Outcome(None, f"no answer within {config.timeout:g} s", took())
    except httpx.HTTPError as e:
        return Outcome(None, f"{type(e).__name__}: {e}"[:_MAX_ERROR], took())
    if 200 <= r.status_code < 300:
        return Outcome(r.status_code, "", took())
    if 300 <= r.status_code < 400:
        return Outcome(r.status_code, "redirects are not followed; give the final URL", took())
    snippet = r.text[:200].replace("\n", " ")
    return Outcome(r.status_code, f"HTTP {r.status_code}: {snippet}"[:_MAX_ERROR], took())


def _record(factory: SessionFactory, config: ActionsConfig, job: _Job, outcome: Outcome, now: dt.datetime,
            rng: random.Random) -> str:
    with factory() as s:
        d = s.get(Delivery, job.delivery_id, with_for_update=True)
        if d is None:  # the foreign keys keep deliveries; nothing to record against
            return DeliveryStatus.CANCELLED.value
        s.add(DeliveryAttempt(delivery_id=d.id, number=job.attempt, at=now, status_code=outcome.status_code,
                              error=outcome.error, duration_ms=outcome.duration_ms))
        d.last_status_code, d.last_error = outcome.status_code, outcome.error
        if outcome.ok:
            # Recorded even when the action was undone meanwhile: the receiver did get it.
            d.status, d.delivered_at = DeliveryStatus.DELIVERED.value, now
        elif d.status == DeliveryStatus.PENDING.value and outcome.final:
            d.status, d.dead_at = DeliveryStatus.DEAD.value, now
        elif d.status == DeliveryStatus.PENDING.value:
            first = d.first_attempt_at or now
            failures = s.scalar(select(func.count()).select_from(DeliveryAttempt).where(
                DeliveryAttempt.delivery_id == d.id, DeliveryAttempt.at >= first)) or 1
            following = config.retry.next_attempt(first, now, int(failures), rng)
            if following is None:
                d.status, d.dead_at = DeliveryStatus.DEAD.value, now
            else:
                d.next_attempt_at = following
        s.flush()
        return d.status


# --- the log, dead letters and retry -------------------------------------------------------------------------------

def list_deliveries(session: Session, principal: Principal, *, status: str | None = None,
                    webhook_id: int | None = None, action_id: int | None = None, limit: int = 50,
                    offset: int = 0) -> list[Delivery]:
    """The delivery log of the caller's organization, newest first (``status="dead"``: the dead letters)."""
    require_read(principal)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"a page holds 1-{MAX_PAGE} deliveries from a non-negative offset")
    q = select(Delivery).where(Delivery.org_id == principal.org_id)
    if status is not None:
        if status not in DeliveryStatus.__members__.values():
            raise InvalidInput(f"unknown status {status!r} ({', '.join(s.value for s in DeliveryStatus)})")
        q = q.where(Delivery.status == status)
    if webhook_id is not None:
        q = q.where(Delivery.webhook_id == webhook_id)
    if action_id is not None:
        q = q.where(Delivery.action_id == action_id)
    return list(session.scalars(q.order_by(Delivery.id.desc()).limit(limit).offset(offset)))


def get_delivery(session: Session, principal: Principal, delivery_id: int | str) -> Delivery:
    require_read(principal)
    did = as_id(delivery_id)
    d = session.get(Delivery, did) if did is not None and did > 0 else None
    if d is None or d.org_id != principal.org_id:
        raise NotFound(f"no delivery {delivery_id!r}")
    return d


def attempts_of(session: Session, principal: Principal, delivery_id: int) -> list[DeliveryAttempt]:
    d = get_delivery(session, principal, delivery_id)
    return list(session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == d.id)
                                .order_by(DeliveryAttempt.number, DeliveryAttempt.id)))


def retry_delivery(session: Session, principal: Principal, delivery_id: int,
                   now: dt.datetime | None = None) -> Delivery:
    """Put a dead delivery back in the queue at once, with a fresh horizon and the same idempotency key.

    Raises:
        PermissionDenied: The caller is not an admin.
        Conflict: The delivery is not dead (delivered, cancelled or still being retried).
    """
    principal.require_admin()
    d = get_delivery(session, principal, delivery_id)
    if d.status != DeliveryStatus.DEAD.value:
        raise Conflict(f"delivery {d.id} is {d.status}; only a dead delivery can be retried")
    hook = session.get(Webhook, d.webhook_id)
    if hook is None or hook.deleted_at is not None:
        raise Conflict(f"the webhook of delivery {d.id} was deleted")
    d.status, d.dead_at, d.first_attempt_at = DeliveryStatus.PENDING.value, None, None
    d.next_attempt_at = now or utcnow()
    session.flush()
    audit.record(session, org_id=d.org_id, actor=principal.actor, action="delivery.retry",
                 target=f"delivery:{d.id}", details={"webhook": d.webhook_id, "action": d.action_id})
    return d
