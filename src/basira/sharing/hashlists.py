"""The hash-sharing exchanges besides ThreatExchange, through python-threatexchange: Tech Against Terrorism,
StopNCII, NCMEC, and a file of signals.

python-threatexchange (pytx, ``threatexchange``) ships a ``SignalExchangeAPI`` for each of them; Basira drives
those: pytx's ``fetch_iter`` walks the exchange from pytx's checkpoint (``TATCheckpoint``, ``StopNCIICheckpoint``,
``NCMECCheckpoint``, kept as JSON on the exchange with ``dataclasses.asdict``), pytx's
``naive_convert_to_signal_type`` turns the records into PDQ and video-MD5 signals (a value pytx's signal type
refuses is counted as refused), the members' opinions are counted from pytx's records (``get_as_opinions``:
positive and negative classes), and the organization's opinions go back with pytx's client methods where the
exchange takes them (StopNCII's ``submit_feedbacks``, NCMEC's ``submit_feedback``). Each delta pytx yields becomes
one :class:`Delta`, taken in one transaction with its checkpoint, as the ThreatExchange adapter does
(``sharing/exchanges.py``).

pytx's clients are used as they are except where they are unsafe or wrong; each change is a small subclass that
overrides one thing:

- **Transport, every client** (``_get_session``): pytx's sessions wait up to 60 s per read with no limit on the
  whole answer, read answers of any size, retry only GETs, and follow whatever URL an answer names. Basira's
  :class:`GuardedSession` (built from pytx's session, so pytx's headers and HTTP Basic credentials are kept) sends
  every request (GET, POST, PUT) with the sharing time limit on the whole answer, reads at most
  ``BASIRA_SHARING_MAX_BUNDLE_BYTES``, retries on 429/5xx and silence with back-off (0.5 s, 1 s, 2 s...,
  ``Retry-After`` honoured up to 60 s), refuses a URL on another server than the configured endpoint and a GET of a
  URL already asked in the same sync (a looping cursor), and ends a refusal (401, 403, 404...) with the status.
- **TAT** (``TATHashListAPI.fetch_hashes``): pytx builds the next page's URL as ``BASE_URL + endpoint + "?" +
  next`` although TAT's ``next`` is a full URL, logs in again for every page, and builds its records with
  ``TATHashListEntry(**entry)`` (an extra or missing field is a TypeError, a wrong type passes). Basira's override
  logs in once, asks the first page with ``order`` and ``after`` and then each ``next`` as given, and checks the
  type of every field it reads; it also keeps each record's ideology (pytx's record drops it) for the label
  ``tat:IDEOLOGY``. ``TATSignalExchangeAPI.get_client`` is overridden to hand pytx's exchange this client. The
  endpoint is set on the client (pytx's ``BASE_URL`` is fixed).
- **StopNCII** (``StopNCIIAPI._get`` and ``fetch_hashes``, ``StopNCIISignalExchangeAPI.fetch_iter``): the answer's
  shape is checked before pytx's dacite parsing (pytx's parsing fails on a non-object with an AttributeError),
  ``hasMoreRecords`` without a ``nextPageToken`` is refused (pytx would ask the first page again), and withdrawn
  or deleted hashes become deletions: pytx compares the hash *value* to the statuses Withdrawn and Deleted, so it
  never deletes; the override runs pytx's ``fetch_iter`` and turns the records whose ``hashStatus`` is Withdrawn
  or Deleted into deletions. A checkpoint pytx calls stale (not used for 30 days, ``is_stale``) is dropped: the
  fetch starts again from the beginning (records are each hash's current state, so this is safe).
- **NCMEC** (``NCMECHashAPI._get`` and ``get_entries``, ``NCMECSignalExchangeAPI.get_client``): answers are parsed
  with defusedxml (a DTD or entity is refused; pytx uses the standard parser), ``paging/next`` must be a path on
  the endpoint's server, the ``from``/``to`` dates are written in UTC (pytx writes local time with a ``Z``), and a
  malformed answer ends with a clear reason instead of pytx's bare ``Exception``. pytx's window strategy (entries
  are not in time order: a window counts once exhausted; windows shrink when an answer pages and grow after quiet
  ones) and its mid-window checkpoint with the paging URL (valid 12 hours) are used as they are. Only what pytx
  converts is taken: PDQ of images, MD5 of videos (an image's MD5 and other fingerprints are counted as skipped);
  a tombstone (``deletedImage``/``deletedVideo``) names the entry ("member-id"), and every signal the entry
  brought is disabled.
- **File**: pytx's ``LocalFileSignalExchangeAPI.fetch_iter`` reads the file (``TYPE VALUE`` a line, or values with
  the exchange's default type) after Basira's streamed pre-pass: the file must be inside the instance's
  ``exchange-files`` folder (links leading out refused), at most ``max(BASIRA_SHARING_MAX_BUNDLE_BYTES, 64 MiB)``,
  UTF-8, lines of at most 64 KiB; its SHA-256 is Basira's checkpoint (pytx's file exchange has none and reads the
  whole file each time); an unchanged file is not read again. The file is the whole list: a line gone since the
  last sync disables its signal. Basira's type name ``md5`` is read as pytx's ``video_md5``.

Write-back: StopNCII takes feedback (confirmed: Blocked, false positive: NotBlocked) when a feedback function key
is configured. NCMEC takes feedback per fingerprint of an entry: confirmed is an upvote, false positive a
downvote, which NCMEC takes only with a reason; pytx picks the reason when NCMEC offers exactly one for the
fingerprint type, otherwise the downvote is not sent (logged). TAT takes no feedback (pytx's client has none), nor
does a file (pytx's ``report_opinion`` would append our signal to the partner's file). "Seen" goes to none of them
(neither pytx nor these APIs have it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dacite
import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
import requests
from defusedxml.common import DefusedXmlException  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session
from threatexchange.exchanges.clients.ncmec import hash_api as ncmec_api
from threatexchange.exchanges.clients.stopncii import api as stopncii_api
from threatexchange.exchanges.clients.techagainstterrorism import api as tat_api
from threatexchange.exchanges.collab_config import CollaborationConfigWithDefaults
from threatexchange.exchanges.fetch_state import FetchDelta, FetchedSignalMetadata, SignalOpinionCategory
from threatexchange.exchanges.impl.file_api import FileCollaborationConfig, LocalFileSignalExchangeAPI
from threatexchange.exchanges.impl.ncmec_api import (
    NCMECCheckpoint,
    NCMECCollabConfig,
    NCMECSignalExchangeAPI,
    _NCMECPagingInfo,
)
from threatexchange.exchanges.impl.stop_ncii_api import (
    StopNCIICheckpoint,
    StopNCIISignalExchangeAPI,
    StopNCIISignalMetadata,
)
from threatexchange.exchanges.impl.techagainstterrorism_api import TATCheckpoint, TATSignalExchangeAPI
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.signal_base import SignalType

from basira.core import audit, outbox
from basira.core.banks import SignalSpec, add_signals_batch, get_bank, validate_spec
from basira.core.errors import BasiraError, NotFound
from basira.core.indexes import record_change
from basira.core.instance import Instance
from basira.core.models import Opinion, Role, Signal, utcnow
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.sharing.models import Exchange, ExchangeRecord

log = logging.getLogger(__name__)

API_TAT, API_STOPNCII, API_NCMEC, API_FILE = "tat", "stopncii", "ncmec", "file"
DEFAULT_ENDPOINTS = {API_TAT: tat_api.TATHashListAPI.BASE_URL, API_STOPNCII: stopncii_api.StopNCIIAPI.BASE_URL + "/",
                     API_NCMEC: ncmec_api.NCMECEnvironment.Industry.value + "/"}
#: The credentials each exchange needs (stored encrypted as one JSON object).
CREDENTIALS = {API_TAT: ("username", "password"), API_NCMEC: ("username", "password"),
               API_STOPNCII: ("subscription_key", "fetch_function_key"), API_FILE: ()}
OPTIONAL_CREDENTIALS = {API_STOPNCII: ("feedback_function_key",)}
FILES_FOLDER = "exchange-files"
MAX_LINE = 64 * 1024
FILE_PAGE = 5000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: pytx's signal types Basira takes from these exchanges, and the Basira signal type each becomes.
PYTX_TYPES: dict[type[SignalType], str] = {PdqSignal: "pdq", VideoMD5Signal: "md5"}
_BY_NAME = {st.get_name(): basira for st, basira in PYTX_TYPES.items()}
#: A file's type names (pytx's, and Basira's ``md5``), as pytx's names.
FILE_TYPES = {"pdq": PdqSignal.get_name(), "video_md5": VideoMD5Signal.get_name(), "md5": VideoMD5Signal.get_name()}


class ExchangeError(BasiraError):
    """The exchange failed, answered something unusable, or could not be reached."""

    status = 502
    exit_code = 69
    title = "Exchange error"


@dataclass
class Record:
    signal_type: str
    value: str
    key: str
    labels: list[str] = field(default_factory=list)
    positive: int = 0
    negative: int = 0


@dataclass
class Delta:
    """One page: additions, deletions by (type, value) and by record key, and the checkpoint after it."""

    added: list[Record]
    gone_values: list[tuple[str, str]]
    gone_keys: list[str]
    checkpoint: dict[str, Any]
    skipped: int = 0
    refused: int = 0


# --- the transport under pytx's clients --------------------------------------------------------------------------

class Transport:
    """One sync's HTTP limits and memory (the URLs asked), shared by every session pytx's client opens."""

    def __init__(self, endpoint: str, *, timeout: float, max_bytes: int, attempts: int,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        base = urlsplit(self.endpoint)
        self.origin = (base.scheme, base.netloc)
        self.timeout, self.max_bytes, self.attempts, self.sleep = timeout, max_bytes, max(1, attempts), sleep
        self.seen: set[str] = set()

    def session(self, base: Any = None) -> GuardedSession:
        """A guarded session carrying the headers and credentials pytx put on ``base`` (which is closed)."""
        session = GuardedSession(self)
        if base is not None:
            session.headers.update(base.headers)
            session.auth = base.auth
            base.close()
        return session

    def check(self, method: str, url: str) -> None:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self.origin:
            raise ExchangeError("the exchange named a URL on another server than its endpoint")
        if method == "GET":
            if url in self.seen:
                raise ExchangeError("the exchange's paging loops (a page came back twice in one sync)")
            self.seen.add(url)

    @staticmethod
    def delay(attempt: int, retry_after: str) -> float:
        wanted = retry_after.strip()
        if wanted.isdigit():
            return min(float(wanted), 60.0)
        return min(0.5 * float(2 ** (attempt - 1)), 60.0)

    def read(self, resp: Any) -> bytes:
        deadline = time.monotonic() + self.timeout
        body: list[bytes] = []
        size = 0
        try:
            for chunk in resp.iter_content(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise ExchangeError(f"the exchange's answer is over {self.max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise ExchangeError(f"the exchange took over {self.timeout:g} s to send its answer")
                body.append(chunk)
        except requests.RequestException as e:
            raise ExchangeError(f"the exchange's answer broke off ({type(e).__name__})") from None
        return b"".join(body)


class GuardedSession(requests.Session):
    """A requests session for pytx's clients: the limits of :class:`Transport` on every request."""

    def __init__(self, transport: Transport) -> None:
        super().__init__()
        self.transport = transport

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError("GuardedSession.request takes keyword arguments")
        method = (method.decode() if isinstance(method, bytes) else str(method)).upper()
        params = kwargs.pop("params", None)
        full = requests.Request(method, str(url), params=params).prepare().url or str(url)
        t = self.transport
        t.check(method, full)
        kwargs.update(stream=True, timeout=t.timeout, allow_redirects=False)
        problem, retry_after = "", ""
        for attempt in range(t.attempts):
            if attempt:
                t.sleep(t.delay(attempt, retry_after))
                retry_after = ""
            try:
                resp = super().request(method, full, **kwargs)
            except requests.RequestException as e:
                problem = f"no answer ({type(e).__name__})"
                continue
            if resp.status_code in RETRY_STATUSES:
                problem, retry_after = f"HTTP {resp.status_code}", str(resp.headers.get("Retry-After", ""))
                resp.close()
                continue
            if resp.status_code >= 300:
                resp.close()
                raise ExchangeError(f"the exchange answered HTTP {resp.status_code}"
                                    + (" (check the credentials)" if resp.status_code in (401, 403) else ""))
            try:
                resp._content = t.read(resp)
            finally:
                resp.close()
            return resp
        raise ExchangeError(f"gave up after {t.attempts} attempts: {problem}")


