"""Hash-sharing exchanges through python-threatexchange: a ThreatExchange privacy group feeding one bank.

(The configuration here covers every exchange; Tech Against Terrorism, StopNCII, NCMEC and files are fetched by
``sharing/hashlists.py``, which :func:`sync_exchange` hands them to, through pytx's SignalExchangeAPIs too.)

python-threatexchange (pytx, ``threatexchange``) is the library HMA uses to fetch the hash lists platforms share
(the GIFCT hash-sharing database is reached through ThreatExchange). Basira drives pytx's own
``FBThreatExchangeSignalExchangeAPI``: ``fetch_iter`` walks the Graph API's ``threat_updates`` from the stored
checkpoint (pytx's ``FBThreatExchangeCheckpoint``), each delta maps (indicator type, indicator) to a record with
the members' opinions, or to ``None`` for a deletion; ``naive_convert_to_signal_type`` turns records into PDQ and
video-MD5 signals. Each delta is taken in one transaction with its checkpoint: additions through the batched
insert, deletions disable the signals the exchange brought, the opinions are counted per signal (positive and
negative, as pytx reads a descriptor's status and reactions), and the descriptors are kept so that the
organization's own opinions are written back as ThreatExchange reactions (confirmed: HELPFUL, false positive:
DISAGREE_WITH_TAGS, seen: SAW_THIS_TOO) with pytx's ``react_to_threat_descriptor``.

pytx's client is used as it is, with one change of transport (:class:`GuardedThreatExchangeAPI`): its GET has no
time limit and no size limit (and goes around its own session), so Basira's subclass sends every request through
the guarded transport that the other exchanges use (``hashlists.Transport``: the sharing time limit on the whole
answer, a size limit, retries with back-off on 429 and 5xx honouring ``Retry-After``, no redirects, no URL off the
configured endpoint's server, a page asked twice in one sync is a loop). The access token is stored encrypted as a
TAXII feed's secret is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from threatexchange.exchanges.clients.fb_threatexchange.api import ThreatExchangeAPI
from threatexchange.exchanges.fetch_state import SignalOpinionCategory
from threatexchange.exchanges.impl.fb_threatexchange_api import (
    FBThreatExchangeCheckpoint,
    FBThreatExchangeCollabConfig,
    FBThreatExchangeIndicatorRecord,
    FBThreatExchangeSignalExchangeAPI,
)
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from basira.core import audit, outbox
from basira.core.banks import SignalSpec, add_signals_batch, get_bank, validate_spec
from basira.core.errors import BasiraError, Conflict, InvalidInput, NotFound
from basira.core.indexes import record_change
from basira.core.instance import Instance
from basira.core.models import Opinion, Signal, as_id, utcnow
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.sharing import feeds, hashlists
from basira.sharing.feeds import decrypt, encrypt
from basira.sharing.models import Exchange, ExchangeRecord

log = logging.getLogger(__name__)
API_THREATEXCHANGE = "fb_threatexchange"
DEFAULT_ENDPOINT = ThreatExchangeAPI._TE_BASE_URL
#: pytx signal types Basira takes, and the Basira signal type each becomes.
SIGNAL_TYPES: dict[type[Any], str] = {PdqSignal: "pdq", VideoMD5Signal: "md5"}
#: ThreatExchange indicator types of those signal types (to apply deletions, which carry no record).
INDICATOR_TYPES = {"HASH_PDQ": "pdq", "HASH_VIDEO_MD5": "md5", "HASH_MD5": "md5"}
REACTIONS = {"confirmed": "HELPFUL", "false_positive": "DISAGREE_WITH_TAGS", "seen": "SAW_THIS_TOO"}
_GROUP = re.compile(r"^[0-9]{1,20}$")


ExchangeError = hashlists.ExchangeError


class GuardedThreatExchangeAPI(ThreatExchangeAPI):
    """pytx's ThreatExchange client on the guarded transport of every exchange (:class:`hashlists.Transport`)."""

    def __init__(self, token: str, *, transport: hashlists.Transport) -> None:
        super().__init__(token, endpoint_override=transport.endpoint.rstrip("/"))
        self.transport = transport

    def _get_session(self) -> requests.Session:
        # pytx's own session (headers, its retrying adapter) handed to the guarded one, which replaces the adapter's
        # work: reactions (POST) go through it too.
        return self.transport.session(super()._get_session())  # type: ignore[no-untyped-call]

    def get_json_from_url(self, url: str, params: Any = None, *, json_obj_hook: Any = None) -> Any:
        # pytx's GET goes around its own session (``requests.get``): read through the guarded one instead.
        with self._get_session() as session:
            resp = session.get(url, params=params or {})
        try:
            return json.loads(resp.content, object_hook=json_obj_hook)
        except (ValueError, RecursionError):
            raise ExchangeError("the exchange's answer is not JSON") from None


