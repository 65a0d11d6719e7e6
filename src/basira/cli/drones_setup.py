"""``basira drones sensor|zones|tracks|alerts``: register receivers, import protected zones, and list recent tracks
and alerts, through the same services as the HTTP API, acting as the organization's admin (audited as cli:<user>).
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, echo_json, out, principal, state
from basira.core.errors import Conflict, ContentTooLarge, EmptyContent, InvalidInput
from basira.drones.zonefiles import MAX_ZONE_FILE

if TYPE_CHECKING:
    from basira.drones.models import DroneTrack

sensor_app = typer.Typer(help="Receivers: register, list, remove.", no_args_is_help=True)
zones_app = typer.Typer(help="Protected zones: import GeoJSON, ED-269 or ED-318 files, list, remove.",
                        no_args_is_help=True)


def _num(v: float | None, fmt: str = "{:.0f}") -> str:
    return "" if v is None else fmt.format(v)


# -- sensors ----------------------------------------------------------------------------------------------------------

@sensor_app.command("add")
def sensor_add(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The sensor's own reference, named by every frame it sends "
                                            "(1-64 printable ASCII characters, not only digits).")],
    lat: Annotated[float, typer.Option("--lat", help="WGS84 latitude, degrees (-90 to 90).")],
    lon: Annotated[float, typer.Option("--lon", help="WGS84 longitude, degrees (-180 to 180).")],
    height_m: Annotated[float, typer.Option("--height-m", help="Antenna height above ground, metres.")] = 0.0,
    range_m: Annotated[float, typer.Option("--range-m", help="How far it is expected to hear, metres.")] = 1000.0,
    uncertainty_m: Annotated[float, typer.Option(
        "--uncertainty-m", help="How far the sensor may really stand from --lat/--lon, metres.")] = 100.0,
    gain_dbi: Annotated[float, typer.Option("--gain-dbi", help="Receiving antenna gain, dBi.")] = 0.0,
    ground_m: Annotated[float | None, typer.Option(
        "--ground-m", help="Ground elevation at the sensor, metres above mean sea level.")] = None,
    geoid_m: Annotated[float | None, typer.Option(
        "--geoid-m", help="Geoid height over the WGS84 ellipsoid at the sensor, metres.")] = None,
    name: Annotated[str, typer.Option("--name", help="A name for people.")] = "",
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a receiver: its position and range feed the plausibility checks of every frame it hears.

    Exits 65 when a value is out of range, 75 when the reference is taken.
    """
    from basira.drones.sensors import SensorSpec, create_sensor, sensor_view

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        row = sensor_view(create_sensor(s, who, SensorSpec(ref=ref, name=name, lat=lat, lon=lon,
                                                            antenna_height_m=height_m, range_m=range_m,
                                                            position_uncertainty_m=uncertainty_m,
                                                            antenna_gain_dbi=gain_dbi,
                                                            ground_elevation_m=ground_m,
                                                            geoid_undulation_m=geoid_m)))
    if as_json:
        echo_json(row)
    else:
        out.print(f"Sensor [bold]{escape(row['id'])}[/bold] registered at {row['lat']:.6f}, {row['lon']:.6f} "
                  f"(range {row['range_m']:.0f} m). Replay a capture through it with "
                  f"`basira drones replay CAPTURE --sensor {escape(row['id'])}`.")


@sensor_app.command("list")
def sensor_list(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """The organization's receivers, with the frames in each one's hash chain."""
    from basira.drones.sensors import list_sensors, sensor_view

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        rows = [sensor_view(x) for x in list_sensors(s, who.org_id)]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "name", "lat", "lon", "height m", "range m", "frames", title="Sensors")
    for r in rows:
        table.add_row(escape(r["id"]), escape(r["name"]), f"{r['lat']:.6f}", f"{r['lon']:.6f}",
                      _num(r["antenna_height_m"], "{:g}"), _num(r["range_m"]), str(r["frames"]))
    out.print(table)
    if not rows:
        out.print("No sensor yet: add one with `basira drones sensor add REF --lat LAT --lon LON`.")


