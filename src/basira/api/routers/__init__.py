"""One router per area. The core routers come first, in this order; every other module of this package that
defines ``router`` (an area's routes) is found and added after them, in name order."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

from basira.api.routers import banks, bulk, health, matching, orgs, signals

_CORE = [health, orgs, banks, signals, bulk, matching]


def _discovered() -> list[APIRouter]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__))
    core = {m.__name__.rsplit(".", 1)[-1] for m in _CORE}
    found = []
    for name in names:
        if name in core:
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


ROUTERS: list[APIRouter] = [m.router for m in _CORE] + _discovered()
