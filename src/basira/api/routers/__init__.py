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

# The administration pages of the platform's own objects (the fronts' objects have theirs in their manifests'
# ``pages``): web pages, left out of the OpenAPI document, on the same services as the routers above.
from basira.web import admin_banks, admin_common, admin_groups, admin_keys  # noqa: E402

ROUTERS += [admin_common.router, admin_banks.router, admin_groups.router, admin_keys.router]
