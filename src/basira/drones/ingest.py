"""The drone ingest service: frames in, tracks, plausibility, watchlists, zone checks and alerts out, in one
transaction per batch. The API (``POST /v1/drones/frames``), ``basira drones replay`` and the benchmarks call it.

Every accepted frame joins its sensor's hash chain before anything is decided from it; every alert is a
``drone_alerts`` row and an ``alert.raised`` outbox event in the shape review reads
(``basira.drones.cases.AlertRaisedPayload``), written in the same transaction.

The hot path works on plain objects and writes with a handful of SQL statements per batch, whatever its size:
the chain heads are locked and read by one ``UPDATE ... RETURNING``, active tracks come from the process's
:class:`~basira.drones.trackstore.TrackCache` (checked against the database's row versions), the zone index is
asked once for the whole batch, and frames, positions, tracks, alerts and events are each one multi-row
statement.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import Table, and_, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from basira.core.errors import InvalidInput
from basira.core.gcpause import collector_paused
from basira.core.instance import Instance
from basira.core.models import Role, utcnow
from basira.core.principal import Principal
from basira.drones import evidence, listing, tracks, trackstore, zones
from basira.drones.alerts import (
    ZONE_KINDS,
    AlertConfig,
    AlertDraft,
    AlertKind,
    Pending,
    evaluate,
    record_alerts,
    snapshot,
    zone_hits,
)
from basira.drones.intake import (
    FUTURE_SKEW,
    MAX_BATCH,
    MAX_FRAME_BYTES,
    IngestReport,
    RawFrame,
    decode_raw,
    from_the_future,
    unknown_sensor,
)
from basira.drones.models import DroneFrame, DronePosition, DroneSensor, DroneTrack
from basira.drones.receivers import FORMATS, frame_from_json
from basira.drones.remoteid import Frame
from basira.drones.sensors import SENSOR_ROW_COLUMNS, SensorRow
from basira.drones.trackstore import TrackCache, TrackState
from basira.drones.watch import BankCheck, check_banks
from basira.drones.zones import ZoneIndex, compile_zone, list_zones, zones_version

INGESTERS = {Role.ADMIN, Role.ANALYST}
#: Watchlists and allowlists are looked up again this often for an active track.
BANK_RECHECK = dt.timedelta(seconds=60)
ZONES_RECHECK_S = 1.0
#: Ingest looks for tracks silent past the lost-track timeout at most this often (on its clock).
SWEEP_EVERY = dt.timedelta(seconds=1)


class DroneService:
    """The per-instance service: caches each organization's compiled zones, active tracks and recent radio → IDs."""

    def __init__(self, inst: Instance, cfg: AlertConfig | None = None, limits: tracks.Thresholds | None = None):
        self.inst = inst
        self.cfg = cfg or AlertConfig()
        self.limits = limits or tracks.Thresholds()
        self._zones: dict[int, tuple[tuple[int, str], ZoneIndex]] = {}
        self._zones_checked: dict[int, float] = {}
        #: (org, radio address) -> UAS ID -> [first, last] heard (recent ones).
        self._radio: dict[tuple[int, str], dict[str, list[dt.datetime]]] = {}
        self._tracks: dict[int, TrackCache] = {}
        self._swept: dict[int, dt.datetime] = {}
        self._lock = threading.Lock()
        self._ingest_lock = threading.RLock()
        zones.watch_changes(self)

    # -- caches -----------------------------------------------------------------------------------------------------

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

    def forget_zones(self, org_id: int) -> None:
        """Drop the cached zones of an organization (:mod:`basira.drones.zones` calls it when a change commits)."""
        with self._lock:
            self._zones.pop(org_id, None)

    def track_cache(self, org_id: int) -> TrackCache:
        """The organization's active tracks as this process last wrote them."""
        with self._lock:
            cache = self._tracks.get(org_id)
            if cache is None:
                cache = self._tracks[org_id] = TrackCache()
            return cache

    @contextlib.contextmanager
    def serial(self) -> Iterator[None]:
        """Hold while a batch's transaction runs and commits: this process's batches queue here, in order, rather
        than in SQLite's busy handler (which polls with growing sleeps and makes the tail latency long)."""
        with self._ingest_lock:
            yield

    # -- ingest -----------------------------------------------------------------------------------------------------

    def ingest(self, session: Session, principal: Principal, frames: list[RawFrame]) -> IngestReport:
        """Decode, chain, track and alert a batch of frames from the caller's sensors."""
        principal.require(INGESTERS, "submit drone frames")
        if len(frames) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} frames per batch")
        heads = evidence.lock_chains(session, org_id=principal.org_id, refs=sorted({f.sensor for f in frames}))
        now = utcnow()
        report = IngestReport(frames=len(frames))
        sensors = {h.ref: h for h in heads.values() if h.enabled}
        good: list[tuple[Frame, SensorRow]] = []
        for i, raw in enumerate(frames):
            reason, frame = decode_raw(raw, sensors, now)
            if reason is not None or frame is None:
                report.rejected.append({"index": i, "reason": reason or "not decoded"})
                continue
            good.append((frame, sensors[raw.sensor]))
        good = self._new_only(session, good, report)
        return self._run(session, principal, good, report, now)

    @staticmethod
    def _new_only(session: Session, good: list[tuple[Frame, SensorRow]],
                  report: IngestReport) -> list[tuple[Frame, SensorRow]]:
        """The frames not stored yet: one reception (sensor, receive time, bytes) is kept once, so a sensor
        agent that sends a batch again after losing the reply doubles nothing (one indexed query per batch)."""
        if not good:
            return good
        table = cast(Table, DroneFrame.__table__)
        rows = session.connection().execute(
            select(table.c.sensor_id, table.c.received_at, table.c.raw)
            .where(table.c.sensor_id.in_(sorted({s.id for _, s in good})),
                   table.c.received_at.in_(sorted({f.received_at for f, _ in good}))))
        seen = {(sid, at, bytes(raw)) for sid, at, raw in rows}
        out = []
        for f, s in good:
            key = (s.id, f.received_at, f.raw)
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            out.append((f, s))
        return out

    def ingest_records(self, session: Session, principal: Principal, fmt: str, sensor_ref: str,
                       records: list[Any]) -> IngestReport:
        """Track JSON records of a receiver that decodes Remote ID itself (see :mod:`basira.drones.receivers`)."""
        principal.require(INGESTERS, "submit drone frames")
        if len(records) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} records per batch")
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown receiver format {fmt!r} ({', '.join(FORMATS)})")
        heads = evidence.lock_chains(session, org_id=principal.org_id, refs=[sensor_ref])
        now = utcnow()
        report = IngestReport(frames=len(records))
        sensor = next((h for h in heads.values() if h.ref == sensor_ref and h.enabled), None)
        good: list[tuple[Frame, SensorRow]] = []
        for i, rec in enumerate(records):
            if sensor is None:
                report.rejected.append({"index": i, "reason": unknown_sensor(sensor_ref)})
                continue
            try:
                frame = frame_from_json(fmt, rec, sensor=sensor_ref, now=now)
            except InvalidInput as e:
                report.rejected.append({"index": i, "reason": f"bad record: {e.detail}"})
                continue
            if (future := from_the_future(frame.received_at, now)) is not None:
                report.rejected.append({"index": i, "reason": future})
                continue
            good.append((frame, sensor))
        return self._run(session, principal, good, report, now)

    def ingest_decoded(self, session: Session, principal: Principal,
                       good: list[tuple[Frame, DroneSensor]]) -> IngestReport:
        """Chain, track and alert frames already decoded (captures read by ``basira drones replay``)."""
        principal.require(INGESTERS, "submit drone frames")
        report = IngestReport(frames=len(good))
        if not good:
            return report
        heads = evidence.lock_chains(session, sorted({s.id for _, s in good}))
        pairs: list[tuple[Frame, SensorRow]] = []
        for i, (f, s) in enumerate(good):
            head = heads.get(s.id)
            if head is None or head.org_id != principal.org_id:
                report.rejected.append({"index": i, "reason": "unknown sensor: not a sensor of this organization"})
                continue
            pairs.append((f, head))
        self._run(session, principal, pairs, report, utcnow())
        # The callers' sensor objects show the heads as now stored (without the ORM writing them again).
        for _, s in good:
            if (head := heads.get(s.id)) is not None:
                set_committed_value(s, "chain_seq", head.chain_seq)
                set_committed_value(s, "chain_hash", head.chain_hash)
        return report

    def _run(self, session: Session, principal: Principal, good: list[tuple[Frame, SensorRow]],
             report: IngestReport, now: dt.datetime) -> IngestReport:
        if not good:
            return report
        # One batch at a time per service: the cached tracks are changed in place (the API also holds
        # serial() until its commit).
        try:
            with self._ingest_lock, collector_paused():
                return self._pipeline(session, principal, good, report, now)
        except BaseException:
            # The cached tracks may hold changes that the failed transaction will not keep.
            self.track_cache(principal.org_id).clear()
            raise

    def _pipeline(self, session: Session, principal: Principal, good: list[tuple[Frame, SensorRow]],
                  report: IngestReport, now: dt.datetime) -> IngestReport:
        good.sort(key=lambda p: p[0].received_at)
        org = principal.org_id
        # 1. What each frame says, and which drone it names (a Bluetooth 4 Location names none: its radio does).
        observed: list[tuple[tracks.Observation, Frame, SensorRow]] = []
        for f, sensor in good:
            report.accepted += 1
            for m in f.messages:
                report.messages[type(m).__name__] += 1
            obs = tracks.observe(f, sensor.id)
            obs.ground_amsl, obs.geoid_m = sensor.ground_elevation_m, sensor.geoid_undulation_m
            if obs.counter is not None and obs.source:
                # For the counter rule: the decoded content, not the raw bytes (a radiotap header differs
                # between two receptions of one frame).
                obs.raw_digest = hashlib.sha256(repr(f.messages).encode()).hexdigest()[:16]
            self._resolve_id(session, org, obs)
            if obs.uas_id is None:
                report.awaiting_id += 1
                if obs.source:  # tracked by its radio's address until a Basic ID names it
                    obs.uas_id = tracks.synthetic_id(obs.source)
            observed.append((obs, f, sensor))
        # 2. The track of each observation: an active one, or a new one after a silence longer than the timeout.
        cache = self.track_cache(org)
        # A drone first tracked by its radio's address (frames before its Basic ID) keeps that track once named.
        wanted = {o.uas_id for o, _, _ in observed if o.uas_id}
        wanted |= {tracks.synthetic_id(o.source) for o, _, _ in observed if o.source and o.uas_id
                   and not tracks.is_synthetic(o.uas_id)}
        active = cache.active(session, org, wanted)
        renamed: dict[int, TrackState] = {}
        last = {uid: t.last_seen for uid, t in active.items()}
        owner: list[TrackState | None] = []
        fresh: list[TrackState] = []
        touched: dict[int, TrackState] = {}
        before: dict[int, tuple[Any, ...]] = {}
        pending: list[Pending] = []
        for obs, _, _ in observed:
            uid = obs.uas_id
            if uid is None:
                owner.append(None)
                continue
            track = active.get(uid)
            if track is not None and id(track) not in before:
                before[id(track)] = trackstore.seldom(track)
            if track is not None and (obs.received_at - last[uid]).total_seconds() > self.cfg.lost_after_s:
                pending.extend(self._close(track, obs.received_at, last[uid]))
                track = None
            if track is None and obs.source and not tracks.is_synthetic(uid):
                synthetic = tracks.synthetic_id(obs.source)
                unnamed = active.get(synthetic)
                silent = obs.received_at - last.get(synthetic, unnamed.last_seen) if unnamed else None
                if unnamed is not None and silent is not None and unnamed.status == "active" \
                        and silent.total_seconds() <= self.cfg.lost_after_s:
                    if id(unnamed) not in before:
                        before[id(unnamed)] = trackstore.seldom(unnamed)
                    del active[unnamed.uas_id]
                    unnamed.uas_id = uid
                    track = active[uid] = unnamed
                    renamed[id(track)] = track
            if track is None:
                track = active[uid] = tracks.new_track(org, obs)
                fresh.append(track)
            last[uid] = max(last.get(uid, obs.received_at), obs.received_at)
            owner.append(track)
            touched[id(track)] = track
        stamp = utcnow()
        trackstore.insert_new(session, fresh, stamp)
        # 3. The raw frames join their sensors' hash chains, already linked to their tracks.
        heads = {s.id: s for _, _, s in observed}
        by_sensor: dict[int, list[int]] = {}
        for i, (_, _, sensor) in enumerate(observed):
            by_sensor.setdefault(sensor.id, []).append(i)
        links: dict[int, evidence.Link] = {}
        for sid, idx in by_sensor.items():
            items = []
            for i in idx:
                uid, holder = observed[i][0].uas_id, owner[i]
                if holder is not None:
                    uid = holder.uas_id  # the name the track has now (frames before the Basic ID included)
                items.append((observed[i][1], uid[:64] if uid else None, holder.id if holder is not None else None))
            links.update(zip(idx, evidence.append(session, heads[sid], items), strict=True))
        evidence.write_heads(session, list(heads.values()))
        # 4. Plausibility, positions, watchlists and zone rules, in time order (the zone index is asked once for
        # the whole batch).
        index = self.zone_index(session, org)
        tracked = [i for i, t in enumerate(owner) if t is not None]
        hits = dict(zip(tracked, zone_hits(index, [observed[i][0] for i in tracked], self.cfg), strict=True))
        all_sensors = self._with_last_sensors(session, heads, touched.values())
        positions: list[dict[str, Any]] = []
        for i in tracked:
            obs, _, sensor = observed[i]
            track, link = cast(TrackState, owner[i]), links[i]
            obs.frame_id = link.id
            ctx = tracks.TrackContext(sensor, all_sensors, self._other_ids(org, obs))
            tracks.apply(track, obs, tracks.check(track, obs, ctx, self.limits), self.limits)
            if obs.lat is not None and obs.lon is not None:
                positions.append({"track_id": track.id, "at": obs.received_at, "lat": obs.lat, "lon": obs.lon,
                                  "alt_m": obs.alt_geo, "speed_mps": obs.speed, "heading_deg": obs.heading,
                                  "operator_lat": obs.operator_lat, "operator_lon": obs.operator_lon,
                                  "sensor_id": sensor.id, "frame_id": link.id})
            bank = self._banks(session, principal, track, obs)
            drafts = evaluate(track, obs, index, self.cfg, zones_allowed=not bank.allowed, hits=hits[i])
            if drafts or bank.watch_drafts:
                seen = snapshot(track)
                for d in drafts + bank.watch_drafts:
                    d.seen = seen
            for d in drafts + bank.watch_drafts:
                pending.append((track, d, obs, sensor, link, bank.match_ids if d.kind == AlertKind.WATCHLIST else []))
            report.track_ids.add(track.id)
        if positions:
            session.connection().execute(insert(cast(Table, DronePosition.__table__)), positions)
        # 5. Alerts with their outbox events, and the tracks as they now stand, in the same transaction.
        report.alerts.extend(record_alerts(session, pending, now))
        trackstore.write_back(session, list(touched.values()), stamp, before)
        if renamed:
            trackstore.rename(session, list(renamed.values()))
        cache.keep(touched.values())
        newest = good[-1][0].received_at
        # Replayed captures carry their own (past) times: the lost-track clock follows the frames then.
        clock = now if newest > now - dt.timedelta(seconds=60) else newest
        report.alerts.extend(self._sweep_due(session, org, clock, now))
        return report

    # -- helpers ----------------------------------------------------------------------------------------------------

    @staticmethod
    def _with_last_sensors(session: Session, heads: dict[int, SensorRow],
                           touched: Iterable[TrackState]) -> dict[int, SensorRow]:
        """The batch's sensors and those that heard the batch's tracks before (for the duplicate-ID rule)."""
        missing = {int(k) for t in touched for k in t.state.get("heard", {})} - heads.keys()
        if not missing:
            return heads
        table = cast(Table, DroneSensor.__table__)
        rows = session.connection().execute(select(*(table.c[c] for c in SENSOR_ROW_COLUMNS))
                                            .where(table.c.id.in_(sorted(missing))))
        return heads | {r[0]: SensorRow(*r) for r in rows}

    def _resolve_id(self, session: Session, org_id: int, obs: tracks.Observation) -> None:
        """A Bluetooth 4 advertisement carries one message: a Location names no drone, its radio address does."""
        if obs.source is None:
            return
        key = (org_id, obs.source)
        with self._lock:
            ids = self._radio.setdefault(key, {})
            if obs.uas_id is not None:
                span = ids.get(obs.uas_id)
                if span is None:
                    ids[obs.uas_id] = [obs.received_at, obs.received_at]
                else:
                    span[0], span[1] = min(span[0], obs.received_at), max(span[1], obs.received_at)
                return
            if ids:
                obs.uas_id = max(ids.items(), key=lambda kv: kv[1][1])[0]
                return
        found = session.scalar(select(DroneFrame.uas_id).where(
            DroneFrame.org_id == org_id, DroneFrame.source == obs.source, DroneFrame.uas_id.is_not(None),
            DroneFrame.uas_id.not_like(tracks.SYNTHETIC_PREFIX + "%"))
            .order_by(DroneFrame.id.desc()).limit(1))
        if found:
            obs.uas_id = found

    def _other_ids(self, org_id: int, obs: tracks.Observation) -> list[str]:
        if obs.source is None or obs.uas_id is None:
            return []
        with self._lock:
            ids = self._radio.get((org_id, obs.source), {})
            window = dt.timedelta(seconds=self.limits.ids_per_radio_window_s)
            t = obs.received_at
            for uid in [u for u, (_, last) in ids.items() if last < t - 4 * window]:
                del ids[uid]
            # IDs heard from the radio at or before this frame, within the window: the same answer whether the
            # frames after it came in the same batch or later.
            return [u for u, (first, last) in ids.items() if u != obs.uas_id and first <= t and last >= t - window]

    def _banks(self, session: Session, principal: Principal, track: TrackState,
               obs: tracks.Observation) -> BankCheck:
        state = track.state
        last = state.get("banks_checked")
        due = (last is None or obs.received_at - dt.datetime.fromisoformat(last) > BANK_RECHECK
               or (track.operator_id and state.get("banks_operator") != track.operator_id))
        if due:
            result = check_banks(session, principal, self.inst, track, obs.received_at)
            track.allowance = result.allowance
            state["banks_checked"] = obs.received_at.isoformat()
            state["banks_operator"] = track.operator_id
            return result
        allowed = bool(track.allowance) and _allowance_covers(track.allowance, obs.received_at)
        return BankCheck(allowed=allowed, allowance=track.allowance)

    @staticmethod
    def _close(track: TrackState, at: dt.datetime, last_seen: dt.datetime) -> list[Pending]:
        """Mark a track lost; its TRACK_LOST alert (to record) when it had raised alerts."""
        track.status = "lost"
        if not track.state.get("alerted"):
            return []
        draft = AlertDraft(AlertKind.TRACK_LOST, details={"silent_s": round((at - last_seen).total_seconds(), 1),
                                                          "last_seen": last_seen.isoformat()})
        return [(track, draft, None, None, None, [])]

    def _sweep_due(self, session: Session, org_id: int, clock: dt.datetime,
                   received: dt.datetime) -> list[dict[str, Any]]:
        """:meth:`sweep_lost` at most once a second of the ingest clock (the map and the track list sweep too)."""
        with self._lock:
            last = self._swept.get(org_id)
            if last is not None and dt.timedelta(0) <= clock - last < SWEEP_EVERY:
                return []
            self._swept[org_id] = clock
        return self.sweep_lost(session, org_id, clock, received)

    def list_tracks(self, session: Session, org_id: int, *, status: str | None = None,
                    limit: int = 50) -> list[DroneTrack]:
        """The organization's tracks, last heard first (``status``: ``active``, ``lost`` or None for all); tracks
        silent past the lost-track timeout are closed first, so "active" means heard recently."""
        self.sweep_lost(session, org_id, utcnow())
        return listing.recent_tracks(session, org_id, status=status, limit=limit)

    def sweep_lost(self, session: Session, org_id: int, clock: dt.datetime,
                   received: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Mark tracks silent for longer than the timeout as lost; TRACK_LOST for those that had alerts."""
        cutoff = clock - dt.timedelta(seconds=self.cfg.lost_after_s)
        t = cast(Table, DroneTrack.__table__)
        silent = trackstore.read(session, where=and_(t.c.org_id == org_id, t.c.status == "active",
                                                     t.c.last_seen < cutoff))
        if not silent:
            return []
        pending = [p for x in silent for p in self._close(x, clock, x.last_seen)]
        out = record_alerts(session, pending, received or utcnow())
        trackstore.write_back(session, silent, utcnow())
        self.track_cache(org_id).keep(silent)
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


__all__ = ["FUTURE_SKEW", "MAX_BATCH", "MAX_FRAME_BYTES", "ZONE_KINDS", "DroneService", "IngestReport", "RawFrame",
           "service"]
