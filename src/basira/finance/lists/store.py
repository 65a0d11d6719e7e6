"""Import a list file into its bank as a delta: entries added, changed (content hash) or removed, in one transaction.

A file that fails anywhere (damaged XML, a changed schema, an XML bomb) raises before the caller's transaction
commits, so the previous list stays in force. After a delta the stored customers are re-screened against the
entries that changed (:mod:`basira.finance.monitoring`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit, banks, outbox
from basira.core.errors import Conflict, InvalidInput, InvalidSignal
from basira.core.fronts import ENTRIES_REMOVED_EVENT
from basira.core.indexes import record_change
from basira.core.models import Bank, Entry, Signal, utcnow
from basira.core.principal import Principal
from basira.core.signals import SignalTypeRegistry
from basira.core.visibility import Access
from basira.finance import wallets
from basira.finance.lists import csvlist, eu, ofac, ofac_xml, un
from basira.finance.lists.base import ListedEntry, ListFormatError, ListItem, ListMeta, open_binary, open_text_list
from basira.finance.lists.history import latest_import
from basira.finance.models import ListChange, ListImport
from basira.finance.signals import clean_identifier, clean_name

SOURCES = ("un", "ofac", "ofac-xml", "eu", "csv")
_QUALITY = {"strong": 100, "weak": 50}


@dataclass
class ImportRequest:
    """What to import: the importer, the file, and where to put it.

    Attributes:
        source: One of :data:`SOURCES`.
        path: The list file (XML may be bzip2- or gzip-compressed).
        comments: OFAC's ``sdn_comments.csv`` (the overflow of long remarks), for ``ofac``.
        bank: The bank's name; by default the list's title (one bank per list).
        version: The version to record when the file states none (legacy OFAC CSV, CSV lists).
        allow_older: Import even when the file is older than the list in force.
        monitor: Re-screen stored customers against the changed entries.
    """

    source: str
    path: Path
    comments: Path | None = None
    bank: str | None = None
    version: str | None = None
    tlp: str = "CLEAR"
    allow_older: bool = False
    monitor: bool = True


@dataclass
class ImportReport:
    import_id: int | None
    bank_id: int
    bank: str
    source: str
    version: str
    entries: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    signals_added: int = 0
    skipped: bool = False
    warnings: list[str] = field(default_factory=list)
    rescreened: int = 0
    new_hits: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_items(request: ImportRequest, stream: IO[bytes], comments: IO[bytes] | None,
               digest: str) -> Iterator[ListItem]:
    """The importer's generator for ``request.source`` over an open file."""
    if request.source == "un":
        return un.read(open_binary(stream))
    if request.source == "eu":
        return eu.read(open_binary(stream))
    if request.source == "ofac-xml":
        return ofac_xml.read(open_binary(stream))
    if request.source == "ofac":
        return ofac.read(open_text_list(stream), comments and open_text_list(comments), request.version, digest)
    if request.source == "csv":
        return csvlist.read(open_text_list(stream), request.version, request.bank or "CSV list", digest)
    raise InvalidInput(f"unknown list format {request.source!r} (one of {', '.join(SOURCES)})")


@dataclass
class _Signals:
    """The signals an entry should carry: (type, value) → (labels, quality)."""

    wanted: dict[tuple[str, str], tuple[list[str], int | None]] = field(default_factory=dict)


def entry_signals(entry: ListedEntry, warnings: list[str]) -> _Signals:
    """Every name and alias as a ``name`` signal, wallets as ``crypto_address``, documents as ``identifier``."""
    out = _Signals()
    for n in entry.names:
        try:
            value = clean_name(n.name)
        except InvalidSignal as e:
            warnings.append(f"{entry.ref}: name skipped: {e.detail}")
            continue
        labels = [f"quality:{n.quality}", f"name:{n.kind}"]
        old = out.wanted.get(("name", value))
        # The same name twice (strong and weak): the strong one wins.
        if old is None or (old[1] or 0) < _QUALITY.get(n.quality, 100):
            out.wanted[("name", value)] = (labels, _QUALITY.get(n.quality, 100))
    for currency, address in entry.wallets:
        labels = [f"currency:{currency.upper()}"]
        try:
            value = wallets.normalise(address, currency).address
        except InvalidSignal:
            try:
                value = wallets.normalise(address).address
                labels.append("currency_mismatch")
            except InvalidSignal as e:
                # Lists do carry malformed addresses; they still match exactly as written.
                value = wallets.loose(address)
                labels.append("unverified")
                warnings.append(f"{entry.ref}: wallet kept unverified: {e.detail}")
        if value:
            out.wanted[("crypto_address", value)] = (labels, None)
    for d in entry.documents:
        try:
            value = clean_identifier(d.get("number", ""))
        except InvalidSignal:
            continue
        out.wanted[("identifier", value)] = ([f"document:{d.get('type', '')[:60]}"], None)
    return out