@dataclass
class ExchangeSpec:
    """An exchange's configuration. ``api``: ``fb_threatexchange`` (``privacy_group`` and ``token``), ``tat`` and
    ``ncmec`` (``credentials`` username and password), ``stopncii`` (``credentials`` subscription_key,
    fetch_function_key and optionally feedback_function_key), ``file`` (``file`` inside the instance's
    exchange-files folder, ``file_type`` when its lines hold values alone). ``endpoint`` empty: the service's own."""

    name: str
    bank: str
    privacy_group: str = ""
    token: str = ""
    endpoint: str = ""
    interval_s: int = 3600
    api: str = API_THREATEXCHANGE
    credentials: dict[str, str] = dataclasses.field(default_factory=dict)
    file: str = ""
    file_type: str = ""


APIS = (API_THREATEXCHANGE, hashlists.API_TAT, hashlists.API_STOPNCII, hashlists.API_NCMEC, hashlists.API_FILE)


def _collab_and_secret(spec: ExchangeSpec) -> tuple[str, str, str]:
    """(collab, endpoint, secret) of a checked spec, or InvalidInput with the reason."""
    if spec.api not in APIS:
        raise InvalidInput(f"an exchange's API is one of {', '.join(APIS)}")
    endpoint = spec.endpoint or (DEFAULT_ENDPOINT if spec.api == API_THREATEXCHANGE
                                 else hashlists.DEFAULT_ENDPOINTS.get(spec.api, ""))
    if spec.api != hashlists.API_FILE:
        url = urlsplit(endpoint)
        if url.scheme not in ("http", "https") or not url.netloc or len(endpoint) > 2000:
            raise InvalidInput("the endpoint is an http(s) URL, e.g. https://graph.facebook.com/v26.0")
    if spec.api == API_THREATEXCHANGE:
        if not _GROUP.match(spec.privacy_group):
            raise InvalidInput("a ThreatExchange privacy group is a number")
        if not 1 <= len(spec.token) <= 4000:
            raise InvalidInput("the access token has 1-4,000 characters")
        return spec.privacy_group, endpoint, spec.token
    if spec.api == hashlists.API_FILE:
        if not 1 <= len(spec.file) <= 500 or "\n" in spec.file or spec.file.startswith("/") or ".." in spec.file:
            raise InvalidInput(f"a file exchange names a file inside the instance's {hashlists.FILES_FOLDER} "
                               "folder (a relative path, no '..')")
        if spec.file_type and spec.file_type not in hashlists.FILE_TYPES:
            raise InvalidInput(f"a file's signal type is one of {', '.join(hashlists.FILE_TYPES)}")
        return f"{spec.file}\n{spec.file_type}" if spec.file_type else spec.file, "", ""
    wanted = hashlists.CREDENTIALS[spec.api]
    allowed = set(wanted) | set(hashlists.OPTIONAL_CREDENTIALS.get(spec.api, ()))
    creds = {k: v for k, v in spec.credentials.items() if v}
    missing = [k for k in wanted if not creds.get(k)]
    if missing or set(creds) - allowed:
        raise InvalidInput(f"a {spec.api} exchange needs {', '.join(wanted)}"
                           + (f" (and may have {', '.join(sorted(allowed - set(wanted)))})" if allowed - set(wanted)
                              else ""))
    if any(len(v) > 4000 or "\n" in v or "\r" in v for v in creds.values()):
        raise InvalidInput("a credential has at most 4,000 characters and no line break")
    return "", endpoint, json.dumps(creds)


def add_exchange(session: Session, principal: Principal, instance_secret: str, spec: ExchangeSpec,
                 replace: bool = False) -> Exchange:
    """Configure an exchange feeding one of the organization's banks (admins)."""
    principal.require_admin()
    name = spec.name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput("an exchange name has 1-200 characters")
    collab, endpoint, secret = _collab_and_secret(spec)
    if spec.interval_s < 1:
        raise InvalidInput("the sync interval is at least 1 second")
    bank = get_bank(session, principal, spec.bank, Access.OWNER)
    ex = session.scalar(select(Exchange).where(Exchange.org_id == principal.org_id, Exchange.name == name))
    if ex is not None and not replace:
        raise Conflict(f"exchange {name!r} exists (use --replace to change it)")
    if ex is None:
        ex = Exchange(org_id=principal.org_id, name=name, last_error="", failures=0, fetched=0, checkpoint={})
        session.add(ex)
    if ex.bank_id != bank.id or ex.api != spec.api or ex.collab != collab or ex.endpoint != endpoint:
        ex.checkpoint = {}  # another source: from its beginning
    ex.bank_id, ex.api, ex.collab, ex.endpoint = bank.id, spec.api, collab, endpoint
    ex.secret_enc = encrypt(instance_secret, secret) if secret else ""
    ex.interval_s, ex.enabled = spec.interval_s, True
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="sharing.exchange.set",
                 target=f"exchange:{ex.id}", details={"name": name, "api": spec.api, "collab": collab,
                                                      "endpoint": endpoint, "bank": bank.id})
    return ex


