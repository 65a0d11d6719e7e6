"""Pulling a partner's TAXII 2.1 collection into a local bank with ``taxii2-client``, page by page, safely.

Each page is taken in one transaction together with the feed's checkpoint, so a sync that fails half-way leaves
the bank and the checkpoint as they were after the last good page. The partner is hostile until proven otherwise:
every answer is read with a time limit and a size limit, 429 and 5xx answers and silences are retried with
exponential back-off (``Retry-After`` honoured), a ``next`` cursor seen twice stops the run, and a failure is kept
on the feed (``basira sharing status``) with the number of failures in a row.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import requests
from requests.structures import CaseInsensitiveDict
from taxii2client.common import _HTTPConnection
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection

from basira import __version__
from basira.core.banks import get_bank
from basira.core.errors import BasiraError, InvalidInput
from basira.core.exercise import refuse_exercise
from basira.core.instance import Instance
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.sharing import export, ingest, stix
from basira.sharing.feeds import decrypt
from basira.sharing.models import TaxiiFeed

log = logging.getLogger(__name__)
#: Re-read this much before the checkpoint: an object committed late on the partner with an earlier date_added
#: is still taken (versions already held are ignored, so the overlap costs nothing else).
OVERLAP = dt.timedelta(seconds=5)
MAX_CURSOR = 500


class PartnerError(BasiraError):
    """A partner's TAXII server failed, answered something unusable, or could not be reached."""

    status = 502
    exit_code = 69
    title = "Partner server error"


class _Refused(PartnerError):
    """The partner answered 4xx (kept apart so that a stale cursor can be dropped)."""

    status = 502
    exit_code = 69
    title = "Partner server refused the request"


