"""Reading zone files: plain GeoJSON, EUROCAE ED-269 (``UASZoneList``) and ED-318 (GeoZone ``FeatureCollection``).

Each file becomes a list of :class:`ZoneSpec`, one per horizontal shape and altitude layer (a zone of several
parts gets ``identifier#n`` references). Heights are converted to metres; time windows are normalised to
``{"start", "end", "schedule": [{"days", "start", "end"}]}`` (an empty list means always active).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

from basira.core.errors import InvalidInput

FEET = 0.3048
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
REFERENCES = ("AGL", "AMSL", "WGS84", "STD")
MAX_ZONES_PER_FILE = 10_000
#: The largest zone file accepted, by the API and the command line alike.
MAX_ZONE_FILE = 20 * 1024 * 1024


@dataclass
class ZoneSpec:
    """One zone as a caller or a file describes it; ``geometry`` is a GeoJSON Polygon, MultiPolygon or Point."""

    ref: str
    geometry: dict[str, Any]
    name: str = ""
    radius_m: float | None = None
    buffer_m: float = 0.0
    lower_m: float | None = None
    lower_ref: str = "AGL"
    upper_m: float | None = None
    upper_ref: str = "AGL"
    restriction: str = "PROHIBITED"
    reasons: list[str] = field(default_factory=list)
    authority: dict[str, Any] = field(default_factory=dict)
    windows: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    source: str = "api"


def _text(v: Any) -> str:
    """A plain string from a string or an ED-318 list of ``{"text", "lang"}`` (English preferred)."""
    if isinstance(v, str):
        return v
    if isinstance(v, list) and v:
        texts = [x for x in v if isinstance(x, dict) and isinstance(x.get("text"), str)]
        for x in texts:
            if str(x.get("lang", "")).lower().startswith("en"):
                return str(x["text"])
        if texts:
            return str(texts[0]["text"])
    return ""


def _height(value: Any, uom: Any, what: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} {value!r} is not a number") from None
    if not math.isfinite(v):
        raise InvalidInput(f"{what} is not finite")
    return v * FEET if str(uom or "m").strip().upper() in {"FT", "FEET"} else v


def _reference(value: Any) -> str:
    ref = str(value or "AGL").strip().upper()
    if ref not in REFERENCES:
        raise InvalidInput(f"unknown altitude reference {value!r} ({', '.join(REFERENCES)})")
    return ref


def _time_of_day(v: Any) -> str | None:
    if v is None or v == "":
        return None
    text = str(v).strip().upper().rstrip("Z")
    try:
        t = dt.time.fromisoformat(text.split(".")[0])
    except ValueError:
        raise InvalidInput(f"{v!r} is not a time of day") from None
    return t.strftime("%H:%M:%S")


def _instant(v: Any) -> str | None:
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise InvalidInput(f"{str(v)[:60]!r} is not an ISO 8601 date and time")
    try:
        t = dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{v[:60]!r} is not an ISO 8601 date and time") from None
    return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()


def windows_from(applicability: Any) -> list[dict[str, Any]]:
    """Normalised windows from ED-269 ``applicability`` or ED-318 ``limitedApplicability``."""
    if not applicability:
        return []
    if not isinstance(applicability, list):
        applicability = [applicability]
    out: list[dict[str, Any]] = []
    for a in applicability:
        if not isinstance(a, dict):
            raise InvalidInput("an applicability is not an object")
        if str(a.get("permanent", "")).upper() == "YES":
            return []
        schedule = []
        for s in (a.get("schedule") or a.get("dailyPeriod") or []):
            if not isinstance(s, dict):
                raise InvalidInput("a schedule is not an object")
            days = [str(d).upper()[:3] for d in (s.get("day") or [])]
            if any(d not in DAYS and d != "ANY" for d in days):
                raise InvalidInput(f"unknown day in {days}")
            start, end = _time_of_day(s.get("startTime")), _time_of_day(s.get("endTime"))
            if not days and start is None and end is None:
                continue
            schedule.append({"days": days or ["ANY"], "start": start, "end": end})
        out.append({"start": _instant(a.get("startDateTime")), "end": _instant(a.get("endDateTime")),
                    "schedule": schedule})
    return out


def _authority(v: Any) -> dict[str, Any]:
    first = v[0] if isinstance(v, list) and v else v
    if not isinstance(first, dict):
        return {}
    out = {k: _text(first.get(k)) for k in ("name", "service", "contactName", "email", "siteURL", "phone",
                                             "purpose") if first.get(k)}
    return {k: v for k, v in out.items() if v}


def _reasons(v: Any) -> list[str]:
    return [str(x)[:60] for x in v][:20] if isinstance(v, list) else []


def _ed269_projection(p: Any) -> tuple[dict[str, Any], float | None]:
    if not isinstance(p, dict):
        raise InvalidInput("a zone has no horizontalProjection")
    if p.get("type") == "Circle":
        center = p.get("center")
        return {"type": "Point", "coordinates": center}, _height(p.get("radius"), "m", "radius")
    return {"type": p.get("type"), "coordinates": p.get("coordinates")}, None


def _ed269_zone(z: dict[str, Any]) -> list[ZoneSpec]:
    ident = str(z.get("identifier") or "").strip()
    if not ident:
        raise InvalidInput("an ED-269 zone has no identifier")
    parts = z.get("geometry")
    if not isinstance(parts, list) or not parts:
        raise InvalidInput(f"zone {ident!r} has no geometry")
    common: dict[str, Any] = {
              "name": _text(z.get("name")), "restriction": str(z.get("restriction") or "PROHIBITED")[:40],
              "reasons": _reasons(z.get("reason")), "authority": _authority(z.get("zoneAuthority")),
              "windows": windows_from(z.get("applicability")),
              "message": _text(z.get("message")) or _text(z.get("otherReasonInfo")), "source": "ed269"}
    out = []
    for n, g in enumerate(parts, 1):
        if not isinstance(g, dict):
            raise InvalidInput(f"zone {ident!r}: a geometry is not an object")
        uom = g.get("uomDimensions", "M")
        geom, radius = _ed269_projection(g.get("horizontalProjection"))
        out.append(ZoneSpec(ref=ident if len(parts) == 1 else f"{ident}#{n}", geometry=geom, radius_m=radius,
                            lower_m=_height(g.get("lowerLimit"), uom, "lowerLimit"),
                            lower_ref=_reference(g.get("lowerVerticalReference")),
                            upper_m=_height(g.get("upperLimit"), uom, "upperLimit"),
                            upper_ref=_reference(g.get("upperVerticalReference")), **common))
    return out


def _ed318_parts(geom: Any) -> list[dict[str, Any]]:
    if not isinstance(geom, dict):
        raise InvalidInput("a feature has no geometry")
    if geom.get("type") == "GeometryCollection":
        return [g for g in geom.get("geometries") or [] if isinstance(g, dict)]
    return [geom]


def _feature_zone(f: dict[str, Any], index: int, ed318: bool) -> list[ZoneSpec]:
    props = f.get("properties") or {}
    if not isinstance(props, dict):
        raise InvalidInput("a feature's properties are not an object")
    ident = str(props.get("identifier") or props.get("ref") or props.get("id") or f.get("id") or
                f"zone-{index}").strip()
    common: dict[str, Any] = {
        "name": _text(props.get("name")), "restriction": str(props.get("type") if ed318 else
                                                              props.get("restriction") or "PROHIBITED")[:40],
        "reasons": _reasons(props.get("reason")), "authority": _authority(props.get("zoneAuthority")),
        "windows": windows_from(props.get("limitedApplicability") if ed318 else props.get("windows")),
        "message": _text(props.get("message")) or _text(props.get("otherReasonInfo")),
        "source": "ed318" if ed318 else "geojson",
    }
    if not ed318 and isinstance(props.get("windows"), list):
        common["windows"] = props["windows"]
    parts = _ed318_parts(f.get("geometry"))
    out = []
    for n, g in enumerate(parts, 1):
        layer: dict[str, Any] = g["layer"] if isinstance(g.get("layer"), dict) else {}
        extent: dict[str, Any] = g["extent"] if isinstance(g.get("extent"), dict) else {}
        radius = _height(extent.get("radius") or props.get("radius_m"), layer.get("uom", "m"), "radius")
        geom = {"type": g.get("type"), "coordinates": g.get("coordinates")}
        limits: dict[str, Any]
        if ed318:
            limits = dict(lower_m=_height(layer.get("lower"), layer.get("uom"), "lower"),
                          lower_ref=_reference(layer.get("lowerReference")),
                          upper_m=_height(layer.get("upper"), layer.get("uom"), "upper"),
                          upper_ref=_reference(layer.get("upperReference")))
        else:
            limits = dict(lower_m=_height(props.get("lower_m"), "m", "lower_m"),
                          lower_ref=_reference(props.get("lower_ref")),
                          upper_m=_height(props.get("upper_m"), "m", "upper_m"),
                          upper_ref=_reference(props.get("upper_ref")))
        out.append(ZoneSpec(ref=ident if len(parts) == 1 else f"{ident}#{n}", geometry=geom, radius_m=radius,
                            buffer_m=float(props.get("buffer_m") or 0.0), **limits, **common))
    return out


def parse_zone_file(data: bytes | str | dict[str, Any]) -> list[ZoneSpec]:
    """The zones of a GeoJSON, ED-269 or ED-318 document, or InvalidInput naming what is wrong."""
    if isinstance(data, bytes | str):
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as e:
            raise InvalidInput(f"the zone file is not JSON ({str(e)[:80]})") from None
    else:
        doc = data
    if not isinstance(doc, dict):
        raise InvalidInput("a zone file is a JSON object (GeoJSON, ED-269 or ED-318)")
    meta = doc.get("metadata")
    if isinstance(meta, dict):
        for key in ("validFrom", "validTo", "issued"):
            if key in meta and not isinstance(meta[key], str | None):
                raise InvalidInput(f"metadata.{key} is not a date and time (ED-318 schema)")
    zones: list[ZoneSpec] = []
    if isinstance(doc.get("UASZoneList"), list):
        for z in doc["UASZoneList"]:
            zones.extend(_ed269_zone(z) if isinstance(z, dict) else [])
    elif isinstance(doc.get("features"), list):
        features = doc["features"]
        # ED-269 test sets sometimes put the zones under "features" with ED-269's own geometry list.
        if features and all(isinstance(f, dict) and isinstance(f.get("geometry"), list) for f in features):
            for z in features:
                zones.extend(_ed269_zone(z))
        else:
            for i, f in enumerate(features, 1):
                if not isinstance(f, dict):
                    raise InvalidInput(f"feature {i} is not an object")
                geom = f.get("geometry")
                ed318 = isinstance(geom, dict) and ("layer" in geom or geom.get("type") == "GeometryCollection"
                                                    or "extent" in geom)
                zones.extend(_feature_zone(f, i, ed318))
    elif doc.get("type") == "Feature":
        zones.extend(_feature_zone(doc, 1, isinstance(doc.get("geometry"), dict) and "layer" in doc["geometry"]))
    else:
        raise InvalidInput("not a zone file: expected a GeoJSON FeatureCollection, ED-269 UASZoneList or ED-318")
    if not zones:
        raise InvalidInput("the zone file holds no zone")
    # Some published files repeat an identifier for distinct zones; each keeps its own reference.
    seen: dict[str, int] = {}
    for z in zones:
        n = seen.get(z.ref, 0) + 1
        seen[z.ref] = n
        if n > 1:
            z.ref = f"{z.ref} ({n})"
    if len(zones) > MAX_ZONES_PER_FILE:
        raise InvalidInput(f"at most {MAX_ZONES_PER_FILE} zones per file")
    return zones
