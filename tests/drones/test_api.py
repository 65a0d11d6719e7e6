"""The drone API end to end: frames in through HTTP, tracks, zone alerts as review-ready outbox events, evidence."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from sqlalchemy import select
from tests.drones.helpers import UAS, basic, frame, location, operator, system
from tests.factories import Api

from basira.core.instance import Instance
from basira.core.models import Event
from basira.drones.zones import GEOD

CENTER = (7.0, 46.0)  # lon, lat of the sensor; the zone is 500 m east of it


def circle_zone(**kw: Any) -> dict[str, Any]:
    lon, lat, _ = GEOD.fwd(CENTER[0], CENTER[1], 90, 500)
    return {"ref": "STADIUM", "name": "Stadium", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "radius_m": 150, "lower_m": 0, "upper_m": 120, **kw}


def east(metres: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(CENTER[0], CENTER[1], 90, metres)
    return lat, lon


def fly(dapi: Api, points: list[float], start: dt.datetime, step_s: float = 1.0, uas: str = UAS,
        **kw: Any) -> dict[str, Any]:
    frames = []
    for i, m in enumerate(points):
        lat, lon = east(m)
        frames.append(frame("north", basic(uas), location(lat, lon, speed=10, direction=90), system(46.0, 7.0),
                            operator("FIN87astrdge12k8"), at=start + dt.timedelta(seconds=i * step_s),
                            counter=i, **kw))
    r = dapi.post("/v1/drones/frames", json={"frames": frames})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def kinds(body: dict[str, Any]) -> list[str]:
    return [a["alert_kind"] for a in body["alerts"]]


def test_a_drone_flying_into_a_zone_raises_approach_then_enter_then_exit(dapi: Api, instance: Instance) -> None:
    assert dapi.post("/v1/drones/zones", json=circle_zone()).status_code == 201
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=80)
    # 10 m/s eastwards: 150 m to 850 m crosses the circle between 350 m and 650 m.
    body = fly(dapi, [150 + 10 * i for i in range(71)], start)
    assert body["accepted"] == 71 and body["rejected"] == 0
    assert kinds(body) == ["APPROACH", "ENTER", "EXIT"]
    enter = body["alerts"][1]
    assert enter["zone_name"] == "Stadium" and enter["uas_id"] == UAS and enter["sensor_id"] == "north"
    assert enter["evidence_ref"].startswith("sensor:north#seq:")
    tracks = dapi.get("/v1/drones/tracks").json()
    assert len(tracks) == 1 and tracks[0]["verdict"] == "plausible", tracks[0]["reasons"]
    assert tracks[0]["operator_lat"] == 46.0 and tracks[0]["operator_id"] == "FIN87astrdge12k8"
    with instance.db.session() as s:
        events = list(s.scalars(select(Event).where(Event.kind == "alert.raised").order_by(Event.id)))
    assert [e.payload["alert_kind"] for e in events] == ["APPROACH", "ENTER", "EXIT"]
    assert all(e.payload["track_id"] == str(tracks[0]["id"]) for e in events)


def test_alerts_become_one_review_case_per_track(dapi: Api, instance: Instance) -> None:
    from basira.review.consumer import consume
    from basira.review.models import Case

    dapi.post("/v1/drones/zones", json=circle_zone())
    fly(dapi, [400 + i for i in range(5)], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30))
    report = consume(instance.db.session)
    assert report.skipped == 0 and report.opened == 1
    with instance.db.session() as s:
        case = s.scalars(select(Case)).one()
    assert case.kind == "drone_alert"
    assert [a["alert_kind"] for a in case.evidence["alerts"]] == ["ENTER"]
    assert case.evidence["alerts"][0]["position"]["lat"] > 45


def test_one_stray_fix_inside_raises_no_enter(dapi: Api) -> None:
    dapi.post("/v1/drones/zones", json=circle_zone())
    body = fly(dapi, [200, 500, 200, 200], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30))
    assert "ENTER" not in kinds(body)


def test_zone_outside_its_altitude_band_or_time_window_raises_nothing(dapi: Api) -> None:
    dapi.post("/v1/drones/zones", json=circle_zone(ref="LOW", lower_m=0, upper_m=30))  # drone at 50 m AGL
    past = {"start": "2020-01-01T00:00:00Z", "end": "2020-12-31T00:00:00Z", "schedule": []}
    dapi.post("/v1/drones/zones", json=circle_zone(ref="PAST", windows=[past]))
    body = fly(dapi, [500, 501, 502], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10))
    assert kinds(body) == []


def test_loiter_after_the_dwell_time(dapi: Api) -> None:
    dapi.post("/v1/drones/zones", json=circle_zone())
    body = fly(dapi, [500] * 14, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=200), step_s=10)
    assert kinds(body) == ["ENTER", "LOITER"]
    assert body["alerts"][1]["details"]["dwell_s"] >= 120


def test_operator_standing_in_a_zone_and_emergency_status(dapi: Api) -> None:
    dapi.post("/v1/drones/zones", json=circle_zone())
    lat, lon = east(500)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)
    frames = [frame("north", basic(), location(46.001, 7.0, speed=0, status=3), system(lat, lon),
                    at=start + dt.timedelta(seconds=i), counter=i) for i in range(3)]
    body = dapi.post("/v1/drones/frames", json={"frames": frames}).json()
    assert sorted(set(kinds(body))) == ["EMERGENCY", "OPERATOR_IN_ZONE"]
    assert kinds(body).count("EMERGENCY") == 1 and kinds(body).count("OPERATOR_IN_ZONE") == 1


def test_track_is_lost_after_the_timeout_and_raises_track_lost_when_it_had_alerts(dapi: Api) -> None:
    dapi.post("/v1/drones/zones", json=circle_zone())
    fly(dapi, [500, 501], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=120))
    assert dapi.get("/v1/drones/tracks").json() == []
    lost = dapi.get("/v1/drones/tracks", params={"state": "lost"}).json()
    assert len(lost) == 1
    alerts = dapi.get("/v1/drones/alerts").json()
    assert [a["kind"] for a in alerts] == ["TRACK_LOST", "ENTER"]


def test_evidence_export_holds_the_raw_frames_byte_for_byte_and_a_verified_chain(dapi: Api) -> None:
    dapi.post("/v1/drones/zones", json=circle_zone())
    sent = [frame("north", basic(), location(*east(500)), at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5 - i),
                  counter=i) for i in range(3)]
    body = dapi.post("/v1/drones/frames", json={"frames": sent}).json()
    track_id = body["tracks"][0]
    r = dapi.get(f"/v1/drones/tracks/{track_id}/evidence")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    doc = json.loads(z.read("evidence.json"))
    assert doc["sensors"][0]["chain"]["ok"] is True
    assert [a["kind"] for a in doc["alerts"]] == ["ENTER"] and doc["zones"][0]["ref"] == "STADIUM"
    pcap = z.read("frames.pcapng")
    import base64

    for f in sent:
        assert base64.b64decode(f["data"]) in pcap
    import dpkt

    packets = list(dpkt.pcapng.Reader(io.BytesIO(pcap)))
    assert [bytes(p) for _, p in packets] == [base64.b64decode(f["data"]) for f in sent]
    chain = dapi.get("/v1/drones/sensors/north/chain").json()
    assert chain == {"sensor": "north", "frames": 3, "ok": True, "problems": [], "purged": 0}


def test_zone_files_import_list_replace_and_delete(dapi: Api, shared_data: Any) -> None:
    data = (shared_data / "zones" / "interuss_geo-awareness-che-1_ed269.json").read_bytes()
    r = dapi.post("/v1/drones/zones/import", content=data, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert len(r.json()) == 10 and r.json()[0]["source"] == "ed269"
    assert dapi.post("/v1/drones/zones/import", content=data).status_code == 409
    assert dapi.post("/v1/drones/zones/import", content=data, params={"replace": "true"}).status_code == 200
    assert len(dapi.get("/v1/drones/zones").json()) == 10
    montreux = dapi.get("/v1/drones/zones/Montreux Concert Area").json()
    assert montreux["radius_m"] == 3000 and montreux["windows"][0]["schedule"][0]["days"] == ["SAT", "SUN"]
    changed = {k: v for k, v in montreux.items() if k not in {"id", "source"}} | {"ref": "MONTREUX", "buffer_m": 50}
    r = dapi.put(f"/v1/drones/zones/{montreux['id']}", json=changed)
    assert r.status_code == 200 and r.json()["ref"] == "MONTREUX"
    assert dapi.delete("/v1/drones/zones/MONTREUX").status_code == 204
    assert dapi.get("/v1/drones/zones/MONTREUX").status_code == 404
    assert len(dapi.get("/v1/drones/zones").json()) == 9


def test_receiver_json_in_netrid_and_decoded_shapes_makes_tracks(dapi: Api) -> None:
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    lat, lon = east(300)
    flight = {"id": "uss1-flight-7", "current_state": {
        "timestamp": {"value": at, "format": "RFC3339"}, "operational_status": "Airborne",
        "position": {"lat": lat, "lng": lon, "alt": 620.0, "height": {"distance": 40, "reference": "TakeoffLocation"}},
        "track": 90.0, "speed": 4.5},
        "details": {"uas_id": {"serial_number": "1596F1234567890ABCDE"}, "operator_id": "CHEabc123def4567",
                    "operator_location": {"position": {"lat": 46.0, "lng": 7.0}}}}
    r = dapi.post("/v1/drones/frames", json={"receiver_format": "netrid", "sensor": "north", "records": [flight]})
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    decoded = {"uas_id": "DECODED-1", "lat": lat, "lon": lon, "speed": 3, "direction": 45, "rssi": -80,
               "mac": "aa:bb:cc:dd:ee:ff", "received_at": at}
    r = dapi.post("/v1/drones/frames", json={"receiver_format": "decoded", "sensor": "north", "records": [decoded]})
    assert r.json()["accepted"] == 1
    tracks = {t["uas_id"]: t for t in dapi.get("/v1/drones/tracks").json()}
    assert tracks["1596F1234567890ABCDE"]["operator_id"] == "CHEabc123def4567"
    assert tracks["1596F1234567890ABCDE"]["speed_mps"] == 4.5 and tracks["DECODED-1"]["heading_deg"] == 45
