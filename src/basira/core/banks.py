"""Banks, their entries and signals, and sharing: every read goes through :mod:`basira.core.visibility`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from basira.core import audit, outbox, pgcopy, readcache
from basira.core.errors import Conflict, InvalidInput, LowQuality, NotFound
from basira.core.exercise import refuse_crossing
from basira.core.indexes import record_change
from basira.core.models import (
    TLP,
    Bank,
    BankShare,
    Entry,
    Organization,
    SharingGroup,
    Signal,
    SignalChange,
    as_id,
    as_utc,
    utcnow,
    value_digest,
)
from basira.core.pgcopy import copy_rows
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry, content_types
from basira.core.visibility import Access, Visibility, restricted_bank_ids


def parse_tlp(value: str) -> TLP:
    norm = value.strip().upper().replace("TLP:", "").replace("WHITE", "CLEAR")
    try:
        return TLP(norm)
    except ValueError:
        raise InvalidInput(f"unknown TLP marking {value!r} (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)") from None


@dataclass
class BankSpec:
    """What a caller may set on a bank; None leaves a field as it is on update."""

    name: str | None = None
    description: str | None = None
    tlp: str | None = None
    negative: bool | None = None
    thresholds: dict[str, float] | None = None
    enabled: bool | None = None
    share_derived: bool | None = None


def _check_thresholds(registry: SignalTypeRegistry, thresholds: dict[str, float]) -> dict[str, float]:
    return {name: registry.get(name).check_threshold(float(v)) for name, v in thresholds.items()}


def create_bank(session: Session, principal: Principal, registry: SignalTypeRegistry, spec: BankSpec) -> Bank:
    principal.require_bank_write()
    name = (spec.name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("a bank name has 1-200 characters")
    if session.scalar(select(Bank).where(Bank.org_id == principal.org_id, Bank.name == name)):
        raise Conflict(f"bank {name!r} exists")
    bank = Bank(org_id=principal.org_id, name=name, description=spec.description or "",
                tlp=parse_tlp(spec.tlp or "AMBER").value, negative=bool(spec.negative),
                thresholds=_check_thresholds(registry, spec.thresholds or {}),
                enabled=True if spec.enabled is None else spec.enabled, share_derived=bool(spec.share_derived))
    session.add(bank)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="bank.create",
                 target=f"bank:{bank.id}", details={"name": name, "tlp": bank.tlp, "negative": bank.negative})
    return bank


def get_bank(session: Session, principal: Principal, ref: int | str, minimum: Access = Access.SEE) -> Bank:
    """A bank the caller has at least ``minimum`` access to; otherwise NotFound (never "forbidden")."""
    bank: Bank | None
    bank_id = as_id(ref)
    if bank_id is not None:
        bank = session.get(Bank, bank_id) if bank_id > 0 else None
    else:
        bank = session.scalar(select(Bank).where(Bank.org_id == principal.org_id, Bank.name == ref,
                                                 Bank.deleted_at.is_(None)))
    if bank is None or bank.deleted_at is not None or Visibility(session, principal.org_id).access(bank) < minimum:
        raise NotFound(f"no bank {ref!r}")
    return bank


def update_bank(session: Session, principal: Principal, registry: SignalTypeRegistry, ref: int | str,
                spec: BankSpec) -> Bank:
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    changes: dict[str, Any] = {}
    if spec.name is not None and spec.name != bank.name:
        if session.scalar(select(Bank).where(Bank.org_id == bank.org_id, Bank.name == spec.name)):
            raise Conflict(f"bank {spec.name!r} exists")
        bank.name = changes["name"] = spec.name
    if spec.description is not None:
        bank.description = changes["description"] = spec.description
    if spec.tlp is not None:
        bank.tlp = changes["tlp"] = parse_tlp(spec.tlp).value
    if spec.negative is not None:
        bank.negative = changes["negative"] = spec.negative
    if spec.thresholds is not None:
        bank.thresholds = changes["thresholds"] = _check_thresholds(registry, spec.thresholds)
    if spec.enabled is not None:
        bank.enabled = changes["enabled"] = spec.enabled
    if spec.share_derived is not None:
        bank.share_derived = changes["share_derived"] = spec.share_derived
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="bank.update",
                 target=f"bank:{bank.id}", details=changes)
    return bank


def delete_bank(session: Session, principal: Principal, ref: int | str) -> None:
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    for sig in session.scalars(select(Signal).where(Signal.bank_id == bank.id, Signal.enabled.is_(True))):
        sig.enabled = False
        record_change(session, sig, "remove")
    bank.enabled = False
    bank.deleted_at = utcnow()
    bank.name = f"{bank.name} (deleted {bank.id})"
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="bank.delete",
                 target=f"bank:{bank.id}")


def list_banks(session: Session, principal: Principal) -> list[tuple[Bank, Access, int]]:
    """Banks the caller may at least match against, with access and number of enabled signals."""
    vis = Visibility(session, principal.org_id)
    banks = [(b, a) for b, a in vis.banks(Access.MATCH_ONLY) if b.deleted_at is None]
    counts = dict(session.execute(
        select(Signal.bank_id, func.count()).where(Signal.enabled.is_(True)).group_by(Signal.bank_id)
    ).all())
    return [(b, a, counts.get(b.id, 0)) for b, a in banks]


def share_bank(session: Session, principal: Principal, ref: int | str, org: str | None = None,
               group: str | None = None, unshare: bool = False) -> Bank:
    """Share the bank with an organization (slug) or a sharing group (name), or stop sharing."""
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    if (org is None) == (group is None):
        raise InvalidInput("name exactly one of an organization or a sharing group")
    if org is not None:
        target = session.scalar(select(Organization).where(Organization.slug == org))
        if target is None:
            raise NotFound(f"no organization {org!r}")
        if not unshare:
            refuse_crossing(session, bank.org_id, target.id, f"bank {bank.name!r} cannot be shared with {org!r}")
        existing = [s for s in bank.shares if s.org_id == target.id]
        if unshare:
            for s in existing:
                bank.shares.remove(s)
        elif not existing:
            bank.shares.append(BankShare(org_id=target.id))
        what = f"org:{target.id}"
    else:
        g = session.scalar(select(SharingGroup).where(SharingGroup.owner_org_id == principal.org_id,
                                                      SharingGroup.name == group))
        if g is None:
            raise NotFound(f"no sharing group {group!r}")
        if not unshare:
            for m in g.members:
                refuse_crossing(session, bank.org_id, m.org_id, f"bank {bank.name!r} cannot go to group {group!r}")
        existing = [s for s in bank.shares if s.group_id == g.id]
        if unshare:
            for s in existing:
                bank.shares.remove(s)
        elif not existing:
            bank.shares.append(BankShare(group_id=g.id))
        what = f"group:{g.id}"
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor,
                 action="bank.unshare" if unshare else "bank.share", target=f"bank:{bank.id}",
                 details={"with": what})
    return bank


@dataclass(frozen=True)
class ShareTarget:
    """An organization or a sharing group a bank is shared with (the other half is None)."""

    org_id: int | None = None
    org_slug: str | None = None
    group_id: int | None = None
    group_name: str | None = None


def shares_of(session: Session, bank: Bank) -> list[ShareTarget]:
    """Whom ``bank`` is shared with, in the order the shares were made; for its owner's eyes only."""
    out = []
    for share in bank.shares:
        if share.org_id is not None:
            org = session.get(Organization, share.org_id)
            out.append(ShareTarget(org_id=share.org_id, org_slug=org.slug if org else None))
        elif share.group_id is not None:
            group = session.get(SharingGroup, share.group_id)
            out.append(ShareTarget(group_id=share.group_id, group_name=group.name if group else None))
    return out


