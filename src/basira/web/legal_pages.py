"""Pages of the legal duties: a form for entering a removal order (or a referral) received on paper, by e-mail or
by phone, with the authenticated receipt shown at once, and each bank's "why is this here" provenance page.

The form posts to :func:`basira.legal.orders.receive`, the same service as the API: a missing Annex I field is
refused with the list of what is missing, the receipt time starts the one-hour clock, refusals are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from basira.core.errors import BasiraError, NotFound
from basira.legal import authorities
from basira.legal.clock import local, zone
from basira.legal.models import RemovalClock
from basira.legal.orders import GROUND_POINTS, LEGAL_ROLES, OrderRequest, receive
from basira.reports.provenance import bank_provenance
from basira.web.common import Viewer, ViewerDep, checked_form, error, field, inst, render

router = APIRouter(include_in_schema=False)
FORM_FIELDS = 30
FIELDS = ("kind", "authority", "reference", "member_state", "urls", "locating_info", "grounds", "redress",
          "signatory", "issued_at", "confidential", "no_disclosure_until", "signature")


@router.get("/banks/{bank_id}/provenance", response_class=HTMLResponse)
def provenance_page(request: Request, bank_id: str, v: ViewerDep) -> Response:
    """Why is this bank here: origin, signals' provenance and labels, history, the viewer's own use of it."""
    ident = int(bank_id) if bank_id.isascii() and bank_id.isdigit() and len(bank_id) < 19 else 0
    try:
        with inst(request).db.session() as s:
            data = bank_provenance(s, v.principal, ident)
    except NotFound:
        return error(request, "not_found", 404, v.context())
    return render(request, "bank_provenance.html", {**v.context(), "p": data, "nav": "banks"})


def _form_page(request: Request, v: Viewer, *, values: dict[str, Any] | None = None, status: int = 200,
               problem: str | None = None, missing: list[str] | None = None) -> Response:
    with inst(request).db.session() as s:
        known = [{"name": a.name, "member_state": a.member_state, "timezone": a.timezone,
                  "signed": a.key_kind != "none"} for a in authorities.list_authorities(s, v.principal)]
    return render(request, "legal_order_form.html", {
        **v.context(), "authorities": known, "points": GROUND_POINTS, "values": values or {"kind": "order"},
        "problem": problem, "missing": missing or [], "nav": "orders"}, status=status)


@router.get("/legal/orders/new", response_class=HTMLResponse)
def order_form(request: Request, v: ViewerDep) -> Response:
    if v.principal.role not in LEGAL_ROLES:
        return error(request, "forbidden", 403, v.context())
    return _form_page(request, v)


def _moment(text: str, tz_name: str, label: str) -> dt.datetime | None:
    """A ``datetime-local`` value read in the authority's time zone (as the order states it), else None."""
    text = text.strip()
    if not text:
        return None
    try:
        naive = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _BadField(label) from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zone(tz_name))


class _BadField(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@router.post("/legal/orders", response_class=HTMLResponse)
async def post_order(request: Request, v: ViewerDep) -> Response:
    form = await checked_form(request, FORM_FIELDS)
    if isinstance(form, HTMLResponse):
        return form
    if v.principal.role not in LEGAL_ROLES:
        return error(request, "forbidden", 403, v.context())
    values = _values(form)
    instance = inst(request)
    with instance.db.session() as s:
        tz_by_name = {a.name: a.timezone for a in authorities.list_authorities(s, v.principal)}
    tz_name = tz_by_name.get(values["authority"], "UTC")
    try:
        issued = _moment(values["issued_at"], tz_name, "issued_at")
        until = _moment(values["no_disclosure_until"], tz_name, "no_disclosure_until")
    except _BadField as bad:
        return _form_page(request, v, values=values, status=422, missing=[bad.name])
    req = OrderRequest(
        authority=values["authority"], reference=values["reference"], member_state=values["member_state"].upper(),
        urls=[u.strip() for u in values["urls"].splitlines() if u.strip()], locating_info=values["locating_info"],
        grounds=values["grounds"], grounds_points=[p for p in values["points"] if p in GROUND_POINTS],
        redress=values["redress"], signatory=values["signatory"], issued_at=issued,
        confidential=values["confidential"], no_disclosure_until=until, signature=values["signature"].strip(),
        kind=values["kind"] if values["kind"] in ("order", "referral") else "order")
    try:
        order = receive(instance.db.session, v.principal, req, instance.secret_key)
    except BasiraError as e:
        missing = [str(m) for m in e.extra.get("missing", [])]
        return _form_page(request, v, values=values, status=e.status if e.status < 500 else 422,
                          problem=None if missing else e.detail, missing=missing)
    with instance.db.session() as s:
        clock = s.get(RemovalClock, order.clock_id) if order.clock_id else None
        deadline = clock.deadline_at if clock else None
    return render(request, "legal_order_received.html", {
        **v.context(), "order": order, "authority": values["authority"], "nav": "orders",
        "received_local": local(order.received_at, tz_name),
        "deadline": deadline, "deadline_local": local(deadline, tz_name) if deadline else None}, status=201)


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: field(form, name)[:20_000] for name in FIELDS}
    values["confidential"] = field(form, "confidential") == "on"
    values["points"] = [p for p in form.getlist("grounds_points") if isinstance(p, str)][:len(GROUND_POINTS)]
    return values
