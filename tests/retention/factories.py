"""Rows of every kind of record the purge governs, with the times the tests choose (one shared place)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from basira.actions.models import Action, Delivery, Webhook
from basira.core.models import Event, Item
from basira.drones.evidence import link_hash
from basira.drones.models import GENESIS, DroneFrame, DroneSensor, DroneTrack
from basira.finance.models import Customer

T0 = dt.datetime(2027, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
# Older than every default rule at any real "now": for commands that purge at the current time.
LONG_AGO = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)


def item(s: Session, org_id: int, at: dt.datetime, ref: str = "upload.jpg", content_type: str = "photo") -> int:
    row = Item(org_id=org_id, ref=ref, content_type=content_type, submitted_by="test",
               signals=[{"signal_type": "md5", "value": "0" * 32}], created_at=at)
    s.add(row)
    s.flush()
    return row.id


def customer(s: Session, org_id: int, at: dt.datetime, ref: str = "C-1042") -> int:
    row = Customer(org_id=org_id, ref=ref, kind="person", signals={"name": ["Rana Haddad"]}, created_at=at,
                   screened_at=at)
    s.add(row)
    s.flush()
    return row.id


def sensor(s: Session, org_id: int) -> int:
    row = DroneSensor(org_id=org_id, ref=f"sensor-{secrets.token_hex(3)}", lat=48.85, lon=2.35)
    s.add(row)
    s.flush()
    return row.id


def track(s: Session, org_id: int, at: dt.datetime) -> int:
    row = DroneTrack(org_id=org_id, uas_id="1596F3A5B7C9D", first_seen=at, last_seen=at)
    s.add(row)
    s.flush()
    return row.id


def frames(s: Session, org_id: int, sensor_id: int, at: dt.datetime, n: int, track_id: int | None = None,
           first_seq: int = 1) -> None:
    s.add_all(DroneFrame(org_id=org_id, sensor_id=sensor_id, seq=first_seq + k, received_at=at, transport="ble",
                         raw=b"\x0d" * 25, uas_id="1596F3A5B7C9D", track_id=track_id, prev_hash=GENESIS,
                         hash=secrets.token_hex(32)) for k in range(n))
    s.flush()


def delivery(s: Session, org_id: int, at: dt.datetime, status: str) -> int:
    hook = Webhook(org_id=org_id, url="https://hooks.example.org/basira", secret="s" * 32)
    event = Event(org_id=org_id, kind="case.decided", payload={})
    s.add_all([hook, event])
    s.flush()
    action = Action(org_id=org_id, event_id=event.id, webhook_event="case.decided")
    s.add(action)
    s.flush()
    row = Delivery(org_id=org_id, webhook_id=hook.id, action_id=action.id, webhook_event="case.decided",
                   idempotency_key=secrets.token_hex(16), body="{}", status=status, created_at=at)
    s.add(row)
    s.flush()
    return row.id


def chained_frames(s: Session, org_id: int, sensor_id: int, at: dt.datetime, tracks: list[int | None]) -> None:
    """One real link of the sensor's hash chain per entry of ``tracks`` (the frame's track), head updated."""
    head = s.get(DroneSensor, sensor_id)
    assert head is not None
    prev, seq = head.chain_hash, head.chain_seq
    for track_id in tracks:
        seq += 1
        raw = bytes([0x0D, seq & 0xFF]) + b"\x00" * 25
        h = link_hash(sensor_id, seq, at.isoformat(timespec="microseconds"), "bt5", None, None, None, raw, prev)
        s.add(DroneFrame(org_id=org_id, sensor_id=sensor_id, seq=seq, received_at=at, transport="bt5", raw=raw,
                         track_id=track_id, prev_hash=prev, hash=h))
        prev = h
    head.chain_seq, head.chain_hash = seq, prev
    s.flush()
