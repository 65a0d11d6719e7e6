"""Receiving removal orders (TCO Art. 3, Annex I) and referrals: checks, the authenticated receipt, the clock.

An order that lacks a mandatory Annex I field is refused with the list of what is missing; one from an unknown
authority, or whose signature does not verify against the authority's key, is refused too. Every refusal is
written to the audit log before the error reaches the caller. An accepted order gets a receipt time taken by
Basira (never the sender's) and an HMAC receipt over it; an order naming a URL that an open order already names
joins that order's clock (one clock, several authorities); an order for content Basira never saw is kept and
flagged ``unknown_content``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from basira.core import audit, outbox
from basira.core.errors import BasiraError, Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.models import AuditEntry, Item, Match, Role, as_id, utcnow
from basira.core.principal import Principal
from basira.legal import clock as clocks
from basira.legal.authorities import get_authority, member_state, signature_problem, signed_body
from basira.legal.models import Authority, OrderStatus, RemovalClock, RemovalOrder
from basira.review.cases import clean_text

SessionFactory = Callable[[], AbstractContextManager[Session]]
# Who may receive and act on orders: the organization's point of contact (admins) and its reviewers.
LEGAL_ROLES = {Role.ADMIN, Role.REVIEWER}
READ_ROLES = {Role.ADMIN, Role.REVIEWER, Role.AUDITOR}
KINDS = ("order", "referral")
# Art. 2(7)(a)-(e): incites, solicits to commit, solicits to participate, instructs, threatens.
GROUND_POINTS = ("a", "b", "c", "d", "e")
OPEN_STATUSES = (OrderStatus.RECEIVED.value, OrderStatus.PAUSED.value)
MAX_URLS = 1000
MAX_URL = 2048
MAX_TEXT = 10_000


@dataclass
class OrderRequest:
    """An order (or referral) as sent by an authority; field names follow Annex I.

    Attributes:
        authority: The registered authority's id or name (section A).
        reference: The authority's reference of the order (section A).
        member_state: The issuing Member State (two letters).
        urls: The exact URLs of the content (section B).
        locating_info: Additional information that identifies the content, where a URL is not enough.
        grounds: The reasons why the content is terrorist content (section B).
        grounds_points: Which points of Art. 2(7) apply (``a``-``e``).
        redress: Information on redress for the provider and the content provider (section E).
        signatory: Name and function of who signed the order for the authority.
        issued_at: When the authority issued it.
        confidential: Whether the authority forbids telling the content provider for now (Art. 11(3)).
        no_disclosure_until: Until when (required when ``confidential``).
        signature: HMAC-SHA256 (hex) or Ed25519 (base64 or hex) signature over :func:`annex_fields`.
        kind: ``order`` (binding, one hour) or ``referral`` (voluntary, no clock).
    """

    authority: str = ""
    reference: str = ""
    member_state: str = ""
    urls: list[str] = field(default_factory=list)
    locating_info: str = ""
    grounds: str = ""
    grounds_points: list[str] = field(default_factory=list)
    redress: str = ""
    signatory: str = ""
    issued_at: dt.datetime | None = None
    confidential: bool = False
    no_disclosure_until: dt.datetime | None = None
    signature: str = ""
    kind: str = "order"


def _utc_iso(moment: dt.datetime | None) -> str | None:
    return clocks.as_utc(moment).isoformat() if moment else None


def annex_fields(request: OrderRequest, authority_name: str) -> dict[str, Any]:
    """The fields an authority signs (see :func:`basira.legal.authorities.signed_body`); times in UTC."""
    return {"kind": request.kind, "authority": authority_name, "reference": request.reference,
            "member_state": request.member_state, "urls": list(request.urls), "locating_info": request.locating_info,
            "grounds": request.grounds, "grounds_points": sorted(request.grounds_points),
            "redress": request.redress, "signatory": request.signatory,
            "issued_at": _utc_iso(request.issued_at),
            "confidential": request.confidential,
            "no_disclosure_until": _utc_iso(request.no_disclosure_until)}


def missing_fields(request: OrderRequest) -> list[str]:
    """The mandatory Annex I fields ``request`` lacks (a referral needs only authority, reference and URLs)."""
    present = {"authority": str(request.authority).strip(), "reference": request.reference.strip(),
               "urls": [u for u in request.urls if u.strip()], "member_state": request.member_state.strip(),
               "grounds": request.grounds.strip(), "grounds_points": request.grounds_points,
               "redress": request.redress.strip(), "signatory": request.signatory.strip(),
               "issued_at": request.issued_at}
    wanted = ("authority", "reference", "urls") if request.kind == "referral" else tuple(present)
    missing = [name for name in wanted if not present[name]]
    if request.kind != "referral" and request.confidential and request.no_disclosure_until is None:
        missing.append("no_disclosure_until")
    return missing


def url_key(url: str) -> str:
    """A URL as compared for duplicates: scheme and host lower-cased, default port and fragment dropped."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    return urlunsplit((parts.scheme.lower(), host + port, parts.path or "/", parts.query, ""))


