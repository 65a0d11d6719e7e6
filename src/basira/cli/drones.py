"""``basira drones``: replay a radio capture through the Remote ID decoder and, credited to a registered sensor,
through the tracker and the zone alerts; and decode single Remote ID messages or frames given in hexadecimal.
The sensor, zone, track and alert commands live in :mod:`basira.cli.drones_setup`.
"""

from __future__ import annotations

import datetime as dt
import errno
import stat
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, echo_json, out, principal, state
from basira.cli.drones_setup import alerts_command, sensor_app, tracks_command, zones_app
from basira.core.errors import BasiraError, InvalidInput
from basira.drones.capture import ReplaySummary, replay
from basira.drones.messages import Frame, Message, frame_dict, message_dict
from basira.drones.remoteid import decode_message
from basira.drones.transports import decode_frame

if TYPE_CHECKING:
    from basira.core.instance import Instance

cli_app = typer.Typer(
    help="Drones: sensors, protected zones, tracks and alerts; decode Remote ID and DJI DroneID, replay captures."
         "\n\nTo get tracks and alerts from a capture: `basira drones sensor add REF --lat LAT --lon LON`, "
         "`basira drones zones import FILE`, `basira drones replay CAPTURE --sensor REF`, then "
         "`basira drones tracks` and `basira drones alerts`.",
    no_args_is_help=True)
cli_app.add_typer(sensor_app, name="sensor")
cli_app.add_typer(zones_app, name="zones")

#: The most hex strings `decode` reads from standard input, so a runaway pipe cannot exhaust memory.
MAX_DECODE_LINES = 100_000


@dataclass
class _Tracker:
    """Feeds decoded frames to the drone service in batches, one transaction each, and counts what came out."""

    inst: Instance
    org: str | None
    sensor_ref: str
    batch_size: int
    pending: list[Frame] = field(default_factory=list)
    tracks: set[int] = field(default_factory=set)
    alerts: Counter[str] = field(default_factory=Counter)
    awaiting_id: int = 0
    last_flush: float = field(default_factory=time.monotonic)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __call__(self, frame: Frame) -> None:
        with self.lock:
            if frame.ok:
                frame.sensor_id = self.sensor_ref
                self.pending.append(frame)
            # At capture pace a frame should reach the tracker within a second, not wait for a full batch.
            if len(self.pending) >= self.batch_size or (self.pending and time.monotonic() - self.last_flush > 1.0):
                self.flush()

    def flush(self) -> None:
        with self.lock:
            self.last_flush = time.monotonic()
            if not self.pending:
                return
            batch, self.pending = self.pending, []
        from basira.drones.ingest import service
        from basira.drones.sensors import get_sensor

        with self.lock, self.inst.db.session() as s:
            who, _ = principal(s, self.org)
            sensor = get_sensor(s, who, self.sensor_ref)
            report = service(self.inst).ingest_decoded(s, who, [(f, sensor) for f in batch])
        self.tracks |= report.track_ids
        self.awaiting_id += report.awaiting_id
        self.alerts.update(str(a.get("alert_kind")) for a in report.alerts)

    def as_dict(self) -> dict[str, Any]:
        return {"sensor": self.sensor_ref, "tracks": len(self.tracks), "track_ids": sorted(self.tracks),
                "alerts": sum(self.alerts.values()), "alerts_by_kind": dict(self.alerts.most_common()),
                "frames_awaiting_id": self.awaiting_id}


