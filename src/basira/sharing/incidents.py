"""Crisis incidents (in the spirit of GIFCT's Content Incident Protocol): signals pushed to partners at once.

An organization declares an incident on one of its banks (the incident bank). While the incident is open, the
incident pusher (a thread of ``basira serve``, every ``BASIRA_SHARING_INCIDENT_POLL_S``) looks for new signals in
the bank (the outbox's ``signal.added`` events) and POSTs a signed notice to every subscribed partner's webhook;
a partner running Basira receives it on ``POST /v1/sharing/push/{feed id}`` and syncs its feed on the bank's TAXII
collection at once, instead of at its next scheduled round. Each push is logged (who, when, how many signals, the
answer and how long it took). Closing the incident records a debrief; the hourly chart and the debrief report are
drawn from the bank's signals and the notification log. Declaring, subscribing and closing are audited.

Webhooks are signed as Basira's action webhooks are: ``Basira-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
"<unix>.<body>">``, with the secret the two partners agreed on; a receiver refuses a signature older than five
minutes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from basira.core import audit, outbox
from basira.core.banks import get_bank
from basira.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import Event, Signal, utcnow
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.sharing import export, taxii
from basira.sharing.feeds import decrypt, encrypt
from basira.sharing.models import Incident, Notification, Subscriber, TaxiiFeed

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "Basira-Signature"
MAX_SKEW_S = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``Basira-Signature`` value for ``body`` (now, or at ``timestamp``)."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), str(ts).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within :data:`MAX_SKEW_S` of now."""
    if not secret or not header or len(header) > 1000:
        return False
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    ts, given = parts.get("t", ""), parts.get("v1", "")
    if not ts.isdigit() or len(ts) > 12 or abs((time.time() if now is None else now) - int(ts)) > MAX_SKEW_S:
        return False
    expected = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


_syncing: dict[tuple[int, int], threading.Event] = {}
_lock = threading.Lock()


def receive_push(inst: Instance, feed_id: int, body: bytes, header: str) -> None:
    """A partner's signed incident push for one of this instance's feeds: sync the feed now, in a thread (a push
    that comes during a sync makes it run once more, so that nothing added meanwhile waits for the schedule)."""
    from basira.sharing.client import sync_feed

    with inst.db.session() as s:
        feed = s.get(TaxiiFeed, feed_id)
        secret = decrypt(inst.secret_key, feed.push_secret_enc) if feed is not None and feed.enabled else ""
    if not verify(secret, body, header):
        raise PermissionDenied("the push is not signed with this feed's push secret")
    key = (id(inst), feed_id)  # several instances may live in one process (tests, benches)
    with _lock:
        again = _syncing.get(key)
        if again is not None:
            again.set()
            return
        again = _syncing[key] = threading.Event()

    def run() -> None:
        try:
            while True:
                again.clear()
                sync_feed(inst, feed_id)
                with _lock:
                    if not again.is_set():
                        del _syncing[key]
                        return
        except Exception:
            with _lock:
                _syncing.pop(key, None)
            log.exception("push-triggered sync of feed %s failed", feed_id)

    threading.Thread(target=run, name=f"basira-push-{feed_id}", daemon=True).start()


def declare(session: Session, principal: Principal, name: str, bank_ref: int | str, description: str = "") -> Incident:
    """Open an incident on one of the organization's banks (one open incident per bank)."""
    principal.require_bank_write()
    name = name.strip()
    if not 1 <= len(name) <= 200 or len(description) > 5000:
        raise InvalidInput("an incident has a name of 1-200 characters and a description of at most 5,000")
    bank = get_bank(session, principal, bank_ref, Access.OWNER)
    if session.scalar(select(Incident.id).where(Incident.bank_id == bank.id, Incident.status == "open")):
        raise Conflict(f"bank {bank.name!r} already has an open incident")
    last = session.scalar(select(func.max(Event.id))) or 0
    inc = Incident(org_id=principal.org_id, bank_id=bank.id, name=name, description=description, status="open",
                   declared_by=principal.actor, declared_at=utcnow(), debrief="", last_event_id=last)
    session.add(inc)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="sharing.incident.declare",
                 target=f"incident:{inc.id}", details={"bank": bank.id, "name": name})
    return inc


def get_incident(session: Session, principal: Principal, incident_id: int) -> Incident:
    inc = session.get(Incident, incident_id)
    if inc is None or inc.org_id != principal.org_id:
        raise NotFound(f"no incident {incident_id}")
    return inc


def list_incidents(session: Session, principal: Principal) -> list[Incident]:
    return list(session.scalars(select(Incident).where(Incident.org_id == principal.org_id)
                                .order_by(Incident.id.desc())))


