"""Retention and data-subject requests through the API: rules, holds, export, erasure refused under a hold."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from tests.factories import Api, problem
from tests.retention import factories as f

from basira.core.instance import Instance
from basira.core.models import AuditEntry, Item
from basira.finance.models import Customer


def _customer(instance: Instance, org_id: int) -> None:
    with instance.db.session() as s:
        f.customer(s, org_id, f.T0, ref="C-1042")
        f.item(s, org_id, f.T0, ref="C-1042", content_type="person")


def test_rules_show_defaults_then_the_organization_rule(api: Api) -> None:
    before = {r["kind"]: r for r in api.get("/v1/retention/rules").json()}
    assert before["drone_frames"] == {"kind": "drone_frames", "days": 30, "source": "default",
                                      "records": "raw drone frames"}
    assert api.request("PUT", "/v1/retention/rules/drone_frames", json={"days": 7}).status_code == 204
    after = {r["kind"]: r for r in api.get("/v1/retention/rules").json()}
    assert (after["drone_frames"]["days"], after["drone_frames"]["source"]) == (7, "organization")


def test_unknown_kind_and_negative_days_are_refused(api: Api) -> None:
    problem(api.request("PUT", "/v1/retention/rules/everything", json={"days": 7}), 422)
    problem(api.request("PUT", "/v1/retention/rules/items", json={"days": -1}), 422)


def test_export_of_a_customer_holds_their_record_and_screenings_and_is_audited(
        api: Api, instance: Instance, org_id: int) -> None:
    _customer(instance, org_id)
    r = api.post("/v1/retention/subjects/export", json={"subject": "customer:C-1042"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["records"]["finance_customers"][0]["signals"] == {"name": ["Rana Haddad"]}
    assert [sc["content_type"] for sc in body["screenings"]] == ["person"]
    with instance.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "subject.export")).one()
    assert entry.target == "customer:C-1042" and "Rana" not in str(entry.details)


def test_erasure_is_refused_under_a_hold_and_done_after_its_release(
        api: Api, instance: Instance, org_id: int) -> None:
    _customer(instance, org_id)
    hold = api.post("/v1/retention/holds", json={"subject": "customer:C-1042", "reason": "Court order 2027/114"})
    assert hold.status_code == 201, hold.text
    problem(api.post("/v1/retention/subjects/erase", json={"subject": "customer:C-1042"}), 409)
    assert api.delete(f"/v1/retention/holds/{hold.json()['id']}").status_code == 204
    done = api.post("/v1/retention/subjects/erase", json={"subject": "customer:C-1042"})
    assert done.status_code == 200 and done.json()["erased"] == {"finance_customers": 1, "screenings": 1}
    with instance.db.session() as s:
        assert s.scalar(select(Customer.id)) is None and s.scalar(select(Item.id)) is None


def test_unknown_subject_is_404_and_malformed_one_422(api: Api) -> None:
    problem(api.post("/v1/retention/subjects/export", json={"subject": "customer:nobody"}), 404)
    problem(api.post("/v1/retention/subjects/export", json={"subject": "passport:X"}), 422)


def test_reviewer_may_not_export_a_person(api: Api, org_key: Callable[..., str]) -> None:
    problem(api.as_(org_key("partner", "reviewer")).post("/v1/retention/subjects/export",
                                                         json={"subject": "user:alice"}), 403)


def test_purge_on_demand_reports_each_kind(api: Api) -> None:
    r = api.post("/v1/retention/run")
    assert r.status_code == 200
    assert {row["kind"] for row in r.json()} == {"items", "customers", "drone_frames", "drone_tracks",
                                                 "webhook_deliveries", "sessions"}
