"""Request ids, JSON log lines, /metrics and the two health checks, through the real app."""

from __future__ import annotations

import dataclasses
import json
import logging
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker
from tests.factories import A, B, auth, make_bank, open_case, problem, serving

from basira.api.app import create_app
from basira.api.observability import JsonLogFormatter
from basira.core.instance import Instance
from basira.core.principal import Principal


def test_every_answer_carries_a_request_id_and_a_sane_presented_one_is_kept(client: TestClient) -> None:
    fresh = client.get("/v1/health")
    assert len(fresh.headers["x-request-id"]) == 16
    assert client.get("/v1/health").headers["x-request-id"] != fresh.headers["x-request-id"]
    assert client.get("/v1/health", headers={"X-Request-ID": "lb-7f3a.2"}).headers["x-request-id"] == "lb-7f3a.2"
    for bad in (b"has space", b"x" * 65, b"<script>", "a\u200bb".encode()):
        kept = client.get("/v1/health", headers={"X-Request-ID": bad})  # type: ignore[dict-item]
        assert kept.headers["x-request-id"].encode() != bad and len(kept.headers["x-request-id"]) == 16


def test_the_access_line_names_route_status_and_request_id_and_formats_as_json(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="basira.access"):
        client.get("/v1/banks/12345", headers={"X-Request-ID": "trace-1"})
    [record] = [r for r in caplog.records if r.name == "basira.access"]
    line = json.loads(JsonLogFormatter().format(record))
    assert line["request_id"] == "trace-1"
    assert line["route"].startswith("/v1/banks/{") and "12345" not in line["route"]  # the template, not the id
    assert line["status"] == 401 and line["level"] == "info" and line["logger"] == "basira.access"


def test_metrics_need_loopback_or_the_token_and_count_by_route_template(
        instance: Instance, admin: Principal, admin_key: str) -> None:
    open_case(instance, admin, "post-1", [A])
    make_bank(instance, admin, "other", [B])
    instance.settings = dataclasses.replace(instance.settings, metrics_token="scrape-me")
    with TestClient(create_app(instance)) as c:
        for ref in ("1", "2", "3"):
            c.get(f"/v1/banks/{ref}", headers=auth(admin_key))
        c.post("/v1/match", headers=auth(admin_key), json={"signals": [{"signal_type": "md5", "value": B}]})
        assert problem(c.get("/metrics"), 403)["detail"].startswith("metrics are for loopback callers")
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        r = c.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    body = r.text
    banks_lines = [line for line in body.splitlines() if line.startswith("basira_http_requests_total{")
                   and "/v1/banks/" in line]
    # One series per status class for the template, whatever the ids: banks 1 and 2 exist, bank 3 does not.
    assert banks_lines == ['basira_http_requests_total{method="GET",route="/v1/banks/{bank}",status="2xx"} 2.0',
                           'basira_http_requests_total{method="GET",route="/v1/banks/{bank}",status="4xx"} 1.0']
    assert 'basira_cases_open{kind="content_match"} 1.0' in body
    assert "basira_cases_overdue 0.0" in body
    assert 'basira_index_signals{bank="2",signal_type="md5"} 1.0' in body
    assert 'basira_index_changes_behind{bank="2",signal_type="md5"} 0.0' in body
    assert "basira_matches_last_hour{bank=" in body
    assert "basira_http_request_duration_seconds_bucket{" in body


def test_metrics_answer_a_loopback_scraper_without_a_token(instance: Instance) -> None:
    with serving(create_app(instance)) as url, urllib.request.urlopen(f"{url}/metrics", timeout=10) as r:
        assert r.status == 200 and b"basira_cases_open" in r.read()


def test_a_scrape_reads_again_while_a_workers_metrics_file_is_being_created(
        instance: Instance, tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """``basira serve --workers N``: a worker writes its metrics after its answer has gone, so a scrape can meet a file
    another worker has just created and not yet filled (prometheus-client then fails to unpack it). The scrape reads
    again; a file that stays unreadable is a 503 with the reason, not a 500."""
    folder = tmp_path / "metrics"  # type: ignore[operator]
    folder.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    being_made = folder / "histogram_4242.db"
    being_made.write_bytes(b"")  # created, its first bytes not yet written
    calls = {"n": 0}
    import basira.api.observability as observability

    real = observability.generate_latest

    def first_read_meets_it(registry: object) -> bytes:
        calls["n"] += 1
        if calls["n"] == 2:
            being_made.unlink()  # the other worker's file is written (here: gone) by the second read
        return real(registry)  # type: ignore[arg-type]

    monkeypatch.setattr(observability, "generate_latest", first_read_meets_it)
    with serving(create_app(instance)) as url:
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as r:
            assert r.status == 200 and calls["n"] == 2
        being_made.write_bytes(b"")
        calls["n"] = -100  # it stays unreadable
        with pytest.raises(urllib.error.HTTPError) as stuck:
            urllib.request.urlopen(f"{url}/metrics", timeout=10)
        assert stuck.value.code == 503 and "could not be read" in json.loads(stuck.value.read())["detail"]


def test_live_and_ready_and_ready_says_why_it_is_not(instance: Instance) -> None:
    with TestClient(create_app(instance)) as c:
        assert c.get("/health/live").json() == {"status": "ok"}
        assert c.get("/health/ready").json() == {"status": "ok"}
        with instance.db.session() as s:
            heads = [row[0] for row in s.execute(text("SELECT version_num FROM alembic_version"))]
            s.execute(text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": heads[0]})
        behind = c.get("/health/ready")
        assert behind.status_code == 503 and "newest migration" in behind.json()["reason"]
        with instance.db.session() as s:
            s.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": heads[0]})
        engine, sessions = instance.db.engine, instance.db.sessions
        instance.db.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none",
                                           connect_args={"connect_timeout": 1})
        instance.db.sessions = sessionmaker(instance.db.engine)
        try:
            down = c.get("/health/ready")
            assert down.status_code == 503 and down.json()["reason"].startswith("the database does not answer")
            assert c.get("/health/live").status_code == 200
        finally:
            instance.db.engine.dispose()
            instance.db.engine, instance.db.sessions = engine, sessions
        assert c.get("/health/ready").status_code == 200


def test_an_unknown_route_is_counted_as_unmatched_not_by_its_path(client: TestClient) -> None:
    for n in range(3):
        client.get(f"/no/such/{n}")
    assert all("/no/such" not in key for key in _series(client))


def _series(client: TestClient) -> list[str]:
    registry = client.app.state.metrics.registry  # type: ignore[attr-defined]
    return [str(sample.labels) for metric in registry.collect() for sample in metric.samples]


def test_requests_fail_fast_with_503_while_the_database_is_away_and_recover_after(
        instance: Instance, admin_key: str) -> None:
    with TestClient(create_app(instance)) as c:
        assert c.get("/v1/banks", headers=auth(admin_key)).status_code == 200
        engine, sessions = instance.db.engine, instance.db.sessions
        instance.db.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none",
                                           connect_args={"connect_timeout": 1})
        instance.db.sessions = sessionmaker(instance.db.engine)
        try:
            away = c.get("/v1/banks", headers=auth(admin_key))
            assert problem(away, 503)["detail"].startswith("the database is unavailable")
            assert away.headers["retry-after"] == "5"
        finally:
            instance.db.engine.dispose()
            instance.db.engine, instance.db.sessions = engine, sessions
        assert c.get("/v1/banks", headers=auth(admin_key)).status_code == 200