def close(session: Session, principal: Principal, incident_id: int, debrief: str) -> Incident:
    """Close an open incident with its debrief (what happened, what was learnt)."""
    principal.require_bank_write()
    inc = get_incident(session, principal, incident_id)
    if inc.status != "open":
        raise Conflict(f"incident {incident_id} is already closed")
    if len(debrief) > 20_000:
        raise InvalidInput("a debrief has at most 20,000 characters")
    inc.status, inc.closed_at, inc.debrief = "closed", utcnow(), debrief
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="sharing.incident.close",
                 target=f"incident:{inc.id}", details={"debrief_chars": len(debrief)})
    return inc


def add_subscriber(session: Session, principal: Principal, instance_secret: str, name: str, url: str,
                   secret: str) -> Subscriber:
    """Subscribe a partner's webhook to the organization's incidents (the same name replaces it)."""
    principal.require_admin()
    name = name.strip()
    parts = urlsplit(url.strip())
    if not 1 <= len(name) <= 200:
        raise InvalidInput("a subscriber name has 1-200 characters")
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise InvalidInput("a subscriber's URL is an http(s) URL")
    if not 16 <= len(secret) <= 4000:
        raise InvalidInput("a push secret has 16-4,000 characters")
    sub = session.scalar(select(Subscriber).where(Subscriber.org_id == principal.org_id, Subscriber.name == name))
    if sub is None:
        sub = Subscriber(org_id=principal.org_id, name=name)
        session.add(sub)
    sub.url, sub.secret_enc, sub.enabled = url.strip(), encrypt(instance_secret, secret), True
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="sharing.subscriber.set",
                 target=f"subscriber:{sub.id}", details={"name": name, "url": sub.url})
    return sub


def list_subscribers(session: Session, principal: Principal) -> list[Subscriber]:
    return list(session.scalars(select(Subscriber).where(Subscriber.org_id == principal.org_id)
                                .order_by(Subscriber.id)))


@dataclass
class PushReport:
    incidents: int = 0
    signals: int = 0
    sent: int = 0
    failed: int = 0


def push_due(inst: Instance, client: httpx.Client) -> PushReport:
    """Push the new signals of every open incident to its organization's subscribers (one notice per incident
    and subscriber per round), logging each push."""
    report = PushReport()
    with inst.db.session() as s:
        open_ = [(i.id, i.org_id, i.bank_id, i.name, i.last_event_id)
                 for i in s.scalars(select(Incident).where(Incident.status == "open"))]
    for inc_id, org_id, bank_id, name, after in open_:
        with inst.db.session() as s:
            events = s.execute(select(Event.id, Event.payload).where(Event.id > after, Event.kind == "signal.added",
                                                                     Event.org_id == org_id)
                               .order_by(Event.id).limit(1000)).all()
            if not events:
                continue
            mine = [p for _, p in events if isinstance(p, dict) and p.get("bank_id") == bank_id]
            subs = [(x.id, x.url, decrypt(inst.secret_key, x.secret_enc)) for x in s.scalars(
                select(Subscriber).where(Subscriber.org_id == org_id, Subscriber.enabled.is_(True)))]
            cid = taxii.collection_id(export.instance_namespace(inst.secret_key), bank_id)
        count = sum(int(p.get("count", 0)) for p in mine)
        notes: list[Notification] = []
        if count:
            report.incidents += 1
            report.signals += count
            body = json.dumps({"type": "basira.incident.signals", "incident": name, "incident_id": inc_id,
                               "collection_id": cid, "signals": count}).encode()
            for sub_id, url, secret in subs:
                notes.append(_push(client, inc_id, sub_id, url, secret, body, count))
                report.sent += notes[-1].error == ""
                report.failed += notes[-1].error != ""
        with inst.db.session() as s:
            inc = s.get(Incident, inc_id, with_for_update=True)
            if inc is not None:
                inc.last_event_id = max(inc.last_event_id, events[-1][0])
            s.add_all(notes)
    return report


def _push(client: httpx.Client, inc_id: int, sub_id: int, url: str, secret: str, body: bytes,
          count: int) -> Notification:
    start = time.perf_counter()
    status, error = 0, ""
    try:
        resp = client.post(url, content=body, headers={"Content-Type": "application/json",
                                                        SIGNATURE_HEADER: sign(secret, body)})
        status = resp.status_code
        if status >= 300:
            error = f"HTTP {status}"
    except httpx.HTTPError as e:
        error = f"no answer ({type(e).__name__})"
    elapsed = int((time.perf_counter() - start) * 1000)
    return Notification(incident_id=inc_id, subscriber_id=sub_id, signals=count, sent_at=utcnow(), status=status,
                        elapsed_ms=elapsed, error=error)


