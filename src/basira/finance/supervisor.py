"""The finance front's part of the report for a financial supervisor: the sanctions-list updates an organization
imported in a period and the re-screening each one set off, and its screening activity, as plain values.

``basira.reports.supervisor`` adds the cases and renders it; it reaches this module through the manifest's
``reports["supervisor"]`` hook and never imports the front.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core.models import Bank, Item, Match
from basira.finance.cases import SCREENING_HIT
from basira.finance.models import Customer, ListImport


def list_updates(session: Session, org_id: int, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """List imports of the period (version, publication, delay, delta, re-screening) and screening figures."""
    banks = {b.id: b.name for b in session.scalars(select(Bank).where(Bank.org_id == org_id))}
    imports = session.scalars(select(ListImport).where(ListImport.org_id == org_id, ListImport.created_at >= start,
                                                       ListImport.created_at < end).order_by(ListImport.created_at,
                                                                                             ListImport.id))
    rows = []
    for imp in imports:
        delay = ((imp.created_at - imp.published_at).total_seconds() / 3600
                 if imp.published_at is not None else None)
        rows.append({"list": banks.get(imp.bank_id, imp.title), "source": imp.source, "title": imp.title,
                     "version": imp.version, "published_at": imp.published_at.isoformat() if imp.published_at else None,
                     "imported_at": imp.created_at.isoformat(), "hours_after_publication":
                         round(delay, 1) if delay is not None else None,
                     "file_sha256": imp.file_sha256, "entries": imp.entries, "added": imp.added,
                     "changed": imp.changed, "removed": imp.removed, "customers_rescreened": imp.rescreened,
                     "new_hits": imp.new_hits})
    screening = Item.content_type.in_(sorted(SCREENING_HIT.content_types))
    screenings = session.scalar(select(func.count()).select_from(Item).where(
        Item.org_id == org_id, screening, Item.created_at >= start, Item.created_at < end)) or 0
    hits = session.scalar(select(func.count()).select_from(Match).join(Item, Item.id == Match.item_id).where(
        Match.org_id == org_id, screening, Match.created_at >= start, Match.created_at < end)) or 0
    monitored = session.scalar(select(func.count()).select_from(Customer).where(Customer.org_id == org_id)) or 0
    return {"list_updates": rows,
            "screening": {"screenings_with_hits": int(screenings), "hits": int(hits),
                          "customers_monitored_now": int(monitored)}}
