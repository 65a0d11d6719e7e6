"""One router per area; ``ROUTERS`` lists them in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from basira.api.routers import banks, bulk, health, matching, orgs, signals

ROUTERS: list[APIRouter] = [health.router, orgs.router, banks.router, signals.router, bulk.router,
                            matching.router]
