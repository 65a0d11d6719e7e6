"""Two live Basira servers: a partner's opinion flows back to the owner, and a crisis incident pushes new signals
to the partner at once (signed webhook, then a TAXII pull), with its notification log, chart and debrief."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.sharing.helpers import SAMPLES, make_bank, make_org
from tests.sharing.live import TAXII, serve

from basira.api.app import create_app
from basira.core import banks, opinions
from basira.core.instance import Instance
from basira.core.models import Opinion, Signal
from basira.core.principal import Principal
from basira.core.settings import load_settings
from basira.sharing import client, export, feeds, incidents, stix
from basira.sharing.taxii import collection_id

#: The machine running the suite may be busy: generous time limits (they only matter when something is wrong).
HTTP = httpx.Client(timeout=30)
PUSH_SECRET = "s3cret-push-key-0123456789"


def _instance(folder: Path) -> Instance:
    return Instance(load_settings(environ={}, data_dir=folder, secret_key=f"key-{folder.name}",
                                  worker_interval_s=0, sharing_timeout_s=5.0, sharing_incident_poll_s=0.05))


@dataclass
class Pair:
    a: Instance
    b: Instance
    a_url: str
    b_url: str
    alpha: Principal
    alpha_key: str
    bravo: Principal
    bravo_key_on_a: str
    bravo_key_on_b: str


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    a, b = _instance(tmp_path / "a"), _instance(tmp_path / "b")
    try:
        alpha, alpha_key = make_org(a, "alpha", operator=True)
        _, bravo_key_on_a = make_org(a, "bravo-on-a")
        bravo, bravo_key_on_b = make_org(b, "bravo", operator=True)
        with serve(create_app(a)) as a_url, serve(create_app(b)) as b_url:
            yield Pair(a, b, a_url, b_url, alpha, alpha_key, bravo, bravo_key_on_a, bravo_key_on_b)
    finally:
        a.close()
        b.close()


def _setup(p: Pair, push_secret: str = "") -> tuple[int, int, int]:
    """A's AMBER bank (md5) shared with bravo, B's bank and feed on it: (A's bank, B's bank, feed)."""
    a_bank = make_bank(p.a, p.alpha, "partners", "AMBER", {"md5": SAMPLES["md5"]}, ("bravo-on-a",))
    b_bank = make_bank(p.b, p.bravo, "from alpha", "AMBER")
    cid = collection_id(export.instance_namespace(p.a.secret_key), a_bank)
    with p.b.db.session() as s:
        spec = feeds.FeedSpec("alpha", f"{p.a_url}/taxii2/api/", cid, "from alpha", secret=p.bravo_key_on_a,
                              interval_s=3600, push_secret=push_secret)
        feed = feeds.add_feed(s, p.bravo, p.b.secret_key, spec).id
    assert client.sync_feed(p.b, feed).added == 1
    return a_bank, b_bank, feed


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_opinions_flow_back_and_an_incident_pushes_at_once_between_two_live_servers(pair: Pair) -> None:
    """One pair of servers for the three stories (starting two servers is the slow part)."""
    a_bank, b_bank, feed = _setup(pair, push_secret=PUSH_SECRET)
    _partners_false_positive_reaches_the_owner(pair, a_bank, b_bank, feed)
    _a_reader_may_add_opinions_and_nothing_else(pair)
    _an_incident_pushes_new_signals_at_once(pair, a_bank, feed)


def _partners_false_positive_reaches_the_owner(p: Pair, a_bank: int, b_bank: int, feed: int) -> None:
    with p.a.db.session() as s:
        a_sig = s.scalars(select(Signal.id).where(Signal.bank_id == a_bank)).one()
        opinions.set_opinion(s, p.alpha, a_sig, "confirmed")
    with p.b.db.session() as s:
        b_sig = s.scalars(select(Signal.id).where(Signal.bank_id == b_bank)).one()
    # Bravo, on its own instance, says false positive through B's API.
    r = HTTP.put(f"{p.b_url}/v1/signals/{b_sig}/opinion", json={"kind": "false_positive", "note": "a logo"},
                  headers=_auth(p.bravo_key_on_b))
    assert r.status_code == 200 and r.json()["counts"]["false_positive"] == 1
    report = client.sync_feed(p.b, feed)
    assert report.error == "" and report.opinions_sent == 1
    # On A, the owner sees both views, counted, and the signal disputed.
    got = HTTP.get(f"{p.a_url}/v1/signals/{a_sig}/opinions", headers=_auth(p.alpha_key)).json()
    assert got["summary"] == "disputed" and got["counts"] == {"confirmed": 1, "false_positive": 1, "seen": 0}
    assert {(o["org"], o["kind"], o["note"]) for o in got["opinions"]} == {
        ("alpha", "confirmed", ""), ("bravo-on-a", "false_positive", "a logo")}
    # Sent once: the next sync sends nothing again.
    assert client.sync_feed(p.b, feed).opinions_sent == 0
    # Bravo changes its mind: the change flows back too.
    HTTP.put(f"{p.b_url}/v1/signals/{b_sig}/opinion", json={"kind": "confirmed"}, headers=_auth(p.bravo_key_on_b))
    assert client.sync_feed(p.b, feed).opinions_sent == 1
    with p.a.db.session() as s:
        assert s.scalars(select(Opinion.kind).where(Opinion.signal_id == a_sig)).all() == ["confirmed", "confirmed"]
    # The owner disables the signal: it flows out again as a revocation.
    with p.a.db.session() as s:
        banks.set_signal_enabled(s, p.alpha, a_sig, False)
    assert client.sync_feed(p.b, feed).revoked == 1


def _a_reader_may_add_opinions_and_nothing_else(p: Pair) -> None:
    a_bank = make_bank(p.a, p.alpha, "reader check", "AMBER", {"md5": "9" * 32}, ("bravo-on-a",))
    ns = export.instance_namespace(p.a.secret_key)
    cid = collection_id(ns, a_bank)
    with p.a.db.session() as s:
        sig = s.scalars(select(Signal).where(Signal.bank_id == a_bank)).one()
        sig_id, value, ref = sig.id, sig.value, export.signal_stix_id(ns, sig.id)
    now = stix.timestamp(stix.parse_timestamp("2026-12-01T00:00:00Z"))
    ext = {stix.SIGNAL_EXTENSION_ID: {"extension_type": "property-extension", "opinion": "false_positive",
                                      "signal_type": "md5", "value": value}}
    base = {"type": "opinion", "spec_version": "2.1", "created": now, "modified": now, "opinion": "disagree"}
    indicator = stix.indicator(stix.SignalRecord("md5", "0" * 32), stix.IndicatorMeta(
        "indicator--00000000-0000-4000-8000-000000000009", stix.parse_timestamp(now), stix.parse_timestamp(now)))
    url = f"{p.a_url}/taxii2/api/collections/{cid}/objects/"
    headers = {**_auth(p.bravo_key_on_a), "Accept": TAXII, "Content-Type": TAXII}
    ok = {**base, "id": "opinion--00000000-0000-4000-8000-000000000001", "object_refs": [ref], "extensions": ext}
    # A reader may not add signals: an envelope holding anything but opinions is refused whole.
    r = HTTP.post(url, json={"objects": [indicator, ok]}, headers=headers)
    assert r.status_code == 403 and "only opinions" in r.json()["detail"]
    objects = [
        ok,
        {**base, "id": "opinion--00000000-0000-4000-8000-000000000002",  # names another indicator than its value's
         "object_refs": ["indicator--00000000-0000-4000-8000-000000000003"], "extensions": ext},
        {**base, "id": "opinion--00000000-0000-4000-8000-000000000004", "object_refs": [ref]},  # no extension
        {**base, "id": "opinion--00000000-0000-4000-8000-000000000005", "object_refs": [ref], "opinion": "maybe",
         "extensions": {stix.SIGNAL_EXTENSION_ID: {**ext[stix.SIGNAL_EXTENSION_ID], "opinion": "unsure"}}},
    ]
    r = HTTP.post(url, json={"objects": objects}, headers=headers)
    assert r.status_code == 202, r.text
    status = r.json()
    assert status["success_count"] == 1 and status["failure_count"] == 3
    reasons = " | ".join(f["message"] for f in status["failures"])
    assert "not one of this collection's" in reasons and "extension" in reasons and "none of" in reasons
    with p.a.db.session() as s:
        assert s.scalars(select(Opinion.kind).where(Opinion.signal_id == sig_id)).all() == ["false_positive"]
        assert s.scalar(select(Signal.id).where(Signal.value == "0" * 32)) is None


def _an_incident_pushes_new_signals_at_once(p: Pair, a_bank: int, feed: int) -> None:
    r = HTTP.post(f"{p.a_url}/v1/sharing/incidents", json={"name": "attack livestream", "bank": "partners"},
                   headers=_auth(p.alpha_key))
    assert r.status_code == 201, r.text
    inc = r.json()["id"]
    r = HTTP.put(f"{p.a_url}/v1/sharing/subscribers", headers=_auth(p.alpha_key), json={
        "name": "bravo", "url": f"{p.b_url}/v1/sharing/push/{feed}", "secret": PUSH_SECRET})
    assert r.status_code == 200, r.text
    # A push not signed with the feed's secret is refused and syncs nothing.
    bad = HTTP.post(f"{p.b_url}/v1/sharing/push/{feed}", content=b"{}",
                     headers={incidents.SIGNATURE_HEADER: incidents.sign("wrong-secret-0123456789", b"{}")})
    assert bad.status_code == 403
    pusher = incidents.IncidentPusher(p.a)
    pusher.start()
    try:
        value = "d41d8cd98f00b204e9800998ecf8427e"
        start = time.perf_counter()
        HTTP.post(f"{p.a_url}/v1/banks/{a_bank}/signals", headers=_auth(p.alpha_key),
                   json={"signal_type": "md5", "value": value}).raise_for_status()
        while not HTTP.post(f"{p.b_url}/v1/match", headers=_auth(p.bravo_key_on_b),
                             json={"signals": [{"signal_type": "md5", "value": value}]}).json()["matched"]:
            assert time.perf_counter() - start < 20, "the pushed signal never reached B"
            time.sleep(0.02)
    finally:
        pusher.stop()
    log = HTTP.get(f"{p.a_url}/v1/sharing/incidents/{inc}/notifications", headers=_auth(p.alpha_key)).json()
    assert log["pushes"] >= 1 and log["failed"] == 0 and log["partners"] == 1
    assert log["log"][0]["partner"] == "bravo" and log["log"][0]["status"] == 202 and log["log"][0]["signals"] == 1
    chart = HTTP.get(f"{p.a_url}/v1/sharing/incidents/{inc}/chart.svg", headers=_auth(p.alpha_key))
    assert chart.headers["content-type"].startswith("image/svg+xml") and chart.text.startswith("<svg")
    closed = HTTP.post(f"{p.a_url}/v1/sharing/incidents/{inc}/close", headers=_auth(p.alpha_key),
                        json={"debrief": "contained within the hour"})
    assert closed.json()["status"] == "closed"
    again = HTTP.post(f"{p.a_url}/v1/sharing/incidents/{inc}/close", headers=_auth(p.alpha_key), json={})
    assert again.status_code == 409
    # Another organization cannot read the incident.
    assert HTTP.get(f"{p.a_url}/v1/sharing/incidents/{inc}/notifications",
                     headers=_auth(p.bravo_key_on_a)).status_code == 404
