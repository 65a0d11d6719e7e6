"""The review consumer: turns ``match.recorded`` events, and each case kind's own event, into cases.

The case kinds, their events and their groups come from the fronts' manifests (:mod:`basira.core.fronts`). Every
event opens a case or joins the open case of its group (one item, or the group its kind names: a customer, a
drone track), so that one item's fifty matches are one case. Each batch of events, the cases it touches, a record
of each event handled and the consumer's cursor are written in one transaction: a crash loses the batch and the
next run does it again, and an event seen twice (a reset cursor, two consumers) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from basira.core import outbox, pgcopy
from basira.core.db import ids_in
from basira.core.fronts import ENTRIES_REMOVED_EVENT, MATCH_EVENT, CaseKindSpec, FrontRegistry
from basira.core.gcpause import collector_paused
from basira.core.models import Bank, Entry, Event, Item, Match, Signal, utcnow
from basira.core.visibility import Access, Visibility
from basira.review import evidence as evid
from basira.review import suppression
from basira.review.models import OPEN_STATUSES, Case, CaseMatch, CaseStatus, ProcessedEvent, Suppression
from basira.review.policy import Priority, ReviewPolicy, priority_of
from basira.review.suppression import is_suppressed, query_sha256

CONSUMER = "review"

SessionSource = Session | Callable[[], Session | AbstractContextManager[Session]]


@dataclass
class ConsumeReport:
    """What one call of :func:`consume` did, counted in events.

    Attributes:
        events: Events read (including those handled before).
        opened: Events that opened a case.
        joined: Events that joined an open case of their group.
        suppressed: Events that opened no case: every match was suppressed (a negative bank or a decided false
            positive).
        duplicates: Events handled before (a reset cursor, a second consumer) or whose matches are all in cases.
        skipped: Events without the documented shape; each is recorded with the reason.
        marked: ``list.entries_removed`` events: the open cases holding matches on removed entries are marked.
        case_ids: The cases opened or joined.
    """

    events: int = 0
    opened: int = 0
    joined: int = 0
    suppressed: int = 0
    duplicates: int = 0
    skipped: int = 0
    marked: int = 0
    case_ids: set[int] = field(default_factory=set)


@dataclass
class _Hit:
    match: Match
    signal: Signal
    entry: Entry
    bank: Bank


def consume(source: SessionSource, *, policy: ReviewPolicy | None = None, batch_size: int = 500,
            max_batches: int | None = None) -> ConsumeReport:
    """Read new events and open or join cases until none is left (or ``max_batches`` batches are done).

    Args:
        source: A session (everything happens in the caller's transaction, which the caller commits) or a session
            factory such as ``instance.db.session`` or a ``sessionmaker`` (each batch commits on its own).
        policy: Deadlines, priorities and four-eyes rules; the documented defaults when None.
        batch_size: Events per transaction.
        max_batches: Stop after this many batches (None: until the outbox is drained).

    Returns:
        Counts of what was done, and the ids of the cases touched.
    """
    pol = policy or ReviewPolicy()
    report = ConsumeReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        # A batch builds its cases as ORM objects: without the collector, which would otherwise run full
        # collections over the whole process meanwhile (see basira.core.gcpause).
        with collector_paused():
            if isinstance(source, Session):
                n = consume_batch(source, pol, batch_size, report)
            else:
                with _transaction(source) as session:
                    n = consume_batch(session, pol, batch_size, report)
        batches += 1
        if n < batch_size:
            break
    return report


@contextmanager
def _transaction(factory: Callable[[], Session | AbstractContextManager[Session]]) -> Iterator[Session]:
    made = factory()
    if isinstance(made, Session):
        with made, made.begin():
            yield made
    else:
        with made as session:
            yield session


#: Ids per statement when a batch's rows are read ahead (:meth:`_Builder.prefetch`).
PREFETCH_CHUNK = 1000
_CASE_MATCHES = cast(Table, CaseMatch.__table__)
_PROCESSED = cast(Table, ProcessedEvent.__table__)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def consume_batch(session: Session, policy: ReviewPolicy, batch_size: int, report: ConsumeReport) -> int:
    """Handle one batch in ``session``'s transaction; returns how many events were read."""
    # Take the cursor row first (FOR UPDATE on PostgreSQL) so that two consumers take turns, not the same events.
    outbox.advance(session, CONSUMER, 0)
    events = outbox.pending(session, CONSUMER, policy.registry.event_kinds(), limit=batch_size)
    if not events:
        return 0
    done = set(session.scalars(select(ProcessedEvent.event_id).where(
        ids_in(session, ProcessedEvent.event_id, [e.id for e in events]))))
    builder = _Builder(session, policy)
    builder.prefetch([ev for ev in events if ev.id not in done])
    handled: list[tuple[Event, str, Case | None, str]] = []
    # Nothing is flushed event by event: new cases, their links and events are written together (materialise),
    # before any read that must see them and at the end.
    with session.no_autoflush:
        for ev in events:
            report.events += 1
            if ev.id in done:
                report.duplicates += 1
                continue
            try:
                outcome, case = builder.handle(ev), builder.case
                note = ""
            except evid.MalformedEvent as e:
                outcome, case, note = "skipped", None, str(e)
            handled.append((ev, outcome, case, note))
            # Outcomes are named like the report's counters.
            setattr(report, outcome, getattr(report, outcome) + 1)
    builder.materialise()
    now = utcnow()
    at = pgcopy.timestamp(now)
    pgcopy.insert_rows(session, _PROCESSED, ("event_id", "case_id", "outcome", "note", "created_at"),
                       [(ev.id, case.id if case is not None else None, outcome, note[:300], now)
                        for ev, outcome, case, note in handled], lambda r: (*r[:4], at))
    report.case_ids.update(case.id for _, _, case, _ in handled if case is not None)
    outbox.advance(session, CONSUMER, events[-1].id)
    session.flush()
    return len(events)




class _Builder:
    """Handles the events of one batch; remembers visibility per organization."""

    def __init__(self, session: Session, policy: ReviewPolicy) -> None:
        self.session = session
        self.policy = policy
        self.fronts: FrontRegistry = policy.registry
        #: The case the last handled event opened or joined.
        self.case: Case | None = None
        #: Open cases by (organization, kind, group key) as this batch found or opened them, the links and the
        #: ``case.opened`` events waiting for :meth:`materialise`.
        self._open: dict[tuple[int, str, str], Case] = {}
        self._links: list[tuple[Case, _Hit]] = []
        self._opened: list[tuple[Case, dict[str, Any]]] = []
        #: The groups whose open case (if any) :meth:`prefetch` read and locked.
        self._looked: set[tuple[int, str, str]] = set()
        self._vis: dict[int, Visibility] = {}
        #: What :meth:`prefetch` loaded, held so that the session's (weak) identity map keeps it for ``get``.
        self._kept: list[object] = []
        #: The matches :meth:`prefetch` read (by id), those of them already in a case (and those this batch puts in
        #: one), and their signals' suppressions: an event whose matches are all here is handled without a read.
        self._ahead: dict[int, Match] = {}
        self._linked: set[int] = set()
        self._sups: dict[tuple[int, int, str], Suppression] = {}

    def prefetch(self, events: list[Event]) -> None:
        """Load the items, matches, signals, entries and banks that ``events`` name, a few statements for the whole
        batch: handling each event then finds them in the session (``Session.get``) instead of reading them one by
        one (a dozen round trips per storing match's event, the largest part of the consumer's cost under load).
        What the events hold is checked where it is used, as before; this only reads ahead."""
        items: set[int] = set()
        matches: set[int] = set()
        for ev in events:
            p = ev.payload if isinstance(ev.payload, dict) else {}
            if ev.kind == MATCH_EVENT and _is_id(p.get("item_id")):
                items.add(p["item_id"])
            ids = p.get("match_ids")
            if isinstance(ids, list):
                matches.update(i for i in ids if _is_id(i))
        self._load(Item, items)
        found = self._load(Match, matches)
        signals = self._load(Signal, {m.signal_id for m in found})
        self._load(Entry, {m.entry_id for m in found} | {sig.entry_id for sig in signals})
        self._load(Bank, {m.bank_id for m in found})
        ordered = sorted(matches)
        for start in range(0, len(ordered), PREFETCH_CHUNK):
            self._linked.update(self.session.scalars(select(CaseMatch.match_id).where(
                ids_in(self.session, CaseMatch.match_id, ordered[start:start + PREFETCH_CHUNK]))))
        self._sups = suppression.of_signals(self.session, {m.signal_id for m in found}, PREFETCH_CHUNK)
        self._kept.extend(self._sups.values())
        self._ahead = {m.id: m for m in found}
        self._lock_open_cases(events)

    def _lock_open_cases(self, events: list[Event]) -> None:
        """The open cases of the groups ``events`` go to, read and locked (FOR UPDATE) in one statement per chunk,
        in the order of their ids: handling each event then asks the database for its group's case only if the
        group was not known here (an event without the documented shape is left to :meth:`handle`)."""
        keys: set[tuple[int, str, str]] = set()
        for ev in events:
            p = ev.payload if isinstance(ev.payload, dict) else None
            if ev.org_id is None or p is None:
                continue
            try:
                if ev.kind == MATCH_EVENT:
                    item = self.session.get(Item, p["item_id"]) if _is_id(p.get("item_id")) else None
                    if item is None or item.org_id != ev.org_id:
                        continue
                    kind, key, _ = self._group(p, item)
                else:
                    own = self.fronts.kind_for_event(ev.kind)
                    group = evid.group_text(p, own.group_key) if own is not None else ""
                    if own is None or not group:
                        continue
                    kind, key = own, f"{own.group_prefix}:{group}"
            except evid.MalformedEvent:
                continue
            keys.add((ev.org_id, kind.name, key))
        ordered = sorted(keys)
        for start in range(0, len(ordered), PREFETCH_CHUNK):
            chunk = ordered[start:start + PREFETCH_CHUNK]
            for case in self.session.scalars(
                    select(Case).where(tuple_(Case.org_id, Case.kind, Case.group_key).in_(chunk),
                                       Case.status.in_(OPEN_STATUSES))
                    .order_by(Case.id).with_for_update().execution_options(populate_existing=True)):
                self._open.setdefault((case.org_id, case.kind, case.group_key), case)
        self._kept.extend(self._open.values())
        self._looked = keys

    def _load(self, model: Any, ids: set[int]) -> list[Any]:
        out: list[Any] = []
        ordered = sorted(ids)
        for start in range(0, len(ordered), PREFETCH_CHUNK):
            out.extend(self.session.scalars(select(model).where(
                ids_in(self.session, model.id, ordered[start:start + PREFETCH_CHUNK]))))
        self._kept.extend(out)
        return out

    def handle(self, ev: Event) -> str:
        """The outcome of one event: opened, joined, suppressed, duplicates (already linked) or skipped."""
        self.case = None
        if ev.org_id is None or not isinstance(ev.payload, dict):
            raise evid.MalformedEvent("the event has no organization or no payload object")
        if ev.kind == MATCH_EVENT:
            return self._matches(ev.org_id, ev.payload)
        if ev.kind == ENTRIES_REMOVED_EVENT:
            return self._removed(ev.payload)
        kind = self.fronts.kind_for_event(ev.kind)
        if kind is None:
            raise evid.MalformedEvent(f"no case kind is opened by {ev.kind!r} events")
        return self._event(ev.org_id, kind, ev.payload)

    # -- list.entries_removed -----------------------------------------------------------------------------------

    def _removed(self, p: dict[str, Any]) -> str:
        """Marks every open case holding a match on an entry a list removed (whatever organization's): the case
        evidence gets a ``delisted`` note (list, version, references) that the case page shows."""
        ids = p.get("entry_ids")
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise evid.MalformedEvent("list.entries_removed needs entry_ids, a list of integers")
        refs = [str(r)[:300] for r in p.get("refs", [])][:1000] if isinstance(p.get("refs"), list) else []
        self.materialise()  # the links this batch made are among those to mark
        hit = (select(CaseMatch.case_id).join(Signal, Signal.id == CaseMatch.signal_id)
               .where(Signal.entry_id.in_(ids)))
        note = {"bank": str(p.get("bank", ""))[:200], "version": str(p.get("version", ""))[:64], "refs": refs,
                "at": utcnow().isoformat()}
        for case in self.session.scalars(select(Case).where(Case.id.in_(hit), Case.status.in_(OPEN_STATUSES))):
            evidence = dict(case.evidence or {})
            evidence["delisted"] = [*evidence.get("delisted", []), note][-20:]
            case.evidence = evidence
            case.version += 1
            case.updated_at = utcnow()
        return "marked"

    # -- match.recorded ---------------------------------------------------------------------------------------------

    def _matches(self, org_id: int, p: dict[str, Any]) -> str:
        item_id = p.get("item_id")
        if not isinstance(item_id, int) or isinstance(item_id, bool):
            raise evid.MalformedEvent("'item_id' is not an id")
        item = self.session.get(Item, item_id)
        if item is None or item.org_id != org_id:
            raise evid.MalformedEvent(f"no item {item_id} of the event's organization")
        hits, suppressed, linked = self._hits(org_id, evid.id_list(p, "match_ids"))
        if not hits:
            return "duplicates" if linked else "suppressed"
        kind, key, group_value = self._group(p, item)
        case, opened = self._case(org_id, kind, key, group_value, priority_of(kind, p), {h.bank.id for h in hits})
        item_ev: evid.ItemEvidence = {"id": item.id, "ref": item.ref, "content_type": item.content_type}
        self._attach(case, hits, suppressed, item_ev, None, None)
        return self._finish(case, opened)

    def _group(self, p: dict[str, Any], item: Item) -> tuple[CaseKindSpec, str, str]:
        """The case kind of a ``match.recorded`` event, its group key and the group's value as the case shows it."""
        kind = self._kind(p, item.content_type)
        ref = evid.group_text(p, kind.group_key) if kind.group_key else ""
        ref = ref or item.ref.strip()
        return kind, f"{kind.group_prefix}:{ref}" if ref else f"item#{item.id}", ref or f"#{item.id}"

    def _kind(self, p: dict[str, Any], content_type: str) -> CaseKindSpec:
        named = p.get("case_kind")
        kinds = {k.name: k for k in self.fronts.match_kinds()}
        if named is not None:
            if named not in kinds:
                raise evid.MalformedEvent(f"'case_kind' {str(named)[:40]!r} is not one of {', '.join(kinds)}")
            return kinds[str(named)]
        kind = self.fronts.kind_for_content(content_type)
        if kind is None:
            raise evid.MalformedEvent(f"no case kind takes matches of {content_type!r} items")
        return kind

    # -- a kind's own event (a drone alert, say) --------------------------------------------------------------------

    def _event(self, org_id: int, kind: CaseKindSpec, p: dict[str, Any]) -> str:
        group = evid.group_text(p, kind.group_key)
        if not group:
            raise evid.MalformedEvent(f"{kind.group_key!r} is missing")
        record = dict(kind.record.clean(p)) if kind.record is not None else None
        hits, suppressed, _ = self._hits(org_id, evid.id_list(p, "match_ids", required=False))
        case, opened = self._case(org_id, kind, f"{kind.group_prefix}:{group}", group, priority_of(kind, p),
                                  {h.bank.id for h in hits})
        self._attach(case, hits, suppressed, None, kind, record)
        return self._finish(case, opened)

    # -- shared -----------------------------------------------------------------------------------------------------

    def _hits(self, org_id: int, match_ids: list[int]) -> tuple[list[_Hit], list[int], set[int]]:
        """The event's matches not yet in a case, split into live hits and decided false positives."""
        if not match_ids:
            return [], [], set()
        s = self.session
        ahead = all(i in self._ahead for i in match_ids)
        if ahead:
            # Read by prefetch: the same rows as the statements below, in this transaction, with the links this
            # batch made since.
            linked = {i for i in match_ids if i in self._linked}
            fresh = sorted((m for m in {self._ahead[i] for i in match_ids}
                            if m.org_id == org_id and not m.suppressed and m.id not in linked), key=lambda m: m.id)
        else:
            self.materialise()
            linked = set(s.scalars(select(CaseMatch.match_id).where(CaseMatch.match_id.in_(match_ids))))
            fresh = [m for m in s.scalars(select(Match).where(Match.id.in_(match_ids), Match.org_id == org_id,
                                                              Match.suppressed.is_(False)).order_by(Match.id))
                     if m.id not in linked]
        hits: list[_Hit] = []
        suppressed: list[int] = []
        for m in fresh:
            signal, entry, bank = s.get(Signal, m.signal_id), s.get(Entry, m.entry_id), s.get(Bank, m.bank_id)
            if signal is None or entry is None or bank is None:
                continue
            if ahead:
                key = (org_id, signal.id, query_sha256(m.query_value))
                held = suppression.holds(s, self._sups.get(key), signal, entry)
                if not held:
                    self._sups.pop(key, None)  # none, or a stale one lifted just now
            else:
                held = is_suppressed(s, org_id, signal, entry, m.query_value)
            if held:
                suppressed.append(m.id)
            else:
                hits.append(_Hit(m, signal, entry, bank))
        return hits, suppressed, linked

    def _case(self, org_id: int, spec: CaseKindSpec, key: str, group_value: str, priority: Priority,
              bank_ids: set[int]) -> tuple[Case, bool]:
        kind = spec.name
        four_eyes = self.policy.needs_four_eyes(org_id, kind, bank_ids)
        # FOR UPDATE: a reviewer deciding this case now waits for us, then sees a new version and is told.
        case = self._open.get((org_id, kind, key))
        if case is None and (org_id, kind, key) not in self._looked:
            case = self.session.scalar(
                select(Case).where(Case.org_id == org_id, Case.kind == kind, Case.group_key == key,
                                   Case.status.in_(OPEN_STATUSES))
                .order_by(Case.id).limit(1).with_for_update().execution_options(populate_existing=True))
        now = utcnow()
        if case is None:
            case = Case(org_id=org_id, kind=kind, group_key=key, status=CaseStatus.NEW.value,
                        priority=int(priority), four_eyes=four_eyes, due_at=self.policy.deadline(kind, now),
                        evidence=evid.empty_evidence(spec, group_value), version=1, created_at=now,
                        updated_at=now)
            self.session.add(case)  # written by materialise, with the batch's other new cases
            self._open[(org_id, kind, key)] = case
            return case, True
        self._open[(org_id, kind, key)] = case
        case.priority = min(case.priority, int(priority))
        case.four_eyes = case.four_eyes or four_eyes
        case.version += 1
        case.updated_at = now
        return case, False

    def _access(self, org_id: int, bank: Bank) -> Access:
        vis = self._vis.get(org_id)
        if vis is None:
            vis = self._vis[org_id] = Visibility(self.session, org_id)
        return vis.access(bank)

    def _attach(self, case: Case, hits: list[_Hit], suppressed: list[int], item: evid.ItemEvidence | None,
                kind: CaseKindSpec | None, record: dict[str, Any] | None) -> None:
        for h in hits:
            self._links.append((case, h))
            self._linked.add(h.match.id)
        ev = dict(case.evidence)
        if item is not None and all(i.get("id") != item["id"] for i in ev.get("items", [])):
            ev["items"] = [*ev.get("items", []), item]
        room = evid.MAX_EVIDENCE_MATCHES - len(ev.get("matches", []))
        ev["matches"] = [*ev.get("matches", []), *(
            evid.match_evidence(h.match, h.signal, h.entry, h.bank, self._access(case.org_id, h.bank))
            for h in hits[:max(room, 0)])]
        ev["match_count"] = int(ev.get("match_count", 0)) + len(hits)
        ev["suppressed_match_ids"] = [*ev.get("suppressed_match_ids", []), *suppressed][:1000]
        if kind is not None and kind.record is not None and record is not None:
            spec = kind.record
            records = list(ev.get(spec.key, []))
            known = record.get(spec.id_field)
            if len(records) < spec.limit and (known is None or all(r.get(spec.id_field) != known for r in records)):
                records.append(record)
            ev[spec.key] = records
        case.evidence = ev
        flag_modified(case, "evidence")

    def _finish(self, case: Case, opened: bool) -> str:
        self.case = case
        if opened:
            # The case as this event opened it (a later event of the batch may join it before it is written).
            self._opened.append((case, {"kind": case.kind, "group_key": case.group_key, "priority": case.priority,
                                        "due_at": case.due_at.isoformat(),
                                        "match_count": case.evidence.get("match_count", 0)}))
            return "opened"
        return "joined"

    def materialise(self) -> None:
        """Write what the events handled so far left waiting: the new cases (one INSERT for all), then their links
        to matches and their ``case.opened`` events."""
        if not self._links and not self._opened:
            self.session.flush()
            return
        self.session.flush()  # the new cases get their ids
        # Links and events as rows, without reading their ids back (by COPY from a few hundred, see pgcopy.insert_rows):
        # ORM objects read every id back through one long statement that the driver parses anew each time.
        pgcopy.insert_rows(self.session, _CASE_MATCHES, ("case_id", "match_id", "signal_id", "query_value"),
                           [(case.id, h.match.id, h.signal.id, h.match.query_value) for case, h in self._links])
        outbox.emit_many(self.session, [("case.opened", {"case_id": case.id, **payload}, case.org_id)
                                        for case, payload in self._opened], ids=False)
        self._links, self._opened = [], []
