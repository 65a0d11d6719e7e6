"""Drones: sensors, frame ingest, tracks, zones (CRUD and ED-269/ED-318/GeoJSON import), alerts and evidence.

Everything is scoped to the caller's organization. Ingest needs an admin or analyst key (a sensor gateway holds
one); reads are open to every role of the organization.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import MAX_ID, errors
from basira.core.errors import ContentTooLarge, InvalidInput, NotFound
from basira.drones import evidence, sensors, zones
from basira.drones.ingest import MAX_BATCH, RawFrame, service
from basira.drones.listing import recent_alerts
from basira.drones.models import DronePosition, DroneSensor, DroneTrack, DroneZone
from basira.drones.tracks import is_synthetic, score
from basira.drones.zonefiles import MAX_ZONE_FILE, ZoneSpec, parse_zone_file

router = APIRouter(prefix="/v1/drones", tags=["drones"], responses=errors(401))

SensorRef = Annotated[str, Path(title="Sensor", description="The sensor's id (its own reference).", min_length=1,
                                max_length=64, examples=["roof-north"])]
ZoneRef = Annotated[str, Path(title="Zone", description="The zone's numeric id or its reference.", min_length=1,
                              max_length=140, examples=["LSZB003"])]
TrackRef = Annotated[int, Path(title="Track", description="The track's numeric id.", ge=1, le=MAX_ID)]


class SensorIn(BaseModel):
    """A receiver."""

    id: str = Field(description="The sensor's own reference, named by every frame it sends.", min_length=1,
                    max_length=64, examples=["roof-north"])
    name: str = Field(default="", max_length=200)
    lat: float = Field(ge=-90, le=90, description="WGS84 latitude, degrees.")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude, degrees.")
    antenna_height_m: float = Field(default=0.0, ge=-100, le=1000, description="Antenna height above ground.")
    range_m: float = Field(default=1000.0, gt=0, le=100_000, description="How far it is expected to hear.")
    position_uncertainty_m: float = Field(
        default=100.0, ge=0, le=10_000,
        description="How far the sensor may really stand from the position given (metres); the signal-strength "
                    "and range rules allow for it.")
    antenna_gain_dbi: float = Field(default=0.0, ge=-20, le=40, description="Receiving antenna gain, dBi.")
    ground_elevation_m: float | None = Field(
        default=None, ge=-500, le=9000,
        description="Ground elevation at the sensor, metres above mean sea level (for zone altitude limits).")
    geoid_undulation_m: float | None = Field(
        default=None, ge=-120, le=120,
        description="Height of the geoid over the WGS84 ellipsoid at the sensor, metres (AMSL from geodetic).")


class SensorPatch(BaseModel):
    """Changes to a sensor; fields left out stay as they are."""

    name: str | None = Field(default=None, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    antenna_height_m: float | None = Field(default=None, ge=-100, le=1000)
    range_m: float | None = Field(default=None, gt=0, le=100_000)
    position_uncertainty_m: float | None = Field(default=None, ge=0, le=10_000)
    antenna_gain_dbi: float | None = Field(default=None, ge=-20, le=40)
    ground_elevation_m: float | None = Field(default=None, ge=-500, le=9000)
    geoid_undulation_m: float | None = Field(default=None, ge=-120, le=120)


class SensorOut(BaseModel):
    id: str
    name: str
    lat: float
    lon: float
    antenna_height_m: float
    range_m: float
    position_uncertainty_m: float
    antenna_gain_dbi: float
    ground_elevation_m: float | None
    geoid_undulation_m: float | None
    frames: int = Field(description="Frames in the sensor's hash chain.")
    chain_head: str = Field(description="The hash of the chain's last frame.")


def _sensor(s: DroneSensor) -> SensorOut:
    return SensorOut(**sensors.sensor_view(s))


@router.post("/sensors", status_code=status.HTTP_201_CREATED, response_model=SensorOut,
             responses=errors(403, 409, 422))
def create_sensor(body: SensorIn, inst: InstanceDep, principal: PrincipalDep) -> SensorOut:
    """Register a receiver (admins and analysts)."""
    with inst.db.session() as s:
        return _sensor(sensors.create_sensor(s, principal, sensors.SensorSpec(
            ref=body.id, name=body.name, lat=body.lat, lon=body.lon, antenna_height_m=body.antenna_height_m,
            range_m=body.range_m, position_uncertainty_m=body.position_uncertainty_m,
            antenna_gain_dbi=body.antenna_gain_dbi, ground_elevation_m=body.ground_elevation_m,
            geoid_undulation_m=body.geoid_undulation_m)))


@router.get("/sensors", response_model=list[SensorOut])
def list_sensors(inst: InstanceDep, principal: PrincipalDep) -> list[SensorOut]:
    """The organization's receivers."""
    with inst.db.session() as s:
        return [_sensor(x) for x in sensors.list_sensors(s, principal.org_id)]


