"""The TAXII 2.1 server's services: collections (one per bank the caller may take away), objects with filters and
pages, manifests, versions, adding objects and their status resources. The API router only shapes HTTP.

Basira keeps the latest version of each object, so ``versions`` lists one and ``match[version]`` accepts
``last``, ``first``, ``all`` or that version's timestamp. ``date_added`` of an indicator is when its signal last
changed; ``next`` is an opaque cursor on (date_added, key).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from basira.core.errors import InvalidInput, NotFound, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import Bank
from basira.core.principal import Principal
from basira.core.visibility import Access, Visibility
from basira.sharing import export, ingest, stix
from basira.sharing.models import TaxiiStatus

MEDIA_TYPE_TAXII = "application/taxii+json;version=2.1"
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class Collection:
    """A bank as a TAXII collection, as one caller sees it."""

    bank: Bank
    id: str
    can_read: bool
    can_write: bool

    def resource(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.bank.name, "description": self.bank.description or "",
                "can_read": self.can_read, "can_write": self.can_write,
                "media_types": [stix.MEDIA_TYPE_STIX], "x_basira_tlp": self.bank.tlp}


def collection_id(ns: uuid.UUID, bank_id: int) -> str:
    return str(uuid.uuid5(ns, f"bank:{bank_id}"))


def collections(session: Session, inst: Instance, principal: Principal) -> list[Collection]:
    """The caller's collections: banks it may take away (read) and its own banks (write, for writers)."""
    ns = export.instance_namespace(inst.secret_key)
    readable = {b.id for b in export.exportable_banks(session, principal.org_id)}
    writer = principal.role.value in ("admin", "analyst")
    out = []
    for bank, access in Visibility(session, principal.org_id).banks(Access.MATCH_ONLY):
        can_write = writer and access == Access.OWNER
        if bank.id in readable or can_write:
            out.append(Collection(bank, collection_id(ns, bank.id), bank.id in readable, can_write))
    return out


def get_collection(session: Session, inst: Instance, principal: Principal, cid: str) -> Collection:
    for c in collections(session, inst, principal):
        if c.id == cid:
            return c
    raise NotFound(f"no collection {cid!r}")


@dataclass
class Filters:
    """A request's filters, checked: ``added_after``, ``match[type|id|version|spec_version]``, ``limit``, ``next``."""

    added_after: dt.datetime | None = None
    types: set[str] | None = None
    ids: set[str] | None = None
    versions: set[str] = field(default_factory=lambda: {"last"})
    spec_versions: set[str] | None = None
    limit: int = 1000
    after: export.Position | None = None

    @classmethod
    def parse(cls, params: dict[str, str], default_limit: int) -> Filters:
        f = cls(limit=min(default_limit, MAX_LIMIT))
        if params.get("added_after"):
            f.added_after = stix.parse_timestamp(params["added_after"], "added_after")
        for key, attr in (("match[type]", "types"), ("match[id]", "ids"), ("match[spec_version]", "spec_versions")):
            if params.get(key):
                setattr(f, attr, {v.strip() for v in params[key].split(",") if v.strip()})
        if params.get("match[version]"):
            f.versions = {v.strip() for v in params["match[version]"].split(",") if v.strip()}
        if params.get("limit"):
            raw = params["limit"]
            if not raw.isdigit() or int(raw) < 1:
                raise InvalidInput("limit is a positive whole number")
            f.limit = min(int(raw), MAX_LIMIT)
        if params.get("next"):
            f.after = decode_cursor(params["next"])
        return f

    def wants(self, obj: dict[str, Any]) -> bool:
        if self.types is not None and obj["type"] not in self.types:
            return False
        if self.ids is not None and obj["id"] not in self.ids:
            return False
        if self.spec_versions is not None and "2.1" not in self.spec_versions:
            return False
        version = obj.get("modified", obj.get("created"))
        return bool({"last", "first", "all"} & self.versions) or version in self.versions


def encode_cursor(p: export.Position) -> str:
    micros = int(p.added.timestamp() * 1_000_000)
    return base64.urlsafe_b64encode(f"{micros}:{p.key}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> export.Position:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        micros, key = raw.split(":")
        return export.Position(dt.datetime.fromtimestamp(int(micros) / 1_000_000, dt.UTC), int(key))
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError, OSError):
        raise InvalidInput("next is not a cursor this server gave") from None