# --- checked reading of answers ---------------------------------------------------------------------------------

def _field(doc: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str, *, optional: bool = False) -> Any:
    value = doc.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ExchangeError(f"{what}: {name!r} is missing or of the wrong type")
    return value


def _list(doc: dict[str, Any], name: str, what: str, limit: int = 100_000) -> list[dict[str, Any]]:
    items = _field(doc, name, list, what)
    if len(items) > limit:
        raise ExchangeError(f"{what}: {name!r} holds over {limit:,} records")
    if not all(isinstance(x, dict) for x in items):
        raise ExchangeError(f"{what}: {name!r} holds something that is not a JSON object")
    return list(items)


def _object(doc: Any, what: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ExchangeError(f"{what} is not a JSON object")
    return doc


# --- pytx records into pages ------------------------------------------------------------------------------------

def _opinion_counts(meta: FetchedSignalMetadata) -> tuple[int, int]:
    ops = meta.get_as_opinions()
    return (sum(o.category == SignalOpinionCategory.POSITIVE_CLASS for o in ops),
            sum(o.category == SignalOpinionCategory.NEGATIVE_CLASS for o in ops))


def _simple_page(api: Any, collab: Any, updates: dict[tuple[str, str], FetchedSignalMetadata | None],
                 labels: Callable[[str, FetchedSignalMetadata], list[str]]) -> Delta:
    """A pytx delta keyed by (signal type name, value) as a page: ``None`` deletes; the rest goes through pytx's
    ``naive_convert_to_signal_type`` (a known type whose value pytx refuses is counted as refused)."""
    delta = Delta([], [], [], {})
    live = {k: v for k, v in updates.items() if v is not None}
    for (name, value), rec in updates.items():
        if rec is None:
            if name in _BY_NAME:
                delta.gone_values.append((_BY_NAME[name], value))
            else:
                delta.skipped += 1
    converted = api.naive_convert_to_signal_type(list(PYTX_TYPES), collab, live)
    for st, records in converted.items():
        for value, meta in records.items():
            positive, negative = _opinion_counts(meta)
            delta.added.append(Record(PYTX_TYPES[st], value, f"{PYTX_TYPES[st]} {value}"[:300], labels(value, meta),
                                      positive, negative))
    known = sum(1 for name, _ in live if name in _BY_NAME)
    delta.refused += known - len(delta.added)
    delta.skipped += len(live) - known
    return delta


# --- Tech Against Terrorism ---------------------------------------------------------------------------------------

class GuardedTATClient(tat_api.TATHashListAPI):
    """pytx's TAT client on the guarded transport, logging in once, following ``next`` as TAT gives it."""

    def __init__(self, username: str, password: str, *, transport: Transport) -> None:
        super().__init__(username, password)
        self.BASE_URL = transport.endpoint  # type: ignore[misc]
        self.transport = transport
        self._token = ""
        self.page_records = 0
        self.ideologies: dict[str, str] = {}

    @contextmanager
    def _get_session(self, auth_token: str | None = None) -> Iterator[Any]:
        with super()._get_session(auth_token) as base:
            with self.transport.session(base) as session:
                yield session

    def fetch_hashes(self, next_page: str | None = None, order: str = "asc",
                     after: str = "") -> tat_api.TATHashListResponse:
        if not self._token:
            try:
                token = self.get_auth_token(self.username, self.password)
            except AttributeError:
                raise ExchangeError("TAT's authentication answer is not a JSON object") from None
            if not isinstance(token, str) or not 1 <= len(token) <= 8000 or any(c in token for c in "\r\n"):
                raise ExchangeError("TAT's authentication answer holds no usable token")
            self._token = token
        what = "TAT's hash list page"
        if next_page:
            doc = self._get(full_url=next_page, auth_token=self._token)
        else:
            doc = self._get(full_url=self.BASE_URL + tat_api.TATEndpoint.hash_list.value,
                            auth_token=self._token, order=order, after=after)
        page = _object(doc, what)
        entries = []
        self.ideologies = {}
        for r in _list(page, "results", what):
            entry = {"hash_digest": _field(r, "hash_digest", str, "a TAT record"),
                     "algorithm": str(_field(r, "algorithm", str, "a TAT record")).upper(),
                     "deleted": _field(r, "deleted", bool, "a TAT record"),
                     "file_type": (_field(r, "file_type", str, "a TAT record", optional=True) or "").lower(),
                     "ideology": _field(r, "ideology", str, "a TAT record", optional=True) or "",
                     "updated_on": _field(r, "updated_on", (int, float), "a TAT record", optional=True) or 0,
                     "created_on": r.get("created_on"), "id": r.get("id")}
            if entry["ideology"]:
                self.ideologies[entry["hash_digest"]] = str(entry["ideology"])[:90]
            entries.append(tat_api.TATHashListEntry(**entry))
        self.page_records = len(entries)
        return tat_api.TATHashListResponse(
            count=len(entries), next=_field(page, "next", str, what, optional=True),
            previous=_field(page, "previous", str, what, optional=True),
            checkpoint=_field(page, "checkpoint", str, what, optional=True) or "", results=entries)


class GuardedTATExchange(TATSignalExchangeAPI):
    """pytx's TAT exchange handed Basira's guarded client."""

    def __init__(self, client: GuardedTATClient) -> None:
        super().__init__(client.username, client.password)
        self.client = client

    def get_client(self) -> tat_api.TATHashListAPI:
        return self.client


def fetch_tat(transport: Transport, creds: dict[str, str], checkpoint: dict[str, Any], name: str = "tat",
              ) -> Iterator[Delta]:
    client = GuardedTATClient(creds["username"], creds["password"], transport=transport)
    api = GuardedTATExchange(client)
    collab = CollaborationConfigWithDefaults(name=name, api=API_TAT)
    mark = checkpoint.get("checkpoint")
    start = TATCheckpoint(mark) if isinstance(mark, str) and mark else None

    def labels(value: str, _meta: FetchedSignalMetadata) -> list[str]:
        ideology = client.ideologies.get(value, "")
        return ["tat"] + ([f"tat:{ideology}"] if ideology else [])

    for d in api.fetch_iter(list(PYTX_TYPES), start):
        delta = _simple_page(api, collab, dict(d.updates), labels)
        delta.skipped += client.page_records - len(d.updates)
        delta.checkpoint = dataclasses.asdict(d.checkpoint) if d.checkpoint is not None else {}
        yield delta


# --- StopNCII ------------------------------------------------------------------------------------------------------

_STOPNCII_NAMES = {stopncii_api.StopNCIISignalType.ImagePDQ: PdqSignal.get_name(),
                   stopncii_api.StopNCIISignalType.VideoMD5: VideoMD5Signal.get_name()}
_STOPNCII_GONE = (stopncii_api.StopNCIICaseStatus.Withdrawn, stopncii_api.StopNCIICaseStatus.Deleted)


class GuardedStopNCIIClient(stopncii_api.StopNCIIAPI):
    """pytx's StopNCII client on the guarded transport, with the page's shape checked."""

    def __init__(self, creds: dict[str, str], *, transport: Transport) -> None:
        feedback = creds.get("feedback_function_key")
        super().__init__(creds["subscription_key"], creds["fetch_function_key"],
                         additional_function_keys={stopncii_api.StopNCIIEndpoint.SubmitFeedback: feedback}
                         if feedback else None, base_url_override=transport.endpoint.rstrip("/"))
        self.transport = transport
        self.page_records = 0
        self.last_page: stopncii_api.FetchHashesResponse | None = None

    def _get_session(self, endpoint: stopncii_api.StopNCIIEndpoint) -> Any:
        return self.transport.session(super()._get_session(endpoint))

    def _get(self, endpoint: stopncii_api.StopNCIIEndpoint, **params: Any) -> Any:
        what = "StopNCII's FetchHashes page"
        page = _object(super()._get(endpoint, **params), what)
        _field(page, "hasMoreRecords", bool, what)
        _field(page, "nextSetTimestamp", int, what)
        _field(page, "nextPageToken", str, what, optional=True)
        self.page_records = len(_list(page, "hashRecords", what))
        return page

    def fetch_hashes(self, *, page_size: int = 800, start_timestamp: int = stopncii_api.StopNCIIAPI.DEFAULT_START_TIME,
                     next_page: str = "") -> stopncii_api.FetchHashesResponse:
        try:
            page = super().fetch_hashes(page_size=page_size, start_timestamp=start_timestamp, next_page=next_page)
        except dacite.DaciteError as e:
            raise ExchangeError(f"StopNCII's FetchHashes page is malformed ({str(e)[:200]})") from None
        if page.hasMoreRecords and not page.nextPageToken:
            raise ExchangeError("StopNCII said it has more records but gave no nextPageToken")
        self.last_page = page
        return page


class GuardedStopNCIIExchange(StopNCIISignalExchangeAPI):
    """pytx's StopNCII exchange, with withdrawn and deleted hashes as deletions (pytx compares the hash value to
    the statuses, so it never deletes)."""

    def __init__(self, collab: CollaborationConfigWithDefaults, client: GuardedStopNCIIClient) -> None:
        super().__init__(collab, client)
        self.client = client

    def fetch_iter(self, _supported_signal_types: Sequence[type[SignalType]],
                   checkpoint: StopNCIICheckpoint | None,
                   ) -> Iterator[FetchDelta[tuple[str, str], StopNCIISignalMetadata, StopNCIICheckpoint]]:
        for delta in super().fetch_iter(_supported_signal_types, checkpoint):
            page = self.client.last_page
            for r in page.hashRecords if page is not None else []:
                key = (_STOPNCII_NAMES.get(r.signalType, ""), r.hashValue)
                if r.hashStatus in _STOPNCII_GONE and key in delta.updates:
                    delta.updates[key] = None
            yield delta


def _stopncii_checkpoint(checkpoint: dict[str, Any]) -> StopNCIICheckpoint | None:
    update, fetched = checkpoint.get("update_time"), checkpoint.get("last_fetch_time", 0)
    if not isinstance(update, int) or not isinstance(fetched, int):
        return None
    cp = StopNCIICheckpoint(update, fetched)
    return None if cp.is_stale() else cp


def fetch_stopncii(transport: Transport, creds: dict[str, str], checkpoint: dict[str, Any],
                   client: GuardedStopNCIIClient | None = None, name: str = "stopncii") -> Iterator[Delta]:
    client = client or GuardedStopNCIIClient(creds, transport=transport)
    collab = CollaborationConfigWithDefaults(name=name, api=API_STOPNCII)
    api = GuardedStopNCIIExchange(collab, client)
    for d in api.fetch_iter(list(PYTX_TYPES), _stopncii_checkpoint(checkpoint)):
        updates: dict[tuple[str, str], FetchedSignalMetadata | None] = dict(d.updates)
        delta = _simple_page(api, collab, updates, lambda _v, _m: ["stopncii"])
        delta.skipped += client.page_records - len(d.updates)
        delta.checkpoint = dataclasses.asdict(d.checkpoint)
        yield delta


# --- NCMEC ---------------------------------------------------------------------------------------------------------

_NCMEC_DATE = "%Y-%m-%dT%H:%M:%SZ"
_FINGERPRINTS = {"pdq": ncmec_api.FingerprintType.pdq, "md5": ncmec_api.FingerprintType.md5}


def _ncmec_xml(raw: bytes) -> ET.Element:
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        raise ExchangeError("NCMEC's answer holds a DTD or entities (refused)") from None
    except SafeET.ParseError:
        raise ExchangeError("NCMEC's answer is not XML") from None
    for el in root.iter():  # namespaces add nothing here (pytx strips them too)
        el.tag = str(el.tag).rpartition("}")[2]
    return root  # type: ignore[no-any-return]


class GuardedNCMECClient(ncmec_api.NCMECHashAPI):
    """pytx's NCMEC client on the guarded transport, parsing with defusedxml, dates in UTC."""

    def __init__(self, username: str, password: str, *, transport: Transport) -> None:
        super().__init__(username, password, ncmec_api.NCMECEnvironment.Industry)
        self._base_url = transport.endpoint.rstrip("/")
        self.transport = transport

    def _get_session(self) -> Any:
        return self.transport.session(super()._get_session())

    def _get(self, endpoint: ncmec_api.NCMECEndpoint, *, path: str = "", next_: str = "",
             **params: Any) -> ET.Element:
        url = "/".join((self._base_url, self.VERSION, endpoint.value))
        if path:
            url = "/".join((url, path))
        if next_:
            if not next_.startswith("/") or next_.startswith("//"):
                raise ExchangeError("NCMEC's paging/next is not a path on its server")
            url, params = self._base_url + next_, {}
        with self._get_session() as session:
            response = session.get(url, params=params)
        return _ncmec_xml(response.content)

    def get_entries(self, *, start_timestamp: int = 0, end_timestamp: int = 0,
                    next_: str = "") -> ncmec_api.GetEntriesResponse:
        end_timestamp = end_timestamp or int(time.time())
        root = self._get(ncmec_api.NCMECEndpoint.entries, next_=next_, to=_utc(end_timestamp),
                         **{"from": _utc(start_timestamp)})
        if root.tag != "queryResult":
            raise ExchangeError("NCMEC's answer is not a queryResult")
        try:
            return ncmec_api.GetEntriesResponse.from_xml(ncmec_api._XMLWrapper(root), int(time.time()))
        except (IndexError, ValueError, AssertionError, TypeError, KeyError) as e:
            raise ExchangeError(f"NCMEC's answer has a malformed entry ({type(e).__name__}: {str(e)[:120]})") \
                from None


def _utc(timestamp: int) -> str:
    return time.strftime(_NCMEC_DATE, time.gmtime(timestamp))


class GuardedNCMECExchange(NCMECSignalExchangeAPI):
    """pytx's NCMEC exchange handed Basira's guarded client."""

    def __init__(self, collab: NCMECCollabConfig, client: GuardedNCMECClient) -> None:
        super().__init__(collab, client.username, client.password)
        self.client = client

    def get_client(self, environment: ncmec_api.NCMECEnvironment) -> ncmec_api.NCMECHashAPI:
        return self.client


def _ncmec_checkpoint(checkpoint: dict[str, Any]) -> NCMECCheckpoint | None:
    start = checkpoint.get("get_entries_max_ts", checkpoint.get("from"))  # "from": Basira's earlier format
    if not isinstance(start, int) or isinstance(start, bool):
        return None
    paging = checkpoint.get("paging_info")
    info = None
    if isinstance(paging, dict) and isinstance(paging.get("paging_url"), str) \
            and isinstance(paging.get("paging_end_ts"), int) and isinstance(paging.get("paging_url_ts"), int):
        info = _NCMECPagingInfo(paging["paging_url"], paging["paging_end_ts"], paging["paging_url_ts"])
    return NCMECCheckpoint(start, info)


def fetch_ncmec(transport: Transport, creds: dict[str, str], checkpoint: dict[str, Any],
                client: GuardedNCMECClient | None = None, name: str = "ncmec") -> Iterator[Delta]:
    client = client or GuardedNCMECClient(creds["username"], creds["password"], transport=transport)
    collab = NCMECCollabConfig(name=name, environment=ncmec_api.NCMECEnvironment.Industry)
    api = GuardedNCMECExchange(collab, client)
    for d in api.fetch_iter(list(PYTX_TYPES), _ncmec_checkpoint(checkpoint)):
        delta = Delta([], [], [], dataclasses.asdict(d.checkpoint))
        for key, entry in d.updates.items():
            if entry is None or entry.deleted:
                delta.gone_keys.append(key[:300])
                continue
            converted = api.naive_convert_to_signal_type(list(PYTX_TYPES), collab, {key: entry})
            if not converted:
                delta.skipped += 1
            for st, records in converted.items():
                for value, meta in records.items():
                    tags = sorted({str(t)[:50] for tags in meta.member_entries.values() for t in tags})
                    positive, negative = _opinion_counts(meta)
                    delta.added.append(Record(PYTX_TYPES[st], value, key[:300],
                                              ["ncmec", *[f"ncmec:{t}" for t in tags][:20]], positive, negative))
        yield delta


# --- a file of signals --------------------------------------------------------------------------------------------

def files_folder(inst: Instance) -> Path:
    return Path(inst.settings.data_dir) / FILES_FOLDER


def file_path(inst: Instance, name: str) -> Path:
    """The file ``name`` inside the instance's exchange-files folder (never outside it, links included)."""
    root = files_folder(inst).resolve()
    path = (root / name).resolve()
    if not name or root not in path.parents:
        raise ExchangeError(f"an exchange file must be inside {root}")
    return path


def fetch_file(path: Path, default_type: str, checkpoint: dict[str, Any], known_keys: Callable[[], set[str]],
               max_bytes: int, name: str = "file") -> Iterator[Delta]:
    if not path.is_file():
        raise ExchangeError(f"no file {path.name} in the exchange-files folder")
    size = path.stat().st_size
    if size > max_bytes:
        raise ExchangeError(f"the file is over {max_bytes:,} bytes")
    digest = hashlib.sha256()
    with path.open("rb") as f:  # Basira's pre-pass: bounded lines, UTF-8, the digest
        for number, raw in enumerate(iter(lambda: f.readline(MAX_LINE + 2), b""), 1):
            if len(raw) > MAX_LINE:
                raise ExchangeError(f"line {number} of the file is over {MAX_LINE:,} bytes")
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ExchangeError(f"line {number} of the file is not UTF-8") from None
            digest.update(raw)
    if checkpoint.get("sha256") == digest.hexdigest():
        return
    collab = FileCollaborationConfig(name=name, api=API_FILE, filename=str(path),
                                     signal_type=FILE_TYPES.get(default_type) if default_type else None)
    api = LocalFileSignalExchangeAPI(collab)
    updates: dict[tuple[str, str], FetchedSignalMetadata | None] = {}
    for d in api.fetch_iter(list(PYTX_TYPES), None):
        for (type_name, value), meta in d.updates.items():
            if type_name.startswith("#"):
                continue  # a comment line
            updates[(FILE_TYPES.get(type_name, type_name), value)] = meta
    present: set[str] = set()
    items = list(updates.items())
    for start in range(0, max(len(items), 1), FILE_PAGE):
        delta = _simple_page(api, collab, dict(items[start:start + FILE_PAGE]), lambda _v, _m: ["file"])
        present.update(r.key for r in delta.added)
        if start + FILE_PAGE >= len(items):
            delta.gone_keys = sorted(known_keys() - present)
            delta.checkpoint = {"sha256": digest.hexdigest(), "size": size}
        yield delta


# --- taking pages into the bank -----------------------------------------------------------------------------------

@dataclass
class ExchangeReport:
    """What one sync of an exchange did (every kind of exchange reports the same way)."""

    exchange_id: int
    name: str
    pages: int = 0
    added: int = 0
    disabled: int = 0
    refused: int = 0
    skipped: int = 0
    reactions: int = 0
    error: str = ""
    update_time: int = 0


def exchange_principal(ex: Exchange) -> Principal:
    """Who an exchange's sync acts as in the audit log."""
    return Principal(org_id=ex.org_id, role=Role.ANALYST, actor=f"exchange:{ex.name}"[:64])


def credentials(ex: Exchange, secret_key: str) -> dict[str, str]:
    from basira.sharing.feeds import decrypt

    if not ex.secret_enc:
        return {}
    try:
        creds = json.loads(decrypt(secret_key, ex.secret_enc))
    except ValueError:
        raise ExchangeError("the exchange's stored credentials are unreadable: set them again") from None
    return {str(k): str(v) for k, v in creds.items()} if isinstance(creds, dict) else {}


def _known_keys(inst: Instance, exchange_id: int) -> Callable[[], set[str]]:
    def read() -> set[str]:
        with inst.db.session() as s:
            return {k for (k,) in s.execute(select(ExchangeRecord.record_key).join(
                Signal, Signal.id == ExchangeRecord.signal_id).where(
                ExchangeRecord.exchange_id == exchange_id, ExchangeRecord.record_key != "",
                Signal.enabled.is_(True)))}
    return read


def sync_hashlist(inst: Instance, exchange_id: int, *, max_pages: int = 10_000,
                  sleep: Callable[[float], None] = time.sleep,
                  progress: Callable[[ExchangeReport], None] | None = None) -> ExchangeReport:
    """Fetch the exchange through pytx from its checkpoint to the end, one transaction per page with its
    checkpoint, then send the organization's opinions back where the exchange takes them; a failure is kept on the
    exchange. ``progress`` is called with the report after each page is committed."""
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id)
        if ex is None:
            raise NotFound(f"no exchange {exchange_id}")
        report = ExchangeReport(ex.id, ex.name)
        api, endpoint, collab, checkpoint, name = ex.api, ex.endpoint, ex.collab, dict(ex.checkpoint), ex.name
    try:
        creds = credentials(ex, inst.secret_key)
        settings = inst.settings
        transport = Transport(endpoint or DEFAULT_ENDPOINTS.get(api, "http://invalid/"),
                              timeout=float(settings.sharing_timeout_s), max_bytes=settings.sharing_max_bundle_bytes,
                              attempts=settings.sharing_retries, sleep=sleep)
        write_back: Callable[[], int] = lambda: 0  # noqa: E731
        pages: Iterator[Delta]
        if api == API_FILE:
            file_name, _, default_type = collab.partition("\n")
            pages = fetch_file(file_path(inst, file_name), default_type, checkpoint, _known_keys(inst, exchange_id),
                               max_bytes=max(settings.sharing_max_bundle_bytes, 64 * 2**20), name=name)
        elif api == API_TAT:
            pages = fetch_tat(transport, creds, checkpoint, name=name)
        elif api == API_STOPNCII:
            ncii = GuardedStopNCIIClient(creds, transport=transport)
            pages = fetch_stopncii(transport, creds, checkpoint, ncii, name=name)
            if creds.get("feedback_function_key"):
                write_back = lambda: _feedback_stopncii(inst, ncii, exchange_id)  # noqa: E731
        elif api == API_NCMEC:
            ncmec = GuardedNCMECClient(creds["username"], creds["password"], transport=transport)
            pages = fetch_ncmec(transport, creds, checkpoint, ncmec, name=name)
            write_back = lambda: _feedback_ncmec(inst, ncmec, exchange_id)  # noqa: E731
        else:
            raise ExchangeError(f"unknown exchange API {api!r}")
        for delta in pages:
            _take(inst, exchange_id, delta, report)
            if progress is not None:
                progress(report)
            if report.pages >= max_pages:
                break
        report.reactions = write_back()
    except BasiraError as e:
        report.error = e.detail
    except requests.exceptions.JSONDecodeError:
        report.error = "the exchange's answer is not JSON"
    except RecursionError:
        report.error = "the exchange's answer is nested too deeply"
    except (requests.RequestException, OSError, KeyError, TypeError, ValueError, AssertionError,
            AttributeError, IndexError) as e:
        report.error = f"unusable answer from the exchange ({type(e).__name__}: {str(e)[:200]})"
    record_outcome(inst, exchange_id, report)
    return report


