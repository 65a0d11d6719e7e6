"""Evidence: raw frames kept byte for byte as one hash chain per sensor, chain verification, and the export of a
track's evidence for an authority (a zip holding ``frames.pcapng`` and ``evidence.json``).

Each link's hash covers the sensor, sequence number, receive time, transport, RSSI, source address, counter, the
SHA-256 of the raw bytes and the previous link's hash; the sensor row holds the head, so a removed tail shows too.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from basira.core import hashchain
from basira.core.errors import NotFound
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.drones.models import DroneAlert, DroneFrame, DronePosition, DroneSensor, DroneTrack, DroneZone
from basira.drones.remoteid import Frame
from basira.drones.sensors import SENSOR_ROW_COLUMNS, SensorRow
from basira.drones.tracks import is_synthetic
from basira.drones.zones import zone_geometry

LINKTYPE_IEEE802_11 = 105
LINKTYPE_RADIOTAP = 127
#: Bluetooth advertising PDUs and bare Remote ID payloads are no whole link-layer packet: they are written as
#: they came (never padded with an invented access address or CRC), under the user link type, transport in the
#: packet comment.
LINKTYPE_USER0 = 147
MAX_EXPORT_FRAMES = 100_000


def link_hash(sensor_id: int, seq: int, received_at: str, transport: str, rssi: float | None, source: str | None,
              counter: int | None, raw: bytes, prev_hash: str) -> str:
    return hashchain.digest([sensor_id, seq, received_at, transport, rssi, source, counter,
                             hashlib.sha256(raw).hexdigest(), prev_hash], ascii_only=True)


def _iso(row: DroneFrame) -> str:
    return row.received_at.isoformat(timespec="microseconds")


def lock_chains(session: Session, sensor_ids: Sequence[int] | None = None, *, org_id: int | None = None,
                refs: Sequence[str] = ()) -> dict[int, SensorRow]:
    """Take the write lock on sensors' chain heads before anything else is read in the transaction, and read
    the heads (with each sensor's place and range) under it: sensor id -> row, disabled sensors included.

    One ``UPDATE ... RETURNING`` does both. PostgreSQL locks the rows; SQLite takes its database write lock at
    the first write, and a transaction that read before another one committed could not upgrade its stale
    snapshot, so this no-op UPDATE comes first.
    """
    t = cast(Table, DroneSensor.__table__)
    q = update(t).values(chain_seq=t.c.chain_seq)
    if sensor_ids is not None:
        q = q.where(t.c.id.in_(list(sensor_ids)))
    else:
        q = q.where(t.c.org_id == org_id, t.c.ref.in_(list(refs)))
    rows = session.connection().execute(q.returning(*(t.c[c] for c in SENSOR_ROW_COLUMNS)))
    return {r[0]: SensorRow(*r) for r in rows}


@functools.cache
def _write_heads() -> Update:
    t = cast(Table, DroneSensor.__table__)
    return update(t).where(t.c.id == bindparam("sensor_id")).values(chain_seq=bindparam("seq"),
                                                                     chain_hash=bindparam("hash"))


@functools.cache
def _insert_frames() -> ReturningInsert[int, int]:
    t = cast(Table, DroneFrame.__table__)
    return insert(t).returning(t.c.id, t.c.seq)


def write_heads(session: Session, heads: Sequence[SensorRow]) -> None:
    """Store the chain heads that :func:`append` moved (one statement for all sensors)."""
    if heads:
        session.connection().execute(_write_heads(), [{"sensor_id": h.id, "seq": h.chain_seq,
                                                       "hash": h.chain_hash} for h in heads])


@dataclass(frozen=True, slots=True)
class Link:
    """A frame's place in its sensor's chain."""

    id: int
    seq: int
    hash: str


def append(session: Session, head: SensorRow, frames: Sequence[tuple[Frame, str | None, int | None]]
           ) -> list[Link]:
    """Add frames (in order, each with its UAS ID and track id if known) to the sensor's chain in the caller's
    transaction, in one multi-row INSERT; returns each frame's link and moves ``head`` (which the caller read
    under :func:`lock_chains` and stores with :func:`write_heads`)."""
    seq, prev = head.chain_seq, head.chain_hash
    rows: list[dict[str, Any]] = []
    for f, uas_id, track_id in frames:
        seq += 1
        at = f.received_at.astimezone(dt.UTC)
        rssi = float(f.rssi) if f.rssi is not None else None
        raw = bytes(f.raw)
        transport = str(f.transport)
        h = link_hash(head.id, seq, at.isoformat(timespec="microseconds"), transport, rssi, f.source,
                      f.counter, raw, prev)
        rows.append({"org_id": head.org_id, "sensor_id": head.id, "seq": seq, "received_at": at,
                     "transport": transport, "rssi": rssi, "source": f.source, "counter": f.counter,
                     "raw": raw, "uas_id": uas_id, "track_id": track_id, "prev_hash": prev, "hash": h})
        prev = h
    if not rows:
        return []
    # Each new id is matched to its row by the sequence number (unique per sensor), not by the order RETURNING
    # gives: SQLite does not promise that order, and asking SQLAlchemy to sort makes it insert row by row there.
    ids = {row.seq: row.id for row in session.connection().execute(_insert_frames(), rows)}
    head.chain_seq, head.chain_hash = seq, prev
    return [Link(ids[r["seq"]], r["seq"], r["hash"]) for r in rows]


@dataclass
class ChainReport:
    """The result of checking one sensor's chain."""

    sensor: str
    frames: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_WORDS = hashchain.Wording(item="frame", changed="was altered")
