"""The hash-sharing exchanges besides ThreatExchange: Tech Against Terrorism, StopNCII, NCMEC, and a file of signals.

python-threatexchange (pytx) ships a ``SignalExchangeAPI`` for each; their HTTP clients read whole answers with no
size limit, follow whatever ``next`` an answer names, and fail on a wrong type with whatever exception comes (one
builds a wrong URL for TAT's next pages). Basira speaks the same APIs, as pytx and the services' documentation
describe them, through one guarded transport (:class:`ExchangeHTTP`: time limit per answer, size limit, retries
with back-off on 429/5xx honouring ``Retry-After``, every URL on the configured endpoint's server, a URL asked twice
in one sync is a loop) and checks every field it reads, so a hostile answer ends the sync with a clear reason and
the bank as it was after the last good page.

Each exchange yields :class:`Delta` pages: additions (Basira signal type, value, labels, members' positive and
negative opinions, the exchange's record key), deletions (by value or by record key) and the checkpoint after the
page. :func:`sync_hashlist` takes each page in one transaction with its checkpoint, as the ThreatExchange adapter
does (``sharing/exchanges.py``), and writes the organization's opinions back where the exchange takes them
(StopNCII's feedback).

- **Tech Against Terrorism** (``tat``): ``POST token-auth/tcap/`` (username, password) gives a JWT; ``GET
  api/hash-list/v2/all?order=asc&after=CHECKPOINT`` with ``Authorization: Bearer``; a page is ``{count, next,
  previous, checkpoint, results: [{hash_digest, algorithm, ideology, file_type, deleted, updated_on, created_on,
  id}]}``; ``next`` is the next page's full URL; ``checkpoint`` ("unix time,id" of the page's last record) is where
  the next sync starts. PDQ and MD5 are taken; the ideology becomes a label.
- **StopNCII** (``stopncii``): ``GET FetchHashes?startTimestamp=&pageSize=&nextPageToken=`` with the
  ``Ocp-Apim-Subscription-Key`` and ``x-functions-key`` headers; a page is ``{count, nextPageToken,
  nextSetTimestamp, hasMoreRecords, hashRecords: [{lastModtimestamp, signalType, hashValue, hashStatus, caseNumbers,
  CSPFeedbacks: [{feedbackValue, tags, source}]}]}``; a record is the current state of its hash (Withdrawn or
  Deleted: delete it); ``nextSetTimestamp`` is the checkpoint. ImagePDQ and VideoMD5 are taken. Opinions go back
  with ``POST SubmitFeedback`` (confirmed: Blocked, false positive: NotBlocked) when a feedback key is configured.
- **NCMEC** (``ncmec``): HTTP Basic; ``GET v2/entries?from=&to=`` answers XML (``queryResult`` with ``images`` and
  ``videos`` of ``image``/``video`` entries with ``member``, ``id`` and ``fingerprints``, or
  ``deletedImage``/``deletedVideo`` tombstones naming only the entry) and ``paging/next``, a path on the same
  server. NCMEC does not order entries by time, so a window [from, to) counts only once exhausted: the checkpoint is
  the window's start plus the paging URL while in it, then ``to``. XML with a DTD or entities is refused
  (defusedxml). MD5 and PDQ fingerprints are taken; the entry ("member-id") is the record key.
- **File** (``file``): a text file in the instance's ``exchange-files`` folder, one signal a line, ``TYPE VALUE``
  (pytx's local file format; pytx's names ``pdq`` and ``video_md5`` or Basira's) or the value alone when the
  exchange names a default type. The file is the whole list: a line gone since the last sync is deleted. It is
  read streamed (lines over 64 KiB refused), and skipped when its digest has not changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
import requests
from defusedxml.common import DefusedXmlException  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

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
DEFAULT_ENDPOINTS = {API_TAT: "https://app.terrorismanalytics.org/", API_STOPNCII: "https://api.stopncii.org/v1/",
                     API_NCMEC: "https://report.cybertip.org/hashsharing/"}
#: The credentials each exchange needs (stored encrypted as one JSON object).
CREDENTIALS = {API_TAT: ("username", "password"), API_NCMEC: ("username", "password"),
               API_STOPNCII: ("subscription_key", "fetch_function_key"), API_FILE: ()}
OPTIONAL_CREDENTIALS = {API_STOPNCII: ("feedback_function_key",)}
FILES_FOLDER = "exchange-files"
MAX_LINE = 64 * 1024
FILE_PAGE = 5000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: pytx's signal type names (and Basira's own) for the types Basira takes from exchanges.
FILE_TYPES = {"pdq": "pdq", "video_md5": "md5", "md5": "md5"}


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


class ExchangeHTTP:
    """One sync's HTTP: every request on the endpoint's server, each answer within ``timeout`` seconds (the whole
    body) and ``max_bytes``, retried ``attempts`` times on 429/5xx and silence with exponential back-off
    (0.5 s, 1 s, 2 s...; ``Retry-After`` honoured up to 60 s), and a GET of a URL already fetched in this sync is a
    loop."""

    def __init__(self, endpoint: str, *, timeout: float, max_bytes: int, attempts: int,
                 headers: dict[str, str] | None = None, auth: tuple[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        base = urlsplit(self.endpoint)
        self.origin = (base.scheme, base.netloc)
        self.timeout, self.max_bytes, self.attempts, self.sleep = timeout, max_bytes, max(1, attempts), sleep
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        self.session.auth = auth
        self.seen: set[str] = set()

    def close(self) -> None:
        self.session.close()

    def url(self, path_or_url: str) -> str:
        url = urljoin(self.endpoint, path_or_url)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self.origin:
            raise ExchangeError("the exchange named a URL on another server than its endpoint")
        return url

    def request(self, method: str, path_or_url: str, *, params: dict[str, Any] | None = None,
                **kw: Any) -> tuple[bytes, requests.structures.CaseInsensitiveDict[str]]:
        url = self.url(path_or_url)
        if method == "GET":
            key = requests.Request("GET", url, params=params).prepare().url or url
            if key in self.seen:
                raise ExchangeError("the exchange's paging loops (a page came back twice in one sync)")
            self.seen.add(key)
        problem = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self._delay(attempt, problem))
            try:
                resp = self.session.request(method, url, params=params, stream=True, timeout=self.timeout,
                                            allow_redirects=False, **kw)
            except requests.RequestException as e:
                problem = f"no answer ({type(e).__name__})"
                continue
            with resp:
                if resp.status_code in RETRY_STATUSES:
                    problem = f"HTTP {resp.status_code}"
                    self._retry_after = str(resp.headers.get("Retry-After", ""))
                    continue
                if resp.status_code >= 300:
                    raise ExchangeError(f"the exchange answered HTTP {resp.status_code}"
                                        + (" (check the credentials)" if resp.status_code in (401, 403) else ""))
                return self._body(resp), resp.headers
        raise ExchangeError(f"gave up after {self.attempts} attempts: {problem}")

    _retry_after: str = ""

    def _delay(self, attempt: int, problem: str) -> float:
        wanted, self._retry_after = self._retry_after.strip(), ""
        if wanted.isdigit():
            return min(float(wanted), 60.0)
        return min(0.5 * float(2 ** (attempt - 1)), 60.0)

    def _body(self, resp: requests.Response) -> bytes:
        deadline = time.monotonic() + self.timeout
        body, size = [], 0
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

    def json(self, method: str, path_or_url: str, **kw: Any) -> dict[str, Any]:
        raw, _ = self.request(method, path_or_url, **kw)
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):
            raise ExchangeError("the exchange's answer is not JSON") from None
        if not isinstance(doc, dict):
            raise ExchangeError("the exchange's answer is not a JSON object")
        return doc


# --- checked reading of answers ---------------------------------------------------------------------------------

def _field(doc: dict[str, Any], name: str, kind: type, what: str, *, optional: bool = False) -> Any:
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


# --- the exchanges ----------------------------------------------------------------------------------------------

def fetch_tat(http: ExchangeHTTP, creds: dict[str, str], checkpoint: dict[str, Any]) -> Iterator[Delta]:
    token_doc = http.json("POST", "token-auth/tcap/", data={"username": creds["username"],
                                                            "password": creds["password"], "resend": "false"})
    token = _field(token_doc, "token", str, "TAT's authentication answer")
    if not 1 <= len(token) <= 8000 or any(c in token for c in "\r\n"):
        raise ExchangeError("TAT's authentication answer holds no usable token")
    http.session.headers["Authorization"] = f"Bearer {token}"
    after = str(checkpoint.get("checkpoint", ""))
    url: str | None = "api/hash-list/v2/all"
    params: dict[str, Any] | None = {"order": "asc", "after": after}
    while url:
        page = http.json("GET", url, params=params)
        what = "TAT's hash list page"
        nxt = _field(page, "next", str, what, optional=True)
        mark = _field(page, "checkpoint", str, what, optional=True)
        delta = Delta([], [], [], {"checkpoint": mark or after})
        for r in _list(page, "results", what):
            digest = _field(r, "hash_digest", str, "a TAT record")
            algorithm = str(_field(r, "algorithm", str, "a TAT record")).upper()
            deleted = _field(r, "deleted", bool, "a TAT record")
            stype = {"PDQ": "pdq", "MD5": "md5"}.get(algorithm)
            if stype is None:
                delta.skipped += 1
                continue
            if deleted:
                delta.gone_values.append((stype, digest))
                continue
            ideology = r.get("ideology")
            labels = ["tat"] + ([f"tat:{ideology}"[:100]] if isinstance(ideology, str) and ideology else [])
            delta.added.append(Record(stype, digest, f"{algorithm}:{digest}"[:300], labels))
        after = delta.checkpoint["checkpoint"]
        yield delta
        url, params = (nxt, None) if nxt else (None, None)


_STOPNCII_TYPES = {"ImagePDQ": "pdq", "VideoMD5": "md5"}


def fetch_stopncii(http: ExchangeHTTP, creds: dict[str, str], checkpoint: dict[str, Any]) -> Iterator[Delta]:
    http.session.headers.update({"Ocp-Apim-Subscription-Key": creds["subscription_key"],
                                 "x-functions-key": creds["fetch_function_key"]})
    start = int(checkpoint.get("update_time", 10))
    token = ""
    while True:
        params: dict[str, Any] = {"startTimestamp": start, "pageSize": 800}
        if token:
            params["nextPageToken"] = token
        page = http.json("GET", "FetchHashes", params=params)
        what = "StopNCII's FetchHashes page"
        more = _field(page, "hasMoreRecords", bool, what)
        next_set = _field(page, "nextSetTimestamp", int, what)
        token = _field(page, "nextPageToken", str, what, optional=True) or ""
        delta = Delta([], [], [], {"update_time": next_set})
        for r in _list(page, "hashRecords", what):
            stype = _STOPNCII_TYPES.get(str(r.get("signalType")))
            value = _field(r, "hashValue", str, "a StopNCII record")
            status = _field(r, "hashStatus", str, "a StopNCII record")
            if stype is None:
                delta.skipped += 1
                continue
            if status in ("Withdrawn", "Deleted"):
                delta.gone_values.append((stype, value))
                continue
            feedbacks = r.get("CSPFeedbacks") or []
            if not isinstance(feedbacks, list):
                raise ExchangeError("a StopNCII record: 'CSPFeedbacks' is not a list")
            values = [f.get("feedbackValue") for f in feedbacks if isinstance(f, dict)]
            delta.added.append(Record(stype, value, f"{stype}:{value}"[:300], ["stopncii"],
                                      positive=values.count("Blocked"), negative=values.count("NotBlocked")))
        yield delta
        if not more:
            return
        if not token:
            raise ExchangeError("StopNCII said it has more records but gave no nextPageToken")


_NCMEC_TYPES = {"md5": "md5", "pdq": "pdq"}
_NCMEC_DATE = "%Y-%m-%dT%H:%M:%SZ"


def _strip(tag: str) -> str:
    return tag.rpartition("}")[2]


def _ncmec_xml(raw: bytes) -> Any:
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        raise ExchangeError("NCMEC's answer holds a DTD or entities (refused)") from None
    except SafeET.ParseError:
        raise ExchangeError("NCMEC's answer is not XML") from None
    if _strip(root.tag) != "queryResult":
        raise ExchangeError("NCMEC's answer is not a queryResult")
    return root


def _ncmec_page(root: Any, delta: Delta) -> str:
    """Read one queryResult into ``delta``; its paging/next ("" when none)."""
    for group in root:
        if _strip(group.tag) not in ("images", "videos"):
            continue
        for entry in group:
            kind = _strip(entry.tag)
            children = {_strip(c.tag): c for c in entry}
            member, ident = children.get("member"), children.get("id")
            member_id = member.get("id") if member is not None else None
            if member_id is None or ident is None or not (ident.text or "").strip():
                raise ExchangeError(f"an NCMEC {kind} has no member id or no id")
            key = f"{member_id.strip()}-{(ident.text or '').strip()}"[:300]
            if kind.startswith("deleted"):
                delta.gone_keys.append(key)
                continue
            fingerprints = children.get("fingerprints")
            taken = 0
            for fp in fingerprints if fingerprints is not None else []:
                stype = _NCMEC_TYPES.get(_strip(fp.tag).lower())
                if stype is not None and (fp.text or "").strip():
                    label = (children["classification"].text or "").strip()[:50] if "classification" in children \
                        else ""
                    delta.added.append(Record(stype, (fp.text or "").strip(), key,
                                              ["ncmec"] + ([f"ncmec:{label}"] if label else [])))
                    taken += 1
            if not taken:
                delta.skipped += 1
    nxt = next((c for g in root if _strip(g.tag) == "paging" for c in g if _strip(c.tag) == "next"), None)
    return (nxt.text or "").strip() if nxt is not None else ""


def fetch_ncmec(http: ExchangeHTTP, creds: dict[str, str], checkpoint: dict[str, Any],
                now: Callable[[], float] = time.time) -> Iterator[Delta]:
    http.session.auth = (creds["username"], creds["password"])
    start = int(checkpoint.get("from", 0))
    end = int(checkpoint.get("window_end") or now())
    paging = str(checkpoint.get("paging_url") or "")
    if paging:
        raw, _ = http.request("GET", paging.lstrip("/"))
    else:
        raw, _ = http.request("GET", "v2/entries", params={
            "from": dt.datetime.fromtimestamp(start, dt.UTC).strftime(_NCMEC_DATE),
            "to": dt.datetime.fromtimestamp(end, dt.UTC).strftime(_NCMEC_DATE)})
    while True:
        delta = Delta([], [], [], {})
        nxt = _ncmec_page(_ncmec_xml(raw), delta)
        if nxt and not nxt.startswith("/"):
            raise ExchangeError("NCMEC's paging/next is not a path on its server")
        # Within the window only the paging URL moves; the window counts once exhausted (entries are unordered).
        delta.checkpoint = {"from": start, "window_end": end, "paging_url": nxt} if nxt else {"from": end}
        yield delta
        if not nxt:
            return
        raw, _ = http.request("GET", nxt.lstrip("/"))


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
               max_bytes: int) -> Iterator[Delta]:
    if not path.is_file():
        raise ExchangeError(f"no file {path.name} in the exchange-files folder")
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if checkpoint.get("sha256") == digest.hexdigest():
        return
    size = path.stat().st_size
    if size > max_bytes:
        raise ExchangeError(f"the file is over {max_bytes:,} bytes")
    present: set[str] = set()
    delta = Delta([], [], [], {})
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if len(raw) > MAX_LINE:
                raise ExchangeError(f"line {number} of the file is over {MAX_LINE:,} bytes")
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise ExchangeError(f"line {number} of the file is not UTF-8") from None
            if not line or line.startswith("#"):
                continue
            name, _, value = line.partition(" ") if not default_type else (default_type, "", line)
            stype = FILE_TYPES.get(name.strip())
            value = value.strip()
            if stype is None or not value:
                delta.skipped += 1
                continue
            key = f"{stype} {value}"[:300]
            present.add(key)
            delta.added.append(Record(stype, value, key, ["file"]))
            if len(delta.added) >= FILE_PAGE:
                yield delta
                delta = Delta([], [], [], {})
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
                  sleep: Callable[[float], None] = time.sleep) -> ExchangeReport:
    """Fetch the exchange from its checkpoint to the end, one transaction per page with its checkpoint, then send
    the organization's opinions back where the exchange takes them; a failure is kept on the exchange."""
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id)
        if ex is None:
            raise NotFound(f"no exchange {exchange_id}")
        report = ExchangeReport(ex.id, ex.name)
        api, endpoint, collab, checkpoint = ex.api, ex.endpoint, ex.collab, dict(ex.checkpoint)
    http: ExchangeHTTP | None = None
    try:
        creds = credentials(ex, inst.secret_key)
        settings = inst.settings
        if api == API_FILE:
            name, _, default_type = collab.partition("\n")
            pages = fetch_file(file_path(inst, name), default_type, checkpoint, _known_keys(inst, exchange_id),
                               max_bytes=max(settings.sharing_max_bundle_bytes, 256 * 2**20))
        else:
            http = ExchangeHTTP(endpoint or DEFAULT_ENDPOINTS[api], timeout=float(settings.sharing_timeout_s),
                                max_bytes=settings.sharing_max_bundle_bytes, attempts=settings.sharing_retries,
                                sleep=sleep)
            fetchers = {API_TAT: fetch_tat, API_STOPNCII: fetch_stopncii, API_NCMEC: fetch_ncmec}
            if api not in fetchers:
                raise ExchangeError(f"unknown exchange API {api!r}")
            pages = fetchers[api](http, creds, checkpoint)
        for delta in pages:
            _take(inst, exchange_id, delta, report)
            if report.pages >= max_pages:
                break
        if api == API_STOPNCII and creds.get("feedback_function_key") and http is not None:
            report.reactions = _feedback_stopncii(inst, http, creds, exchange_id)
    except BasiraError as e:
        report.error = e.detail
    except (requests.RequestException, OSError, KeyError, TypeError, ValueError) as e:
        report.error = f"unusable answer from the exchange ({type(e).__name__}: {str(e)[:200]})"
    finally:
        if http is not None:
            http.close()
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
        ex.checkpoint = delta.checkpoint or ex.checkpoint
        ex.fetched += len(delta.added) + len(delta.gone_values) + len(delta.gone_keys)
        audit.record(s, org_id=ex.org_id, actor=principal.actor, action="sharing.exchange.receive",
                     target=f"bank:{bank.id}", details={"exchange": ex.name, "api": ex.api,
                                                        "records": len(delta.added), "added": report.added,
                                                        "disabled": report.disabled})
    report.pages += 1
    report.update_time = progress_time(delta.checkpoint) or report.update_time