def signal_count(session: Session, bank_id: int) -> int:
    """How many enabled signals the bank holds (counted in the database: a bank may hold millions)."""
    return session.scalar(select(func.count()).select_from(Signal).where(
        Signal.bank_id == bank_id, Signal.enabled.is_(True))) or 0


def signal_counts(session: Session, bank_id: int) -> dict[str, int]:
    """How many enabled signals the bank holds of each signal type, by type name."""
    rows = session.execute(select(Signal.signal_type, func.count()).where(
        Signal.bank_id == bank_id, Signal.enabled.is_(True)).group_by(Signal.signal_type)).all()
    return {t: int(n) for t, n in sorted(rows)}


@dataclass
class SignalSpec:
    """One signal to add to a bank, with the entry it belongs to."""

    signal_type: str
    value: str
    entry_ref: str = ""
    content_type: str = ""
    labels: list[str] = field(default_factory=list)
    provenance: str = ""
    quality: int | None = None
    expires_at: dt.datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    #: ``{"derived": edit name}`` for a hash of an edit of the entry's content (``SignalType.derive``).
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def derived(self) -> bool:
        return bool(self.details.get("derived"))


def _entry(session: Session, bank: Bank, ref: str, content_type: str, attributes: dict[str, Any]) -> Entry:
    entry = session.scalar(select(Entry).where(Entry.bank_id == bank.id, Entry.ref == ref))
    if entry is None:
        if content_type not in content_types():
            raise InvalidInput(f"unknown content type {content_type!r}")
        entry = Entry(bank_id=bank.id, ref=ref, content_type=content_type, attributes=attributes)
        session.add(entry)
        session.flush()
    elif attributes:
        entry.attributes = {**entry.attributes, **attributes}
    return entry


