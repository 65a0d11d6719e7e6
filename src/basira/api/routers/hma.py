"""HMA 2.0's hashing (``/h``), matching (``/m``) and curation (``/c``) API, answered by Basira in HMA's request and
response shapes, so that an integration written for Hasher-Matcher-Actioner works against Basira unchanged (it
only sends Basira's API key). The logic is in :mod:`basira.sharing.hma` and :mod:`basira.sharing.hma_match`.

Errors keep Basira's problem+json body and add HMA's ``message`` member, with HMA's status codes: 400 for bad
input, 403 for a taken bank name or a turned-off feature, 404 for what is missing or not visible.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from basira.api import problems, uploads
from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import errors
from basira.api.ratelimits import MatchPrincipal
from basira.core.errors import (
    BasiraError,
    Conflict,
    ContentTooLarge,
    InvalidInput,
    PermissionDenied,
)
from basira.core.instance import Instance
from basira.sharing import hma, hma_match


def _status(e: BasiraError) -> int:
    if isinstance(e, Conflict | PermissionDenied):
        return 403
    if isinstance(e, ContentTooLarge):
        return 413
    if isinstance(e, InvalidInput):
        return 400
    return e.status


class HmaRoute(APIRoute):
    """Maps Basira's errors to HMA's status codes, with HMA's ``message`` beside the problem's ``detail``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except BasiraError as e:
                return problems.problem(_status(e), e.title, e.detail, f"https://basira.invalid/problems/{e.slug}",
                                        message=e.detail)

        return route


router = APIRouter(tags=["hma"], route_class=HmaRoute, responses=errors(401, 422))

BanksParam = Annotated[str | None, Query(description="Comma-separated bank names: only these banks.",
                                         max_length=10_000)]
SignalParam = Annotated[str | None, Query(description="The hash (signal value).", max_length=100_000)]
TypeParam = Annotated[str | None, Query(description="The signal type, e.g. `pdq`, `video_md5`, `md5`.",
                                        max_length=64)]
UrlParam = Annotated[str | None, Query(description="Hashing by URL is turned off in Basira: upload the file.",
                                       max_length=10_000)]
TypesParam = Annotated[str | None, Query(description="Comma-separated signal types to compute.", max_length=1000)]
NO_URL = "fetching content by URL is turned off on this instance: POST the file as multipart/form-data"
_UPLOAD_FORM: dict[str, Any] = {"type": "object", "properties": {
    "photo": {"type": "string", "format": "binary", "description": "A photo (or send `video`)."},
    "video": {"type": "string", "format": "binary", "description": "A video."}}}
_UPLOAD = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _UPLOAD_FORM}}}}
_JSON_OBJECT = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}}


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise InvalidInput(f"invalid boolean parameter {name} - prefer true/false")


def _banks(value: str | None) -> set[str] | None:
    return {b for b in value.split(",") if b} if value else None


def _required(value: str | None, name: str) -> str:
    if not value:
        raise InvalidInput(f"{name} is required")
    return value


async def _json_body(request: Request, inst: Instance) -> Any:
    raw = await uploads.read_body(request, min(uploads.MAX_JSON_BYTES, inst.settings.max_upload_bytes))
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput("the request body is not JSON") from None


async def _hash_upload(request: Request, inst: Instance, types: str | None) -> dict[str, str]:
    async with uploads.receive(request, inst.settings, file_field=frozenset(hma.CONTENT_TYPES)) as up:
        if not up.file_field:
            raise InvalidInput("Missing multipart/form-data file upload")
        return await run_in_threadpool(hma_match.hash_content, inst.registry, inst.settings, up.content,
                                       up.file_field, types)


# -- hashing ----------------------------------------------------------------------------------------------


@router.get("/h/hash", responses=errors(400, 403))
def hash_url(inst: InstanceDep, principal: PrincipalDep, url: UrlParam = None) -> dict[str, str]:
    """HMA's hashing of a URL. Basira does not fetch content from URLs (no requests to addresses a caller names):
    the answer is 403, as HMA answers when its hasher role is off. Upload the file with `POST /h/hash`."""
    raise PermissionDenied(NO_URL)


@router.post("/h/hash", responses=errors(400, 403, 413), openapi_extra=_UPLOAD)
async def hash_upload(request: Request, inst: InstanceDep, principal: PrincipalDep,
                      types: TypesParam = None) -> dict[str, str]:
    """HMA's hashing of an upload: one file in the multipart field named for its content type (`photo` or
    `video`); the reply maps signal types to values (`pdq` for a photo; `video_md5`, `md5` and `vpdq` for a
    video; `md5` and `sha256` of the bytes). Nothing is stored."""
    return await _hash_upload(request, inst, types)


# -- matching ---------------------------------------------------------------------------------------------


