"""MISP feeds out: a bank written as a MISP feed folder (``manifest.json``, ``hashes.csv``, one event per bank).

The event carries the bank's TLP 2.0 tag and a MISP distribution level that is never wider than the marking allows;
RED banks never leave, AMBER and AMBER+STRICT banks only for a named partner organization they are shared with.
How each signal type is written (and read back by :mod:`basira.sharing.misp_feed`) is the table
:data:`ATTRIBUTE_TYPES`; MISP has no PDQ type or object template, so a PDQ hash is a ``hex`` attribute with a
comment and a ``basira:signal-type="pdq"`` tag, and a wallet is a ``coin-address`` object.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import get_bank, not_copied
from basira.core.errors import InvalidInput, NotFound, PermissionDenied
from basira.core.exercise import refuse_exercise
from basira.core.models import TLP, Bank, Organization, Signal
from basira.core.principal import Principal
from basira.core.signals import default_registry
from basira.core.visibility import Access, Visibility, may_export_to_partner, may_pass_on

#: Fixed namespace of every uuid Basira derives for MISP (events, attributes, objects, organizations).
NAMESPACE = uuid.UUID("6f1c5c1e-3b4a-5f6e-9d2a-b45173a0c0de")

#: Signal type -> (MISP attribute type, category, to_ids) for signals written as plain attributes.
ATTRIBUTE_TYPES: dict[str, tuple[str, str, bool]] = {
    "md5": ("md5", "Payload delivery", True),
    "sha256": ("sha256", "Payload delivery", True),
    "url": ("url", "Network activity", True),
    "domain": ("domain", "Network activity", True),
    # MISP knows no PDQ type: the 64 hex digits travel as ``hex``, named by a comment and a tag.
    "pdq": ("hex", "Payload delivery", False),
}
PDQ_COMMENT = "PDQ perceptual hash (256 bits, hex)"
SIGNAL_TYPE_TAG = "basira:signal-type"

#: The coin-address object template of misp-objects (its uuid and version), for wallets.
COIN_ADDRESS = {"name": "coin-address", "meta-category": "financial",
                "template_uuid": "d0e6997e-78da-4815-a6a1-cfc1c1cb8a46", "template_version": "7"}

#: TLP marking -> (MISP tag, distribution). Distribution: 0 your organization only, 1 this community only,
#: 3 all communities. GREEN stays in the receiving community; AMBER stays in the receiving organization.
MARKINGS: dict[TLP, tuple[str, int]] = {
    TLP.CLEAR: ("tlp:clear", 3),
    TLP.GREEN: ("tlp:green", 1),
    TLP.AMBER: ("tlp:amber", 0),
    TLP.AMBER_STRICT: ("tlp:amber+strict", 0),
    TLP.RED: ("tlp:red", 0),
}
TAG_COLOURS = {"tlp:clear": "#ffffff", "tlp:green": "#33ff00", "tlp:amber": "#ffc000",
               "tlp:amber+strict": "#ffc000", "tlp:red": "#ff2b2b"}
INHERIT = 5
PAGE = 5000


@dataclass
class ExportReport:
    """What an export wrote."""

    bank: str
    event_uuid: str
    folder: str
    tlp: str
    attributes: int = 0
    objects: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def uuid5(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))``, computed without building UUID objects (a third of an export's time)."""
    b = bytearray(hashlib.sha1(namespace.bytes + name.encode("utf-8"), usedforsecurity=False).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x50
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def org_uuid(slug: str) -> str:
    """The stable MISP uuid of an organization of this instance."""
    return str(uuid.uuid5(NAMESPACE, f"org:{slug}"))


def event_uuid(bank: Bank) -> str:
    """The stable MISP uuid of a bank's event: the same on every export, so a receiver updates one event."""
    created = bank.created_at.astimezone(dt.UTC).isoformat() if bank.created_at else ""
    return str(uuid.uuid5(NAMESPACE, f"bank:{bank.id}:{created}"))


def tlp_tag(tlp: TLP) -> dict[str, Any]:
    name = MARKINGS[tlp][0]
    return {"name": name, "colour": TAG_COLOURS[name], "exportable": True}


def _epoch(value: dt.datetime | None) -> str:
    return str(int(value.timestamp())) if value is not None else "0"


def _check_export(session: Session, principal: Principal, bank: Bank, partner: str | None) -> int | None:
    """Refuse what DESIGN's table forbids; the partner organization's id (None: no partner named)."""
    refuse_exercise(session, bank.org_id, "export a bank as a MISP feed")
    tlp = TLP(bank.tlp)
    if tlp == TLP.RED:
        raise PermissionDenied("a RED bank is never exported")
    vis = Visibility(session, principal.org_id)
    shared = vis.shared_orgs(bank)
    if vis.access(bank) != Access.OWNER and not may_pass_on(bank, principal.org_id, shared):
        raise PermissionDenied(f"a {bank.tlp} bank of another organization may be matched, never passed on")
    partner_id: int | None = None
    if partner is not None:
        org = session.scalar(select(Organization).where(Organization.slug == partner.strip()))
        if org is None:
            raise NotFound(f"no organization {partner!r}")
        partner_id = org.id
    if tlp in (TLP.AMBER, TLP.AMBER_STRICT):
        if partner_id is None:
            raise PermissionDenied(f"a {bank.tlp} bank is exported only for a named partner organization it is "
                                   "shared with (--partner SLUG)")
        if vis.access(bank) != Access.OWNER and tlp == TLP.AMBER_STRICT:
            raise PermissionDenied("an AMBER+STRICT bank is never passed on by the organizations it is shared with")
    if not may_export_to_partner(bank, partner_id, shared):
        raise PermissionDenied(f"the bank is not shared with {partner!r}: its {bank.tlp} signals may not go there")
    return partner_id


class Row(NamedTuple):
    """What an export needs of a signal (read as plain columns: loading whole rows costs twice the time)."""

    id: int
    signal_type: str
    value: str
    labels: list[str]
    updated_at: dt.datetime | None


def _page(session: Session, bank_id: int, after: int, copied: ColumnElement[bool] | None,
          share_derived: bool = False) -> list[Row]:
    # Derived signals (hashes of edits of a banked photo) go out only where the bank allows it.
    derived = () if share_derived else (Signal.derived.is_(False),)
    q = (select(Signal.id, Signal.signal_type, Signal.value, Signal.labels, Signal.updated_at)
         .where(Signal.bank_id == bank_id, Signal.id > after, Signal.enabled.is_(True), *derived)
         .order_by(Signal.id).limit(PAGE))
    if copied is not None:
        q = q.where(copied)
    return [Row(*r) for r in session.execute(q)]


def _signals(session: Session, bank_id: int, share_derived: bool = False) -> Iterator[Row]:
    after = 0
    bank = session.get(Bank, bank_id)
    copied = not_copied(session, bank.org_id) if bank is not None else None
    while page := _page(session, bank_id, after, copied, share_derived):
        yield from page
        after = page[-1].id


def attribute(sig: Row, event: uuid.UUID) -> dict[str, Any] | None:
    """The MISP attribute of a signal written as a plain attribute, or None when its type is not one of them."""
    spec = ATTRIBUTE_TYPES.get(sig.signal_type)
    if spec is None:
        return None
    misp_type, category, to_ids = spec
    tags = [{"name": f'{SIGNAL_TYPE_TAG}="{sig.signal_type}"'}]
    tags += [{"name": f'basira:label="{label}"'} for label in sig.labels]
    comment = PDQ_COMMENT if sig.signal_type == "pdq" else ""
    return {"uuid": uuid5(event, f"signal:{sig.id}"), "type": misp_type, "category": category,
            "value": sig.value, "to_ids": to_ids, "distribution": str(INHERIT), "comment": comment,
            "timestamp": _epoch(sig.updated_at), "disable_correlation": False, "Tag": tags}


def wallet_object(sig: Row, event: uuid.UUID) -> dict[str, Any]:
    """A ``coin-address`` object for a wallet signal: ``address`` (btc) for Bitcoin, ``address-xmr`` for Monero,
    ``address-crypto`` (text) otherwise, with the currency's ``symbol``."""
    # The signal type says what it knows of its values (sharing never imports a front).
    facets = getattr(default_registry().get("crypto_address"), "facets", None)
    currency = facets(sig.value).get("currency", "") if callable(facets) else ""
    symbol = "BTC" if currency == "XBT" else currency
    relation, misp_type = {"BTC": ("address", "btc"), "XMR": ("address-xmr", "xmr")}.get(
        symbol, ("address-crypto", "text"))
    object_uuid = uuid.UUID(uuid5(event, f"object:{sig.id}"))
    stamp = _epoch(sig.updated_at)
    attrs = [{"uuid": uuid5(object_uuid, relation), "object_relation": relation, "type": misp_type,
              "category": "Financial fraud", "value": sig.value, "to_ids": True, "distribution": str(INHERIT),
              "timestamp": stamp, "comment": ""}]
    if symbol:
        attrs.append({"uuid": uuid5(object_uuid, "symbol"), "object_relation": "symbol", "type": "text",
                      "category": "Other", "value": symbol, "to_ids": False, "distribution": str(INHERIT),
                      "timestamp": stamp, "comment": "", "disable_correlation": True})
    return {**COIN_ADDRESS, "uuid": str(object_uuid), "description": "An address used in a cryptocurrency",
            "distribution": str(INHERIT), "timestamp": stamp, "comment": ", ".join(sig.labels), "Attribute": attrs}


def _write_atomic(folder: Path, name: str, write: Any) -> None:
    """Write ``folder/name`` through a temporary file, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            write(f)
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _last_change(session: Session, bank: Bank) -> str:
    """The event's timestamp: the bank's or any of its signals' last change (a disabled signal's counts too,
    so that a receiver comparing manifests fetches the event again and drops it)."""
    last = session.scalar(select(func.max(Signal.updated_at)).where(Signal.bank_id == bank.id))
    changes = [t for t in (bank.updated_at, last) if t is not None]
    return _epoch(max(changes)) if changes else "0"


def _event_head(bank: Bank, owner: Organization, uid: str, tags: list[dict[str, Any]], stamp: str,
                distribution: int) -> dict[str, Any]:
    return {"uuid": uid, "info": f"Basira bank: {bank.name}", "date": bank.created_at.date().isoformat(),
            "analysis": "2", "threat_level_id": "4", "published": True, "timestamp": stamp,
            "publish_timestamp": stamp, "distribution": str(distribution),
            "Orgc": {"name": owner.name, "uuid": org_uuid(owner.slug)}, "Tag": tags}


class _EventWriter:
    """Streams one event's attributes to its file as they come, and keeps the lines of ``hashes.csv``."""

    def __init__(self, f: IO[str], uid: str) -> None:
        self.f = f
        self.uid = uid
        self.hashes: list[str] = []
        self.count = 0

    def _hash(self, value: str) -> None:
        self.hashes.append(f"{hashlib.md5(value.encode('utf-8'), usedforsecurity=False).hexdigest()},{self.uid}\n")

    def add(self, item: dict[str, Any]) -> None:
        self.f.write(("," if self.count else "") + json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        self.count += 1
        for a in item.get("Attribute", [item]):
            self._hash(a["value"])


def export_feed(session: Session, principal: Principal, ref: int | str, folder: Path,
                partner: str | None = None) -> ExportReport:
    """Write the bank's enabled signals as a MISP feed in ``folder`` (made if missing); the export is audited.

    Raises:
        PermissionDenied: The bank is RED, AMBER or AMBER+STRICT without a partner it is shared with, or of
            another organization that may not pass it on.
    """
    bank = get_bank(session, principal, ref, Access.SEE)
    partner_id = _check_export(session, principal, bank, partner)
    owner = session.get(Organization, bank.org_id)
    if owner is None:
        raise NotFound(f"no owner for bank {bank.id}")
    folder.mkdir(parents=True, exist_ok=True)
    tlp = TLP(bank.tlp)
    uid = event_uuid(bank)
    event_ns = uuid.UUID(uid)
    tag, distribution = MARKINGS[tlp]
    tags = [tlp_tag(tlp)]
    report = ExportReport(bank=bank.name, event_uuid=uid, folder=str(folder), tlp=bank.tlp)
    stamp = _last_change(session, bank)
    objects: list[dict[str, Any]] = []
    hashes: list[str] = []

    def write_event(f: IO[str]) -> None:
        head = json.dumps(_event_head(bank, owner, uid, tags, stamp, distribution), ensure_ascii=False)
        # The head's closing brace gives way to the lists, written as the signals are read.
        f.write('{"Event":' + head[:-1] + ',"Attribute":[')
        writer = _EventWriter(f, uid)
        for sig in _signals(session, bank.id, bank.share_derived):
            if sig.signal_type == "crypto_address":
                objects.append(wallet_object(sig, event_ns))
                continue
            item = attribute(sig, event_ns)
            if item is None:
                report.skipped[sig.signal_type] = report.skipped.get(sig.signal_type, 0) + 1
                continue
            writer.add(item)
        report.attributes = writer.count
        f.write('],"Object":[')
        objects_writer = _EventWriter(f, uid)
        for obj in objects:
            objects_writer.add(obj)
        report.objects = objects_writer.count
        f.write("]}}\n")
        hashes.extend(writer.hashes + objects_writer.hashes)

    _write_atomic(folder, f"{uid}.json", write_event)
    manifest = {uid: {k: v for k, v in _event_head(bank, owner, uid, tags, stamp, distribution).items()
                      if k not in ("uuid", "published", "distribution")}}
    _write_atomic(folder, "hashes.csv", lambda f: f.writelines(hashes))
    _write_atomic(folder, "manifest.json", lambda f: json.dump(manifest, f, ensure_ascii=False, indent=1))
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="bank.export",
                 target=f"bank:{bank.id}", details={"format": "misp", "partner": partner_id, "tag": tag,
                                                    "attributes": report.attributes, "objects": report.objects})
    return report


def parse_tlp_tag(name: str) -> TLP | None:
    """The TLP marking of a MISP tag name (``tlp:amber+strict``, ``tlp:white`` as CLEAR), or None."""
    norm = name.strip().lower()
    if not norm.startswith("tlp:"):
        return None
    value = norm[4:].upper().replace("WHITE", "CLEAR")
    try:
        return TLP(value)
    except ValueError:
        return None


def invalid(what: str) -> InvalidInput:
    """The error for a MISP document that breaks the format."""
    return InvalidInput(f"not a MISP feed: {what}")
