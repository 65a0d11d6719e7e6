"""Request dependencies: the instance, and the principal behind the API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import Scope

from basira.core.errors import NotAuthenticated
from basira.core.instance import Instance
from basira.core.orgs import authenticate_key
from basira.core.principal import Principal


def get_instance(request: Request) -> Instance:
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


def get_principal(
    request: Request,
    inst: Annotated[Instance, Depends(get_instance)],
    _b: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    _h: Annotated[str | None, Security(_header)] = None,
) -> Principal:
    key = _presented_key(request)
    if not key:
        raise NotAuthenticated("send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
    with inst.db.session() as s:
        return authenticate_key(s, key)


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
    with inst.db.session() as s:
        authenticate_key(s, key)


InstanceDep = Annotated[Instance, Depends(get_instance)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
