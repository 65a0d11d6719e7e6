"""The API's own routers, in this order; each front's routers come from its manifest (see ``api.app``)."""

from __future__ import annotations

from fastapi import APIRouter

from basira.api.routers import (
    actions,
    banks,
    bulk,
    exercise,
    health,
    hma,
    legal,
    matching,
    oidc,
    orgs,
    reports,
    retention,
    review,
    sharing,
    signals,
    taxii,
)

ROUTERS: list[APIRouter] = [m.router for m in (health, orgs, banks, signals, bulk, matching, actions, review, legal,
                                                reports, oidc, retention, taxii, hma, exercise)]
ROUTERS += [sharing.router, sharing.push_router]
