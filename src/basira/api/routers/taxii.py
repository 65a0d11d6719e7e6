"""TAXII 2.1 server: discovery, one API root, a collection per bank the caller may take away, objects, manifests,
versions, adding objects and status. Thin: the services in :mod:`basira.sharing.taxii` decide what leaves.

Every route takes the API key as the rest of the API does (``Authorization: Bearer`` or ``X-API-Key``) and
answers ``application/taxii+json;version=2.1``; errors are problem+json bodies like the rest of the API.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import errors
from basira.core import audit
from basira.core.errors import ContentTooLarge, InvalidInput
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.sharing import taxii

#: TAXII answers are JSON objects (the envelope, collections, status...) in TAXII's own media type.
_TAXII_OBJECT: dict[int | str, dict[str, Any]] = {
    code: {"description": "A TAXII 2.1 resource.", "content": {taxii.MEDIA_TYPE_TAXII: {"schema": {"type": "object"}}}}
    for code in (200, 202)}
router = APIRouter(prefix="/taxii2", tags=["taxii"], responses={**errors(401, 422), **_TAXII_OBJECT})

CollectionId = Annotated[str, Path(title="Collection id", description="A collection id from the collections list.",
                                   min_length=1, max_length=100)]
ObjectId = Annotated[str, Path(title="Object id", description="A STIX id, e.g. `indicator--<uuid>`.",
                               min_length=1, max_length=120)]
_ACCEPTABLE = ("application/taxii+json", "application/*", "*/*")


class TaxiiResponse(Response):
    media_type = taxii.MEDIA_TYPE_TAXII

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def _check_accept(request: Request) -> None:
    accept = request.headers.get("accept", "")
    if accept and not any(a in accept for a in _ACCEPTABLE):
        raise _NotAcceptable("this server answers application/taxii+json;version=2.1")


class _NotAcceptable(InvalidInput):
    """The client asked for a media type this server does not send."""

    status = 406
    exit_code = 65
    title = "Not acceptable"


def _filters(request: Request, inst: Instance) -> taxii.Filters:
    params = {k: v[:5000] for k, v in request.query_params.items()}
    return taxii.Filters.parse(params, inst.settings.taxii_page_size)


def _root_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/taxii2/api/"


@router.get("/", response_class=TaxiiResponse, summary="TAXII discovery")
def discovery(request: Request, principal: PrincipalDep) -> TaxiiResponse:
    """The server's discovery resource: one API root, also the default."""
    _check_accept(request)
    root = _root_url(request)
    return TaxiiResponse({"title": "Basira TAXII 2.1", "description": "Signals of the banks shared with you.",
                          "default": root, "api_roots": [root]})


@router.get("/api/", response_class=TaxiiResponse, summary="TAXII API root")
def api_root(request: Request, inst: InstanceDep, principal: PrincipalDep) -> TaxiiResponse:
    """The API root: TAXII 2.1, and the largest envelope a client may POST."""
    _check_accept(request)
    return TaxiiResponse({"title": "Basira", "versions": [taxii.MEDIA_TYPE_TAXII],
                          "max_content_length": inst.settings.sharing_max_bundle_bytes})


def _collections(inst: Instance, principal: Principal) -> list[dict[str, Any]]:
    with inst.db.session() as s:
        return [c.resource() for c in taxii.collections(s, inst, principal)]


@router.get("/api/collections/", response_class=TaxiiResponse, summary="TAXII collections")
def list_collections(request: Request, inst: InstanceDep, principal: PrincipalDep) -> TaxiiResponse:
    """A collection per bank the caller may take away (readable) or owns and may change (writable). RED banks
    are never readable; AMBER and AMBER+STRICT banks only for the owner and the organizations they are shared
    with."""
    _check_accept(request)
    return TaxiiResponse({"collections": _collections(inst, principal)})


@router.get("/api/collections/{cid}/", response_class=TaxiiResponse, responses=errors(404),
            summary="TAXII collection")
def one_collection(cid: CollectionId, request: Request, inst: InstanceDep, principal: PrincipalDep) -> TaxiiResponse:
    """One collection the caller may read or write."""
    _check_accept(request)
    with inst.db.session() as s:
        return TaxiiResponse(taxii.get_collection(s, inst, principal, cid).resource())


