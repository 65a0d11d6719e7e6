"""Video through the HTTP API: /v1/hash gives vPDQ, /v1/match finds a bank video from a re-encoded copy, and bad
videos get problem+json replies with nothing recorded and no upload left on disk."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import need

from basira.api.uploads import upload_dir
from basira.content import vpdq
from basira.content.video import VPDQSignal
from basira.core.instance import Instance


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    need(importlib.util.find_spec("av") is not None, "PyAV is not installed (pip install basira[video])")
    from basira.content import videogen

    d = tmp_path_factory.mktemp("api-videos")
    return {
        "original": videogen.write_video(d / "o.mp4", seed=3, seconds=6).read_bytes(),
        # Matroska (the container of WebM), smaller and at a lower bit rate.
        "copy": videogen.write_video(d / "c.mkv", seed=3, seconds=6, size=(256, 192), bit_rate=150_000).read_bytes(),
        "long": videogen.write_sparse_long_video(d / "long.mp4", hours=10).read_bytes(),
        "audio": videogen.write_audio_only(d / "a.m4a").read_bytes(),
    }


@pytest.fixture
def video_client(instance: Instance, client: TestClient) -> TestClient:
    # Until pyproject.toml's entry point is installed, the type is registered here the same way it would be.
    if "vpdq" not in instance.registry.names():
        instance.registry.register(VPDQSignal)
    return client


def _post(client: TestClient, key: str, url: str, data: bytes, name: str = "v.mp4", **kw: Any) -> Any:
    return client.post(url, headers={"Authorization": f"Bearer {key}"},
                       files={"file": (name, data, "application/octet-stream")}, **kw)


def test_video_upload_is_hashed_and_matched_against_a_bank_video(
        video_client: TestClient, admin_key: str, clips: dict[str, bytes], instance: Instance) -> None:
    auth = {"Authorization": f"Bearer {admin_key}"}
    r = _post(video_client, admin_key, "/v1/hash", clips["original"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["content_type"] == "video"
    sigs = {s["signal_type"]: s for s in body["signals"]}
    assert set(sigs) == {"md5", "sha256", "vpdq"}
    assert sigs["vpdq"]["details"]["sampled_frames"] == 6
    assert len(vpdq.parse(sigs["vpdq"]["value"])) == sigs["vpdq"]["details"]["frames"]

    bank = video_client.post("/v1/banks", headers=auth, json={"name": "Videos", "tlp": "GREEN"}).json()
    r = video_client.post(f"/v1/banks/{bank['id']}/signals", headers=auth, json={
        "signal_type": "vpdq", "value": sigs["vpdq"]["value"], "entry_ref": "video-1"})
    assert r.status_code == 201, r.text

    r = _post(video_client, admin_key, "/v1/match", clips["copy"], "copy.mkv")
    assert r.status_code == 200, r.text
    hits = [m for m in r.json()["matches"] if m["signal_type"] == "vpdq"]
    assert r.json()["matched"] and len(hits) == 1
    assert hits[0]["distance"] <= VPDQSignal.default_threshold and hits[0]["entry"]["ref"] == "video-1"
    why = hits[0]["explanation"]
    assert 0 < why["query_share"] <= 1 and 0 < why["bank_share"] <= 1
    assert why["query_ranges"] and why["bank_ranges"]
    assert all(start <= end for start, end in why["query_ranges"] + why["bank_ranges"])
    assert list(upload_dir(instance.settings).iterdir()) == []


@pytest.mark.parametrize(("clip", "status", "words"), [
    ("long", 413, "BASIRA_MAX_VIDEO_SECONDS"),  # ten hours, refused from the header
    ("audio", 415, "no video stream"),  # an M4A: sniffed as video, holds only audio
])
def test_bad_video_gets_a_problem_and_records_nothing(
        video_client: TestClient, admin_key: str, clips: dict[str, bytes], instance: Instance,
        clip: str, status: int, words: str) -> None:
    for url in ("/v1/hash", "/v1/match"):
        r = _post(video_client, admin_key, url, clips[clip])
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert words in r.json()["detail"]
    assert list(upload_dir(instance.settings).iterdir()) == []
    with instance.db.session() as s:
        from sqlalchemy import func, select

        from basira.core.models import Item

        assert s.scalar(select(func.count()).select_from(Item)) == 0


def test_truncated_upload_is_refused_with_415(video_client: TestClient, admin_key: str,
                                              clips: dict[str, bytes], tmp_path: Path) -> None:
    data = clips["original"]
    r = _post(video_client, admin_key, "/v1/hash", data[: len(data) // 2])
    assert r.status_code == 415, r.text


@pytest.mark.parametrize("every_frame", [False, True], ids=["one a second", "every frame"])
def test_partners_vpdq_in_python_threatexchange_form_finds_the_video(
        video_client: TestClient, admin_key: str, instance: Instance, every_frame: bool) -> None:
    shared = Path(__file__).parents[2] / ".." / "shared" / "data" / "reference" / "vpdq"
    need((shared / "sample-hashes").is_dir(), "../shared/data/reference/vpdq is absent")
    lines = (shared / "sample-hashes" / "doorknob-hd-no-bar.txt").read_text().split()
    if not every_frame:
        lines = [line for line in lines if float(line.split(",")[3]).is_integer()]
    pytx_value = json.dumps([f"{h},{q},{t}" for _, q, h, t in (line.split(",") for line in lines)])
    auth = {"Authorization": f"Bearer {admin_key}"}
    bank = video_client.post("/v1/banks", headers=auth, json={"name": "Partner videos", "tlp": "GREEN"}).json()
    r = video_client.post(f"/v1/banks/{bank['id']}/signals", headers=auth, json={
        "signal_type": "vpdq", "value": pytx_value, "entry_ref": "partner-doorknob"})
    assert r.status_code == 201, r.text
    video = (shared / "sample-videos" / "doorknob-hd-no-bar.mp4").read_bytes()
    r = _post(video_client, admin_key, "/v1/match", video, "doorknob.mp4")
    assert r.status_code == 200, r.text
    [hit] = [m for m in r.json()["matches"] if m["signal_type"] == "vpdq"]
    assert r.json()["matched"] and hit["entry"]["ref"] == "partner-doorknob"
    assert hit["explanation"]["query_share"] >= 0.8
