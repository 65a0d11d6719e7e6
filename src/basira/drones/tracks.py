"""Tracks: what one frame says about a drone (an :class:`Observation`), and the plausibility rules that mark a
track ``unverified`` or ``suspect`` when its frames look spoofed.

Each rule has a code, a severity and a one-line explanation (:data:`RULES`); a track keeps every code that fired
with the detail of the last firing, so a reviewer sees why a track is doubted.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from basira.drones.remoteid import (
    BasicID,
    DjiFlightInfo,
    Frame,
    HeightType,
    Location,
    OperatorID,
    SelfID,
    Status,
    System,
)
from basira.drones.sensors import SensorRow, max_rssi_dbm
from basira.drones.trackstore import TrackState
from basira.drones.zones import GEOD, distance_m


@dataclass(frozen=True)
class Thresholds:
    """The limits of the plausibility rules; the defaults suit small drones (documented in docs/drones.md)."""

    max_speed_mps: float = 80.0  # faster than racing drones fly; implied by two positions or claimed
    speed_mismatch_mps: float = 20.0  # claimed speed and speed implied by positions (1 s or more apart) differ
    min_dt_s: float = 0.5  # position jumps over shorter times are judged as if this much time had passed
    operator_max_m: float = 10_000.0  # an operator farther than this from the drone is doubtful
    range_tolerance: float = 1.5  # claimed position beyond this multiple of the sensor's expected range
    same_time_s: float = 5.0  # two sensors hearing one ID within this time must be able to hear one transmitter
    counter_anomalies: int = 3  # replayed or reordered transport counters before a track is suspect
    ids_per_radio_window_s: float = 60.0


#: code -> (severity, explanation). "suspect" rules point to spoofing; "unverified" ones to doubtful data.
RULES: dict[str, tuple[str, str]] = {
    "impossible_speed": ("suspect", "two positions further apart than the drone could fly in the time between"),
    "claimed_speed": ("suspect", "the claimed ground speed is beyond what small drones fly"),
    "speed_mismatch": ("suspect", "the claimed ground speed disagrees with how far the drone moved"),
    "duplicate_id_far": ("suspect", "the same UAS ID heard at the same time by sensors too far apart to hear one "
                                    "transmitter"),
    "out_of_range": ("suspect", "the claimed position is beyond the receiving sensor's range"),
    "rssi_mismatch": ("suspect", "the signal is stronger than a legal transmitter at the claimed position gives"),
    "multiple_ids_one_radio": ("suspect", "one radio (MAC address) sends several UAS IDs"),
    "counter_anomaly": ("suspect", "transport counters repeat with other content or run backwards (replay)"),
    "operator_far": ("unverified", "the operator position is far from the drone"),
    "no_position": ("unverified", "the drone sends no usable position"),
}


@dataclass
class Observation:
    """What one frame says about one drone, with where and when it was heard."""

    received_at: dt.datetime
    sensor_id: int
    transport: str
    uas_id: str | None = None
    id_type: int | None = None
    ua_type: int | None = None
    lat: float | None = None
    lon: float | None = None
    alt_geo: float | None = None
    height: float | None = None
    height_agl: float | None = None
    speed: float | None = None
    heading: float | None = None
    status: int | None = None
    operator_lat: float | None = None
    operator_lon: float | None = None
    operator_id: str | None = None
    emergency: bool = False
    source: str | None = None
    counter: int | None = None
    rssi: float | None = None
    raw_digest: str = ""
    frame_id: int | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None


def observe(frame: Frame, sensor_id: int) -> Observation:
    """Merge a frame's messages (a Message Pack carries several) into one observation."""
    obs = Observation(received_at=frame.received_at, sensor_id=sensor_id, transport=str(frame.transport),
                      source=frame.source, counter=frame.counter,
                      rssi=float(frame.rssi) if frame.rssi is not None else None)
    for m in frame.messages:
        obs.messages.append(type(m).__name__)
        if isinstance(m, BasicID):
            uid = m.uas_id.strip().strip("\x00").strip()
            # A serial number is the stable identity; a session or UTM ID only when nothing better comes.
            if uid and (obs.uas_id is None or m.id_type == 1):
                obs.uas_id, obs.id_type, obs.ua_type = uid[:64], m.id_type, m.ua_type
        elif isinstance(m, Location):
            obs.lat, obs.lon = m.latitude, m.longitude
            obs.alt_geo, obs.height = m.altitude_geo, m.height
            obs.height_agl = m.height if m.height_type == HeightType.ABOVE_GROUND else None
            obs.speed, obs.heading, obs.status = m.speed_horizontal, m.direction, m.status
            obs.emergency = obs.emergency or m.status == Status.EMERGENCY
        elif isinstance(m, System):
            obs.operator_lat, obs.operator_lon = m.operator_latitude, m.operator_longitude
        elif isinstance(m, OperatorID):
            op = m.operator_id.strip().strip("\x00").strip()
            obs.operator_id = op[:64] or obs.operator_id
        elif isinstance(m, SelfID):
            obs.emergency = obs.emergency or m.description_type == 1
        elif isinstance(m, DjiFlightInfo):
            _observe_dji(obs, m)
    return obs


