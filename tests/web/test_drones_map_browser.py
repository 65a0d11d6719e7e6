"""The live drone map in headless Chromium against a real uvicorn server: zones and a track drawn on the plain
vector map (no tile server in tests), then a new alert and the track's move arriving by server-sent events."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.drones.helpers import basic, location, operator, pack, system
from tests.drones.test_api import east
from tests.factories import run_consumer, serving

from basira.api.app import create_app
from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.drones import sensors, zones
from basira.drones.ingest import RawFrame, service
from basira.drones.zonefiles import ZoneSpec
from basira.web import drones_map
from conftest import need

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture
def server(instance: Instance, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(drones_map, "POLL_S", 0.2)
    with serving(create_app(instance)) as url:
        yield url


def post(instance: Instance, admin: Principal, metres: list[float]) -> None:
    """Frames one second apart, the last one a second ago (a loaded machine may take a while between posts)."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=len(metres))
    frames = []
    for i, m in enumerate(metres):
        lat, lon = east(m)
        frames.append(RawFrame("north", "bt5", pack(basic(), location(lat, lon, speed=10), system(46.0, 7.0),
                                                    operator("FIN87astrdge12k8"), counter=i),
                               received_at=start + dt.timedelta(seconds=i), rssi=-70, source="60:60:1f:00:00:01"))
    with instance.db.session() as s:
        service(instance).ingest(s, admin, frames)


@pytest.mark.parametrize("backend", ["sqlite"])  # the database is covered by the API tests
def test_map_draws_zones_tracks_operator_and_streams_new_alerts(instance: Instance, admin: Principal, server: str,
                                                                  tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with instance.db.session() as s:
        orgs.create_user(s, admin, admin.org_id, "alice", PASSWORD, "analyst")
        sensors.create_sensor(s, admin, sensors.SensorSpec(ref="north", lat=46.0, lon=7.0, range_m=2000))
        lon, lat, _ = zones.GEOD.fwd(7.0, 46.0, 90, 500)
        zones.save_zones(s, admin, [ZoneSpec(ref="STADIUM", name="Stadium", radius_m=150,
                                             geometry={"type": "Point", "coordinates": [lon, lat]})])
    post(instance, admin, [300, 310, 320])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{server}/drones")
            assert page.url.endswith("/login")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")
            # The map is linked from the navigation of every page.
            page.click("nav.sections a[href$='/drones']")
            page.wait_for_selector("#tracks li")
            assert page.locator("#map").get_attribute("data-basemap") == "vector"
            assert page.locator("#tracks li .case-link bdi").inner_text() == "1581F5FKD229400C1234"
            # The built-in coastlines and borders, and the sensor with its range.
            page.wait_for_selector("#map[data-coastlines=drawn]")
            assert page.locator("#map").get_attribute("data-sensors") == "1"
            assert page.locator("#map path.sensor-range").count() == 1
            # The zone (an SVG path) and the drone, its trail, the operator and the link between them.
            page.wait_for_function("document.querySelectorAll('#map svg path').length >= 4")
            page.wait_for_selector("#status[data-state=live]")
            post(instance, admin, [400, 410, 420])
            first = page.locator("#tracks li").get_attribute("data-position")
            page.wait_for_selector("#alerts li .kind.ENTER", timeout=10_000)
            # The track's move came by the stream too: it now stands inside the zone.
            page.wait_for_function(f"document.querySelector('#tracks li').dataset.position !== '{first}'",
                                   timeout=5_000)
            # The replay slider steps through the track's positions as this page saw them.
            page.click("#tracks li .replay-button")
            page.wait_for_selector("#replay-box:not([hidden])")
            assert int(page.locator("#map").get_attribute("data-replay-positions") or 0) >= 2
            page.locator("#map-replay").fill("0")
            page.wait_for_selector("#map[data-replay-index='0']")
            assert page.locator("#map-replay-at").inner_text().startswith("1 / ")
            page.screenshot(path=str(tmp_path / "drones-map.png"))
            # The alert and the track lead to the track's review case once review opened it.
            run_consumer(instance)
            page.click("#alerts li .case-link")
            page.wait_for_url(f"{server}/cases/*")
            assert "1581F5FKD229400C1234" in page.content()
            # The case shows the track on the drone map's layers, with a replay slider and the evidence export.
            page.wait_for_selector("#case-map[data-positions='6']")
            assert page.locator("#case-map path").count() >= 3  # the zone, the sensor's range, the path
            page.locator("#case-replay").fill("0")
            page.wait_for_selector("#case-map[data-replay-index='0']")
            href = page.locator("a[href$='/evidence']").get_attribute("href")
            assert href is not None
            export = page.request.get(f"{server}{href}")
            assert export.status == 200 and export.body()[:2] == b"PK"
            # A phone: the map fills the width, the lists follow below it.
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.context.add_cookies(page.context.cookies())
            phone.goto(f"{server}/drones")
            phone.wait_for_selector("#tracks li")
            box, aside = phone.locator("#map").bounding_box(), phone.locator("aside").bounding_box()
            assert box is not None and aside is not None
            assert box["width"] >= 370 and box["height"] >= 280, box
            assert aside["y"] >= box["y"] + box["height"] - 1 and aside["width"] >= 370, aside
        finally:
            browser.close()
    shot = tmp_path / "drones-map.png"
    assert shot.stat().st_size > 20_000
    if os.environ.get("BASIRA_SCREENSHOTS"):
        shutil.copy(shot, Path(os.environ["BASIRA_SCREENSHOTS"]) / shot.name)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_unreachable_tiles_fall_back_to_the_vector_map(instance: Instance, admin: Principal, server: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Port 9 (discard) on the loopback refuses connections: every tile fails.
    monkeypatch.setattr(drones_map, "tile_settings", lambda inst: ("http://127.0.0.1:9/{z}/{x}/{y}.png", "test"))
    with instance.db.session() as s:
        orgs.create_user(s, admin, admin.org_id, "alice", PASSWORD, "reviewer")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{server}/login")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(f"{server}/")
            response = page.goto(f"{server}/drones")
            assert response is not None and "http://127.0.0.1:9" in response.headers["content-security-policy"]
            page.wait_for_selector("#map[data-basemap=vector]", timeout=15_000)
            assert "cannot be reached" in page.locator("#basemap-note").inner_text()
        finally:
            browser.close()
