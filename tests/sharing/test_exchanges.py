"""A ThreatExchange privacy group feeding a bank through python-threatexchange's own client code, against a loopback
server that answers as the Graph API's ``threat_updates`` and reactions do (a test double of the remote service;
pytx and Basira's code on top of it are the real thing)."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from basira.core import banks, opinions
from basira.core.instance import Instance
from basira.core.models import Signal
from basira.core.principal import Principal
from basira.sharing import exchanges
from basira.sharing.models import Exchange, ExchangeRecord

TOKEN = "123456789|" + "t0ken" * 6
PDQ = "f" * 64
MD5 = "0123456789abcdef0123456789abcdef"


def update(uid: int, kind: str, indicator: str, at: int, *, delete: bool = False, status: str = "MALICIOUS",
           reactions: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """One element of ``threat_updates``' data, in the Graph API's shape (descriptors with owner, tags, status)."""
    out: dict[str, Any] = {"id": str(uid), "indicator": indicator, "type": kind, "last_updated": at,
                           "should_delete": delete}
    if not delete:
        out["descriptors"] = {"data": [{"id": str(uid * 10), "owner": {"id": "777"}, "status": status,
                                        "tags": {"data": [{"id": "1", "text": "hash-sharing"}]},
                                        "reactions": reactions or []}]}
    return out


class FakeGraphApi:
    """``GET /v26.0/{group}/threat_updates/`` pages of ``page`` updates from ``start_time`` on (paging.next is a
    full URL, as Graph's), ``POST /v26.0/{descriptor}/`` reactions. ``script`` answers the next GETs first."""

    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.page = 2
        self.script: list[tuple[int, bytes]] = []
        self.loop = False
        self.gets: list[dict[str, list[str]]] = []
        self.reactions: list[tuple[str, dict[str, list[str]]]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                q = parse_qs(parts.query)
                api.gets.append(q)
                if api.script:
                    self._send(*api.script.pop(0))
                    return
                if q.get("access_token") != [TOKEN] or not parts.path.endswith("/4242/threat_updates/"):
                    self._send(400, b'{"error": {"message": "bad request"}}')
                    return
                start = int(q.get("start_time", ["0"])[0] or 0)
                rows = sorted((u for u in api.updates if u["last_updated"] >= start), key=lambda u: u["last_updated"])
                at = int(q.get("after", ["0"])[0])
                body: dict[str, Any] = {"data": rows[at:at + api.page]}
                if at + api.page < len(rows):
                    nxt = 0 if api.loop else at + api.page
                    body["paging"] = {"next": f"{api.base}{parts.path}?access_token={TOKEN}&after={nxt}"
                                              f"&start_time={start}"}
                self._send(200, json.dumps(body).encode())

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                api.reactions.append((parts.path.rstrip("/").rsplit("/", 1)[-1], parse_qs(parts.query)))
                self._send(200, b'{"success": true}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def endpoint(self) -> str:
        return f"{self.base}/v26.0"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def graph() -> Iterator[FakeGraphApi]:
    api = FakeGraphApi()
    yield api
    api.close()


def _setup(instance: Instance, admin: Principal, graph: FakeGraphApi) -> tuple[int, int]:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="gifct", tlp="AMBER")).id
        ex = exchanges.add_exchange(s, admin, instance.secret_key, exchanges.ExchangeSpec(
            "te", "gifct", "4242", TOKEN, endpoint=graph.endpoint)).id
    return bank, ex


def _enabled(instance: Instance, bank: int) -> set[tuple[str, str]]:
    with instance.db.session() as s:
        return {(t, v) for t, v in s.execute(select(Signal.signal_type, Signal.value).where(
            Signal.bank_id == bank, Signal.enabled.is_(True)))}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_exchange_fills_a_bank_with_checkpoint_deletions_and_opinions_both_ways(
        instance: Instance, admin: Principal, graph: FakeGraphApi) -> None:
    bank, ex_id = _setup(instance, admin, graph)
    graph.updates = [update(1, "HASH_PDQ", PDQ, 1000),
                     update(2, "HASH_VIDEO_MD5", MD5, 1001, status="NON_MALICIOUS",
                            reactions=[{"key": "HELPFUL", "value": "555"}]),
                     update(3, "URI", "https://example.org/x", 1002)]
    graph.script = [(500, b"oops")]  # a 500 first: retried
    report = exchanges.sync_exchange(instance, ex_id)
    assert report.error == "" and report.added == 2 and report.skipped == 1 and report.pages == 2
    assert _enabled(instance, bank) == {("pdq", PDQ), ("md5", MD5)}
    with instance.db.session() as s:
        ex = s.get_one(Exchange, ex_id)
        assert ex.checkpoint["update_time"] == 1002 and TOKEN not in ex.secret_enc and ex.failures == 0
        rec = {r.indicator_type: r for r in s.scalars(select(ExchangeRecord))}
        assert (rec["md5"].positive, rec["md5"].negative, rec["md5"].descriptor_ids) == (1, 1, ["20"])
        assert (rec["pdq"].positive, rec["pdq"].negative) == (1, 0)
        md5_id = rec["md5"].signal_id
        labels = s.get_one(Signal, md5_id).labels
    assert labels == ["hash-sharing"]

    # Next sync starts at the checkpoint; a deletion disables the signal it brought; our opinion goes back.
    graph.updates.append(update(1, "HASH_PDQ", PDQ, 2000, delete=True))
    with instance.db.session() as s:
        opinions.set_opinion(s, admin, md5_id, "false_positive")
    before = len(graph.gets)
    again = exchanges.sync_exchange(instance, ex_id)
    assert again.error == "" and again.disabled == 1 and again.reactions == 1
    assert graph.gets[before]["start_time"] == ["1002"]
    assert _enabled(instance, bank) == {("md5", MD5)}
    descriptor, params = graph.reactions[0]
    assert descriptor == "20" and params["reactions"] == ["DISAGREE_WITH_TAGS"]
    assert exchanges.sync_exchange(instance, ex_id).reactions == 0  # sent once


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("trouble", ["garbage", "loop", "always-429", "elsewhere"])
def test_a_hostile_exchange_leaves_the_bank_and_checkpoint_intact(instance: Instance, admin: Principal,
                                                                   graph: FakeGraphApi, trouble: str) -> None:
    instance.settings = dataclasses.replace(instance.settings, sharing_retries=2)  # one retry: a fast give-up
    bank, ex_id = _setup(instance, admin, graph)
    graph.updates = [update(i, "HASH_VIDEO_MD5", f"{i:032x}", 1000 + i) for i in range(1, 6)]
    if trouble == "garbage":
        graph.script = [(200, b"<html>not json")]
    elif trouble == "loop":
        graph.loop = True
    elif trouble == "always-429":
        graph.script = [(429, b"{}")] * 10
    else:
        graph.updates = []
        graph.script = [(200, json.dumps({"data": [update(9, "HASH_VIDEO_MD5", MD5, 5)],
                                          "paging": {"next": "http://127.0.0.2:9/v26.0/steal?x=1"}}).encode())]
    report = exchanges.sync_exchange(instance, ex_id)
    expected = {"garbage": "not JSON", "loop": "loops", "always-429": "gave up", "elsewhere": "another server"}
    assert expected[trouble] in report.error
    with instance.db.session() as s:
        ex = s.get_one(Exchange, ex_id)
        assert ex.failures == 1 and expected[trouble] in ex.last_error
        held = ex.checkpoint.get("update_time")
    if trouble in ("garbage", "always-429"):
        assert _enabled(instance, bank) == set() and held is None
    else:  # the pages before the trouble were taken, each with its checkpoint
        assert held is not None and len(_enabled(instance, bank)) >= 1
