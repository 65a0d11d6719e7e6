"""The TAXII 2.1 routes through the real app: discovery, collections per the TLP table, objects with filters and
pages, manifest, versions, adding objects with a status resource, and every bad request refused with a reason."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.sharing.helpers import SAMPLES, canonical, make_bank, make_org

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.models import TLP, Bank
from basira.core.principal import Principal
from basira.sharing import ingest, stix
from basira.sharing.markings import TLP2_IDS

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/api"


class World:
    """acme owns banks of every marking; partner is named on the AMBER, AMBER+STRICT and RED ones; stranger is
    on the same instance and named on none."""

    def __init__(self, inst: Instance, admin: Principal, admin_key: str) -> None:
        self.inst, self.acme, self.acme_key = inst, admin, admin_key
        self.partner, self.partner_key = make_org(inst, "partner")
        self.stranger, self.stranger_key = make_org(inst, "stranger")
        five = {t: SAMPLES[t] for t in ("md5", "sha256", "url", "domain", "uas_id")}
        self.banks = {
            "clear": make_bank(inst, admin, "clear", "CLEAR", {"md5": SAMPLES["md5"]}),
            "green": make_bank(inst, admin, "green", "GREEN", five),
            "amber": make_bank(inst, admin, "amber", "AMBER", {"pdq": SAMPLES["pdq"]}, ("partner",)),
            "strict": make_bank(inst, admin, "strict", "AMBER+STRICT", {"name": SAMPLES["name"]}, ("partner",)),
            "red": make_bank(inst, admin, "red", "RED", {"sha256": SAMPLES["sha256"]}, ("partner",)),
            "amber-unshared": make_bank(inst, admin, "amber-unshared", "AMBER", {"url": SAMPLES["url"]}),
        }


@pytest.fixture
def world(instance: Instance, admin: Principal, admin_key: str) -> World:
    return World(instance, admin, admin_key)


def h(key: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Accept": TAXII, **extra}


def collections(client: TestClient, key: str) -> dict[str, dict[str, Any]]:
    r = client.get(f"{ROOT}/collections/", headers=h(key))
    assert r.status_code == 200 and r.headers["content-type"] == TAXII
    return {c["title"]: c for c in r.json()["collections"]}


def objects(client: TestClient, key: str, cid: str, query: str = "") -> Any:
    r = client.get(f"{ROOT}/collections/{cid}/objects/{query}", headers=h(key))
    assert r.status_code == 200, r.text
    return r


def test_discovery_and_api_root_answer_taxii_json(client: TestClient, world: World) -> None:
    r = client.get("/taxii2/", headers=h(world.partner_key))
    assert r.headers["content-type"] == TAXII
    assert r.json()["default"].endswith("/taxii2/api/")
    root = client.get(f"{ROOT}/", headers=h(world.partner_key)).json()
    assert root["versions"] == [TAXII] and root["max_content_length"] > 0


def test_every_route_needs_an_api_key(client: TestClient, world: World) -> None:
    for path in ("/taxii2/", f"{ROOT}/", f"{ROOT}/collections/", f"{ROOT}/status/x/"):
        assert client.get(path, headers={"Accept": TAXII}).status_code == 401


def test_a_media_type_the_server_does_not_send_is_refused(client: TestClient, world: World) -> None:
    r = client.get("/taxii2/", headers=h(world.partner_key, Accept="application/xml"))
    assert r.status_code == 406


@pytest.mark.parametrize(("who", "readable"), [
    ("partner", {"clear", "green", "amber", "strict"}),  # named on AMBER and AMBER+STRICT; RED never leaves
    ("stranger", {"clear", "green"}),
    ("acme", {"clear", "green", "amber", "strict", "amber-unshared"}),  # even the owner cannot take RED away
])
def test_collections_follow_the_tlp_table(client: TestClient, world: World, who: str, readable: set[str]) -> None:
    key = {"partner": world.partner_key, "stranger": world.stranger_key, "acme": world.acme_key}[who]
    got = collections(client, key)
    assert {t for t, c in got.items() if c["can_read"]} == readable
    if who == "acme":
        assert got["red"] == {**got["red"], "can_read": False, "can_write": True}
    else:
        assert not any(c["can_write"] for c in got.values())


def test_a_red_bank_has_no_objects_for_anyone(client: TestClient, world: World) -> None:
    red = collections(client, world.acme_key)["red"]["id"]
    assert client.get(f"{ROOT}/collections/{red}/objects/", headers=h(world.acme_key)).status_code == 403
    assert client.get(f"{ROOT}/collections/{red}/objects/", headers=h(world.partner_key)).status_code == 404


def test_pages_follow_next_to_the_end_without_gaps(client: TestClient, world: World) -> None:
    cid = collections(client, world.partner_key)["green"]["id"]
    seen: list[str] = []
    query = "?limit=2"
    while True:
        r = objects(client, world.partner_key, cid, query)
        body = r.json()
        assert len(body["objects"]) <= 2
        seen += [o["id"] for o in body["objects"]]
        assert r.headers["X-TAXII-Date-Added-First"] <= r.headers["X-TAXII-Date-Added-Last"]
        if not body["more"]:
            break
        query = f"?limit=2&next={body['next']}"
    assert len(seen) == len(set(seen)) == 3 + 5  # identity, marking, extension definition, five indicators


def test_added_after_returns_only_later_objects(client: TestClient, world: World) -> None:
    cid = collections(client, world.partner_key)["green"]["id"]
    first = objects(client, world.partner_key, cid, "?limit=4")
    rest = objects(client, world.partner_key, cid, f"?added_after={first.headers['X-TAXII-Date-Added-Last']}")
    ids_first = {o["id"] for o in first.json()["objects"]}
    ids_rest = {o["id"] for o in rest.json()["objects"]}
    assert len(ids_rest) == 4 and not ids_first & ids_rest


def test_match_filters_select_objects(client: TestClient, world: World) -> None:
    cid = collections(client, world.partner_key)["green"]["id"]
    indicators = objects(client, world.partner_key, cid, "?match[type]=indicator").json()["objects"]
    assert len(indicators) == 5 and {o["type"] for o in indicators} == {"indicator"}
    one = indicators[2]
    by_id = objects(client, world.partner_key, cid, f"?match[id]={one['id']}").json()["objects"]
    assert by_id == [one]
    by_version = objects(client, world.partner_key, cid, f"?match[version]={one['modified']}&match[type]=indicator")
    assert one in by_version.json()["objects"]
    assert objects(client, world.partner_key, cid, "?match[spec_version]=2.0").json()["objects"] == []


def test_an_object_its_versions_and_the_manifest(client: TestClient, world: World) -> None:
    cid = collections(client, world.partner_key)["amber"]["id"]
    [ind] = objects(client, world.partner_key, cid, "?match[type]=indicator").json()["objects"]
    got = client.get(f"{ROOT}/collections/{cid}/objects/{ind['id']}/", headers=h(world.partner_key)).json()
    assert got["objects"] == [ind]
    versions = client.get(f"{ROOT}/collections/{cid}/objects/{ind['id']}/versions/", headers=h(world.partner_key))
    assert versions.json() == {"more": False, "versions": [ind["modified"]]}
    manifest = client.get(f"{ROOT}/collections/{cid}/manifest/", headers=h(world.partner_key)).json()
    assert {"id": ind["id"], "version": ind["modified"]}.items() <= manifest["objects"][-1].items()
    missing = f"indicator--{uuid.uuid4()}"
    assert client.get(f"{ROOT}/collections/{cid}/objects/{missing}/", headers=h(world.partner_key)).status_code == 404


@pytest.mark.parametrize("query", ["?next=%%%", "?next=bm90YWN1cnNvcg", "?added_after=yesterday", "?limit=0",
                                   "?limit=-3"])
def test_bad_filters_are_refused_with_a_reason(client: TestClient, world: World, query: str) -> None:
    cid = collections(client, world.partner_key)["green"]["id"]
    r = client.get(f"{ROOT}/collections/{cid}/objects/{query}", headers=h(world.partner_key))
    assert r.status_code == 422 and r.json()["detail"]


def _envelope(*objs: dict[str, Any]) -> bytes:
    return json.dumps({"objects": list(objs)}).encode()


def _indicator(inst: Instance, signal_type: str, tlp: TLP = TLP.GREEN) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    meta = stix.IndicatorMeta(f"indicator--{uuid.uuid4()}", now, now, (TLP2_IDS[tlp],))
    return stix.indicator(stix.SignalRecord(signal_type, canonical(inst, signal_type)), meta)


def test_adding_objects_gives_a_status_resource(client: TestClient, world: World) -> None:
    cid = collections(client, world.acme_key)["amber-unshared"]["id"]
    good = _indicator(world.inst, "crypto_address")
    bad = {**good, "id": "indicator--nope"}
    r = client.post(f"{ROOT}/collections/{cid}/objects/", content=_envelope(good, bad),
                    headers=h(world.acme_key, **{"Content-Type": TAXII}))
    assert r.status_code == 202, r.text
    status = r.json()
    assert (status["status"], status["total_count"], status["success_count"], status["failure_count"]) == \
        ("complete", 2, 1, 1)
    again = client.get(f"{ROOT}/status/{status['id']}/", headers=h(world.acme_key)).json()
    assert again == status
    assert client.get(f"{ROOT}/status/{status['id']}/", headers=h(world.partner_key)).status_code == 404
    listed = objects(client, world.acme_key, cid, f"?match[type]=indicator&match[id]={good['id']}")
    assert listed.json()["objects"] == []  # the signal is the bank's own now, under the bank's own id
    values = [stix.records_of(o)[0].value for o in
              objects(client, world.acme_key, cid, "?match[type]=indicator").json()["objects"]]
    assert canonical(world.inst, "crypto_address") in values


def test_adding_to_a_collection_the_caller_does_not_own_is_refused(client: TestClient, world: World) -> None:
    cid = collections(client, world.partner_key)["amber"]["id"]
    r = client.post(f"{ROOT}/collections/{cid}/objects/", content=_envelope(_indicator(world.inst, "md5")),
                    headers=h(world.partner_key))
    assert r.status_code == 403


def test_an_auditor_cannot_add_objects(client: TestClient, world: World, instance: Instance) -> None:
    with instance.db.session() as s:
        key = orgs.create_key(s, world.acme, world.acme.org_id, "auditor", "read only").secret
    cid = collections(client, world.acme_key)["green"]["id"]
    r = client.post(f"{ROOT}/collections/{cid}/objects/", content=_envelope(), headers=h(key))
    assert r.status_code == 403


@pytest.mark.parametrize(("body", "status"), [(b"{", 422), (b'{"objects": 5}', 422), (b"[]", 422)])
def test_a_malformed_envelope_is_refused(client: TestClient, world: World, body: bytes, status: int) -> None:
    cid = collections(client, world.acme_key)["green"]["id"]
    r = client.post(f"{ROOT}/collections/{cid}/objects/", content=body, headers=h(world.acme_key))
    assert r.status_code == status and r.json()["detail"]


def test_an_envelope_over_the_limit_is_refused_unread(database_url: str, tmp_path: Any) -> None:
    from basira.api.app import create_app
    from basira.core.settings import load_settings

    inst = Instance(load_settings(environ={}, data_dir=tmp_path / "small", database_url=database_url,
                                  secret_key="k", worker_interval_s=0, sharing_max_bundle_bytes=1000))
    try:
        owner, key = make_org(inst, "solo")
        make_bank(inst, owner, "mine", "GREEN")
        with TestClient(create_app(inst)) as c:
            cid = collections(c, key)["mine"]["id"]
            r = c.post(f"{ROOT}/collections/{cid}/objects/", content=b" " * 5000, headers=h(key))
            assert r.status_code == 413 and "over the limit" in r.json()["detail"]
    finally:
        inst.close()


def test_signals_received_under_amber_strict_are_never_passed_on(client: TestClient, world: World) -> None:
    """The partner takes an AMBER+STRICT signal into its own AMBER+STRICT bank, shared with the stranger: neither
    the stranger nor the partner itself can take it away again."""
    inst = world.inst
    mine = make_bank(inst, world.partner, "from acme", "AMBER+STRICT", shared_with=("stranger",))
    with inst.db.session() as s:
        bank = s.get(Bank, mine)
        assert bank is not None
        report = ingest.apply_objects(s, inst, ingest.Target(bank, world.partner),
                                      [_indicator(inst, "md5", TLP.AMBER_STRICT)])
    assert report.added == 1
    for key in (world.stranger_key, world.partner_key):
        cid = collections(client, key)["from acme"]["id"]
        assert objects(client, key, cid, "?match[type]=indicator").json()["objects"] == []


def test_a_full_page_is_read_in_one_query(instance: Instance, admin: Principal) -> None:
    """A page of ``limit`` indicators reads ``limit`` + 1 rows in one query (the extra row says whether more
    follow), not a second batch of a thousand rows for that one row on every page of a large bank."""
    import hashlib

    from sqlalchemy import event

    from basira.core import banks
    from basira.sharing import export, taxii

    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="big", tlp="GREEN"))
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                          [banks.SignalSpec("md5", hashlib.md5(str(i).encode()).hexdigest()) for i in range(1001)])
        cid = taxii.collection_id(export.instance_namespace(instance.secret_key), bank.id)
    reads: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM signals" in statement and "JOIN entries" in statement:
            reads.append(statement)

    event.listen(instance.db.engine, "before_cursor_execute", seen)
    try:
        with instance.db.session() as s:
            first = taxii.page(s, instance, admin, cid,
                               taxii.Filters.parse({"match[type]": "indicator", "limit": "1000"}, 1000))
            assert len(first.items) == 1000 and first.more and first.next
            assert len(reads) == 1
            rest = taxii.page(s, instance, admin, cid, taxii.Filters.parse(
                {"match[type]": "indicator", "limit": "1000", "next": first.next}, 1000))
    finally:
        event.remove(instance.db.engine, "before_cursor_execute", seen)
    assert len(rest.items) == 1 and not rest.more
    assert {e.obj["id"] for e in first.items}.isdisjoint({e.obj["id"] for e in rest.items})
