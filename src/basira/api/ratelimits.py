"""The API's rate limits: a dependency that takes a token per API key and per organization on every route that
answers "does this match?" (:mod:`basira.core.ratelimit`), so that nobody can ask a RED bank thousands of questions
a minute. Over the limit: HTTP 429 with ``Retry-After``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from basira.api.deps import PrincipalDep
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.core.ratelimit import RateLimiter


def limiter(request: Request) -> RateLimiter:
    """The app's limiter (one per app, hence per worker process)."""
    found = getattr(request.app.state, "rate_limiter", None)
    if not isinstance(found, RateLimiter):
        found = request.app.state.rate_limiter = RateLimiter()
    return found


def count_match(request: Request, principal: Principal) -> None:
    """Count a match request against the caller's key and organization (settings ``match_rate_per_key`` and
    ``match_rate_per_org``): TooManyRequests over either."""
    inst: Instance = request.app.state.instance
    limiter(request).take([(f"key:{principal.actor}", inst.settings.match_rate_per_key),
                           (f"org:{principal.org_id}", inst.settings.match_rate_per_org)], "match requests")


async def match_rate(request: Request, principal: PrincipalDep) -> Principal:
    """:func:`count_match` as a dependency; returns the principal so routes can use this instead of
    PrincipalDep."""
    count_match(request, principal)
    return principal


MatchPrincipal = Annotated[Principal, Depends(match_rate)]