class GuardedConnection(_HTTPConnection):  # type: ignore[misc]
    """taxii2-client's connection with a deadline, a size limit, retries with back-off and the last headers kept."""

    retry_statuses: ClassVar[frozenset[int]] = frozenset({429, 500, 502, 503, 504})

    def __init__(self, *, user: str, secret: str, timeout: float, max_bytes: int, attempts: int,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(user=user or None, password=secret if user else None, version="2.1",
                         user_agent=f"basira/{__version__} taxii2-client")
        if secret and not user:
            self.session.headers["Authorization"] = f"Bearer {secret}"
        self.timeout, self.max_bytes, self.attempts, self.sleep = timeout, max_bytes, max(attempts, 1), sleep
        # Header names are case-insensitive (a Basira peer under uvicorn sends them in lower case): kept as such.
        self.last_headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()

    def get(self, url: str, headers: Any = None, params: Any = None) -> Any:
        merged = self._merge_headers(headers)
        merged.setdefault("Accept", "application/taxii+json;version=2.1")
        problem = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self._delay(attempt, problem))
            try:
                resp = self.session.get(url, headers=merged, params=params, stream=True,
                                        timeout=(self.timeout, self.timeout))
            except requests.RequestException as e:
                problem = f"no answer from {url} ({type(e).__name__})"
                continue
            with resp:
                if resp.status_code in self.retry_statuses:
                    problem = f"{url} answered HTTP {resp.status_code}"
                    self._retry_after = resp.headers.get("Retry-After", "")
                    continue
                if resp.status_code >= 400:
                    raise _Refused(f"{url} answered HTTP {resp.status_code}: {self._text(resp)}")
                body = self._read(resp, url)
                if not self.valid_content_type(resp.headers.get("Content-Type", ""), merged["Accept"]):
                    raise PartnerError(f"{url} answered {resp.headers.get('Content-Type', 'no media type')!r}, "
                                       "not TAXII 2.1 JSON")
                self.last_headers = CaseInsensitiveDict(resp.headers)
            parsed = ingest.parse_json(body, self.max_bytes, f"the answer of {url}")
            if not isinstance(parsed, dict):
                raise PartnerError(f"the answer of {url} is not a JSON object")
            return parsed
        raise PartnerError(f"gave up after {self.attempts} attempts: {problem}")

    _retry_after = ""

    def _delay(self, attempt: int, problem: str) -> float:
        wanted = self._retry_after.strip()
        self._retry_after = ""
        if wanted.isdigit():
            return min(float(wanted), 60.0)
        return min(0.5 * float(2 ** (attempt - 1)), 60.0)

    def _read(self, resp: requests.Response, url: str) -> bytes:
        deadline = time.monotonic() + self.timeout
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise PartnerError(f"the answer of {url} is over the limit of {self.max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise PartnerError(f"{url} took over {self.timeout:g} s to send its answer")
                chunks.append(chunk)
        except requests.RequestException as e:
            raise PartnerError(f"{url} broke off its answer ({type(e).__name__})") from None
        return b"".join(chunks)

    @staticmethod
    def _text(resp: requests.Response) -> str:
        try:
            return next(resp.iter_content(300), b"").decode("utf-8", "replace").strip()[:200]
        except requests.RequestException:
            return ""

    def post(self, url: str, headers: Any = None, params: Any = None, **kwargs: Any) -> Any:
        raise PartnerError("a feed only reads from its partner through taxii2-client (opinions go by send)")

    def send(self, url: str, body: bytes) -> dict[str, Any]:
        """POST an envelope to ``url`` (the partner's objects resource) once; the status resource it answers."""
        headers = self._merge_headers({"Accept": "application/taxii+json;version=2.1",
                                       "Content-Type": "application/taxii+json;version=2.1"})
        try:
            resp = self.session.post(url, headers=headers, data=body, stream=True,
                                     timeout=(self.timeout, self.timeout))
        except requests.RequestException as e:
            raise PartnerError(f"no answer from {url} ({type(e).__name__})") from None
        with resp:
            if resp.status_code >= 400:
                raise PartnerError(f"{url} answered HTTP {resp.status_code}: {self._text(resp)}")
            raw = self._read(resp, url)
        parsed = ingest.parse_json(raw, self.max_bytes, f"the answer of {url}")
        if not isinstance(parsed, dict):
            raise PartnerError(f"the answer of {url} is not a JSON object")
        return parsed


@dataclass
class SyncReport:
    """What one sync of a feed did; ``error`` is empty when it went to the end."""

    feed_id: int
    feed: str
    pages: int = 0
    objects: int = 0
    added: int = 0
    revoked: int = 0
    ignored: int = 0
    refused: int = 0
    opinions_sent: int = 0
    error: str = ""
    checkpoint: str | None = None


def _feed_principal(feed: TaxiiFeed) -> Principal:
    from basira.core.models import Role

    return Principal(org_id=feed.org_id, role=Role.ANALYST, actor=f"taxii-feed:{feed.name}"[:64])


def _cursor(envelope: dict[str, Any], seen: set[str]) -> tuple[bool, str | None]:
    more, nxt = envelope.get("more", False) is True, envelope.get("next")
    if nxt is not None and (not isinstance(nxt, str) or not 0 < len(nxt) <= MAX_CURSOR):
        raise PartnerError(f"the partner's next cursor is not text of 1-{MAX_CURSOR} characters")
    if more and not nxt:
        raise PartnerError("the partner says more objects follow but gives no next cursor")
    if more and nxt in seen:
        raise PartnerError("the partner's next cursor loops (a cursor came back twice in one sync)")
    return more, nxt


def sync_feed(inst: Instance, feed_id: int, *, progress: Callable[[SyncReport], None] | None = None,
              sleep: Callable[[float], None] = time.sleep, page_size: int = 1000,
              max_pages: int = 10_000) -> SyncReport:
    """Pull one feed from its checkpoint to the end of the partner's collection (see the module docstring)."""
    with inst.db.session() as s:
        feed = s.get(TaxiiFeed, feed_id)
        if feed is None:
            raise InvalidInput(f"no feed {feed_id}")
        refuse_exercise(s, feed.org_id, "pull from or report to a partner's TAXII server")
        report = SyncReport(feed.id, feed.name, checkpoint=feed.added_after)
        user, secret = feed.username, decrypt(inst.secret_key, feed.secret_enc)
        url = f"{feed.api_root}collections/{feed.collection_id}/"
        collection_id = feed.collection_id
    conn = GuardedConnection(user=user, secret=secret, timeout=float(inst.settings.sharing_timeout_s),
                             max_bytes=inst.settings.sharing_max_bundle_bytes,
                             attempts=inst.settings.sharing_retries, sleep=sleep)
    try:
        # The collection's description is known: taxii2-client would otherwise fetch it before each sync (one
        # round trip more on the push path); a collection the partner no longer lets us read answers 403 anyway.
        coll = Collection(url, conn=conn, collection_info={
            "id": collection_id, "title": report.feed, "can_read": True, "can_write": False,
            "media_types": ["application/stix+json;version=2.1"]})
        _pull(inst, feed_id, coll, conn, report, progress, page_size, max_pages)
        report.opinions_sent = send_opinions(inst, feed_id, conn, url)
    except (BasiraError, TAXIIServiceException, requests.RequestException, TypeError, ValueError) as e:
        report.error = e.detail if isinstance(e, BasiraError) else f"unusable answer ({type(e).__name__}: {e})"[:500]
        log.warning("feed %s: %s", report.feed, report.error)
    finally:
        conn.close()
    _finish(inst, feed_id, report)
    return report


def _pull(inst: Instance, feed_id: int, coll: Collection, conn: GuardedConnection, report: SyncReport,
          progress: Callable[[SyncReport], None] | None, page_size: int, max_pages: int) -> None:
    with inst.db.session() as s:
        feed = s.get(TaxiiFeed, feed_id)
        if feed is None:
            raise InvalidInput(f"no feed {feed_id}")
        start, cursor = feed.added_after, feed.next_cursor
    seen: set[str] = set()
    newest = start
    while report.pages < max_pages:
        params: dict[str, Any] = {"limit": page_size}
        if start:
            params["added_after"] = stix.timestamp(stix.parse_timestamp(start, "the checkpoint") - OVERLAP)
        if cursor:
            params["next"] = cursor
        try:
            envelope = coll.get_objects(**params)
        except _Refused:
            if not cursor:
                raise
            cursor = None  # the partner forgot our cursor: start again from the checkpoint
            continue
        objects = ingest.objects_of(envelope, "the partner's envelope")
        more, nxt = _cursor(envelope, seen)
        last = conn.last_headers.get("X-TAXII-Date-Added-Last")
        if last is not None:
            last = stix.timestamp(stix.parse_timestamp(last, "X-TAXII-Date-Added-Last"))
            newest = max(newest or last, last)
        _take_page(inst, feed_id, objects, report, nxt if more else None, None if more else newest)
        if progress is not None:
            progress(report)
        if not more:
            return
        seen.add(str(nxt))
        cursor = nxt


def _take_page(inst: Instance, feed_id: int, objects: list[Any], report: SyncReport, cursor: str | None,
               checkpoint: str | None) -> None:
    with inst.db.session() as s:
        feed = s.get(TaxiiFeed, feed_id, with_for_update=True)
        if feed is None:
            raise InvalidInput(f"feed {feed_id} was removed during the sync")
        principal = _feed_principal(feed)
        bank = get_bank(s, principal, feed.bank_id, Access.OWNER)  # the feed's bank must still be its own
        got = ingest.apply_objects(s, inst, ingest.Target(bank, principal, feed.id, f"taxii:{feed.name}"), objects)
        feed.next_cursor = cursor
        if checkpoint is not None:
            feed.added_after = checkpoint
        feed.objects_received += len(objects)
    report.pages += 1
    report.objects += len(objects)
    report.added += got.added
    report.revoked += got.revoked
    report.ignored += len(got.ignored)
    report.refused += len(got.failures)
    report.checkpoint = checkpoint or report.checkpoint
    for oid, _, why in got.failures[:20]:
        log.info("feed %s refused %s: %s", report.feed, oid or "an object", why)


def send_opinions(inst: Instance, feed_id: int, conn: GuardedConnection, url: str) -> int:
    """Send the organization's new opinions on the feed's signals back to the partner (see
    :mod:`basira.sharing.opinions`); the watermark moves only past what the partner took."""
    from basira.sharing import opinions

    sent = 0
    ns = export.instance_namespace(inst.secret_key)
    while True:
        with inst.db.session() as s:
            feed = s.get(TaxiiFeed, feed_id)
            if feed is None:
                return sent
            batch = opinions.outgoing(s, ns, feed, limit=500)
        if not batch:
            return sent
        status = conn.send(f"{url}objects/", opinions.envelope([o for o, _ in batch]))
        given = status.get("failures")
        failures: list[Any] = given if isinstance(given, list) else []
        with inst.db.session() as s:
            feed = s.get(TaxiiFeed, feed_id, with_for_update=True)
            if feed is None:
                return sent
            feed.opinions_after = batch[-1][1]  # refused ones are not sent again: the reason is kept below
            feed.opinions_sent += len(batch) - len(failures)
        if failures:
            first = failures[0] if isinstance(failures[0], dict) else {}
            raise PartnerError(f"the partner refused {len(failures)} opinion(s): "
                               f"{str(first.get('message', 'no reason given'))[:200]}")
        sent += len(batch)


def _finish(inst: Instance, feed_id: int, report: SyncReport) -> None:
    with inst.db.session() as s:
        feed = s.get(TaxiiFeed, feed_id)
        if feed is None:
            return
        feed.last_sync_at = utcnow()
        if report.error:
            feed.failures += 1
            feed.last_error = report.error[:2000]
        else:
            feed.failures, feed.last_error, feed.last_success_at = 0, "", feed.last_sync_at
        report.checkpoint = feed.added_after


def sync_due(inst: Instance, now: dt.datetime | None = None) -> list[SyncReport]:
    """Sync every feed whose turn has come (the background worker calls this each round)."""
    from basira.sharing.feeds import due_feeds

    with inst.db.session() as s:
        due = due_feeds(s, now)
    return [sync_feed(inst, fid) for fid in due]