def record_outcome(inst: Instance, exchange_id: int, report: ExchangeReport) -> None:
    """Log a failed sync and keep on the exchange when it last synced, its failures in a row and the last error."""
    if report.error:
        log.warning("exchange %s: %s", report.name, report.error)
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id)
        if ex is not None:
            ex.last_sync_at = utcnow()
            if report.error:
                ex.failures, ex.last_error = ex.failures + 1, report.error[:2000]
            else:
                ex.failures, ex.last_error, ex.last_success_at = 0, "", ex.last_sync_at


def _take(inst: Instance, exchange_id: int, delta: Delta, report: ExchangeReport) -> None:
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id, with_for_update=True)
        if ex is None:
            raise NotFound(f"exchange {exchange_id} was removed during the sync")
        principal = exchange_principal(ex)
        bank = get_bank(s, principal, ex.bank_id, Access.OWNER)  # the exchange's bank must still be its own
        provenance = f"exchange:{ex.name}"[:300]
        specs: list[tuple[SignalSpec, Record]] = []
        for rec in delta.added:
            try:
                spec = validate_spec(inst.registry, inst.settings, SignalSpec(
                    rec.signal_type, rec.value, labels=rec.labels[:50], provenance=provenance))
            except BasiraError:
                report.refused += 1
                continue
            specs.append((spec, rec))
        if specs:
            batch = add_signals_batch(s, principal, inst.registry, inst.settings, bank.id, [x for x, _ in specs],
                                      validated=True)
            report.added += batch.changed
            ids = list(set(batch.ids.values()))
            held = {r.signal_id: r for start in range(0, len(ids), 500) for r in s.scalars(select(ExchangeRecord)
                    .where(ExchangeRecord.exchange_id == ex.id, ExchangeRecord.signal_id.in_(ids[start:start + 500])))}
            for spec, rec in specs:
                sid = batch.ids[(spec.entry_ref, spec.signal_type, spec.value)]
                row = held.get(sid)
                if row is None:
                    row = held[sid] = ExchangeRecord(exchange_id=ex.id, signal_id=sid, indicator_type="",
                                                     descriptor_ids=[])
                    s.add(row)
                row.indicator_type, row.record_key = spec.signal_type, rec.key
                row.positive, row.negative = rec.positive, rec.negative
        report.disabled += _disable(s, inst, principal, ex.id, bank.id, provenance, delta)
        report.skipped += delta.skipped
        report.refused += delta.refused
        ex.checkpoint = delta.checkpoint or ex.checkpoint
        ex.fetched += len(delta.added) + len(delta.gone_values) + len(delta.gone_keys)
        audit.record(s, org_id=ex.org_id, actor=principal.actor, action="sharing.exchange.receive",
                     target=f"bank:{bank.id}", details={"exchange": ex.name, "api": ex.api,
                                                        "records": len(delta.added), "added": report.added,
                                                        "disabled": report.disabled})
    report.pages += 1
    report.update_time = progress_time(delta.checkpoint) or report.update_time


