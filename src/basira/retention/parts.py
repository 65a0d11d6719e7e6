"""What each kind of record is in the database: how to find expired rows, whose subject they are, how to delete.

The kinds come from declarations, not imports: the platform's own (:data:`PLATFORM_KINDS`: items, webhook
deliveries, sessions) and each front's :class:`basira.core.fronts.RetentionKind` in its manifest. Each declared
:class:`basira.core.fronts.RetentionPart` names a table, its age column, the subjects that may hold a row, the rows
that go with it; :class:`TablePart` carries it out on ``Base.metadata``'s tables. A part selects an organization's
expired rows in id order after a cursor (held rows are stepped over, never read again in the same run), names the
subjects that could hold each row (case grouping keys), and deletes a batch of ids with the rows that depend on
them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, CursorResult, Table, and_, delete, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from basira.actions.models import Delivery, DeliveryStatus
from basira.core import chaingaps
from basira.core.db import load_models
from basira.core.fronts import FrontRegistry, RetentionKind, RetentionPart, default_fronts
from basira.core.models import Base, Item, Match
from basira.retention.holds import HOLDING_STATUSES
from basira.review.models import Appeal, Case, CaseMatch

FINISHED = (DeliveryStatus.DELIVERED.value, DeliveryStatus.DEAD.value, DeliveryStatus.CANCELLED.value)
ITEMS = Item.__tablename__
#: The reason recorded for the chain runs a purge deletes.
GAP_REASON = "retention"

#: The platform's own kinds (its tables); the fronts add theirs in their manifests. ``sessions`` is purged by
#: :mod:`basira.retention.purge` itself (daily counts keyed by day, sign-ins keyed by time), so it has no table part.
PLATFORM_KINDS: tuple[RetentionKind, ...] = (
    RetentionKind("items", "items submitted for matching (not screenings) and their matches", parts=(
        RetentionPart(table=ITEMS, age_column="created_at", subjects=(("item", "ref"),)),), default_days=365),
    RetentionKind("webhook_deliveries", "finished webhook deliveries and their attempts", parts=(
        RetentionPart(table=Delivery.__tablename__, age_column="created_at", where=(("status", FINISHED),),
                      children=(("action_delivery_attempts", "delivery_id"),)),), default_days=90),
)
SESSIONS = RetentionKind("sessions", "reviewers' daily exposure counts and sign-ins through identity providers",
                         parts=(), default_days=90)


@dataclass(frozen=True)
class Candidate:
    """An expired row: its id and the subjects whose holds or open cases keep it."""

    id: int
    subjects: frozenset[str]


def _count(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def _needed_case() -> Any:
    """Cases that still need their matches: open, appealed, or with an appeal waiting."""
    waiting = exists().where(Appeal.case_id == Case.id, Appeal.outcome.is_(None))
    return or_(Case.status.in_(HOLDING_STATUSES), waiting)


def _table(name: str) -> Table:
    load_models()
    try:
        return Base.metadata.tables[name]
    except KeyError:
        raise LookupError(f"retention names table {name!r}, which no loaded model declares") from None


def _held_values(column: Column[Any], kind: str, needed: Iterable[str]) -> list[Any]:
    """The values of ``column`` that subjects ``<kind>:<value>`` in ``needed`` hold, in the column's type."""
    prefix = f"{kind}:"
    values = [n[len(prefix):] for n in needed if n.startswith(prefix)]
    try:
        numeric = column.type.python_type is int
    except NotImplementedError:
        numeric = False
    return sorted(int(v) for v in values if v.isdigit()) if numeric else sorted(values)