class IncidentPusher(threading.Thread):
    """The thread of ``basira serve`` that runs :func:`push_due` every ``sharing_incident_poll_s``, and at once when
    a transaction of this process that added signals commits (an API call, the worker): a signal added through
    this server is pushed without waiting for the next poll. Signals written by another process (the CLI, another
    worker) are found by the poll."""

    def __init__(self, inst: Instance) -> None:
        super().__init__(name="basira-incidents", daemon=True)
        self.inst = inst
        self.interval = float(inst.settings.sharing_incident_poll_s)
        self._stop_event = threading.Event()
        self._wake = threading.Event()

    def _after_commit(self, session: Session) -> None:
        kinds = session.info.pop(outbox.EMITTED_KINDS, None)
        if kinds and "signal.added" in kinds:
            self._wake.set()

    @staticmethod
    def _after_rollback(session: Session) -> None:
        session.info.pop(outbox.EMITTED_KINDS, None)

    def run(self) -> None:
        sessions = self.inst.db.sessions
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_rollback", self._after_rollback)
        try:
            with httpx.Client(timeout=self.inst.settings.sharing_push_timeout_s, follow_redirects=False) as client:
                while not self._stop_event.is_set():
                    self._wake.clear()
                    try:
                        push_due(self.inst, client)
                    except Exception:  # the database is briefly unreachable: the next round tries again
                        log.exception("incident push round failed")
                    self._wake.wait(self.interval)
        finally:
            event.remove(sessions, "after_commit", self._after_commit)
            event.remove(sessions, "after_rollback", self._after_rollback)

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()
        if self.is_alive():
            self.join(self.inst.settings.sharing_push_timeout_s + 5)


def hourly(session: Session, inc: Incident) -> list[tuple[dt.datetime, int, int]]:
    """(hour, signals added to the incident bank, pushes sent) for each hour from declaration to close (or now),
    at most 14 days of hours."""
    start = inc.declared_at.replace(minute=0, second=0, microsecond=0)
    end = inc.closed_at or utcnow()
    hours = min(int((end - start).total_seconds() // 3600) + 1, 14 * 24)
    added = [0] * hours
    pushed = [0] * hours
    for (created,) in session.execute(select(Signal.created_at).where(Signal.bank_id == inc.bank_id,
                                                                      Signal.created_at >= inc.declared_at)):
        i = int((created - start).total_seconds() // 3600)
        if 0 <= i < hours:
            added[i] += 1
    for (sent,) in session.execute(select(Notification.sent_at).where(Notification.incident_id == inc.id)):
        i = int((sent - start).total_seconds() // 3600)
        if 0 <= i < hours:
            pushed[i] += 1
    return [(start + dt.timedelta(hours=i), added[i], pushed[i]) for i in range(hours)]


@dataclass
class Debrief:
    """The figures of an incident's debrief report."""

    incident: Incident
    signals: int
    partners: int
    pushes: int
    failed: int
    median_ms: int | None
    max_ms: int | None
    log: list[dict[str, Any]]


def debrief(session: Session, principal: Principal, incident_id: int) -> Debrief:
    inc = get_incident(session, principal, incident_id)
    signals = session.scalar(select(func.count()).select_from(Signal).where(
        Signal.bank_id == inc.bank_id, Signal.created_at >= inc.declared_at)) or 0
    rows = session.execute(select(Notification, Subscriber.name).join(Subscriber,
                                                                      Subscriber.id == Notification.subscriber_id)
                           .where(Notification.incident_id == inc.id).order_by(Notification.id)).all()
    ok = sorted(n.elapsed_ms for n, _ in rows if not n.error)
    return Debrief(inc, int(signals), len({name for _, name in rows}), len(rows), sum(1 for n, _ in rows if n.error),
                   ok[len(ok) // 2] if ok else None, ok[-1] if ok else None,
                   [{"partner": name, "sent_at": n.sent_at, "signals": n.signals, "status": n.status,
                     "elapsed_ms": n.elapsed_ms, "error": n.error} for n, name in rows[-500:]])


def chart_svg(rows: list[tuple[dt.datetime, int, int]]) -> str:
    """The hourly chart as an inline SVG element: signals added (bars) and pushes sent (line) per hour (UTC).

    Only numbers and hours are drawn, so one chart serves every language (the page titles it)."""
    import io

    import matplotlib
    from matplotlib.figure import Figure

    style: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "basira", "font.size": 8,
             "axes.spines.top": False,
             "axes.spines.right": False}
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(6.4, 2.4))
        ax = fig.subplots()
        xs = list(range(len(rows)))
        ax.bar(xs, [a for _, a, _ in rows], color="#1f5f8b")
        ax.plot(xs, [p for _, _, p in rows], color="#b5462f", marker="o", markersize=3)
        step = max(1, len(rows) // 8)
        ax.set_xticks(xs[::step], [h.strftime("%d %H:00") for h, _, _ in rows][::step])
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]