@router.patch("/sensors/{sensor}", response_model=SensorOut, responses=errors(403, 404, 422))
def update_sensor(sensor: SensorRef, body: SensorPatch, inst: InstanceDep, principal: PrincipalDep) -> SensorOut:
    """Move a receiver or change its expected range."""
    with inst.db.session() as s:
        return _sensor(sensors.update_sensor(s, principal, sensor, sensors.SensorSpec(**body.model_dump())))


@router.delete("/sensors/{sensor}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=errors(403, 404, 422))
def delete_sensor(sensor: SensorRef, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Stop accepting frames from a receiver; its frames and hash chain stay as evidence."""
    with inst.db.session() as s:
        sensors.disable_sensor(s, principal, sensor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class ChainOut(BaseModel):
    sensor: str
    frames: int
    ok: bool
    problems: list[str]


@router.get("/sensors/{sensor}/chain", response_model=ChainOut, responses=errors(404, 422))
def verify_chain(sensor: SensorRef, inst: InstanceDep, principal: PrincipalDep) -> ChainOut:
    """Recompute the sensor's hash chain: an altered, removed or reordered frame is named."""
    with inst.db.session() as s:
        r = evidence.verify(s, sensors.get_sensor(s, principal, sensor))
        return ChainOut(sensor=r.sensor, frames=r.frames, ok=r.ok, problems=r.problems)


# --- frames ----------------------------------------------------------------------------------------------------------

class FrameIn(BaseModel):
    """One raw frame as the receiver captured it."""

    sensor: str = Field(min_length=1, max_length=64, description="The receiving sensor's id.")
    transport: str = Field(max_length=16, description="`bt4`, `bt5`, `wifi_beacon`, `wifi_nan` or `dji`.")
    data: str = Field(max_length=8192, description="The frame, base64: an 802.11 frame (radiotap header "
                      "optional) for Wi-Fi; an advertising PDU, or the Remote ID service data, for Bluetooth.")
    received_at: dt.datetime | None = Field(default=None, description="When the sensor heard it (default: now). "
                                            "More than 5 s ahead of the server's clock is refused.")
    rssi: float | None = Field(default=None, description="Received signal strength, dBm.")
    source: str | None = Field(default=None, max_length=64, description="The sender's MAC address, if the "
                               "receiver knows it and the frame does not carry it.")


class FramesIn(BaseModel):
    """A batch of raw frames, or of JSON records from a receiver that decodes Remote ID itself."""

    frames: list[FrameIn] = Field(default_factory=list, description=f"At most {MAX_BATCH} per request.")
    receiver_format: Literal["decoded", "netrid"] | None = Field(
        default=None, description="With `records`: `decoded` (flat decoded fields) or `netrid` (ASTM F3411-22a "
                                  "RIDFlight); see docs/drones.md.")
    sensor: str | None = Field(default=None, max_length=64, description="The sensor of all `records`.")
    records: list[Any] = Field(default_factory=list, description="Receiver JSON records.")


class IngestOut(BaseModel):
    """What the batch did: counts, each rejected frame with its reason, tracks touched and alerts raised."""

    frames: int
    accepted: int
    awaiting_id: int = Field(description="Frames kept that name no drone yet (a Bluetooth 4 Location before "
                                         "its Basic ID): tracked by their radio's address.")
    duplicates: int = Field(default=0, description="Frames already stored (same sensor, receive time and bytes), "
                                                   "skipped: a batch sent again after a lost reply is not doubled.")
    messages: dict[str, int]
    rejected: int
    rejected_reasons: dict[str, int]
    rejections: list[dict[str, Any]]
    tracks: list[int]
    alerts: list[dict[str, Any]]


@router.post("/frames", response_model=IngestOut, responses=errors(403, 413, 422))
def post_frames(body: FramesIn, inst: InstanceDep, principal: PrincipalDep) -> IngestOut:
    """Ingest raw Remote ID frames (singly or in batches) or receiver JSON. Frames from unknown sensors, from
    the future, undecodable or with bad CRC are counted and listed with their reason; good frames in the same
    batch are kept. Accepted frames join their sensor's hash chain; tracks, zone checks and alerts follow in the
    same transaction."""
    if len(body.frames) > MAX_BATCH or len(body.records) > MAX_BATCH:
        raise ContentTooLarge(f"at most {MAX_BATCH} frames or records per request")
    if body.records and body.frames:
        raise InvalidInput("send either frames or records, not both")
    svc = service(inst)
    with svc.serial(), inst.db.session() as s:
        if body.records:
            if body.receiver_format is None or body.sensor is None:
                raise InvalidInput("records need a receiver_format and a sensor")
            report = svc.ingest_records(s, principal, body.receiver_format, body.sensor, body.records)
            return IngestOut(**report.as_json())
        raws = []
        for i, f in enumerate(body.frames):
            try:
                data = base64.b64decode(f.data, validate=True)
            except (binascii.Error, ValueError):
                raise InvalidInput(f"frame {i}: data is not base64") from None
            raws.append(RawFrame(sensor=f.sensor, transport=f.transport, data=data, received_at=f.received_at,
                                 rssi=f.rssi, source=f.source))
        return IngestOut(**svc.ingest(s, principal, raws).as_json())


# --- tracks ----------------------------------------------------------------------------------------------------------

class TrackOut(BaseModel):
    """A track: the drone's last state, its plausibility verdict with reasons, and any authorisation."""

    id: int
    uas_id: str
    id_synthetic: bool = Field(description="True when the drone sent no Basic ID (yet): ``uas_id`` is then "
                                           "``addr:`` and its radio's transport address, not an ID it sent.")
    operator_id: str | None
    status: Literal["active", "lost"]
    verdict: Literal["plausible", "unverified", "suspect"]
    score: float = Field(description="The summed weights of the plausibility rules that fired (suspect from 1).")
    reasons: list[str]
    first_seen: dt.datetime
    last_seen: dt.datetime
    lat: float | None
    lon: float | None
    alt_m: float | None
    height_m: float | None
    speed_mps: float | None
    heading_deg: float | None
    operator_lat: float | None
    operator_lon: float | None
    emergency: bool
    allowance: dict[str, Any]
    positions: list[dict[str, Any]] | None = None


def track_view(t: DroneTrack, positions: list[DronePosition] | None = None) -> TrackOut:
    return TrackOut(id=t.id, uas_id=t.uas_id, id_synthetic=is_synthetic(t.uas_id), operator_id=t.operator_id,
                    status=t.status, verdict=t.verdict,  # type: ignore[arg-type]
                    score=score(r.split(":")[0] for r in t.reasons), reasons=t.reasons, first_seen=t.first_seen,
                    last_seen=t.last_seen, lat=t.lat, lon=t.lon, alt_m=t.alt_m, height_m=t.height_m,
                    speed_mps=t.speed_mps, heading_deg=t.heading_deg, operator_lat=t.operator_lat,
                    operator_lon=t.operator_lon, emergency=bool(t.state.get("emergency")), allowance=t.allowance,
                    positions=None if positions is None else [
                        {"at": p.at.isoformat(), "lat": p.lat, "lon": p.lon, "alt_m": p.alt_m,
                         "speed_mps": p.speed_mps, "heading_deg": p.heading_deg} for p in positions])


@router.get("/tracks", response_model=list[TrackOut], responses=errors(422))
def list_tracks(inst: InstanceDep, principal: PrincipalDep,
                state: Annotated[Literal["active", "lost", "all"], Query(description="Which tracks.")] = "active",
                limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[TrackOut]:
    """Tracks, newest first. Active tracks silent for longer than the lost-track timeout are closed first."""
    with inst.db.session() as s:
        rows = service(inst).list_tracks(s, principal.org_id, status=None if state == "all" else state, limit=limit)
        return [track_view(t) for t in rows]


def _track(s: Any, principal: Any, track_id: int) -> DroneTrack:
    t = s.get(DroneTrack, track_id)
    if t is None or t.org_id != principal.org_id:
        raise NotFound(f"no track {track_id}")
    return t  # type: ignore[no-any-return]


@router.get("/tracks/{track_id}", response_model=TrackOut, responses=errors(404, 422))
def get_track(track_id: TrackRef, inst: InstanceDep, principal: PrincipalDep) -> TrackOut:
    """One track with its positions over time (the latest 5,000)."""
    with inst.db.session() as s:
        t = _track(s, principal, track_id)
        pos = list(s.scalars(select(DronePosition).where(DronePosition.track_id == t.id)
                             .order_by(DronePosition.at.desc(), DronePosition.id.desc()).limit(5000)))
        return track_view(t, pos[::-1])


@router.get("/tracks/{track_id}/evidence", responses={**errors(404, 422), 200: {
    "content": {"application/zip": {}}, "description": "frames.pcapng and evidence.json"}})
def track_evidence(track_id: TrackRef, inst: InstanceDep, principal: PrincipalDep,
                   alert: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Mark this alert.")] = None
                   ) -> Response:
    """The track's evidence for an authority: a zip of `frames.pcapng` (every raw frame, byte for byte) and
    `evidence.json` (decoded track, positions, alerts, zones, sensors, frame hashes, chain verification)."""
    with inst.db.session() as s:
        data = evidence.export_track(s, principal, track_id, alert)
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="track-{track_id}-evidence.zip"'})


# --- zones -----------------------------------------------------------------------------------------------------------

class ZoneIn(BaseModel):
    """A zone: a GeoJSON Polygon/MultiPolygon, or a Point with `radius_m`; altitude band; time windows."""

    ref: str = Field(min_length=1, max_length=120, description="The zone's identifier.")
    name: str = Field(default="", max_length=300)
    geometry: dict[str, Any] = Field(description="GeoJSON geometry, [longitude, latitude] order.")
    radius_m: float | None = Field(default=None, gt=0, le=500_000, description="For a Point: the circle's radius.")
    buffer_m: float = Field(default=0.0, ge=0, le=100_000, description="Margin added around the area, metres.")
    lower_m: float | None = Field(default=None, description="Lower limit, metres (none: the ground).")
    lower_ref: str = Field(default="AGL", description="`AGL`, `AMSL`, `WGS84` or `STD`.")
    upper_m: float | None = Field(default=None, description="Upper limit, metres (none: unlimited).")
    upper_ref: str = Field(default="AGL")
    restriction: str = Field(default="PROHIBITED", max_length=40)
    reasons: list[str] = Field(default_factory=list, max_length=20)
    authority: dict[str, Any] = Field(default_factory=dict, description="Who manages the zone (name, email...).")
    windows: list[dict[str, Any]] = Field(default_factory=list, description="`[{start, end, schedule: [{days, "
                                          "start, end}]}]`, UTC; empty: always active.")
    message: str = Field(default="", max_length=2000)


class ZoneOut(ZoneIn):
    id: int
    source: str


def zone_view(z: DroneZone) -> ZoneOut:
    return ZoneOut(**zones.zone_view(z))


@router.post("/zones", status_code=status.HTTP_201_CREATED, response_model=ZoneOut,
             responses=errors(403, 409, 422))
def create_zone(body: ZoneIn, inst: InstanceDep, principal: PrincipalDep) -> ZoneOut:
    """Create one zone (admins and analysts)."""
    with inst.db.session() as s:
        return zone_view(zones.save_zones(s, principal, [ZoneSpec(**body.model_dump())])[0])


@router.post("/zones/import", response_model=list[ZoneOut], responses=errors(403, 409, 413, 422),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "description": "A GeoJSON FeatureCollection, an ED-269 document "
                                                  "(`UASZoneList`) or an ED-318 GeoZone collection."}}}}})
