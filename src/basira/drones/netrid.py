"""A Network Remote ID display client (ASTM F3411-22a, the interface InterUSS's DSS and USSs speak): the
identification service areas (ISAs) over an area from the DSS, then from each ISA's USS the flights in view and
each flight's details, as ``netrid`` receiver records (:mod:`basira.drones.receivers`).

The records go through ingest like broadcast frames, credited to a sensor that stands for the network service:
the UAS ID in the flight details (serial number, registration, UTM ID, session ID, as broadcast) names the track, so
a drone heard both over the air and through the network is one track.

Everything a USS or DSS answers is hostile input: replies are read up to ``MAX_REPLY`` bytes, at most
``MAX_ISAS`` areas and ``MAX_FLIGHTS`` flights are taken per poll, USS addresses must be http(s), and a USS that
fails or answers nonsense is named in ``problems`` while the others are still read.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from basira.core.errors import InvalidInput

API = "/rid/v2"
MAX_REPLY = 4 * 1024 * 1024
MAX_ISAS = 100
MAX_FLIGHTS = 2_000


@dataclass(frozen=True)
class Area:
    """A rectangle in degrees: south-west and north-east corners."""

    lat_min: float
    lon_min: float
    lat_max: float
    lon_max: float

    @classmethod
    def parse(cls, text: str) -> Area:
        try:
            a, b, c, d = (float(x) for x in text.split(","))
        except ValueError:
            raise InvalidInput("an area is LAT1,LON1,LAT2,LON2 (two corners, degrees)") from None
        if not all(math.isfinite(v) for v in (a, b, c, d)) or max(abs(a), abs(c)) > 90 or max(abs(b), abs(d)) > 180:
            raise InvalidInput("an area's corners are within ±90° latitude and ±180° longitude")
        area = cls(min(a, c), min(b, d), max(a, c), max(b, d))
        if area.lat_min == area.lat_max or area.lon_min == area.lon_max:
            raise InvalidInput("an area has two distinct corners")
        return area

    def polygon(self) -> str:
        """The DSS's ``area`` parameter: the rectangle's corners, lat,lng pairs."""
        pts = [(self.lat_min, self.lon_min), (self.lat_min, self.lon_max), (self.lat_max, self.lon_max),
               (self.lat_max, self.lon_min)]
        return ",".join(f"{lat:.7f},{lon:.7f}" for lat, lon in pts)

    def view(self) -> str:
        """The USS's ``view`` parameter: two corners."""
        return f"{self.lat_min:.7f},{self.lon_min:.7f},{self.lat_max:.7f},{self.lon_max:.7f}"


@dataclass
class Poll:
    """One poll's result: ``netrid`` records (each flight with its ``details``) and what went wrong where."""

    records: list[dict[str, Any]] = field(default_factory=list)
    isas: int = 0
    problems: list[str] = field(default_factory=list)


class NetRidClient:
    """Reads flights from a DSS and its USSs (a bearer token, when given, is sent to both)."""

    def __init__(self, dss_url: str, *, token: str | None = None, timeout_s: float = 10.0,
                 client: httpx.Client | None = None) -> None:
        if urlsplit(dss_url).scheme not in {"http", "https"}:
            raise InvalidInput("the DSS address is an http:// or https:// URL")
        self.dss = dss_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = client or httpx.Client(timeout=timeout_s, headers=headers, follow_redirects=False)
        #: Flight details by (USS, flight id): asked once per flight.
        self._details: dict[tuple[str, str], dict[str, Any]] = {}

    def _get(self, url: str, params: dict[str, str] | None = None) -> Any:
        with self.client.stream("GET", url, params=params) as r:
            if r.status_code != 200:
                raise InvalidInput(f"{url} answered HTTP {r.status_code}")
            body = b""
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > MAX_REPLY:
                    raise InvalidInput(f"{url} answered more than {MAX_REPLY} bytes")
        try:
            return json.loads(body)
        except ValueError:
            raise InvalidInput(f"{url} did not answer JSON") from None

    def poll(self, area: Area) -> Poll:
        """The flights over ``area`` now, from every USS whose ISA covers it."""
        out = Poll()
        try:
            found = self._get(f"{self.dss}{API}/dss/identification_service_areas", {"area": area.polygon()})
        except (InvalidInput, httpx.HTTPError) as e:
            out.problems.append(f"DSS: {_why(e)}")
            return out
        isas = found.get("service_areas") if isinstance(found, dict) else None
        if not isinstance(isas, list):
            out.problems.append("DSS: the reply has no service_areas list")
            return out
        bases = []
        for isa in isas[:MAX_ISAS]:
            base = isa.get("uss_base_url") if isinstance(isa, dict) else None
            if isinstance(base, str) and urlsplit(base).scheme in {"http", "https"} and base not in bases:
                bases.append(base.rstrip("/"))
        out.isas = len(isas)
        for base in bases:
            self._from_uss(base, area, out)
        return out

    def _from_uss(self, base: str, area: Area, out: Poll) -> None:
        try:
            found = self._get(f"{base}/uss/flights", {"view": area.view(), "include_recent_positions": "false"})
        except (InvalidInput, httpx.HTTPError) as e:
            out.problems.append(f"USS {base}: {_why(e)}")
            return
        flights = found.get("flights") if isinstance(found, dict) else None
        if not isinstance(flights, list):
            out.problems.append(f"USS {base}: the reply has no flights list")
            return
        for flight in flights:
            if len(out.records) >= MAX_FLIGHTS:
                out.problems.append(f"more than {MAX_FLIGHTS} flights: the rest were left out")
                return
            if not isinstance(flight, dict) or not isinstance(flight.get("id"), str) or len(flight["id"]) > 200:
                out.problems.append(f"USS {base}: a flight without an id")
                continue
            record = dict(flight)
            details = self._flight_details(base, flight["id"], out)
            if details:
                record["details"] = details
            out.records.append(record)

    def _flight_details(self, base: str, flight_id: str, out: Poll) -> dict[str, Any]:
        key = (base, flight_id)
        if key not in self._details:
            try:
                found = self._get(f"{base}/uss/flights/{quote(flight_id, safe='')}/details")
            except (InvalidInput, httpx.HTTPError) as e:
                out.problems.append(f"USS {base}, flight {flight_id}: {_why(e)}")
                return {}
            details = found.get("details") if isinstance(found, dict) else None
            self._details[key] = details if isinstance(details, dict) else {}
        return self._details[key]

    def close(self) -> None:
        self.client.close()


def _why(e: Exception) -> str:
    return e.detail if isinstance(e, InvalidInput) else f"{type(e).__name__}: {e}"
