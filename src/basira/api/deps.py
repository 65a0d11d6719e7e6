"""Request dependencies: the instance, and the principal behind the API key."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from basira.core.errors import NotAuthenticated
from basira.core.instance import Instance
from basira.core.orgs import authenticate_key
from basira.core.principal import Principal


async def get_instance(request: Request) -> Instance:
    # async: FastAPI runs a plain ``def`` dependency on a worker thread, a hop per request for an attribute read.
    inst: Instance = request.app.state.instance
    return inst


def _presented_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key", "").strip()


# Declared so that OpenAPI shows both ways of sending a key; the key itself is read from the headers below.
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer bsk_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key in the X-API-Key header.")


def _cache_key(key: str) -> bytes:
    # The cache holds a digest, never the key itself.
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


def _authenticate(inst: Instance, key: str) -> Principal:
    """The principal of ``key`` read from the database, kept in the instance's key cache for ``read_cache_s``
    (see :mod:`basira.core.readcache`: a key revoked through this process is refused at once, through another
    within that time)."""
    def read() -> Principal:
        with inst.db.session() as s:
            return authenticate_key(s, key)

    # One reader per key at a time: the requests that missed the cache with it take that reader's answer.
    return inst.key_cache.get_or_load(_cache_key(key), read)


async def get_principal(
    request: Request,
    inst: Annotated[Instance, Depends(get_instance)],
    _b: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    _h: Annotated[str | None, Security(_header)] = None,
) -> Principal:
    return await principal_of(inst, request)


async def principal_of(inst: Instance, request: Request) -> Principal:
    """The principal behind the request's API key: from the key cache, else from the database off the event loop.

    Raises:
        NotAuthenticated: The key is missing, unknown, revoked or expired.
    """
    key = _presented_key(request)
    if not key:
        raise NotAuthenticated("send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
    cached = inst.key_cache.get(_cache_key(key))
    if cached is not None:
        return cached
    return await run_in_threadpool(_authenticate, inst, key)


def check_presented_key(scope: Scope) -> None:
    """Check the API key of a request before its body is read (see :mod:`basira.api.limits`).

    Raises:
        NotAuthenticated: The key is missing, unknown, revoked or expired.
    """
    request = Request(scope)
    inst: Instance = request.app.state.instance
    key = _presented_key(request)
    if not key:
        raise NotAuthenticated("send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
    if inst.key_cache.get(_cache_key(key)) is None:
        _authenticate(inst, key)


InstanceDep = Annotated[Instance, Depends(get_instance)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