async def import_zones(request: Request, inst: InstanceDep, principal: PrincipalDep,
                       replace: Annotated[bool, Query(description="Overwrite zones with the same reference.")]
                       = False) -> list[ZoneOut]:
    """Import zones from a GeoJSON, ED-269 or ED-318 file sent as the request body (all or none)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_ZONE_FILE:
            raise ContentTooLarge(f"a zone file has at most {MAX_ZONE_FILE} bytes")
    specs = parse_zone_file(bytes(body))

    def save() -> list[ZoneOut]:
        with inst.db.session() as s:
            return [zone_view(z) for z in zones.save_zones(s, principal, specs, replace=replace)]

    return await run_in_threadpool(save)


@router.get("/zones", response_model=list[ZoneOut])
def list_zones(inst: InstanceDep, principal: PrincipalDep) -> list[ZoneOut]:
    """The organization's zones."""
    with inst.db.session() as s:
        return [zone_view(z) for z in zones.list_zones(s, principal.org_id)]


@router.get("/zones/{zone}", response_model=ZoneOut, responses=errors(404, 422))
def get_zone(zone: ZoneRef, inst: InstanceDep, principal: PrincipalDep) -> ZoneOut:
    """One zone, by id or reference."""
    with inst.db.session() as s:
        return zone_view(zones.get_zone(s, principal, zone))