@router.get("/m/raw_lookup", responses=errors(400, 403, 429))
def raw_lookup(inst: InstanceDep, principal: MatchPrincipal, signal: SignalParam = None,
               signal_type: TypeParam = None, banks: BanksParam = None,
               include_distance: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    """HMA's raw lookup: `{"matches": [content ids]}`, or with `include_distance=true`
    `{"matches": [{"bank_content_id", "distance"}]}`, over the banks the caller may match (or `banks`)."""
    with inst.db.session() as s:
        found = hma_match.raw_lookup(s, principal, inst.registry, inst.indexes, inst.settings,
                                     _required(signal_type, "signal_type"), _required(signal, "signal"),
                                     _banks(banks), _flag(include_distance, "include_distance"))
    return {"matches": found}


@router.get("/m/lookup", responses=errors(400, 403, 429))
def lookup(inst: InstanceDep, principal: MatchPrincipal, signal: SignalParam = None, signal_type: TypeParam = None,
           banks: BanksParam = None, url: UrlParam = None,
           seed: Annotated[str | None, Query(max_length=200, description="Ignored: Basira has no coin flip.")] = None,
           bypass_coinflip: Annotated[str | None, Query(max_length=100, description="Ignored.")] = None,
           content_type: Annotated[str | None, Query(max_length=32, description="Ignored.")] = None,
           types: TypesParam = None) -> dict[str, Any]:
    """HMA's lookup of a hash: `{bank name: [{"bank_content_id", "distance"}]}` for each bank that matched
    (own banks by name, others' as `owner:name`, a RED or AMBER+STRICT bank shared for matching only as
    `owner:RED` or `owner:AMBER+STRICT` with an empty list). Suppressed and quarantined hits are left out."""
    if url:
        raise PermissionDenied(NO_URL)
    with inst.db.session() as s:
        return hma_match.lookup(s, principal, inst.registry, inst.indexes, inst.settings,
                                _required(signal_type, "signal_type"), _required(signal, "signal"), _banks(banks))


@router.post("/m/lookup", responses=errors(400, 403, 413, 429), openapi_extra=_UPLOAD)
async def lookup_upload(request: Request, inst: InstanceDep, principal: MatchPrincipal, banks: BanksParam = None,
                        types: TypesParam = None) -> dict[str, Any]:
    """HMA's lookup of an upload (field `photo` or `video`): `{signal type: {bank name: [matches]}}` for every
    signal the content gives."""
    principal.require_match()
    hashes = await _hash_upload(request, inst, types)

    def run() -> dict[str, Any]:
        with inst.db.session() as s:
            return {name: hma_match.lookup(s, principal, inst.registry, inst.indexes, inst.settings, name, value,
                                           _banks(banks)) for name, value in hashes.items()}

    return await run_in_threadpool(run)


@router.post("/m/compare", responses=errors(400, 422), openapi_extra=_JSON_OBJECT)
async def compare(request: Request, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """HMA's compare: send `{signal type: [hash a, hash b]}`; the reply is `{signal type: [matched,
    {"distance": d}]}`, matched at the type's default threshold."""
    return hma_match.compare(inst.registry, await _json_body(request, inst))


@router.get("/m/index/status", responses=errors(400))
def index_status(inst: InstanceDep, principal: PrincipalDep, signal_type: TypeParam = None) -> dict[str, Any]:
    """HMA's index status: per signal type, `present`, `built_to` (unix time of the last change) and `size`
    (enabled signals in the banks the caller may match)."""
    with inst.db.session() as s:
        return hma_match.index_status(s, principal, inst.registry, signal_type)


# -- curation ---------------------------------------------------------------------------------------------


class BankCreate(BaseModel):
    """HMA's bank creation, and Basira's marking."""

    name: str = Field(min_length=1, max_length=200)
    enabled_ratio: float | None = Field(default=None, description="1.0 (matching) or 0.0 (not matching).")
    enabled: bool | None = None
    tlp: str | None = Field(default=None, max_length=20, description="Basira's TLP marking (default AMBER).")


class BankUpdate(BaseModel):
    """HMA's bank update: a field left out stays as it is."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    enabled_ratio: float | None = None
    enabled: bool | None = None


class ContentUpdate(BaseModel):
    """HMA's content update."""

    disable_until_ts: int | None = Field(default=None, description="0 disables the content, 1 enables it.")


BankName = Annotated[str, Path(description="The bank's name; a bank of another organization as `owner:name`.",
                               min_length=1, max_length=300)]


@router.get("/c/banks")
def list_banks(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """HMA's bank list: `[{"name", "matching_enabled_ratio"}]` for every bank the caller may see."""
    with inst.db.session() as s:
        return hma.list_banks(s, principal)


@router.post("/c/banks", status_code=status.HTTP_201_CREATED, responses=errors(400, 403, 422))
def create_bank(body: BankCreate, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """HMA's bank creation (201 with the BankConfig; 403 when the name is taken). Basira adds `tlp`."""
    with inst.db.session() as s:
        return hma.create_bank(s, principal, inst.registry, body.name, body.enabled_ratio, body.enabled, body.tlp)


@router.get("/c/bank/{bank_name}", responses=errors(404, 422))
def get_bank(bank_name: BankName, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """HMA's bank by name: `{"name", "matching_enabled_ratio"}`."""
    with inst.db.session() as s:
        return hma.get_bank(s, principal, bank_name)


@router.put("/c/bank/{bank_name}", responses=errors(400, 403, 404, 422))
def update_bank(bank_name: BankName, body: BankUpdate, inst: InstanceDep, principal: PrincipalDep) -> dict[str, Any]:
    """HMA's bank update: rename, enable or disable one of the caller's banks."""
    with inst.db.session() as s:
        return hma.update_bank(s, principal, inst.registry, bank_name, body.name, body.enabled_ratio, body.enabled)


@router.delete("/c/bank/{bank_name}", responses=errors(403, 404, 422))
def delete_bank(bank_name: BankName, inst: InstanceDep, principal: PrincipalDep) -> dict[str, str]:
    """HMA's bank deletion: `{"message": "Done"}` (also when there was no such bank, as in HMA)."""
    with inst.db.session() as s:
        hma.delete_bank(s, principal, bank_name)
    return {"message": "Done"}


@router.get("/c/bank/{bank_name}/content/{content_id}", responses=errors(400, 404, 422))
def get_content(bank_name: BankName, content_id: int, inst: InstanceDep, principal: PrincipalDep,
                include_signals: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    """HMA's bank content: `{"id", "disable_until_ts", "collab_metadata", "original_media_uri", "bank"}`, and
    `signals` with `include_signals=true`."""
    with inst.db.session() as s:
        return hma.get_content(s, principal, bank_name, content_id, _flag(include_signals, "include_signals"))


@router.post("/c/bank/{bank_name}/content", responses=errors(400, 403, 404, 413, 422), openapi_extra=_UPLOAD)
async def add_content(request: Request, bank_name: BankName, inst: InstanceDep, principal: PrincipalDep,
                      url: UrlParam = None, types: TypesParam = None) -> dict[str, Any]:
    """HMA's add-to-bank by upload (field `photo` or `video`): the content is hashed and its signals added as
    one entry; the reply is `{"id", "signals"}`. Adding by `url` is turned off (403)."""
    principal.require_bank_write()
    if url:
        raise PermissionDenied(NO_URL)
    async with uploads.receive(request, inst.settings, file_field=frozenset(hma.CONTENT_TYPES)) as up:
        if not up.file_field:
            raise InvalidInput("Neither `url` nor multipart file upload was received")
        hashes = await run_in_threadpool(hma_match.hash_content, inst.registry, inst.settings, up.content,
                                         up.file_field, types)
        derived = await run_in_threadpool(hma_match.derive_content, inst.registry, inst.settings, up.content,
                                          set(hashes))
        kind = up.file_field
    hashes.pop("video_md5", None)

    def run() -> dict[str, Any]:
        with inst.db.session() as s:
            return hma.add_content(s, principal, inst.registry, inst.settings, bank_name, hashes, content_type=kind,
                                   derived=derived)

    return await run_in_threadpool(run)


@router.put("/c/bank/{bank_name}/content/{content_id}", responses=errors(400, 403, 404, 422))
def update_content(bank_name: BankName, content_id: int, body: ContentUpdate, inst: InstanceDep,
                   principal: PrincipalDep) -> dict[str, Any]:
    """HMA's content update: `disable_until_ts` 0 disables the content's signals, 1 enables them."""
    with inst.db.session() as s:
        if body.disable_until_ts is None:
            return hma.get_content(s, principal, bank_name, content_id)
        return hma.set_content(s, principal, bank_name, content_id, body.disable_until_ts)


@router.delete("/c/bank/{bank_name}/content/{content_id}", responses=errors(403, 404, 422))
def delete_content(bank_name: BankName, content_id: int, inst: InstanceDep, principal: PrincipalDep) -> dict[str, int]:
    """HMA's content removal: `{"deleted": n}`; the content's signals stop matching for good."""
    with inst.db.session() as s:
        return {"deleted": hma.remove_content(s, principal, bank_name, content_id)}


@router.post("/c/bank/{bank_name}/signal", responses=errors(400, 403, 404, 422), openapi_extra=_JSON_OBJECT)
async def add_signals(request: Request, bank_name: BankName, inst: InstanceDep,
                      principal: PrincipalDep) -> dict[str, Any]:
    """HMA's add-to-bank by hash: send `{signal type: value}`; one entry is made with those signals and the reply
    is `{"id", "signals"}` with the values in canonical form."""
    body = await _json_body(request, inst)
    if not isinstance(body, dict):
        raise InvalidInput("send a JSON object of {signal type: value}")

    def run() -> dict[str, Any]:
        with inst.db.session() as s:
            return hma.add_content(s, principal, inst.registry, inst.settings, bank_name, body)

    return await run_in_threadpool(run)


@router.get("/c/signal_type")
def signal_types(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """HMA's signal type list: `[{"name", "enabled_ratio"}]`, every type of this instance."""
    return hma.signal_type_configs(inst.registry)


@router.get("/c/content_type")
def content_types(inst: InstanceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """HMA's content type list: `[{"name", "enabled"}]` for `photo` and `video`."""
    return hma.content_type_configs()
