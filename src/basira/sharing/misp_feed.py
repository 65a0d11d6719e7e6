"""MISP feeds in: read a feed (folder or URL), turn its events' attributes and objects into signals, and apply
them to one bank of the caller's as a delta.

Every file is read and checked before anything is written. The bank then mirrors the feed: a value new to it is
added, one already there is left alone (a re-import adds nothing), and one that the feed no longer carries, or
carries as deleted, is disabled. Only signals that came from a MISP feed (provenance ``misp:<event uuid>``) are
touched; what the organization added by hand stays. The feed never chooses the bank: whatever an event claims
(its creator organization, its tags), the signals go into the bank the caller named, which must be its own.
An event or attribute marked stricter than the bank (``tlp:red`` into an AMBER bank) stops the import.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import SignalSpec, get_bank, validate_spec
from basira.core.errors import BasiraError, ContentTooLarge, PermissionDenied
from basira.core.models import TLP
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry
from basira.core.visibility import Access
from basira.sharing import deltas
from basira.sharing.deltas import ImportReport
from basira.sharing.misp import SIGNAL_TYPE_TAG, invalid, parse_tlp_tag
from basira.sharing.misp_source import FeedSource, check_name, load_json

#: MISP attribute type -> signal type. ``hex`` is a PDQ hash only when named so (see :func:`_signal_type`).
FROM_MISP = {"md5": "md5", "sha256": "sha256", "url": "url", "domain": "domain", "hostname": "domain",
             "btc": "crypto_address", "xmr": "crypto_address", "filename|md5": "md5",
             "filename|sha256": "sha256"}
#: coin-address relations that hold an address.
WALLET_RELATIONS = {"address", "address-xmr", "address-crypto"}
STRICTNESS = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
MAX_EVENTS = 10_000


@dataclass(frozen=True)
class FeedItem:
    """One value of the feed, as a signal of an entry (``misp:<attribute or object uuid>``)."""

    event: str
    entry_ref: str
    signal_type: str
    value: str
    labels: tuple[str, ...] = ()
    deleted: bool = False


@dataclass
class FeedReport(ImportReport):
    """What reading a feed and applying it did: the events read besides the delta."""

    events: int = 0


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str | int) and str(value).lower() in ("1", "true"))


def _tags(node: dict[str, Any]) -> list[str]:
    tags = node.get("Tag") or []
    if not isinstance(tags, list):
        raise invalid("a Tag member is not a list")
    return [t["name"] for t in tags if isinstance(t, dict) and isinstance(t.get("name"), str)]


def _marking(tags: list[str]) -> TLP | None:
    found = [m for m in (parse_tlp_tag(t) for t in tags) if m is not None]
    return max(found, key=STRICTNESS.index) if found else None


def _tag_value(tags: list[str], key: str) -> list[str]:
    prefix = f'{key}="'
    return [t[len(prefix):-1] for t in tags if t.startswith(prefix) and t.endswith('"')]


def _signal_type(attr: dict[str, Any], tags: list[str]) -> str | None:
    misp_type = attr.get("type")
    if misp_type == "hex":
        named = _tag_value(tags, SIGNAL_TYPE_TAG)
        comment = attr.get("comment")
        said_pdq = "pdq" in named or (isinstance(comment, str) and comment.lower().startswith("pdq"))
        return "pdq" if said_pdq else None
    return FROM_MISP.get(misp_type) if isinstance(misp_type, str) else None


def _value(attr: dict[str, Any]) -> str:
    value = attr.get("value")
    if not isinstance(value, str):
        raise invalid(f"attribute {str(attr.get('uuid'))[:40]} has a value that is not a string")
    # filename|md5 and friends carry the hash after the bar.
    return value.rpartition("|")[2] if "|" in str(attr.get("type")) else value


class _EventReader:
    """Turns one event into feed items, checking markings against the bank's."""

    def __init__(self, uid: str, bank_tlp: TLP, report: FeedReport) -> None:
        self.uid = uid
        self.bank_tlp = bank_tlp
        self.report = report

    def check_marking(self, tags: list[str], where: str) -> None:
        marking = _marking(tags)
        if marking is not None and STRICTNESS.index(marking) > STRICTNESS.index(self.bank_tlp):
            raise PermissionDenied(f"{where} is marked {marking.value}, stricter than the bank's "
                                   f"{self.bank_tlp.value}: import it into a bank marked {marking.value} or stricter")

    def attribute(self, attr: Any, ref: str | None, deleted: bool) -> Iterator[FeedItem]:
        if not isinstance(attr, dict):
            self.report.reject(f"event {self.uid}: an attribute is not a JSON object")
            return
        uid = attr.get("uuid")
        if ref is None and not isinstance(uid, str):
            self.report.reject(f"event {self.uid}: an attribute has no uuid")
            return
        tags = _tags(attr)
        self.check_marking(tags, f"attribute {uid} of event {self.uid}")
        signal_type = _signal_type(attr, tags)
        if signal_type is None:
            self.report.skip(str(attr.get("type"))[:40])
            return
        try:
            value = _value(attr)
        except BasiraError as e:
            self.report.reject(e.detail)
            return
        labels = tuple(_tag_value(tags, "basira:label"))
        yield FeedItem(self.uid, ref or f"misp:{uid}", signal_type, value, labels,
                       deleted or _truthy(attr.get("deleted")))

    def obj(self, node: Any) -> Iterator[FeedItem]:
        if not isinstance(node, dict) or not isinstance(node.get("uuid"), str):
            self.report.reject(f"event {self.uid}: an object is not a JSON object with a uuid")
            return
        attrs = node.get("Attribute") or []
        if not isinstance(attrs, list):
            self.report.reject(f"event {self.uid}: object {node['uuid']} has attributes that are not a list")
            return
        deleted = _truthy(node.get("deleted"))
        ref = f"misp:{node['uuid']}"
        for attr in attrs:
            relation = attr.get("object_relation") if isinstance(attr, dict) else None
            if node.get("name") == "coin-address":
                if relation not in WALLET_RELATIONS:
                    continue
                # An address-crypto is free text in MISP: Basira's validation decides whether it is a wallet.
                attr = {**attr, "type": "btc"}
            yield from self.attribute(attr, ref, deleted)

    def _nodes(self, event: dict[str, Any], key: str) -> list[Any]:
        nodes = event.get(key) or []
        if not isinstance(nodes, list):
            raise invalid(f"event {self.uid}: {key} is not a list")
        return nodes

    def items(self, event: dict[str, Any]) -> Iterator[FeedItem]:
        self.check_marking(_tags(event), f"event {self.uid}")
        for node in self._nodes(event, "Attribute"):
            yield from self.attribute(node, None, False)
        for node in self._nodes(event, "Object"):
            yield from self.obj(node)