def _page(inst: Instance, principal: Principal, cid: str, f: taxii.Filters, object_id: str | None) -> taxii.Page:
    with inst.db.session() as s:
        if object_id is None:
            got = taxii.page(s, inst, principal, cid, f)
        else:
            got = taxii.one_object(s, inst, principal, cid, object_id, f)
        if got.items:
            audit.record(s, org_id=principal.org_id, actor=principal.actor, action="sharing.export",
                         target=f"taxii:{cid}", details={"objects": len(got.items)})
        return got


@router.get("/api/collections/{cid}/objects/", response_class=TaxiiResponse, responses=errors(403, 404, 422),
            summary="TAXII objects")
async def get_objects(cid: CollectionId, request: Request, inst: InstanceDep,
                      principal: PrincipalDep) -> TaxiiResponse:
    """An envelope of the collection's objects in date_added order: filters `added_after`,
    `match[type]`, `match[id]`, `match[version]`, `match[spec_version]`; `limit` and `next` for pages. The
    X-TAXII-Date-Added-First/Last headers give the page's first and last date_added."""
    _check_accept(request)
    got = await run_in_threadpool(_page, inst, principal, cid, _filters(request, inst), None)
    return TaxiiResponse(got.envelope(), headers=got.headers())


@router.get("/api/collections/{cid}/manifest/", response_class=TaxiiResponse, responses=errors(403, 404, 422),
            summary="TAXII manifest")
async def get_manifest(cid: CollectionId, request: Request, inst: InstanceDep,
                       principal: PrincipalDep) -> TaxiiResponse:
    """The manifest (id, date_added, version, media type) of the objects the same filters would return."""
    _check_accept(request)
    got = await run_in_threadpool(_page, inst, principal, cid, _filters(request, inst), None)
    return TaxiiResponse(got.manifest(), headers=got.headers())


@router.get("/api/collections/{cid}/objects/{object_id}/", response_class=TaxiiResponse,
            responses=errors(403, 404, 422), summary="TAXII object")
async def get_object(cid: CollectionId, object_id: ObjectId, request: Request, inst: InstanceDep,
                     principal: PrincipalDep) -> TaxiiResponse:
    """One object by id, in an envelope."""
    _check_accept(request)
    got = await run_in_threadpool(_page, inst, principal, cid, _filters(request, inst), object_id)
    return TaxiiResponse(got.envelope(), headers=got.headers())


@router.get("/api/collections/{cid}/objects/{object_id}/versions/", response_class=TaxiiResponse,
            responses=errors(403, 404, 422), summary="TAXII object versions")
async def get_versions(cid: CollectionId, object_id: ObjectId, request: Request, inst: InstanceDep,
                       principal: PrincipalDep) -> TaxiiResponse:
    """The versions of one object; Basira keeps the latest only."""
    _check_accept(request)
    got = await run_in_threadpool(_page, inst, principal, cid, _filters(request, inst), object_id)
    versions = [e.obj.get("modified", e.obj.get("created")) for e in got.items]
    return TaxiiResponse({"more": False, "versions": versions}, headers=got.headers())


async def _body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ContentTooLarge(f"the envelope is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _add(inst: Instance, principal: Principal, cid: str, raw: bytes) -> dict[str, Any]:
    with inst.db.session() as s:
        return taxii.status_resource(taxii.add_objects(s, inst, principal, cid, raw))


@router.post("/api/collections/{cid}/objects/", response_class=TaxiiResponse, status_code=202,
             responses=errors(403, 404, 413, 422), summary="TAXII add objects")
async def add_objects(cid: CollectionId, request: Request, inst: InstanceDep,
                      principal: PrincipalDep) -> TaxiiResponse:
    """Add an envelope of STIX objects to one of the caller's own banks. Indicators become signals (newer
    versions replace older ones, revoked ones disable theirs); each object is accepted or refused with a reason
    in the status resource returned."""
    _check_accept(request)
    raw = await _body(request, inst.settings.sharing_max_bundle_bytes)
    body = await run_in_threadpool(_add, inst, principal, cid, raw)
    return TaxiiResponse(body, status_code=202)


@router.get("/api/status/{status_id}/", response_class=TaxiiResponse, responses=errors(404), summary="TAXII status")
def get_status(status_id: Annotated[str, Path(max_length=64)], request: Request, inst: InstanceDep,
               principal: PrincipalDep) -> TaxiiResponse:
    """The status of an add-objects request made by the caller's organization."""
    _check_accept(request)
    with inst.db.session() as s:
        return TaxiiResponse(taxii.status_resource(taxii.get_status(s, principal, status_id)))
