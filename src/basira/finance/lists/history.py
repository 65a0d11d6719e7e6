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

from basira.core.banks import get_bank
from basira.core.errors import NotFound
from basira.core.models import Bank
from basira.core.principal import Principal
from basira.core.visibility import Access, Visibility
from basira.finance.models import ListChange, ListImport


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


def imports_of(session: Session, principal: Principal, bank_id: int) -> tuple[Bank, Access, list[ListImport]]:
    """A list bank the caller may see, its access and every import of it, newest first (its versions)."""
    bank = get_bank(session, principal, bank_id, Access.SEE)
    access = Visibility(session, principal.org_id).access(bank)
    rows = list(session.scalars(select(ListImport).where(ListImport.bank_id == bank.id)
                                .order_by(ListImport.id.desc())))
    return bank, access, rows


def changes_of(session: Session, principal: Principal, import_id: int,
               limit: int = 1000) -> tuple[ListImport, list[ListChange]]:
    """One import of a list bank the caller may see and the entries it added, changed or removed (its delta,
    the first ``limit``); NotFound for an import of a bank the caller may not see."""
    imp = session.get(ListImport, import_id) if import_id > 0 else None
    if imp is None:
        raise NotFound(f"no list import {import_id}")
    try:
        get_bank(session, principal, imp.bank_id, Access.SEE)
    except NotFound:
        raise NotFound(f"no list import {import_id}") from None
    rows = list(session.scalars(select(ListChange).where(ListChange.import_id == imp.id)
                                .order_by(ListChange.id).limit(limit)))
    return imp, rows