def progress_time(checkpoint: dict[str, Any]) -> int:
    """The unix time a checkpoint has reached (0 when it says none), as pytx's checkpoint classes give it:
    StopNCII's update time, NCMEC's window start, the time part of TAT's "time,id"."""
    for key in ("update_time", "get_entries_max_ts", "from", "checkpoint"):
        value = checkpoint.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return TATCheckpoint(value).get_progress_timestamp() or 0
            except ValueError:
                return 0
    return 0


def _disable(s: Session, inst: Instance, principal: Principal, exchange_id: int, bank_id: int, provenance: str,
             delta: Delta) -> int:
    sigs: list[Signal] = []
    for stype, raw in delta.gone_values:
        try:
            value = inst.registry.validate(stype, raw)
        except BasiraError:
            continue
        sig = s.scalar(select(Signal).where(Signal.bank_id == bank_id, Signal.signal_type == stype,
                                            Signal.value == value, Signal.provenance == provenance,
                                            Signal.enabled.is_(True)))
        if sig is not None:
            sigs.append(sig)
    for start in range(0, len(delta.gone_keys), 500):
        keys = delta.gone_keys[start:start + 500]
        sigs.extend(s.scalars(select(Signal).join(ExchangeRecord, ExchangeRecord.signal_id == Signal.id).where(
            ExchangeRecord.exchange_id == exchange_id, ExchangeRecord.record_key.in_(keys),
            Signal.bank_id == bank_id, Signal.enabled.is_(True))))
    done = {}
    for sig in sigs:
        if sig.id not in done:
            sig.enabled = False
            record_change(s, sig, "remove")
            done[sig.id] = sig
    if done:
        outbox.emit_many(s, [("signal.disabled", {"bank_id": bank_id, "signal_id": i}, principal.org_id)
                             for i in done])
    return len(done)


