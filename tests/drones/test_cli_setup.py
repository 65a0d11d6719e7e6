"""``basira drones sensor|zones|tracks|alerts`` through the real command line, on SQLite and PostgreSQL: day one at
an airport (a sensor, zone files, a replayed capture, then its tracks and alerts), audited as cli:<user>; and every
hostile input ends in one clear error line and an exit code, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from basira.cli.common import actor
from basira.cli.drones_setup import MAX_ZONE_FILE
from basira.cli.main import app

CAPTURE = "odid_wifi_bcn_sample.pcap"  # the reference transmitter near Portland, Oregon, 21 frames, one drone
UAS_ID = "MFG1A0123456789"
# An 800 m circle over the sample's flight: the drone and its operator stand inside it.
CIRCLE = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {
    "type": "Point", "coordinates": [-122.968, 45.546]}, "properties": {"ref": "PDX-TEST", "name": "Test circle",
                                                                         "radius_m": 800}}]}


class Cli:
    """``basira`` in-process against the test database; ``ok`` also checks the exit code, ``js`` parses --json."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str) -> Result:
        result = CliRunner().invoke(app, list(args), env=self.env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"basira {' '.join(args)} raised {result.exception!r}\n{result.output}") \
                from result.exception
        return result

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, f"basira {' '.join(args)} exited {result.exit_code}:\n{result.output}"
        return result

    def js(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def fails(self, code: int, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == code, f"basira {' '.join(args)} exited {result.exit_code}:\n{result.output}"
        assert "Traceback" not in result.output
        return result.output


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Iterator[Cli]:
    c = Cli({"BASIRA_DATABASE_URL": database_url, "BASIRA_DATA_DIR": str(tmp_path / "data"),
             "BASIRA_SECRET_KEY": "test-secret", "COLUMNS": "200"})
    c.ok("org", "create", "airport")
    yield c


@pytest.fixture
def circle(tmp_path: Path) -> Path:
    path = tmp_path / "circle.geojson"
    path.write_text(json.dumps(CIRCLE))
    return path


def test_day_one_sensor_zones_replay_then_tracks_and_alerts(cli: Cli, circle: Path, shared_data: Path) -> None:
    added = cli.js("drones", "sensor", "add", "pdx-1", "--lat", "45.545", "--lon", "-122.970", "--height-m", "10",
                   "--range-m", "5000", "--name", "Roof")
    assert (added["id"], added["lat"], added["lon"], added["range_m"]) == ("pdx-1", 45.545, -122.97, 5000.0)
    assert [s["id"] for s in cli.js("drones", "sensor", "list")] == ["pdx-1"]
    assert "pdx-1" in cli.ok("drones", "sensor", "list").stdout

    assert [z["ref"] for z in cli.js("drones", "zones", "import", str(circle))] == ["PDX-TEST"]
    ed318 = cli.js("drones", "zones", "import", str(shared_data / "zones" / "interuss_cis_source_sample_ed318.json"))
    assert {z["ref"]: z["source"] for z in ed318} == {"LSZB003": "ed318", "BLns058": "ed318", "LSTB002": "ed318"}
    table = cli.ok("drones", "zones", "import", str(shared_data / "zones" / "interuss_cis_source_sample_ed269.json"))
    assert "Imported 1 zone" in table.stdout and "LSXX" in table.stdout
    assert len(cli.js("drones", "zones", "list")) == 5

    summary = cli.js("drones", "replay", str(shared_data / "remoteid" / CAPTURE), "--fast", "--sensor", "pdx-1")
    assert summary["tracking"]["tracks"] == 1
    assert summary["tracking"]["alerts_by_kind"] == {"OPERATOR_IN_ZONE": 1, "ENTER": 1}

    tracks = cli.js("drones", "tracks")
    assert [(t["uas_id"], t["positions"]) for t in tracks] == [(UAS_ID, 21)]
    # The capture is from 2021: listing closes the silent track, so none is active any more.
    assert tracks[0]["status"] == "lost"
    assert cli.js("drones", "tracks", "--active") == []
    assert UAS_ID in cli.ok("drones", "tracks").stdout

    alerts = cli.js("drones", "alerts")
    assert [a["kind"] for a in alerts] == ["TRACK_LOST", "ENTER", "OPERATOR_IN_ZONE"]
    enter = alerts[1]
    assert (enter["uas_id"], enter["zone_name"], enter["sensor_id"]) == (UAS_ID, "Test circle", "pdx-1")
    assert enter["at"].startswith("2021-")  # the capture's own time; --since looks at when Basira recorded it
    assert len(cli.js("drones", "alerts", "--since", "1h")) == 3
    assert cli.js("drones", "alerts", "--since", "2999-01-01") == []
    assert [a["kind"] for a in cli.js("drones", "alerts", "--limit", "1")] == ["TRACK_LOST"]
    assert [a["id"] for a in cli.js("drones", "alerts", "--kind", "enter")] == [enter["id"]]
    assert "Test circle" in cli.ok("drones", "alerts").stdout

    entries = cli.js("audit", "show", "--limit", "50")["entries"]
    done = {(e["action"], e["actor"]) for e in entries}
    assert {("drones.sensor.create", actor()), ("drones.zones.save", actor())} <= done


def test_zones_replace_and_remove_and_sensor_remove(cli: Cli, circle: Path, shared_data: Path) -> None:
    cli.ok("drones", "zones", "import", str(circle))
    out = cli.fails(75, "drones", "zones", "import", str(circle))
    assert "zone 'PDX-TEST' exists" in out and "--replace" in out
    CIRCLE["features"][0]["properties"]["name"] = "Renamed"  # type: ignore[index]
    try:
        circle.write_text(json.dumps(CIRCLE))
    finally:
        CIRCLE["features"][0]["properties"]["name"] = "Test circle"  # type: ignore[index]
    replaced = cli.js("drones", "zones", "import", str(circle), "--replace")
    assert [(z["ref"], z["name"]) for z in replaced] == [("PDX-TEST", "Renamed")]
    assert len(cli.js("drones", "zones", "list")) == 1

    six = cli.js("drones", "zones", "import", str(shared_data / "zones" / "interuss_geo-awareness-che-1_ed269.json"))
    cli.ok("drones", "zones", "remove", str(six[0]["id"]))
    cli.ok("drones", "zones", "remove", "PDX-TEST")
    assert {z["ref"] for z in cli.js("drones", "zones", "list")} == {z["ref"] for z in six[1:]}
    assert "no zone 'PDX-TEST'" in cli.fails(66, "drones", "zones", "remove", "PDX-TEST")

    cli.ok("drones", "sensor", "add", "gate-7", "--lat", "46.9", "--lon", "7.5")
    assert "sensor 'gate-7' exists" in cli.fails(75, "drones", "sensor", "add", "gate-7", "--lat", "0", "--lon", "0")
    cli.ok("drones", "sensor", "remove", "gate-7")
    assert cli.js("drones", "sensor", "list") == []
    out = cli.fails(66, "drones", "replay", str(shared_data / "remoteid" / CAPTURE), "--fast", "--sensor", "gate-7")
    assert "no sensor 'gate-7'" in out


def test_empty_listings_say_what_to_do(cli: Cli) -> None:
    assert "basira drones sensor add" in cli.ok("drones", "sensor", "list").stdout
    assert "basira drones zones import" in cli.ok("drones", "zones", "list").stdout
    assert "--sensor REF" in cli.ok("drones", "tracks").stdout
    assert cli.js("drones", "alerts") == []


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _huge(tmp_path: Path) -> Path:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:  # sparse: no disk is spent on the zeros
        f.truncate(MAX_ZONE_FILE + 1)
    return path


# Each hostile zone file, the exit code and the words of its one-line error.
BAD_ZONE_FILES = [
    (lambda d: d / "missing.json", 66, "cannot read"),
    (lambda d: _write(d, "empty.json", b""), 65, "is empty"),
    (lambda d: _write(d, "blank.json", b"  \n"), 65, "is empty"),
    (lambda d: _write(d, "cut.json", json.dumps(CIRCLE).encode()[:70]), 65, "not JSON"),
    # JSON must be UTF-8 (UTF-16 with its BOM is read too); Latin-1 bytes are not.
    (lambda d: _write(d, "latin1.json", '{"name": "Zürich"}'.encode("latin-1")), 65, "not JSON"),
    (lambda d: _write(d, "array.json", b"[1, 2]"), 65, "a zone file is a JSON object"),
    (lambda d: _write(d, "other.json", b'{"hello": "world"}'), 65, "not a zone file"),
    (lambda d: _write(d, "nozones.json", b'{"type": "FeatureCollection", "features": []}'), 65, "holds no zone"),
    (lambda d: _write(d, "latitude.json", json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"ref": "X"}, "geometry": {"type": "Polygon", "coordinates": [
            [[0, 0], [0, 95], [1, 95], [0, 0]]]}}]}).encode()), 65, "within ±180 and ±90"),
    (_huge, 65, "larger than 20 MiB"),
    (lambda d: d, 65, "not a regular file"),
]