class TablePart:
    """One declared table's share of a kind of record."""

    def __init__(self, spec: RetentionPart, unclaimed_items: frozenset[str] = frozenset()) -> None:
        self.spec = spec
        self.name = spec.table
        #: For the platform's items part: the content types that front parts claim (their items are not ours).
        self.unclaimed_items = unclaimed_items

    @property
    def table(self) -> Table:
        return _table(self.spec.table)

    @property
    def is_items(self) -> bool:
        return self.spec.table == ITEMS

    def _expired(self, t: Table, org_id: int, cutoff: dt.datetime, after: int) -> ColumnElement[bool]:
        conds: list[ColumnElement[bool]] = [t.c[self.spec.org_column] == org_id, t.c.id > after,
                                            t.c[self.spec.age_column] < cutoff]
        conds += [t.c[col].in_(values) for col, values in self.spec.where]
        if self.is_items:
            if self.spec.content_types:
                conds.append(t.c.content_type.in_(sorted(self.spec.content_types)))
            elif self.unclaimed_items:
                conds.append(t.c.content_type.not_in(sorted(self.unclaimed_items)))
        return and_(*conds)

    def candidates(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int) -> list[Candidate]:
        t = self.table
        cols = [t.c.id, *(t.c[col] for _, col in self.spec.subjects)]
        q = select(*cols).where(self._expired(t, org_id, cutoff, after)).order_by(t.c.id).limit(limit)
        out = []
        for row in s.execute(q):
            subjects = {f"{kind}:{value}" for (kind, _), value in zip(self.spec.subjects, row[1:], strict=True)
                        if value is not None and value != ""}
            if self.is_items:
                subjects.add(f"item#{row[0]}")  # the grouping key of a case on an item without a reference
            out.append(Candidate(int(row[0]), frozenset(subjects)))
        return out

    def held_by_cases(self, s: Session, ids: Sequence[int]) -> set[int]:
        """Items whose matches sit in a case that still needs them (other tables have no such link)."""
        if not self.is_items:
            return set()
        q = (select(Match.item_id).join(CaseMatch, CaseMatch.match_id == Match.id)
             .join(Case, Case.id == CaseMatch.case_id).where(Match.item_id.in_(ids), _needed_case()))
        return set(s.scalars(q))

    def delete(self, s: Session, ids: Sequence[int]) -> int:
        t = self.table
        if self.is_items:
            # A decided case keeps its evidence snapshot; only its links to the deleted matches go.
            matches = select(Match.id).where(Match.item_id.in_(ids)).scalar_subquery()
            s.execute(delete(CaseMatch).where(CaseMatch.match_id.in_(matches)))
            s.execute(delete(Match).where(Match.item_id.in_(ids)))
        for name, col in self.spec.children:
            child = _table(name)
            s.execute(delete(child).where(child.c[col].in_(ids)))
        for name, col in self.spec.detach:
            other = _table(name)
            s.execute(update(other).where(other.c[col].in_(ids)).values({col: None}))
        if self.spec.chain is not None:
            self._record_runs(s, t, t.c.id.in_(ids))
        return _count(s.execute(delete(t).where(t.c.id.in_(ids))))

    def purge_batch(self, s: Session, org_id: int, cutoff: dt.datetime, after: int, limit: int,
                    needed: set[str]) -> tuple[int, int, int, int]:
        """Delete the next ``limit`` expired rows after ``after`` inside the database (a bulk part): (rows seen,
        deleted, held, last id seen). No row comes back to Python, only counts and, for a chained table, one row
        per run of consecutive deleted links."""
        t = self.table
        subject_cols = [t.c[col] for _, col in self.spec.subjects]
        window = select(t.c.id, *subject_cols, *self._chain_cols(t)).where(
            self._expired(t, org_id, cutoff, after)).order_by(t.c.id).limit(limit).subquery()
        kept_conds = []
        for (kind, col), column in zip(self.spec.subjects, subject_cols, strict=True):
            held = _held_values(column, kind, needed)
            if held:
                kept_conds.append(window.c[col].in_(held))
        kept: ColumnElement[bool] = or_(*kept_conds) if kept_conds else literal(False)
        seen, last, held_count = s.execute(select(func.count(), func.max(window.c.id),
                                                  func.count().filter(kept))).one()
        if not seen:
            return 0, 0, 0, after
        doomed_filter: ColumnElement[bool] = ~kept if kept_conds else literal(True)
        if kept_conds:
            # A NULL subject column holds nothing: NOT (NULL IN (...)) is NULL in SQL, so say it.
            doomed_filter = or_(*(window.c[col].is_(None) for _, col in self.spec.subjects), ~kept)
        if self.spec.chain is not None:
            ids = select(window.c.id).where(doomed_filter)
            self._record_runs(s, t, t.c.id.in_(ids))
        doomed = select(window.c.id).where(doomed_filter)
        deleted = _count(s.execute(delete(t).where(t.c.id.in_(doomed))))
        return int(seen), deleted, int(held_count or 0), int(last)

    def _chain_cols(self, t: Table) -> list[Column[Any]]:
        return [] if self.spec.chain is None else [t.c[self.spec.chain[0]], t.c[self.spec.chain[1]]]

    def _record_runs(self, s: Session, t: Table, chosen: ColumnElement[bool]) -> None:
        """Record each run of consecutive links about to be deleted (gaps and islands, in the database)."""
        assert self.spec.chain is not None
        group_col, seq_col, _prev, hash_col = (t.c[c] for c in self.spec.chain)
        rows = select(group_col.label("g"), seq_col.label("seq"), t.c[self.spec.org_column].label("org"),
                      (seq_col - func.row_number().over(partition_by=group_col, order_by=seq_col)).label("island")
                      ).where(chosen).subquery()
        runs = select(rows.c.g, rows.c.org, func.min(rows.c.seq), func.max(rows.c.seq)).group_by(
            rows.c.g, rows.c.org, rows.c.island)
        found = [(g, org, int(first), int(last)) for g, org, first, last in s.execute(runs)]
        by_chain: dict[tuple[Any, int], list[tuple[int, int, str]]] = {}
        for g, org, first, last in found:
            last_hash = s.scalar(select(hash_col).where(group_col == g, seq_col == last))
            by_chain.setdefault((g, int(org)), []).append((first, last, str(last_hash)))
        for (g, org), chain_runs in by_chain.items():
            chaingaps.record_runs(s, org, chaingaps.chain_name(self.spec.table, g), chain_runs, GAP_REASON)


def retention_kinds(fronts: FrontRegistry | None = None) -> list[RetentionKind]:
    """Every kind of record: the platform's, then the fronts' (by their manifests), then sessions."""
    return [*PLATFORM_KINDS, *(fronts or default_fronts()).retention_kinds(), SESSIONS]


def parts_by_kind(fronts: FrontRegistry | None = None) -> Mapping[str, tuple[TablePart, ...]]:
    """kind name -> its table parts, ready to run (the platform's items part leaves the fronts' items alone)."""
    kinds = retention_kinds(fronts)
    claimed = frozenset(ct for k in kinds for p in k.parts if p.table == ITEMS for ct in p.content_types)
    return {k.name: tuple(TablePart(p, claimed if p.table == ITEMS and not p.content_types else frozenset())
                          for p in k.parts) for k in kinds}


def data_subject_parts(kind: str, fronts: FrontRegistry | None = None) -> list[TablePart]:
    """The parts whose rows belong to data subjects of ``kind`` (``customer``), for export and erasure."""
    return [p for parts in parts_by_kind(fronts).values() for p in parts if p.spec.data_subject == kind]


def subject_column(part: TablePart) -> str:
    """The column that names a data subject's reference in ``part``."""
    return next(col for kind, col in part.spec.subjects if kind == part.spec.data_subject)
