"""What may leave the instance, and the STIX objects it leaves as: streamed from the database, never whole.

Who may receive a bank's signals over TAXII follows DESIGN.md's table (through :mod:`basira.core.visibility`):
CLEAR and GREEN to any authenticated partner, AMBER and AMBER+STRICT to the owner and the organizations the bank is
shared with, RED never. Signals this instance itself received under AMBER+STRICT (or RED) are never passed on,
whatever the marking of the bank that now holds them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import get_bank, not_copied
from basira.core.errors import PermissionDenied
from basira.core.exercise import is_exercise, refuse_exercise
from basira.core.models import TLP, Bank, Entry, Match, Opinion, OpinionKind, Organization, Signal
from basira.core.principal import Principal
from basira.core.visibility import Access, Visibility, may_export_to_partner
from basira.sharing import stix
from basira.sharing.markings import TLP2_IDS, marking_definition
from basira.sharing.models import ReceivedObject

#: Received under these markings, a signal never leaves again.
NEVER_PASSED_ON = (TLP.AMBER_STRICT.value, TLP.RED.value)
#: Sort key of the objects that open every collection (identity, marking, extension definition): before signals.
_HEADER_KEYS = (-3, -2, -1)


def instance_namespace(secret_key: str) -> uuid.UUID:
    """The UUID namespace of this instance's STIX ids (stable while the instance secret is; reveals nothing of it)."""
    digest = hashlib.sha256(("basira-stix:" + secret_key).encode()).hexdigest()
    return uuid.uuid5(stix.BASIRA_NAMESPACE, digest)


def org_identity_id(ns: uuid.UUID, org_id: int) -> str:
    return stix.stable_id("identity", ns, f"org:{org_id}")


def signal_stix_id(ns: uuid.UUID, signal_id: int) -> str:
    return stix.stable_id("indicator", ns, f"signal:{signal_id}")


def org_identity(ns: uuid.UUID, org: Organization) -> dict[str, Any]:
    """The STIX identity of an organization of this instance."""
    created = stix.timestamp(org.created_at)
    return {"type": "identity", "spec_version": "2.1", "id": org_identity_id(ns, org.id), "created": created,
            "modified": created, "name": org.name, "identity_class": "organization"}


def may_receive(session: Session, bank: Bank, org_id: int) -> bool:
    """Whether organization ``org_id`` (a partner's account on this instance) may take the bank's signals away."""
    if bank.deleted_at is not None or TLP(bank.tlp) == TLP.RED or is_exercise(session, bank.org_id):
        return False
    vis = Visibility(session, org_id)
    if vis.access(bank) == Access.OWNER:
        return True
    return may_export_to_partner(bank, org_id, vis.shared_orgs(bank))


def exportable_banks(session: Session, org_id: int) -> list[Bank]:
    """The banks whose signals may leave the instance for organization ``org_id``, by id."""
    # AMBER+STRICT banks are match-only on the instance (never listed), yet DESIGN.md lets them go to named
    # partner organizations as partner instances: over TAXII, audited, marked never to be passed on again.
    return [b for b, _ in Visibility(session, org_id).banks(Access.MATCH_ONLY) if may_receive(session, b, org_id)]


@dataclass(frozen=True)
class Position:
    """Where in a collection an object stands: its date_added, then a tie-breaker (negative for the headers)."""

    added: dt.datetime
    key: int


@dataclass(frozen=True)
class Exported:
    """One object of a collection with its place in it."""

    position: Position
    obj: dict[str, Any]


def _headers(session: Session, ns: uuid.UUID, bank: Bank) -> list[Exported]:
    owner = session.get(Organization, bank.org_id)
    objs: list[dict[str, Any]] = [org_identity(ns, owner)] if owner else []
    objs += [marking_definition(TLP(bank.tlp)), stix.extension_definition()]
    keys = _HEADER_KEYS[-len(objs):]
    return [Exported(Position(bank.created_at, k), o) for k, o in zip(keys, objs, strict=True)]


