"""Searching what an organization holds: the filters every list shares (free text, a label, a date range), the
items and bank signals it may see, and the audit entry every export of a list writes.

Free text is matched case-insensitively as a substring, with ``%`` and ``_`` taken literally. JSON columns are
searched in their stored text, where SQLAlchemy's serializer writes non-ASCII characters as ``\\uXXXX`` escapes:
:func:`json_contains` looks for the value written the same way, so an Arabic name is found in a JSON column too.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from basira.core import audit
from basira.core.banks import not_copied
from basira.core.errors import InvalidInput
from basira.core.models import Bank, Entry, Item, Signal
from basira.core.principal import Principal
from basira.core.visibility import Access, Visibility, may_pass_on

#: The longest free text a search takes (a URL or a long name fits; a pasted document does not).
MAX_QUERY = 300
#: The longest label a search takes.
MAX_LABEL = 100


def clean_query(value: str, what: str = "the search text", limit: int = MAX_QUERY) -> str:
    """``value`` stripped; InvalidInput when it is longer than ``limit`` or holds control characters."""
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} has at most {limit} characters")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise InvalidInput(f"{what} holds control characters")
    return text


def parse_day(value: str, what: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` day (None when empty); InvalidInput for anything else."""
    text = value.strip()
    if not text:
        return None
    if len(text) != 10 or not text.isascii():
        raise InvalidInput(f"{what} is not a date (YYYY-MM-DD)", field=what, problem="date")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} is not a date (YYYY-MM-DD)", field=what, problem="date") from None


@dataclass(frozen=True)
class DateRange:
    """Days from ``since`` to ``until``, both included (UTC); either end may be open."""

    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def parse(cls, since: str, until: str) -> DateRange:
        """The range of two ``YYYY-MM-DD`` texts; InvalidInput when one is not a date or they are reversed (its
        ``extra`` names the ``field``, ``since`` or ``until``, and the ``problem``, ``date`` or ``range``)."""
        found = cls(parse_day(since, "since"), parse_day(until, "until"))
        if found.since and found.until and found.since > found.until:
            raise InvalidInput("since is after until", field="until", problem="range")
        return found

    def clause(self, column: InstrumentedAttribute[dt.datetime]) -> ColumnElement[bool] | None:
        """A condition on a UTC time column, or None when the range is open at both ends."""
        parts = []
        if self.since is not None:
            parts.append(column >= dt.datetime.combine(self.since, dt.time(), dt.UTC))
        if self.until is not None:
            parts.append(column < dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), dt.UTC))
        return and_(*parts) if parts else None


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` holds ``text`` (any case; wildcards taken literally)."""
    return cast(column, Text).ilike(f"%{_escaped(text)}%", escape="\\")


def json_text(value: str) -> str:
    """``value`` as it appears inside a JSON string stored by SQLAlchemy (non-ASCII escaped), without quotes."""
    return json.dumps(value)[1:-1]


def json_contains(column: Any, text: str) -> ColumnElement[bool]:
    """A JSON column holds ``text`` somewhere in a string (any case)."""
    return contains(column, json_text(text))


def json_has_string(column: Any, text: str) -> ColumnElement[bool]:
    """A JSON column holds the string ``text`` exactly (a label in a list, say; any case)."""
    return cast(column, Text).ilike(f'%"{_escaped(json_text(text))}"%', escape="\\")


@dataclass(frozen=True)
class SearchQuery:
    """What a search asks: free text (a value or a reference), a label, a date range, and how many rows."""

    text: str = ""
    label: str = ""
    dates: DateRange = DateRange()
    limit: int = 50

    @classmethod
    def parse(cls, text: str, label: str = "", since: str = "", until: str = "", limit: int = 50) -> SearchQuery:
        """A checked query; InvalidInput names the part that is wrong."""
        return cls(clean_query(text), clean_query(label, "the label", MAX_LABEL), DateRange.parse(since, until),
                   max(1, min(limit, 1000)))

    @property
    def empty(self) -> bool:
        return not (self.text or self.label or self.dates.since or self.dates.until)


def _where(q: Select[Any], *conds: ColumnElement[bool] | None) -> Select[Any]:
    for c in conds:
        if c is not None:
            q = q.where(c)
    return q


#: A select of any columns.
AnySelect = Select[*tuple[Any, ...]]


def counted(session: Session, q: AnySelect, limit: int) -> tuple[int, list[Any]]:
    """How many rows ``q`` finds, and the first ``limit`` of them."""
    total = session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    return int(total), list(session.execute(q.limit(limit)))


def items_query(principal: Principal, query: SearchQuery) -> Select[Any]:
    """The organization's submitted items whose reference or signal values hold the text (newest first).

    Items carry no labels: a search by label finds none.
    """
    q = select(Item).where(Item.org_id == principal.org_id)
    if query.label:
        q = q.where(false())
    text = or_(contains(Item.ref, query.text), json_contains(Item.signals, query.text)) if query.text else None
    return _where(q, text, query.dates.clause(Item.created_at)).order_by(Item.created_at.desc(), Item.id.desc())


def find_items(session: Session, principal: Principal, query: SearchQuery) -> tuple[int, list[Item]]:
    total, rows = counted(session, items_query(principal, query), query.limit)
    return total, [r[0] for r in rows]


def visible_bank_ids(session: Session, principal: Principal, *, leaving: bool = False) -> dict[int, Bank]:
    """The banks whose values the organization may see (``leaving``: and pass on, as an export does)."""
    vis = Visibility(session, principal.org_id)
    return {bank.id: bank for bank, _ in vis.banks(Access.SEE)
            if not leaving or may_pass_on(bank, principal.org_id, vis.shared_orgs(bank))}


def signals_query(session: Session, principal: Principal, query: SearchQuery, *,
                  leaving: bool = False) -> Select[Signal, Entry]:
    """Enabled signals of the banks the organization may see, with their entries, whose value or entry reference
    holds the text and that carry the label (newest first). ``leaving``: for an export, without the banks whose
    values may not be passed on and without values copied from them (as a bank export leaves them out)."""
    banks = visible_bank_ids(session, principal, leaving=leaving)
    q = (select(Signal, Entry).join(Entry, Entry.id == Signal.entry_id)
         .where(Signal.bank_id.in_(sorted(banks)), Signal.enabled.is_(True)))
    text = or_(contains(Signal.value, query.text), contains(Entry.ref, query.text)) if query.text else None
    label = json_has_string(Signal.labels, query.label) if query.label else None
    copied = not_copied(session, principal.org_id) if leaving else None
    for cond in (text, label, copied, query.dates.clause(Signal.created_at)):
        if cond is not None:
            q = q.where(cond)
    return q.order_by(Signal.created_at.desc(), Signal.id.desc())


def find_signals(session: Session, principal: Principal, query: SearchQuery) -> tuple[int, list[tuple[Signal, Entry]]]:
    total, rows = counted(session, signals_query(session, principal, query), query.limit)
    return total, [(s, e) for s, e in rows]


def record_export(session: Session, principal: Principal, what: str, fmt: str, filters: dict[str, str]) -> None:
    """The audit entry of a list exported from the web pages (what, in which format, with which filters)."""
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="list.export", target=f"list:{what}",
                 details={"format": fmt, "filters": {k: v for k, v in filters.items() if v}})