def validate_spec(registry: SignalTypeRegistry, settings: Settings, spec: SignalSpec) -> SignalSpec:
    """Canonicalise a spec, or raise with the reason; nothing is written."""
    st = registry.get(spec.signal_type)
    value = st.validate(spec.value)
    if spec.quality is not None:
        floor = st.quality_floor(settings)
        if floor is not None and spec.quality < floor:
            raise LowQuality(f"{st.name} quality {spec.quality} is below the floor {floor}")
    # (Called for every signal of a batch of 10,000: nothing is built for the usual spec without labels.)
    labels = sorted({x for x in (str(x).strip() for x in spec.labels) if x}) if spec.labels else []
    if labels and (len(labels) > 50 or max(map(len, labels)) > 100):
        raise InvalidInput("at most 50 labels of at most 100 characters")
    if len(spec.entry_ref) > 300 or len(spec.provenance) > 300:
        raise InvalidInput("an entry reference or a provenance has at most 300 characters")
    content_type = spec.content_type or st.default_content_type
    return SignalSpec(signal_type=st.name, value=value, entry_ref=spec.entry_ref or f"{st.name}:{value[:64]}",
                      content_type=content_type, labels=labels, provenance=spec.provenance,
                      quality=spec.quality, expires_at=spec.expires_at, attributes=spec.attributes,
                      details=dict(spec.details))


def add_signals(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings,
                ref: int | str, specs: Sequence[SignalSpec], *, audit_each: bool = True) -> list[Signal]:
    """Add signals (validated first, all or none); an existing (entry, type, value) is updated, not doubled."""
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    clean = [validate_spec(registry, settings, s) for s in specs]
    origins = copied_from(session, bank.org_id, [(c.signal_type, c.value) for c in clean])
    out: list[Signal] = []
    for spec in clean:
        entry = _entry(session, bank, spec.entry_ref, spec.content_type, spec.attributes)
        sig = session.scalar(select(Signal).where(Signal.entry_id == entry.id,
                                                  Signal.signal_type == spec.signal_type,
                                                  Signal.value == spec.value))
        if sig is None:
            origin = origins.get((spec.signal_type, spec.value))
            sig = Signal(entry_id=entry.id, bank_id=bank.id, signal_type=spec.signal_type, value=spec.value,
                         labels=spec.labels, provenance=origin or spec.provenance or principal.actor,
                         quality=spec.quality, expires_at=spec.expires_at, enabled=True,
                         details=dict(spec.details), derived=spec.derived)
            session.add(sig)
            session.flush()
            record_change(session, sig, "add")
        else:
            sig.labels = sorted(set(sig.labels) | set(spec.labels))
            if sig.derived and not spec.derived:
                # The same value given as a plain one (a partner's hash, say) is plain from now on.
                sig.derived, sig.details = False, {}
            if not sig.enabled:
                sig.enabled = True
                record_change(session, sig, "add")
        out.append(sig)
        if audit_each:
            audit.record(session, org_id=principal.org_id, actor=principal.actor, action="signal.add",
                         target=f"signal:{sig.id}", details={"bank": bank.id, "type": sig.signal_type})
    if out:
        outbox.emit(session, "signal.added", {"bank_id": bank.id, "signal_ids": [s.id for s in out][:1000],
                                              "count": len(out)}, org_id=principal.org_id)
    return out


def _own_signal(session: Session, principal: Principal, signal_id: int) -> Signal:
    sig = session.get(Signal, signal_id)
    # One answer whether the signal does not exist or is another organization's: naming its bank would tell.
    bank = session.get(Bank, sig.bank_id) if sig is not None else None
    if sig is None or bank is None or bank.org_id != principal.org_id or bank.deleted_at is not None:
        raise NotFound(f"no signal {signal_id}")
    return sig


_COPY_BATCH = 500


