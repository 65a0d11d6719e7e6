"""A bank brought in line with what an outside source now holds: the one delta rule every importer follows.

Signals are keyed by (entry reference, signal type, canonical value). Of the bank's signals that came from the
source (their provenance starts with the source's prefix), a key the source no longer holds is disabled; a key
new to the bank, or disabled before, is added (or enabled again); the rest is left as it is, so importing the
same thing twice changes nothing. Signals from anywhere else (added by hand, another source) are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import outbox
from basira.core.banks import SignalSpec, add_signals_batch
from basira.core.indexes import record_change
from basira.core.models import Bank, Entry, Signal
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry

Key = tuple[str, str, str]


#: Reasons kept in an import report (a hostile file could give millions).
MAX_REASONS = 20


@dataclass
class Delta:
    """What applying a source to a bank changed."""

    added: int = 0
    disabled: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """What reading an exchange's file and applying it to a bank did: the delta, values refused (the first
    :data:`MAX_REASONS` reasons) and values of types Basira does not take, counted by type."""

    source: str
    added: int = 0
    disabled: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)
    skipped_types: dict[str, int] = field(default_factory=dict)

    def reject(self, reason: str) -> None:
        self.rejected += 1
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(reason)

    def skip(self, kind: str) -> None:
        self.skipped_types[kind] = self.skipped_types.get(kind, 0) + 1


def key_of(spec: SignalSpec) -> Key:
    """The key of a canonical spec (see :func:`basira.core.banks.validate_spec`)."""
    return (spec.entry_ref, spec.signal_type, spec.value)


def apply(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings, bank: Bank,
          live: dict[Key, SignalSpec], provenance_prefix: str) -> Delta:
    """Make the bank's signals from ``provenance_prefix`` exactly ``live`` (canonical specs), in the caller's
    transaction; disabled signals raise ``signal.disabled`` events as a change by hand would."""
    pattern = provenance_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    existing = {(e.ref, s.signal_type, s.value): s for s, e in session.execute(
        select(Signal, Entry).join(Entry, Entry.id == Signal.entry_id)
        .where(Signal.bank_id == bank.id, Signal.provenance.like(pattern, escape="\\")))}
    to_add = [spec for key, spec in live.items() if key not in existing or not existing[key].enabled]
    delta = Delta(unchanged=len(live) - len(to_add))
    if to_add:
        delta.added = add_signals_batch(session, principal, registry, settings, bank.id, to_add,
                                        validated=True).changed
    gone = [s for key, s in existing.items() if s.enabled and key not in live]
    for sig in gone:
        sig.enabled = False
        record_change(session, sig, "remove")
    if gone:
        outbox.emit_many(session, [("signal.disabled", {"bank_id": bank.id, "signal_id": s.id}, principal.org_id)
                                   for s in gone])
    delta.disabled = len(gone)
    return delta
