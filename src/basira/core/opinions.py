"""Opinions: an organization's view of a signal (confirmed, false positive, seen); mixed views are disputed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit, outbox
from basira.core.banks import get_bank
from basira.core.errors import InvalidInput, NotFound
from basira.core.models import Opinion, OpinionKind, Signal
from basira.core.principal import Principal
from basira.core.visibility import Access

DISPUTED = "disputed"


def set_opinion(session: Session, principal: Principal, signal_id: int, kind: str, note: str = "") -> Opinion:
    """Record (or change) the caller's organization's opinion of a signal it may match against."""
    principal.require_match()
    try:
        k = OpinionKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown opinion {kind!r} (confirmed, false_positive, seen)") from None
    sig = session.get(Signal, signal_id)
    if sig is None:
        raise NotFound(f"no signal {signal_id}")
    get_bank(session, principal, sig.bank_id, Access.MATCH_ONLY)
    op = session.scalar(select(Opinion).where(Opinion.org_id == principal.org_id, Opinion.signal_id == signal_id))
    if op is None:
        op = Opinion(org_id=principal.org_id, signal_id=signal_id, kind=k.value, note=note, actor=principal.actor)
        session.add(op)
    else:
        op.kind, op.note, op.actor = k.value, note, principal.actor
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="opinion.set",
                 target=f"signal:{signal_id}", details={"opinion": k.value})
    outbox.emit(session, "opinion.recorded", {"signal_id": signal_id, "bank_id": sig.bank_id, "opinion": k.value,
                                              "by_org_id": principal.org_id}, org_id=principal.org_id)
    return op


def summary(session: Session, signal_id: int) -> str | None:
    """``confirmed`` or ``false_positive`` when all who judged agree, ``disputed`` when they differ, else None.

    ``seen`` records that an organization met the signal; it takes no side.
    """
    kinds = {k for k in session.scalars(select(Opinion.kind).where(Opinion.signal_id == signal_id))
             if k != OpinionKind.SEEN.value}
    if not kinds:
        return None
    if len(kinds) > 1:
        return DISPUTED
    return kinds.pop()
