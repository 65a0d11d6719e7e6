"""Data-subject requests: export everything Basira holds on one person, and erase it where no duty forbids.

A subject is ``customer:<ref>`` or another kind a front declares in its manifest's retention parts (a screened
customer: the record kept for monitoring, the screenings under that reference, their matches and cases) or
``user:<username>`` (a user of the organization: the account, linked
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
from basira.core.models import AuditEntry, Base, Match, User, utcnow
from basira.core.principal import Principal
from basira.identity.models import OidcIdentity
from basira.retention.holds import needed_subjects
from basira.retention.parts import TablePart, data_subject_parts, retention_kinds, subject_column
from basira.review.models import Case

MAX_AUDIT_ROWS = 10_000


def subject_kinds() -> tuple[str, ...]:
    """``user`` and every kind of data subject the fronts declare (``customer``)."""
    declared = {p.data_subject for k in retention_kinds() for p in k.parts if p.data_subject}
    return ("user", *sorted(declared))


def parse_subject(subject: str) -> tuple[str, str]:
    kind, sep, ref = subject.partition(":")
    kinds = subject_kinds()
    if not sep or kind not in kinds or not ref or len(subject) > 400 or not subject.isprintable():
        raise InvalidInput("a data subject is " + " or ".join(f"{k}:<ref>" for k in kinds))
    return kind, ref


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _row_json(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row._mapping.items()
            if k not in ("id", "org_id") and not isinstance(v, bytes | bytearray)}


def _subject_rows(s: Session, org_id: int, kind: str, ref: str) -> list[tuple[TablePart, list[Any]]]:
    """(part, rows) for every table the fronts declare as holding data of ``kind`` subjects, by reference."""
    out = []
    for part in data_subject_parts(kind):
        t, col = part.table, subject_column(part)
        cond = [t.c[part.spec.org_column] == org_id, t.c[col] == ref]
        if part.is_items and part.spec.content_types:
            cond.append(t.c.content_type.in_(sorted(part.spec.content_types)))
        out.append((part, list(s.execute(select(t).where(*cond).order_by(t.c.id)))))
    return out


def _export_declared(s: Session, org_id: int, kind: str, ref: str) -> dict[str, Any]:
    found = _subject_rows(s, org_id, kind, ref)
    if not any(rows for _, rows in found):
        raise NotFound(f"no {kind} with this reference")
    records: dict[str, list[dict[str, Any]]] = {}
    screenings: list[dict[str, Any]] = []
    for part, rows in found:
        if part.is_items:
            for r in rows:
                matches = s.scalars(select(Match).where(Match.item_id == r.id).order_by(Match.id))
                screenings.append({"id": r.id, "content_type": r.content_type, "signals": r.signals,
                                   "created_at": _iso(r.created_at), "matches": [
                                       {"signal_type": m.signal_type, "query_value": m.query_value,
                                        "score": m.distance, "bank_id": m.bank_id, "created_at": _iso(m.created_at)}
                                       for m in matches]})
        else:
            records.setdefault(part.spec.table, []).extend(_row_json(r) for r in rows)
    cases = s.scalars(select(Case).where(Case.org_id == org_id, Case.group_key == f"{kind}:{ref}"))
    return {"records": records, "screenings": screenings,
            "cases": [{"id": c.id, "kind": c.kind, "status": c.status, "created_at": _iso(c.created_at)}
                      for c in cases]}


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
    body = (_export_user(session, principal.org_id, ref) if kind == "user"
            else _export_declared(session, principal.org_id, kind, ref))
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="subject.export",
                 target=subject[:200], details={"kind": kind})
    return {"subject": subject, "exported_at": utcnow().isoformat(), **body}


def _erase_declared(s: Session, org_id: int, kind: str, ref: str) -> dict[str, int]:
    found = _subject_rows(s, org_id, kind, ref)
    if not any(rows for _, rows in found):
        raise NotFound(f"no {kind} with this reference")
    needed = needed_subjects(s, org_id, utcnow())
    subjects = {f"{k}:{ref}" for part, _ in found for k, _col in part.spec.subjects}
    if subjects & needed or any(part.held_by_cases(s, [r.id for r in rows]) for part, rows in found if rows):
        raise Conflict(f"a case, an appeal or a hold still needs this {kind}'s records; erase them after")
    counts: dict[str, int] = {}
    for part, rows in found:
        key = "screenings" if part.is_items else part.spec.table
        counts[key] = counts.get(key, 0) + (part.delete(s, [r.id for r in rows]) if rows else 0)
    return counts


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
    counts = (_erase_user(session, principal, ref) if kind == "user"
              else _erase_declared(session, principal.org_id, kind, ref))
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="subject.erase",
                 target=f"{kind}:erased" if kind == "user" else subject[:200], details={"kind": kind, **counts})
    return counts