def bank_objects(session: Session, ns: uuid.UUID, bank: Bank, *, after: Position | None = None,
                 batch: int = 1000, indicators_only: bool = False) -> Iterator[Exported]:
    """The bank's collection in date_added order, after ``after``: headers, then one indicator per signal.

    Disabled and removed signals come as revoked indicators, so that partners drop them too. Read in batches of
    ``batch`` rows by keyset, so memory stays flat whatever the size of the bank.
    """
    if not indicators_only:
        for h in _headers(session, ns, bank):
            if after is None or (h.position.added, h.position.key) > (after.added, after.key):
                yield h
    owner_ref = org_identity_id(ns, bank.org_id)
    marking = (TLP2_IDS[TLP(bank.tlp)],)
    never = exists().where(ReceivedObject.signal_id == Signal.id, ReceivedObject.tlp.in_(NEVER_PASSED_ON))
    copied = not_copied(session, bank.org_id)
    cursor = after if after is not None and after.key >= 0 else None
    # Derived signals (hashes of edits of a banked photo) go out only where the bank allows it.
    derived = () if bank.share_derived else (Signal.derived.is_(False),)
    # Columns, not ORM objects: an export reads every row once and changes none (several times faster).
    columns = (Signal.id, Signal.signal_type, Signal.value, Signal.labels, Signal.quality, Signal.enabled,
               Signal.created_at, Signal.updated_at, Entry.ref.label("entry_ref"), Entry.content_type)
    while True:
        q = (select(*columns).join(Entry, Entry.id == Signal.entry_id)
             .where(Signal.bank_id == bank.id, ~never, true() if copied is None else copied, *derived)
             .order_by(Signal.updated_at, Signal.id).limit(batch))
        if cursor is not None:
            q = q.where(or_(Signal.updated_at > cursor.added,
                            and_(Signal.updated_at == cursor.added, Signal.id > cursor.key)))
        rows = session.execute(q).all()
        for row in rows:
            yield Exported(Position(row.updated_at, row.id), signal_indicator(ns, row, owner_ref, marking))
        if len(rows) < batch:
            return
        cursor = Position(rows[-1].updated_at, rows[-1].id)


def signal_indicator(ns: uuid.UUID, sig: Any, owner_ref: str, marking: tuple[str, ...]) -> dict[str, Any]:
    """The indicator of one stored signal (revoked when it is disabled); ``sig`` has the columns of a signal
    and its entry's ``entry_ref`` and ``content_type``."""
    record = stix.SignalRecord(sig.signal_type, sig.value, sig.entry_ref, sig.content_type,
                               tuple(x for x in sig.labels if x != "removed"), sig.quality)
    meta = stix.IndicatorMeta(signal_stix_id(ns, sig.id), sig.created_at, sig.updated_at, marking, owner_ref,
                              revoked=not sig.enabled)
    return stix.indicator(record, meta)


_OPINION_VALUE = {OpinionKind.CONFIRMED.value: "agree", OpinionKind.FALSE_POSITIVE.value: "disagree",
                  OpinionKind.SEEN.value: "neutral"}


def opinion_object(ns: uuid.UUID, op: Opinion) -> dict[str, Any]:
    """An organization's opinion of a signal as a STIX opinion (confirmed: agree, false positive: disagree,
    seen: neutral; the exact kind in Basira's extension)."""
    created = stix.timestamp(op.created_at)
    obj: dict[str, Any] = {
        "type": "opinion", "spec_version": "2.1", "id": stix.stable_id("opinion", ns, f"opinion:{op.id}"),
        "created": created, "modified": max(stix.timestamp(op.updated_at), created),
        "created_by_ref": org_identity_id(ns, op.org_id), "opinion": _OPINION_VALUE[op.kind],
        "object_refs": [signal_stix_id(ns, op.signal_id)],
        "extensions": {stix.SIGNAL_EXTENSION_ID: {"extension_type": "property-extension", "opinion": op.kind}},
    }
    if op.note:
        obj["explanation"] = op.note[:5000]
    return obj


