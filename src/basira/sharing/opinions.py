"""Opinions crossing instances: a partner's view of a shared signal goes back to the owner as a STIX opinion.

On the receiving side (B), an opinion that B's organization records on a signal it took from a feed is POSTed to
the feed's collection on the owner's instance (A) as a STIX 2.1 ``opinion`` whose ``object_refs`` is the
indicator A sent, with Basira's extension carrying the exact kind and the signal (type and value) so that A finds
it without a table of every id it ever sent. On A, the partner's account (an organization of A) may add opinions,
and only opinions, to a collection it may read: each is checked (its indicator must be one of that collection's,
with the very signal the extension names) and recorded as that organization's opinion through
:mod:`basira.core.opinions`, audited; mixed views show as disputed. The owner then disables or relabels the signal
as it sees fit, and that change flows out as a new version of the indicator.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core import opinions as core_opinions
from basira.core.banks import get_bank
from basira.core.errors import BasiraError, InvalidInput, NotFound
from basira.core.models import Bank, Opinion, OpinionKind, Organization, Signal
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.sharing import export, ingest, stix
from basira.sharing.models import ReceivedObject, TaxiiFeed

OPINION_VALUES = {OpinionKind.CONFIRMED.value: "agree", OpinionKind.FALSE_POSITIVE.value: "disagree",
                  OpinionKind.SEEN.value: "neutral"}
_KIND_OF_VALUE = {"strongly-agree": OpinionKind.CONFIRMED.value, "agree": OpinionKind.CONFIRMED.value,
                  "neutral": OpinionKind.SEEN.value, "disagree": OpinionKind.FALSE_POSITIVE.value,
                  "strongly-disagree": OpinionKind.FALSE_POSITIVE.value}
MAX_NOTE = 2000


def outgoing(session: Session, ns: uuid.UUID, feed: TaxiiFeed, limit: int = 1000) -> list[tuple[dict[str, Any],
                                                                                                 dt.datetime]]:
    """The organization's opinions on the feed's signals changed since the feed last sent them, as STIX opinions
    on the partner's indicators, oldest first, with the time each was last changed."""
    q = (select(Opinion, ReceivedObject, Signal)
         .join(ReceivedObject, ReceivedObject.signal_id == Opinion.signal_id)
         .join(Signal, Signal.id == Opinion.signal_id)
         .where(ReceivedObject.feed_id == feed.id, Opinion.org_id == feed.org_id)
         .order_by(Opinion.updated_at, Opinion.id).limit(limit))
    if feed.opinions_after is not None:
        q = q.where(Opinion.updated_at > feed.opinions_after)
    out = []
    for op, rec, sig in session.execute(q):
        created = stix.timestamp(op.created_at)
        obj: dict[str, Any] = {
            "type": "opinion", "spec_version": "2.1", "id": stix.stable_id("opinion", ns, f"opinion:{op.id}"),
            "created": created, "modified": max(stix.timestamp(op.updated_at), created),
            "created_by_ref": export.org_identity_id(ns, op.org_id), "opinion": OPINION_VALUES[op.kind],
            "object_refs": [rec.stix_id],
            "extensions": {stix.SIGNAL_EXTENSION_ID: {"extension_type": "property-extension", "opinion": op.kind,
                                                      "signal_type": sig.signal_type, "value": sig.value}},
        }
        if op.note:
            obj["explanation"] = op.note[:MAX_NOTE]
        out.append((obj, op.updated_at))
    return out


def envelope(objects: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps({"objects": list(objects)}, separators=(",", ":")).encode()


@dataclass
class Taken:
    """What became of the opinions of one POST: (id, version) taken, (id, version, reason) refused."""

    successes: list[tuple[str, str]] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)


