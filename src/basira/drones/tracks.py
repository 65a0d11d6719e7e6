"""Tracks: what one frame says about a drone (an :class:`Observation`), and the plausibility rules that mark a
track ``unverified`` or ``suspect`` when its frames look spoofed.

Each rule has a code, a severity and a one-line explanation (:data:`RULES`); a track keeps every code that fired
with the detail of the last firing, so a reviewer sees why a track is doubted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
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
from basira.drones.zones import GEOD, Altitudes, distance_m


@dataclass(frozen=True)
class Thresholds:
    """The limits of the plausibility rules; the defaults suit small drones (documented in docs/drones.md)."""

    max_speed_mps: float = 80.0  # faster than racing drones fly; implied by two positions or claimed
    speed_mismatch_mps: float = 20.0  # claimed speed and speed implied by positions (1 s or more apart) differ
    min_dt_s: float = 0.5  # position jumps over shorter times are judged as if this much time had passed
    operator_max_m: float = 10_000.0  # an operator farther than this from the drone is doubtful
    operator_impossible_m: float = 100_000.0  # farther than any drone's control link reaches
    range_tolerance: float = 1.5  # claimed position beyond this multiple of the sensor's expected range
    same_time_s: float = 5.0  # two sensors hearing one ID within this time must be able to hear one transmitter
    counter_anomalies: int = 3  # replayed or reordered transport counters before a track is suspect
    ids_per_radio_window_s: float = 60.0
    #: A Location timestamp further than this from the receive time (within the hour it counts from) is stale.
    stale_timestamp_s: float = 60.0
    #: One Location timestamp repeated while the position moves at least ``frozen_move_m`` over this long.
    frozen_timestamp_s: float = 3.0
    frozen_move_m: float = 10.0
    #: The verdict is the sum of the weights of the rules that fired: ``suspect`` from this score on.
    suspect_score: float = 1.0


#: The strongest EIRP (dBm) each transport's transmitters may radiate (their transmitter class): Bluetooth
#: class 1 (+20 dBm); Wi-Fi and DJI DroneID up to the FCC's 2.4 GHz point-to-multipoint limit (+36 dBm EIRP;
#: Europe allows +20), since a sensor does not know which rules the drone was built for.
TRANSMITTER_EIRP_DBM: dict[str, float] = {"bt4": 20.0, "bt5": 20.0, "wifi_beacon": 36.0, "wifi_nan": 36.0,
                                          "dji": 36.0}


#: code -> (severity, weight, explanation). The verdict weighs the rules that fired: ``suspect`` when the weights
#: add up to ``Thresholds.suspect_score`` (1.0), ``unverified`` when any fired below that. The physical
#: impossibilities weigh 1.0 each; clues a real flight can show now and then (a roughly entered receiver position, a
#: reflection, a transmitter whose clock is not set) weigh less, so that none of them alone, and no two of the
#: geometry and clock clues together (signal strength, range, timestamps), make a drone suspect.
RULES: dict[str, tuple[str, float, str]] = {
    "impossible_speed": ("suspect", 1.0, "two positions further apart than the drone could fly in the time between"),
    "claimed_speed": ("suspect", 1.0, "the claimed ground speed is beyond what small drones fly"),
    "duplicate_id_far": ("suspect", 1.0, "the same UAS ID heard at the same time by sensors too far apart to hear "
                                         "one transmitter"),
    "multiple_ids_one_radio": ("suspect", 1.0, "one radio (MAC address) sends several UAS IDs"),
    "speed_mismatch": ("suspect", 0.6, "the claimed ground speed disagrees with how far the drone moved"),
    "counter_anomaly": ("suspect", 0.6, "transport counters repeat with other content or run backwards (replay)"),
    "frozen_timestamp": ("unverified", 0.4, "the Location timestamp stays the same while the position moves"),
    "pack_count_mismatch": ("suspect", 0.6, "a message pack declares more messages than it carries"),
    "out_of_range": ("suspect", 0.5, "the claimed position is beyond the receiving sensor's range"),
    "rssi_mismatch": ("suspect", 0.4, "the signal is stronger than the transmitter's class allows at the claimed "
                                      "position"),
    "stale_timestamp": ("unverified", 0.4, "the Location timestamp is far from the time the frame was heard"),
    "operator_impossible": ("suspect", 1.0, "the operator is farther from the drone than any control link reaches"),
    "operator_far": ("unverified", 0.4, "the operator position is far from the drone"),
    "no_position": ("unverified", 0.2, "the drone sends no usable position"),
}


#: Rules that point to one cause count once, with the weight of the heaviest that fired: a transmitter whose clock
#: is not set sends a timestamp that is both frozen and stale (the opendroneid sample transmitter sends 0).
RULE_GROUPS: dict[str, str] = {"frozen_timestamp": "clock", "stale_timestamp": "clock"}


def score(codes: Iterable[str]) -> float:
    """The weight of the rules that fired (each rule, or group of rules with one cause, counted once)."""
    heaviest: dict[str, float] = {}
    for c in set(codes):
        if c in RULES:
            g = RULE_GROUPS.get(c, c)
            heaviest[g] = max(heaviest.get(g, 0.0), RULES[c][1])
    return round(sum(heaviest.values()), 2)


#: A drone that sends no Basic ID is tracked by its radio's transport address (MAC / Bluetooth address) under this
#: synthetic ID until a Basic ID names it (lower case and longer than a UAS ID, so no real ID looks like one).
SYNTHETIC_PREFIX = "addr:"


def synthetic_id(source: str) -> str:
    """The synthetic ID of the drone whose radio has transport address ``source``."""
    return (SYNTHETIC_PREFIX + source.lower())[:64]


def is_synthetic(uas_id: str | None) -> bool:
    """Whether ``uas_id`` is a synthetic one (a transport address), not one the drone sent."""
    return bool(uas_id) and str(uas_id).startswith(SYNTHETIC_PREFIX)


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
    #: The Location timestamp (tenths of a second after the hour), when sent.
    loc_tenths: int | None = None
    height_takeoff: float | None = None
    alt_baro: float | None = None
    #: The receiving sensor's ground elevation (AMSL) and geoid undulation, for the zones' altitude references.
    ground_amsl: float | None = None
    geoid_m: float | None = None
    pack_declared: int | None = None
    pack_carried: int | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None

    def altitudes(self) -> Altitudes:
        """What is known of the drone's altitude, for the zones' limits."""
        return Altitudes(alt_geo=self.alt_geo, height_agl=self.height_agl, height_takeoff=self.height_takeoff,
                         alt_baro=self.alt_baro, ground_amsl=self.ground_amsl, geoid_m=self.geoid_m)


def observe(frame: Frame, sensor_id: int) -> Observation:
    """Merge a frame's messages (a Message Pack carries several) into one observation."""
    obs = Observation(received_at=frame.received_at, sensor_id=sensor_id, transport=str(frame.transport),
                      source=frame.source, counter=frame.counter,
                      rssi=float(frame.rssi) if frame.rssi is not None else None,
                      pack_declared=frame.pack_declared, pack_carried=frame.pack_carried)
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
            obs.height_takeoff = m.height if m.height_type != HeightType.ABOVE_GROUND else None
            obs.loc_tenths = m.timestamp_tenths
            obs.alt_baro = m.altitude_baro
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
    #: The sensors that heard the track before (by id), for the duplicate-ID rule.
    sensors: dict[int, SensorRow] = field(default_factory=dict)
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
    if obs.pack_declared is not None and obs.pack_carried is not None and obs.pack_declared > obs.pack_carried:
        found["pack_count_mismatch"] = (f"a message pack declares {obs.pack_declared} messages and carries "
                                        f"{obs.pack_carried}")
    if obs.loc_tenths is not None:
        _check_timestamp(track, obs, limits, found)
    if track is not None:
        _check_duplicate(track, obs, ctx, limits, found)
    return found


