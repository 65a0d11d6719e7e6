"""Data-subject requests: export everything Basira holds on one person, and erase it where no duty forbids.

A subject is ``customer:<ref>`` (a screened customer: the record kept for monitoring, the screenings under that
reference, their matches and cases) or ``user:<username>`` (a user of the organization: the account, linked
identities, exposure counts, their entries in the audit log). Both requests are audited with the subject's
reference, never the data. Erasure is refused while a case, an appeal or a hold still needs the records; the audit
log itself is a duty and is never rewritten (an erased user's past entries keep the name they were made under).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.db import load_models
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.models import AuditEntry, Base, Item, Match, User, utcnow
from basira.core.principal import Principal
from basira.finance.cases import SCREENING_HIT
from basira.finance.models import Customer
from basira.identity.models import OidcIdentity
from basira.retention.holds import needed_subjects
from basira.retention.parts import Items
from basira.review.models import Case

MAX_AUDIT_ROWS = 10_000


def parse_subject(subject: str) -> tuple[str, str]:
    kind, sep, ref = subject.partition(":")
    if not sep or kind not in ("customer", "user") or not ref or len(subject) > 400 or not subject.isprintable():
        raise InvalidInput("a data subject is customer:<ref> or user:<username>")
    return kind, ref


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _screenings(s: Session, org_id: int, ref: str) -> list[Item]:
    return list(s.scalars(select(Item).where(Item.org_id == org_id, Item.ref == ref,
                                             Item.content_type.in_(SCREENING_HIT.content_types)).order_by(Item.id)))


def _export_customer(s: Session, org_id: int, ref: str) -> dict[str, Any]:
    customer = s.scalar(select(Customer).where(Customer.org_id == org_id, Customer.ref == ref))
    items = _screenings(s, org_id, ref)
    if customer is None and not items:
        raise NotFound("no screened customer with this reference")
    matches = {i.id: list(s.scalars(select(Match).where(Match.item_id == i.id).order_by(Match.id))) for i in items}
    cases = s.scalars(select(Case).where(Case.org_id == org_id, Case.group_key == f"customer:{ref}"))
    return {
        "customer": None if customer is None else {
            "ref": customer.ref, "kind": customer.kind, "signals": customer.signals,
            "created_at": _iso(customer.created_at), "screened_at": _iso(customer.screened_at)},
        "screenings": [{"id": i.id, "content_type": i.content_type, "signals": i.signals,
                        "created_at": _iso(i.created_at), "matches": [
                            {"signal_type": m.signal_type, "query_value": m.query_value, "score": m.distance,
                             "bank_id": m.bank_id, "created_at": _iso(m.created_at)} for m in matches[i.id]]}
                       for i in items],
        "cases": [{"id": c.id, "kind": c.kind, "status": c.status, "created_at": _iso(c.created_at)} for c in cases],
    }


def _user_of(s: Session, org_id: int, username: str) -> User:
    user = s.scalar(select(User).where(User.org_id == org_id, User.username == username))
    if user is None:
        raise NotFound("no user of this organization has this name")
    return user


def _export_user(s: Session, org_id: int, username: str) -> dict[str, Any]:
    user = _user_of(s, org_id, username)
    load_models()
    exposures = Base.metadata.tables["web_exposures"]
    idents = s.scalars(select(OidcIdentity).where(OidcIdentity.user_id == user.id))
    entries = s.scalars(select(AuditEntry).where(AuditEntry.chain == audit.org_chain(org_id),
                                                 AuditEntry.actor == f"user:{username}")
                        .order_by(AuditEntry.seq).limit(MAX_AUDIT_ROWS))
    return {
        "user": {"username": user.username, "role": user.role, "locale": user.locale,
                 "second_factor": bool(user.totp_secret), "created_at": _iso(user.created_at),
                 "deleted_at": _iso(user.deleted_at)},
        "identities": [{"issuer": i.issuer, "subject": i.subject, "created_at": _iso(i.created_at),
                        "last_login_at": _iso(i.last_login_at)} for i in idents],
        "exposures": [{"day": day, "count": count} for day, count in s.execute(
            select(exposures.c.day, exposures.c.count).where(exposures.c.user_id == user.id)
            .order_by(exposures.c.day))],
        "audit": [{"ts": e.ts, "action": e.action, "target": e.target} for e in entries],
    }


def export_subject(session: Session, principal: Principal, subject: str) -> dict[str, Any]:
    """Everything the organization holds on ``subject``, as JSON-ready values (admins; audited)."""
    principal.require_admin()
    kind, ref = parse_subject(subject)
    body = (_export_customer if kind == "customer" else _export_user)(session, principal.org_id, ref)
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="subject.export",
                 target=subject[:200], details={"kind": kind})
    return {"subject": subject, "exported_at": utcnow().isoformat(), **body}


def _erase_customer(s: Session, org_id: int, ref: str) -> dict[str, int]:
    customer = s.scalar(select(Customer).where(Customer.org_id == org_id, Customer.ref == ref))
    items = _screenings(s, org_id, ref)
    if customer is None and not items:
        raise NotFound("no screened customer with this reference")
    needed = needed_subjects(s, org_id, utcnow())
    part = Items(screening=True)
    ids = [i.id for i in items]
    if {f"customer:{ref}", f"item:{ref}"} & needed or (ids and part.held_by_cases(s, ids)):
        raise Conflict("a case, an appeal or a hold still needs this customer's records; erase them after")
    removed = part.delete(s, ids) if ids else 0
    if customer is not None:
        s.delete(customer)
    return {"customer": int(customer is not None), "screenings": removed}


def _erase_user(s: Session, principal: Principal, ref: str) -> dict[str, int]:
    user = _user_of(s, principal.org_id, ref)
    if principal.actor == f"user:{user.username}":
        raise Conflict("an admin cannot erase their own account (ask another admin)")
    load_models()
    counts: dict[str, int] = {}
    for table in ("web_exposures", "web_totp_enrolments"):
        t = Base.metadata.tables[table]
        result = s.execute(delete(t).where(t.c.user_id == user.id))
        counts[table.removeprefix("web_")] = int(result.rowcount) if isinstance(result, CursorResult) else 0
    idents = s.execute(delete(OidcIdentity).where(OidcIdentity.user_id == user.id))
    counts["identities"] = int(idents.rowcount) if isinstance(idents, CursorResult) else 0
    # The row stays (cases and decisions point at it) but nothing in it names or authenticates the person.
    user.username = f"erased-{user.id}"
    user.password_hash = "erased!" + secrets.token_hex(16)
    user.totp_secret = None
    user.deleted_at = user.deleted_at or utcnow()
    counts["user"] = 1
    return counts


def erase_subject(session: Session, principal: Principal, subject: str) -> dict[str, int]:
    """Erase ``subject``'s records where no duty forbids it (admins; audited); returns what was removed."""
    principal.require_admin()
    kind, ref = parse_subject(subject)
    counts = (_erase_customer(session, principal.org_id, ref) if kind == "customer"
              else _erase_user(session, principal, ref))
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="subject.erase",
                 target=f"{kind}:erased" if kind == "user" else subject[:200], details={"kind": kind, **counts})
    return counts