def clean_urls(urls: Sequence[str]) -> list[str]:
    if len(urls) > MAX_URLS:
        raise InvalidInput(f"an order names at most {MAX_URLS} URLs")
    out: list[str] = []
    for raw in urls:
        url = clean_text(raw, "a URL", MAX_URL)
        try:
            parts = urlsplit(url)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)
        except ValueError:
            ok = False
        if not ok:
            raise InvalidInput(f"{url[:200]!r} is not an http(s) URL")
        if url not in out:
            out.append(url)
    return out


def _validate(session: Session, principal: Principal, request: OrderRequest) -> tuple[Authority, list[str]]:
    """The authority and the cleaned URLs, or the error that refuses the order."""
    if request.kind not in KINDS:
        raise InvalidInput(f"unknown kind {request.kind!r} ({', '.join(KINDS)})")
    missing = missing_fields(request)
    if missing:
        raise InvalidInput(f"the order lacks mandatory Annex I fields: {', '.join(missing)}", missing=missing)
    authority = get_authority(session, principal, request.authority.strip())
    urls = clean_urls(request.urls)
    bad_points = sorted(set(request.grounds_points) - set(GROUND_POINTS))
    if bad_points:
        raise InvalidInput(f"unknown points of Art. 2(7): {', '.join(bad_points)} (a-e)")
    state = member_state(request.member_state) if request.member_state.strip() else authority.member_state
    if state != authority.member_state:
        raise InvalidInput(f"{authority.name} issues orders for {authority.member_state}, not {state}")
    for value, what, limit in ((request.reference, "the reference", 200),
                               (request.locating_info, "the locating information", MAX_TEXT),
                               (request.grounds, "the grounds", MAX_TEXT),
                               (request.redress, "the redress information", MAX_TEXT),
                               (request.signatory, "the signatory", 300), (request.signature, "the signature", 2000)):
        clean_text(value, what, limit)
    problem = signature_problem(authority, signed_body(annex_fields(request, authority.name)), request.signature)
    if problem:
        raise PermissionDenied(f"order refused: {problem}")
    return authority, urls


def receipt_mac(secret: str, order: RemovalOrder) -> str:
    """The HMAC (instance secret) over the order's id, reference and receipt time: proof of receipt."""
    message = f"{order.id}|{order.authority_id}|{order.reference}|{order.received_at.isoformat()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _seen_items(session: Session, org_id: int, urls: list[str]) -> list[int]:
    """Items of the organization submitted under one of ``urls`` (as their reference or as a URL signal)."""
    keys = sorted(set(urls) | {url_key(u) for u in urls})
    by_ref = select(Item.id).where(Item.org_id == org_id, Item.ref.in_(keys))
    by_signal = select(Match.item_id).where(Match.org_id == org_id, Match.signal_type.in_(("url", "url_prefix")),
                                            Match.query_value.in_(keys))
    found = set(session.scalars(by_ref)) | set(session.scalars(by_signal))
    return sorted(int(i) for i in found)


def _open_duplicate(session: Session, org_id: int, urls: list[str]) -> RemovalOrder | None:
    """The earliest open order of the organization that names one of ``urls``."""
    keys = {url_key(u) for u in urls}
    for order in session.scalars(select(RemovalOrder).where(
            RemovalOrder.org_id == org_id, RemovalOrder.kind == "order", RemovalOrder.clock_id.is_not(None),
            RemovalOrder.status.in_(OPEN_STATUSES)).order_by(RemovalOrder.id)):
        if keys & {url_key(u) for u in order.urls}:
            return order
    return None


def receive(sessions: SessionFactory, principal: Principal, request: OrderRequest, secret: str,
            now: dt.datetime | None = None) -> RemovalOrder:
    """Record an order or referral as received now; refusals are audited, then raised.

    Raises:
        InvalidInput: Mandatory Annex I fields are missing (``extra["missing"]`` lists them) or malformed.
        NotFound: The authority is not registered in the organization.
        PermissionDenied: The signature does not verify, or the caller may not receive orders.
        Conflict: The authority already sent an order with this reference.
    """
    principal.require(LEGAL_ROLES, "receive removal orders")
    at = clocks.as_utc(now or utcnow())
    refusal: BasiraError
    with sessions() as s:
        try:
            authority, urls = _validate(s, principal, request)
        except (InvalidInput, NotFound, PermissionDenied) as e:
            refusal = e
            audit.record(s, org_id=principal.org_id, actor=principal.actor, action="legal.order.refuse",
                         target=f"authority:{str(request.authority)[:150]}",
                         details={"reference": request.reference[:200], "reason": e.detail[:500],
                                  "missing": e.extra.get("missing", [])})
        else:
            return _record(s, principal, request, authority, urls, secret, at)
    raise refusal


