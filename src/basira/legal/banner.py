"""What the home page's banner says about removal orders: every clock still running or paused, soonest first."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sqlalchemy.orm import Session

from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.legal.clock import view
from basira.legal.orders import READ_ROLES, orders_on_clock, running_deadlines


class Deadline(TypedDict):
    """One open clock: its deadline, whether it has passed, and the orders (ids, comma-separated) on it."""

    deadline_at: dt.datetime
    state: str
    missed: bool
    orders: str


def legal_banner(session: Session, principal: Principal, now: dt.datetime | None = None) -> list[Deadline]:
    """Open clocks of the principal's organization (none for roles that may not read orders)."""
    if principal.role not in READ_ROLES:
        return []
    at = now or utcnow()
    out: list[Deadline] = []
    for clock in running_deadlines(session, principal.org_id)[:20]:
        v = view(clock, at)
        out.append({"deadline_at": clock.deadline_at, "state": v.state, "missed": v.missed,
                    "orders": ", ".join(str(o.id) for o in orders_on_clock(session, clock.id))})
    return out