def get_exchange(session: Session, principal: Principal, ref: str | int) -> Exchange:
    eid = as_id(ref)
    q = select(Exchange).where(Exchange.org_id == principal.org_id)
    ex = session.scalar(q.where(Exchange.id == eid) if eid is not None else q.where(Exchange.name == str(ref)))
    if ex is None:
        raise NotFound(f"no exchange {ref!r}")
    return ex


def list_exchanges(session: Session, principal: Principal) -> list[Exchange]:
    return list(session.scalars(select(Exchange).where(Exchange.org_id == principal.org_id).order_by(Exchange.id)))


ExchangeReport = hashlists.ExchangeReport


def _api(inst: Instance, ex: Exchange) -> FBThreatExchangeSignalExchangeAPI:
    transport = hashlists.Transport(ex.endpoint or DEFAULT_ENDPOINT, timeout=float(inst.settings.sharing_timeout_s),
                                    max_bytes=inst.settings.sharing_max_bundle_bytes,
                                    attempts=inst.settings.sharing_retries)
    client = GuardedThreatExchangeAPI(decrypt(inst.secret_key, ex.secret_enc), transport=transport)
    collab = FBThreatExchangeCollabConfig(name=ex.name, privacy_group=int(ex.collab))
    return FBThreatExchangeSignalExchangeAPI(client, collab)


def sync_exchange(inst: Instance, exchange_id: int, *, max_pages: int = 10_000,
                  progress: Callable[[ExchangeReport], None] | None = None) -> ExchangeReport:
    """Fetch the exchange from its checkpoint to the end, one transaction per delta, then write the organization's
    new opinions back as reactions; a failure is kept on the exchange with the previous state intact. ``progress``
    is called with the report after each page is committed."""
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id)
        if ex is None:
            raise NotFound(f"no exchange {exchange_id}")
        if ex.api != API_THREATEXCHANGE:
            return hashlists.sync_hashlist(inst, exchange_id, max_pages=max_pages, progress=progress)
        report = ExchangeReport(ex.id, ex.name, update_time=int(ex.checkpoint.get("update_time", 0)))
        api = _api(inst, ex)
        checkpoint = FBThreatExchangeCheckpoint(**ex.checkpoint) if ex.checkpoint else None
    try:
        for delta in api.fetch_iter(list(SIGNAL_TYPES), checkpoint):
            _take(inst, api, exchange_id, delta.updates, delta.checkpoint, report)
            if progress is not None:
                progress(report)
            if report.pages >= max_pages:
                break
        report.reactions = _write_back(inst, api, exchange_id)
    except BasiraError as e:
        report.error = e.detail
    except (requests.RequestException, KeyError, TypeError, ValueError, AssertionError) as e:
        report.error = f"unusable answer from the exchange ({type(e).__name__}: {str(e)[:200]})"
    hashlists.record_outcome(inst, exchange_id, report)
    return report


def _labels(record: FBThreatExchangeIndicatorRecord) -> list[str]:
    tags = sorted({str(t)[:100] for o in record.opinions for t in o.tags if str(t).strip()})
    return tags[:50]