@pytest.mark.parametrize(("make", "code", "words"), BAD_ZONE_FILES,
                         ids=["missing", "empty", "blank", "truncated", "latin1", "array", "not-zones", "no-zone",
                              "latitude", "huge", "folder"])
def test_a_bad_zone_file_is_one_error_line(cli: Cli, tmp_path: Path, make: Any, code: int, words: str) -> None:
    out = cli.fails(code, "drones", "zones", "import", str(make(tmp_path)))
    assert words in out and out.count("Error:") == 1, out
    assert cli.js("drones", "zones", "list") == []


def test_the_invalid_ed318_example_is_refused(cli: Cli, shared_data: Path) -> None:
    invalid = shared_data / "zones" / "ed318_InvalidExample_GeoZone_2_Layers.json"
    out = cli.fails(65, "drones", "zones", "import", str(invalid))
    assert "metadata.validFrom is not a date and time" in out


@pytest.mark.parametrize(("args", "code", "words"), [
    (["--lat", "91", "--lon", "0"], 65, "latitude is within ±90°"),
    (["--lat", "0", "--lon", "-180.5"], 65, "longitude is within ±180°"),
    (["--lat", "nan", "--lon", "0"], 65, "latitude"),
    (["--lat", "0", "--lon", "inf"], 65, "longitude"),
    (["--lat", "0", "--lon", "0", "--range-m", "0"], 65, "expected range"),
    (["--lat", "north", "--lon", "0"], 2, "Invalid value for '--lat'"),
    (["--lon", "0"], 2, "Missing option '--lat'"),
])
def test_a_bad_sensor_position_is_refused(cli: Cli, args: list[str], code: int, words: str) -> None:
    out = cli.fails(code, "drones", "sensor", "add", "s1", *args)
    assert words in out, out
    assert cli.js("drones", "sensor", "list") == []


@pytest.mark.parametrize(("args", "code", "words"), [
    (["sensor", "remove", "nowhere"], 66, "no sensor 'nowhere'"),
    (["sensor", "add", "12345", "--lat", "0", "--lon", "0"], 65, "not only digits"),
    (["zones", "remove", "99999"], 66, "no zone '99999'"),
    (["alerts", "--since", "yesterday"], 65, "--since takes a duration"),
    (["alerts", "--since", "99999999w"], 65, "--since takes a duration"),
    (["alerts", "--since", "999999w"], 65, "too far back"),
    (["alerts", "--kind", "boom"], 65, "unknown alert kind"),
    (["tracks", "--limit", "0"], 2, "--limit"),
])
def test_unknown_or_malformed_references_are_one_error_line(cli: Cli, args: list[str], code: int,
                                                             words: str) -> None:
    assert words in cli.fails(code, "drones", *args)


def test_replay_help_says_how_to_get_tracks_and_alerts() -> None:
    text = CliRunner().invoke(app, ["drones", "replay", "--help"], env={"COLUMNS": "200"}).stdout
    assert "basira drones sensor add" in text and "basira drones tracks" in text and "basira drones alerts" in text
