"""The administration pages of banks, sharing groups, API keys, webhooks, zones, sensors and sanctions lists: each
object created, changed and deleted through the pages (with the form's CSRF token), each change leaving the audit
row its service writes; roles that may not change them get 403; hostile uploads get a 4xx page with the reason."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import PASSWORD, make_user

from basira.api.app import create_app
from basira.core import orgs
from basira.core.instance import Instance
from basira.core.models import ApiKey, AuditEntry, Bank, SharingGroup, User
from basira.core.principal import Principal
from basira.drones.models import DroneSensor, DroneZone
from conftest import need

from .helpers import csrf_of, sign_in


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """The administration pages call the CLI's services, whose own tests run on both databases: SQLite is
    enough here."""
    return str(request.param)

MD5 = "9e107d9d372bb6826bd81d3542a419d6"


def actions(instance: Instance) -> list[str]:
    with instance.db.session() as s:
        return [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def post(client: TestClient, path: str, page: Any, **data: Any) -> Any:
    return client.post(path, data={"csrf": csrf_of(page.text), **data})


def last_id(path: str) -> int:
    found = re.search(r"/(\d+)$", path)
    assert found, path
    return int(found.group(1))


def test_a_bank_is_created_changed_shared_filled_and_deleted_through_the_pages(
        client: TestClient, instance: Instance, user: User) -> None:
    with instance.db.session() as s:
        orgs.create_org(s, "test", "partner-x", "Partner X")
    sign_in(client, "alice", PASSWORD)
    page = client.get("/admin/banks")
    assert page.status_code == 200 and "New bank" in page.text
    made = post(client, "/admin/banks", page, name="Partner hashes", tlp="AMBER", thresholds="pdq=20")
    assert "Bank <bdi>Partner hashes</bdi> created." in made.text
    bank_id = last_id(made.url.path)
    changed = post(client, f"/admin/banks/{bank_id}", made, edit="1", name="Partner hashes 2027", tlp="RED",
                   thresholds="pdq=24", enabled="on", description="From partner X")
    assert "Bank <bdi>Partner hashes 2027</bdi> saved." in changed.text
    with instance.db.session() as s:
        bank = s.get_one(Bank, bank_id)
        assert (bank.name, bank.tlp, bank.thresholds, bank.enabled) == ("Partner hashes 2027", "RED", {"pdq": 24.0},
                                                                         True)
    shared = post(client, f"/admin/banks/{bank_id}/share", changed, org="partner-x")
    assert "<bdi>partner-x</bdi>" in shared.text
    unknown = post(client, f"/admin/banks/{bank_id}/share", changed, org="nobody-y")
    assert unknown.status_code == 404 and "no organization" in unknown.text
    rows = f"signal_type,signal_value,labels\nmd5,{MD5},propaganda\n".encode()
    imported = client.post(f"/admin/banks/{bank_id}/import", data={"csrf": csrf_of(shared.text), "format": "csv"},
                           files={"file": ("rows.csv", rows, "text/csv")})
    assert imported.status_code == 200 and "Imported <bdi>1</bdi> rows" in imported.text
    unshared = post(client, f"/admin/banks/{bank_id}/unshare", imported, org="partner-x")
    assert "no longer shared" in unshared.text
    gone = post(client, f"/admin/banks/{bank_id}/delete", unshared)
    assert gone.url.path == "/admin/banks" and "deleted" in gone.text
    assert client.get(f"/admin/banks/{bank_id}").status_code == 404
    done = actions(instance)
    for action in ("bank.create", "bank.update", "bank.share", "bank.import", "bank.unshare", "bank.delete"):
        assert action in done, action


def test_a_sharing_group_is_created_renamed_and_deleted_once_no_bank_uses_it(
        client: TestClient, instance: Instance, user: User) -> None:
    with instance.db.session() as s:
        orgs.create_org(s, "test", "partner-x", "Partner X")
        orgs.create_org(s, "test", "partner-y", "Partner Y")
    sign_in(client, "alice", PASSWORD)
    page = client.get("/admin/groups")
    made = post(client, "/admin/groups", page, name="GIFCT-like hub", members="partner-x")
    assert "Sharing group <bdi>GIFCT-like hub</bdi> created." in made.text
    gid = last_id(made.url.path)
    edited = post(client, f"/admin/groups/{gid}", made, name="Hub", members="partner-y\npartner-x")
    assert "Sharing group <bdi>Hub</bdi> saved." in edited.text
    with instance.db.session() as s:
        group = s.get_one(SharingGroup, gid)
        assert group.name == "Hub" and len(group.members) == 2
    bank_page = post(client, "/admin/banks", edited, name="Hub bank", tlp="GREEN")
    bank_id = last_id(bank_page.url.path)
    post(client, f"/admin/banks/{bank_id}/share", bank_page, group="Hub")
    refused = post(client, f"/admin/groups/{gid}/delete", edited)
    assert refused.status_code == 409 and "stop sharing them first" in refused.text
    post(client, f"/admin/banks/{bank_id}/unshare", bank_page, group="Hub")
    gone = post(client, f"/admin/groups/{gid}/delete", edited)
    assert gone.url.path == "/admin/groups" and "Sharing group <bdi>Hub</bdi> deleted." in gone.text
    done = actions(instance)
    assert {"group.create", "group.update", "group.delete"} <= set(done)


def test_an_api_key_is_shown_once_listed_by_prefix_and_revoked(client: TestClient, instance: Instance,
                                                               user: User) -> None:
    sign_in(client, "alice", PASSWORD)
    page = client.get("/admin/keys")
    issued = post(client, "/admin/keys", page, name="ingest bot", role="analyst")
    assert issued.status_code == 201
    secret = re.search(r"bsk_[0-9a-f]{12}_[A-Za-z0-9_-]+", issued.text)
    assert secret
    with TestClient(create_app(instance)) as api:
        assert api.get("/v1/banks", headers={"Authorization": f"Bearer {secret.group(0)}"}).status_code == 200
    listed = client.get("/admin/keys")
    assert secret.group(0) not in listed.text
    with instance.db.session() as s:
        key_id = s.scalars(select(ApiKey.key_id).where(ApiKey.name == "ingest bot")).one()
    assert f"bsk_{key_id}_…" in listed.text
    revoked = post(client, f"/admin/keys/{key_id}/revoke", listed)
    assert "revoked" in revoked.text
    with TestClient(create_app(instance)) as api:
        assert api.get("/v1/banks", headers={"Authorization": f"Bearer {secret.group(0)}"}).status_code == 401
    assert {"key.create", "key.revoke"} <= set(actions(instance))


def test_a_webhook_shows_its_secret_once_and_is_changed_rotated_and_deleted(
        client: TestClient, instance: Instance, user: User) -> None:
    sign_in(client, "alice", PASSWORD)
    page = client.get("/admin/webhooks")
    # A public address written as an IP: no name to resolve.
    made = client.post("/admin/webhooks", data={"csrf": csrf_of(page.text), "name": "SOC", "url":
                                                "https://93.184.215.14/basira", "events": ["case.decided"]})
    assert made.status_code == 201 and "shown only this once" in made.text
    first = re.search(r'<code class="admin-once" dir="ltr">([^<]+)</code>', made.text)
    assert first
    hook_id = int(re.findall(r'data-webhook="(\d+)"', made.text)[0])
    assert first.group(1) not in client.get(f"/admin/webhooks/{hook_id}").text
    private = post(client, "/admin/webhooks", page, url="https://127.0.0.1/x")
    assert private.status_code == 422 and "This cannot be done" in private.text
    edit = client.get(f"/admin/webhooks/{hook_id}")
    saved = client.post(f"/admin/webhooks/{hook_id}", data={
        "csrf": csrf_of(edit.text), "name": "SOC 24/7", "url": "https://93.184.215.14/basira2",
        "events": ["case.decided", "appeal.decided"], "enabled": "on"})
    assert "Webhook <bdi>SOC 24/7</bdi> saved." in saved.text
    rotated = post(client, f"/admin/webhooks/{hook_id}/rotate", saved)
    second = re.search(r'<code class="admin-once" dir="ltr">([^<]+)</code>', rotated.text)
    assert second and second.group(1) != first.group(1)
    gone = post(client, f"/admin/webhooks/{hook_id}/delete", saved)
    assert "deleted" in gone.text and f'data-webhook="{hook_id}"' not in gone.text
    assert {"webhook.create", "webhook.update", "webhook.rotate_secret", "webhook.delete"} <= set(actions(instance))


def test_a_zone_is_typed_as_points_changed_to_a_circle_deleted_and_imported_from_a_file(
        client: TestClient, instance: Instance, user: User) -> None:
    sign_in(client, "alice", PASSWORD)
    page = client.get("/admin/zones")
    made = post(client, "/admin/zones", page, ref="BERN-1", name="Federal square", area=(
        "46.9466, 7.4440\n46.9466, 7.4460\n46.9455, 7.4460\n46.9455, 7.4440"), upper_m="120", upper_ref="AGL",
        restriction="PROHIBITED")
    assert "Zone <bdi>BERN-1</bdi> created" in made.text
    zid = last_id(made.url.path)
    with instance.db.session() as s:
        zone = s.get_one(DroneZone, zid)
        assert zone.geometry["type"] == "Polygon" and len(zone.geometry["coordinates"][0]) == 5
        assert zone.geometry["coordinates"][0][0] == [7.444, 46.9466] and zone.upper_m == 120
    circle = post(client, f"/admin/zones/{zid}", made, ref="BERN-1", name="Federal square", area="46.946, 7.445",
                  radius_m="300", restriction="REQ_AUTHORISATION")
    assert "Zone <bdi>BERN-1</bdi> saved." in circle.text
    with instance.db.session() as s:
        zone = s.scalars(select(DroneZone).where(DroneZone.ref == "BERN-1")).one()
        assert zone.geometry == {"type": "Point", "coordinates": [7.445, 46.946]} and zone.radius_m == 300
        zid = zone.id
    bad = post(client, "/admin/zones", page, ref="BAD", area="95, 7\n95, 8\n96, 8")
    assert bad.status_code == 422 and "within ±180 and ±90" in bad.text
    gone = post(client, f"/admin/zones/{zid}/delete", circle)
    assert "Zone <bdi>BERN-1</bdi> deleted" in gone.text
    geojson = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "identifier": "GVA-CTR", "name": "Airport", "radius_m": 5000},
        "geometry": {"type": "Point", "coordinates": [6.11, 46.24]}}]}
    imported = client.post("/admin/zones/import", data={"csrf": csrf_of(gone.text)},
                           files={"file": ("zones.geojson", json.dumps(geojson).encode(), "application/json")})
    assert imported.status_code == 200, imported.text
    assert "Zones imported: <bdi>1</bdi>." in imported.text
    done = actions(instance)
    assert done.count("drones.zones.save") >= 3 and "drones.zones.delete" in done


def test_a_sensor_is_registered_moved_and_retired(client: TestClient, instance: Instance, user: User) -> None:
    sign_in(client, "alice", PASSWORD)
    page = client.get("/admin/sensors")
    made = post(client, "/admin/sensors", page, ref="roof-north", name="Roof", lat="46,9466", lon="7.4440",
                range_m="2500")
    assert "Sensor <bdi>roof-north</bdi> registered." in made.text
    sid = last_id(made.url.path)
    moved = post(client, f"/admin/sensors/{sid}", made, name="Roof north", lat="46.95", lon="7.45")
    assert "Sensor <bdi>roof-north</bdi> saved." in moved.text
    with instance.db.session() as s:
        sensor = s.get_one(DroneSensor, sid)
        assert (sensor.lat, sensor.lon, sensor.range_m, sensor.name) == (46.95, 7.45, 2500, "Roof north")
    wrong = post(client, "/admin/sensors", page, ref="far", lat="123", lon="7")
    assert wrong.status_code == 422 and "latitude is within ±90" in wrong.text
    retired = post(client, f"/admin/sensors/{sid}/retire", moved)
    assert "retired" in retired.text and "roof-north</bdi></a>" not in retired.text
    assert {"drones.sensor.create", "drones.sensor.update", "drones.sensor.disable"} <= set(actions(instance))


LIST_V1 = b"ref,kind,name,nationalities\nNL-1,person,Abu Example,Iraq\nNL-2,organization,Example Front,\n"
LIST_V2 = b"ref,kind,name,nationalities\nNL-1,person,Abu Example,Syria\nNL-3,person,Third Example,\n"


def test_a_list_is_imported_twice_its_versions_and_delta_shown_then_deleted_as_its_bank(
        client: TestClient, instance: Instance, user: User) -> None:
    sign_in(client, "alice", PASSWORD)
    page = client.get("/admin/lists")

    def upload(data: bytes, version: str) -> Any:
        return client.post("/admin/lists/import", data={
            "csrf": csrf_of(page.text), "source": "csv", "bank": "National list", "version": version,
            "tlp": "GREEN", "monitor": "on"}, files={"file": ("national-list.csv", data, "text/csv")})

    first = upload(LIST_V1, "2027-01")
    assert "List <bdi>National list</bdi> imported, version <bdi>2027-01</bdi>: <bdi>2</bdi> added" in first.text
    bank_id = last_id(first.url.path)
    second = upload(LIST_V2, "2027-02")
    assert ("<bdi>1</bdi> added, <bdi>1</bdi> changed, <bdi>1</bdi> removed") in second.text
    assert second.text.count("data-import=") == 2 and "national-list.csv" in second.text
    newest = int(re.findall(r'data-import="(\d+)"', second.text)[0])
    delta = client.get(f"/admin/lists/imports/{newest}")
    assert delta.status_code == 200
    assert re.search(r'change-added">\s*<td><bdi dir="ltr">NL-3', delta.text)
    assert re.search(r'change-removed">\s*<td><bdi dir="ltr">NL-2', delta.text)
    same = upload(LIST_V2, "2027-02")
    assert "already holds this file" in same.text
    gone = post(client, f"/admin/banks/{bank_id}/delete", second)
    assert gone.url.path == "/admin/banks"
    assert client.get(f"/admin/lists/{bank_id}").status_code == 404
    done = actions(instance)
    assert done.count("list.import") == 2 and "bank.delete" in done


def test_roles_that_may_not_change_an_object_get_403_and_see_no_form(
        instance: Instance, admin: Principal, user: User) -> None:
    make_user(instance, admin, "rita", "reviewer")
    make_user(instance, admin, "aude", "auditor")
    with TestClient(create_app(instance)) as rita:
        page = sign_in(rita, "rita", PASSWORD)
        banks_page = rita.get("/admin/banks")
        assert banks_page.status_code == 200 and "New bank" not in banks_page.text
        nav = re.search(r'<nav class="sections".*?</nav>', banks_page.text, re.S)
        assert nav and 'href="/admin"' not in nav.group(0)  # no Administration entry in a reviewer's header
        for path, data in (("/admin/banks", {"name": "x"}), ("/admin/groups", {"name": "x"}),
                           ("/admin/keys", {"role": "admin"}), ("/admin/webhooks", {"url": "https://93.184.215.14/"}),
                           ("/admin/zones", {"ref": "Z", "area": "46.9, 7.4"}),
                           ("/admin/sensors", {"ref": "s", "lat": "1", "lon": "1"})):
            r = post(rita, path, page, **data)
            assert r.status_code == 403 and "Your role does not allow this" in r.text, path
        up = rita.post("/admin/lists/import", data={"csrf": csrf_of(page.text), "source": "csv"},
                       files={"file": ("l.csv", LIST_V1, "text/csv")})
        assert up.status_code == 403
        assert rita.get("/admin/keys").status_code == 403
    with TestClient(create_app(instance)) as aude:
        page = sign_in(aude, "aude", PASSWORD)
        keys = aude.get("/admin/keys")
        assert keys.status_code == 200 and "New key" not in keys.text
        assert post(aude, "/admin/keys", page, role="admin").status_code == 403
    with instance.db.session() as s:
        assert not s.scalars(select(Bank)).all() and not s.scalars(select(ApiKey)).all()
    assert not {"bank.create", "key.create", "group.create"} & set(actions(instance))


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol2;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS>
</CONSOLIDATED_LIST>"""