class _Writer:
    def __init__(self, session: Session, bank: Bank, provenance: str) -> None:
        self.s = session
        self.bank = bank
        self.provenance = provenance
        self.entries = {e.ref: e for e in session.scalars(select(Entry).where(Entry.bank_id == bank.id))}
        self.signals: dict[int, dict[tuple[str, str], Signal]] = {}
        for sig in session.scalars(select(Signal).where(Signal.bank_id == bank.id)):
            self.signals.setdefault(sig.entry_id, {})[(sig.signal_type, sig.value)] = sig
        self.pending: list[Signal] = []
        # Listed twice in one file: the later record wins, and its entry must not be added twice.
        self.enabled: list[Signal] = []
        self.added = 0

    def sync(self, entry: Entry, wanted: _Signals) -> None:
        have = self.signals.setdefault(entry.id, {})
        for key, (labels, quality) in wanted.wanted.items():
            sig = have.get(key)
            if sig is None:
                sig = Signal(entry_id=entry.id, bank_id=self.bank.id, signal_type=key[0], value=key[1], labels=labels,
                             provenance=self.provenance, quality=quality, enabled=True)
                self.s.add(sig)
                have[key] = sig
                self.pending.append(sig)
                self.added += 1
            else:
                sig.labels, sig.quality = labels, quality
                if not sig.enabled:
                    sig.enabled = True
                    self.enabled.append(sig)
        for key, sig in have.items():
            if key not in wanted.wanted and sig.enabled:
                sig.enabled = False
                record_change(self.s, sig, "remove")

    def flush(self) -> None:
        self.s.flush()
        for sig in self.pending + self.enabled:
            record_change(self.s, sig, "add")
        self.pending.clear()
        self.enabled.clear()


def _bank(session: Session, principal: Principal, registry: SignalTypeRegistry, name: str, tlp: str,
          meta: ListMeta) -> Bank:
    existing = session.scalar(select(Bank).where(Bank.org_id == principal.org_id, Bank.name == name,
                                                 Bank.deleted_at.is_(None)))
    if existing is not None:
        return banks.get_bank(session, principal, existing.id, Access.OWNER)
    return banks.create_bank(session, principal, registry, banks.BankSpec(
        name=name, tlp=tlp, description=f"{meta.title}, imported with `basira lists import {meta.source}`"))


