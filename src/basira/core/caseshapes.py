"""The JSON shapes every case kind shares: the ``match.recorded`` payload and the matches a case keeps.

A front's case kind documents its own evidence as a TypedDict that extends :class:`MatchesEvidence` (see
:class:`basira.core.fronts.CaseKindSpec`); review fills the shared keys, the front's key for its group and its
event records. The small cleaners here make an event's own keys safe to keep (strings capped, numbers finite).
"""

from __future__ import annotations

import math
from typing import Any, NotRequired, Required, TypedDict

MAX_TEXT = 300


class MatchRecordedPayload(TypedDict, total=False):
    """``match.recorded``: written by ``core.matching.match_item`` (and by any front that records matches).

    ``item_id`` and ``match_ids`` (the active, not negatively suppressed matches) are required. A front may add
    ``case_kind`` (a registered kind opened by ``match.recorded``; by default the kind that claims the item's
    content type), the text of its kind's group key (the item reference groups otherwise) and ``priority``
    (``high``, ``normal``, ``low``).
    """

    item_id: Required[int]
    match_ids: Required[list[int]]
    item_ref: str
    content_type: str
    suppressed_match_ids: list[int]
    #: Hits on signals that flood control quarantined (core.flood): recorded, never acted on.
    quarantined_match_ids: list[int]
    bank_ids: list[int]
    suppressed: bool
    case_kind: str
    priority: str


class ItemEvidence(TypedDict):
    """A submitted item (its reference on the platform, never its content)."""

    id: int
    ref: str
    content_type: str


class BankEvidence(TypedDict):
    owner_org_id: int
    tlp: str
    id: NotRequired[int]
    name: NotRequired[str]


class SignalEvidence(TypedDict):
    id: int
    value: str
    labels: list[str]
    provenance: str


class EntryEvidence(TypedDict):
    """The bank entry: for a listed person its names, aliases, birth dates, list reference and so on."""

    id: int
    ref: str
    content_type: str
    attributes: dict[str, Any]


class MatchEvidence(TypedDict):
    """One match. ``signal``, ``entry`` and ``distance`` are None for a RED bank shared for matching only.

    ``explanation`` is the matcher's account of the score (distance and threshold for hashes, a feature breakdown
    for names).
    """

    match_id: int
    item_id: int
    signal_type: str
    query_value: str
    distance: float | None
    bank: BankEvidence
    signal: SignalEvidence | None
    entry: EntryEvidence | None
    explanation: dict[str, Any]


class MatchesEvidence(TypedDict):
    """The keys every case kind's evidence has: the item(s) and their matches."""

    items: list[ItemEvidence]
    matches: list[MatchEvidence]
    match_count: int
    suppressed_match_ids: list[int]


class Position(TypedDict, total=False):
    """WGS84 latitude and longitude in degrees and altitude in metres (its reference named by the front)."""

    lat: float
    lon: float
    alt_m: float


def finite_float(v: object) -> float | None:
    """``v`` as a finite float, or None for anything else (booleans, NaN, text)."""
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None


def capped_text(v: object) -> str | None:
    """``v`` (text or an integer) as text of at most :data:`MAX_TEXT` characters, or None."""
    if isinstance(v, str | int) and not isinstance(v, bool):
        return str(v)[:MAX_TEXT]
    return None


def position(v: object) -> Position | None:
    """The finite ``lat``, ``lon`` and ``alt_m`` of a mapping, or None when it has none."""
    if not isinstance(v, dict):
        return None
    out: Position = {}
    for key in ("lat", "lon", "alt_m"):
        f = finite_float(v.get(key))
        if f is not None:
            out[key] = f
    return out or None
