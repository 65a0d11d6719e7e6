"""The live drone map for signed-in users: the page, its first snapshot, server-sent events, vendored Leaflet.

The page and its data use the web session (the user signed in at /login); the data come from the drones front's
:mod:`basira.drones.mapdata`. The page's template, script, vendored assets and gettext catalogs live in
``basira/web/drones/`` (English is the msgid; the words the script shows are translated here and handed to it as
JSON, so the script holds no English of its own). The tile server is the drones front's ``drones_tile_url``
setting; without one, or when its tiles cannot be reached, the page draws a plain vector map.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import gettext
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from basira.core.errors import ConfigurationError
from basira.core.instance import Instance
from basira.core.models import Organization, User, utcnow
from basira.core.principal import Principal
from basira.drones.mapdata import changes_since, map_snapshot, track_map
from basira.drones.settings import DroneSettings
from basira.drones.tiles import TileArchive
from basira.web import auth, i18n
from basira.web.common import language_choices, remember_language, request_language

WEB_DIR = Path(__file__).parent / "drones"
TRANSLATIONS_DIR = WEB_DIR / "translations"
#: How often the event stream looks for changes, and how long one stream lasts (the browser reconnects).
POLL_S = 1.0
STREAM_MAX_S = 3600.0
HEARTBEAT_S = 15.0

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
_static = StaticFiles(directory=WEB_DIR / "static")


def po_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / f"{lang}.po"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The page's catalog for ``lang`` (English, and any language it does not speak, get the msgids back).

    The catalog becomes an in-memory .mo so that gettext applies its plural rule; fuzzy entries are left out.
    """
    if lang not in i18n.LANGUAGES or lang == i18n.DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return i18n.po_translations(po_path(lang), lang)


@functools.cache
def environment(lang: str) -> Environment:
    """The page's template environment in ``lang`` (``_()`` formats after translating: new-style gettext)."""
    env = Environment(loader=FileSystemLoader(WEB_DIR), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(lang: str, direction: str, **context: Any) -> str:
    """The map page in ``lang`` written ``direction`` (``ltr`` or ``rtl``).

    Args:
        lang: One of :data:`basira.web.i18n.LANGUAGES` (another falls back to English).
        direction: The writing direction of ``lang``, as the web pages decide it.
        context: ``tile_url``, ``tile_attribution``, ``org``, ``user`` (already made safe to show) and
            ``languages``: (code, name, direction) of each language to offer, ``switch_path`` the page's path.
    """
    lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    return environment(lang).get_template("map.html").render(lang=lang, dir=direction, **context)


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


ARCHIVE_TILES = "/drones/tiles/{z}/{x}/{y}"


@functools.lru_cache(maxsize=4)
def _archive(path: str) -> TileArchive | None:
    try:
        return TileArchive(Path(path))
    except ConfigurationError as e:
        log.warning("drone map: %s; drawing the built-in base layer", e.detail)
        return None


def tile_archive(inst: Instance) -> TileArchive | None:
    """The operator's PMTiles/MBTiles archive, when one is set and readable."""
    path = inst.settings.of(DroneSettings).drones_tile_archive
    return _archive(path) if path else None


def tile_settings(inst: Instance) -> tuple[str, str]:
    """The tile URL template and attribution (empty: the vector map)."""
    own = inst.settings.of(DroneSettings)
    url, attribution = own.drones_tile_url, own.drones_tile_attribution
    if not url and tile_archive(inst) is not None:
        return ARCHIVE_TILES, attribution
    # Only an http(s) URL whose host can stand in the Content-Security-Policy header (ASCII, no separators).
    if url and (urlsplit(url).scheme not in {"http", "https"} or not _TILE_HOST.fullmatch(urlsplit(url).netloc)):
        url = ""
    return url, attribution


def _policy(tile_url: str) -> str:
    img = "'self' data:"
    if tile_url and urlsplit(tile_url).scheme:  # tiles of the offline archive come from this server
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
    html = render(lang, i18n.direction(lang), tile_url=tile_url, tile_attribution=attribution,
                          org=i18n.visible(org.name) if org else "", user=i18n.visible(user.username),
                          switch_path=request.url.path,
                          languages=language_choices())
    resp = HTMLResponse(html, headers={"Content-Security-Policy": _policy(tile_url), "Cache-Control": "no-store"})
    remember_language(resp, request, asked)
    return resp


@router.get("/drones/case/{track_id}")
def drones_case(request: Request, track_id: int) -> Response:
    """The review case of a track (its alerts), for the links of the map's tracks and alerts."""
    from sqlalchemy import select

    from basira.review.models import Case

    who = _signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    with _inst(request).db.session() as s:
        case_id = s.scalar(select(Case.id).where(Case.org_id == who[0].org_id, Case.kind == "drone_alert",
                                                 Case.group_key == f"track:{track_id}")
                           .order_by(Case.id.desc()).limit(1))
    if case_id is None:  # the map says so
        return RedirectResponse(f"/drones?no_case={track_id}", status_code=303)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/drones/tiles/{z}/{x}/{y}")
def drones_tile(request: Request, z: int, x: int, y: int) -> Response:
    """A tile of the operator's offline tile archive (signed-in users)."""
    if _signed_in(request) is None:
        return Response(status_code=401)
    archive = tile_archive(_inst(request))
    tile = archive.get(z, x, y) if archive is not None else None
    if tile is None:
        return Response(status_code=404)
    return Response(tile.data, media_type=tile.content_type, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/drones/track/{track_id}.json")
def drones_track(request: Request, track_id: int) -> Response:
    """One track, its positions, the zones and sensors, for the map on the track's case page."""
    who = _signed_in(request)
    if who is None:
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    found = track_map(_inst(request), who[0].org_id, track_id)
    if found is None:
        return JSONResponse({"detail": f"no track {track_id}"}, status_code=404)
    return JSONResponse(found, headers={"Cache-Control": "no-store"})


@router.get("/drones/track/{track_id}/evidence")
def drones_track_evidence(request: Request, track_id: int) -> Response:
    """The track's evidence export (frames.pcapng and evidence.json, as the API gives it) for a signed-in user."""
    from basira.core.errors import NotFound
    from basira.drones.evidence import export_track

    who = _signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    try:
        with _inst(request).db.session() as s:
            data = export_track(s, who[0], track_id)
    except NotFound as e:
        return JSONResponse({"detail": e.detail}, status_code=404)
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="track-{track_id}-evidence.zip"', "Cache-Control": "no-store"})


@router.get("/drones/feed")
async def drones_feed(request: Request) -> Response:
    """Zones, active tracks and the latest alerts, for the page's first drawing."""
    who = await run_in_threadpool(_signed_in, request)
    if who is None:
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    return JSONResponse(await run_in_threadpool(map_snapshot, _inst(request), who[0].org_id))


def _changes(inst: Instance, org_id: int, since: dt.datetime, after: int,
             zones_seen: tuple[int, str] | None) -> tuple[list[str], dt.datetime, int, tuple[int, str]]:
    """The changes as server-sent events (zones, then tracks, then alerts) and the cursors to ask from next."""
    got = changes_since(inst, org_id, since, after, zones_seen)
    out = [f"event: zones\ndata: {json.dumps(got.zones)}\n\n"] if got.zones is not None else []
    out += [f"event: track\ndata: {json.dumps(t)}\n\n" for t in got.tracks]
    out += [f"event: alert\nid: {a['id']}\ndata: {json.dumps(a)}\n\n" for a in got.alerts]
    return out, got.since, got.after_id, got.zones_version


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