def _check_timestamp(track: TrackState | None, obs: Observation, limits: Thresholds, found: dict[str, str]) -> None:
    """Stale: the Location time (tenths after the hour) far from the receive time; frozen: one Location time
    repeated while the position moves."""
    assert obs.loc_tenths is not None
    r = obs.received_at
    heard = (r.minute * 60 + r.second) * 10 + r.microsecond // 100_000
    # A fix is older than its reception: the Location time is read as behind, unless it is a few minutes ahead
    # (a transmitter's clock running fast), since it counts only from the full hour.
    behind = (heard - obs.loc_tenths) % 36_000  # tenths
    off_s = (behind if behind <= 33_000 else behind - 36_000) / 10
    if abs(off_s) > limits.stale_timestamp_s:
        found["stale_timestamp"] = (f"Location time {abs(off_s):.0f} s {'behind' if off_s > 0 else 'ahead of'} "
                                    f"the time it was heard")
    if track is None or obs.lat is None or obs.lon is None:
        return
    frozen = track.state.get("ts_frozen")
    if isinstance(frozen, list) and len(frozen) == 4 and frozen[0] == obs.loc_tenths:
        since = dt.datetime.fromisoformat(frozen[3])
        moved = distance_m(float(frozen[2]), float(frozen[1]), obs.lon, obs.lat)
        span = (obs.received_at - since).total_seconds()
        if moved >= limits.frozen_move_m and span >= limits.frozen_timestamp_s:
            found["frozen_timestamp"] = (f"Location time {obs.loc_tenths / 10:.1f} s after the hour for "
                                         f"{span:.0f} s while the drone moved {moved:.0f} m")
    else:
        track.state["ts_frozen"] = [obs.loc_tenths, obs.lat, obs.lon, obs.received_at.isoformat()]