def match_sighting(ns: uuid.UUID, match: Match) -> dict[str, Any]:
    """A match as a STIX sighting of the signal's indicator, seen by the matching organization."""
    ts = stix.timestamp(match.created_at)
    return {
        "type": "sighting", "spec_version": "2.1", "id": stix.stable_id("sighting", ns, f"match:{match.id}"),
        "created": ts, "modified": ts, "first_seen": ts, "last_seen": ts, "count": 1,
        "sighting_of_ref": signal_stix_id(ns, match.signal_id),
        "where_sighted_refs": [org_identity_id(ns, match.org_id)],
        "created_by_ref": org_identity_id(ns, match.org_id),
        "extensions": {stix.SIGNAL_EXTENSION_ID: {"extension_type": "property-extension",
                                                  "signal_type": match.signal_type,
                                                  "distance": float(match.distance)}},
    }


@dataclass(frozen=True)
class DroneSighting:
    """A drone seen by a sensor, as a drone alert's evidence gives it (sharing reads evidence, not drone tables)."""

    key: str
    uas_id_signal_id: int
    org_id: int
    seen_at: dt.datetime
    latitude: float
    longitude: float
    altitude_m: float | None = None
    sensor: str = ""


def drone_sighting(ns: uuid.UUID, d: DroneSighting) -> dict[str, Any]:
    """A drone sighting: a STIX sighting of the UAS id's indicator, with position and sensor in the extension."""
    ts = stix.timestamp(d.seen_at)
    drone: dict[str, Any] = {"latitude": d.latitude, "longitude": d.longitude}
    if d.altitude_m is not None:
        drone["altitude_m"] = d.altitude_m
    if d.sensor:
        drone["sensor"] = d.sensor
    return {
        "type": "sighting", "spec_version": "2.1", "id": stix.stable_id("sighting", ns, f"drone:{d.key}"),
        "created": ts, "modified": ts, "first_seen": ts, "last_seen": ts, "count": 1,
        "sighting_of_ref": signal_stix_id(ns, d.uas_id_signal_id),
        "where_sighted_refs": [org_identity_id(ns, d.org_id)],
        "extensions": {stix.SIGNAL_EXTENSION_ID: {"extension_type": "property-extension", "drone": drone}},
    }


def stream_bundle(objects: Iterable[dict[str, Any]], bundle_id: str | None = None) -> Iterator[str]:
    """A STIX bundle as JSON text in pieces, one object at a time."""
    yield json.dumps({"type": "bundle", "id": bundle_id or f"bundle--{uuid.uuid4()}"})[:-1] + ', "objects": ['
    first = True
    for obj in objects:
        yield ("" if first else ",\n") + json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        first = False
    yield "]}\n"


def bank_bundle(session: Session, principal: Principal, secret_key: str, ref: int | str,
                opinions: bool = False) -> Iterator[str]:
    """A bank the caller may take away as a STIX bundle, streamed (audited as an export; RED banks never).

    With ``opinions``, the caller's organization's opinions of the bank's signals follow the indicators.
    """
    bank = get_bank(session, principal, ref, Access.MATCH_ONLY)
    refuse_exercise(session, bank.org_id, "export a bank")
    if not may_receive(session, bank, principal.org_id):
        raise PermissionDenied(f"bank {ref!r} is marked TLP:{bank.tlp}: its signals do not leave the instance")
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="sharing.export",
                 target=f"bank:{bank.id}", details={"format": "stix-bundle", "opinions": opinions})
    ns = instance_namespace(secret_key)

    def objects() -> Iterator[dict[str, Any]]:
        yield stix.basira_identity()
        yield from (e.obj for e in bank_objects(session, ns, bank))
        if opinions:
            q = (select(Opinion).join(Signal, Signal.id == Opinion.signal_id)
                 .where(Signal.bank_id == bank.id, Opinion.org_id == principal.org_id).order_by(Opinion.id))
            yield from (opinion_object(ns, op) for op in session.scalars(q))

    return stream_bundle(objects())