@sensor_app.command("remove")
def sensor_remove(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The sensor's reference (or numeric id).")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stop accepting frames from a receiver; its frames and hash chain stay as evidence. Exits 66 if unknown."""
    from basira.drones.sensors import disable_sensor

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        disable_sensor(s, who, ref)
    if as_json:
        echo_json({"removed": ref})
    else:
        out.print(f"Sensor [bold]{escape(ref)}[/bold] removed (its frames stay as evidence).")


# -- zones ------------------------------------------------------------------------------------------------------------

def read_zone_file(path: Path) -> bytes:
    """The bytes of a zone file: a regular file, not empty, at most ``MAX_ZONE_FILE`` bytes (read no further)."""
    mode = path.stat().st_mode  # a missing file raises FileNotFoundError: exit 66 with its name
    if not stat.S_ISREG(mode):
        raise InvalidInput(f"{path} is not a regular file")
    with path.open("rb") as f:
        data = f.read(MAX_ZONE_FILE + 1)
    if len(data) > MAX_ZONE_FILE:
        raise ContentTooLarge(f"{path} is larger than {MAX_ZONE_FILE // (1024 * 1024)} MiB: a zone file has at "
                              f"most {MAX_ZONE_FILE} bytes")
    if not data.strip():
        raise EmptyContent(f"{path} is empty")
    return data


@zones_app.command("import")
def zones_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A GeoJSON FeatureCollection, an ED-269 document (UASZoneList) or "
                                              "an ED-318 GeoZone collection (JSON).")],
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite zones with the same reference.")] = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import the zones of a file, all or none; new zones apply to the next frames heard.

    Exits 65 when the file is not a zone file (with the reason), 66 when it is missing, 75 when a zone's
    reference exists and --replace is not given.
    """
    from basira.drones import zones
    from basira.drones.zonefiles import parse_zone_file

    specs = parse_zone_file(read_zone_file(file))
    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        try:
            rows = [zones.zone_view(z) for z in zones.save_zones(s, who, specs, replace=replace)]
        except Conflict as e:
            raise Conflict(e.detail.replace("import with replace", "import with --replace")) from None
    if as_json:
        echo_json(rows)
        return
    out.print(f"Imported {len(rows)} zone{'s' if len(rows) != 1 else ''} from {escape(str(file))}"
              f"{' (replacing those with the same reference)' if replace else ''}:")
    _zones_table(rows)


def _band(r: dict[str, Any]) -> str:
    low = "ground" if r["lower_m"] is None else f"{r['lower_m']:g} m {r['lower_ref']}"
    high = "unlimited" if r["upper_m"] is None else f"{r['upper_m']:g} m {r['upper_ref']}"
    return f"{low} – {high}"


def _zones_table(rows: list[dict[str, Any]]) -> None:
    table = Table("id", "reference", "name", "restriction", "altitudes", "when", "source")
    for r in rows:
        table.add_row(str(r["id"]), escape(r["ref"]), escape(r["name"][:60]), escape(r["restriction"]),
                      _band(r), "scheduled" if r["windows"] else "always", escape(r["source"]))
    out.print(table)


@zones_app.command("list")
def zones_list(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """The organization's zones (ids, references, altitude bands, schedules)."""
    from basira.drones.zones import list_zones, zone_view

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        rows = [zone_view(z) for z in list_zones(s, who.org_id)]
    if as_json:
        echo_json(rows)
        return
    _zones_table(rows)
    if not rows:
        out.print("No zone yet: import a file with `basira drones zones import FILE`.")


