"""Who sees what: DESIGN.md's table in one place, used by every read, match and export.

| marking      | owner | shared with                        | other organizations | partner instances          |
| CLEAR        | all   | see, match                         | see, match          | exported                   |
| GREEN        | all   | see, match                         | see, match          | to the community           |
| AMBER        | all   | see, match; may pass to clients    | nothing             | named partners only        |
| AMBER+STRICT | all   | match only (never the value)       | nothing             | named partners, no re-export |
| RED          | all   | match only (never the value)       | nothing             | never                      |

AMBER+STRICT is match-only for the organizations a bank is shared with on this instance: a value that may never be
passed on is never listed, since a listed value can be copied into a bank of one's own and passed on from there.
A value copied anyway (learnt from a match of one's own item, say) is traced: :func:`restricted_bank_ids` names the
banks whose values an organization may match but never pass on, and exports leave out every value also held there.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.exercise import exercise_org_ids, may_meet
from basira.core.models import TLP, Bank, SharingGroup, SharingGroupMember

#: Actors' ids in a provenance (an API key id, a user name) are the owner's business alone.
_ACTOR_PROVENANCE = re.compile(r"^(key|user|oidc|cli)(:|$)")


class Access(enum.IntEnum):
    """What an organization may do with a bank, in increasing order."""

    NONE = 0
    MATCH_ONLY = 1  # learns "a signal of <owner> matched", never the value, entry or labels
    SEE = 2  # sees and matches the signals
    OWNER = 3  # everything, including changes


def bank_access(bank: Bank, org_id: int, shared_org_ids: Iterable[int]) -> Access:
    """The access of ``org_id`` to ``bank``; ``shared_org_ids`` are the organizations it is shared with."""
    if bank.org_id == org_id:
        return Access.OWNER
    tlp = TLP(bank.tlp)
    shared = org_id in set(shared_org_ids)
    if tlp in (TLP.CLEAR, TLP.GREEN):
        return Access.SEE
    if not shared:
        return Access.NONE
    if tlp in (TLP.RED, TLP.AMBER_STRICT):
        return Access.MATCH_ONLY
    return Access.SEE


def may_pass_on(bank: Bank, org_id: int, shared_org_ids: Iterable[int]) -> bool:
    """Whether ``org_id`` may pass the bank's signals to its own clients."""
    access = bank_access(bank, org_id, shared_org_ids)
    if access == Access.OWNER:
        return TLP(bank.tlp) != TLP.RED
    return access == Access.SEE and TLP(bank.tlp) in (TLP.CLEAR, TLP.GREEN, TLP.AMBER)


def may_export_to_partner(bank: Bank, partner_org_id: int | None, shared_org_ids: Iterable[int]) -> bool:
    """Whether the bank's signals may leave the instance for a partner (``None``: the whole community)."""
    tlp = TLP(bank.tlp)
    if tlp == TLP.CLEAR:
        return True
    if tlp == TLP.GREEN:
        return True
    if tlp == TLP.RED:
        return False
    return partner_org_id is not None and partner_org_id in set(shared_org_ids)


class Visibility:
    """Resolves bank shares (direct and through sharing groups) once, then answers per bank.

    An exercise organization sees its own banks only, and its banks are seen by nobody else (whatever their
    marking or shares): see :mod:`basira.core.exercise`.
    """

    def __init__(self, session: Session, org_id: int) -> None:
        self.org_id = org_id
        groups = session.scalars(
            select(SharingGroupMember.group_id).where(SharingGroupMember.org_id == org_id)
        ).all()
        self._my_groups = set(groups)
        self._session = session
        self._exercise = exercise_org_ids(session)

    def walled_off(self, bank: Bank) -> bool:
        """Whether an exercise stands between this organization and ``bank`` (one of the two is an exercise)."""
        return not may_meet(self._exercise, self.org_id, bank.org_id)

    def shared_orgs(self, bank: Bank) -> set[int]:
        """The organizations the bank is shared with, less any on the other side of an exercise's wall."""
        orgs = {s.org_id for s in bank.shares if s.org_id is not None}
        group_ids = [s.group_id for s in bank.shares if s.group_id is not None]
        if group_ids:
            for g in self._session.scalars(select(SharingGroup).where(SharingGroup.id.in_(group_ids))):
                orgs.update(m.org_id for m in g.members)
        return {o for o in orgs if may_meet(self._exercise, o, bank.org_id)}

    def _shared_with_me(self, bank: Bank) -> bool:
        if any(s.org_id == self.org_id for s in bank.shares):
            return True
        return any(s.group_id in self._my_groups for s in bank.shares if s.group_id is not None)

    def access(self, bank: Bank) -> Access:
        if self.walled_off(bank):
            return Access.NONE
        return bank_access(bank, self.org_id, [self.org_id] if self._shared_with_me(bank) else [])

    def banks(self, minimum: Access) -> list[tuple[Bank, Access]]:
        """Every enabled bank this organization has at least ``minimum`` access to."""
        out = []
        for bank in self._session.scalars(select(Bank).where(Bank.deleted_at.is_(None)).order_by(Bank.id)):
            a = self.access(bank)
            if a >= minimum:
                out.append((bank, a))
        return out


def visible_provenance(provenance: str, access: Access) -> str:
    """A signal's provenance as an organization with ``access`` to its bank may read it: the owner's own actors
    (the key or user that added it) are left out for everyone but the owner."""
    if access == Access.OWNER or not _ACTOR_PROVENANCE.match(provenance):
        return provenance
    return ""


def restricted_bank_ids(session: Session, org_id: int) -> list[int]:
    """Banks of other organizations that ``org_id`` may match but whose values it may never pass on (AMBER+STRICT
    and RED banks shared with it): a value of theirs found in one of ``org_id``'s own banks is a copy."""
    return [b.id for b, a in Visibility(session, org_id).banks(Access.MATCH_ONLY) if a == Access.MATCH_ONLY]
