"""Live sources end to end: a pcap written live into a named pipe and tracked by ``basira drones listen`` while
it is still being written; ``basira drones agent`` and its spool against a loopback server that stops and
restarts mid-flight (nothing lost, nothing doubled)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.factories import serving
from typer.testing import CliRunner

from basira.cli.main import app
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.drones.agent import Agent, Spool
from basira.drones.capture import replay
from basira.drones.evidence import verify
from basira.drones.models import DroneFrame, DroneSensor, DroneTrack
from basira.drones.remoteid import Frame
from basira.drones.sensors import SensorSpec, create_sensor

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def _records(capture: bytes) -> tuple[bytes, list[bytes]]:
    """A classic pcap cut into its header and its packet records."""
    out, at = [], 24
    while at < len(capture):
        end = at + 16 + int.from_bytes(capture[at + 8: at + 12], "little")
        out.append(capture[at:end])
        at = end
    return capture[:24], out


@pytest.fixture
def pdx(instance: Instance, admin: Principal) -> None:
    with instance.db.session() as s:
        create_sensor(s, admin, SensorSpec(ref="pdx-1", lat=45.545, lon=-122.970, range_m=5000.0))


def _tracks(instance: Instance) -> int:
    with instance.db.session() as s:
        return s.query(DroneTrack).count()


def test_listen_tracks_a_pcap_written_live_into_a_named_pipe(
        instance: Instance, pdx: None, database_url: str, tmp_path: Path, shared_data: Path) -> None:
    header, records = _records((shared_data / "remoteid" / "odid_wifi_bcn_sample.pcap").read_bytes())
    fifo = tmp_path / "radio.pcap"
    os.mkfifo(fifo)
    seen_while_open: list[bool] = []

    def writer() -> None:
        with fifo.open("wb", buffering=0) as w:
            w.write(header)
            for r in records[:10]:
                w.write(r)
            deadline = time.monotonic() + 20
            while _tracks(instance) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)  # the listener tracks what it heard while the stream is still open
            seen_while_open.append(_tracks(instance) == 1)
            for r in records[10:]:
                w.write(r)

    thread = threading.Thread(target=writer)
    thread.start()
    env = {"BASIRA_DATABASE_URL": database_url, "BASIRA_DATA_DIR": str(tmp_path / "data"),
           "BASIRA_SECRET_KEY": "test-secret", "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["drones", "listen", "--sensor", "pdx-1", "--input", str(fifo), "--json"],
                                env=env)
    thread.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert seen_while_open == [True]
    summary = json.loads(result.stdout)
    assert summary["frames_decoded"] == 21 and summary["tracking"]["tracks"] == 1
    with instance.db.session() as s:
        assert s.query(DroneFrame).count() == 21


def _frames(path: Path) -> list[Frame]:
    out: list[Frame] = []
    replay(path, out.append)
    return [f for f in out if f.ok]


def test_agent_spools_while_the_server_is_away_and_sends_each_frame_once(
        instance: Instance, pdx: None, admin_key: str, tmp_path: Path, shared_data: Path) -> None:
    from basira.api.app import create_app

    api = create_app(instance)
    frames = _frames(shared_data / "remoteid" / "odid_wifi_sample.pcap")  # 42 frames
    spool = Spool(tmp_path / "spool")
    with serving(api) as url:
        port = int(url.rsplit(":", 1)[1])
        # No kept-alive connection, so that the server can stop at once.
        client = httpx.Client(headers={"Authorization": f"Bearer {admin_key}"},
                              limits=httpx.Limits(max_keepalive_connections=0))
        agent = Agent(url, admin_key, "pdx-1", spool, batch=10, interval_s=3600, client=client)
        for f in frames[:20]:
            agent.add(f)
        agent.cut()
        sent_before = json.loads(spool.pending()[0].read_text())["frames"]
        assert agent.send_pending() and spool.pending() == []
    # The server is away: batches wait on disk, in order.
    for f in frames[20:]:
        agent.add(f)
    agent.cut()
    assert not agent.send_pending() and len(spool.pending()) == 3
    # A batch stored but whose reply was lost comes again (an agent stopped between sending and removing it).
    spool.put(sent_before)
    with serving(api, port=port):
        assert agent.drain(10.0)
    assert spool.pending() == []
    assert (agent.report.accepted, agent.report.duplicates) == (42, 10), agent.report
    with instance.db.session() as s:
        assert s.query(DroneFrame).count() == 42
        sensor = s.query(DroneSensor).one()
        assert verify(s, sensor).ok


def test_agent_command_sends_a_capture_and_says_what_waits(
        instance: Instance, pdx: None, admin_key: str, tmp_path: Path, shared_data: Path) -> None:
    from basira.api.app import create_app

    capture = str(shared_data / "remoteid" / "odid_wifi_bcn_sample.pcap")
    args: list[Any] = ["drones", "agent", "--sensor", "pdx-1", "--spool", str(tmp_path / "spool"), "--input",
                       capture, "--json"]
    env = {"BASIRA_AGENT_KEY": admin_key, "COLUMNS": "200"}
    # No server: everything waits in the spool, exit 75.
    down = CliRunner().invoke(app, [*args, "--server", "http://127.0.0.1:9", "--drain-s", "0"], env=env)
    assert down.exit_code == 75, down.output
    assert "batches still wait" in down.output
    with serving(create_app(instance)) as url:
        up = CliRunner().invoke(app, [*args, "--server", url], env=env)
    assert up.exit_code == 0, up.output
    result = json.loads(up.stdout)
    # What waited from the first run went out first; the second run's frames were all already there.
    assert result["accepted"] == 21 and result["duplicates"] == 21 and result["waiting"] == 0
    with instance.db.session() as s:
        assert s.query(DroneFrame).count() == 21
