"""What a batch of frames looks like on its way in: the raw frame a receiver hands over, the checks each one
passes before it is decoded (sensor, time, size, RSSI), and the report of what the batch did.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from basira.core.errors import InvalidInput
from basira.drones.remoteid import Frame
from basira.drones.sensors import SensorRow
from basira.drones.transports import decode_frame

#: The most frames one call may carry (the API refuses larger batches with 413).
MAX_BATCH = 5_000
MAX_FRAME_BYTES = 4_096
#: Receivers' clocks drift: a frame up to this far ahead of the server's clock is accepted.
FUTURE_SKEW = dt.timedelta(seconds=5)


@dataclass
class RawFrame:
    """One frame as a receiver hands it over."""

    sensor: str
    transport: str
    data: bytes
    received_at: dt.datetime | None = None
    rssi: float | None = None
    source: str | None = None


@dataclass
class IngestReport:
    """What one batch did; ``rejected`` lists each refused frame's index and reason."""

    frames: int = 0
    accepted: int = 0
    awaiting_id: int = 0
    #: Frames already stored (same sensor, receive time and bytes): a batch sent again after a lost reply.
    duplicates: int = 0
    messages: Counter[str] = field(default_factory=Counter)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    track_ids: set[int] = field(default_factory=set)
    alerts: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        reasons = Counter(r["reason"].split(":")[0] for r in self.rejected)
        return {"frames": self.frames, "accepted": self.accepted, "awaiting_id": self.awaiting_id,
                "duplicates": self.duplicates,
                "messages": dict(self.messages), "rejected": len(self.rejected),
                "rejected_reasons": dict(reasons), "rejections": self.rejected[:100],
                "tracks": sorted(self.track_ids), "alerts": self.alerts}


def unknown_sensor(ref: str) -> str:
    """The reason a frame from an unregistered sensor is refused."""
    return f"unknown sensor: {ref[:64]!r} is not a registered sensor of this organization"


def from_the_future(at: dt.datetime, now: dt.datetime) -> str | None:
    """The reason a frame stamped too far ahead of the server's clock is refused, or None."""
    if at > now + FUTURE_SKEW:
        return f"from the future: received_at {at.isoformat()} is ahead of the server's clock"
    return None


def decode_raw(raw: RawFrame, sensors: dict[str, SensorRow], now: dt.datetime) -> tuple[str | None, Frame | None]:
    """The decoded frame, or the reason it is refused (unknown sensor, from the future, empty, too large, RSSI out
    of range, unknown transport, nothing decodable)."""
    if raw.sensor not in sensors:
        return unknown_sensor(raw.sensor), None
    at = raw.received_at or now
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    if (future := from_the_future(at, now)) is not None:
        return future, None
    if not raw.data:
        return "empty: the frame has no bytes", None
    if len(raw.data) > MAX_FRAME_BYTES:
        return f"too large: a frame has at most {MAX_FRAME_BYTES} bytes", None
    if raw.rssi is not None and not (math.isfinite(raw.rssi) and -150 <= raw.rssi <= 30):
        return "bad rssi: RSSI is -150 to 30 dBm", None
    try:
        # The receiver's fractional dBm is kept (and chained) as given.
        frame = decode_frame(raw.transport, raw.data, received_at=at, sensor_id=raw.sensor, rssi=raw.rssi,
                             source=raw.source)
    except InvalidInput as e:
        return f"bad transport: {e.detail}", None
    if frame.rejected:
        return f"not decoded: {frame.rejected}", None
    if not frame.messages:
        return f"not decoded: {'; '.join(frame.errors)[:200] or 'no message'}", None
    return None, frame
