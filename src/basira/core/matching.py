"""The matching service: an item's signals against every bank the caller may match, with negative banks.

Matches and a ``match.recorded`` event are written in one transaction, together with flood control's hit counts
and quarantines (:mod:`basira.core.flood`), so no action fires on a hit that flood control held back. What the
caller learns of each hit is cut to its access: RED banks shared for matching only reveal their owner, never the
value, entry, labels or explanation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from basira.core import banks, flood, lookup, outbox, probing
from basira.core.db import is_read_only
from basira.core.errors import BasiraError, ConfigurationError, InvalidInput
from basira.core.fronts import default_fronts, load_ref
from basira.core.indexes import IndexManager
from basira.core.models import Bank, Item, Match, Organization, Signal, utcnow
from basira.core.principal import Principal
from basira.core.readcache import may_use_caches
from basira.core.settings import Settings
from basira.core.signals import Content, ExtractedSignal, SignalType, SignalTypeRegistry
from basira.core.visibility import Access, visible_provenance

MAX_SIGNALS_PER_ITEM = 1000


class NeedsTransaction(Exception):
    """A lookup in a read-only session (:meth:`Database.read_session`) found hits that probing control counts (and
    may quarantine, with an audit entry): run it again in a session that may write."""


@dataclass
class MatchRequest:
    """An item to match: content on disk, or signal values the caller computed, or both."""

    content: Content | None = None
    signals: list[tuple[str, str]] = field(default_factory=list)
    ref: str = ""
    content_type: str = ""
    bank_ids: list[int] | None = None
    store: bool = True


def extract(registry: SignalTypeRegistry, settings: Settings, content: Content,
            for_bank: bool = False) -> list[ExtractedSignal]:
    """Every signal that the registered types can take from ``content`` (``for_bank``: none that are query-only).

    For a bank, a type whose values came from a fast path (``details["verify_within"]``) is asked again for
    its exact values: banks and partners only ever receive those.
    """
    out: list[ExtractedSignal] = []
    for st in registry.for_content(content.content_type):
        found = st.extract(content, settings)
        if for_bank and any(provisional(s) for s in found):
            found = exact_signals(st, content, settings)
        out.extend(s for s in found if not (for_bank and s.query_only))
    return out


def bank_signals(registry: SignalTypeRegistry, settings: Settings, content: Content) -> list[ExtractedSignal]:
    """What a bank stores for ``content``: every type's exact values (none query-only), then its derived values
    (``SignalType.derive``: a photo's crops, small turns and mirror image, marked ``details["derived"]``)."""
    out = extract(registry, settings, content, for_bank=True)
    for st in registry.for_content(content.content_type):
        out.extend(st.derive(content, settings))
    return out


def bank_content(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings,
                 bank: int | str, content: Content, entry_ref: str = "",
                 labels: Sequence[str] = ()) -> list[Signal]:
    """Bank ``content`` in one of the caller's banks: one entry (``entry_ref``, else ``<content type>:<sha256>``)
    holding :func:`bank_signals`, the derived ones marked. All or nothing, as :func:`banks.add_signals`."""
    if len(entry_ref) > 300:
        raise InvalidInput("an entry reference has at most 300 characters")
    found = bank_signals(registry, settings, content)
    digest = next((s.value for s in found if s.signal_type == "sha256"), "")
    ref = entry_ref or f"{content.content_type}:{digest}"
    specs = [banks.SignalSpec(signal_type=x.signal_type, value=x.value, entry_ref=ref,
                              content_type=content.content_type, labels=list(labels), quality=x.quality,
                              details=dict(x.details) if x.details.get("derived") else {}) for x in found]
    return banks.add_signals(session, principal, registry, settings, bank, specs)


def provisional(s: ExtractedSignal) -> int:
    """The distance within which a fast-path value must be re-computed exactly (0: the value is exact)."""
    radius = s.details.get("verify_within", 0)
    return int(radius) if isinstance(radius, int) else 0


def exact_signals(st: type[SignalType], content: Content, settings: Settings) -> list[ExtractedSignal]:
    # A type that emits provisional values offers ``extract_exact`` (the photo type does).
    exact = getattr(st, "extract_exact", None)
    if exact is None:
        raise ConfigurationError(f"signal type {st.name} gives provisional values but no extract_exact")
    found: list[ExtractedSignal] = exact(content, settings)
    return found


def _settle_provisional(session: Session, registry: SignalTypeRegistry, indexes: IndexManager,
                        settings: Settings, request: MatchRequest, sigs: list[ExtractedSignal],
                        bank_ids: list[int]) -> list[ExtractedSignal]:
    """Fast-path values that land within their ``verify_within`` distance of any bank value, replaced by exact ones.

    A value far from everything cannot turn into a match at the exact value (the fast path is off by a few
    bits, far less than the margin), so only near ones cost an exact extraction: no match is lost.
    """
    near_types: set[str] = set()
    for s in sigs:
        radius = provisional(s)
        if not radius or s.signal_type in near_types or request.content is None:
            continue
        if any(found for bank_id in bank_ids
               for found in indexes.query(session, bank_id, s.signal_type, [s.value], float(radius))):
            near_types.add(s.signal_type)
    if not near_types or request.content is None:
        return sigs
    kept = [s for s in sigs if s.signal_type not in near_types or not provisional(s)]
    for name in sorted(near_types):
        kept.extend(exact_signals(registry.get(name), request.content, settings))
    return kept


def _annotations(session: Session, principal: Principal, settings: Settings, content: Content) -> dict[str, Any]:
    """What the fronts' annotators say about a matched item (see :attr:`FrontManifest.annotator`)."""
    out: dict[str, Any] = {}
    for front in default_fronts().fronts():
        if front.annotator is None:
            continue
        annotate = load_ref(front.annotator)
        if not callable(annotate):
            raise ConfigurationError(f"the annotator {front.annotator!r} of front {front.name} is not callable")
        found = annotate(session, principal, settings, content)
        if isinstance(found, dict):
            out.update(found)
    return out


def item_signals(registry: SignalTypeRegistry, settings: Settings,
                 request: MatchRequest) -> list[ExtractedSignal]:
    sigs = extract(registry, settings, request.content) if request.content else []
    for name, value in request.signals:
        sigs.append(ExtractedSignal(registry.get(name).name, registry.validate(name, value)))
    if not sigs:
        raise InvalidInput("the item has no signals: send content or signal values")
    if len(sigs) > MAX_SIGNALS_PER_ITEM:
        raise InvalidInput(f"at most {MAX_SIGNALS_PER_ITEM} signals per item")
    return sigs


def _flags(registry: SignalTypeRegistry, settings: Settings, s: ExtractedSignal) -> dict[str, Any]:
    d: dict[str, Any] = {"signal_type": s.signal_type, "value": s.value}
    if s.quality is not None:
        d["quality"] = s.quality
        floor = registry.get(s.signal_type).quality_floor(settings)
        if floor is not None and s.quality < floor:
            d["low_quality"] = True
    if s.details:
        d["details"] = s.details
    return d


def match_item(session: Session, principal: Principal, registry: SignalTypeRegistry, indexes: IndexManager,
               settings: Settings, request: MatchRequest) -> dict[str, Any]:
    """Match one item and return the JSON-ready result (and store it unless ``request.store`` is False)."""
    return match_items(session, registry, indexes, settings, [(principal, request)])[0]


def match_items(session: Session, registry: SignalTypeRegistry, indexes: IndexManager, settings: Settings,
                requests: Sequence[tuple[Principal, MatchRequest]]) -> list[dict[str, Any]]:
    """Match several items in the caller's transaction, one result each, in order.

    Each item is looked up on its own, the rows of every item's hits read together (one round trip); what the
    storing ones write (items, matches, flood counts, events) is then written together: one multi-row INSERT per
    table and flood counts added in signal order (two batches that count the same signals take their row locks in
    the same order, so they never deadlock). The results are the same as matching the items one by one.
    """
    found = [_find(session, principal, registry, indexes, settings, request) for principal, request in requests]
    _locate(session, registry, indexes, found)
    rows = lookup.rows_by_id(session, {h[3] for f in found for h in f.raw})
    prepared = [_prepare(session, registry, indexes, settings, f, rows) for f in found]
    _record(session, settings, [p for p in prepared if p.item is not None])
    return [p.result() for p in prepared]


#: What one item of :func:`lookup_items` may fail with on its own (the others are answered): its input, the
#: caller's role, or hits that need a session that may write.
ItemError = BasiraError | NeedsTransaction


def lookup_items(session: Session, registry: SignalTypeRegistry, indexes: IndexManager, settings: Settings,
                 requests: Sequence[tuple[Principal, MatchRequest]]) -> list[dict[str, Any] | ItemError]:
    """Look several items up (none stored) in one read-only session (:meth:`Database.read_session`), one result
    each, in order, as :func:`match_items` would give them one by one; an item that fails with an
    :data:`ItemError` has the error for its result (:class:`NeedsTransaction`: match it again in a session that
    may write). Any other error (the database) is raised for the whole group."""
    if any(r.store for _, r in requests):
        raise ValueError("lookup_items stores nothing: every request has store=False")
    found: list[_Found | ItemError] = []
    for principal, request in requests:
        try:
            found.append(_find(session, principal, registry, indexes, settings, request))
        except (BasiraError, NeedsTransaction) as e:
            found.append(e)
    _locate(session, registry, indexes, [f for f in found if isinstance(f, _Found)])
    rows = lookup.rows_by_id(session, {h[3] for f in found if isinstance(f, _Found) for h in f.raw})
    out: list[dict[str, Any] | ItemError] = []
    for f in found:
        if not isinstance(f, _Found):
            out.append(f)
            continue
        try:
            out.append(_prepare(session, registry, indexes, settings, f, rows).result())
        except (BasiraError, NeedsTransaction) as e:
            out.append(e)
    return out


@dataclass
class _Found:
    """One item to look up: its signals and the banks it is matched against; then what the indexes found
    (:func:`_locate`), before the hits' rows are read."""

    principal: Principal
    request: MatchRequest
    now: dt.datetime
    sigs: list[ExtractedSignal]
    banks: list[tuple[Bank, Access]]
    cached: bool
    raw: list[lookup.RawHit] = field(default_factory=list)


def _locate(session: Session, registry: SignalTypeRegistry, indexes: IndexManager, found: Sequence[_Found]) -> None:
    """Every item's index hits, each index asked once for the values of all of them."""
    for f, raw in zip(found, lookup.find_many(session, registry, indexes, [(f.banks, f.sigs) for f in found]),
                      strict=True):
        f.raw = raw


@dataclass
class _Prepared:
    """One item looked up, with what storing it writes."""

    principal: Principal
    request: MatchRequest
    now: dt.datetime
    signals: list[dict[str, Any]]
    hits: list[lookup.BankHit]
    rows: list[dict[str, Any]]
    explanations: list[dict[str, Any]]
    suppressed: bool
    #: The item's row when it is stored (``items``' columns), and its id once written.
    item: dict[str, Any] | None
    item_id: int | None = None

    def result(self) -> dict[str, Any]:
        return {
            "item": {"id": self.item_id, "ref": self.request.ref, "signals": self.signals},
            "matched": any(not m["suppressed"] and not m["quarantined"] and not m["bank"]["negative"]
                           for m in self.rows),
            "suppressed": self.suppressed,
            "matches": self.rows,
        }


def _find(session: Session, principal: Principal, registry: SignalTypeRegistry, indexes: IndexManager,
          settings: Settings, request: MatchRequest) -> _Found:
    principal.require_match()
    sigs = item_signals(registry, settings, request)
    now = utcnow()
    # What every request reads comes from the process's short-lived caches, unless this transaction wrote (or holds
    # unwritten changes to) what they hold: a caller's own transaction sees its own writes. A group of storing
    # matches, which writes only items, matches and events, reads them too.
    cached = is_read_only(session) or may_use_caches(session)
    banks = lookup.matchable_banks(session, principal.org_id, request.bank_ids,
                                   cache=indexes.banks_cache if cached else None)
    # A query-side fast-path value near a bank value is replaced by the exact one before the lookup.
    sigs = _settle_provisional(session, registry, indexes, settings, request, sigs, [b.id for b, _ in banks])
    return _Found(principal, request, now, sigs, banks, cached)


def _prepare(session: Session, registry: SignalTypeRegistry, indexes: IndexManager, settings: Settings, found: _Found,
             signal_rows: dict[int, tuple[lookup.HitSignal, lookup.HitEntry]]) -> _Prepared:
    """``found`` with its hits' ``signal_rows`` (by signal id: :func:`lookup.rows_by_id`): the answer, and what storing
    it writes."""
    principal, request, now, sigs, cached = found.principal, found.request, found.now, found.sigs, found.cached
    hits = lookup.resolve(found.raw, signal_rows, now)
    if is_read_only(session) and any(h.access == Access.MATCH_ONLY for h in hits):
        raise NeedsTransaction
    # A match-only signal probed for its value (or quarantined) answers nobody who may only match it.
    hidden = probing.watch(session, registry, settings, principal.org_id, hits, now)
    hits = [h for h in hits if not (h.access == Access.MATCH_ONLY and h.signal.id in hidden)]
    owners = lookup.organizations(session, indexes.owners_cache if cached else None) if hits else {}

    notes = _annotations(session, principal, settings, request.content) if hits and request.content else {}
    suppressed = any(h.bank.negative for h in hits)
    # A signal quarantined before this item holds its hit back; one this item quarantines does not (yet).
    quarantined = {h.signal.id for h in hits if h.signal.quarantined_at is not None}
    item: dict[str, Any] | None = None
    if request.store:
        item = {"org_id": principal.org_id, "ref": request.ref[:300], "submitted_by": principal.actor,
                "content_type": request.content_type or (request.content.content_type if request.content else
                                                         "signals"),
                "signals": [_flags(registry, settings, s) for s in sigs], "created_at": now}

    hits = sorted(hits, key=lambda h: (h.distance, h.bank.id, h.signal.id))
    rows: list[dict[str, Any]] = []
    explanations: list[dict[str, Any]] = []
    for h in hits:
        bank, sig = h.bank, h.signal
        row = _describe(h, owners)
        row["suppressed"] = suppressed and not bank.negative
        row["quarantined"] = sig.id in quarantined
        explanation: dict[str, Any] = {"distance": h.distance,
                                       "threshold": lookup.threshold(registry, bank, sig.signal_type)}
        if h.access != Access.MATCH_ONLY:
            extra = {**(registry.get(sig.signal_type).explain(h.query.value, sig.value, settings) or {}),
                     **_variants(h), **notes}
            if extra:
                row["explanation"] = extra
                explanation.update(extra)
        rows.append(row)
        explanations.append(explanation)
    return _Prepared(principal=principal, request=request, now=now,
                     signals=[_flags(registry, settings, s) for s in sigs], hits=hits, rows=rows,
                     explanations=explanations, suppressed=suppressed, item=item)


#: Items and matches written by Core multi-row INSERTs, their ids read back in the order of the rows.
_ITEMS = cast(Table, Item.__table__)
_MATCHES = cast(Table, Match.__table__)
_INSERT_ITEMS = insert(_ITEMS).returning(_ITEMS.c.id, sort_by_parameter_order=True)
_INSERT_MATCHES = insert(_MATCHES).returning(_MATCHES.c.id, sort_by_parameter_order=True)


def _record(session: Session, settings: Settings, prepared: Sequence[_Prepared]) -> None:
    """Write the items of ``prepared`` (all storing), their matches, flood counts and ``match.recorded`` events.

    Items and matches go in as rows (one multi-row INSERT ... RETURNING each), not ORM objects: the ORM's unit of
    work cost more CPU than the rest of a storing match (docs/benchmarks.md, issue 20)."""
    if not prepared:
        return
    conn = session.connection()
    item_ids = conn.execute(_INSERT_ITEMS, [p.item for p in prepared if p.item is not None]).scalars().all()
    for p, item_id in zip(prepared, item_ids, strict=True):
        p.item_id = int(item_id)
    stored: list[list[tuple[dict[str, Any], bool]]] = []
    for p in prepared:
        mine: list[tuple[dict[str, Any], bool]] = []
        for h, row, explanation in zip(p.hits, p.rows, p.explanations, strict=True):
            m = {"item_id": p.item_id, "org_id": p.principal.org_id, "signal_id": h.signal.id, "bank_id": h.bank.id,
                 "entry_id": h.entry.id, "signal_type": h.signal.signal_type, "query_value": h.query.value,
                 "distance": h.distance, "suppressed": row["suppressed"] or h.bank.negative or row["quarantined"],
                 "explanation": explanation, "created_at": p.now}
            mine.append((m, row["quarantined"]))
        stored.append(mine)
    rows = [m for mine in stored for m, _ in mine]
    if rows:
        for m, match_id in zip(rows, conn.execute(_INSERT_MATCHES, rows).scalars().all(), strict=True):
            m["id"] = int(match_id)
    # Negative banks' signals match common harmless content by design: they are not flood-controlled.
    counted: list[tuple[lookup.HitSignal, Bank, int]] = []
    for p, mine in zip(prepared, stored, strict=True):
        if mine:
            once = {h.signal.id: (h.signal, h.bank) for h in p.hits if not h.bank.negative}
            counted.extend((sig, bank, flood.hour_of(p.now)) for sig, bank in once.values())
    flood.record_batch(session, settings, counted, max(p.now for p in prepared))
    events: list[tuple[str, dict[str, Any], int | None]] = []
    for p, mine in zip(prepared, stored, strict=True):
        if not mine:
            continue
        assert p.item is not None
        active = [m for m, q in mine if not m["suppressed"]]
        events.append(("match.recorded", {
            "item_id": p.item_id, "item_ref": p.item["ref"], "content_type": p.item["content_type"],
            "match_ids": [m["id"] for m in active],
            "suppressed_match_ids": [m["id"] for m, q in mine if m["suppressed"] and not q],
            "quarantined_match_ids": [m["id"] for m, q in mine if q],
            "bank_ids": sorted({m["bank_id"] for m in active}), "suppressed": p.suppressed,
        }, p.principal.org_id))
    outbox.emit_many(session, events, ids=False)


def _variants(hit: lookup.BankHit) -> dict[str, Any]:
    """Which edit of the banked content (``bank_derived``) and which part of the query (``query_variant``) met."""
    out: dict[str, Any] = {}
    derived = (hit.signal.details or {}).get("derived") if hit.signal.derived else None
    if derived:
        out["bank_derived"] = str(derived)
    variant = hit.query.details.get("variant")
    if variant:
        out["query_variant"] = str(variant)
    return out


def _describe(hit: lookup.BankHit, owners: dict[int, Organization]) -> dict[str, Any]:
    bank, sig, entry = hit.bank, hit.signal, hit.entry
    owner = owners.get(bank.org_id)
    bank_view: dict[str, Any] = {"owner": owner.slug if owner else None, "tlp": bank.tlp, "negative": bank.negative}
    if hit.access == Access.MATCH_ONLY:
        return {"bank": bank_view, "signal_type": sig.signal_type, "query_value": hit.query.value,
                "distance": None, "entry": None, "signal": None,
                "note": f"a {bank.tlp} signal of {bank_view['owner']} matched"}
    bank_view.update({"id": bank.id, "name": bank.name})
    return {
        "bank": bank_view,
        "signal_type": sig.signal_type,
        "query_value": hit.query.value,
        "distance": hit.distance,
        "entry": {"id": entry.id, "ref": entry.ref, "content_type": entry.content_type,
                  "attributes": entry.attributes},
        "signal": {"id": sig.id, "value": sig.value, "labels": sig.labels,
                   "provenance": visible_provenance(sig.provenance, hit.access)},
    }


def recent_matches(session: Session, principal: Principal, limit: int = 20) -> list[tuple[Match, Bank, Item]]:
    rows = session.execute(
        select(Match, Bank, Item).join(Bank, Bank.id == Match.bank_id).join(Item, Item.id == Match.item_id)
        .where(Match.org_id == principal.org_id).order_by(Match.id.desc()).limit(limit)).all()
    return [(m, b, i) for m, b, i in rows]