def progress_time(checkpoint: dict[str, Any]) -> int:
    """The unix time a checkpoint has reached (0 when it says none): StopNCII's update time, NCMEC's window
    start, the time part of TAT's "time,id"."""
    for key in ("update_time", "from", "checkpoint"):
        value = checkpoint.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            head = value.partition(",")[0].partition(".")[0]
            if head.isdigit():
                return int(head)
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


_FEEDBACK = {"confirmed": "Blocked", "false_positive": "NotBlocked"}


def _feedback_stopncii(inst: Instance, http: ExchangeHTTP, creds: dict[str, str], exchange_id: int) -> int:
    """The organization's opinions on StopNCII's hashes changed since last time, as CSP feedback (seen: none)."""
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id)
        if ex is None:
            return 0
        q = (select(Opinion, Signal.value).join(ExchangeRecord, ExchangeRecord.signal_id == Opinion.signal_id)
             .join(Signal, Signal.id == Opinion.signal_id)
             .where(ExchangeRecord.exchange_id == ex.id, Opinion.org_id == ex.org_id)
             .order_by(Opinion.updated_at, Opinion.id).limit(500))
        if ex.opinions_after is not None:
            q = q.where(Opinion.updated_at > ex.opinions_after)
        todo = [(op.kind, value, op.updated_at) for op, value in s.execute(q)]
    feedbacks = [{"hashValue": value, "feedbackValue": _FEEDBACK[kind], "tags": []}
                 for kind, value, _ in todo if kind in _FEEDBACK]
    if feedbacks:
        http.json("POST", "SubmitFeedback", json={"count": len(feedbacks), "hashFeedbacks": feedbacks},
                  headers={"x-functions-key": creds["feedback_function_key"]})
    if todo:
        with inst.db.session() as s:
            ex = s.get(Exchange, exchange_id)
            if ex is not None:
                ex.opinions_after = todo[-1][2]
    return len(feedbacks)
