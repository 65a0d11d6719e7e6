"""Legal holds and preservation duties, and the question every purge and erasure asks: what is still needed?

A record is still needed when a case about it is open (new, in review, or appealed), an appeal on it waits for a
decision, or a hold on its subject is active. Subjects use the case grouping keys: ``item:<ref>``,
``customer:<ref>``, ``track:<id>``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import InvalidInput, NotFound
from basira.core.models import Role, utcnow
from basira.core.principal import Principal
from basira.retention.models import RetentionHold
from basira.review.models import Appeal, Case, CaseStatus

BASES = ("legal_hold", "preservation")
SUBJECT_KINDS = ("item", "customer", "track")
# Statuses in which a case still needs its records (an appealed case waits for the appeal's decision).
HOLDING_STATUSES = (CaseStatus.NEW.value, CaseStatus.IN_REVIEW.value, CaseStatus.APPEALED.value)


def check_subject(subject: str) -> str:
    kind, sep, ref = subject.partition(":")
    if not sep or kind not in SUBJECT_KINDS or not ref or len(subject) > 400 or not subject.isprintable():
        raise InvalidInput("a subject is item:<ref>, customer:<ref> or track:<id> (at most 400 characters)")
    return subject


def place_hold(session: Session, principal: Principal, subject: str, basis: str, reason: str,
               until: dt.datetime | None = None) -> RetentionHold:
    """Keep every record of ``subject`` past its rule (admins; audited)."""
    principal.require_admin()
    if basis not in BASES:
        raise InvalidInput(f"a hold's basis is one of {', '.join(BASES)}")
    if not reason.strip() or len(reason) > 2000:
        raise InvalidInput("a hold needs a reason of at most 2000 characters")
    hold = RetentionHold(org_id=principal.org_id, subject=check_subject(subject), basis=basis,
                         reason=reason.strip(), until=until, created_by=principal.actor)
    session.add(hold)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="retention.hold",
                 target=f"hold:{hold.id}", details={"subject": hold.subject, "basis": basis,
                                                    "until": until.isoformat() if until else None})
    return hold


def release_hold(session: Session, principal: Principal, hold_id: int) -> RetentionHold:
    principal.require_admin()
    hold = session.get(RetentionHold, hold_id)
    if hold is None or hold.org_id != principal.org_id or hold.released_at is not None:
        raise NotFound(f"no active hold {hold_id}")
    hold.released_at = utcnow()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="retention.release",
                 target=f"hold:{hold.id}", details={"subject": hold.subject})
    return hold


def list_holds(session: Session, principal: Principal) -> list[RetentionHold]:
    principal.require({Role.ADMIN, Role.AUDITOR}, "read the holds")
    return list(session.scalars(select(RetentionHold).where(RetentionHold.org_id == principal.org_id,
                                                            RetentionHold.released_at.is_(None))
                                .order_by(RetentionHold.id)))


def needed_subjects(session: Session, org_id: int, now: dt.datetime) -> set[str]:
    """Every subject of the organization whose records are still needed (open case, pending appeal, hold)."""
    open_keys = set(session.scalars(select(Case.group_key).where(Case.org_id == org_id,
                                                                 Case.status.in_(HOLDING_STATUSES))))
    appealed = set(session.scalars(select(Case.group_key).join(Appeal, Appeal.case_id == Case.id)
                                   .where(Case.org_id == org_id, Appeal.outcome.is_(None))))
    held = set(session.scalars(select(RetentionHold.subject).where(
        RetentionHold.org_id == org_id, RetentionHold.released_at.is_(None),
        or_(RetentionHold.until.is_(None), RetentionHold.until > now))))
    return open_keys | appealed | held


def needed_case_ids(session: Session, org_id: int) -> set[int]:
    """Cases whose matches must stay: open ones and those with an appeal waiting."""
    open_ids = set(session.scalars(select(Case.id).where(Case.org_id == org_id, Case.status.in_(HOLDING_STATUSES))))
    appealed = set(session.scalars(select(Appeal.case_id).join(Case, Case.id == Appeal.case_id)
                                   .where(Case.org_id == org_id, Appeal.outcome.is_(None))))
    return open_ids | appealed