def import_list(session: Session, principal: Principal, registry: SignalTypeRegistry, request: ImportRequest,
                rescreen: Callable[[Session, Bank, set[int], str], tuple[int, int]] | None = None) -> ImportReport:
    """Import ``request`` into its bank in the caller's transaction, recording the delta.

    Args:
        rescreen: Called with the changed entry ids when ``request.monitor``; returns (customers re-screened,
            new hits). :func:`basira.finance.monitoring.rescreen` in production.

    Raises:
        ListFormatError: The file is damaged, hostile or of a changed schema (nothing is written).
        Conflict: The file is older than the list in force (unless ``allow_older``).
    """
    principal.require_bank_write()
    if request.source not in SOURCES:
        raise InvalidInput(f"unknown list format {request.source!r} (one of {', '.join(SOURCES)})")
    digest = _sha256(request.path)
    with request.path.open("rb") as raw, (request.comments.open("rb") if request.comments else _nothing()) as com:
        stream: IO[bytes] = raw
        items = read_items(request, stream, com, digest)
        meta = next(items, None)
        if not isinstance(meta, ListMeta):
            raise ListFormatError("the list file holds no list")
        bank = _bank(session, principal, registry, request.bank or meta.title, request.tlp, meta)
        last = latest_import(session, bank.id)
        report = ImportReport(None, bank.id, bank.name, meta.source, meta.version)
        if request.version and request.version.strip()[:64] != meta.version[:64]:
            report.warnings.append(f"--version {request.version.strip()[:64]!r} was not used: the file states its "
                                   f"own version {meta.version[:64]!r}")
        if last is not None and last.file_sha256 == digest:
            report.skipped = True
            report.version = last.version
            return report
        if (last is not None and not request.allow_older and meta.published and last.published_at
                and meta.published < last.published_at):
            raise Conflict(f"this {meta.title} of {meta.version} is older than the one in force ({last.version}); "
                           f"nothing was imported (use --allow-older to go back)")
        changes = _apply(session, bank, items, report, principal.actor)
    row = ListImport(org_id=principal.org_id, bank_id=bank.id, source=meta.source, title=meta.title,
                     version=meta.version[:64], published_at=meta.published, file_name=request.path.name[:300],
                     file_path=str(request.path.resolve())[:1000], file_sha256=digest, actor=principal.actor,
                     entries=report.entries, added=report.added, changed=report.changed, removed=report.removed,
                     details={"warnings": report.warnings[:200], "warning_count": len(report.warnings),
                              "signals_added": report.signals_added})
    session.add(row)
    session.flush()
    report.import_id = row.id
    session.add_all([ListChange(import_id=row.id, entry_id=e.id, ref=e.ref, change=c,
                                content_hash=str(e.attributes.get("content_hash", ""))) for e, c in changes])
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="list.import",
                 target=f"bank:{bank.id}", details={"source": meta.source, "version": meta.version,
                                                    "file_sha256": digest, "added": report.added,
                                                    "changed": report.changed, "removed": report.removed})
    removed = [(e.id, e.ref) for e, c in changes if c == "removed"]
    if removed:
        # The review consumer marks the open cases that hold matches on these entries (and says so on the page).
        outbox.emit(session, ENTRIES_REMOVED_EVENT, {
            "bank_id": bank.id, "bank": bank.name, "version": meta.version[:64], "import_id": row.id,
            "entry_ids": [i for i, _ in removed], "refs": [r for _, r in removed]}, org_id=principal.org_id)
    touched = {e.id for e, c in changes if c != "removed"}
    if request.monitor and rescreen is not None and touched:
        report.rescreened, report.new_hits = rescreen(session, bank, touched, principal.actor)
        row.rescreened, row.new_hits = report.rescreened, report.new_hits
    session.flush()
    return report


def _apply(session: Session, bank: Bank, items: Iterator[ListItem], report: ImportReport,
           actor: str) -> list[tuple[Entry, str]]:
    writer = _Writer(session, bank, f"list:{report.source}:{report.version}"[:300])
    seen: set[str] = set()
    changes: list[tuple[Entry, str]] = []
    now = utcnow().isoformat()
    batch: list[tuple[Entry, ListedEntry, str]] = []

    def drain() -> None:
        # New entries get their ids in one flush per batch, then their signals are written.
        session.flush()
        for entry, listed, change in batch:
            writer.sync(entry, entry_signals(listed, report.warnings))
            changes.append((entry, change))
        writer.flush()
        batch.clear()

    for item in items:
        if not isinstance(item, ListedEntry):
            continue
        ref = item.ref[:300]
        if ref in seen:
            report.warnings.append(f"{ref}: listed twice; the later record was used")
        seen.add(ref)
        report.entries += 1
        attrs = item.attributes()
        attrs["content_hash"] = item.content_hash()
        content_type = "person" if item.kind == "person" else "organization"
        entry = writer.entries.get(ref)
        if entry is None:
            entry = Entry(bank_id=bank.id, ref=ref, content_type=content_type, attributes=attrs)
            session.add(entry)
            writer.entries[ref] = entry
            change = "added"
        elif entry.attributes.get("content_hash") != attrs["content_hash"] or entry.attributes.get("removed"):
            entry.attributes = attrs
            entry.content_type = content_type
            change = "changed"
        else:
            report.unchanged += 1
            continue
        batch.append((entry, item, change))
        setattr(report, change, getattr(report, change) + 1)
        if len(batch) >= 1000:
            drain()
    drain()
    for ref, entry in writer.entries.items():
        if ref not in seen and not entry.attributes.get("removed"):
            entry.attributes = {**entry.attributes, "removed": True, "removed_at": now}
            writer.sync(entry, _Signals())
            changes.append((entry, "removed"))
            report.removed += 1
    writer.flush()
    report.signals_added = writer.added
    return changes


class _nothing:
    """A context manager standing for an absent optional file."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
