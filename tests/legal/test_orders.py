"""Receiving removal orders: Annex I checks, signatures, duplicates, unknown content, the receipt."""

from __future__ import annotations

import datetime as dt

import pytest
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from sqlalchemy import select
from tests.factories import make_bank, submit
from tests.legal.conftest import T0, OrderFactory, sign

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import AuditEntry, Event, Role
from basira.core.principal import Principal
from basira.legal import authorities
from basira.legal.models import RemovalClock, RemovalOrder
from basira.legal.orders import OrderRequest, annex_fields, receipt_mac, receive

A = "a" * 32  # an md5-shaped value the tests bank and submit


def refusals(instance: Instance) -> list[AuditEntry]:
    with instance.db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "legal.order.refuse")))


def test_a_complete_signed_order_starts_a_one_hour_clock_from_its_receipt(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with instance.db.session() as s:
        clock = s.get(RemovalClock, order.clock_id)
        assert clock is not None and clock.deadline_at == T0 + dt.timedelta(hours=1)
        assert s.scalar(select(Event.kind).where(Event.kind == "legal.order_received")) == "legal.order_received"
    assert order.received_at == T0 and order.authenticated and order.status == "received"


def test_the_receipt_is_an_hmac_over_id_reference_and_receipt_time(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    assert order.receipt == receipt_mac(instance.secret_key, order)
    order.received_at = T0 + dt.timedelta(seconds=1)
    assert order.receipt != receipt_mac(instance.secret_key, order)


def test_an_order_missing_annex_i_fields_is_refused_with_the_list_and_audited(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    bad = order_request(grounds="", redress=" ", urls=[], issued_at=None)
    with pytest.raises(InvalidInput) as e:
        receive(instance.db.session, admin, bad, instance.secret_key, now=T0)
    assert e.value.extra["missing"] == ["urls", "grounds", "redress", "issued_at"]
    (entry,) = refusals(instance)
    assert entry.details["missing"] == ["urls", "grounds", "redress", "issued_at"]
    with instance.db.session() as s:
        assert s.scalars(select(RemovalOrder)).all() == []


def test_a_confidential_order_needs_the_end_of_its_no_disclosure_period(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    with pytest.raises(InvalidInput) as e:
        receive(instance.db.session, admin, order_request(confidential=True), instance.secret_key, now=T0)
    assert e.value.extra["missing"] == ["no_disclosure_until"]


def test_a_forged_hmac_signature_is_refused_and_audited(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    forged = sign(order_request(), secret="22" * 32)
    with pytest.raises(PermissionDenied, match="HMAC"):
        receive(instance.db.session, admin, forged, instance.secret_key, now=T0)
    (entry,) = refusals(instance)
    assert "does not match" in entry.details["reason"]


def test_a_signed_order_altered_after_signing_is_refused(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    req = order_request()
    req.urls = ["https://video.example/watch/other"]
    with pytest.raises(PermissionDenied):
        receive(instance.db.session, admin, req, instance.secret_key, now=T0)


def test_an_unsigned_order_from_a_keyed_authority_is_refused(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    req = order_request()
    req.signature = ""
    with pytest.raises(PermissionDenied, match="must be signed"):
        receive(instance.db.session, admin, req, instance.secret_key, now=T0)


def test_an_ed25519_signed_order_verifies_and_a_forged_one_does_not(instance: Instance, admin: Principal) -> None:
    key = ECC.generate(curve="ed25519")
    other = ECC.generate(curve="ed25519")
    with instance.db.session() as s:
        spec = authorities.AuthoritySpec("NL-Politie", "NL", "Europe/Amsterdam", "ed25519",
                                         key.public_key().export_key(format="PEM"))
        authorities.register(s, admin, spec)
    req = OrderRequest(authority="NL-Politie", reference="NL-1", member_state="NL", urls=["https://a.example/x"],
                       grounds="Made-up grounds.", grounds_points=["e"], redress="Court.", signatory="Officer",
                       issued_at=T0)
    body = authorities.signed_body(annex_fields(req, "NL-Politie"))
    req.signature = eddsa.new(other, "rfc8032").sign(body).hex()
    with pytest.raises(PermissionDenied, match="Ed25519"):
        receive(instance.db.session, admin, req, instance.secret_key, now=T0)
    req.signature = eddsa.new(key, "rfc8032").sign(body).hex()
    assert receive(instance.db.session, admin, req, instance.secret_key, now=T0).authenticated


def test_the_signed_body_is_sorted_compact_utf8_json() -> None:
    req = OrderRequest(authority="X", reference="R-é", member_state="DE", urls=["https://a.example/x"],
                       grounds="G", grounds_points=["b", "a"], redress="C", signatory="S", issued_at=T0)
    assert authorities.signed_body(annex_fields(req, "X")) == (
        '{"authority":"X","confidential":false,"grounds":"G","grounds_points":["a","b"],'
        '"issued_at":"2026-05-04T09:00:00+00:00","kind":"order","locating_info":"","member_state":"DE",'
        '"no_disclosure_until":null,"redress":"C","reference":"R-é","signatory":"S",'
        '"urls":["https://a.example/x"]}').encode()


def test_an_order_from_an_unregistered_authority_is_refused_and_audited(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    with pytest.raises(NotFound):
        receive(instance.db.session, admin, order_request(authority="Nobody"), instance.secret_key, now=T0)
    assert len(refusals(instance)) == 1


def test_a_member_state_other_than_the_authoritys_is_refused(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    with pytest.raises(InvalidInput, match="issues orders for DE"):
        receive(instance.db.session, admin, order_request(member_state="FR"), instance.secret_key, now=T0)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/a", "https://", "https://a.example/\u202e",
                                 "https://a .example/"])
def test_urls_that_are_not_http_are_refused(instance: Instance, admin: Principal, order_request: OrderFactory,
                                            url: str) -> None:
    with pytest.raises(InvalidInput):
        receive(instance.db.session, admin, order_request(urls=[url]), instance.secret_key, now=T0)


def test_the_same_reference_twice_from_one_authority_is_a_conflict(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    with pytest.raises(Conflict):
        receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)


def test_two_authorities_ordering_the_same_url_share_one_clock(
        instance: Instance, admin: Principal, order_request: OrderFactory, unsigned_authority: int) -> None:
    first = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    second_req = OrderRequest(authority="FR-OCLCTIC", reference="FR-77", member_state="FR",
                              urls=["HTTPS://Video.Example:443/watch/abc#t=3"], grounds="Made-up.",
                              grounds_points=["c"], redress="Tribunal administratif.", signatory="Chef de service",
                              issued_at=T0)
    second = receive(instance.db.session, admin, second_req, instance.secret_key, now=T0 + dt.timedelta(minutes=20))
    assert second.clock_id == first.clock_id and second.duplicate_of == first.id
    assert not second.authenticated
    with instance.db.session() as s:
        (clock,) = s.scalars(select(RemovalClock)).all()
        assert clock.deadline_at == T0 + dt.timedelta(hours=1)


def test_an_order_for_content_basira_never_saw_is_kept_and_flagged(
        instance: Instance, admin: Principal, order_request: OrderFactory) -> None:
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    assert order.unknown_content and order.item_ids == []


def test_an_order_for_a_submitted_item_names_it(instance: Instance, admin: Principal,
                                               order_request: OrderFactory) -> None:
    make_bank(instance, admin, "known", [A])
    item = submit(instance, admin, [A], ref="https://video.example/watch/abc")
    order = receive(instance.db.session, admin, order_request(), instance.secret_key, now=T0)
    assert not order.unknown_content and order.item_ids == [item["item"]["id"]]


def test_a_referral_has_no_clock_and_needs_no_grounds(instance: Instance, admin: Principal,
                                                     unsigned_authority: int) -> None:
    req = OrderRequest(authority="FR-OCLCTIC", reference="REF-1", urls=["https://a.example/x"], kind="referral")
    referral = receive(instance.db.session, admin, req, instance.secret_key, now=T0)
    assert referral.kind == "referral" and referral.clock_id is None


def test_analysts_may_not_receive_orders(instance: Instance, org_id: int, order_request: OrderFactory) -> None:
    with pytest.raises(PermissionDenied):
        receive(instance.db.session, Principal(org_id, Role.ANALYST, "ana"), order_request(), "s", now=T0)


def test_refusals_keep_the_audit_chain_intact(instance: Instance, admin: Principal,
                                              order_request: OrderFactory) -> None:
    with pytest.raises(InvalidInput):
        receive(instance.db.session, admin, order_request(redress=""), instance.secret_key, now=T0)
    with instance.db.session() as s:
        assert all(r.ok for r in audit.verify(s))


@pytest.mark.parametrize(("field", "value"), [("reference", "R" * 201), ("signatory", "S" * 301),
                                              ("grounds", "G" * 10_001), ("redress", "bidi \u202e override")])
def test_oversized_or_disguised_text_is_refused_before_storage(
        instance: Instance, admin: Principal, order_request: OrderFactory, field: str, value: str) -> None:
    with pytest.raises(InvalidInput):
        receive(instance.db.session, admin, order_request(**{field: value}), instance.secret_key, now=T0)
    assert len(refusals(instance)) == 1


def test_a_time_without_offset_is_refused_and_audited(instance: Instance, admin: Principal,
                                                      order_request: OrderFactory) -> None:
    req = order_request()
    req.issued_at = dt.datetime(2026, 5, 4, 9)
    with pytest.raises(InvalidInput, match="no time zone"):
        receive(instance.db.session, admin, req, instance.secret_key, now=T0)
    assert len(refusals(instance)) == 1


def test_the_signed_times_are_the_same_instant_whatever_the_offset_sent() -> None:
    paris = dt.datetime(2026, 5, 4, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    base = {"authority": "X", "reference": "R", "urls": ["https://a.example/x"]}
    assert annex_fields(OrderRequest(**base, issued_at=paris), "X") == annex_fields(  # type: ignore[arg-type]
        OrderRequest(**base, issued_at=T0), "X")  # type: ignore[arg-type]
