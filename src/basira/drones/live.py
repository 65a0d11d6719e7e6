"""Live Remote ID sources for ``basira drones listen`` and ``basira drones agent``: a pcap or pcapng stream (standard
input, a named pipe, ``tcpdump -w -`` over SSH), a Wi-Fi interface in monitor mode read through the OS's
``tcpdump`` (libpcap), and a Bluetooth adapter through BlueZ/CoreBluetooth/WinRT with the optional ``bleak``
package (``pip install 'basira[bluetooth]'``).

The pcap stream is what the tests run (a capture written live into a named pipe). The Wi-Fi and Bluetooth
sources need radio hardware and were not run in the project's tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, BinaryIO

from basira.core.errors import ConfigurationError, InvalidInput
from basira.drones.capture import CaptureReport, ReplaySummary, feed, read_stream
from basira.drones.messages import Frame
from basira.drones.transports import decode_frame

#: The Remote ID service's 16-bit UUID (ASTM F3411) as Bluetooth stacks spell it.
REMOTE_ID_UUID = "0000fffa-0000-1000-8000-00805f9b34fb"


def from_stream(fh: BinaryIO | IO[bytes], name: str, sink: Callable[[Frame], None],
                sensor: str | None) -> ReplaySummary:
    """Feed the frames of a live pcap/pcapng stream to ``sink`` as they arrive, until the stream ends."""
    report = CaptureReport()
    summary = feed(read_stream(fh, name, report), report, sink, fast=True, sensor_id=sensor, live=True)
    summary.capture_problem = report.problem
    return summary


@contextmanager
def wifi_stream(interface: str) -> Iterator[IO[bytes]]:
    """The packets of a Wi-Fi interface already in monitor mode, as a pcap stream from ``tcpdump`` (libpcap)."""
    tool = shutil.which("tcpdump")
    if tool is None:
        raise ConfigurationError("listening on Wi-Fi needs tcpdump (libpcap): install it, or pipe a capture in "
                                 "with --input -")
    if not interface or interface.startswith("-") or len(interface) > 64:
        raise InvalidInput(f"not an interface name: {interface!r}")
    # Management frames only (beacons carry Remote ID; NAN uses action frames): -U writes each packet at once.
    proc = subprocess.Popen([tool, "-i", interface, "-U", "-w", "-", "type", "mgt"],  # noqa: S603
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        yield proc.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bluetooth(sink: Callable[[Frame], None], stop: threading.Event, adapter: str | None = None) -> int:
    """Scan for Remote ID advertisements (service data 0xFFFA) until ``stop``, feeding each as a frame; the
    number of frames fed. Needs the optional ``bleak`` package."""
    try:
        bleak: Any = importlib.import_module("bleak")
    except ImportError:
        raise ConfigurationError("listening on Bluetooth needs the optional bleak package: "
                                 "pip install 'basira[bluetooth]'") from None
    count = 0

    def seen(device: Any, adv: Any) -> None:
        nonlocal count
        data = (adv.service_data or {}).get(REMOTE_ID_UUID)
        if not data:
            return
        # The service data as phone and desktop stacks hand it over: app code 0x0D, counter, message or pack.
        frame = decode_frame("bt5" if len(data) > 27 else "bt4", bytes(data), received_at=dt.datetime.now(dt.UTC),
                             rssi=float(adv.rssi) if adv.rssi is not None else None,
                             source=str(device.address).lower())
        count += 1
        sink(frame)

    async def scan() -> None:
        kwargs: dict[str, Any] = {"detection_callback": seen}
        if adapter:
            kwargs["adapter"] = adapter  # BlueZ: hci0, hci1…
        async with bleak.BleakScanner(**kwargs):
            while not stop.is_set():
                await asyncio.sleep(0.2)

    asyncio.run(scan())
    return count