def _summary_table(summary: ReplaySummary, path: Path, tracker: _Tracker | None) -> None:
    table = Table("", "count", title=f"Replay of {escape(str(path))}")
    table.add_row("packets read", str(summary.packets_read))
    table.add_row("Remote ID frames", str(summary.frames))
    table.add_row("frames decoded", str(summary.frames_decoded))
    for name, n in sorted(summary.messages.items()):
        table.add_row(f"  {escape(name)} messages", str(n))
    for reason, n in summary.rejected.most_common():
        table.add_row(f"  rejected: {escape(reason)}", f"[red]{n}[/]")
    for reason, n in summary.message_errors.most_common():
        table.add_row(f"  message error: {escape(reason)}", f"[yellow]{n}[/]")
    for linktype, n in summary.unsupported_linktypes.items():
        table.add_row(f"  packets of unsupported link type {linktype}", str(n))
    if tracker is not None:
        table.add_row("tracks", str(len(tracker.tracks)))
        table.add_row("alerts", str(sum(tracker.alerts.values())))
        for kind, n in tracker.alerts.most_common():
            table.add_row(f"  {escape(kind)}", str(n))
    out.print(table)
    if tracker is None:
        out.print("Decoded only: name a registered sensor (--sensor REF) to build tracks and raise alerts.")
    if summary.capture_problem:
        out.print(f"[yellow]The capture is damaged: {escape(summary.capture_problem)}[/yellow]")


@cli_app.command("replay")
def replay_command(
    ctx: typer.Context,
    capture: Annotated[Path, typer.Argument(help="A pcap or pcapng file (Wi-Fi with radiotap, or Bluetooth LE).")],
    fast: Annotated[bool, typer.Option("--fast", help="Feed frames as fast as possible, not at capture pace.")]
    = False,
    speed: Annotated[float, typer.Option("--speed", min=0.01, max=1000.0,
                                         help="Pace multiplier without --fast (2 = twice as fast).")] = 1.0,
    sensor: Annotated[str | None, typer.Option(
        "--sensor", help="Reference of a registered sensor (`basira drones sensor add`): the frames are credited "
                         "to it and go through the tracker, the plausibility rules and the zone alerts; list the "
                         "results with `basira drones tracks` and `basira drones alerts`. Without it, decode "
                         "only.")] = None,
    batch: Annotated[int, typer.Option("--batch", min=1, max=5000,
                                       help="Frames per transaction when tracking.")] = 500,
    frames_out: Annotated[bool, typer.Option("--frames", help="Also print every frame as a JSON line.")] = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Feed a capture through the Remote ID decoder (and, with --sensor, the tracker) and print what it found.

    Frames are fed at the capture's own pace unless --fast. The summary counts packets read, Remote ID frames,
    frames decoded, messages by type, frames rejected with their reasons (bad CRC, malformed message,
    received in the future), and with --sensor the tracks made and alerts raised. Exits 65 when the file is not
    a capture or is damaged (cut off, or a record claiming more bytes than any packet has: the frames before the
    damage are still replayed and counted), 66 when the file, a folder given instead, or the sensor is unknown.

    To get tracks and alerts from a capture, credit it to a sensor near where it was recorded: register one
    with `basira drones sensor add REF --lat LAT --lon LON`, import zones with `basira drones zones import
    FILE`, replay with --sensor REF, then list with `basira drones tracks` and `basira drones alerts`.
    """
    _check_capture_path(capture)
    tracker: _Tracker | None = None
    if sensor is not None:
        inst = state(ctx).instance()
        from basira.drones.sensors import get_sensor

        with inst.db.session() as s:  # fail before reading the capture when the sensor is unknown
            get_sensor(s, principal(s, org)[0], sensor)
        tracker = _Tracker(inst, org, sensor, batch if fast else min(batch, 50))

    def sink(frame: Frame) -> None:
        if frames_out:
            typer.echo(_json_line(frame_dict(frame)))
        if tracker is not None:
            tracker(frame)

    summary = replay(capture, sink, fast=fast, sensor_id=sensor, speed=speed)
    if tracker is not None:
        tracker.flush()
    if as_json:
        echo_json(summary.as_dict() | {"tracking": tracker.as_dict() if tracker is not None else None})
    else:
        _summary_table(summary, capture, tracker)
    if summary.capture_problem:
        raise DamagedCapture(f"{capture}: the capture is damaged ({summary.capture_problem}); the "
                             f"{summary.packets_read} packets before the damage were replayed")


class BatchesWaiting(BasiraError):
    """The agent's source ended but the server did not take every batch in time (exit 75: try again)."""

    status = 503
    exit_code = 75
    title = "Batches wait"


class DamagedCapture(InvalidInput):
    """A capture cut off or corrupt after some good packets (exit 65, after they were replayed)."""


def _check_capture_path(path: Path) -> None:
    """A missing file or a folder ends with one ``Error:`` line and exit 66 (as every file the CLI reads)."""
    mode = path.stat().st_mode  # FileNotFoundError when missing
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "a folder, not a capture file", str(path))


