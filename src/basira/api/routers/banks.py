"""Banks: create, list, read, change, delete, and share them with organizations or sharing groups.

What a caller learns of a bank is cut to its access (DESIGN.md's TLP table): a RED bank shared for matching
only shows its owner and marking, never its id, name or contents.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import BankRef, errors
from basira.core import banks, orgs
from basira.core.models import Bank, Organization
from basira.core.visibility import Access, Visibility

router = APIRouter(prefix="/v1", tags=["banks"], responses=errors(401))

TLP_HELP = "TLP 2.0 marking: `CLEAR`, `GREEN`, `AMBER`, `AMBER+STRICT` or `RED`."
THRESHOLDS_HELP = "Distance thresholds per signal type, e.g. `{\"pdq\": 31}`; other types use their defaults."

SHARE_DERIVED_HELP = ("Whether derived signals (hashes of crops and small turns of a banked photo) go to partners "
                      "too (STIX/TAXII, MISP, HMA); partners with plain PDQ match the plain hash either way.")


class BankIn(BaseModel):
    """A new bank."""

    name: str = Field(description="Unique among the organization's banks.", min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    tlp: str = Field(default="AMBER", description=TLP_HELP, min_length=1, max_length=20)
    negative: bool = Field(default=False, description="Hits in a negative bank suppress the item's other hits.")
    thresholds: dict[str, float] = Field(default_factory=dict, description=THRESHOLDS_HELP)
    enabled: bool = True
    share_derived: bool = Field(
        default=False, description=SHARE_DERIVED_HELP)

    model_config = {"json_schema_extra": {"examples": [{"name": "Partner X PDQ", "tlp": "AMBER"}]}}


class BankPatch(BaseModel):
    """Changes to a bank; a field left out (or null) stays as it is."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    tlp: str | None = Field(default=None, description=TLP_HELP, min_length=1, max_length=20)
    negative: bool | None = None
    thresholds: dict[str, float] | None = Field(default=None, description=THRESHOLDS_HELP)
    enabled: bool | None = None
    share_derived: bool | None = None


class ShareIn(BaseModel):
    """Whom to share with (or stop sharing with): exactly one of an organization or a sharing group."""

    org: str | None = Field(default=None, description="An organization's slug.", max_length=64)
    group: str | None = Field(default=None, description="The name of one of the caller's sharing groups.",
                              max_length=200)


class ShareOut(BaseModel):
    """One organization or sharing group a bank is shared with."""

    org: str | None = None
    group: str | None = None


class BankOut(BaseModel):
    """A bank as the caller may see it. With ``access`` = ``match_only`` (a RED bank shared with the caller)
    only ``owner``, ``tlp``, ``negative`` and ``access`` are given."""

    id: int | None
    name: str | None
    owner: str | None = Field(description="The owning organization's slug.")
    tlp: str
    negative: bool
    access: Literal["owner", "see", "match_only"]
    description: str | None = None
    enabled: bool | None = None
    thresholds: dict[str, float] | None = None
    share_derived: bool | None = Field(default=None, description=SHARE_DERIVED_HELP)
    signal_count: int | None = Field(default=None, description="Enabled signals in the bank.")
    shared_with: list[ShareOut] | None = Field(default=None, description="Only for the owner.")
    created_at: dt.datetime | None = None


def bank_view(session: Session, bank: Bank, access: Access, count: int | None = None,
              owners: dict[int, str] | None = None) -> BankOut:
    """The reply for one bank, cut to ``access``."""
    if owners is None:
        owner = session.get(Organization, bank.org_id)
        owner_slug = owner.slug if owner else None
    else:
        owner_slug = owners.get(bank.org_id)
    if access < Access.SEE:
        return BankOut(id=None, name=None, owner=owner_slug, tlp=bank.tlp, negative=bank.negative,
                       access="match_only")
    if count is None:
        count = banks.signal_count(session, bank.id)
    shared: list[ShareOut] | None = None
    if access == Access.OWNER:
        shared = [ShareOut(org=t.org_slug) if t.org_id is not None else ShareOut(group=t.group_name)
                  for t in banks.shares_of(session, bank)]
    return BankOut(id=bank.id, name=bank.name, owner=owner_slug, tlp=bank.tlp, negative=bank.negative,
                   access="owner" if access == Access.OWNER else "see", description=bank.description,
                   enabled=bank.enabled, thresholds={k: float(v) for k, v in bank.thresholds.items()},
                   share_derived=bank.share_derived,
                   signal_count=count, shared_with=shared, created_at=bank.created_at)