def added_header(value: dt.datetime) -> str:
    """A TAXII timestamp with microseconds, as X-TAXII-Date-Added-First/Last and manifests give it."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Page:
    """One page of a collection: objects with their date_added, whether more follow, and the cursor to them."""

    items: list[export.Exported]
    more: bool
    next: str | None

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"more": self.more, "objects": [e.obj for e in self.items]}
        if self.next:
            body["next"] = self.next
        return body

    def manifest(self) -> dict[str, Any]:
        recs = [{"id": e.obj["id"], "date_added": added_header(e.position.added),
                 "version": e.obj.get("modified", e.obj.get("created")), "media_type": stix.MEDIA_TYPE_STIX}
                for e in self.items]
        body: dict[str, Any] = {"more": self.more, "objects": recs}
        if self.next:
            body["next"] = self.next
        return body

    def headers(self) -> dict[str, str]:
        if not self.items:
            return {}
        return {"X-TAXII-Date-Added-First": added_header(self.items[0].position.added),
                "X-TAXII-Date-Added-Last": added_header(self.items[-1].position.added)}


def _stream(session: Session, inst: Instance, c: Collection, f: Filters) -> Iterator[export.Exported]:
    ns = export.instance_namespace(inst.secret_key)
    after = f.after
    if f.added_after is not None:
        floor = export.Position(f.added_after, 2**62)  # strictly after: past every key of that instant
        after = floor if after is None or (after.added, after.key) < (floor.added, floor.key) else after
    only_indicators = f.types is not None and f.types <= {"indicator"}
    # One row more than the page: whether more follow is known from the same query (a batch of the page's size
    # would read a whole second batch for that one row, every page).
    for e in export.bank_objects(session, ns, c.bank, after=after, batch=f.limit + 1,
                                 indicators_only=only_indicators):
        if f.wants(e.obj):
            yield e


def page(session: Session, inst: Instance, principal: Principal, cid: str, f: Filters) -> Page:
    """One page of a collection's objects the caller may read."""
    c = get_collection(session, inst, principal, cid)
    if not c.can_read:
        raise PermissionDenied("this collection is not readable by the caller (write only)")
    items: list[export.Exported] = []
    more = False
    for e in _stream(session, inst, c, f):
        if len(items) == f.limit:
            more = True
            break
        items.append(e)
    return Page(items, more, encode_cursor(items[-1].position) if more else None)


def one_object(session: Session, inst: Instance, principal: Principal, cid: str, object_id: str,
               f: Filters) -> Page:
    """The object ``object_id`` of a collection (its single stored version), or NotFound."""
    f.ids = {object_id}
    found = page(session, inst, principal, cid, f)
    if not found.items:
        raise NotFound(f"no object {object_id!r} in this collection")
    return found


def add_objects(session: Session, inst: Instance, principal: Principal, cid: str, raw: bytes) -> TaxiiStatus:
    """Take a POSTed envelope into the caller's own bank; the status resource says what became of each object.

    A partner that may read the collection but does not own it may add opinions on its indicators, and nothing
    else (:mod:`basira.sharing.opinions`): that is how a partner's view of a shared signal reaches its owner.
    """
    from basira.sharing import opinions

    c = get_collection(session, inst, principal, cid)
    if not c.can_write and not c.can_read:
        raise PermissionDenied("the caller may not add objects to this collection")
    if c.can_write:
        principal.require_bank_write()
    objs = ingest.objects_of(ingest.parse_json(raw, inst.settings.sharing_max_bundle_bytes, "the envelope"))
    views = [o for o in objs if isinstance(o, dict) and o.get("type") == "opinion"]
    if not c.can_write and (not views or len(views) != len(objs)):
        raise PermissionDenied("the caller may add only opinions to this collection, not signals")
    taken = opinions.take(session, inst.secret_key, principal, c.bank, views)
    failures = [{"id": i, "version": v, "message": m} for i, v, m in taken.failures]
    successes = [{"id": i, "version": v} for i, v in taken.successes]
    if c.can_write:
        target = ingest.Target(c.bank, principal, source=f"taxii-post:{principal.actor}")
        report = ingest.apply_objects(session, inst, target,
                                      [o for o in objs if not (isinstance(o, dict) and o.get("type") == "opinion")])
        failures += [{"id": i, "version": v, "message": m} for i, v, m in report.failures]
        # Objects that carry no signal, or versions already held, are accepted: the collection holds what they say.
        successes += [{"id": i, "version": v} for i, v in report.successes] + \
            [{"id": i, "version": v, "message": m} for i, v, m in report.ignored]
    status = TaxiiStatus(id=str(uuid.uuid4()), org_id=principal.org_id, status="complete",
                         total_count=len(objs), success_count=len(successes), failure_count=len(failures),
                         pending_count=0, details={"successes": successes[:1000], "failures": failures[:1000]})
    session.add(status)
    session.flush()
    return status


def get_status(session: Session, principal: Principal, status_id: str) -> TaxiiStatus:
    status = session.get(TaxiiStatus, status_id[:64])
    if status is None or status.org_id != principal.org_id:
        raise NotFound(f"no status {status_id!r}")
    return status


def status_resource(s: TaxiiStatus) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": s.id, "status": s.status, "request_timestamp": added_header(s.request_timestamp),
        "total_count": s.total_count, "success_count": s.success_count, "failure_count": s.failure_count,
        "pending_count": s.pending_count,
    }
    if s.details.get("successes"):
        body["successes"] = s.details["successes"]
    if s.details.get("failures"):
        body["failures"] = s.details["failures"]
    return body