#: A chain this broken has told enough: verification stops there.
MAX_PROBLEMS = 100


def verify(session: Session, sensor: DroneSensor) -> ChainReport:
    """Recompute every link of the sensor's chain: an edited, removed or reordered frame is named."""
    rows = session.scalars(select(DroneFrame).where(DroneFrame.sensor_id == sensor.id).order_by(DroneFrame.seq)
                           .execution_options(yield_per=1000))

    def recompute(r: DroneFrame) -> str:
        return link_hash(sensor.id, r.seq, _iso(r), r.transport, r.rssi, r.source, r.counter, r.raw, r.prev_hash)

    found = hashchain.walk(rows, recompute, _WORDS, max_problems=MAX_PROBLEMS)
    report = ChainReport(sensor.ref, found.links, found.problems)
    problem = hashchain.head_problem(found, sensor.chain_seq, sensor.chain_hash, _WORDS)
    if problem is not None and len(report.problems) <= MAX_PROBLEMS:
        report.problems.append(problem)
    return report


# --- pcapng --------------------------------------------------------------------------------------------------------

def _option(code: int, value: bytes) -> bytes:
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def _block(kind: int, body: bytes) -> bytes:
    total = 12 + len(body)
    return struct.pack("<II", kind, total) + body + struct.pack("<I", total)


def linktype_of(row: DroneFrame) -> int:
    # A receiver's JSON record starts with "{": no 802.11 frame can (its protocol version bits would be 3).
    if row.raw[:1] == b"{":
        return LINKTYPE_USER0
    if row.transport.startswith("wifi") or row.transport == "dji":
        return LINKTYPE_RADIOTAP if row.raw[:2] == b"\0\0" and len(row.raw) >= 8 else LINKTYPE_IEEE802_11
    return LINKTYPE_USER0


def pcapng(rows: Sequence[DroneFrame], sensors: dict[int, DroneSensor]) -> bytes:
    """The frames as a pcapng file: one interface per sensor and link type, each packet's bytes exactly as
    received, its comment naming the sensor, chain position, hash and transport."""
    out = io.BytesIO()
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + _option(4, b"Basira drone evidence") + _option(0, b"")
    out.write(_block(0x0A0D0D0A, shb))
    interfaces: dict[tuple[int, int], int] = {}
    for r in rows:
        key = (r.sensor_id, linktype_of(r))
        if key not in interfaces:
            interfaces[key] = len(interfaces)
            ref = sensors[r.sensor_id].ref if r.sensor_id in sensors else str(r.sensor_id)
            idb = struct.pack("<HHI", key[1], 0, 0) + _option(2, ref.encode()) + _option(0, b"")
            out.write(_block(1, idb))
        ts = int(r.received_at.timestamp() * 1_000_000)
        comment = (f"sensor={sensors[r.sensor_id].ref if r.sensor_id in sensors else r.sensor_id} seq={r.seq} "
                   f"transport={r.transport} rssi={r.rssi} source={r.source} hash={r.hash}").encode()
        body = struct.pack("<IIIII", interfaces[key], ts >> 32, ts & 0xFFFFFFFF, len(r.raw), len(r.raw))
        body += r.raw + b"\0" * (-len(r.raw) % 4) + _option(1, comment) + _option(0, b"")
        out.write(_block(6, body))
    return out.getvalue()


# --- export --------------------------------------------------------------------------------------------------------

