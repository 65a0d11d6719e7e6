"""Sharing groups: named sets of organizations that can stand wherever a bank is "shared with"."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.exercise import refuse_crossing
from basira.core.models import BankShare, Organization, SharingGroup, SharingGroupMember
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


def list_groups(session: Session, principal: Principal) -> list[SharingGroup]:
    """The sharing groups the caller's organization owns, by name."""
    return list(session.scalars(select(SharingGroup).where(SharingGroup.owner_org_id == principal.org_id)
                                .order_by(SharingGroup.name)))


def get_group(session: Session, principal: Principal, group_id: int) -> SharingGroup:
    """A sharing group of the caller's organization; another organization's groups do not exist for it."""
    group = session.get(SharingGroup, group_id) if group_id > 0 else None
    if group is None or group.owner_org_id != principal.org_id:
        raise NotFound(f"no sharing group {group_id}")
    return group


def member_slugs(session: Session, group: SharingGroup) -> list[str]:
    """The slugs of a group's member organizations, sorted."""
    ids = [m.org_id for m in group.members]
    if not ids:
        return []
    return sorted(session.scalars(select(Organization.slug).where(Organization.id.in_(ids))))


def update_group(session: Session, principal: Principal, group_id: int, name: str,
                 members: list[str]) -> SharingGroup:
    """Rename a group and set its members (slugs); banks shared with it follow at their next request."""
    principal.require_bank_write()
    group = get_group(session, principal, group_id)
    if not name.strip() or len(name) > 200:
        raise InvalidInput("a sharing group name has 1-200 characters")
    if name != group.name and session.scalar(select(SharingGroup).where(
            SharingGroup.owner_org_id == principal.org_id, SharingGroup.name == name)):
        raise Conflict(f"sharing group {name!r} exists")
    wanted: dict[int, str] = {}
    for slug in dict.fromkeys(members):
        org = session.scalar(select(Organization).where(Organization.slug == slug))
        if org is None:
            raise NotFound(f"no organization {slug!r}")
        refuse_crossing(session, principal.org_id, org.id, f"{slug!r} cannot join sharing group {name!r}")
        wanted[org.id] = slug
    before = member_slugs(session, group)
    group.name = name
    group.members[:] = [m for m in group.members if m.org_id in wanted]
    held = {m.org_id for m in group.members}
    group.members.extend(SharingGroupMember(org_id=i) for i in wanted if i not in held)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="group.update",
                 target=f"group:{group.id}", details={"name": name, "members": sorted(wanted.values()),
                                                      "before": before})
    return group


def delete_group(session: Session, principal: Principal, group_id: int) -> str:
    """Delete a group no bank is shared with (Conflict otherwise: stop sharing first); returns its name."""
    principal.require_bank_write()
    group = get_group(session, principal, group_id)
    used = session.scalar(select(func.count()).select_from(BankShare).where(BankShare.group_id == group.id)) or 0
    if used:
        raise Conflict(f"{used} bank(s) are shared with sharing group {group.name!r}: stop sharing them first")
    name = group.name
    session.delete(group)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="group.delete",
                 target=f"group:{group_id}", details={"name": name})
    return name
