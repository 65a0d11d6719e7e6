"""``basira drones replay`` and ``basira drones decode`` from the command line: summaries, JSON, and clear
errors with exit codes for files that are not captures and inputs that are not messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from basira.cli.main import app
from basira.drones.remoteid import BasicID, encode_message


def run(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": "200"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"basira {' '.join(args)} raised {result.exception!r}\n{result.output}")
    return result


def test_replay_json_summary_of_the_nan_sample(shared_data: Path) -> None:
    result = run("drones", "replay", str(shared_data / "remoteid" / "odid_wifi_sample.pcap"), "--fast", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["packets_read"], summary["frames"], summary["frames_decoded"]) == (63, 42, 42)
    assert summary["transports"] == {"wifi_beacon": 21, "wifi_nan": 21}
    assert summary["messages"] == {"Location": 31, "OperatorID": 3, "SelfID": 4, "System": 4}


def test_replay_table_names_rejections(shared_data: Path) -> None:
    result = run("drones", "replay", str(shared_data / "remoteid" / "odid_bt5_lr_sample.pcapng"), "--fast")
    assert result.exit_code == 0
    assert "rejected: bad CRC" in result.stdout and "30" in result.stdout


def test_replay_frames_option_prints_one_json_line_per_frame(shared_data: Path) -> None:
    result = run("drones", "replay", str(shared_data / "remoteid" / "cdc_mavic_alessa_spoofed.pcapng"),
                 "--fast", "--frames", "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"transport"')]
    assert len(lines) == 10 and lines[0]["messages"][0]["serial_number"] == "K6RE0WENAH9P8QAL"


def test_replay_of_a_file_that_is_not_a_capture_exits_65(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.pcap"
    bogus.write_text("hello")
    result = run("drones", "replay", str(bogus), "--fast")
    assert result.exit_code == 65
    assert "is not a pcap or pcapng capture" in result.output


def test_decode_prints_the_message_and_fails_on_bad_input() -> None:
    good = encode_message(BasicID(1, 2, "SN-42")).hex()
    result = run("drones", "decode", good, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["message"]["uas_id"] == "SN-42"
    result = run("drones", "decode", good, "12" + "00" * 10, "zz", "--json")
    assert result.exit_code == 65
    items = json.loads(result.stdout[: result.stdout.rindex("]") + 1])
    assert [i.get("ok") for i in items] == [True, False, False]
    assert "truncated message: 11 bytes" in items[1]["error"] and "not hexadecimal" in items[2]["error"]


def test_decode_reads_standard_input_and_whole_frames() -> None:
    frame = "0d05" + encode_message(BasicID(1, 2, "SN-43")).hex()
    result = run("drones", "decode", "--transport", "bt4", "--json", input=frame + "\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["messages"][0]["uas_id"] == "SN-43"


def test_replay_credited_to_a_sensor_builds_tracks(shared_data: Path, instance, admin, database_url: str,  # type: ignore[no-untyped-def]
                                                   tmp_path: Path) -> None:
    from basira.drones.sensors import SensorSpec, create_sensor

    with instance.db.session() as s:
        # The reference transmitter of the sample flew near Portland, Oregon.
        create_sensor(s, admin, SensorSpec(ref="pdx-1", name="Roof", lat=45.545, lon=-122.970,
                                           antenna_height_m=10.0, range_m=5000.0))
    env = {"BASIRA_DATABASE_URL": database_url, "BASIRA_DATA_DIR": str(tmp_path / "data"),
           "BASIRA_SECRET_KEY": "test-secret", "COLUMNS": "200"}
    args = ["drones", "replay", str(shared_data / "remoteid" / "odid_wifi_bcn_sample.pcap"), "--fast", "--json",
            "--sensor", "pdx-1"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["frames_decoded"] == 21
    assert summary["tracking"]["tracks"] == 1 and summary["tracking"]["alerts"] == 0
    unknown = CliRunner().invoke(app, [*args[:-1], "nowhere"], env=env)
    assert unknown.exit_code == 66 and "no sensor 'nowhere'" in unknown.output


def _damaged(tmp_path: Path, shared_data: Path, how: str) -> Path:
    data = (shared_data / "remoteid" / "odid_wifi_sample.pcap").read_bytes()
    path = tmp_path / f"{how}.pcap"
    if how == "truncated":
        path.write_bytes(data[: len(data) - 37])
    else:  # a record header after the first packet that claims 4 GiB
        first = 24 + 16 + int.from_bytes(data[24 + 8: 24 + 12], "little")
        path.write_bytes(data[:first] + data[first: first + 8] + (0xFFFFFFFF).to_bytes(4, "little") * 2
                         + data[first + 16:])
    return path


@pytest.mark.parametrize("how", ["truncated", "4 GiB record"])
def test_replay_of_a_damaged_capture_exits_65_after_the_good_packets(tmp_path: Path, shared_data: Path,
                                                                      how: str) -> None:
    result = run("drones", "replay", str(_damaged(tmp_path, shared_data, how)), "--fast", "--json")
    assert result.exit_code == 65, result.output
    summary = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert summary["capture_problem"] and summary["packets_read"] >= 1
    assert "Error:" in result.output and "the capture is damaged" in result.output
    expected = "ends inside" if how == "truncated" else "claims 4294967295 bytes"
    assert expected in result.output


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_replay_of_a_missing_file_or_a_folder_exits_66_with_one_error_line(tmp_path: Path, what: str) -> None:
    target = tmp_path / "nothing.pcap" if what == "missing" else tmp_path
    result = run("drones", "replay", str(target), "--fast")
    assert result.exit_code == 66, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and str(target) in lines[0], lines
