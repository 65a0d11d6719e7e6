"""The drone ingest service: frames in, tracks, plausibility, watchlists, zone checks and alerts out, in one
transaction per batch. The API (``POST /v1/drones/frames``), ``basira drones replay`` and the benchmarks call it.

Every accepted frame joins its sensor's hash chain before anything is decided from it; every alert is a
``drone_alerts`` row and an ``alert.raised`` outbox event in the shape review reads
(``basira.review.evidence.AlertRaisedPayload``), written in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.core.models import Role, utcnow
from basira.core.principal import Principal
from basira.drones import evidence, tracks
from basira.drones.alerts import ZONE_KINDS, AlertConfig, AlertDraft, AlertKind, Pending, evaluate, record_alerts
from basira.drones.models import DroneFrame, DronePosition, DroneSensor, DroneTrack
from basira.drones.receivers import FORMATS, frame_from_json
from basira.drones.remoteid import Frame
from basira.drones.transports import decode_frame
from basira.drones.watch import BankCheck, check_banks
from basira.drones.zones import ZoneIndex, compile_zone, list_zones, zones_version

INGESTERS = {Role.ADMIN, Role.ANALYST}
#: The most frames one call may carry (the API refuses larger batches with 413).
MAX_BATCH = 5_000
MAX_FRAME_BYTES = 4_096
#: Receivers' clocks drift: a frame up to this far ahead of the server's clock is accepted.
FUTURE_SKEW = dt.timedelta(seconds=5)
#: Watchlists and allowlists are looked up again this often for an active track.
BANK_RECHECK = dt.timedelta(seconds=60)
ZONES_RECHECK_S = 1.0


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
    messages: Counter[str] = field(default_factory=Counter)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    track_ids: set[int] = field(default_factory=set)
    alerts: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        reasons = Counter(r["reason"].split(":")[0] for r in self.rejected)
        return {"frames": self.frames, "accepted": self.accepted, "awaiting_id": self.awaiting_id,
                "messages": dict(self.messages), "rejected": len(self.rejected),
                "rejected_reasons": dict(reasons), "rejections": self.rejected[:100],
                "tracks": sorted(self.track_ids), "alerts": self.alerts}


#: The columns of a track that ingest changes (written back in bulk).
_TRACK_STATE = ("status", "verdict", "reasons", "last_seen", "lat", "lon", "alt_m", "height_m", "speed_mps",
                "heading_deg", "drone_status", "operator_lat", "operator_lon", "operator_id", "id_type", "ua_type",
                "position_count", "last_sensor_id", "allowance", "state")

class DroneService:
    """The per-instance service: caches each organization's compiled zones and recent radio → IDs."""

    def __init__(self, inst: Instance, cfg: AlertConfig | None = None, limits: tracks.Thresholds | None = None):
        self.inst = inst
        self.cfg = cfg or AlertConfig()
        self.limits = limits or tracks.Thresholds()
        self._zones: dict[int, tuple[tuple[int, str], ZoneIndex]] = {}
        self._zones_checked: dict[int, float] = {}
        self._radio: dict[tuple[int, str], dict[str, dt.datetime]] = {}
        self._lock = threading.Lock()
        self._ingest_lock = threading.Lock()

    # -- zones ------------------------------------------------------------------------------------------------------

    def zone_index(self, session: Session, org_id: int) -> ZoneIndex:
        """The organization's zones compiled, rebuilt only when they changed (looked at once a second at most,
        so a zone changed through another worker applies within a second)."""
        clock = time.monotonic()
        with self._lock:
            cached = self._zones.get(org_id)
            if cached is not None and clock - self._zones_checked.get(org_id, 0.0) < ZONES_RECHECK_S:
                return cached[1]
        version = zones_version(session, org_id)
        with self._lock:
            self._zones_checked[org_id] = clock
            if cached is not None and cached[0] == version:
                return cached[1]
        index = ZoneIndex([compile_zone(z, self.cfg.hysteresis_m) for z in list_zones(session, org_id)],
                          self.cfg.hysteresis_m)
        with self._lock:
            self._zones[org_id] = (version, index)
        return index

    @contextlib.contextmanager
    def serial(self) -> Iterator[None]:
        """Hold while a batch's transaction runs and commits: this process's batches queue here, in order, rather
        than in SQLite's busy handler (which polls with growing sleeps and makes the tail latency long)."""
        with self._ingest_lock:
            yield

    def forget_zones(self, org_id: int) -> None:
        """Drop the cached zones of an organization (called when this process changed them)."""
        with self._lock:
            self._zones.pop(org_id, None)

    # -- ingest -----------------------------------------------------------------------------------------------------

    def ingest(self, session: Session, principal: Principal, frames: list[RawFrame]) -> IngestReport:
        """Decode, chain, track and alert a batch of frames from the caller's sensors."""
        principal.require(INGESTERS, "submit drone frames")
        if len(frames) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} frames per batch")
        refs = {f.sensor for f in frames}
        evidence.lock_chains(session, org_id=principal.org_id, refs=sorted(refs))
        now = utcnow()
        report = IngestReport(frames=len(frames))
        sensors = {s.ref: s for s in session.scalars(select(DroneSensor).where(
            DroneSensor.org_id == principal.org_id, DroneSensor.ref.in_(refs), DroneSensor.enabled.is_(True)))}
        good: list[tuple[Frame, DroneSensor]] = []
        for i, raw in enumerate(frames):
            reason, frame = self._decode(raw, sensors, now)
            if reason is not None or frame is None:
                report.rejected.append({"index": i, "reason": reason or "not decoded"})
                continue
            good.append((frame, sensors[raw.sensor]))
        return self.ingest_decoded(session, principal, good, report, now, locked=True)

    def ingest_records(self, session: Session, principal: Principal, fmt: str, sensor_ref: str,
                       records: list[Any]) -> IngestReport:
        """Track JSON records of a receiver that decodes Remote ID itself (see :mod:`basira.drones.receivers`)."""
        principal.require(INGESTERS, "submit drone frames")
        if len(records) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} records per batch")
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown receiver format {fmt!r} ({', '.join(FORMATS)})")
        evidence.lock_chains(session, org_id=principal.org_id, refs=[sensor_ref])
        now = utcnow()
        report = IngestReport(frames=len(records))
        sensor = session.scalar(select(DroneSensor).where(DroneSensor.org_id == principal.org_id,
                                                          DroneSensor.ref == sensor_ref,
                                                          DroneSensor.enabled.is_(True)))
        good: list[tuple[Frame, DroneSensor]] = []
        for i, rec in enumerate(records):
            if sensor is None:
                report.rejected.append({"index": i, "reason": f"unknown sensor: {sensor_ref[:64]!r} is not a "
                                                              "registered sensor of this organization"})
                continue
            try:
                frame = frame_from_json(fmt, rec, sensor=sensor_ref, now=now)
            except InvalidInput as e:
                report.rejected.append({"index": i, "reason": f"bad record: {e.detail}"})
                continue
            if frame.received_at > now + FUTURE_SKEW:
                report.rejected.append({"index": i, "reason": f"from the future: received_at "
                                                              f"{frame.received_at.isoformat()} is ahead of the "
                                                              "server's clock"})
                continue
            good.append((frame, sensor))
        return self.ingest_decoded(session, principal, good, report, now, locked=True)

    @staticmethod
    def _decode(raw: RawFrame, sensors: dict[str, DroneSensor], now: dt.datetime) -> tuple[str | None, Frame | None]:
        if raw.sensor not in sensors:
            return f"unknown sensor: {raw.sensor[:64]!r} is not a registered sensor of this organization", None
        at = raw.received_at or now
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        if at > now + FUTURE_SKEW:
            return f"from the future: received_at {at.isoformat()} is ahead of the server's clock", None
        if not raw.data:
            return "empty: the frame has no bytes", None
        if len(raw.data) > MAX_FRAME_BYTES:
            return f"too large: a frame has at most {MAX_FRAME_BYTES} bytes", None
        if raw.rssi is not None and not (math.isfinite(raw.rssi) and -150 <= raw.rssi <= 30):
            return "bad rssi: RSSI is -150 to 30 dBm", None
        try:
            frame = decode_frame(raw.transport, raw.data, received_at=at, sensor_id=raw.sensor,
                                 rssi=round(raw.rssi) if raw.rssi is not None else None, source=raw.source)
        except InvalidInput as e:
            return f"bad transport: {e.detail}", None
        if raw.rssi is not None:
            frame.rssi = raw.rssi  # type: ignore[assignment]  # keep the receiver's fractional dBm
        if frame.rejected:
            return f"not decoded: {frame.rejected}", None
        if not frame.messages:
            return f"not decoded: {'; '.join(frame.errors)[:200] or 'no message'}", None
        return None, frame

    def ingest_decoded(self, session: Session, principal: Principal, good: list[tuple[Frame, DroneSensor]],
                       report: IngestReport | None = None, now: dt.datetime | None = None, *,
                       locked: bool = False) -> IngestReport:
        """Chain, track and alert frames already decoded (captures read by ``basira drones replay``).

        ``locked``: the caller took the chain locks first thing in this transaction (see
        :func:`basira.drones.evidence.lock_chains`); otherwise they are taken here.
        """
        principal.require(INGESTERS, "submit drone frames")
        report = report or IngestReport(frames=len(good))
        now = now or utcnow()
        if not good:
            return report
        if not locked:
            evidence.lock_chains(session, sorted({s.id for _, s in good}))
        good.sort(key=lambda p: p[0].received_at)
        org = principal.org_id
        # 1. What each frame says, and which drone it names (a Bluetooth 4 Location names none: its radio does).
        observed: list[tuple[tracks.Observation, Frame, DroneSensor]] = []
        for f, sensor in good:
            report.accepted += 1
            for m in f.messages:
                report.messages[type(m).__name__] += 1
            obs = tracks.observe(f, sensor.id)
            # The decoded content, not the raw bytes: a radiotap header differs between two receptions of one frame.
            obs.raw_digest = hashlib.sha256(repr(f.messages).encode()).hexdigest()[:16]
            self._resolve_id(session, org, obs)
            if obs.uas_id is None:
                report.awaiting_id += 1
            observed.append((obs, f, sensor))
        # 2. The track of each observation: an active one, or a new one after a silence longer than the timeout.
        active = self._active_tracks(session, org, {o.uas_id for o, _, _ in observed if o.uas_id})
        last: dict[str, dt.datetime] = {uid: t.last_seen for uid, t in active.items()}
        owner: list[DroneTrack | None] = []
        for obs, _, _ in observed:
            uid = obs.uas_id
            if uid is None:
                owner.append(None)
                continue
            track = active.get(uid)
            if track is not None and (obs.received_at - last[uid]).total_seconds() > self.cfg.lost_after_s:
                report.alerts.extend(self._close(session, track, obs.received_at, now))
                track = None
            if track is None:
                track = active[uid] = tracks.new_track(org, obs)
                session.add(track)
            last[uid] = max(last.get(uid, obs.received_at), obs.received_at)
            owner.append(track)
        session.flush()
        # Tracks leave the unit of work: they are written back below in one executemany UPDATE, not one
        # UPDATE per track with its own column set (the ORM's way, several times slower under load).
        touched = {id(t): t for t in owner if t is not None}
        for t in touched.values():
            session.expunge(t)
        # 3. The raw frames join their sensors' hash chains, already linked to their tracks.
        links: dict[int, evidence.Link] = {}
        by_sensor: dict[int, list[int]] = {}
        for i, (_, _, sensor) in enumerate(observed):
            by_sensor.setdefault(sensor.id, []).append(i)
        sensor_rows = {s.id: s for _, _, s in observed}
        for sid, idx in by_sensor.items():
            items = []
            for i in idx:
                uid, holder = observed[i][0].uas_id, owner[i]
                items.append((observed[i][1], uid[:64] if uid else None, holder.id if holder is not None else None))
            for i, link in zip(idx, evidence.append(session, sensor_rows[sid], items), strict=True):
                links[i] = link
        # 4. Plausibility, positions, watchlists and zone rules, in time order.
        index = self.zone_index(session, org)
        all_sensors = dict(sensor_rows)
        positions: list[dict[str, Any]] = []
        pending: list[Pending] = []
        for i, (obs, _, sensor) in enumerate(observed):
            track = owner[i]
            if track is None:
                continue
            obs.frame_id = links[i].id
            if track.last_sensor_id is not None and track.last_sensor_id not in all_sensors:
                other = session.get(DroneSensor, track.last_sensor_id)
                if other is not None:
                    all_sensors[other.id] = other
            ctx = tracks.TrackContext(sensor, all_sensors.get(track.last_sensor_id or -1),
                                      self._other_ids(org, obs))
            prior = None if track.lat is None else track
            tracks.apply(track, obs, tracks.check(prior, obs, ctx, self.limits))
            if obs.lat is not None and obs.lon is not None:
                positions.append({"track_id": track.id, "at": obs.received_at, "lat": obs.lat, "lon": obs.lon,
                                  "alt_m": obs.alt_geo, "speed_mps": obs.speed, "heading_deg": obs.heading,
                                  "operator_lat": obs.operator_lat, "operator_lon": obs.operator_lon,
                                  "sensor_id": sensor.id, "frame_id": links[i].id})
            bank = self._banks(session, principal, track, obs)
            for d in evaluate(track, obs, index, self.cfg, zones_allowed=not bank.allowed) + bank.watch_drafts:
                pending.append((track, d, obs, sensor, links[i],
                                bank.match_ids if d.kind == AlertKind.WATCHLIST else []))
            report.track_ids.add(track.id)
        if positions:
            session.execute(insert(DronePosition), positions)
        # 5. Alerts and their outbox events, in the same transaction.
        report.alerts.extend(record_alerts(session, pending, now))
        if touched:
            stamp = utcnow()
            table = cast(Table, DroneTrack.__table__)
            session.connection().execute(
                update(table).where(table.c.id == bindparam("track_id")).values(
                    {c: bindparam(c) for c in (*_TRACK_STATE, "updated_at")}),
                [{"track_id": t.id, "updated_at": stamp, **{c: getattr(t, c) for c in _TRACK_STATE}}
                 for t in touched.values()])
        newest = good[-1][0].received_at
        # Replayed captures carry their own (past) times: the lost-track clock follows the frames then.
        clock = now if newest > now - dt.timedelta(seconds=60) else newest
        report.alerts.extend(self.sweep_lost(session, org, clock, now))
        session.flush()
        return report

    # -- helpers ----------------------------------------------------------------------------------------------------

    @staticmethod
    def _active_tracks(session: Session, org_id: int, uas_ids: set[str]) -> dict[str, DroneTrack]:
        if not uas_ids:
            return {}
        return {t.uas_id: t for t in session.scalars(select(DroneTrack).where(
            DroneTrack.org_id == org_id, DroneTrack.status == "active", DroneTrack.uas_id.in_(uas_ids))
            .order_by(DroneTrack.id))}

    def _resolve_id(self, session: Session, org_id: int, obs: tracks.Observation) -> None:
        """A Bluetooth 4 advertisement carries one message: a Location names no drone, its radio address does."""
        if obs.source is None:
            return
        key = (org_id, obs.source)
        with self._lock:
            ids = self._radio.setdefault(key, {})
            if obs.uas_id is not None:
                ids[obs.uas_id] = obs.received_at
                return
            if ids:
                obs.uas_id = max(ids.items(), key=lambda kv: kv[1])[0]
                return
        found = session.scalar(select(DroneFrame.uas_id).where(
            DroneFrame.org_id == org_id, DroneFrame.source == obs.source, DroneFrame.uas_id.is_not(None))
            .order_by(DroneFrame.id.desc()).limit(1))
        if found:
            obs.uas_id = found

    def _other_ids(self, org_id: int, obs: tracks.Observation) -> list[str]:
        if obs.source is None or obs.uas_id is None:
            return []
        with self._lock:
            ids = self._radio.get((org_id, obs.source), {})
            window = self.limits.ids_per_radio_window_s
            for uid in [u for u, t in ids.items() if abs((obs.received_at - t).total_seconds()) > window]:
                del ids[uid]
            return [u for u in ids if u != obs.uas_id]

    def _banks(self, session: Session, principal: Principal, track: DroneTrack,
               obs: tracks.Observation) -> BankCheck:
        state = dict(track.state)
        last = state.get("banks_checked")
        due = (last is None or obs.received_at - dt.datetime.fromisoformat(last) > BANK_RECHECK
               or (track.operator_id and state.get("banks_operator") != track.operator_id))
        if due:
            result = check_banks(session, principal, self.inst, track, obs.received_at)
            track.allowance = result.allowance
            track.state = {**track.state, "banks_checked": obs.received_at.isoformat(),
                           "banks_operator": track.operator_id}
            return result
        allowed = bool(track.allowance) and _allowance_covers(track.allowance, obs.received_at)
        return BankCheck(allowed=allowed, allowance=track.allowance)

    def _close(self, session: Session, track: DroneTrack, at: dt.datetime,
               received: dt.datetime) -> list[dict[str, Any]]:
        track.status = "lost"
        if not track.state.get("alerted"):
            return []
        draft = AlertDraft(AlertKind.TRACK_LOST, details={"silent_s": round((at - track.last_seen).total_seconds(), 1),
                                                          "last_seen": track.last_seen.isoformat()})
        return record_alerts(session, [(track, draft, None, None, None, [])], received)

    def sweep_lost(self, session: Session, org_id: int, clock: dt.datetime,
                   received: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Mark tracks silent for longer than the timeout as lost; TRACK_LOST for those that had alerts."""
        cutoff = clock - dt.timedelta(seconds=self.cfg.lost_after_s)
        out: list[dict[str, Any]] = []
        for t in session.scalars(select(DroneTrack).where(DroneTrack.org_id == org_id, DroneTrack.status == "active",
                                                          DroneTrack.last_seen < cutoff)):
            out.extend(self._close(session, t, clock, received or utcnow()))
        return out


def _allowance_covers(allowance: dict[str, Any], at: dt.datetime) -> bool:
    start, end = allowance.get("valid_from"), allowance.get("valid_until")
    return not ((start and at < dt.datetime.fromisoformat(start)) or (end and at > dt.datetime.fromisoformat(end)))


_services: weakref.WeakKeyDictionary[Instance, DroneService] = weakref.WeakKeyDictionary()
_services_lock = threading.Lock()


def service(inst: Instance) -> DroneService:
    """The drone service of ``inst`` (one per instance, made on first use)."""
    with _services_lock:
        svc = _services.get(inst)
        if svc is None:
            svc = _services[inst] = DroneService(inst)
        return svc


__all__ = ["ZONE_KINDS", "DroneService", "IngestReport", "RawFrame", "service"]
