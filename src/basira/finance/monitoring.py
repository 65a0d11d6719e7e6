"""Ongoing monitoring: when a list changes, re-screen the stored customers against the entries that changed.

Only hits on an added or changed entry that the customer has not already been alerted on raise a new
``match.recorded`` event (and so a review case); a customer alerted on an entry once is not alerted again because
the entry gained an alias.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.errors import BasiraError
from basira.core.models import Bank, Item, Match, Organization, Role
from basira.core.principal import Principal
from basira.core.visibility import Access, Visibility
from basira.finance.lists.history import latest_import
from basira.finance.models import Customer
from basira.finance.screening import BankIndex, ScreenQuery, clean_query, lists_in_force, record_hits, screen_one
from basira.finance.settings import current_settings


def _already_alerted(session: Session, org_id: int, ref: str, entry_ids: set[int]) -> set[int]:
    rows = session.scalars(select(Match.entry_id).join(Item, Item.id == Match.item_id).where(
        Item.org_id == org_id, Item.ref == ref, Match.entry_id.in_(entry_ids)))
    return set(rows)


def rescreen(session: Session, bank: Bank, entry_ids: set[int], actor: str) -> tuple[int, int]:
    """Re-screen every organization's stored customers that screen against ``bank``; (customers, new hits)."""
    customers_done = hits_total = 0
    imp = latest_import(session, bank.id)
    for org in session.scalars(select(Organization).order_by(Organization.id)):
        access = Visibility(session, org.id).access(bank)
        settings = current_settings(session, org.id)
        if access < Access.MATCH_ONLY or (settings.bank_ids is not None and bank.id not in settings.bank_ids):
            continue
        principal = Principal(org_id=org.id, role=Role.ANALYST, actor=actor)
        banks = [(b, a, i) for b, a, i in lists_in_force(session, principal, settings, [bank.id])]
        imports = {bank.id: imp}
        shown = {**settings.as_dict(), "bank_ids": [bank.id]}
        indexes: dict[int, BankIndex] = {}
        for customer in session.scalars(select(Customer).where(Customer.org_id == org.id).order_by(Customer.id)
                                        .execution_options(yield_per=500)):
            s = customer.signals
            try:
                q = clean_query(ScreenQuery(ref=customer.ref, kind=customer.kind, names=list(s.get("names", [])),
                                            birth_date=s.get("birth_date"), nationality=list(s.get("nationality", [])),
                                            gender=s.get("gender"), documents=list(s.get("documents", [])),
                                            wallets=list(s.get("wallets", []))))
            except BasiraError:
                continue  # a stored customer that no longer validates is skipped, never fatal to an import
            customers_done += 1
            hits = screen_one(session, q, banks, settings.threshold, settings.weights, 10, only_entries=entry_ids,
                              cache=False, indexes=indexes)
            if not hits:
                continue
            seen = _already_alerted(session, org.id, customer.ref, {h.entry.id for h in hits})
            fresh = [h for h in hits if h.entry.id not in seen]
            hits_total += len(record_hits(session, org.id, actor, q, fresh, imports, shown, settings.threshold,
                                          monitoring=True))
    return customers_done, hits_total
