"""Orders as the API, the CLI and the web show them, and orders read from the JSON an authority sends.

Times are given in UTC and, for the deadline and the receipt, also in the authority's time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from basira.core.errors import InvalidInput
from basira.core.models import utcnow
from basira.legal import clock as clocks
from basira.legal.models import Authority, RemovalClock, RemovalOrder
from basira.legal.orders import OrderRequest

_TEXT_FIELDS = ("authority", "reference", "member_state", "locating_info", "grounds", "redress", "signatory",
                "signature", "kind")
_FIELDS = frozenset((*_TEXT_FIELDS, "urls", "grounds_points", "issued_at", "confidential", "no_disclosure_until"))


def parse_moment(value: Any, name: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be an ISO 8601 time with an offset")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name}: {value[:60]!r} is not an ISO 8601 time") from None
    return clocks.as_utc(moment)


def _strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{name} must be a list of strings")
    return list(value)


def request_from_json(data: Any) -> OrderRequest:
    """An :class:`OrderRequest` from a JSON object with the Annex I field names; unknown keys are refused."""
    if not isinstance(data, dict):
        raise InvalidInput("an order is a JSON object")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise InvalidInput(f"unknown fields: {', '.join(map(str, unknown))[:300]}")
    texts: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = data.get(name, "order" if name == "kind" else "")
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise InvalidInput(f"{name} must be a string")
        texts[name] = str(value)
    confidential = data.get("confidential", False)
    if not isinstance(confidential, bool):
        raise InvalidInput("confidential must be true or false")
    return OrderRequest(**texts, urls=_strings(data.get("urls"), "urls"),
                        grounds_points=_strings(data.get("grounds_points"), "grounds_points"),
                        issued_at=parse_moment(data.get("issued_at"), "issued_at"), confidential=confidential,
                        no_disclosure_until=parse_moment(data.get("no_disclosure_until"), "no_disclosure_until"))


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def order_view(session: Session, order: RemovalOrder, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything about an order, its clock included, as JSON-ready values."""
    authority = session.get(Authority, order.authority_id)
    tz = authority.timezone if authority else "UTC"
    clock = session.get(RemovalClock, order.clock_id) if order.clock_id else None
    clock_out: dict[str, Any] | None = None
    if clock is not None:
        v = clocks.view(clock, now or utcnow())
        clock_out = {"id": clock.id, "state": v.state, "deadline_at": _iso(v.deadline_at),
                     "deadline_local": clocks.local(v.deadline_at, tz), "remaining_s": round(v.remaining_s),
                     "missed": v.missed, "pause_reason": clock.pause_reason or None}
    return {
        "id": order.id, "kind": order.kind, "status": order.status,
        "authority": {"id": order.authority_id, "name": authority.name if authority else None, "timezone": tz},
        "reference": order.reference, "member_state": order.member_state, "urls": order.urls,
        "locating_info": order.locating_info, "grounds": order.grounds,
        "grounds_points": [p for p in order.legal_basis.split(",") if p], "redress": order.redress,
        "signatory": order.signatory, "issued_at": _iso(order.issued_at), "confidential": order.confidential,
        "no_disclosure_until": _iso(order.no_disclosure_until), "authenticated": order.authenticated,
        "received_at": _iso(order.received_at), "received_local": clocks.local(order.received_at, tz),
        "receipt": order.receipt, "received_by": order.received_by, "unknown_content": order.unknown_content,
        "item_ids": order.item_ids, "duplicate_of": order.duplicate_of, "clock": clock_out,
        "action": order.action, "executed_at": _iso(order.executed_at), "confirmed_by": order.confirmed_by,
        "not_executed_grounds": order.not_executed_grounds or None, "reinstated_at": _iso(order.reinstated_at),
        "reinstated_reason": order.reinstated_reason or None,
    }