def _observe_dji(obs: Observation, m: DjiFlightInfo) -> None:
    sn = m.serial_number.strip().strip("\x00").strip()
    if sn and obs.uas_id is None:
        obs.uas_id, obs.id_type = sn[:64], 1
    obs.lat, obs.lon = m.latitude, m.longitude
    obs.height = obs.height_agl = m.height
    obs.speed = math.hypot(m.speed_north, m.speed_east)
    if obs.speed > 0.1:
        obs.heading = math.degrees(math.atan2(m.speed_east, m.speed_north)) % 360
    obs.operator_lat, obs.operator_lon = m.pilot_latitude, m.pilot_longitude


@dataclass
class TrackContext:
    """What the rules need beyond the track and the observation."""

    sensor: SensorRow
    #: The sensor that heard the track's previous position, when another one.
    last_sensor: SensorRow | None = None
    #: UAS IDs sent by the observation's radio (source address) in the recent window, this one excluded.
    other_ids_from_radio: list[str] = field(default_factory=list)


def check(track: TrackState | None, obs: Observation, ctx: TrackContext,
          limits: Thresholds = Thresholds()) -> dict[str, str]:
    """The rules that fire for ``obs`` given the track so far: code -> detail."""
    found: dict[str, str] = {}
    if obs.lat is not None and obs.lon is not None:
        _check_position(track, obs, obs.lat, obs.lon, ctx, limits, found)
    if obs.speed is not None and obs.speed > limits.max_speed_mps:
        found["claimed_speed"] = f"claims {obs.speed:.0f} m/s"
    if ctx.other_ids_from_radio:
        found["multiple_ids_one_radio"] = f"{obs.source} also sent {', '.join(sorted(ctx.other_ids_from_radio)[:3])}"
    if track is not None and obs.counter is not None and obs.source:
        _check_counter(track, obs, limits, found)
    return found


def _check_position(track: TrackState | None, obs: Observation, lat: float, lon: float, ctx: TrackContext,
                    limits: Thresholds, found: dict[str, str]) -> None:
    s = ctx.sensor
    ground = distance_m(s.lon, s.lat, lon, lat)
    if obs.height is not None:
        rng = math.hypot(ground, max(obs.height - s.antenna_height_m, 0.0))
    else:
        rng = ground
    if ground > s.range_m * limits.range_tolerance:
        found["out_of_range"] = f"{ground / 1000:.1f} km from sensor {s.ref} (range {s.range_m / 1000:.1f} km)"
    if obs.rssi is not None and obs.rssi > max_rssi_dbm(rng):
        found["rssi_mismatch"] = (f"{obs.rssi:.0f} dBm at {rng:.0f} m from sensor {s.ref}; at most "
                                  f"{max_rssi_dbm(rng):.0f} dBm expected")
    if obs.operator_lat is not None and obs.operator_lon is not None:
        d = distance_m(lon, lat, obs.operator_lon, obs.operator_lat)
        if d > limits.operator_max_m:
            found["operator_far"] = f"operator {d / 1000:.1f} km from the drone"
    if track is None or track.lat is None or track.lon is None:
        return
    # Time since the last *position* (a frame without one, e.g. a Basic ID alone, moves ``last_seen`` only).
    pos_at = track.state.get("pos_at")
    since = dt.datetime.fromisoformat(pos_at) if isinstance(pos_at, str) else track.last_seen
    dt_s = (obs.received_at - since).total_seconds()
    moved = distance_m(track.lon, track.lat, lon, lat)
    implied = moved / max(abs(dt_s), limits.min_dt_s)
    if implied > limits.max_speed_mps:
        found["impossible_speed"] = f"{moved:.0f} m in {abs(dt_s):.1f} s ({implied:.0f} m/s)"
    if obs.speed is not None and dt_s >= 1.0 and abs(implied - obs.speed) > limits.speed_mismatch_mps:
        found["speed_mismatch"] = f"claims {obs.speed:.0f} m/s, moved at {implied:.0f} m/s over {dt_s:.1f} s"
    last = ctx.last_sensor
    if last is not None and last.id != s.id and abs(dt_s) <= limits.same_time_s:
        apart = distance_m(last.lon, last.lat, s.lon, s.lat)
        if apart > (last.range_m + s.range_m) * limits.range_tolerance:
            found["duplicate_id_far"] = (f"heard by {last.ref} and {s.ref}, {apart / 1000:.1f} km apart, "
                                         f"within {abs(dt_s):.1f} s")