def read_feed(source: FeedSource, bank_tlp: TLP, report: FeedReport, max_items: int) -> list[FeedItem]:
    """Every item of every event the manifest lists; raises before anything is written when a file is bad."""
    manifest = load_json(source, "manifest.json")
    if not isinstance(manifest, dict):
        raise invalid("manifest.json is not a JSON object of events")
    if len(manifest) > MAX_EVENTS:
        raise ContentTooLarge(f"the feed lists {len(manifest)} events, over the limit of {MAX_EVENTS}")
    items: list[FeedItem] = []
    for uid in manifest:
        name = check_name(f"{uid}.json")
        doc = load_json(source, name)
        event = doc.get("Event") if isinstance(doc, dict) else None
        if not isinstance(event, dict):
            raise invalid(f"{name} holds no Event object")
        if event.get("uuid") != uid:
            raise invalid(f"{name} holds event {str(event.get('uuid'))[:40]!r}, not the {uid} its manifest names")
        for item in _EventReader(uid, bank_tlp, report).items(event):
            items.append(item)
            if len(items) > max_items:
                raise ContentTooLarge(f"the feed has more than {max_items} values, over the import limit")
        report.events += 1
    return items


def _specs(registry: SignalTypeRegistry, settings: Settings, items: list[FeedItem],
           report: FeedReport) -> dict[deltas.Key, SignalSpec]:
    """Canonical specs of the items the feed holds live, by key; a key the feed also marks deleted is left out."""
    live: dict[deltas.Key, SignalSpec] = {}
    deleted: set[deltas.Key] = set()
    for item in items:
        spec = SignalSpec(signal_type=item.signal_type, value=item.value, entry_ref=item.entry_ref[:300],
                          labels=list(item.labels), provenance=f"misp:{item.event}")
        try:
            clean = validate_spec(registry, settings, spec)
        except BasiraError as e:
            report.reject(f"event {item.event}, {item.entry_ref}: {e.detail}")
            continue
        key = deltas.key_of(clean)
        if item.deleted:
            deleted.add(key)
        else:
            live[key] = clean
    return {k: v for k, v in live.items() if k not in deleted}


def import_feed(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings,
                ref: int | str, source: FeedSource) -> FeedReport:
    """Apply the feed to the caller's bank ``ref`` as a delta, in the caller's transaction (see the module)."""
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    report = FeedReport(source=source.label)
    items = read_feed(source, TLP(bank.tlp), report, settings.max_import_rows)
    live = _specs(registry, settings, items, report)
    delta = deltas.apply(session, principal, registry, settings, bank, live, "misp:")
    report.added, report.disabled, report.unchanged = delta.added, delta.disabled, delta.unchanged
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="bank.import",
                 target=f"bank:{bank.id}", details={"format": "misp", "source": source.label[:200],
                                                    "events": report.events, "added": report.added,
                                                    "disabled": report.disabled, "rejected": report.rejected})
    return report
