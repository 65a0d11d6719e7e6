"""Hashing and matching: the signals Basira takes from uploaded content, and an item matched against every bank
the caller may match (by upload, or by signal values it computed itself).

Uploads are streamed to a temporary file (see :mod:`basira.api.uploads`) that is deleted before the reply.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from basira.api import uploads
from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import MAX_ID, BankId, errors, inline_schema
from basira.api.ratelimits import MatchPrincipal
from basira.core import matching
from basira.core.errors import InvalidInput, UnsupportedContent
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.core.signals import Content

router = APIRouter(prefix="/v1", tags=["matching"], responses=errors(401))


class SignalValue(BaseModel):
    """A signal value the caller computed."""

    signal_type: str = Field(min_length=1, max_length=32, examples=["md5"])
    value: str = Field(min_length=1, max_length=100_000, examples=["9e107d9d372bb6826bd81d3542a419d6"])


class MatchBody(BaseModel):
    """An item given by its signal values, or as a text or a URL (at least one of the three)."""

    signals: list[SignalValue] = Field(default_factory=list, max_length=matching.MAX_SIGNALS_PER_ITEM)
    text: str | None = Field(default=None, description="A text (post, caption, message): matched exactly, as a "
                                                      "near-duplicate and across languages; URLs in it too.")
    url: str | None = Field(default=None, max_length=10_000, description="A URL: matched as itself, its prefixes "
                                                                         "and its registrable domain.")
    ref: str = Field(default="", description="The caller's reference for the item (e.g. its id on the platform).",
                     max_length=300)
    banks: list[BankId] | None = Field(default=None, description="Match only these banks (ids); all when left out.",
                                       max_length=1000)
    store: bool = Field(default=True, description="Record the item, its hits and a `match.recorded` event (cases "
                                                  "follow). `false`: a lookup only, as HMA's lookup: the same "
                                                  "answer, nothing written (`item.id` is null), no case.")


class ExtractedOut(BaseModel):
    """A signal taken from the content or given by the caller."""

    signal_type: str
    value: str
    quality: int | None = Field(default=None, description="PDQ: 0-100; hashes of flat, featureless images are weak.")
    low_quality: bool = Field(default=False, description="The quality is below the instance's floor: matches are "
                                                 "less reliable, and the value may not go into a bank.")
    details: dict[str, Any] = Field(default_factory=dict)


class HashResult(BaseModel):
    """The signals of uploaded content; nothing was stored."""

    content_type: str = Field(description="What the bytes were recognised as: `photo`, `video` or `file`.")
    size: int = Field(description="Bytes received.")
    signals: list[ExtractedOut]


class MatchBank(BaseModel):
    """The bank of a hit; ``id`` and ``name`` are left out for a RED bank shared for matching only."""

    owner: str | None
    tlp: str
    negative: bool
    id: int | None = None
    name: str | None = None


class MatchEntry(BaseModel):
    """The entry of a hit."""

    id: int
    ref: str
    content_type: str
    attributes: dict[str, Any]


class MatchSignal(BaseModel):
    """The bank signal of a hit."""

    id: int
    value: str
    labels: list[str]
    provenance: str


class MatchOut(BaseModel):
    """One hit: a signal of the item against a signal of a bank. For a RED bank shared for matching only,
    ``distance``, ``entry`` and ``signal`` are null and ``note`` says whose signal matched."""

    bank: MatchBank
    signal_type: str
    query_value: str
    distance: float | None
    entry: MatchEntry | None
    signal: MatchSignal | None
    note: str | None = None
    suppressed: bool = Field(description="A negative bank matched the item too, which suppresses this hit.")
    quarantined: bool = Field(default=False, description="Flood control quarantined the bank signal for matching "
                                                         "far more than usual: the hit is recorded but held back "
                                                         "(no review, no action) until the owner releases it.")
    explanation: dict[str, Any] | None = Field(
        default=None, description="Why the values matched, beyond the distance, where the signal type says "
                                  "(vPDQ: `query_share` and `bank_share` as fractions, the matched time "
                                  "`query_ranges` and `bank_ranges` in seconds; a photo: `bank_derived`, the edit of "
                                  "the banked photo whose derived hash matched, e.g. `crop_10pct`, and "
                                  "`query_variant`, the part of the query that matched, e.g. `region`); null for "
                                  "RED banks shared for matching only.")


class MatchItem(BaseModel):
    """The item as recorded (``id`` is the stored item)."""

    id: int | None
    ref: str
    signals: list[ExtractedOut]


class MatchResult(BaseModel):
    """The result of matching one item."""

    item: MatchItem
    matched: bool = Field(description="At least one hit in a bank that is not negative, and not suppressed.")
    suppressed: bool = Field(description="A negative bank matched, so the other hits are suppressed.")
    matches: list[MatchOut]


_FILE_FORM: dict[str, Any] = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "The content."}}}
_MATCH_FORM: dict[str, Any] = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "The content."},
    "ref": {"type": "string", "maxLength": 300, "description": "The caller's reference for the item."},
    "banks": {"type": "string", "description": "Comma-separated bank ids to match (all when left out)."},
    "store": {"type": "string", "enum": ["true", "false"], "description": "`false`: a lookup only, nothing "
                                                                          "recorded (default `true`)."}}}


def _hash(inst: Instance, content: Content) -> HashResult:
    out = []
    for sig in matching.extract(inst.registry, inst.settings, content):
        floor = inst.registry.get(sig.signal_type).quality_floor(inst.settings)
        low = floor is not None and sig.quality is not None and sig.quality < floor
        out.append(ExtractedOut(signal_type=sig.signal_type, value=sig.value, quality=sig.quality,
                                low_quality=low, details=sig.details))
    return HashResult(content_type=content.content_type, size=content.size, signals=out)


def run_match(inst: Instance, principal: Principal, request: matching.MatchRequest) -> MatchResult:
    """Match one item as the route answers it (blocking: run off the event loop)."""
    def lookup(s: Session) -> dict[str, Any]:
        return matching.match_item(s, principal, inst.registry, inst.indexes, inst.settings, request)

    def attempt() -> dict[str, Any]:
        if not request.store and request.content is None:
            # A lookup of signal values writes nothing unless probing control counts a hit: read without a
            # transaction, and only in that case start again in one.
            try:
                return inst.db.read(lookup)
            except matching.NeedsTransaction:
                pass
        with inst.db.session() as s:
            return matching.match_item(s, principal, inst.registry, inst.indexes, inst.settings, request)

    return MatchResult.model_validate(inst.db.retry_locked(attempt))


def _flag(raw: str, name: str, *, default: bool) -> bool:
    value = raw.strip().lower()
    if not value:
        return default
    if value not in ("true", "false"):
        raise InvalidInput(f"{name} is true or false")
    return value == "true"


def _bank_ids(raw: list[str]) -> list[int] | None:
    """Bank ids from the multipart field ``banks`` (comma-separated, or repeated)."""
    parts = [p.strip() for value in raw for p in value.split(",") if p.strip()]
    if not parts:
        return None
    if len(parts) > 1000 or not all(p.isascii() and p.isdigit() and 0 < int(p) <= MAX_ID for p in parts):
        raise InvalidInput("banks is a comma-separated list of at most 1000 bank ids")
    return [int(p) for p in parts]


@router.post("/hash", response_model=HashResult, responses=errors(400, 413, 415, 422),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": _FILE_FORM}}}})
async def hash_content(request: Request, inst: InstanceDep, principal: PrincipalDep) -> HashResult:
    """The signals Basira takes from the uploaded content (multipart field `file`): `md5` and `sha256` of the
    bytes, and for a photo `pdq` with its quality. Nothing is stored. Any role may hash."""
    async with uploads.receive(request, inst.settings) as up:
        return await run_in_threadpool(_hash, inst, up.content)


@router.post("/match", response_model=MatchResult, responses=errors(400, 403, 413, 415, 422, 429),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": _MATCH_FORM},
                 "application/json": {"schema": inline_schema(MatchBody)}}}})
async def match(request: Request, inst: InstanceDep, principal: MatchPrincipal) -> MatchResult:
    """Match an item against every enabled bank the caller may match: upload its content (multipart field
    `file`, optional `ref` and `banks`), or send its signal values as JSON. The item's signals and hits are
    recorded (never the content) and a `match.recorded` event is written. A hit in a negative bank suppresses
    the others; a RED bank shared for matching only reveals whose signal matched, never the value.
    Admins, analysts and reviewers may match; auditors may not."""
    # Refuse a caller who may not match before receiving what may be a large upload.
    principal.require_match()
    ctype = request.headers.get("content-type", "").lower()
    if ctype.startswith("multipart/form-data"):
        async with uploads.receive(request, inst.settings) as up:
            req = matching.MatchRequest(content=up.content, ref=up.text("ref")[:300],
                                        bank_ids=_bank_ids(up.fields.get("banks", [])),
                                        store=_flag(up.text("store"), "store", default=True))
            return await run_in_threadpool(run_match, inst, principal, req)
    if not ctype.startswith("application/json"):
        raise UnsupportedContent("send the item as multipart/form-data (field `file`) or as application/json")
    raw = await uploads.read_body(request, min(uploads.MAX_JSON_BYTES, inst.settings.max_upload_bytes))
    try:
        body = MatchBody.model_validate_json(raw)
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from None
    given = [(v.signal_type, v.value) for v in body.signals]
    if body.text is not None and body.url is not None:
        raise InvalidInput("send a text or a URL, not both")
    if body.text is not None or body.url is not None:
        from basira.content.text import as_content

        kind = "text" if body.text is not None else "url"
        with as_content(body.text if body.text is not None else body.url or "", inst.settings, kind) as content:
            req = matching.MatchRequest(content=content, content_type=kind, signals=given, ref=body.ref,
                                        bank_ids=body.banks, store=body.store)
            return await run_in_threadpool(run_match, inst, principal, req)
    if not given:
        raise InvalidInput("send signals, a text or a URL")
    return await match_values(inst, principal, body)


async def match_values(inst: Instance, principal: Principal, body: MatchBody) -> MatchResult:
    """Match an item given by its signal values (``body.signals``; no text, no URL): a lookup, which shares a read
    session with others through the instance's lookup groups, or a storing match, which shares a transaction with
    others through its match writer."""
    req = matching.MatchRequest(signals=[(v.signal_type, v.value) for v in body.signals], ref=body.ref,
                                bank_ids=body.banks, store=body.store)
    # Storing matches share transactions (the writer refuses bad values on its own thread before the shared
    # transaction: one thread hop, not two); lookups share read sessions. Each answers as run_match would.
    groups = inst.match_writer() if body.store else inst.lookup_groups()
    if groups is None:
        return await run_in_threadpool(run_match, inst, principal, req)
    return MatchResult.model_validate(await asyncio.wrap_future(groups.submit(principal, req)))
