"""The live drone map for signed-in users: the page, its first snapshot, server-sent events, vendored Leaflet.

The page and its data use the web session (the user signed in at /login); the vendored assets are served from
``basira/drones/web/static`` under /static/drones/. The tile server is the ``drones_tile_url`` setting; without one,
or when its tiles cannot be reached, the page draws a plain vector map.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from shapely.geometry import mapping  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from basira.api.routers.drones import alert_rows, track_view
from basira.core.errors import BasiraError
from basira.core.instance import Instance
from basira.core.models import Organization, User, utcnow
from basira.core.principal import Principal
from basira.drones import mappage
from basira.drones.ingest import service
from basira.drones.models import DroneTrack
from basira.drones.zones import list_zones, zone_geometry, zones_version
from basira.web import auth, i18n
from basira.web.common import language_choices, remember_language, request_language

WEB_DIR = Path(__file__).resolve().parents[2] / "drones" / "web"
#: How often the event stream looks for changes, and how long one stream lasts (the browser reconnects).
POLL_S = 1.0
STREAM_MAX_S = 3600.0
HEARTBEAT_S = 15.0

router = APIRouter(include_in_schema=False)
_static = StaticFiles(directory=WEB_DIR / "static")


def _inst(request: Request) -> Instance:
    inst: Instance = request.app.state.instance
    return inst


def _signed_in(request: Request) -> tuple[Principal, User] | None:
    if "session" not in request.scope:
        return None
    with _inst(request).db.session() as s:
        user = auth.session_user(s, request.session)
        if user is None:
            return None
        return auth.principal_for(s, user), user


_TILE_HOST = re.compile(r"[A-Za-z0-9.\-{}:\[\]]+")


def tile_settings(inst: Instance) -> tuple[str, str]:
    """The tile URL template and attribution (empty: the vector map)."""
    url = inst.settings.drones_tile_url
    attribution = inst.settings.drones_tile_attribution
    # Only an http(s) URL whose host can stand in the Content-Security-Policy header (ASCII, no separators).
    if url and (urlsplit(url).scheme not in {"http", "https"} or not _TILE_HOST.fullmatch(urlsplit(url).netloc)):
        url = ""
    return url, attribution


def _policy(tile_url: str) -> str:
    img = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "*"))
        img += f" {parts.scheme}://{parts.netloc.replace('{', '').replace('}', '')}"
    return (f"default-src 'self'; img-src {img}; style-src 'self'; script-src 'self'; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")


@router.get("/static/drones/{path:path}")
async def drones_static(path: str, request: Request) -> Response:
    """Vendored Leaflet and the map's own script and style."""
    return await _static.get_response(path, request.scope)


@router.get("/drones")
def drones_page(request: Request) -> Response:
    """The live map (signed-in users of any role)."""
    who = _signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    principal, user = who
    inst = _inst(request)
    with inst.db.session() as s:
        org = s.get(Organization, principal.org_id)
    tile_url, attribution = tile_settings(inst)
    # The language as the other pages choose it, remembered the same way.
    asked, lang = request_language(request, user.locale)
    html = mappage.render(lang, i18n.direction(lang), tile_url=tile_url, tile_attribution=attribution,
                          org=i18n.visible(org.name) if org else "", user=i18n.visible(user.username),
                          switch_path=request.url.path,
                          languages=language_choices())
    resp = HTMLResponse(html, headers={"Content-Security-Policy": _policy(tile_url), "Cache-Control": "no-store"})
    remember_language(resp, request, asked)
    return resp


def zones_geojson(session: Session, org_id: int) -> dict[str, Any]:
    """The organization's zones as drawn on the map (circles and buffers already turned into polygons)."""
    features = []
    for z in list_zones(session, org_id):
        try:
            geom = mapping(zone_geometry(z.geometry, z.radius_m, z.buffer_m))
        except BasiraError:
            continue
        features.append({"type": "Feature", "geometry": geom, "properties": {
            "id": z.id, "ref": z.ref, "name": z.name, "restriction": z.restriction, "lower_m": z.lower_m,
            "upper_m": z.upper_m}})
    return {"type": "FeatureCollection", "features": features}


def snapshot(inst: Instance, principal: Principal) -> dict[str, Any]:
    now = utcnow()
    with inst.db.session() as s:
        service(inst).sweep_lost(s, principal.org_id, now)
        active = s.scalars(select(DroneTrack).where(DroneTrack.org_id == principal.org_id,
                                                    DroneTrack.status == "active").order_by(DroneTrack.id))
        alerts = alert_rows(s, principal.org_id, limit=50)
        return {"now": now.isoformat(), "zones": zones_geojson(s, principal.org_id),
                "tracks": [track_view(t).model_dump(mode="json") for t in active],
                "alerts": [a.model_dump(mode="json") for a in alerts],
                "last_alert_id": max((a.id for a in alerts), default=0)}


@router.get("/drones/feed")
async def drones_feed(request: Request) -> Response:
    """Zones, active tracks and the latest alerts, for the page's first drawing."""
    who = await run_in_threadpool(_signed_in, request)
    if who is None:
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    return JSONResponse(await run_in_threadpool(snapshot, _inst(request), who[0]))


def _changes(inst: Instance, org_id: int, since: dt.datetime, after: int,
             zones_seen: tuple[int, str] | None) -> tuple[list[str], dt.datetime, int, tuple[int, str]]:
    out: list[str] = []
    now = utcnow()
    with inst.db.session() as s:
        service(inst).sweep_lost(s, org_id, now)
        version = zones_version(s, org_id)
        if zones_seen is not None and version != zones_seen:
            out.append(f"event: zones\ndata: {json.dumps(zones_geojson(s, org_id))}\n\n")
        changed = s.scalars(select(DroneTrack).where(DroneTrack.org_id == org_id, DroneTrack.updated_at > since)
                            .order_by(DroneTrack.updated_at).limit(500))
        for t in changed:
            out.append(f"event: track\ndata: {track_view(t).model_dump_json()}\n\n")
            since = max(since, t.updated_at)
        for a in alert_rows(s, org_id, after_id=after, limit=500):
            out.append(f"event: alert\nid: {a.id}\ndata: {a.model_dump_json()}\n\n")
            after = max(after, a.id)
    return out, since, after, version


@router.get("/drones/stream")
async def drones_stream(request: Request, after: int = 0, since: str = "") -> Response:
    """Server-sent events: ``track`` (a track changed), ``alert`` (a new alert), ``zones`` (zones changed)."""
    who = await run_in_threadpool(_signed_in, request)
    if who is None:
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    org_id = who[0].org_id
    inst = _inst(request)
    try:
        start = dt.datetime.fromisoformat(since) if since else utcnow()
    except ValueError:
        start = utcnow()
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    last_id = after if after >= 0 else 0

    async def events() -> AsyncIterator[str]:
        cursor, alert_id, zones_seen = start, last_id, None
        loop = asyncio.get_running_loop()
        began = quiet = loop.time()
        yield "retry: 3000\n\n"
        while loop.time() - began < STREAM_MAX_S:
            if await request.is_disconnected():
                return
            chunks, cursor, alert_id, zones_seen = await run_in_threadpool(
                _changes, inst, org_id, cursor, alert_id, zones_seen)
            for c in chunks:
                yield c
            if chunks:
                quiet = loop.time()
            elif loop.time() - quiet > HEARTBEAT_S:
                quiet = loop.time()
                yield ": keep-alive\n\n"
            await asyncio.sleep(POLL_S)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
