"""Signals of a bank: add (one or many, with the entry they belong to), list page by page, disable, enable,
release from flood control's quarantine, remove. A change reaches matching at once: indexes replay the signal
change log on every query.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import ARRAY, BigInteger, Text, any_, bindparam, cast, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from basira.api import uploads
from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import AfterId, BankRef, Limit, SignalId, SignalTypeFilter, errors, inline_schema
from basira.core import banks, matching
from basira.core.instance import Instance
from basira.core.models import Entry, Signal
from basira.core.principal import Principal
from basira.core.signals import Content
from basira.core.visibility import Access, Visibility, visible_provenance

router = APIRouter(prefix="/v1", tags=["signals"], responses=errors(401))

#: The most signals one request may add (larger sets go through the bulk import).
MAX_SIGNALS_PER_REQUEST = 10_000


class SignalIn(BaseModel):
    """One signal to add, with the entry (the thing the bank holds) it belongs to."""

    signal_type: str = Field(description="A registered signal type, e.g. `pdq`, `md5`, `sha256`.",
                             min_length=1, max_length=32, examples=["md5"])
    value: str = Field(description="The value; it is written in its canonical form.", min_length=1,
                       max_length=100_000, examples=["9e107d9d372bb6826bd81d3542a419d6"])
    entry_ref: str = Field(
        default="", max_length=300,
        description="The entry's reference in the bank (made from the value when empty); signals with the same "
                    "reference belong to one entry.")
    content_type: str = Field(default="", max_length=32,
                              description="The entry's content type (the signal type's default when empty).")
    labels: list[str] = Field(default_factory=list, max_length=50)
    provenance: str = Field(default="", description="Where the signal came from (the caller's key when empty).",
                            max_length=300)
    quality: int | None = Field(default=None, description="The quality the hash was computed with (PDQ: 0-100); "
                                                  "values below the instance's floor are refused.", ge=0, le=100)
    expires_at: dt.datetime | None = Field(default=None, description="When the signal stops matching.")
    attributes: dict[str, Any] = Field(default_factory=dict, description="Attributes of a new entry.")

    def spec(self) -> banks.SignalSpec:
        return banks.SignalSpec(signal_type=self.signal_type, value=self.value, entry_ref=self.entry_ref,
                                content_type=self.content_type, labels=self.labels, provenance=self.provenance,
                                quality=self.quality, expires_at=self.expires_at, attributes=self.attributes)


SignalsIn = Annotated[list[SignalIn], Field(min_length=1, max_length=MAX_SIGNALS_PER_REQUEST)]


class EntryOut(BaseModel):
    """The entry a signal belongs to."""

    id: int
    ref: str
    content_type: str
    attributes: dict[str, Any]


class SignalOut(BaseModel):
    """A signal of a bank the caller may see."""

    id: int
    bank_id: int
    signal_type: str
    value: str
    labels: list[str]
    provenance: str
    quality: int | None
    enabled: bool
    expires_at: dt.datetime | None
    quarantined_at: dt.datetime | None = Field(
        default=None, description="When flood control quarantined the signal for matching far more than usual: "
                                  "its hits are held back (suppressed) until it is released.")
    created_at: dt.datetime
    derived: bool = Field(default=False, description="A hash of an edit of the banked content (a crop, a small "
                                                     "turn, the mirror image), made when it was banked; shared "
                                                     "only where the bank's `share_derived` allows.")
    details: dict[str, Any] = Field(default_factory=dict, description="`derived`: the edit's name.")
    entry: EntryOut

    @classmethod
    def of(cls, sig: Signal, entry: Entry, access: Access = Access.OWNER) -> SignalOut:
        return cls.model_validate(_fields(sig, sig.labels, sig.details, entry.id, entry.ref, entry.content_type,
                                          entry.attributes, access))


def _fields(sig: Any, labels: list[str], details: dict[str, Any] | None, entry_id: int, ref: str,
            content_type: str, attributes: dict[str, Any], access: Access) -> dict[str, Any]:
    """The fields of :class:`SignalOut`, in its order, from a :class:`Signal` or a row of its columns (whose JSON
    columns the caller parses)."""
    return {"id": sig.id, "bank_id": sig.bank_id, "signal_type": sig.signal_type, "value": sig.value,
            "labels": list(labels), "provenance": visible_provenance(sig.provenance, access),
            "quality": sig.quality, "enabled": sig.enabled, "expires_at": sig.expires_at,
            "quarantined_at": sig.quarantined_at, "created_at": sig.created_at, "derived": sig.derived,
            "details": dict(details or {}),
            "entry": {"id": entry_id, "ref": ref, "content_type": content_type, "attributes": dict(attributes)}}


class SignalPage(BaseModel):
    """A page of signals, in id order."""

    signals: list[SignalOut]
    next_after_id: int | None = Field(description="Pass as `after_id` for the next page; null on the last page.")


class AddedSignals(BaseModel):
    """The signals added (or, when already in the entry, updated and enabled again)."""

    signals: list[SignalOut]


class AddedIds(BaseModel):
    """The ids of the signals added, in the order they were sent (``Prefer: return=minimal``)."""

    ids: list[int]


#: The columns of a signal as stored, with its entry's (:func:`_stored`); the JSON ones as their text, parsed by
#: :func:`_stored` once per distinct text (psycopg's JSON loader, once per row and column, cost more than the query).
_STORED = (select(Signal.id, Signal.bank_id, Signal.signal_type, Signal.value,
                  cast(Signal.labels, Text).label("labels"), Signal.provenance, Signal.quality, Signal.enabled,
                  Signal.derived, cast(Signal.details, Text).label("details"), Signal.expires_at, Signal.quarantined_at,
                  Signal.created_at, Entry.id.label("entry_id"), Entry.ref, Entry.content_type,
                  cast(Entry.attributes, Text).label("attributes"))
           .join(Entry, Entry.id == Signal.entry_id))
#: PostgreSQL takes the ids as one array: a query of 1,000 placeholders cost psycopg more to parse than to run.
_STORED_PG = _STORED.where(Signal.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
_STORED_IN = _STORED.where(Signal.id.in_(bindparam("ids", expanding=True)))


#: The full answer of a batch as :func:`_stored` gives it (AddedSignals' shape), serialised without validation.
_ANSWER: TypeAdapter[dict[str, list[dict[str, Any]]]] = TypeAdapter(dict[str, list[dict[str, Any]]])


def _stored(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The signals ``ids`` as :class:`SignalOut` fields, read by their owner, by id: columns rather than ORM
    objects (10,000 signals read back as objects took longer than writing them)."""
    texts: dict[str | None, Any] = {}

    def parsed(text: str | None) -> Any:
        # A batch repeats a few texts ("[]", "{}", its labels): each is parsed once; _fields copies what it keeps.
        if text not in texts:
            texts[text] = json.loads(text) if text is not None else None
        return texts[text]

    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        parts, query = [unique], _STORED_PG
    else:
        parts, query = [unique[start:start + 1000] for start in range(0, len(unique), 1000)], _STORED_IN
    out: dict[int, dict[str, Any]] = {}
    for part in parts:
        for r in session.execute(query, {"ids": part}):
            # In SignalOut's field order: the answer is serialised from these as they are.
            out[r.id] = _fields(r, parsed(r.labels), parsed(r.details), r.entry_id, r.ref, r.content_type,
                                parsed(r.attributes), Access.OWNER)
    return out