@zones_app.command("remove")
def zones_remove(
    ctx: typer.Context,
    zone: Annotated[str, typer.Argument(help="The zone's numeric id or its reference.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a zone: it stops raising alerts at once (alerts that cite it keep it). Exits 66 if unknown."""
    from basira.drones import zones

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        zones.delete_zone(s, who, zone)
    if as_json:
        echo_json({"removed": zone})
    else:
        out.print(f"Zone [bold]{escape(zone)}[/bold] removed.")


# -- tracks and alerts ------------------------------------------------------------------------------------------------

LimitOption = Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many, newest first.")]


def _track_dict(t: DroneTrack) -> dict[str, Any]:
    return {"id": t.id, "uas_id": t.uas_id, "operator_id": t.operator_id, "status": t.status,
            "verdict": t.verdict, "reasons": t.reasons, "first_seen": t.first_seen.isoformat(),
            "last_seen": t.last_seen.isoformat(), "lat": t.lat, "lon": t.lon, "alt_m": t.alt_m,
            "height_m": t.height_m, "speed_mps": t.speed_mps, "heading_deg": t.heading_deg,
            "positions": t.position_count}


def tracks_command(
    ctx: typer.Context,
    active: Annotated[bool, typer.Option("--active", help="Only tracks still being heard.")] = False,
    limit: LimitOption = 50,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recent tracks, last heard first: the drone, its last position, and the plausibility verdict with reasons.

    Tracks silent for longer than the lost-track timeout are closed first (raising TRACK_LOST where due), as
    the API does.
    """
    from basira.drones.ingest import service

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        listed = service(inst).list_tracks(s, who.org_id, status="active" if active else None, limit=limit)
        rows = [_track_dict(t) for t in listed]
    if as_json:
        echo_json(rows)
        return
    table = Table(title="Active tracks" if active else "Tracks")
    table.add_column("id", overflow="fold")
    # A UAS ID is read and copied whole (serial numbers have at most 20 characters): the other columns give way.
    table.add_column("UAS ID", no_wrap=True, min_width=min(20, max((len(r["uas_id"]) for r in rows), default=6)))
    for column in ("status", "verdict", "last seen (UTC)", "lat", "lon", "alt m", "doubts"):
        table.add_column(column, overflow="fold")
    for r in rows:
        colour = {"suspect": "red", "unverified": "yellow"}.get(r["verdict"], "green")
        table.add_row(str(r["id"]), escape(r["uas_id"]), r["status"], f"[{colour}]{r['verdict']}[/]",
                      r["last_seen"][:16].replace("T", " "), _num(r["lat"], "{:.5f}"), _num(r["lon"], "{:.5f}"),
                      _num(r["alt_m"], "{:.0f}"), escape(", ".join(x.partition(":")[0] for x in r["reasons"])))
    out.print(table)
    if not rows:
        out.print("No track. Replay a capture with `basira drones replay CAPTURE --sensor REF`, or send frames to "
                  "the API.")


_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """``30m``, ``2h``, ``7d`` (before ``now``) or an ISO 8601 date or time (UTC when it names no zone)."""
    m = _DURATION.match(text)
    if m:
        try:
            return now - dt.timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
        except OverflowError:
            raise InvalidInput(f"--since {text!r} reaches too far back") from None
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"--since takes a duration (30m, 2h, 7d) or an ISO date or time, not {text[:40]!r}") \
            from None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def alerts_command(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only alerts recorded since then: a duration (30m, 2h, 7d) or an ISO date or time (UTC).")]
    = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind (ENTER, EXIT, LOITER, APPROACH, "
                                                            "OPERATOR_IN_ZONE, EMERGENCY, WATCHLIST, TRACK_LOST).")]
    = None,
    limit: LimitOption = 50,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recent alerts, newest first: what happened, to which drone, in which zone, heard by which sensor.

    An alert's time is when the drone was heard (a replayed capture keeps its own times); --since filters on
    when Basira recorded it.
    """
    from basira.core.models import utcnow
    from basira.drones.alerts import AlertKind
    from basira.drones.listing import recent_alerts

    if kind is not None and kind.strip().upper() not in {k.value for k in AlertKind}:
        raise InvalidInput(f"unknown alert kind {kind[:40]!r} (one of {', '.join(k.value for k in AlertKind)})")
    after = parse_since(since, utcnow()) if since is not None else None
    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        rows = [a.as_dict() for a in recent_alerts(s, who.org_id, since=after, kind=kind and kind.strip(), limit=limit)]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "at (UTC)", "kind", "UAS ID", "track", "zone", "sensor", title="Alerts")
    for r in rows:
        table.add_row(str(r["id"]), r["at"][:19].replace("T", " "), f"[bold]{r['kind']}[/]", escape(r["uas_id"]),
                      str(r["track_id"]), escape(r["zone_name"] or ""), escape(r["sensor_id"] or ""))
    out.print(table)
    if not rows:
        out.print("No alert" + (" in that period." if since else "."))