def take(session: Session, inst_secret: str, principal: Principal, bank: Bank, objects: Sequence[Any]) -> Taken:
    """Record a partner's STIX opinions on the signals of ``bank`` (a collection the partner may read)."""
    ns = export.instance_namespace(inst_secret)
    get_bank(session, principal, bank.id, Access.MATCH_ONLY)
    out = Taken()
    for obj in objects:
        oid, version = "", ""
        try:
            oid, otype = ingest.check_object(obj)
            version = str(obj.get("modified", ""))[:40]
            if otype != "opinion":
                raise InvalidInput("not an opinion")
            kind, sig, note = _read(session, ns, bank, obj)
            held = session.scalar(select(Opinion).where(Opinion.org_id == principal.org_id,
                                                        Opinion.signal_id == sig.id))
            if held is None or held.kind != kind or held.note != note:
                core_opinions.set_opinion(session, principal, sig.id, kind, note=note)
            out.successes.append((oid, version))
        except BasiraError as e:
            out.failures.append((oid, version, e.detail))
    return out


def _read(session: Session, ns: uuid.UUID, bank: Bank, obj: dict[str, Any]) -> tuple[str, Signal, str]:
    if obj.get("spec_version") != "2.1":
        raise InvalidInput("not a STIX 2.1 object (spec_version)")
    stix.parse_timestamp(obj.get("created"), "created")
    stix.parse_timestamp(obj.get("modified"), "modified")
    refs = obj.get("object_refs")
    if not isinstance(refs, list) or len(refs) != 1 or not isinstance(refs[0], str):
        raise InvalidInput("a Basira opinion refers to exactly one indicator (object_refs)")
    ext = (obj.get("extensions") or {}).get(stix.SIGNAL_EXTENSION_ID)
    if not isinstance(ext, dict) or not isinstance(ext.get("signal_type"), str) or \
            not isinstance(ext.get("value"), str):
        raise InvalidInput("an opinion needs Basira's extension with the signal's type and value")
    value = obj.get("opinion")
    kind = ext.get("opinion") if ext.get("opinion") in OPINION_VALUES else _KIND_OF_VALUE.get(str(value))
    if kind is None:
        raise InvalidInput("the opinion is none of strongly-disagree, disagree, neutral, agree, strongly-agree")
    note = obj.get("explanation", "")
    if not isinstance(note, str):
        raise InvalidInput("explanation is text")
    sig = session.scalar(select(Signal).where(Signal.bank_id == bank.id, Signal.signal_type == ext["signal_type"],
                                              Signal.value == ext["value"][:100_000]).limit(1))
    if sig is None or export.signal_stix_id(ns, sig.id) != refs[0]:
        raise NotFound("the opinion's indicator is not one of this collection's")
    return kind, sig, note[:MAX_NOTE]


@dataclass
class SignalOpinions:
    """What organizations think of one signal: counts by kind, the summary (disputed when they differ), each."""

    signal_id: int
    summary: str | None
    counts: dict[str, int]
    opinions: list[dict[str, Any]]


def of_signal(session: Session, principal: Principal, signal_id: int) -> SignalOpinions:
    """A signal's opinions: its owner sees every organization's, another organization its own alone."""
    sig = session.get(Signal, signal_id)
    if sig is None:
        raise NotFound(f"no signal {signal_id}")
    bank = get_bank(session, principal, sig.bank_id, Access.MATCH_ONLY)
    counts = {k.value: 0 for k in OpinionKind}
    for kind, n in session.execute(select(Opinion.kind, func.count()).where(Opinion.signal_id == signal_id)
                                   .group_by(Opinion.kind)):
        counts[kind] = int(n)
    q = (select(Opinion, Organization).join(Organization, Organization.id == Opinion.org_id)
         .where(Opinion.signal_id == signal_id).order_by(Opinion.updated_at))
    if bank.org_id != principal.org_id:
        q = q.where(Opinion.org_id == principal.org_id)
    rows = [{"org": org.slug, "kind": op.kind, "note": op.note, "actor": op.actor,
             "updated_at": op.updated_at.isoformat()} for op, org in session.execute(q)]
    return SignalOpinions(signal_id, core_opinions.summary(session, signal_id), counts, rows)
