"""Watchlists and allowlists: a track's UAS ID and operator ID looked up in every bank its organization may match.

A hit in an ordinary bank is a watched drone or operator: core ``matches`` rows are written (so a reviewer's
decision can record opinions on the signals) and a WATCHLIST alert names them. A hit in a *negative* bank is an
authorisation (police, broadcaster, inspection): while its window holds (the entry's ``authorisation`` attribute
``valid_from``/``valid_until``, or the signal's expiry) the flight raises no zone alerts and no WATCHLIST, and the
allowance is shown on the track.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.errors import InvalidSignal
from basira.core.instance import Instance
from basira.core.models import Bank, Entry, Item, Match, Organization, Signal
from basira.core.principal import Principal
from basira.core.visibility import Access, Visibility
from basira.drones.alerts import AlertDraft, AlertKind
from basira.drones.trackstore import TrackState


@dataclass
class BankCheck:
    """The outcome of one lookup."""

    allowed: bool = False
    allowance: dict[str, Any] = field(default_factory=dict)
    watch_drafts: list[AlertDraft] = field(default_factory=list)
    match_ids: list[int] = field(default_factory=list)


def _when(v: Any) -> dt.datetime | None:
    if not isinstance(v, str) or not v:
        return None
    try:
        t = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _unexpired(sig: Signal, at: dt.datetime) -> bool:
    return sig.expires_at is None or sig.expires_at > at


def _values(inst: Instance, track: TrackState) -> list[tuple[str, str]]:
    out = []
    for stype, raw in (("uas_id", track.uas_id), ("operator_id", track.operator_id)):
        if not raw:
            continue
        try:
            out.append((stype, inst.registry.validate(stype, raw)))
        except InvalidSignal:
            continue  # the type is not installed, or the broadcast value is not a valid one: nothing can match
    return out


def check_banks(session: Session, principal: Principal, inst: Instance, track: TrackState,
                at: dt.datetime) -> BankCheck:
    """Look the track up in the banks; record watchlist matches not recorded before on this track."""
    values = _values(inst, track)
    result = BankCheck()
    if not values:
        return result
    vis = Visibility(session, principal.org_id)
    hits: list[tuple[Bank, Access, str, int]] = []
    for bank, access in vis.banks(Access.MATCH_ONLY):
        if not bank.enabled:
            continue
        for stype, value in values:
            for sid, _ in inst.indexes.query(session, bank.id, stype, [value], 0.0)[0]:
                hits.append((bank, access, value, sid))
    if not hits:
        return result
    signals = {s.id: s for s in session.scalars(select(Signal).where(Signal.id.in_({h[3] for h in hits})))}
    entries = {e.id: e for e in session.scalars(select(Entry).where(
        Entry.id.in_({s.entry_id for s in signals.values()})))}
    live = [(b, a, v, signals[sid]) for b, a, v, sid in hits if sid in signals and signals[sid].enabled
            and _unexpired(signals[sid], at)]
    for bank, access, value, sig in live:
        if not bank.negative:
            continue
        entry = entries[sig.entry_id]
        auth = entry.attributes.get("authorisation") if access >= Access.SEE else None
        auth = auth if isinstance(auth, dict) else {}
        start, end = _when(auth.get("valid_from")), _when(auth.get("valid_until"))
        if end is None and sig.expires_at is not None:
            end = sig.expires_at
        active = (start is None or at >= start) and (end is None or at <= end)
        if active or not result.allowance:
            result.allowance = {
                "active": active, "bank_id": bank.id if access >= Access.SEE else None,
                "bank": bank.name if access >= Access.SEE else None, "signal_type": sig.signal_type,
                "value": value, "entry_ref": entry.ref if access >= Access.SEE else None,
                "purpose": str(auth.get("purpose", ""))[:200], "holder": str(auth.get("holder", ""))[:200],
                "valid_from": start.isoformat() if start else None, "valid_until": end.isoformat() if end else None}
        result.allowed = result.allowed or active
    if result.allowed:
        return result
    watched = [(b, a, v, s) for b, a, v, s in live if not b.negative]
    done = set(track.state.get("watched", []))
    fresh = [h for h in watched if h[3].id not in done]
    if not fresh:
        return result
    item = Item(org_id=principal.org_id, ref=f"drone-track:{track.id}", content_type="drone_frame",
                submitted_by=principal.actor, signals=[{"signal_type": t, "value": v} for t, v in values])
    session.add(item)
    session.flush()
    owners = {o.id: o.slug for o in session.scalars(select(Organization))}
    matches, shown = [], []
    for bank, access, value, sig in fresh:
        m = Match(item_id=item.id, org_id=principal.org_id, signal_id=sig.id, bank_id=bank.id,
                  entry_id=sig.entry_id, signal_type=sig.signal_type, query_value=value, distance=0.0,
                  explanation={"distance": 0.0, "threshold": 0.0, "rule": "exact", "track_id": track.id},
                  suppressed=False)
        session.add(m)
        matches.append(m)
        # A RED bank shared for matching only reveals its owner and marking, never the entry.
        shown.append({"signal_type": sig.signal_type, "value": value, "bank_owner": owners.get(bank.org_id),
                      "tlp": bank.tlp} | ({"bank": bank.name, "entry_ref": entries[sig.entry_id].ref,
                                          "labels": list(sig.labels)} if access >= Access.SEE else {}))
    session.flush()
    result.match_ids = [m.id for m in matches]
    track.state["watched"] = sorted(done | {h[3].id for h in fresh})
    result.watch_drafts.append(AlertDraft(AlertKind.WATCHLIST, details={"hits": shown}))
    return result
