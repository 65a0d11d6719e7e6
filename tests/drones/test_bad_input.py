"""Hostile and broken input to the drone API: each refused frame counted with its reason, good frames kept."""

from __future__ import annotations

import base64
import datetime as dt
import struct

from tests.drones.helpers import basic, frame, location
from tests.factories import Api

from basira.drones.ingest import MAX_BATCH
from basira.drones.remoteid import encode_message


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def post(dapi: Api, frames: list[dict[str, object]]) -> dict[str, object]:
    r = dapi.post("/v1/drones/frames", json={"frames": frames})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def problem(r: object, status: int) -> None:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]


def test_frame_from_the_future_is_refused_and_the_good_one_kept(dapi: Api) -> None:
    body = post(dapi, [frame("north", basic(), location(46.0, 7.0), at=now() + dt.timedelta(hours=1)),
                       frame("north", basic(), location(46.0, 7.0), at=now())])
    assert body["accepted"] == 1 and body["rejected"] == 1
    assert body["rejected_reasons"] == {"from the future": 1}
    assert body["rejections"][0]["index"] == 0  # type: ignore[index]


def test_latitude_over_90_degrees_is_refused(dapi: Api) -> None:
    msg = bytearray(encode_message(location(46.0, 7.0)))
    msg[5:9] = struct.pack("<i", 910_000_000)  # 91°
    data = bytes([0x0D, 0]) + bytes(msg)
    body = post(dapi, [{"sensor": "north", "transport": "bt4", "data": base64.b64encode(data).decode()}])
    assert body["accepted"] == 0 and body["rejected"] == 1
    assert "latitude" in body["rejections"][0]["reason"]  # type: ignore[index]
    r = dapi.post("/v1/drones/frames", json={"receiver_format": "decoded", "sensor": "north",
                                              "records": [{"uas_id": "X1", "lat": 91, "lon": 7}]})
    assert r.json()["rejected_reasons"] == {"bad record": 1}


def test_unknown_sensor_and_unknown_transport_and_empty_frame_are_counted(dapi: Api) -> None:
    good = frame("north", basic(), location(46.0, 7.0), at=now())
    body = post(dapi, [frame("nowhere", basic(), at=now()), {**good, "transport": "carrier-pigeon"},
                       {**good, "data": ""}, good])
    assert body["accepted"] == 1
    assert body["rejected_reasons"] == {"unknown sensor": 1, "bad transport": 1, "empty": 1}


def test_malformed_json_is_a_problem_not_a_traceback(dapi: Api) -> None:
    r = dapi.post("/v1/drones/frames", content=b'{"frames": [', headers={"content-type": "application/json"})
    problem(r, 422)
    problem(dapi.post("/v1/drones/frames", json={"frames": [{"sensor": "north", "transport": "bt4",
                                                              "data": "%%%"}]}), 422)
    problem(dapi.post("/v1/drones/frames", json={"frames": "many"}), 422)


def test_huge_batch_is_refused_whole(dapi: Api) -> None:
    one = frame("north", basic(), at=now())
    problem(dapi.post("/v1/drones/frames", json={"frames": [one] * (MAX_BATCH + 1)}), 413)
    assert dapi.get("/v1/drones/sensors").json()[0]["frames"] == 0


def test_roles_that_may_not_ingest_get_403(dapi: Api, instance: object, admin: object) -> None:
    from basira.core import orgs

    with instance.db.session() as s:  # type: ignore[attr-defined]
        key = orgs.create_key(s, admin, admin.org_id, "auditor", "audit").secret  # type: ignore[attr-defined]
    r = dapi.client.post("/v1/drones/frames", headers={"Authorization": f"Bearer {key}"},
                         json={"frames": [frame("north", basic(), at=now())]})
    problem(r, 403)
    assert dapi.client.get("/v1/drones/tracks", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_bad_zone_files_and_zones_are_refused(dapi: Api) -> None:
    problem(dapi.post("/v1/drones/zones/import", content=b"\xff\xfe not json"), 422)
    problem(dapi.post("/v1/drones/zones/import", json={"type": "FeatureCollection", "features": []}), 422)
    bad = {"ref": "X", "geometry": {"type": "Polygon", "coordinates": [[[7, 95], [8, 95], [8, 96], [7, 95]]]}}
    problem(dapi.post("/v1/drones/zones", json=bad), 422)
    problem(dapi.post("/v1/drones/zones", json={"ref": "C", "geometry": {"type": "Point", "coordinates": [7, 46]}}),
            422)  # a circle without a radius
    problem(dapi.post("/v1/drones/zones", json={"ref": "W", "radius_m": 100, "geometry": {
        "type": "Point", "coordinates": [7, 46]}, "windows": [{"start": "yesterday"}]}), 422)
    problem(dapi.post("/v1/drones/sensors", json={"id": "south", "lat": 91, "lon": 7}), 422)
    problem(dapi.post("/v1/drones/sensors", json={"id": "north", "lat": 46, "lon": 7}), 409)