def _track_json(t: DroneTrack) -> dict[str, Any]:
    return {"id": t.id, "uas_id": t.uas_id, "id_synthetic": is_synthetic(t.uas_id), "id_type": t.id_type,
            "ua_type": t.ua_type,
            "operator_id": t.operator_id, "status": t.status, "verdict": t.verdict, "reasons": t.reasons,
            "first_seen": t.first_seen.isoformat(), "last_seen": t.last_seen.isoformat(),
            "allowance": t.allowance}


def _sensor_json(session: Session, s: DroneSensor) -> dict[str, Any]:
    report = verify(session, s)
    return {"id": s.id, "ref": s.ref, "name": s.name, "lat": s.lat, "lon": s.lon,
            "antenna_height_m": s.antenna_height_m, "range_m": s.range_m,
            "chain": {"frames": report.frames, "ok": report.ok, "problems": report.problems,
                      "head_seq": s.chain_seq, "head_hash": s.chain_hash}}


def export_track(session: Session, principal: Principal, track_id: int, alert_id: int | None = None) -> bytes:
    """A zip for an authority: ``frames.pcapng`` (raw frames) and ``evidence.json`` (decoded track, positions,
    alerts, zones, sensors, frame hashes and the verification of each sensor's chain)."""
    track = session.get(DroneTrack, track_id)
    if track is None or track.org_id != principal.org_id:
        raise NotFound(f"no track {track_id}")
    alerts = list(session.scalars(select(DroneAlert).where(DroneAlert.track_id == track.id)
                                  .order_by(DroneAlert.id)))
    if alert_id is not None and alert_id not in {a.id for a in alerts}:
        raise NotFound(f"no alert {alert_id} on track {track_id}")
    rows = list(session.scalars(select(DroneFrame).where(DroneFrame.track_id == track.id)
                                .order_by(DroneFrame.id).limit(MAX_EXPORT_FRAMES)))
    positions = list(session.scalars(select(DronePosition).where(DronePosition.track_id == track.id)
                                     .order_by(DronePosition.at, DronePosition.id)))
    sensor_ids = {r.sensor_id for r in rows} | {a.sensor_id for a in alerts if a.sensor_id}
    sensors = {s.id: s for s in session.scalars(select(DroneSensor).where(DroneSensor.id.in_(sensor_ids)))}
    zone_ids = {a.zone_id for a in alerts if a.zone_id}
    zones = list(session.scalars(select(DroneZone).where(DroneZone.id.in_(zone_ids)))) if zone_ids else []
    doc = {
        "generated_at": utcnow().isoformat(), "generated_by": principal.actor,
        "selected_alert_id": alert_id,
        "track": _track_json(track),
        "positions": [{"at": p.at.isoformat(), "lat": p.lat, "lon": p.lon, "alt_m": p.alt_m, "speed_mps": p.speed_mps,
                       "heading_deg": p.heading_deg, "operator_lat": p.operator_lat, "operator_lon": p.operator_lon,
                       "sensor_id": p.sensor_id, "frame_id": p.frame_id} for p in positions],
        "alerts": [{"id": a.id, "kind": a.kind, "at": a.at.isoformat(), "zone_id": a.zone_id,
                    "sensor_id": a.sensor_id, "details": a.details, "evidence_ref": a.evidence_ref,
                    "event_id": a.event_id} for a in alerts],
        "zones": [{"id": z.id, "ref": z.ref, "name": z.name, "restriction": z.restriction, "reasons": z.reasons,
                   "authority": z.authority, "lower_m": z.lower_m, "lower_ref": z.lower_ref, "upper_m": z.upper_m,
                   "upper_ref": z.upper_ref, "windows": z.windows, "geometry": z.geometry, "radius_m": z.radius_m,
                   "area_wkt": zone_geometry(z.geometry, z.radius_m, z.buffer_m).wkt[:200_000]} for z in zones],
        "sensors": [_sensor_json(session, s) for s in sensors.values()],
        "frames": [{"id": r.id, "sensor": sensors[r.sensor_id].ref, "seq": r.seq,
                    "received_at": _iso(r), "transport": r.transport, "rssi": r.rssi, "source": r.source,
                    "counter": r.counter, "raw_sha256": hashlib.sha256(r.raw).hexdigest(),
                    "prev_hash": r.prev_hash, "hash": r.hash, "pcapng_linktype": linktype_of(r)} for r in rows],
        "hash_rule": "sha256(json([sensor_id, seq, received_at, transport, rssi, source, counter, "
                     "sha256(raw), prev_hash])) with separators ',' and ':'",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("evidence.json", json.dumps(doc, indent=1, ensure_ascii=False, default=str))
        z.writestr("frames.pcapng", pcapng(rows, sensors))
    return buf.getvalue()
