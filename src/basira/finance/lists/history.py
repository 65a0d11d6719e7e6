"""What was imported: the latest import of each list bank, as the API, the command line and screening read it.

One rule for every reader: a caller learns of the imports of the banks it may see (its own and those shared with
it or marked for all), whoever imported them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core.models import Bank
from basira.core.principal import Principal
from basira.core.visibility import Access, Visibility
from basira.finance.models import ListImport


@dataclass(frozen=True)
class LatestImport:
    """A list bank the caller may see and its latest import."""

    bank: Bank
    access: Access
    imp: ListImport

    def as_dict(self) -> dict[str, Any]:
        """The shape the API's ``GET /v1/lists`` and ``basira lists show --json`` both give."""
        i = self.imp
        return {"bank_id": self.bank.id, "bank": self.bank.name, "source": i.source, "title": i.title,
                "version": i.version, "published": i.published_at.isoformat() if i.published_at else None,
                "imported_at": i.created_at.isoformat(), "entries": i.entries, "added": i.added,
                "changed": i.changed, "removed": i.removed, "rescreened": i.rescreened, "new_hits": i.new_hits}


def latest_by_bank(session: Session, bank_ids: Iterable[int]) -> dict[int, ListImport]:
    """The latest import of each of ``bank_ids`` that has one (one query, whatever the number of imports)."""
    wanted = sorted(set(bank_ids))
    if not wanted:
        return {}
    newest = (select(func.max(ListImport.id)).where(ListImport.bank_id.in_(wanted))
              .group_by(ListImport.bank_id).scalar_subquery())
    return {i.bank_id: i for i in session.scalars(select(ListImport).where(ListImport.id.in_(newest)))}


def latest_import(session: Session, bank_id: int) -> ListImport | None:
    """The latest import of one bank, or None before its first."""
    return latest_by_bank(session, [bank_id]).get(bank_id)


def latest_imports(session: Session, principal: Principal, minimum: Access = Access.SEE) -> list[LatestImport]:
    """Each list bank the caller has at least ``minimum`` access to, with its latest import, by bank id.

    ``minimum`` is :attr:`Access.SEE` to show lists, :attr:`Access.OWNER` to re-import them (only the owner may).
    """
    banks = Visibility(session, principal.org_id).banks(minimum)
    latest = latest_by_bank(session, [b.id for b, _ in banks])
    return [LatestImport(b, a, latest[b.id]) for b, a in banks if b.id in latest]
