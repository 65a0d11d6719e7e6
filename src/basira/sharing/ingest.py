"""STIX objects from outside into a bank: checked one by one, newer versions only, revocations applied.

Used by the TAXII client (a partner's collection pulled into a local bank) and by the TAXII server (objects POSTed
to a collection). Everything that arrives is hostile: an object that is malformed, too deep, of a signal type this
instance does not know, or marked more strictly than the bank that would hold it is refused with a reason, and the
others go on. A version older than (or equal to) the one already taken is ignored, so replayed and out-of-order
pages change nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import SignalSpec, add_signals_batch, get_bank, set_signal_enabled, validate_spec
from basira.core.errors import BasiraError, InvalidInput
from basira.core.instance import Instance
from basira.core.models import TLP, Bank, Signal
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.sharing import stix
from basira.sharing.markings import STRICTNESS, tlp_of
from basira.sharing.models import ReceivedObject

_HEX = "[0-9a-fA-F]"
STIX_ID = re.compile(rf"^[a-z][a-z0-9-]{{0,80}}--{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}$")
MAX_DEPTH = 16
MAX_OBJECTS = 100_000


@dataclass
class IngestReport:
    """What became of each object: taken (id, version), ignored (not a signal, or not newer), refused (reason)."""

    successes: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[tuple[str, str, str]] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    added: int = 0
    revoked: int = 0

    def merge(self, other: IngestReport) -> None:
        self.successes += other.successes
        self.ignored += other.ignored
        self.failures += other.failures
        self.added += other.added
        self.revoked += other.revoked


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests (stops counting past ``limit``), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if d > limit:
            return d
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


def parse_json(raw: bytes, limit: int, what: str = "the STIX content") -> Any:
    """JSON text under ``limit`` bytes, or :class:`InvalidInput` with the reason (never a RecursionError)."""
    if len(raw) > limit:
        raise InvalidInput(f"{what} is over the limit of {limit:,} bytes")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(f"{what} is not JSON") from None
    except RecursionError:
        raise InvalidInput(f"{what} nests too deeply") from None


def objects_of(envelope: Any, what: str = "the envelope") -> list[Any]:
    """The ``objects`` of a TAXII envelope or STIX bundle, or :class:`InvalidInput`."""
    if not isinstance(envelope, dict):
        raise InvalidInput(f"{what} is not a JSON object")
    objs = envelope.get("objects", [])
    if not isinstance(objs, list):
        raise InvalidInput(f"{what}'s objects are not a list")
    if len(objs) > MAX_OBJECTS:
        raise InvalidInput(f"{what} holds over {MAX_OBJECTS:,} objects")
    return objs


def check_object(obj: Any) -> tuple[str, str]:
    if not isinstance(obj, dict):
        raise InvalidInput("an object is not a JSON object")
    oid, otype = obj.get("id"), obj.get("type")
    if not isinstance(oid, str) or not STIX_ID.match(oid):
        raise InvalidInput("an object has no valid STIX id")
    if not isinstance(otype, str) or not oid.startswith(otype + "--"):
        raise InvalidInput("the object's type does not match its id")
    if depth(obj) > MAX_DEPTH:
        raise InvalidInput(f"the object nests deeper than {MAX_DEPTH} levels")
    return oid, otype


def _validate_indicator(obj: dict[str, Any]) -> None:
    """Check an indicator as STIX 2.1 asks. One with Basira's extension gets a structural check of its properties
    (fast: a sync takes tens of thousands); any other gets the ``stix2`` library's full check, pattern grammar
    included, since its pattern is what Basira will read."""
    if stix.SIGNAL_EXTENSION_ID not in (obj.get("extensions") or {}):
        _validate_with_stix2(obj)
        return
    if obj.get("spec_version") != "2.1":
        raise InvalidInput("not a STIX 2.1 object (spec_version)")
    created = stix.parse_timestamp(obj.get("created"), "created")
    if stix.parse_timestamp(obj.get("modified"), "modified") < created:
        raise InvalidInput("modified is before created")
    stix.parse_timestamp(obj.get("valid_from"), "valid_from")
    for key in ("pattern", "pattern_type"):
        if not isinstance(obj.get(key), str):
            raise InvalidInput(f"{key} is required text")
    if "revoked" in obj and not isinstance(obj["revoked"], bool):
        raise InvalidInput("revoked is true or false")
    refs = obj.get("object_marking_refs", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise InvalidInput("object_marking_refs is a list of identifiers")
    if not isinstance(obj["extensions"], dict):
        raise InvalidInput("extensions is an object")


def _validate_with_stix2(obj: dict[str, Any]) -> None:
    import stix2
    from stix2.exceptions import STIXError

    try:
        stix2.parse(obj, allow_custom=True)
    except (STIXError, ValueError, TypeError, KeyError) as e:
        raise InvalidInput(f"not a valid STIX 2.1 indicator: {str(e).splitlines()[0][:200]}") from None


@dataclass
class Target:
    """Where objects go: the bank, who writes (a feed's organization or a TAXII caller) and the feed, if any."""

    bank: Bank
    principal: Principal
    feed_id: int | None = None
    source: str = "taxii"


def _value_key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def apply_objects(session: Session, inst: Instance, target: Target, objects: Sequence[Any]) -> IngestReport:
    """Take ``objects`` into the target bank in the caller's transaction (see the module docstring)."""
    bank = get_bank(session, target.principal, target.bank.id, Access.OWNER)  # the writer must own the bank
    report = IngestReport()
    pending: list[tuple[SignalSpec, ReceivedObject]] = []
    held = _held(session, bank.id, objects)
    for obj in objects:
        oid, version = "", ""
        try:
            oid, otype = check_object(obj)
            version = str(obj.get("modified", obj.get("created", "")))[:40]
            if otype != "indicator":
                report.ignored.append((oid, version, f"{otype} objects carry no signal"))
                continue
            _take_indicator(session, target, bank, obj, oid, _specs(inst, target, oid, obj, bank), report,
                            pending, held)
        except BasiraError as e:
            report.failures.append((oid, version, e.detail))
    if pending:
        # One batch for the whole page: set-based lookups and bulk inserts, one event, one change-log insert.
        batch = add_signals_batch(session, target.principal, inst.registry, inst.settings, bank.id,
                                  [s for s, _ in pending], validated=True)
        for spec, row in pending:
            row.signal_id = batch.ids[(spec.entry_ref, spec.signal_type, spec.value)]
        report.added += batch.changed
    if report.successes:
        audit.record(session, org_id=target.principal.org_id, actor=target.principal.actor,
                     action="sharing.receive", target=f"bank:{bank.id}",
                     details={"source": target.source, "objects": len(report.successes), "added": report.added,
                              "revoked": report.revoked, "refused": len(report.failures)})
    return report


_Key = tuple[str, str, str]


def _held(session: Session, bank_id: int, objects: Sequence[Any]) -> dict[_Key, ReceivedObject]:
    """The versions already taken of the page's objects, in one query, by (stix id, signal type, value key)."""
    ids = list({o["id"] for o in objects if isinstance(o, dict) and isinstance(o.get("id"), str)})
    held: dict[_Key, ReceivedObject] = {}
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(ReceivedObject).where(ReceivedObject.bank_id == bank_id,
                                                                ReceivedObject.stix_id.in_(ids[start:start + 500]))):
            held[(row.stix_id, row.signal_type, row.value_key)] = row
    return held