def _json_line(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def _parse_hex(text: str) -> bytes:
    cleaned = "".join(text.split()).replace(":", "")
    cleaned = cleaned.removeprefix("0x")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise InvalidInput(f"not hexadecimal: {text[:60]!r}") from None


@cli_app.command("decode")
def decode_command(
    hex_strings: Annotated[list[str] | None, typer.Argument(
        help="Remote ID messages (25 bytes, or a Message Pack) in hexadecimal; read from standard input, one "
             "a line, when none is given.")] = None,
    transport: Annotated[str | None, typer.Option(
        "--transport", help="Decode whole frames of this transport instead: wifi_beacon, wifi_nan, dji (802.11 "
                            "frames, radiotap optional), bt4 or bt5 (advertising PDUs or service data).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Decode Remote ID messages or frames given in hexadecimal.

    Each input is decoded on its own; one that does not decode is reported with its reason and the command
    exits 65 after the others are shown.
    """
    inputs = list(hex_strings or [])
    if not inputs and not sys.stdin.isatty():  # a terminal would only wait for typing
        for n, line in enumerate(sys.stdin):
            if n >= MAX_DECODE_LINES:
                raise InvalidInput(f"more than {MAX_DECODE_LINES} lines on standard input")
            if line.strip():
                inputs.append(line)
    if not inputs:
        raise InvalidInput("nothing to decode: give hex strings as arguments or on standard input")
    results: list[dict[str, Any]] = []
    failures = 0
    for text in inputs:
        try:
            raw = _parse_hex(text)
            if transport is not None:
                frame = decode_frame(transport, raw, received_at=dt.datetime.now(dt.UTC))
                item = frame_dict(frame)
                failures += 0 if frame.ok else 1
            else:
                message: Message = decode_message(raw)
                item = {"ok": True, "message": message_dict(message)}
        except InvalidInput as e:
            failures += 1
            item = {"ok": False, "input": text.strip()[:120], "error": e.detail}
        results.append(item)
    if as_json:
        echo_json(results)
    else:
        for item in results:
            out.print(escape(_json_line(item)), soft_wrap=True)
    if failures:
        raise InvalidInput(f"{failures} of {len(results)} inputs did not decode")


# -- live ----------------------------------------------------------------------------------------------------------

InputOption = Annotated[str | None, typer.Option(
    "--input", help="A pcap or pcapng stream: a file, a named pipe, or - for standard input (e.g. `tcpdump -U -w - "
                    "| basira drones listen --input -`, or a remote sensor over SSH).")]
WifiOption = Annotated[str | None, typer.Option(
    "--wifi", help="A Wi-Fi interface already in monitor mode, read through tcpdump (libpcap).")]
BluetoothOption = Annotated[bool, typer.Option(
    "--bluetooth", help="Scan Bluetooth advertisements (needs the optional bleak package: basira[bluetooth]).")]


def _live(sink: Any, input_: str | None, wifi: str | None, bt: bool, sensor: str | None) -> ReplaySummary:
    """Feed the frames of the one live source chosen to ``sink`` until it ends (or Ctrl-C)."""
    from basira.drones import live

    if (input_ is not None) + (wifi is not None) + bt != 1:
        raise InvalidInput("choose one source: --input PATH (or - for standard input), --wifi IFACE or --bluetooth")
    summary = ReplaySummary()
    try:
        if input_ == "-":
            summary = live.from_stream(sys.stdin.buffer, "standard input", sink, sensor)
        elif input_ is not None:
            path = Path(input_)
            _check_capture_path(path)
            with path.open("rb", buffering=0) as fh:
                summary = live.from_stream(fh, str(path), sink, sensor)
        elif wifi is not None:
            with live.wifi_stream(wifi) as fh:
                summary = live.from_stream(fh, f"Wi-Fi {wifi}", sink, sensor)
        else:
            stop = threading.Event()
            try:
                summary.frames = live.bluetooth(sink, stop)
            finally:
                stop.set()
    except KeyboardInterrupt:
        err_print("Stopped.")
    return summary


def err_print(text: str) -> None:
    typer.echo(text, err=True)


@cli_app.command("listen")
def listen_command(
    ctx: typer.Context,
    sensor: Annotated[str, typer.Option("--sensor", help="Reference of the registered sensor that hears.")],
    input_: InputOption = None,
    wifi: WifiOption = None,
    bluetooth: BluetoothOption = False,
    batch: Annotated[int, typer.Option("--batch", min=1, max=5000, help="Most frames per transaction.")] = 200,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Track a live Remote ID source on this server: frames are credited to --sensor and go through the tracker,
    the plausibility rules and the zone alerts within a second of being heard, until the source ends (or Ctrl-C).

    Exits 65 when the stream is not a capture or breaks off damaged, 66 when the input or the sensor is unknown,
    78 when the Wi-Fi or Bluetooth tools are missing.
    """
    from basira.drones.sensors import get_sensor

    inst = state(ctx).instance()
    with inst.db.session() as s:
        get_sensor(s, principal(s, org)[0], sensor)
    tracker = _Tracker(inst, org, sensor, batch)
    stop = threading.Event()

    def tick() -> None:  # a quiet radio: what was heard still reaches the tracker within a second
        while not stop.wait(1.0):
            tracker.flush()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        summary = _live(tracker, input_, wifi, bluetooth, sensor)
    finally:
        stop.set()
        ticker.join(timeout=5)
        tracker.flush()
    if as_json:
        echo_json(summary.as_dict() | {"tracking": tracker.as_dict()})
    else:
        _summary_table(summary, Path(input_ or wifi or "bluetooth"), tracker)
    if summary.capture_problem:
        raise DamagedCapture(f"the stream is damaged ({summary.capture_problem})")


@cli_app.command("agent")
def agent_command(
    server: Annotated[str, typer.Option("--server", help="The central Basira server's base URL.")],
    key: Annotated[str, typer.Option("--key", envvar="BASIRA_AGENT_KEY",
                                     help="An API key of the server (analyst or admin); or BASIRA_AGENT_KEY.")],
    sensor: Annotated[str, typer.Option("--sensor", help="The sensor's reference on the server.")],
    spool: Annotated[Path, typer.Option("--spool", file_okay=False,
                                        help="Folder of batches waiting to be sent (made if missing).")],
    input_: InputOption = None,
    wifi: WifiOption = None,
    bluetooth: BluetoothOption = False,
    batch: Annotated[int, typer.Option("--batch", min=1, max=5000, help="Most frames per request.")] = 200,
    drain_s: Annotated[float, typer.Option("--drain-s", min=0, max=86_400,
                                           help="How long to keep trying to send when the source ends.")] = 30.0,
    as_json: JsonOption = False,
) -> None:
    """Send a live Remote ID source to a central server's ingest API, in batches, with the server's key.

    Every batch is written to --spool before it is sent and removed once the server has it: while the server is
    away, batches wait on disk and go out, in order, when it is back (also after the agent is restarted); the
    server skips frames it already holds, so nothing is lost and nothing doubled. Exits 75 when batches still
    wait when the source has ended and --drain-s has passed (run again to send them).
    """
    from basira.drones.agent import Agent, Spool

    if not server.startswith(("http://", "https://")):
        raise InvalidInput("--server is an http:// or https:// URL")
    agent = Agent(server, key, sensor, Spool(spool), batch=batch)
    stop = threading.Event()
    sender = agent.run_sender(stop)
    try:
        summary = _live(agent.add, input_, wifi, bluetooth, sensor)
    finally:
        stop.set()
        sender.join(timeout=30)
        agent.cut()
    empty = agent.drain(drain_s)
    r = agent.report
    result = {"frames_read": summary.frames_decoded, "batches_sent": r.batches, "accepted": r.accepted,
              "duplicates": r.duplicates, "rejected_by_server": r.rejected_frames,
              "batches_refused": r.refused_batches, "alerts": r.alerts, "waiting": len(agent.spool.pending()),
              "problems": r.problems[:20]}
    if as_json:
        echo_json(result)
    else:
        out.print(f"Sent {r.accepted} frames in {r.batches} batches to {escape(server)} ({r.duplicates} already "
                  f"there, {r.rejected_frames} refused, {r.alerts} alerts raised).")
    if r.refused_batches:
        out.print(f"[yellow]{r.refused_batches} batches refused, kept in {escape(str(spool / 'rejected'))}.[/]")
    if not empty:
        raise BatchesWaiting(f"{result['waiting']} batches still wait in {spool} (last problem: "
                               f"{r.last_problem}); run the agent again to send them")
    if summary.capture_problem:
        raise DamagedCapture(f"the stream is damaged ({summary.capture_problem})")


@cli_app.command("netrid")
def netrid_command(
    ctx: typer.Context,
    dss: Annotated[str, typer.Option("--dss", help="The DSS's base URL (its API is under /rid/v2).")],
    sensor: Annotated[str, typer.Option("--sensor", help="The registered sensor that stands for the network "
                                                         "service (put it over the area, with a range that "
                                                         "covers it).")],
    area: Annotated[str, typer.Option("--area", help="LAT1,LON1,LAT2,LON2: two corners of the area to watch.")],
    token: Annotated[str | None, typer.Option("--token", envvar="BASIRA_NETRID_TOKEN",
                                              help="An access token for the DSS and USSs.")] = None,
    every: Annotated[float, typer.Option("--every", min=1, max=3600, help="Seconds between polls.")] = 5.0,
    polls: Annotated[int, typer.Option("--polls", min=0, help="Stop after this many polls (0: until Ctrl-C).")]
    = 0,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Track the flights of an ASTM F3411 Network Remote ID service over an area: the DSS's identification service
    areas, then each USS's flights and their details, credited to --sensor. A flight whose UAS ID is also heard
    over the air joins that drone's track. Exits 66 when the sensor is unknown, 65 when the area is malformed.
    """
    from basira.drones.ingest import MAX_BATCH, service
    from basira.drones.netrid import Area, NetRidClient
    from basira.drones.sensors import get_sensor

    box = Area.parse(area)
    inst = state(ctx).instance()
    with inst.db.session() as s:
        get_sensor(s, principal(s, org)[0], sensor)
    client = NetRidClient(dss, token=token)
    totals: Counter[str] = Counter()
    problems: list[str] = []
    n = 0
    try:
        while polls == 0 or n < polls:
            n += 1
            started = time.monotonic()
            poll = client.poll(box)
            problems.extend(poll.problems)
            totals["flights"] += len(poll.records)
            for i in range(0, len(poll.records), MAX_BATCH):
                with inst.db.session() as s:
                    who, _ = principal(s, org)
                    report = service(inst).ingest_records(s, who, "netrid", sensor, poll.records[i:i + MAX_BATCH])
                totals["accepted"] += report.accepted
                totals["rejected"] += len(report.rejected)
                totals["alerts"] += len(report.alerts)
            if not as_json:
                out.print(f"Poll {n}: {poll.isas} service areas, {len(poll.records)} flights"
                          + (f"; problems: {escape('; '.join(poll.problems[:3]))}" if poll.problems else ""))
            if polls == 0 or n < polls:
                time.sleep(max(0.0, every - (time.monotonic() - started)))
    except KeyboardInterrupt:
        err_print("Stopped.")
    finally:
        client.close()
    if as_json:
        echo_json({"polls": n, **dict(totals), "problems": problems[:50]})


# Listed after replay and decode in `basira drones --help`.
cli_app.command("tracks")(tracks_command)
cli_app.command("alerts")(alerts_command)