def copied_from(session: Session, org_id: int, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Which of ``pairs`` (signal type, value) are also values of an AMBER+STRICT or RED bank of another
    organization shared with ``org_id`` for matching only, each with the provenance a copy of it carries."""
    restricted = restricted_bank_ids(session, org_id)
    if not restricted or not pairs:
        return {}
    found: dict[tuple[str, str], str] = {}
    wanted = set(pairs)
    values = sorted({v for _, v in wanted})
    for start in range(0, len(values), _COPY_BATCH):
        rows = session.execute(
            select(Signal.signal_type, Signal.value, Bank.tlp, Organization.slug)
            .join(Bank, Bank.id == Signal.bank_id).join(Organization, Organization.id == Bank.org_id)
            .where(Signal.bank_id.in_(restricted), Signal.value.in_(values[start:start + _COPY_BATCH])))
        for st, value, tlp, slug in rows:
            if (st, value) in wanted:
                found.setdefault((st, value), f"copy of a TLP:{tlp} signal of {slug}; never passed on"[:300])
    return found


def set_signal_enabled(session: Session, principal: Principal, signal_id: int, enabled: bool) -> Signal:
    principal.require_bank_write()
    sig = _own_signal(session, principal, signal_id)
    if sig.enabled != enabled:
        sig.enabled = enabled
        record_change(session, sig, "add" if enabled else "remove")
        audit.record(session, org_id=principal.org_id, actor=principal.actor,
                     action="signal.enable" if enabled else "signal.disable", target=f"signal:{sig.id}")
        outbox.emit(session, "signal.enabled" if enabled else "signal.disabled",
                    {"bank_id": sig.bank_id, "signal_id": sig.id}, org_id=principal.org_id)
    return sig


def release_signal(session: Session, principal: Principal, signal_id: int) -> Signal:
    """Let a signal that flood control quarantined match in full again (a signal not quarantined is unchanged).

    Its hits from now on count again as matches; those stored while it was quarantined stay suppressed.
    """
    principal.require_bank_write()
    sig = _own_signal(session, principal, signal_id)
    if sig.quarantined_at is not None:
        since = sig.quarantined_at
        sig.quarantined_at = None
        audit.record(session, org_id=principal.org_id, actor=principal.actor, action="signal.release",
                     target=f"signal:{sig.id}", details={"quarantined_at": since.isoformat()})
        outbox.emit(session, "signal.released", {"bank_id": sig.bank_id, "signal_id": sig.id},
                    org_id=principal.org_id)
        session.flush()
    return sig


def remove_signal(session: Session, principal: Principal, signal_id: int) -> None:
    """Remove a signal from matching for good (the row stays, disabled, for the matches that cite it)."""
    principal.require_bank_write()
    sig = _own_signal(session, principal, signal_id)
    if sig.enabled:
        sig.enabled = False
        record_change(session, sig, "remove")
    sig.labels = sorted(set(sig.labels) | {"removed"})
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="signal.remove",
                 target=f"signal:{sig.id}")
    outbox.emit(session, "signal.removed", {"bank_id": sig.bank_id, "signal_id": sig.id},
                org_id=principal.org_id)


def list_signals(session: Session, principal: Principal, ref: int | str, *, after_id: int = 0,
                 limit: int = 100, signal_type: str | None = None,
                 include_disabled: bool = False, leaving: bool = False) -> list[tuple[Signal, Entry]]:
    """Signals of a bank the caller may see (RED and AMBER+STRICT banks shared for matching only are not
    listable); ``leaving``: for an export, without the values copied from such banks (:func:`not_copied`)."""
    bank = get_bank(session, principal, ref, Access.SEE)
    if include_disabled:
        # Disabled and removed signals are the owner's business alone.
        get_bank(session, principal, bank.id, Access.OWNER)
    q = (select(Signal, Entry).join(Entry, Entry.id == Signal.entry_id)
         .where(Signal.bank_id == bank.id, Signal.id > after_id).order_by(Signal.id).limit(min(limit, 10_000)))
    if signal_type:
        q = q.where(Signal.signal_type == signal_type)
    if not include_disabled:
        q = q.where(Signal.enabled.is_(True))
    if leaving and (clause := not_copied(session, bank.org_id)) is not None:
        q = q.where(clause)
    return [(s, e) for s, e in session.execute(q)]


SignalKey = tuple[str, str, str]
_CHUNK = 500


@dataclass(slots=True)
class NewSignal:
    """A signal that a batch inserted into an entry it also inserted, with what both were written with, as they read
    back: all an answer shows of them, without reading them back. (Not frozen: a frozen dataclass's ``__init__``
    cost more than the rest of a batch's bookkeeping; it shares the lists and dicts of the specs.)"""

    id: int
    bank_id: int
    signal_type: str
    value: str
    labels: list[str]
    provenance: str
    quality: int | None
    expires_at: dt.datetime | None
    created_at: dt.datetime
    entry_id: int
    entry_ref: str
    content_type: str
    attributes: dict[str, Any]
    enabled: bool = True
    derived: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    quarantined_at: dt.datetime | None = None


@dataclass
class BatchResult:
    """What :func:`add_signals_batch` did: the signal id of every key given, and how many were new or enabled."""

    ids: dict[SignalKey, int] = field(default_factory=dict)
    added: int = 0
    enabled_again: int = 0
    #: The signals inserted into entries the batch inserted, by id (see :class:`NewSignal`).
    new: dict[int, NewSignal] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.added + self.enabled_again


def add_signals_batch(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings,
                      ref: int | str, specs: Sequence[SignalSpec], *, validated: bool = False) -> BatchResult:
    """:func:`add_signals` for many signals at once, with the same rules (validated first, all or none; an existing
    (entry, type, value) is updated, not doubled; a disabled one is enabled again), written with set-based
    statements: entries and signals looked up 500 keys a query, the new ones inserted in bulk, the change log in
    bulk, one ``signal.added`` event. No audit entry per signal: the caller records one for the whole import.

    ``validated`` skips :func:`validate_spec` for specs that already went through it (importers check each value
    as they read it, to refuse it alone rather than the whole batch).
    """
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    clean = list(specs) if validated else [validate_spec(registry, settings, s) for s in specs]
    merged: dict[SignalKey, SignalSpec] = {}
    for spec in clean:  # one key twice in a batch: one signal, the labels of both
        key = (spec.entry_ref, spec.signal_type, spec.value)
        seen = merged.get(key)
        merged[key] = spec if seen is None else SignalSpec(
            spec.signal_type, spec.value, spec.entry_ref, spec.content_type,
            sorted(set(seen.labels) | set(spec.labels)), seen.provenance, spec.quality, spec.expires_at,
            {**seen.attributes, **spec.attributes})
    result = BatchResult()
    if not merged:
        return result
    keys = list(merged)
    # A value also held in a bank this organization may match but never pass on keeps that provenance.
    origins = copied_from(session, bank.org_id, [(k[1], k[2]) for k in keys])
    now = utcnow()
    if len(merged) >= COPY_MIN_ROWS and session.get_bind().dialect.name == "postgresql":
        _write_batch_copy(session, principal, bank, merged, origins, now, result)
        _emit_added(session, principal, bank, result)
        return result
    entries, created = _entries_batch(session, bank, list(merged.values()))
    changes: list[dict[str, Any]] = []
    refs = {v: k for k, v in entries.items()}
    for start in range(0, len(keys), _CHUNK):
        part = keys[start:start + _CHUNK]
        existing: dict[SignalKey, Signal] = {}
        for sig in session.scalars(select(Signal).where(Signal.entry_id.in_({entries[k[0]] for k in part}),
                                                        Signal.value.in_([k[2] for k in part]))):
            key = (refs[sig.entry_id], sig.signal_type, sig.value)
            if key in merged:
                existing[key] = sig
        fresh = [k for k in part if k not in existing]
        for k, sig in existing.items():
            _update_existing(sig, merged[k], bank, now, result, changes)
            result.ids[k] = sig.id
        if fresh:
            session.flush()
            rows = [{"entry_id": entries[k[0]], "bank_id": bank.id, "signal_type": k[1], "value": k[2],
                     "labels": merged[k].labels,
                     "provenance": origins.get((k[1], k[2])) or merged[k].provenance or principal.actor,
                     "quality": merged[k].quality, "expires_at": merged[k].expires_at, "enabled": True,
                     "created_at": now, "updated_at": now} for k in fresh]
            # A plain executemany (no RETURNING), the ids read back: a multi-row INSERT ... RETURNING of thousands
            # of rows costs psycopg more in parsing its placeholders than the database in writing them.
            session.execute(insert(cast(Table, Signal.__table__)), rows)
            wanted = set(fresh)
            for sid, entry_id, stype, value in session.execute(
                    select(Signal.id, Signal.entry_id, Signal.signal_type, Signal.value).where(
                        Signal.entry_id.in_({entries[k[0]] for k in fresh}), Signal.value.in_([k[2] for k in fresh]))):
                key = (refs[entry_id], stype, value)
                if key not in wanted:
                    continue
                result.ids[key] = sid
                changes.append({"signal_id": sid, "bank_id": bank.id, "signal_type": stype, "op": "add",
                                "created_at": now})
                if key[0] in created:
                    _note_new(result, sid, entries[key[0]], created[key[0]], merged[key], bank, now,
                              origins.get((stype, value)) or merged[key].provenance or principal.actor)
            result.added += len(fresh)
    if changes:
        session.execute(insert(cast(Table, SignalChange.__table__)), changes)
    _emit_added(session, principal, bank, result)
    return result


def _note_new(result: BatchResult, signal_id: int, entry_id: int, entry: SignalSpec, spec: SignalSpec, bank: Bank,
              now: dt.datetime, provenance: str) -> None:
    """Keep what a new signal of a new entry was written with (``entry``: the spec its entry was written from)."""
    result.new[signal_id] = NewSignal(
        signal_id, bank.id, spec.signal_type, spec.value, spec.labels, provenance, spec.quality,
        as_utc(spec.expires_at) if spec.expires_at is not None else None, now, entry_id, entry.entry_ref,
        entry.content_type, entry.attributes)


def _emit_added(session: Session, principal: Principal, bank: Bank, result: BatchResult) -> None:
    if result.changed:
        outbox.emit(session, "signal.added", {"bank_id": bank.id, "signal_ids": list(result.ids.values())[:1000],
                                              "count": len(result.ids)}, org_id=principal.org_id)


def _update_existing(sig: Signal, spec: SignalSpec, bank: Bank, now: dt.datetime, result: BatchResult,
                     changes: list[dict[str, Any]]) -> None:
    """A signal given again: the labels of both, plain if given as a plain value, enabled again if it was not."""
    labels = sorted(set(sig.labels) | set(spec.labels))
    if labels != sig.labels:
        sig.labels = labels
    if sig.derived and not spec.derived:
        sig.derived, sig.details = False, {}  # given as a plain value (a partner's hash): plain from now on
    if not sig.enabled:
        sig.enabled = True
        result.enabled_again += 1
        changes.append({"signal_id": sig.id, "bank_id": bank.id, "signal_type": sig.signal_type,
                        "op": "add", "created_at": now})


#: From this many signals in one batch, PostgreSQL gets them by ``COPY`` (:func:`_write_batch_copy`).
COPY_MIN_ROWS = 200

# The batch's keys, in a temporary table of the connection emptied at every commit.
_KEYS_TABLE = "basira_batch_keys"
_KEYS_CREATE = ("CREATE TEMPORARY TABLE IF NOT EXISTS basira_batch_keys (ref text NOT NULL, signal_type text NOT NULL, "
                "digest text NOT NULL) ON COMMIT DELETE ROWS")
_KEYS_EMPTY = "DELETE FROM basira_batch_keys"
_ENTRY_IDS = "SELECT DISTINCT e.ref, e.id FROM basira_batch_keys k JOIN entries e ON e.bank_id = %s AND e.ref = k.ref"
_SIGNAL_IDS = ("SELECT s.id, k.ref, s.signal_type, s.value FROM basira_batch_keys k "
               "JOIN entries e ON e.bank_id = %s AND e.ref = k.ref "
               "JOIN signals s ON s.entry_id = e.id AND s.signal_type = k.signal_type AND s.value_digest = k.digest")


_SEQUENCE = "SELECT pg_get_serial_sequence(%s, 'id')"
_NEXT_IDS = "SELECT nextval(%s::regclass) FROM generate_series(1, %s)"


def _next_ids(cur: Any, table: str, n: int) -> list[int]:
    """``n`` new ids from the sequence of ``table``'s ``id``, ascending: rows written by ``COPY`` with their ids
    need no query to find them again. (The sequence is looked up first: named in the query, it was looked up for
    every id and took longer than the rows' ``COPY``.)"""
    cur.execute(_SEQUENCE, (table,))
    (sequence,) = cur.fetchone()
    cur.execute(_NEXT_IDS, (sequence, n))
    return sorted(row[0] for row in cur.fetchall())


def _write_batch_copy(session: Session, principal: Principal, bank: Bank, merged: dict[SignalKey, SignalSpec],
                      origins: dict[tuple[str, str], str], now: dt.datetime, result: BatchResult) -> None:
    """:func:`add_signals_batch`'s writes on PostgreSQL, in the session's transaction, with the same outcome: the
    batch's keys go by ``COPY`` into a temporary table, existing entries and signals are found by joining it (one
    query each, not one per 500 keys), and the new entries, signals and change-log rows go in by ``COPY`` with ids
    taken from their sequences beforehand."""
    known = content_types()
    first: dict[str, SignalSpec] = {}
    for spec in merged.values():
        first.setdefault(spec.entry_ref, spec)
    digests = {k: value_digest(k[2]) for k in merged}
    stamp, as_text = pgcopy.timestamp(now), pgcopy.JsonTexts()
    # The bank (perhaps new in this transaction) and anything pending are flushed before the raw cursor.
    with pgcopy.cursor(session) as cur:
        # The raw cursor writes around SQLAlchemy: mark it for the read caches (basira.core.readcache).
        session.info["basira_wrote"] = True
        readcache.bump()
        cur.execute(_KEYS_CREATE)
        cur.execute(_KEYS_EMPTY)
        copy_rows(cur, _KEYS_TABLE, ("ref", "signal_type", "digest"),
                  ((k[0], k[1], digest) for k, digest in digests.items()))
        cur.execute(_ENTRY_IDS, (bank.id,))
        entries: dict[str, int] = dict(cur.fetchall())
        # Only an entry that was there before can hold one of the batch's signals already.
        found = _found_signals(cur, bank, merged) if entries else {}
        with_attributes = [entries[r] for r, spec in first.items() if r in entries and spec.attributes]
        for start in range(0, len(with_attributes), _CHUNK):
            for entry in session.scalars(select(Entry).where(Entry.id.in_(with_attributes[start:start + _CHUNK]))):
                entry.attributes = {**entry.attributes, **first[entry.ref].attributes}
        missing = [r for r in first if r not in entries]
        for r in missing:
            if first[r].content_type not in known:
                raise InvalidInput(f"unknown content type {first[r].content_type!r}")
        if missing:
            entry_ids = _next_ids(cur, "entries", len(missing))
            copy_rows(cur, "entries", ("id", "bank_id", "ref", "content_type", "attributes", "created_at",
                                       "updated_at"),
                      ((eid, bank.id, r, first[r].content_type, as_text(first[r].attributes), stamp, stamp)
                       for eid, r in zip(entry_ids, missing, strict=True)))
            entries.update(zip(missing, entry_ids, strict=True))
        changes: list[dict[str, Any]] = []
        old = list(found.values())
        by_id = {sid: k for k, sid in found.items()}
        for start in range(0, len(old), _CHUNK):
            for sig in session.scalars(select(Signal).where(Signal.id.in_(old[start:start + _CHUNK]))):
                _update_existing(sig, merged[by_id[sig.id]], bank, now, result, changes)
        result.ids.update(found)
        fresh = [k for k in merged if k not in found]
        if fresh:
            signal_ids = _next_ids(cur, "signals", len(fresh))
            provenances = [origins.get((k[1], k[2])) or merged[k].provenance or principal.actor for k in fresh]
            copy_rows(cur, "signals", ("id", "entry_id", "bank_id", "signal_type", "value", "value_digest", "labels",
                                       "provenance", "quality", "expires_at", "details", "derived", "enabled",
                                       "created_at", "updated_at"),
                      ((sid, entries[k[0]], bank.id, k[1], k[2], digests[k], as_text(merged[k].labels), provenance,
                        merged[k].quality, _expiry(merged[k]), "{}", False, True, stamp, stamp)
                       for sid, k, provenance in zip(signal_ids, fresh, provenances, strict=True)))
            created = set(missing)
            for sid, k, provenance in zip(signal_ids, fresh, provenances, strict=True):
                result.ids[k] = sid
                changes.append({"signal_id": sid, "bank_id": bank.id, "signal_type": k[1], "op": "add",
                                "created_at": now})
                if k[0] in created:
                    _note_new(result, sid, entries[k[0]], first[k[0]], merged[k], bank, now, provenance)
            result.added += len(fresh)
        if changes:
            copy_rows(cur, "signal_changes", ("signal_id", "bank_id", "signal_type", "op", "created_at"),
                      ((c["signal_id"], c["bank_id"], c["signal_type"], c["op"], stamp) for c in changes))
        cur.execute(_KEYS_EMPTY)


def _expiry(spec: SignalSpec) -> str | None:
    """A spec's expiry as ``COPY`` text, in UTC as :class:`basira.core.models.UTCDateTime` writes it (a naive one
    is UTC, not the database session's time zone)."""
    return pgcopy.timestamp(as_utc(spec.expires_at)) if spec.expires_at is not None else None


def _found_signals(cur: Any, bank: Bank, merged: dict[SignalKey, SignalSpec]) -> dict[SignalKey, int]:
    """The id of each key of the batch (in the temporary table) that the bank already holds."""
    cur.execute(_SIGNAL_IDS, (bank.id,))
    return {(ref, stype, value): sid for sid, ref, stype, value in cur.fetchall() if (ref, stype, value) in merged}


@dataclass
class AuditedBatch:
    """What :func:`add_signals_audited` wrote: the signal id of every spec, in order (a spec given twice names the
    same signal twice), and the signals it inserted into entries it inserted (:class:`NewSignal`), by id."""

    ids: list[int]
    new: dict[int, NewSignal]


def add_signals_audited(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings,
                        ref: int | str, specs: Sequence[SignalSpec]) -> AuditedBatch:
    """:func:`add_signals` for a caller's list (the API's), written as :func:`add_signals_batch` does, with one
    ``signal.add`` audit entry per signal as :func:`add_signals` records them."""
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    clean = [validate_spec(registry, settings, s) for s in specs]
    result = add_signals_batch(session, principal, registry, settings, bank.id, clean, validated=True)
    ids = [result.ids[(c.entry_ref, c.signal_type, c.value)] for c in clean]
    # One details object per signal type, shared by its entries (record_many writes each object's JSON once).
    details = {t: {"bank": bank.id, "type": t} for t in {k[1] for k in result.ids}}
    types = {result.ids[k]: details[k[1]] for k in result.ids}
    audit.record_many(session, org_id=principal.org_id, actor=principal.actor,
                      entries=[("signal.add", f"signal:{sid}", types[sid]) for sid in ids])
    return AuditedBatch(ids, result.new)


def _entries_batch(session: Session, bank: Bank,
                   specs: list[SignalSpec]) -> tuple[dict[str, int], dict[str, SignalSpec]]:
    """The id of the entry of every spec's reference in the bank, the missing ones inserted in bulk; and those
    inserted, each with the spec it was written from."""
    wanted: dict[str, SignalSpec] = {}
    for spec in specs:
        wanted.setdefault(spec.entry_ref, spec)
    found: dict[str, int] = {}
    created: dict[str, SignalSpec] = {}
    refs = list(wanted)
    known = content_types()
    for start in range(0, len(refs), _CHUNK):
        part = refs[start:start + _CHUNK]
        for entry in session.scalars(select(Entry).where(Entry.bank_id == bank.id, Entry.ref.in_(part))):
            found[entry.ref] = entry.id
            attributes = wanted[entry.ref].attributes
            if attributes:
                entry.attributes = {**entry.attributes, **attributes}
        missing = [r for r in part if r not in found]
        for r in missing:
            if wanted[r].content_type not in known:
                raise InvalidInput(f"unknown content type {wanted[r].content_type!r}")
        if missing:
            now = utcnow()
            session.flush()
            rows = [{"bank_id": bank.id, "ref": r, "content_type": wanted[r].content_type,
                     "attributes": wanted[r].attributes, "created_at": now, "updated_at": now} for r in missing]
            session.execute(insert(cast(Table, Entry.__table__)), rows)  # no RETURNING: see add_signals_batch
            created.update((r, wanted[r]) for r in missing)
            for eref, eid in session.execute(select(Entry.ref, Entry.id).where(Entry.bank_id == bank.id,
                                                                               Entry.ref.in_(missing))):
                found[eref] = eid
    return found, created


def not_copied(session: Session, org_id: int) -> ColumnElement[bool] | None:
    """A condition on :class:`Signal` that leaves out values also held in a bank whose values ``org_id`` may
    match but never pass on (its provenance follows a copied value); None when there is no such bank."""
    restricted = restricted_bank_ids(session, org_id)
    if not restricted:
        return None
    other = aliased(Signal)
    return ~exists().where(other.bank_id.in_(restricted), other.signal_type == Signal.signal_type,
                           other.value == Signal.value)


@dataclass
class RevalidateReport:
    """What :func:`revalidate` found: per signal type, values rewritten to their current canonical form, values
    merged into an equal one of the same entry, and values no longer valid (disabled), with examples."""

    checked: dict[str, int] = field(default_factory=dict)
    rewritten: dict[str, int] = field(default_factory=dict)
    merged: dict[str, int] = field(default_factory=dict)
    disabled: dict[str, int] = field(default_factory=dict)
    examples: list[tuple[str, str, str]] = field(default_factory=list)


def revalidate(session: Session, registry: SignalTypeRegistry, types: Sequence[str], *, actor: str,
               apply: bool = True, batch: int = 1000) -> RevalidateReport:
    """Bring every stored value of ``types`` (in every bank) to what its signal type's ``validate`` gives today.

    After an upgrade that changes how a type writes its values (URL rules, say), values stored before no longer
    equal the values queries are brought to. Each value is validated again: a changed one is rewritten (or, when the
    entry already holds the new value, disabled in favour of it, its labels kept), one that is no longer valid is
    disabled; each change goes through the change log, so every process's index follows. ``apply=False`` only
    counts. The operator's command (``basira bank revalidate``); audited on the instance chain.
    """
    from basira.core.errors import InvalidSignal

    report = RevalidateReport()
    for name in types:
        st = registry.get(name)
        after = 0
        while True:
            rows = list(session.scalars(select(Signal).where(Signal.signal_type == st.name, Signal.id > after,
                                                             Signal.enabled.is_(True))
                                        .order_by(Signal.id).limit(batch)))
            if not rows:
                break
            after = rows[-1].id
            for sig in rows:
                report.checked[name] = report.checked.get(name, 0) + 1
                try:
                    value = st.validate(sig.value)
                except InvalidSignal as e:
                    report.disabled[name] = report.disabled.get(name, 0) + 1
                    report.examples.append((name, sig.value[:200], f"no longer valid: {e.detail}"))
                    if apply:
                        sig.enabled = False
                        record_change(session, sig, "remove")
                    continue
                if value == sig.value:
                    continue
                twin = session.scalar(select(Signal).where(Signal.entry_id == sig.entry_id,
                                                           Signal.signal_type == st.name,
                                                           Signal.value_digest == value_digest(value)))
                if len(report.examples) < 50:
                    report.examples.append((name, sig.value[:200], value[:200]))
                if twin is not None:
                    report.merged[name] = report.merged.get(name, 0) + 1
                    if apply:
                        twin.labels = sorted(set(twin.labels) | set(sig.labels))
                        if not twin.enabled:
                            twin.enabled = True
                            record_change(session, twin, "add")
                        sig.enabled = False
                        record_change(session, sig, "remove")
                    continue
                report.rewritten[name] = report.rewritten.get(name, 0) + 1
                if apply:
                    record_change(session, sig, "remove")
                    sig.value = value
                    session.flush()
                    record_change(session, sig, "add")
            if apply:
                session.flush()
    if apply:
        audit.record(session, org_id=None, actor=actor, action="signal.revalidate", target=",".join(types),
                     details={"checked": report.checked, "rewritten": report.rewritten, "merged": report.merged,
                              "disabled": report.disabled})
    return report
