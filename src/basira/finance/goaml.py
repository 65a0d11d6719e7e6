"""The finance front's part of a goAML report: the subject of a screening case, as plain values.

``basira.reports.goaml`` builds the XML and never imports this front: it calls :func:`subject` through the manifest's
``reports["goaml_subject"]`` hook with the case's customer reference and match ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.models import Bank, Entry, Item, Match
from basira.finance.models import Customer


def subject(session: Session, org_id: int, customer_ref: str, match_ids: Sequence[int]) -> dict[str, Any]:
    """The screened customer (kept record, else what the screenings carried) and the list entries it hit.

    Returns ``kind`` (person, organization or wallet), ``ref``, ``names``, ``birth_date``, ``nationality``,
    ``gender``, ``documents``, ``wallets`` and ``hits`` (list name, entry reference, matched name, score).
    """
    matches = list(session.scalars(select(Match).where(Match.org_id == org_id, Match.id.in_(match_ids))
                                   .order_by(Match.id))) if match_ids else []
    customer = session.scalar(select(Customer).where(Customer.org_id == org_id, Customer.ref == customer_ref))
    if customer is not None:
        signals = dict(customer.signals)
        kind = customer.kind
    else:
        items = list(session.scalars(select(Item).where(Item.org_id == org_id,
                                                        Item.id.in_({m.item_id for m in matches}))))
        values = [s for i in items for s in i.signals]
        signals = {"names": [s["value"] for s in values if s.get("signal_type") == "name"],
                   "wallets": [s["value"] for s in values if s.get("signal_type") == "crypto_address"]}
        kind = items[0].content_type if items else "person"
    banks = {b.id: b.name for b in session.scalars(select(Bank).where(Bank.id.in_({m.bank_id for m in matches})))}
    entries = {e.id: e.ref for e in session.scalars(select(Entry).where(Entry.id.in_({m.entry_id for m in matches})))}
    hits = [{"list": banks.get(m.bank_id, ""), "entry": entries.get(m.entry_id, ""),
             "matched_name": str(m.explanation.get("matched_name") or m.query_value),
             "query": m.query_value, "score": round(1.0 - m.distance, 4)} for m in matches]
    return {"kind": kind if kind in ("person", "organization", "wallet") else "person", "ref": customer_ref,
            "names": list(signals.get("names") or []), "birth_date": signals.get("birth_date"),
            "nationality": list(signals.get("nationality") or []), "gender": signals.get("gender"),
            "documents": list(signals.get("documents") or []), "wallets": list(signals.get("wallets") or []),
            "hits": hits}