def _minimal(request: Request) -> bool:
    """Whether the caller asked for the short answer (RFC 7240: ``Prefer: return=minimal``)."""
    return any(p.strip().lower() == "return=minimal"
               for value in request.headers.getlist("prefer") for p in value.split(","))


#: The body of :func:`add_signals`, one signal or a list, validated from its JSON bytes in one pass: FastAPI's
#: ``json.loads`` and validation of the parsed objects took longer for 10,000 signals, on the event loop.
_SIGNALS_BODY: TypeAdapter[SignalIn | list[SignalIn]] = TypeAdapter(SignalIn | SignalsIn)


def _signals_in(content_type: str, raw: bytes) -> list[SignalIn]:
    """The signals of a request body, or the 422 FastAPI would give for it (each error's place under ``body``)."""
    media = content_type.partition(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise RequestValidationError([{"type": "model_attributes_type", "loc": ("body",),
                                       "msg": "send the signals as application/json", "input": None}])
    try:
        body = _SIGNALS_BODY.validate_json(raw)
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from None
    return body if isinstance(body, list) else [body]


@router.post("/banks/{bank}/signals", status_code=status.HTTP_201_CREATED, response_model=None,
             responses={**errors(403, 404, 422), 201: {"model": AddedSignals | AddedIds, "description": "The "
                        "signals as stored, or with `Prefer: return=minimal` their ids (`Preference-Applied` says "
                        "which)."}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": inline_schema(_SIGNALS_BODY)}}}})
async def add_signals(request: Request, bank: BankRef, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Add one signal (an object) or several (a list, at most 10,000) to a bank of the caller's organization.
    All are validated first: if one is bad, none is added and the problem says why. A value already in
    the entry is not doubled: its labels are merged and it is enabled again. The answer holds every signal as
    stored; with the header `Prefer: return=minimal` only their ids, in the order sent (status 201 either way),
    which spares reading back and sending a large batch."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if _minimal(request):
        ids = await run_in_threadpool(_add_ids, inst, principal, bank, content_type, raw)
        return Response(AddedIds(ids=ids).model_dump_json(), status_code=status.HTTP_201_CREATED,
                        media_type="application/json", headers={"Preference-Applied": "return=minimal"})
    answer = await run_in_threadpool(_add_answered, inst, principal, bank, content_type, raw)
    return Response(answer, status_code=status.HTTP_201_CREATED, media_type="application/json")


def _add_ids(inst: Instance, principal: Principal, bank: int | str, content_type: str, raw: bytes) -> list[int]:
    """:func:`add_signals` with the short answer: the ids, in the order sent."""
    items = _signals_in(content_type, raw)

    def attempt() -> list[int]:
        with inst.db.session() as s:
            return banks.add_signals_audited(s, principal, inst.registry, inst.settings, bank,
                                             [i.spec() for i in items]).ids

    return inst.db.retry_locked(attempt)  # all or none: a locked SQLite is tried again from the start


def _add_answered(inst: Instance, principal: Principal, bank: int | str, content_type: str, raw: bytes) -> bytes:
    """:func:`add_signals` with the full answer, as JSON."""
    items = _signals_in(content_type, raw)

    def attempt() -> list[dict[str, Any]]:
        with inst.db.session() as s:
            batch = banks.add_signals_audited(s, principal, inst.registry, inst.settings, bank,
                                              [i.spec() for i in items])
            # What the batch inserted into entries it inserted is answered as written; the rest is read back.
            found = {sid: _new_fields(new) for sid, new in batch.new.items()}
            found.update(_stored(s, [sid for sid in batch.ids if sid not in found]))
            return [found[sid] for sid in batch.ids]

    added = inst.db.retry_locked(attempt)  # all or none, as above
    # The columns as read, in AddedSignals' shape, serialised by pydantic in one call: validating 10,000 answers
    # again, or FastAPI's generic encoder, took longer than writing them (tests compare it with the list route).
    return _ANSWER.dump_json({"signals": added})


def _new_fields(new: banks.NewSignal) -> dict[str, Any]:
    """:class:`SignalOut`'s fields of a signal as a batch wrote it (its owner's view)."""
    return _fields(new, new.labels, new.details, new.entry_id, new.entry_ref, new.content_type, new.attributes,
                   Access.OWNER)


_CONTENT_FORM: dict[str, Any] = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "The content (a photo, a video, any file)."},
    "entry_ref": {"type": "string", "maxLength": 300,
                  "description": "The entry's reference in the bank (`<content type>:<sha256>` when left out)."},
    "labels": {"type": "string", "description": "Comma-separated labels for every signal of the entry."}}}


def _bank_content(inst: Instance, principal: Principal, bank: int | str, content: Content, entry_ref: str,
                  labels: list[str]) -> AddedSignals:
    with inst.db.session() as s:
        added = matching.bank_content(s, principal, inst.registry, inst.settings, bank, content, entry_ref, labels)
        entries = {e.id: e for e in (s.get(Entry, sig.entry_id) for sig in added) if e is not None}
        return AddedSignals(signals=[SignalOut.of(sig, entries[sig.entry_id]) for sig in added])


@router.post("/banks/{bank}/content", status_code=status.HTTP_201_CREATED, response_model=AddedSignals,
             responses=errors(400, 403, 404, 413, 415, 422),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": _CONTENT_FORM}}}})
async def bank_content(bank: BankRef, request: Request, inst: InstanceDep, principal: PrincipalDep) -> AddedSignals:
    """Bank content (multipart field `file`) in a bank of the caller's organization: one entry holding every
    signal Basira takes from it, and for a photo its derived PDQ hashes (crops of 5, 10 and 15 % per side,
    turns of 3 and 5 degrees, the mirror image; `derived: true`), which find edited copies that PDQ alone
    misses. The content itself is not kept. A photo whose hash is under the quality floor is refused."""
    principal.require_bank_write()
    async with uploads.receive(request, inst.settings) as up:
        labels = sorted({x.strip() for v in up.fields.get("labels", []) for x in v.split(",") if x.strip()})
        entry_ref = up.text("entry_ref")
        return await run_in_threadpool(_bank_content, inst, principal, bank, up.content, entry_ref, labels)


@router.get("/banks/{bank}/signals", response_model=SignalPage, responses=errors(404, 422))
def list_signals(bank: BankRef, inst: InstanceDep, principal: PrincipalDep, after_id: AfterId = 0,
                 limit: Limit = 100, signal_type: SignalTypeFilter = None,
                 include_disabled: bool = False) -> SignalPage:
    """The signals of a bank the caller may see, page by page in id order (RED and AMBER+STRICT banks of others
    are never listed: they are match-only). Filter by signal type with `type`; disabled signals are left out
    unless `include_disabled`."""
    with inst.db.session() as s:
        rows = banks.list_signals(s, principal, bank, after_id=after_id, limit=limit, signal_type=signal_type,
                                  include_disabled=include_disabled)
        access = Visibility(s, principal.org_id).access(banks.get_bank(s, principal, bank))
        out = [SignalOut.of(sig, entry, access) for sig, entry in rows]
    return SignalPage(signals=out, next_after_id=out[-1].id if len(out) == limit else None)


def _out(s: Session, sig: Signal) -> SignalOut:
    entry = s.get(Entry, sig.entry_id)
    if entry is None:  # the foreign key makes this unreachable
        raise RuntimeError(f"signal {sig.id} has no entry")
    return SignalOut.of(sig, entry)


def _set_enabled(signal_id: int, enabled: bool, inst: InstanceDep, principal: PrincipalDep) -> SignalOut:
    with inst.db.session() as s:
        return _out(s, banks.set_signal_enabled(s, principal, signal_id, enabled))


@router.post("/signals/{signal_id}/disable", response_model=SignalOut, responses=errors(403, 404, 422))
def disable_signal(signal_id: SignalId, inst: InstanceDep, principal: PrincipalDep) -> SignalOut:
    """Stop a signal of the caller's organization from matching, at once (it can be enabled again)."""
    return _set_enabled(signal_id, False, inst, principal)


@router.post("/signals/{signal_id}/enable", response_model=SignalOut, responses=errors(403, 404, 422))
def enable_signal(signal_id: SignalId, inst: InstanceDep, principal: PrincipalDep) -> SignalOut:
    """Let a disabled signal of the caller's organization match again."""
    return _set_enabled(signal_id, True, inst, principal)


@router.post("/signals/{signal_id}/release", response_model=SignalOut, responses=errors(403, 404, 422))
def release_signal(signal_id: SignalId, inst: InstanceDep, principal: PrincipalDep) -> SignalOut:
    """Release a signal of the caller's organization that flood control quarantined (its hits this hour
    reached `BASIRA_FLOOD_FACTOR` times its usual rate, and at least `BASIRA_FLOOD_MIN_HITS_PER_HOUR`): its
    hits count as matches again. Releasing a signal that is not quarantined changes nothing."""
    with inst.db.session() as s:
        return _out(s, banks.release_signal(s, principal, signal_id))


@router.delete("/signals/{signal_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=errors(403, 404, 422))
def remove_signal(signal_id: SignalId, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Remove a signal of the caller's organization from matching for good. The row stays, disabled and
    labelled `removed`, for the matches that cite it."""
    with inst.db.session() as s:
        banks.remove_signal(s, principal, signal_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
