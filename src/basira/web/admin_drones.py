"""Administration of the drones front's protected zones and sensors (mounted through the front's manifest ``pages``):
zones drawn as GeoJSON or typed as a list of latitude/longitude points, imported from a zone file (GeoJSON, ED-269,
ED-318), changed and deleted; sensors registered, moved and retired. Every change goes through
:mod:`basira.drones.zones` and :mod:`basira.drones.sensors`, which validate the geometry with shapely, check the
role (admins and analysts) and write the audit row, as the command line and the API do.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from basira.core.errors import BasiraError, ContentTooLarge, InvalidInput, NotFound, PermissionDenied
from basira.drones import sensors, zones
from basira.drones.models import DroneSensor, DroneZone
from basira.drones.zonefiles import MAX_ZONE_FILE, REFERENCES, ZoneSpec, parse_zone_file
from basira.web.admin_common import WRITERS, as_id, change_form, may, number, refused, status_of, upload
from basira.web.common import Viewer, ViewerDep, error, field, flash, inst, redirect, render

router = APIRouter(include_in_schema=False)

RESTRICTIONS = ("PROHIBITED", "REQ_AUTHORISATION", "CONDITIONAL", "NO_RESTRICTION")
#: The most characters of area text a form carries (GeoJSON of a detailed polygon fits; files go through import).
MAX_AREA_TEXT = 48 * 1024
_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")


# -- zones --------------------------------------------------------------------------------------------------------

def parse_area(text: str) -> dict[str, Any]:
    """A zone's area as typed: GeoJSON (a geometry, a Feature, or a collection of one Feature), or one
    ``latitude, longitude`` point per line (one point: a circle's centre; three or more: a polygon, closed here).

    Only the shape is read here; :func:`basira.drones.zones.zone_geometry` (shapely) decides whether it is valid.
    """
    text = text.strip()
    if not text:
        raise InvalidInput("give the zone's area: GeoJSON, or one latitude, longitude point per line")
    if len(text) > MAX_AREA_TEXT:
        raise InvalidInput(f"an area typed in the form has at most {MAX_AREA_TEXT:,} characters; import a file")
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            raise InvalidInput("the area is not valid GeoJSON (JSON)") from None
        if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
            feats = doc.get("features")
            if not isinstance(feats, list) or len(feats) != 1:
                raise InvalidInput("a FeatureCollection typed here holds exactly one Feature; import a file for more")
            doc = feats[0]
        if isinstance(doc, dict) and doc.get("type") == "Feature":
            doc = doc.get("geometry")
        if not isinstance(doc, dict):
            raise InvalidInput("the area is not a GeoJSON geometry")
        return doc
    points: list[list[float]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _PAIR.match(line)
        if not m:
            raise InvalidInput(f"line {n} is not 'latitude, longitude' in decimal degrees: {line.strip()[:60]!r}")
        lat, lon = float(m.group(1)), float(m.group(2))
        points.append([lon, lat])
    if len(points) == 1:
        return {"type": "Point", "coordinates": points[0]}
    if len(points) < 3:
        raise InvalidInput("a polygon needs at least three points (or give one point and a radius)")
    if points[0] != points[-1]:
        points.append(points[0])
    return {"type": "Polygon", "coordinates": [points]}


def _zone_spec(form: FormData, old: DroneZone | None = None) -> ZoneSpec:
    """The zone a form describes; what the form does not show (time windows, reasons, authority) is kept."""
    lower_ref, upper_ref = field(form, "lower_ref") or "AGL", field(form, "upper_ref") or "AGL"
    if lower_ref not in REFERENCES or upper_ref not in REFERENCES:
        raise InvalidInput(f"an altitude reference is one of {', '.join(REFERENCES)}")
    restriction = field(form, "restriction") or "PROHIBITED"
    if restriction not in RESTRICTIONS:
        raise InvalidInput(f"a restriction is one of {', '.join(RESTRICTIONS)}")
    return ZoneSpec(
        ref=field(form, "ref").strip(), name=field(form, "name").strip(),
        geometry=parse_area(field(form, "area")),
        radius_m=number(field(form, "radius_m"), "the radius", optional=True),
        buffer_m=number(field(form, "buffer_m"), "the buffer", optional=True) or 0.0,
        lower_m=number(field(form, "lower_m"), "the lower limit", optional=True), lower_ref=lower_ref,
        upper_m=number(field(form, "upper_m"), "the upper limit", optional=True), upper_ref=upper_ref,
        restriction=restriction, message=field(form, "message").strip()[:2000],
        reasons=list(old.reasons) if old else [], authority=dict(old.authority) if old else {},
        windows=list(old.windows) if old else [], source="web")


def _area_text(z: DroneZone) -> str:
    return json.dumps(z.geometry, separators=(", ", ": "))


def _zone_row(z: DroneZone) -> dict[str, Any]:
    return {"id": z.id, "ref": z.ref, "name": z.name, "restriction": z.restriction, "source": z.source,
            "kind": z.geometry.get("type", ""), "radius_m": z.radius_m, "buffer_m": z.buffer_m,
            "lower_m": z.lower_m, "lower_ref": z.lower_ref, "upper_m": z.upper_m, "upper_ref": z.upper_ref,
            "scheduled": bool(z.windows), "message": z.message, "area": _area_text(z)}


def _zones_page(request: Request, v: Viewer, *, status: int = 200, problem: dict[str, Any] | None = None,
                values: dict[str, str] | None = None) -> Response:
    with inst(request).db.session() as s:
        rows = [_zone_row(z) for z in zones.list_zones(s, v.principal.org_id)]
    return render(request, "admin_zones.html", {
        **v.context(), "zones": rows, "restrictions": RESTRICTIONS, "references": REFERENCES,
        "may_write": may(v, WRITERS), "problem": problem, "values": values or {}, "nav": "admin"}, status=status)


def _zone_page(request: Request, v: Viewer, zone_id: int, *, status: int = 200,
               problem: dict[str, Any] | None = None) -> Response:
    with inst(request).db.session() as s:
        try:
            zone = _zone_row(zones.get_zone(s, v.principal, zone_id))
        except NotFound:
            return error(request, "not_found", 404, v.context())
    return render(request, "admin_zone.html", {
        **v.context(), "zone": zone, "restrictions": RESTRICTIONS, "references": REFERENCES,
        "may_write": may(v, WRITERS), "problem": problem, "nav": "admin"}, status=status)


def _form_values(form: FormData) -> dict[str, str]:
    return {k: field(form, k) for k in ("ref", "name", "area", "radius_m", "buffer_m", "lower_m", "lower_ref",
                                        "upper_m", "upper_ref", "restriction", "message")}


@router.get("/admin/zones", response_class=HTMLResponse)
def zones_page(request: Request, v: ViewerDep) -> Response:
    return _zones_page(request, v)


@router.post("/admin/zones", response_class=HTMLResponse)
async def create_zone(request: Request, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form

    def save() -> tuple[int, str]:
        spec = _zone_spec(form)
        with inst(request).db.session() as s:
            z = zones.save_zones(s, v.principal, [spec])[0]
            return z.id, z.ref

    try:
        zid, ref = await run_in_threadpool(save)  # shapely and pyproj: off the event loop
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _zones_page(request, v, status=status_of(e), problem=refused(e), values=_form_values(form))
    flash(request, "admin_zone_created", name=ref)
    return redirect(request, f"/admin/zones/{zid}")


@router.post("/admin/zones/import", response_class=HTMLResponse)
async def import_zones(request: Request, v: ViewerDep) -> Response:
    """A zone file (GeoJSON, ED-269, ED-318): all its zones or none; a refused file comes back with the reason."""
    if not may(v, WRITERS):
        return error(request, "forbidden", 403, v.context())

    def save(data: bytes, replace: bool) -> int:
        specs = parse_zone_file(data)
        for spec in specs:
            spec.source = "web"
        with inst(request).db.session() as s:
            return len(zones.save_zones(s, v.principal, specs, replace=replace))

    try:
        async with upload(request) as up:
            if up.size > MAX_ZONE_FILE:
                raise ContentTooLarge(f"a zone file has at most {MAX_ZONE_FILE} bytes")
            data = up.path.read_bytes()
            count = await run_in_threadpool(save, data, up.text("replace") == "on")
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _zones_page(request, v, status=status_of(e), problem=refused(e))
    flash(request, "admin_zones_imported", count=count)
    return redirect(request, "/admin/zones")


@router.get("/admin/zones/{zone_id}", response_class=HTMLResponse)
def zone_page(request: Request, zone_id: str, v: ViewerDep) -> Response:
    return _zone_page(request, v, as_id(zone_id))


@router.post("/admin/zones/{zone_id}", response_class=HTMLResponse)
async def update_zone(request: Request, zone_id: str, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    zid = as_id(zone_id)

    def replace() -> tuple[int, str]:
        with inst(request).db.session() as s:
            old = zones.get_zone(s, v.principal, zid)
            z = zones.replace_zone(s, v.principal, zid, _zone_spec(form, old))
            return z.id, z.ref

    try:
        new_id, ref = await run_in_threadpool(replace)
    except NotFound as e:
        if e.detail.startswith("no zone"):
            return error(request, "not_found", 404, v.context())
        return _zone_page(request, v, zid, status=404, problem=refused(e))
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _zone_page(request, v, zid, status=status_of(e), problem=refused(e))
    flash(request, "admin_zone_updated", name=ref)
    return redirect(request, f"/admin/zones/{new_id}")


@router.post("/admin/zones/{zone_id}/delete", response_class=HTMLResponse)
async def delete_zone(request: Request, zone_id: str, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    try:
        with inst(request).db.session() as s:
            ref = zones.get_zone(s, v.principal, as_id(zone_id)).ref
            zones.delete_zone(s, v.principal, as_id(zone_id))
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    flash(request, "admin_zone_deleted", name=ref)
    return redirect(request, "/admin/zones")


# -- sensors ------------------------------------------------------------------------------------------------------

def _sensor_row(x: DroneSensor) -> dict[str, Any]:
    return {**sensors.sensor_view(x), "ref": x.ref, "id": x.id}


def _sensor_spec(form: FormData, *, new: bool) -> sensors.SensorSpec:
    return sensors.SensorSpec(
        ref=field(form, "ref").strip() if new else None, name=field(form, "name").strip(),
        lat=number(field(form, "lat"), "the latitude"), lon=number(field(form, "lon"), "the longitude"),
        antenna_height_m=number(field(form, "antenna_height_m"), "the antenna height", optional=True),
        range_m=number(field(form, "range_m"), "the range", optional=True),
        position_uncertainty_m=number(field(form, "position_uncertainty_m"), "the position uncertainty",
                                      optional=True),
        antenna_gain_dbi=number(field(form, "antenna_gain_dbi"), "the antenna gain", optional=True))


def _sensors_page(request: Request, v: Viewer, *, status: int = 200, problem: dict[str, Any] | None = None,
                  values: dict[str, str] | None = None) -> Response:
    with inst(request).db.session() as s:
        rows = [_sensor_row(x) for x in sensors.list_sensors(s, v.principal.org_id)]
    return render(request, "admin_sensors.html", {
        **v.context(), "sensors": rows, "may_write": may(v, WRITERS), "problem": problem, "values": values or {},
        "nav": "admin"}, status=status)


def _sensor_page(request: Request, v: Viewer, sensor_id: int, *, status: int = 200,
                 problem: dict[str, Any] | None = None) -> Response:
    with inst(request).db.session() as s:
        try:
            sensor = _sensor_row(sensors.get_sensor(s, v.principal, sensor_id))
        except NotFound:
            return error(request, "not_found", 404, v.context())
    return render(request, "admin_sensor.html", {
        **v.context(), "sensor": sensor, "may_write": may(v, WRITERS), "problem": problem, "nav": "admin"},
        status=status)


_SENSOR_FIELDS = ("ref", "name", "lat", "lon", "antenna_height_m", "range_m", "position_uncertainty_m",
                  "antenna_gain_dbi")


@router.get("/admin/sensors", response_class=HTMLResponse)
def sensors_page(request: Request, v: ViewerDep) -> Response:
    return _sensors_page(request, v)


@router.post("/admin/sensors", response_class=HTMLResponse)
async def create_sensor(request: Request, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    try:
        spec = _sensor_spec(form, new=True)
        with inst(request).db.session() as s:
            sid = sensors.create_sensor(s, v.principal, spec).id
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _sensors_page(request, v, status=status_of(e), problem=refused(e),
                             values={k: field(form, k) for k in _SENSOR_FIELDS})
    flash(request, "admin_sensor_created", name=field(form, "ref").strip())
    return redirect(request, f"/admin/sensors/{sid}")


@router.get("/admin/sensors/{sensor_id}", response_class=HTMLResponse)
def sensor_page(request: Request, sensor_id: str, v: ViewerDep) -> Response:
    return _sensor_page(request, v, as_id(sensor_id))


@router.post("/admin/sensors/{sensor_id}", response_class=HTMLResponse)
async def update_sensor(request: Request, sensor_id: str, v: ViewerDep) -> Response:
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    sid = as_id(sensor_id)
    try:
        with inst(request).db.session() as s:
            sensors.get_sensor(s, v.principal, sid)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    try:
        spec = _sensor_spec(form, new=False)
        with inst(request).db.session() as s:
            ref = sensors.update_sensor(s, v.principal, sid, spec).ref
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    except BasiraError as e:
        return _sensor_page(request, v, sid, status=status_of(e), problem=refused(e))
    flash(request, "admin_sensor_updated", name=ref)
    return redirect(request, f"/admin/sensors/{sid}")


@router.post("/admin/sensors/{sensor_id}/retire", response_class=HTMLResponse)
async def retire_sensor(request: Request, sensor_id: str, v: ViewerDep) -> Response:
    """Stop accepting the sensor's frames; its frames and hash chain stay as evidence."""
    form = await change_form(request, v, WRITERS)
    if not isinstance(form, FormData):
        return form
    try:
        with inst(request).db.session() as s:
            ref = sensors.get_sensor(s, v.principal, as_id(sensor_id)).ref
            sensors.disable_sensor(s, v.principal, as_id(sensor_id))
    except NotFound:
        return error(request, "not_found", 404, v.context())
    except PermissionDenied:
        return error(request, "forbidden", 403, v.context())
    flash(request, "admin_sensor_retired", name=ref)
    return redirect(request, "/admin/sensors")
