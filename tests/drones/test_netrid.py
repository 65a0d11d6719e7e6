"""Network Remote ID (ASTM F3411-22a display client) against a loopback HTTP server that answers as a DSS and a
USS do: identification service areas, flights in view, flight details; its flights join the broadcast track of
the same UAS ID."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.drones.helpers import UAS, basic, frame, location
from tests.drones.test_api import east
from tests.factories import Api
from typer.testing import CliRunner

from basira.cli.main import app
from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.drones.models import DroneFrame, DroneTrack
from basira.drones.netrid import Area, NetRidClient

AREA = "45.99,6.99,46.01,7.01"


class _Service:
    """What the loopback DSS/USS answers, and what it was asked."""

    def __init__(self) -> None:
        self.flights: list[dict[str, Any]] = []
        self.details: dict[str, dict[str, Any]] = {}
        self.asked: list[str] = []
        self.base = ""


@pytest.fixture
def uss() -> Iterator[_Service]:
    svc = _Service()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = parse_qs(url.query)
            svc.asked.append(url.path)
            if url.path == "/rid/v2/dss/identification_service_areas":
                if len(q.get("area", [""])[0].split(",")) < 6:
                    self._json(400, {"message": "area needs 3 points"})
                    return
                self._json(200, {"service_areas": [
                    {"id": "isa-1", "uss_base_url": svc.base + "/uss-a", "owner": "uss-a", "version": "v1",
                     "time_start": {"value": "2026-01-01T00:00:00Z", "format": "RFC3339"}},
                    {"id": "isa-2", "uss_base_url": "ftp://not-a-uss", "owner": "bad"}]})
            elif url.path == "/uss-a/uss/flights":
                assert "view" in q
                self._json(200, {"timestamp": {"value": "2026-01-01T00:00:00Z", "format": "RFC3339"},
                                 "flights": svc.flights})
            elif url.path.startswith("/uss-a/uss/flights/") and url.path.endswith("/details"):
                fid = url.path.split("/")[-2]
                if fid in svc.details:
                    self._json(200, {"details": svc.details[fid]})
                else:
                    self._json(404, {"message": "no such flight"})
            else:
                self._json(404, {"message": "not found"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    svc.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield svc
    server.shutdown()
    server.server_close()


def _flight(fid: str, at: dt.datetime, metres: float) -> dict[str, Any]:
    lat, lon = east(metres)
    return {"id": fid, "aircraft_type": "Helicopter", "simulated": False,
            "current_state": {"timestamp": {"value": at.isoformat().replace("+00:00", "Z"), "format": "RFC3339"},
                              "operational_status": "Airborne", "track": 90.0, "speed": 3.0,
                              "position": {"lat": lat, "lng": lon, "alt": 520.0,
                                           "height": {"distance": 60.0, "reference": "TakeoffLocation"}}}}


@pytest.mark.parametrize("backend", ["sqlite"])  # the database is covered by the API tests
def test_network_flights_join_the_broadcast_track_of_the_same_uas_id(
        dapi: Api, instance: Instance, uss: _Service, database_url: str, tmp_path: Any) -> None:
    assert dapi.post("/v1/drones/sensors", json={"id": "netrid", "lat": 46.0, "lon": 7.0,
                                                 "range_m": 5000}).status_code == 201
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=20)
    # Heard over the air first.
    over_air = [frame("north", basic(), location(*east(100 + 3 * i), speed=3),
                      at=start + dt.timedelta(seconds=i), counter=i) for i in range(3)]
    assert dapi.post("/v1/drones/frames", json={"frames": over_air}).json()["accepted"] == 3
    # Then the same drone through the network service, and another one only there.
    uss.flights = [_flight("f-1", start + dt.timedelta(seconds=4), 112), _flight("f-2", start, 900),
                   _flight("f-3", start, 950)]
    uss.details = {"f-1": {"id": "f-1", "uas_id": {"serial_number": UAS}, "operator_id": "FIN87ASTRDGE12K8",
                           "operator_location": {"position": {"lat": 46.0, "lng": 7.0}}},
                   "f-2": {"id": "f-2", "uas_id": {"serial_number": "1581F5FKD229400C7777"}}}
    env = {"BASIRA_DATABASE_URL": database_url, "BASIRA_DATA_DIR": str(tmp_path / "data"),
           "BASIRA_SECRET_KEY": "test-secret", "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["drones", "netrid", "--dss", uss.base, "--sensor", "netrid", "--area", AREA,
                                      "--polls", "1", "--json"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["flights"], summary["accepted"]) == (3, 3)
    assert any("f-3" in p and "404" in p for p in summary["problems"])  # details missing: kept, named
    with instance.db.session() as s:
        track = s.query(DroneTrack).filter(DroneTrack.uas_id == UAS).one()
        assert track.position_count == 4 and track.operator_id == "FIN87ASTRDGE12K8"
        sensors = {f.sensor_id for f in s.query(DroneFrame).filter(DroneFrame.track_id == track.id)}
        assert len(sensors) == 2  # one track, heard by the radio sensor and the network service
        assert {t.uas_id for t in s.query(DroneTrack)} == {UAS, "1581F5FKD229400C7777", "f-3"}
    assert uss.asked[0] == "/rid/v2/dss/identification_service_areas"


def test_a_dss_that_answers_nonsense_is_named_not_fatal(uss: _Service) -> None:
    client = NetRidClient(uss.base + "/nowhere")
    poll = client.poll(Area.parse(AREA))
    assert poll.records == [] and "HTTP 404" in poll.problems[0]
    with pytest.raises(InvalidInput):
        Area.parse("46,7,46,7")
    with pytest.raises(InvalidInput):
        NetRidClient("file:///etc/passwd")