@pytest.mark.parametrize("backend", ["sqlite"])
def test_hostile_uploads_get_a_4xx_page_with_the_reason_and_change_nothing(
        instance: Instance, user: User) -> None:
    instance.settings = dataclasses.replace(instance.settings, max_upload_bytes=64 * 1024)
    with TestClient(create_app(instance)) as client:
        page = sign_in(client, "alice", PASSWORD)
        made = post(client, "/admin/banks", page, name="Target", tlp="AMBER")
        bank_id = last_id(made.url.path)
        csrf = csrf_of(made.text)

        def send(path: str, name: str, data: bytes, **fields: str) -> Any:
            return client.post(path, data={"csrf": csrf, **fields}, files={"file": (name, data, "text/plain")})

        bad_csv = send(f"/admin/banks/{bank_id}/import", "rows.csv",
                       f"signal_type,signal_value\nmd5,{MD5}\nmd5,not-a-hash\n".encode(), format="csv")
        assert bad_csv.status_code == 422 and "1 bad rows; nothing was imported" in bad_csv.text
        assert "Line <bdi>3</bdi>:" in bad_csv.text
        no_header = send(f"/admin/banks/{bank_id}/import", "rows.csv", b"\xff\xfe\x00garbage", format="csv")
        assert no_header.status_code == 422 and "UTF-8" in no_header.text
        stix = send(f"/admin/banks/{bank_id}/import", "bundle.json", b"{not json", format="stix")
        assert stix.status_code == 422 and "not JSON" in stix.text
        big = send(f"/admin/banks/{bank_id}/import", "rows.csv", b"signal_type,signal_value\n" + b"x" * 70_000,
                   format="csv")
        assert big.status_code == 413 and "over the limit" in big.text
        empty = send(f"/admin/banks/{bank_id}/import", "rows.csv", b"", format="csv")
        assert empty.status_code == 400 and "empty" in empty.text
        bomb = send("/admin/lists/import", "un.xml", BOMB, source="un")
        assert bomb.status_code == 422 and "DTD or entities" in bomb.text
        zones = send("/admin/zones/import", "zones.json", b'{"type": "FeatureCollection", "features": 3}')
        assert zones.status_code == 422 and "This cannot be done" in zones.text
        forged = client.post(f"/admin/banks/{bank_id}/import", data={"csrf": "forged", "format": "csv"},
                             files={"file": ("rows.csv", f"signal_type,signal_value\nmd5,{MD5}\n".encode())})
        assert forged.status_code == 403 and "form has expired" in forged.text
        for r in (bad_csv, no_header, stix, big, empty, bomb, zones, forged):
            assert "Traceback" not in r.text and r.headers["content-type"].startswith("text/html")
    done = actions(instance)
    assert "bank.import" not in done and "list.import" not in done and "drones.zones.save" not in done


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"])
def test_in_chromium_an_admin_creates_a_bank_and_a_zone_through_the_pages(
        server: str, instance: Instance, user: User) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="en-GB")
            page.goto(f"{server}/login")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")
            page.click("nav.sections a[href$='/admin']")
            page.wait_for_url(f"{server}/admin")
            page.click("#admin-index a[href$='/admin/banks']")
            page.fill("#bank-name", "Partner hashes")
            page.select_option("#bank-tlp", "GREEN")
            page.fill("#bank-thresholds", "pdq=24")
            page.click("#new-bank button[type=submit]")
            page.wait_for_url(re.compile(r".*/admin/banks/\d+$"))
            assert page.locator(".alert.ok").inner_text() == "Bank Partner hashes created."
            assert page.locator("#bank-thresholds").input_value() == "pdq=24"
            page.goto(f"{server}/admin/zones")
            page.fill("#zone-ref", "BERN-1")
            page.fill("#zone-area", "46.9466, 7.4440\n46.9466, 7.4460\n46.9455, 7.4460")
            page.fill("#zone-upper", "120")
            page.click("#new-zone button[type=submit]")
            page.wait_for_url(re.compile(r".*/admin/zones/\d+$"))
            assert "Zone BERN-1 created" in page.locator(".alert.ok").inner_text()
            page.goto(f"{server}/admin/zones?lang=ar")
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert page.locator("#admin-zones h1").inner_text() == "المناطق المحمية"
            assert page.locator("#admin-zones tr[data-zone]").count() == 1
            # At phone width the forms fit the screen (no horizontal scrolling).
            page.set_viewport_size({"width": 390, "height": 800})
            page.goto(f"{server}/admin/banks?lang=en")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            browser.close()
    with instance.db.session() as s:
        assert s.scalars(select(Bank.tlp).where(Bank.name == "Partner hashes")).one() == "GREEN"
        assert s.scalars(select(DroneZone.upper_m).where(DroneZone.ref == "BERN-1")).one() == 120
    assert {"bank.create", "drones.zones.save"} <= set(actions(instance))