def _take(inst: Instance, api: FBThreatExchangeSignalExchangeAPI, exchange_id: int,
          updates: dict[tuple[str, str], FBThreatExchangeIndicatorRecord | None],
          checkpoint: FBThreatExchangeCheckpoint, report: ExchangeReport) -> None:
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id, with_for_update=True)
        if ex is None:
            raise NotFound(f"exchange {exchange_id} was removed during the sync")
        principal = hashlists.exchange_principal(ex)
        bank = get_bank(s, principal, ex.bank_id, Access.OWNER)
        provenance = f"exchange:{ex.name}"[:300]
        live = {k: v for k, v in updates.items() if v is not None}
        converted = api.naive_convert_to_signal_type(list(SIGNAL_TYPES), api.collab, live)
        specs: list[tuple[SignalSpec, FBThreatExchangeIndicatorRecord]] = []
        for stype, records in converted.items():
            for value, record in records.items():
                try:
                    spec = validate_spec(inst.registry, inst.settings, SignalSpec(
                        SIGNAL_TYPES[stype], value, labels=_labels(record), provenance=provenance))
                except BasiraError:
                    report.refused += 1
                    continue
                specs.append((spec, record))
        report.skipped += len(live) - sum(len(r) for r in converted.values())
        if specs:
            batch = add_signals_batch(s, principal, inst.registry, inst.settings, bank.id, [x for x, _ in specs],
                                      validated=True)
            report.added += batch.changed
            held = {r.signal_id: r for r in s.scalars(select(ExchangeRecord).where(
                ExchangeRecord.exchange_id == ex.id, ExchangeRecord.signal_id.in_(list(batch.ids.values()))))}
            for spec, record in specs:
                sid = batch.ids[(spec.entry_ref, spec.signal_type, spec.value)]
                row = held.get(sid) or ExchangeRecord(exchange_id=ex.id, signal_id=sid, indicator_type="")
                held[sid] = row
                s.add(row)
                row.indicator_type = spec.signal_type
                row.descriptor_ids = sorted({str(o.descriptor_id) for o in record.opinions
                                             if o.descriptor_id and o.descriptor_id > 0})[:20]
                row.positive = sum(o.category == SignalOpinionCategory.POSITIVE_CLASS for o in record.opinions)
                row.negative = sum(o.category == SignalOpinionCategory.NEGATIVE_CLASS for o in record.opinions)
        gone = [(INDICATOR_TYPES[t], v) for (t, v), rec in updates.items() if rec is None and t in INDICATOR_TYPES]
        report.disabled += _disable(s, inst, principal, bank.id, provenance, gone)
        ex.checkpoint = dataclasses.asdict(checkpoint)
        ex.fetched += len(updates)
        audit.record(s, org_id=ex.org_id, actor=principal.actor, action="sharing.exchange.receive",
                     target=f"bank:{bank.id}", details={"exchange": ex.name, "updates": len(updates),
                                                        "added": report.added, "disabled": report.disabled})
    report.pages += 1
    report.update_time = checkpoint.update_time


def _disable(s: Session, inst: Instance, principal: Principal, bank_id: int, provenance: str,
             gone: list[tuple[str, str]]) -> int:
    sigs = []
    for stype, raw in gone:
        try:
            value = inst.registry.validate(stype, raw)
        except BasiraError:
            continue
        sig = s.scalar(select(Signal).where(Signal.bank_id == bank_id, Signal.signal_type == stype,
                                            Signal.value == value, Signal.provenance == provenance,
                                            Signal.enabled.is_(True)))
        if sig is not None:
            sig.enabled = False
            record_change(s, sig, "remove")
            sigs.append(sig)
    if sigs:
        outbox.emit_many(s, [("signal.disabled", {"bank_id": bank_id, "signal_id": x.id}, principal.org_id)
                             for x in sigs])
    return len(sigs)


def _write_back(inst: Instance, api: FBThreatExchangeSignalExchangeAPI, exchange_id: int) -> int:
    """The organization's opinions on the exchange's signals changed since last time, as reactions."""
    with inst.db.session() as s:
        ex = s.get(Exchange, exchange_id)
        if ex is None:
            return 0
        q = (select(Opinion, ExchangeRecord).join(ExchangeRecord, ExchangeRecord.signal_id == Opinion.signal_id)
             .where(ExchangeRecord.exchange_id == ex.id, Opinion.org_id == ex.org_id)
             .order_by(Opinion.updated_at, Opinion.id).limit(500))
        if ex.opinions_after is not None:
            q = q.where(Opinion.updated_at > ex.opinions_after)
        todo = [(op.kind, list(rec.descriptor_ids), op.updated_at) for op, rec in s.execute(q)]
    sent = 0
    last: dt.datetime | None = None
    for kind, descriptors, when in todo:
        for descriptor in descriptors[:5]:
            _, err, answer = api.client.react_to_threat_descriptor(  # type: ignore[no-untyped-call]
                descriptor, REACTIONS[kind])
            if err is not None or not isinstance(answer, dict) or answer.get("success") is not True:
                raise ExchangeError(f"the exchange refused the reaction on descriptor {descriptor}")
            sent += 1
        last = when
    if last is not None:
        with inst.db.session() as s:
            ex = s.get(Exchange, exchange_id)
            if ex is not None:
                ex.opinions_after = last
    return sent


next_due = feeds.next_due  # an exchange is scheduled as a TAXII feed is


def sync_due(inst: Instance, now: dt.datetime | None = None) -> list[ExchangeReport]:
    """Sync every enabled exchange whose turn has come (the background worker calls this each round)."""
    at = now or utcnow()
    with inst.db.session() as s:
        due = [e.id for e in s.scalars(select(Exchange).where(Exchange.enabled.is_(True)).order_by(Exchange.id))
               if next_due(e) <= at]
    return [sync_exchange(inst, eid) for eid in due]
