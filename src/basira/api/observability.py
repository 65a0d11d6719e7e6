"""What an operator watches: request ids and JSON logs, Prometheus metrics, liveness and readiness.

- :class:`RequestObserver` (ASGI middleware) gives every request an id (the caller's ``X-Request-ID`` when it is a
  short token, a new one otherwise), returns it in the response, logs one line per request (JSON lines when
  ``BASIRA_LOG_FORMAT=json``) and counts requests and their latency by route template (never by raw path, so that
  ids in paths do not multiply the series).
- ``GET /metrics``: the Prometheus text format. Counters of this process (or of every worker of ``basira serve
  --workers N``, through prometheus-client's multiprocess directory), and gauges read from the database at scrape
  time: open cases by kind, overdue cases, matches of the last hour by bank, webhook deliveries waiting or given up,
  index sizes and how many changes each index is behind, the age of each TAXII feed's last successful pull. Bank
  and feed labels are numeric ids, never names. Open to loopback callers; others present
  ``BASIRA_METRICS_TOKEN`` as a bearer token (without one set, remote scrapes are refused).
- ``GET /health/live``: the process answers (no database). ``GET /health/ready``: the database answers and its
  schema is at the newest migration; 503 with the reason otherwise, so that a load balancer stops sending traffic.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hmac
import json
import logging
import os
import re
import secrets
import struct
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from basira.api.deps import InstanceDep
from basira.core.instance import Instance

#: The current request's id, for log lines written while it is handled.
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("basira_request_id", default="")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
access_log = logging.getLogger("basira.access")


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request id when there is one,
    and any ``extra`` fields given to the call."""

    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            out["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in self._STANDARD and key not in out:
                out[key] = value
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(log_format: str, level: str = "info") -> None:
    """Send Basira's and the server's logs to standard error, as JSON lines (``json``) or plain text (``text``)."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    for name in ("basira", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    # The middleware writes the access lines (with the request id); uvicorn's own would double them.
    logging.getLogger("uvicorn.access").disabled = True


class Metrics:
    """The request metrics of one app. In multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set by ``basira serve
    --workers``) the values live in that directory and the scrape adds up every worker's."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("basira_http_requests", "HTTP requests answered, by route template and status class.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("basira_http_request_duration_seconds",
                                 "Time to answer an HTTP request, by route template.", ["method", "route"],
                                 buckets=_LATENCY_BUCKETS, registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, f"{status // 100}xx").inc()
        self.latency.labels(method, route).observe(seconds)


class RequestObserver:
    """ASGI middleware: request id, access log line, request metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        presented = _header(scope, b"x-request-id")
        request_id = presented if presented and _GOOD_ID.match(presented) else secrets.token_hex(8)
        token = REQUEST_ID.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = str(scope.get("method", ""))
            self.metrics.observe(method, route, status, elapsed)
            access_log.info("%s %s %d %.1f ms", method, route, status, elapsed * 1000,
                            extra={"request_id": request_id, "method": method, "route": route, "status": status,
                                   "duration_ms": round(elapsed * 1000, 2)})
            REQUEST_ID.reset(token)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return "(static)" if str(scope.get("path", "")).startswith("/static/") else "(unmatched)"


class DatabaseGauges(Collector):
    """Gauges read from the database when Prometheus scrapes (each worker reads the same rows)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from basira.actions.models import Delivery, DeliveryStatus
        from basira.core.models import Match, SignalChange
        from basira.review.models import Case, CaseStatus
        from basira.sharing.models import TaxiiFeed

        now = dt.datetime.now(dt.UTC)
        open_statuses = [CaseStatus.NEW.value, CaseStatus.IN_REVIEW.value, CaseStatus.APPEALED.value]
        with self.inst.db.session() as s:
            by_kind = s.execute(select(Case.kind, func.count()).where(Case.status.in_(open_statuses))
                                .group_by(Case.kind)).all()
            overdue = s.scalar(select(func.count()).select_from(Case).where(
                Case.status.in_(open_statuses), Case.due_at < now)) or 0
            recent = s.execute(select(Match.bank_id, func.count()).where(
                Match.created_at >= now - dt.timedelta(hours=1)).group_by(Match.bank_id)).all()
            deliveries = s.execute(select(Delivery.status, func.count()).where(
                Delivery.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.DEAD.value]))
                .group_by(Delivery.status)).all()
            heads = dict(((b, t), m) for b, t, m in s.execute(
                select(SignalChange.bank_id, SignalChange.signal_type, func.max(SignalChange.id))
                .group_by(SignalChange.bank_id, SignalChange.signal_type)).all())
            feeds = s.execute(select(TaxiiFeed.id, TaxiiFeed.last_success_at, TaxiiFeed.created_at)
                              .where(TaxiiFeed.enabled.is_(True))).all()
        yield _family("basira_cases_open", "Cases waiting for a decision, by kind.", ["kind"], by_kind)
        yield _family("basira_cases_overdue", "Open cases past their due time.", [], [((), overdue)])
        yield _family("basira_matches_last_hour", "Matches recorded in the last hour, by bank id.", ["bank"],
                      [((str(b),), n) for b, n in recent])
        yield _family("basira_webhook_deliveries", "Webhook deliveries waiting for an attempt (pending) or given up "
                      "(dead).", ["status"], deliveries)
        sizes, behind = [], []
        for (bank_id, signal_type), size, watermark in self.inst.indexes.snapshot():
            labels = (str(bank_id), signal_type)
            sizes.append((labels, size))
            behind.append((labels, max(0, int(heads.get((bank_id, signal_type), watermark) or 0) - watermark)))
        yield _family("basira_index_signals", "Signals held by this process's index, by bank id and signal type.",
                      ["bank", "signal_type"], sizes)
        yield _family("basira_index_changes_behind", "Signal changes in the database not yet in this process's "
                      "index (0 when fresh; an index catches up at its next query).", ["bank", "signal_type"], behind)
        yield _family("basira_sharing_feed_lag_seconds", "Seconds since a TAXII feed's last successful pull (since "
                      "its creation when it never succeeded), by feed id.", ["feed"],
                      [((str(fid),), (now - (ok or made)).total_seconds()) for fid, ok, made in feeds])