@router.put("/zones/{zone}", response_model=ZoneOut, responses=errors(403, 404, 422))
def replace_zone(zone: ZoneRef, body: ZoneIn, inst: InstanceDep, principal: PrincipalDep) -> ZoneOut:
    """Replace a zone (its reference may change)."""
    with inst.db.session() as s:
        return zone_view(zones.replace_zone(s, principal, zone, ZoneSpec(**body.model_dump())))


@router.delete("/zones/{zone}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=errors(403, 404, 422))
def delete_zone(zone: ZoneRef, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Delete a zone: it stops raising alerts at once (the row stays for the alerts that cite it)."""
    with inst.db.session() as s:
        zones.delete_zone(s, principal, zone)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- alerts ----------------------------------------------------------------------------------------------------------

class AlertOut(BaseModel):
    id: int
    kind: str
    at: dt.datetime
    track_id: int
    uas_id: str
    zone_id: int | None
    zone_name: str | None
    sensor_id: str | None
    details: dict[str, Any]
    evidence_ref: str
    event_id: int | None


@router.get("/alerts", response_model=list[AlertOut], responses=errors(422))
def list_alerts(inst: InstanceDep, principal: PrincipalDep,
                after_id: Annotated[int, Query(ge=0, le=MAX_ID, description="Alerts after this id.")] = 0,
                kind: Annotated[str | None, Query(max_length=24, description="Only this kind.")] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AlertOut]:
    """Alerts, newest first (or oldest first after `after_id`, for polling)."""
    with inst.db.session() as s:
        return alert_rows(s, principal.org_id, after_id, kind, limit)


def alert_rows(s: Session, org_id: int, after_id: int = 0, kind: str | None = None,
               limit: int = 100) -> list[AlertOut]:
    return [AlertOut(**asdict(a)) for a in recent_alerts(s, org_id, kind=kind, after_id=after_id, limit=limit)]
