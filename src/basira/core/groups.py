"""Sharing groups: named sets of organizations that can stand wherever a bank is "shared with"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.exercise import refuse_crossing
from basira.core.models import Organization, SharingGroup, SharingGroupMember
from basira.core.principal import Principal


def create_group(session: Session, principal: Principal, name: str, members: list[str]) -> SharingGroup:
    """A group owned by the caller's organization, with member organizations named by slug."""
    principal.require_bank_write()
    if not name.strip() or len(name) > 200:
        raise InvalidInput("a sharing group name has 1-200 characters")
    if session.scalar(select(SharingGroup).where(SharingGroup.owner_org_id == principal.org_id,
                                                 SharingGroup.name == name)):
        raise Conflict(f"sharing group {name!r} exists")
    group = SharingGroup(owner_org_id=principal.org_id, name=name)
    for slug in dict.fromkeys(members):
        org = session.scalar(select(Organization).where(Organization.slug == slug))
        if org is None:
            raise NotFound(f"no organization {slug!r}")
        refuse_crossing(session, principal.org_id, org.id, f"{slug!r} cannot join sharing group {name!r}")
        group.members.append(SharingGroupMember(org_id=org.id))
    session.add(group)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="group.create",
                 target=f"group:{group.id}", details={"name": name, "members": members})
    return group