def _check_counter(track: TrackState, obs: Observation, limits: Thresholds, found: dict[str, str]) -> None:
    counters: dict[str, Any] = track.state.setdefault("counters", {})
    key = f"{obs.sensor_id}/{obs.source}/{obs.transport}"
    prev = counters.get(key)
    anomalies = int(track.state.get("counter_anomalies", 0))
    if isinstance(prev, list) and len(prev) == 2 and obs.counter is not None:
        last, digest = prev
        back = (int(last) - obs.counter) % 256
        if (obs.counter == last and digest != obs.raw_digest) or 0 < back < 128:
            anomalies += 1
    counters[key] = [obs.counter, obs.raw_digest]
    track.state["counter_anomalies"] = anomalies
    if anomalies >= limits.counter_anomalies:
        found["counter_anomaly"] = f"{anomalies} counters repeated with other content or out of order"


def verdict(reasons: dict[str, str]) -> str:
    """``suspect`` if a spoofing rule fired, ``unverified`` if only a doubtful-data rule, else ``plausible``."""
    severities = {RULES[c][0] for c in reasons if c in RULES}
    if "suspect" in severities:
        return "suspect"
    return "unverified" if severities else "plausible"


def apply(track: TrackState, obs: Observation, found: dict[str, str]) -> None:
    """Move the track to the observation and add the findings to its reasons."""
    if obs.has_position:
        pos_at = track.state.get("pos_at")
        prev = (track.lon, track.lat, dt.datetime.fromisoformat(pos_at) if isinstance(pos_at, str) else track.last_seen)
        track.state["pos_at"] = obs.received_at.isoformat()
        track.lat, track.lon = obs.lat, obs.lon
        track.position_count += 1
        if obs.speed is not None:
            track.speed_mps = obs.speed
        if obs.heading is not None:
            track.heading_deg = obs.heading
        elif prev[0] is not None and prev[1] is not None and obs.lon is not None and obs.lat is not None:
            dt_s = (obs.received_at - prev[2]).total_seconds()
            moved = distance_m(prev[0], prev[1], obs.lon, obs.lat)
            if dt_s > 0 and moved > 1:
                track.heading_deg = float(GEOD.inv(prev[0], prev[1], obs.lon, obs.lat)[0]) % 360
                track.speed_mps = moved / dt_s
        track.alt_m = obs.alt_geo if obs.alt_geo is not None else track.alt_m
        track.height_m = obs.height if obs.height is not None else track.height_m
    if obs.status is not None:
        track.drone_status = obs.status
    if obs.operator_lat is not None and obs.operator_lon is not None:
        track.operator_lat, track.operator_lon = obs.operator_lat, obs.operator_lon
    if obs.operator_id:
        track.operator_id = obs.operator_id
    if obs.id_type is not None:
        track.id_type, track.ua_type = obs.id_type, obs.ua_type
    if obs.received_at > track.last_seen:
        track.last_seen = obs.received_at
    track.last_sensor_id = obs.sensor_id
    findings: dict[str, str] = track.state.setdefault("findings", {})
    before = len(findings)
    findings.update(found)
    if track.position_count == 0 and (obs.received_at - track.first_seen).total_seconds() > 10:
        findings.setdefault("no_position", "no position after 10 s")
    elif track.position_count:
        findings.pop("no_position", None)
    # Most frames find nothing new: the reasons and verdict change only when the findings do.
    if found or len(findings) != before or len(track.reasons) != len(findings):
        track.reasons = [f"{c}: {d}" for c, d in sorted(findings.items())]
        track.verdict = verdict(findings)


def new_track(org_id: int, obs: Observation) -> TrackState:
    """A track opened by ``obs`` (its id is given when ingest inserts it)."""
    return TrackState(id=0, org_id=org_id, uas_id=obs.uas_id or "", first_seen=obs.received_at,
                      last_seen=obs.received_at)