#: Per track and sensor, the spans of time in which the sensor heard it (kept this many, newest last).
MAX_SPANS = 8


def _check_duplicate(track: TrackState, obs: Observation, ctx: TrackContext, limits: Thresholds,
                     found: dict[str, str]) -> None:
    """One UAS ID heard by two sensors too far apart to hear one transmitter, within ``same_time_s`` of each
    other, whatever order the frames arrive in: each sensor's hearing spans are kept on the track."""
    # Spans as [first, last] POSIX seconds (cheap to compare on every frame; JSON in the track's state).
    heard: dict[str, list[list[float]]] = track.state.setdefault("heard", {})
    t = obs.received_at.timestamp()
    window = limits.same_time_s
    s = ctx.sensor
    mine = heard.setdefault(str(s.id), [])
    if len(heard) > 1:
        for key, spans in heard.items():
            if key == str(s.id):
                continue
            other = ctx.sensors.get(int(key))
            near = [sp for sp in spans if sp[0] - window <= t <= sp[1] + window]
            if other is None or not near:
                continue
            apart = distance_m(other.lon, other.lat, s.lon, s.lat)
            slack = other.position_uncertainty_m + s.position_uncertainty_m
            if apart - slack > (other.range_m + s.range_m) * limits.range_tolerance:
                lo, hi = near[0]
                gap = 0.0 if lo <= t <= hi else min(abs(t - lo), abs(t - hi))
                found["duplicate_id_far"] = (f"heard by {other.ref} and {s.ref}, {apart / 1000:.1f} km apart, "
                                             f"within {gap:.1f} s")
    for sp in mine:
        if sp[0] - window <= t <= sp[1] + window:
            sp[0], sp[1] = min(sp[0], t), max(sp[1], t)
            return
    mine.append([t, t])
    mine.sort()
    del mine[:-MAX_SPANS]


def _check_position(track: TrackState | None, obs: Observation, lat: float, lon: float, ctx: TrackContext,
                    limits: Thresholds, found: dict[str, str]) -> None:
    s = ctx.sensor
    ground = distance_m(s.lon, s.lat, lon, lat)
    # The sensor may stand up to its position uncertainty away from where it was entered: the range rule uses
    # the farthest, the signal rule the nearest distance it could really be at.
    nearest = max(ground - s.position_uncertainty_m, 0.0)
    if nearest > s.range_m * limits.range_tolerance:
        found["out_of_range"] = (f"{ground / 1000:.1f} km from sensor {s.ref} (range {s.range_m / 1000:.1f} km, "
                                 f"position ±{s.position_uncertainty_m:.0f} m)")
    if obs.rssi is not None:
        eirp = TRANSMITTER_EIRP_DBM.get(obs.transport, max(TRANSMITTER_EIRP_DBM.values()))
        strongest = max_rssi_dbm(max(nearest, 1.0), eirp_dbm=eirp, gain_dbi=s.antenna_gain_dbi)
        if obs.rssi > strongest:
            # One decimal: a reading just over the limit must not read "-33 dBm, at most -33 dBm expected".
            found["rssi_mismatch"] = (f"{obs.rssi:.1f} dBm heard by sensor {s.ref}, {ground:.0f} m from the claimed "
                                      f"position (at least {nearest:.0f} m with its ±{s.position_uncertainty_m:.0f} "
                                      f"m); a {eirp:.0f} dBm {obs.transport} transmitter gives at most "
                                      f"{strongest:.1f} dBm there")
    if obs.operator_lat is not None and obs.operator_lon is not None:
        d = distance_m(lon, lat, obs.operator_lon, obs.operator_lat)
        if d > limits.operator_impossible_m:
            found["operator_impossible"] = f"operator {d / 1000:.1f} km from the drone"
        elif d > limits.operator_max_m:
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


def verdict(reasons: dict[str, str], limits: Thresholds = Thresholds()) -> str:
    """``suspect`` when the weights of the rules that fired reach ``limits.suspect_score``, ``unverified`` when
    any fired below it, else ``plausible``."""
    if not any(c in RULES for c in reasons):
        return "plausible"
    return "suspect" if score(reasons) >= limits.suspect_score else "unverified"


def apply(track: TrackState, obs: Observation, found: dict[str, str], limits: Thresholds = Thresholds()) -> None:
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
        track.verdict = verdict(findings, limits)


def new_track(org_id: int, obs: Observation) -> TrackState:
    """A track opened by ``obs`` (its id is given when ingest inserts it)."""
    return TrackState(id=0, org_id=org_id, uas_id=obs.uas_id or "", first_seen=obs.received_at,
                      last_seen=obs.received_at)