def _spec(body: BankIn | BankPatch) -> banks.BankSpec:
    return banks.BankSpec(name=body.name, description=body.description, tlp=body.tlp, negative=body.negative,
                          thresholds=body.thresholds, enabled=body.enabled, share_derived=body.share_derived)


@router.post("/banks", status_code=status.HTTP_201_CREATED, response_model=BankOut,
             responses=errors(403, 409, 422))
def create_bank(body: BankIn, inst: InstanceDep, principal: PrincipalDep) -> BankOut:
    """Create a bank owned by the caller's organization (admins and analysts). The marking defaults to AMBER."""
    with inst.db.session() as s:
        bank = banks.create_bank(s, principal, inst.registry, _spec(body))
        return bank_view(s, bank, Access.OWNER, 0)


@router.get("/banks", response_model=list[BankOut])
def list_banks(inst: InstanceDep, principal: PrincipalDep) -> list[BankOut]:
    """Every enabled bank the caller's organization may match against: its own, CLEAR and GREEN banks of
    others, and banks shared with it (RED ones as `match_only`, without name or contents)."""
    with inst.db.session() as s:
        owners = {i: o.slug for i, o in orgs.orgs_by_id(s).items()}
        return [bank_view(s, b, a, n, owners) for b, a, n in banks.list_banks(s, principal)]


@router.get("/banks/{bank}", response_model=BankOut, responses=errors(404, 422))
def get_bank(bank: BankRef, inst: InstanceDep, principal: PrincipalDep) -> BankOut:
    """One bank the caller may see (RED banks of others are never readable, only matched against)."""
    with inst.db.session() as s:
        b = banks.get_bank(s, principal, bank, Access.SEE)
        return bank_view(s, b, Visibility(s, principal.org_id).access(b))


@router.patch("/banks/{bank}", response_model=BankOut, responses=errors(403, 404, 409, 422))
def update_bank(bank: BankRef, body: BankPatch, inst: InstanceDep, principal: PrincipalDep) -> BankOut:
    """Change a bank of the caller's organization: name, description, marking, negative flag, thresholds,
    enabled. Every change is audited."""
    with inst.db.session() as s:
        b = banks.update_bank(s, principal, inst.registry, bank, _spec(body))
        return bank_view(s, b, Access.OWNER)


@router.delete("/banks/{bank}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=errors(403, 404, 422))
def delete_bank(bank: BankRef, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """Delete a bank of the caller's organization: its signals stop matching at once. The rows stay (disabled)
    for the matches that cite them, and the name is freed."""
    with inst.db.session() as s:
        banks.delete_bank(s, principal, bank)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/banks/{bank}/share", response_model=BankOut, responses=errors(403, 404, 422))
def share_bank(bank: BankRef, body: ShareIn, inst: InstanceDep, principal: PrincipalDep) -> BankOut:
    """Share a bank with an organization (`{"org": slug}`) or a sharing group (`{"group": name}`). What they
    may then do follows the bank's marking (RED: match only, never the values). Sharing twice is harmless."""
    with inst.db.session() as s:
        b = banks.share_bank(s, principal, bank, org=body.org, group=body.group)
        return bank_view(s, b, Access.OWNER)


@router.post("/banks/{bank}/unshare", response_model=BankOut, responses=errors(403, 404, 422))
def unshare_bank(bank: BankRef, body: ShareIn, inst: InstanceDep, principal: PrincipalDep) -> BankOut:
    """Stop sharing a bank with an organization or a sharing group; takes effect on their next request."""
    with inst.db.session() as s:
        b = banks.share_bank(s, principal, bank, org=body.org, group=body.group, unshare=True)
        return bank_view(s, b, Access.OWNER)