def _specs(inst: Instance, target: Target, oid: str, obj: dict[str, Any], bank: Bank) -> list[SignalSpec]:
    """The checked, canonical signals of an indicator (InvalidInput with the reason otherwise)."""
    _validate_indicator(obj)
    records = stix.records_of(obj)
    ext = obj.get("extensions")
    # The pattern is what every other STIX consumer reads: it must say what the extension says.
    if isinstance(ext, dict) and stix.SIGNAL_EXTENSION_ID in ext and \
            obj["pattern"] != stix.pattern_for(records[0].signal_type, records[0].value):
        raise InvalidInput("the pattern does not match the signal in Basira's extension")
    return [validate_spec(inst.registry, inst.settings, SignalSpec(
        signal_type=rec.signal_type, value=rec.value, entry_ref=rec.entry_ref or oid, content_type=rec.content_type,
        labels=list(rec.labels), quality=rec.quality, provenance=f"{target.source}:{oid}"[:300])) for rec in records]


def _take_indicator(session: Session, target: Target, bank: Bank, obj: dict[str, Any], oid: str,
                    specs: list[SignalSpec], report: IngestReport,
                    pending: list[tuple[SignalSpec, ReceivedObject]], held: dict[_Key, ReceivedObject]) -> None:
    modified = stix.timestamp(stix.parse_timestamp(obj.get("modified"), "modified"))
    marked = tlp_of(obj.get("object_marking_refs")) or TLP(bank.tlp)
    if STRICTNESS[marked] > STRICTNESS[TLP(bank.tlp)]:
        raise InvalidInput(f"marked TLP:{marked.value}, stricter than the bank's TLP:{bank.tlp}")
    revoked = obj.get("revoked") is True
    fresh: list[tuple[SignalSpec, ReceivedObject]] = []
    for spec in specs:
        key = (oid, spec.signal_type, _value_key(spec.value))
        row = held.get(key)
        if row is not None and row.modified >= modified:
            continue
        if row is None:
            row = held[key] = ReceivedObject(bank_id=bank.id, feed_id=target.feed_id, stix_id=oid,
                                             signal_type=spec.signal_type, value_key=key[2], modified=modified,
                                             tlp=marked.value)
            session.add(row)
        row.modified, row.tlp, row.revoked = modified, marked.value, revoked
        fresh.append((spec, row))
    if not fresh:
        report.ignored.append((oid, modified, "this version or a newer one was already taken"))
        return
    if revoked:
        rows = {id(row) for _, row in fresh}
        pending[:] = [(s, r) for s, r in pending if id(r) not in rows]  # added earlier in this page: never mind
        for _, row in fresh:
            report.revoked += _revoke(session, target.principal, row)
    else:
        pending.extend(fresh)
    report.successes.append((oid, modified))


def _revoke(session: Session, principal: Principal, row: ReceivedObject) -> int:
    sig = session.get(Signal, row.signal_id) if row.signal_id is not None else None
    if sig is None or not sig.enabled:
        return 0
    set_signal_enabled(session, principal, sig.id, False)
    return 1
