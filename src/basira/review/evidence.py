"""What review reads from events and keeps as case evidence, for every case kind the fronts declare.

Review never imports a front: the shared shapes live in :mod:`basira.core.caseshapes`, and each case kind's own
evidence TypedDict, group key and event record come from its front's manifest (:mod:`basira.core.fronts`).
Evidence obeys TLP as matching does: a hit in a RED bank that the case's organization may only match against shows
the bank's owner and marking, never the signal value, entry, labels or distance.
"""

from __future__ import annotations

from typing import Any

from basira.core.caseshapes import (
    BankEvidence,
    EntryEvidence,
    ItemEvidence,
    MatchesEvidence,
    MatchEvidence,
    MatchRecordedPayload,
    SignalEvidence,
    capped_text,
    finite_float,
)
from basira.core.fronts import CaseKindSpec
from basira.core.models import Bank, Entry, Match, Signal
from basira.core.visibility import Access, visible_provenance

__all__ = ["BankEvidence", "EntryEvidence", "ItemEvidence", "MalformedEvent", "MatchEvidence", "MatchRecordedPayload",
           "MatchesEvidence", "SignalEvidence", "empty_evidence", "group_text", "id_list", "match_evidence"]

# The evidence lists at most this many matches; every match stays linked to the case (``review_case_matches``).
MAX_EVIDENCE_MATCHES = 200


class MalformedEvent(ValueError):
    """An event payload does not have the documented shape (the consumer records it as skipped)."""


def empty_evidence(kind: CaseKindSpec, group_value: str) -> dict[str, Any]:
    """The evidence of a new case of ``kind`` before any event is added: the shared keys, the kind's group value
    under its group key and an empty list of its event records."""
    base: dict[str, Any] = {"items": [], "matches": [], "match_count": 0, "suppressed_match_ids": []}
    if kind.group_key:
        base[kind.group_key] = group_value
    if kind.record is not None:
        base[kind.record.key] = []
    return base


def match_evidence(match: Match, signal: Signal, entry: Entry, bank: Bank, access: Access) -> MatchEvidence:
    """A match as the case's organization may see it (see the module docstring on RED banks)."""
    bank_ev: BankEvidence = {"owner_org_id": bank.org_id, "tlp": bank.tlp}
    if access <= Access.MATCH_ONLY:
        return {"match_id": match.id, "item_id": match.item_id, "signal_type": match.signal_type,
                "query_value": match.query_value, "distance": None, "bank": bank_ev, "signal": None,
                "entry": None, "explanation": {}}
    bank_ev["id"], bank_ev["name"] = bank.id, bank.name
    return {
        "match_id": match.id, "item_id": match.item_id, "signal_type": match.signal_type,
        "query_value": match.query_value, "distance": finite_float(match.distance), "bank": bank_ev,
        "signal": {"id": signal.id, "value": signal.value, "labels": list(signal.labels),
                   "provenance": visible_provenance(signal.provenance, access)},
        "entry": {"id": entry.id, "ref": entry.ref, "content_type": entry.content_type,
                  "attributes": dict(entry.attributes)},
        "explanation": dict(match.explanation),
    }


def id_list(payload: dict[str, Any], key: str, required: bool = True) -> list[int]:
    """A list of positive integer ids from the payload, or MalformedEvent."""
    raw = payload.get(key)
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in raw):
        raise MalformedEvent(f"{key!r} is not a list of ids")
    return list(raw)


def group_text(payload: dict[str, Any], key: str) -> str:
    """A grouping value (item reference, customer or track) as text, or '' when absent or unusable."""
    return (capped_text(payload.get(key)) or "").strip()