def _record(session: Session, principal: Principal, request: OrderRequest, authority: Authority, urls: list[str],
            secret: str, at: dt.datetime) -> RemovalOrder:
    reference = request.reference.strip()
    if session.scalar(select(RemovalOrder.id).where(RemovalOrder.authority_id == authority.id,
                                                    RemovalOrder.reference == reference)):
        raise Conflict(f"{authority.name} already sent an order with reference {reference!r}")
    items = _seen_items(session, principal.org_id, urls)
    duplicate = _open_duplicate(session, principal.org_id, urls) if request.kind == "order" else None
    clock: RemovalClock | None = None
    if request.kind == "order":
        clock = session.get(RemovalClock, duplicate.clock_id) if duplicate else clocks.start(
            session, principal.org_id, at)
    order = RemovalOrder(
        org_id=principal.org_id, kind=request.kind, authority_id=authority.id,
        clock_id=clock.id if clock else None, reference=reference,
        member_state=authority.member_state, urls=urls,
        locating_info=request.locating_info.strip(), grounds=request.grounds.strip(),
        legal_basis=",".join(sorted(set(request.grounds_points))), confidential=request.confidential,
        no_disclosure_until=clocks.as_utc(request.no_disclosure_until) if request.no_disclosure_until else None,
        redress=request.redress.strip(), signatory=request.signatory.strip(),
        issued_at=clocks.as_utc(request.issued_at) if request.issued_at else None,
        signature=request.signature.strip(), authenticated=authority.key_kind != "none",
        received_at=at, received_by=principal.actor,
        status=OrderStatus.PAUSED.value if clock and clock.state == "paused" else OrderStatus.RECEIVED.value,
        unknown_content=not items, item_ids=items, duplicate_of=duplicate.id if duplicate else None,
        not_executed_grounds="", reinstated_reason="")
    session.add(order)
    session.flush()
    order.receipt = receipt_mac(secret, order)
    details = {"authority": authority.name, "reference": reference, "kind": order.kind, "urls": len(urls),
               "clock": order.clock_id, "duplicate_of": order.duplicate_of, "unknown_content": order.unknown_content,
               "authenticated": order.authenticated, "received_at": at.isoformat(), "receipt": order.receipt}
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="legal.order.receive",
                 target=f"order:{order.id}", details=details)
    outbox.emit(session, "legal.order_received", {"order_id": order.id, **details,
                                                  "deadline_at": clock.deadline_at.isoformat() if clock else None},
                org_id=principal.org_id)
    return order


def get_order(session: Session, principal: Principal, ref: int | str) -> RemovalOrder:
    """An order of the caller's organization, else NotFound (analysts see none: orders are need-to-know)."""
    principal.require(READ_ROLES, "read removal orders")
    ident = as_id(ref)
    order = session.get(RemovalOrder, ident) if ident is not None and ident > 0 else None
    if order is None or order.org_id != principal.org_id:
        raise NotFound(f"no removal order {ref!r}")
    return order


@dataclass
class OrderQuery:
    status: str | None = None
    unknown_content: bool | None = None
    limit: int = 100
    offset: int = 0


def list_orders(session: Session, principal: Principal, query: OrderQuery) -> list[RemovalOrder]:
    principal.require(READ_ROLES, "read removal orders")
    if not 1 <= query.limit <= 500 or query.offset < 0:
        raise InvalidInput("a page holds 1-500 orders from a non-negative offset")
    q = select(RemovalOrder).where(RemovalOrder.org_id == principal.org_id)
    if query.status is not None:
        if query.status not in {s.value for s in OrderStatus}:
            raise InvalidInput(f"unknown status {query.status!r} ({', '.join(s.value for s in OrderStatus)})")
        q = q.where(RemovalOrder.status == query.status)
    if query.unknown_content is not None:
        q = q.where(RemovalOrder.unknown_content == query.unknown_content)
    return list(session.scalars(q.order_by(RemovalOrder.id.desc()).limit(query.limit).offset(query.offset)))


def audit_trail(session: Session, principal: Principal, ref: int | str) -> list[AuditEntry]:
    """Every audit entry about an order, oldest first: what an authority may ask to inspect."""
    order = get_order(session, principal, ref)
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.chain == audit.org_chain(order.org_id), AuditEntry.target == f"order:{order.id}")
        .order_by(AuditEntry.seq)))


def orders_on_clock(session: Session, clock_id: int) -> list[RemovalOrder]:
    return list(session.scalars(select(RemovalOrder).where(RemovalOrder.clock_id == clock_id)
                                .order_by(RemovalOrder.id)))


def running_deadlines(session: Session, org_id: int) -> list[RemovalClock]:
    """The organization's clocks still running or paused, soonest deadline first (for banners)."""
    return list(session.scalars(select(RemovalClock).where(
        RemovalClock.org_id == org_id, or_(RemovalClock.state == "running", RemovalClock.state == "paused"))
        .order_by(RemovalClock.deadline_at)))
