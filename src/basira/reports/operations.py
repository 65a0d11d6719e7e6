"""Operational figures in the spirit of Tech Against Terrorism's reporting: time to action by ideology and by
platform, computed from the records.

- By ideology: content cases decided in the period with a reason that finds the content violating, from the case's
  opening to the decision, grouped by the ``ideology:<name>`` labels of the signals the case matched (a case with
  two ideologies counts under both; a case with none under ``unlabelled``).
- By platform: removal orders executed in the period, from receipt to the confirmation of action, grouped by the
  registrable domain of the order's URLs (the host where it has none, such as an address), each order once per
  platform.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import tldextract
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from basira.core.models import Signal
from basira.legal.models import RemovalOrder
from basira.review.models import Case, CaseMatch, Decision, DecisionState
from basira.review.taxonomy import reason_for

IDEOLOGY_PREFIX = "ideology:"
UNLABELLED = "unlabelled"
_extractor: tldextract.TLDExtract | None = None
_lock = threading.Lock()


@dataclass
class TimeToAction:
    """Minutes from the start (case opened, order received) to the action, for one group."""

    label: str
    count: int
    median_minutes: float
    p90_minutes: float


def _tld() -> tldextract.TLDExtract:
    """The Public Suffix List snapshot tldextract ships (no download, no cache folder)."""
    global _extractor
    with _lock:
        if _extractor is None:
            _extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
        return _extractor


def platform_of(url: str) -> str:
    """The registrable domain of ``url`` (``video.example.com`` -> ``example.com``), else its host, else ``?``."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return "?"
    if not host:
        return "?"
    result = _tld()(host)
    return result.top_domain_under_public_suffix or host


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    # Nearest rank: the smallest value with at least 90% of the values at or below it.
    return ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]


def summarise(groups: dict[str, list[float]]) -> list[TimeToAction]:
    """One row a group, most actions first (then by label)."""
    rows = [TimeToAction(label, len(v), round(statistics.median(v), 1), round(_p90(v), 1))
            for label, v in groups.items() if v]
    return sorted(rows, key=lambda r: (-r.count, r.label))


def by_ideology(session: Session, org_id: int, kinds: list[str], start: dt.datetime,
                end: dt.datetime) -> list[TimeToAction]:
    rows = session.execute(select(Case.id, Case.kind, Case.created_at, Decision.reason_code, Decision.decided_at)
                           .join(Decision, Decision.case_id == Case.id).where(
        Case.org_id == org_id, Case.kind.in_(kinds), Decision.state == DecisionState.TAKEN.value,
        and_(Decision.decided_at >= start, Decision.decided_at < end))).all()
    acted = [(cid, (decided - opened).total_seconds() / 60) for cid, kind, opened, code, decided in rows
             if decided is not None and reason_for(kind, code).decides and reason_for(kind, code).violating]
    labels: dict[int, set[str]] = {}
    if acted:
        ids = [cid for cid, _ in acted]
        for cid, signal_labels in session.execute(select(CaseMatch.case_id, Signal.labels).join(
                Signal, Signal.id == CaseMatch.signal_id).where(CaseMatch.case_id.in_(ids))):
            labels.setdefault(cid, set()).update(
                lab[len(IDEOLOGY_PREFIX):] for lab in signal_labels or [] if lab.startswith(IDEOLOGY_PREFIX)
                and lab[len(IDEOLOGY_PREFIX):])
    groups: dict[str, list[float]] = {}
    for cid, minutes in acted:
        for label in sorted(labels.get(cid) or {UNLABELLED}):
            groups.setdefault(label, []).append(minutes)
    return summarise(groups)


def by_platform(session: Session, org_id: int, start: dt.datetime, end: dt.datetime) -> list[TimeToAction]:
    orders = session.scalars(select(RemovalOrder).where(
        RemovalOrder.org_id == org_id, RemovalOrder.kind == "order", RemovalOrder.executed_at.is_not(None),
        RemovalOrder.executed_at >= start, RemovalOrder.executed_at < end))
    groups: dict[str, list[float]] = {}
    for o in orders:
        if o.executed_at is None:
            continue
        minutes = (o.executed_at - o.received_at).total_seconds() / 60
        for platform in sorted({platform_of(u) for u in o.urls} or {"?"}):
            groups.setdefault(platform, []).append(minutes)
    return summarise(groups)
