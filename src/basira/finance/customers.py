"""The screened customers an organization keeps for monitoring, found by their reference or a screened value
(a name in any script, a document number, a wallet), screened in a date range."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from basira.core.search import SearchQuery, contains, counted, json_contains
from basira.finance.models import Customer


def customers_query(org_id: int, query: SearchQuery) -> Select[Any]:
    """The organization's customers whose reference or kept signals hold the text, last screened in the date range
    (last screened first). Customers carry no labels: a search by label finds none."""
    q = select(Customer).where(Customer.org_id == org_id)
    if query.label:
        q = q.where(false())
    if query.text:
        q = q.where(or_(contains(Customer.ref, query.text), json_contains(Customer.signals, query.text)))
    if (when := query.dates.clause(Customer.screened_at)) is not None:
        q = q.where(when)
    return q.order_by(Customer.screened_at.desc(), Customer.id.desc())


def find_customers(session: Session, org_id: int, query: SearchQuery) -> tuple[int, list[Customer]]:
    """How many customers :func:`customers_query` finds, and the first ``query.limit``."""
    total, rows = counted(session, customers_query(org_id, query), query.limit)
    return total, [r[0] for r in rows]