def _family(name: str, doc: str, labels: list[str], rows: Iterable[tuple[Any, Any]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for key, value in rows:
        family.add_metric([str(k) for k in (key if isinstance(key, tuple) else (key,))], float(value))
    return family


def install(app: Any, inst: Instance) -> None:
    """Add the middleware and the routes to ``app``."""
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(RequestObserver, metrics=metrics)
    app.include_router(router)


router = APIRouter(tags=["health"])


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process answers (nothing else is checked): answered on the event loop, never queued behind requests
    waiting for a thread of the pool."""
    return {"status": "ok"}


@router.get("/health/ready", responses={503: {"description": "Not ready: the database does not answer or its "
                                                               "schema is not at the newest migration."}})
def ready(inst: InstanceDep) -> JSONResponse:
    """Ready for traffic: the database answers and its schema is current."""
    from basira.core.db import schema_is_current

    try:
        with inst.db.session() as s:
            s.execute(text("SELECT 1"))
        current = schema_is_current(inst.db.engine)
    except Exception as e:  # any database failure means "not ready", said with its kind
        return JSONResponse({"status": "unavailable", "reason": f"the database does not answer "
                             f"({type(e).__name__})"}, status_code=503)
    if not current:
        return JSONResponse({"status": "unavailable", "reason": "the database schema is not at the newest "
                             "migration (run basira serve or basira migrate once)"}, status_code=503)
    return JSONResponse({"status": "ok"})


#: How many times a scrape in multiprocess mode reads the workers' files when one is being written as it is read.
_SCRAPE_TRIES = 4


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, inst: InstanceDep) -> Response:
    """Prometheus text format; loopback callers, or the bearer token of ``BASIRA_METRICS_TOKEN``."""
    token = inst.settings.metrics_token
    presented = request.headers.get("authorization", "")
    client = request.client.host if request.client else ""
    allowed = (hmac.compare_digest(presented, f"Bearer {token}") if token
               else client in {"127.0.0.1", "::1"})
    if not allowed:
        return JSONResponse({"type": "about:blank", "title": "Forbidden", "status": 403,
                             "detail": "metrics are for loopback callers or the bearer token of "
                                       "BASIRA_METRICS_TOKEN"}, status_code=403,
                            media_type="application/problem+json")
    registry = CollectorRegistry()
    multiproc = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=multiproc)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(request.app.state.metrics.registry))
    registry.register(DatabaseGauges(inst))
    for attempt in range(_SCRAPE_TRIES):
        try:
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
        except (struct.error, RuntimeError) as e:
            # Another worker is creating or growing its metrics file as this one reads it (the file is there before
            # its first bytes are): read again in a moment.
            if not multiproc:
                raise
            if attempt == _SCRAPE_TRIES - 1:
                return JSONResponse({"type": "about:blank", "title": "Service Unavailable", "status": 503,
                                     "detail": f"the workers' metrics files could not be read ({e}); try again"},
                                    status_code=503, media_type="application/problem+json")
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


class _Forward(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.source = registry

    def collect(self) -> Iterator[Any]:
        yield from self.source.collect()
