"""Why is this here: one bank's provenance, for the people whose content it may take down and those who answer
for it. What the bank is, who owns it and who it is shared with, where its signals came from (the provenance each
signal records, its labels and types), how it changed (its owner's audit entries about it: imports, additions,
shares, list versions), and how it fared (the viewer's own matches, false-positive and confirmed opinions).

A bank the viewer may only match against (a RED bank shared for matching) shows nothing: the page answers 404 as
for a bank that does not exist. Audit entries and shares are shown to the owning organization only.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import get_bank
from basira.core.models import AuditEntry, Bank, Entry, Match, Opinion, Organization, SharingGroup, Signal
from basira.core.principal import Principal
from basira.core.visibility import Access

TOP = 20
HISTORY = 50
#: Keys of an audit entry's details shown on the page (never values, names or content).
HISTORY_KEYS = ("source", "format", "version", "rows", "added", "changed", "removed", "name", "tlp", "negative",
                "org", "group", "opinions")


def bank_provenance(session: Session, principal: Principal, bank_ref: int | str) -> dict[str, Any]:
    """The provenance of a bank the caller may see (NotFound otherwise)."""
    bank = get_bank(session, principal, bank_ref, Access.SEE)
    owner = session.get(Organization, bank.org_id)
    mine = bank.org_id == principal.org_id
    signals = Signal.bank_id == bank.id
    total, enabled, quarantined, first, last = session.execute(select(
        func.count(), func.count().filter(Signal.enabled.is_(True)),
        func.count().filter(Signal.quarantined_at.is_not(None)), func.min(Signal.created_at),
        func.max(Signal.created_at)).where(signals)).one()
    by_type = dict(session.execute(select(Signal.signal_type, func.count()).where(signals)
                                   .group_by(Signal.signal_type).order_by(Signal.signal_type)).all())
    by_provenance = session.execute(select(Signal.provenance, func.count()).where(signals)
                                    .group_by(Signal.provenance).order_by(func.count().desc(), Signal.provenance)
                                    .limit(TOP)).all()
    labels: Counter[str] = Counter()
    for (signal_labels,) in session.execute(select(Signal.labels).where(signals).execution_options(yield_per=5000)):
        labels.update(signal_labels or [])
    entries = session.scalar(select(func.count()).select_from(Entry).where(Entry.bank_id == bank.id)) or 0
    opinions = dict(session.execute(select(Opinion.kind, func.count()).join(Signal, Signal.id == Opinion.signal_id)
                                    .where(signals, Opinion.org_id == principal.org_id)
                                    .group_by(Opinion.kind)).all())
    matches = session.scalar(select(func.count()).select_from(Match).where(
        Match.bank_id == bank.id, Match.org_id == principal.org_id)) or 0
    out: dict[str, Any] = {
        "bank": {"id": bank.id, "name": bank.name, "description": bank.description, "tlp": bank.tlp,
                 "negative": bank.negative, "enabled": bank.enabled, "created_at": bank.created_at.isoformat(),
                 "owner": owner.name if owner else "", "yours": mine},
        "signals": {"total": int(total), "enabled": int(enabled), "quarantined": int(quarantined),
                    "first_added": first.isoformat() if first else None,
                    "last_added": last.isoformat() if last else None, "entries": int(entries),
                    "by_type": {k: int(v) for k, v in by_type.items()},
                    "by_provenance": [{"provenance": p or "", "signals": int(n)} for p, n in by_provenance],
                    "labels": [{"label": k, "signals": n} for k, n in sorted(labels.items(),
                                                                               key=lambda kv: (-kv[1], kv[0]))[:TOP]]},
        "your_use": {"matches": int(matches), "false_positive": int(opinions.get("false_positive", 0)),
                     "confirmed": int(opinions.get("confirmed", 0))},
        "shares": None, "history": None,
    }
    if mine:
        out["shares"] = _shares(session, bank)
        out["history"] = _history(session, bank)
    return out


def _shares(session: Session, bank: Bank) -> list[dict[str, Any]]:
    orgs = {o.id: o.name for o in session.scalars(select(Organization))}
    groups = {g.id: g.name for g in session.scalars(select(SharingGroup))}
    return [{"org": orgs.get(s.org_id, "") if s.org_id else None,
             "group": groups.get(s.group_id, "") if s.group_id else None} for s in bank.shares]


def _history(session: Session, bank: Bank) -> dict[str, Any]:
    where = (AuditEntry.chain == audit.org_chain(bank.org_id), AuditEntry.target == f"bank:{bank.id}")
    count = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    by_action = dict(session.execute(select(AuditEntry.action, func.count()).where(*where)
                                     .group_by(AuditEntry.action).order_by(AuditEntry.action)).all())
    latest = session.scalars(select(AuditEntry).where(*where).order_by(AuditEntry.seq.desc()).limit(HISTORY))
    return {"entries": int(count), "by_action": {k: int(v) for k, v in by_action.items()},
            "latest": [{"ts": e.ts, "actor": e.actor, "action": e.action,
                        "details": {k: e.details[k] for k in HISTORY_KEYS if k in (e.details or {})}}
                       for e in latest]}