def _pending_opinions(inst: Instance, exchange_id: int) -> list[tuple[str, str, str, str, Any]]:
    """The organization's opinions on the exchange's signals changed since the last write-back (at most 500):
    (kind, signal type, value, record key, when)."""
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id)
        if ex is None:
            return []
        q = (select(Opinion, Signal.signal_type, Signal.value, ExchangeRecord.record_key)
             .join(ExchangeRecord, ExchangeRecord.signal_id == Opinion.signal_id)
             .join(Signal, Signal.id == Opinion.signal_id)
             .where(ExchangeRecord.exchange_id == ex.id, Opinion.org_id == ex.org_id)
             .order_by(Opinion.updated_at, Opinion.id).limit(500))
        if ex.opinions_after is not None:
            q = q.where(Opinion.updated_at > ex.opinions_after)
        return [(op.kind, stype, value, key or "", op.updated_at) for op, stype, value, key in s.execute(q)]


def _mark_sent(inst: Instance, exchange_id: int, todo: list[tuple[str, str, str, str, Any]]) -> None:
    if todo:
        with inst.db.session() as s:
            ex = s.get(Exchange, exchange_id)
            if ex is not None:
                ex.opinions_after = todo[-1][4]


_FEEDBACK = {"confirmed": stopncii_api.StopNCIICSPFeedbackValue.Blocked,
             "false_positive": stopncii_api.StopNCIICSPFeedbackValue.NotBlocked}
