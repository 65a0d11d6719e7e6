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

from basira.core import lookup
from basira.core.errors import InvalidSignal
from basira.core.instance import Instance
from basira.core.models import Item, Match, Organization
from basira.core.principal import Principal
from basira.core.signals import ExtractedSignal
from basira.core.visibility import Access
from basira.drones.alerts import AlertDraft, AlertKind
from basira.drones.tracks import is_synthetic
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


def _values(inst: Instance, track: TrackState) -> list[ExtractedSignal]:
    out = []
    for stype, raw in (("uas_id", track.uas_id), ("operator_id", track.operator_id)):
        if not raw or (stype == "uas_id" and is_synthetic(raw)):
            continue
        try:
            out.append(ExtractedSignal(stype, inst.registry.validate(stype, raw)))
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
    banks = lookup.matchable_banks(session, principal.org_id)
    live = lookup.lookup(session, inst.registry, inst.indexes, banks, values, at)
    for hit in live:
        if hit.bank.negative:
            _allow(result, hit, at)
    if result.allowed:
        return result
    done = set(track.state.get("watched", []))
    fresh = [h for h in live if not h.bank.negative and h.signal.id not in done]
    if not fresh:
        return result
    item = Item(org_id=principal.org_id, ref=f"drone-track:{track.id}", content_type="drone_frame",
                submitted_by=principal.actor, signals=[{"signal_type": v.signal_type, "value": v.value}
                                                       for v in values])
    session.add(item)
    session.flush()
    owners = {o.id: o.slug for o in session.scalars(select(Organization))}
    matches, shown = [], []
    for h in fresh:
        sig = h.signal
        m = Match(item_id=item.id, org_id=principal.org_id, signal_id=sig.id, bank_id=h.bank.id,
                  entry_id=sig.entry_id, signal_type=sig.signal_type, query_value=h.query.value, distance=0.0,
                  explanation={"distance": 0.0, "threshold": 0.0, "rule": "exact", "track_id": track.id},
                  suppressed=False)
        session.add(m)
        matches.append(m)
        # A RED bank shared for matching only reveals its owner and marking, never the entry.
        shown.append({"signal_type": sig.signal_type, "value": h.query.value,
                      "bank_owner": owners.get(h.bank.org_id), "tlp": h.bank.tlp}
                     | ({"bank": h.bank.name, "entry_ref": h.entry.ref, "labels": list(sig.labels)}
                        if h.access >= Access.SEE else {}))
    session.flush()
    result.match_ids = [m.id for m in matches]
    track.state["watched"] = sorted(done | {h.signal.id for h in fresh})
    result.watch_drafts.append(AlertDraft(AlertKind.WATCHLIST, details={"hits": shown}))
    return result


def _allow(result: BankCheck, hit: lookup.BankHit, at: dt.datetime) -> None:
    """Take a hit in a negative bank into ``result``: an active authorisation allows the flight; the allowance
    shown is an active one if any, else the first found."""
    sees = hit.access >= Access.SEE
    auth = hit.entry.attributes.get("authorisation") if sees else None
    auth = auth if isinstance(auth, dict) else {}
    start, end = _when(auth.get("valid_from")), _when(auth.get("valid_until"))
    if end is None and hit.signal.expires_at is not None:
        end = hit.signal.expires_at
    active = (start is None or at >= start) and (end is None or at <= end)
    if active or not result.allowance:
        result.allowance = {
            "active": active, "bank_id": hit.bank.id if sees else None, "bank": hit.bank.name if sees else None,
            "signal_type": hit.signal.signal_type, "value": hit.query.value,
            "entry_ref": hit.entry.ref if sees else None,
            "purpose": str(auth.get("purpose", ""))[:200], "holder": str(auth.get("holder", ""))[:200],
            "valid_from": start.isoformat() if start else None, "valid_until": end.isoformat() if end else None}
    result.allowed = result.allowed or active
