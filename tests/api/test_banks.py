"""Banks through the API: create, read, change, delete, share with an organization or a sharing group."""

from __future__ import annotations

from collections.abc import Callable

from tests.factories import Api, problem

from basira.core.instance import Instance
from basira.core.models import SharingGroup, SharingGroupMember
from basira.core.orgs import get_org


def test_bank_crud(api: Api) -> None:
    bank = api.bank("Partner PDQ", tlp="GREEN", description="test bank", thresholds={"pdq": 20})
    assert bank["access"] == "owner" and bank["tlp"] == "GREEN" and bank["thresholds"] == {"pdq": 20.0}
    assert api.get(f"/v1/banks/{bank['id']}").json() == bank
    # A name works as a reference too.
    assert api.get("/v1/banks/Partner PDQ").json()["id"] == bank["id"]
    r = api.patch(f"/v1/banks/{bank['id']}", json={"tlp": "tlp:amber", "negative": True})
    assert r.status_code == 200
    assert r.json()["tlp"] == "AMBER" and r.json()["negative"] is True
    assert r.json()["description"] == "test bank"  # left out, left as it was
    assert [b["id"] for b in api.get("/v1/banks").json()] == [bank["id"]]
    assert api.delete(f"/v1/banks/{bank['id']}").status_code == 204
    assert api.get("/v1/banks").json() == []
    # The name is free again.
    assert api.post("/v1/banks", json={"name": "Partner PDQ"}).status_code == 201


def test_bad_bank_requests(api: Api) -> None:
    api.bank("one")
    problem(api.post("/v1/banks", json={"name": "one"}), 409)
    problem(api.post("/v1/banks", json={"name": "two", "tlp": "PURPLE"}), 422)
    problem(api.post("/v1/banks", json={"name": "two", "thresholds": {"pdq": 500}}), 422)
    problem(api.post("/v1/banks", json={"name": "two", "thresholds": {"nope": 1}}), 422)
    problem(api.post("/v1/banks", json={"name": ""}), 422)
    problem(api.get("/v1/banks/999999"), 404)
    problem(api.get("/v1/banks/no such bank"), 404)
    problem(api.patch("/v1/banks/999999", json={"name": "x"}), 404)
    problem(api.delete("/v1/banks/999999"), 404)
    # An id beyond what the database can hold is refused before any query.
    problem(api.get("/v1/banks/99999999999999999999999"), 422)
    problem(api.get("/v1/banks/\u00b2"), 422)  # a digit that int() cannot read
    # Routes and methods that do not exist answer with problems too.
    problem(api.get("/v1/no-such-route"), 404)
    problem(api.request("PUT", "/v1/banks"), 405)


def test_bad_json_body_is_a_422_problem(api: Api) -> None:
    body = problem(api.post("/v1/banks", content=b'{"name": ', headers={"Content-Type": "application/json"}),
                   422)
    assert body["errors"]
    problem(api.post("/v1/banks", content=b"[1, 2]", headers={"Content-Type": "application/json"}), 422)
    problem(api.post("/v1/banks", json={"name": 5}), 422)


def test_share_with_org_makes_amber_bank_visible_and_unshare_hides_it(
        api: Api, org_key: Callable[..., str]) -> None:
    bank = api.bank("amber", tlp="AMBER")
    api.add(bank["id"], "md5", "d" * 32)
    partner = api.as_(org_key("partner", "analyst"))
    problem(partner.get(f"/v1/banks/{bank['id']}"), 404)
    r = api.post(f"/v1/banks/{bank['id']}/share", json={"org": "partner"})
    assert r.status_code == 200 and r.json()["shared_with"] == [{"org": "partner", "group": None}]
    seen = partner.get(f"/v1/banks/{bank['id']}").json()
    assert seen["access"] == "see" and seen["shared_with"] is None
    assert partner.match(("md5", "d" * 32)).json()["matches"][0]["signal"]["value"] == "d" * 32
    assert api.post(f"/v1/banks/{bank['id']}/unshare", json={"org": "partner"}).json()["shared_with"] == []
    problem(partner.get(f"/v1/banks/{bank['id']}"), 404)
    assert partner.match(("md5", "d" * 32)).json()["matches"] == []


def test_share_with_a_sharing_group(api: Api, org_key: Callable[..., str], instance: Instance) -> None:
    partner = api.as_(org_key("partner", "analyst"))
    with instance.db.session() as s:
        acme, member = get_org(s, "acme"), get_org(s, "partner")
        group = SharingGroup(owner_org_id=acme.id, name="trusted")
        group.members.append(SharingGroupMember(org_id=member.id))
        s.add(group)
    bank = api.bank("grouped", tlp="AMBER")
    r = api.post(f"/v1/banks/{bank['id']}/share", json={"group": "trusted"})
    assert r.json()["shared_with"] == [{"org": None, "group": "trusted"}]
    assert partner.get(f"/v1/banks/{bank['id']}").json()["access"] == "see"


def test_share_needs_exactly_one_known_target(api: Api) -> None:
    bank = api.bank("lonely")
    problem(api.post(f"/v1/banks/{bank['id']}/share", json={}), 422)
    problem(api.post(f"/v1/banks/{bank['id']}/share", json={"org": "acme", "group": "g"}), 422)
    problem(api.post(f"/v1/banks/{bank['id']}/share", json={"org": "nobody"}), 404)
    problem(api.post(f"/v1/banks/{bank['id']}/share", json={"group": "nobody"}), 404)


def test_red_bank_not_shared_is_never_visible_nor_matched(api: Api, org_key: Callable[..., str]) -> None:
    bank = api.bank("red", tlp="RED")
    api.add(bank["id"], "sha256", "e" * 64)
    other = api.as_(org_key("other", "analyst"))
    assert other.get("/v1/banks").json() == []
    problem(other.get(f"/v1/banks/{bank['id']}"), 404)
    problem(other.get(f"/v1/banks/{bank['id']}/signals"), 404)
    problem(other.get(f"/v1/banks/{bank['id']}/export?format=jsonl"), 404)
    r = other.match(("sha256", "e" * 64))
    assert r.json()["matches"] == [] and r.json()["matched"] is False
    assert "e" * 64 not in other.get("/v1/banks").text


def test_red_bank_shared_matches_without_revealing_anything(api: Api, org_key: Callable[..., str]) -> None:
    bank = api.bank("red shared", tlp="RED")
    api.add(bank["id"], "sha256", "f" * 64, labels=["secret-label"], entry_ref="case-17")
    partner = api.as_(org_key("partner", "analyst"))
    assert api.post(f"/v1/banks/{bank['id']}/share", json={"org": "partner"}).status_code == 200
    listed = partner.get("/v1/banks").json()
    assert listed == [{"id": None, "name": None, "owner": "acme", "tlp": "RED", "negative": False,
                       "access": "match_only", "description": None, "enabled": None, "thresholds": None,
                       "share_derived": None, "signal_count": None, "shared_with": None, "created_at": None}]
    problem(partner.get(f"/v1/banks/{bank['id']}"), 404)
    problem(partner.get(f"/v1/banks/{bank['id']}/signals"), 404)
    r = partner.match(("sha256", "f" * 64))
    assert r.status_code == 200 and r.json()["matched"] is True
    hit = r.json()["matches"][0]
    assert hit["bank"] == {"owner": "acme", "tlp": "RED", "negative": False, "id": None, "name": None}
    assert hit["signal"] is None and hit["entry"] is None and hit["distance"] is None
    assert "acme" in hit["note"]
    assert "secret-label" not in r.text and "case-17" not in r.text and "red shared" not in r.text