_STOPNCII_TYPES = {"pdq": stopncii_api.StopNCIISignalType.ImagePDQ, "md5": stopncii_api.StopNCIISignalType.VideoMD5}


def _feedback_stopncii(inst: Instance, client: GuardedStopNCIIClient, exchange_id: int) -> int:
    """The organization's opinions on StopNCII's hashes as CSP feedback with pytx's ``submit_feedbacks``
    (confirmed: Blocked, false positive: NotBlocked; seen: none)."""
    todo = _pending_opinions(inst, exchange_id)
    feedbacks = {(_STOPNCII_TYPES[stype], value): stopncii_api.StopNCIICSPFeedback(_FEEDBACK[kind])
                 for kind, stype, value, _, _ in todo if kind in _FEEDBACK and stype in _STOPNCII_TYPES}
    if feedbacks:
        client.submit_feedbacks(feedbacks)
    _mark_sent(inst, exchange_id, todo)
    return len(feedbacks)


def _feedback_ncmec(inst: Instance, client: GuardedNCMECClient, exchange_id: int) -> int:
    """The organization's opinions as NCMEC feedback on the entry's fingerprint with pytx's ``submit_feedback``:
    confirmed is an upvote, false positive a downvote (sent when NCMEC offers exactly one reason for the
    fingerprint type, which pytx then picks; otherwise logged and not sent)."""
    todo = _pending_opinions(inst, exchange_id)
    sent = 0
    for kind, stype, _, key, _ in todo:
        esp, _, entry = key.partition("-")
        if kind not in ("confirmed", "false_positive") or stype not in _FINGERPRINTS or not esp.isdigit() \
                or not entry:
            continue
        vote = ncmec_api.FeedbackType.upvote if kind == "confirmed" else ncmec_api.FeedbackType.downvote
        try:
            client.submit_feedback(int(esp), entry, _FINGERPRINTS[stype], vote)
        except (BasiraError, requests.RequestException):
            raise
        except Exception as e:  # pytx raises a bare Exception when a downvote needs a reason it cannot pick
            if type(e) is not Exception:
                raise
            log.warning("exchange %s: NCMEC downvote on %s not sent: %s", exchange_id, key, str(e)[:200])
            continue
        sent += 1
    _mark_sent(inst, exchange_id, todo)
    return sent
