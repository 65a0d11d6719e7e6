"""Two Basira servers on loopback, each with its own data folder and database: B pulls A's banks over TAXII.

A's organization alpha shares an AMBER bank, an AMBER+STRICT bank and a RED bank with bravo, B's organization
(which holds an account, bravo-on-a, on A). The test reads B's database file itself to prove that the RED value
never crossed, and B's own TAXII server to prove that what came under AMBER+STRICT goes no further.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.sharing.helpers import SAMPLES, canonical, make_bank, make_org
from tests.sharing.live import TAXII, serve

from basira.api.app import create_app
from basira.core import banks
from basira.core.instance import Instance
from basira.core.models import Signal
from basira.core.principal import Principal
from basira.core.settings import load_settings
from basira.sharing import client, feeds
from basira.sharing.export import instance_namespace
from basira.sharing.taxii import collection_id

RED_VALUE = "c" * 64  # a sha256 that exists only in A's RED bank


def _instance(folder: Path) -> Instance:
    return Instance(load_settings(environ={}, data_dir=folder, secret_key=f"key-{folder.name}",
                                  worker_interval_s=0, sharing_timeout_s=5.0))


@dataclass
class Pair:
    a: Instance
    b: Instance
    a_url: str
    b_url: str
    alpha: Principal
    bravo: Principal
    bravo_key_on_a: str
    bravo_key_on_b: str


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    a, b = _instance(tmp_path / "a"), _instance(tmp_path / "b")
    try:
        alpha, _ = make_org(a, "alpha", operator=True)
        _, bravo_key_on_a = make_org(a, "bravo-on-a")
        bravo, bravo_key_on_b = make_org(b, "bravo", operator=True)
        with serve(create_app(a)) as a_url, serve(create_app(b)) as b_url:
            yield Pair(a, b, a_url, b_url, alpha, bravo, bravo_key_on_a, bravo_key_on_b)
    finally:
        a.close()
        b.close()


def _collections(base: str, key: str) -> dict[str, dict[str, object]]:
    r = httpx.get(f"{base}/taxii2/api/collections/", headers={"Authorization": f"Bearer {key}", "Accept": TAXII})
    r.raise_for_status()
    return {str(c["title"]): c for c in r.json()["collections"]}


def _feed(p: Pair, name: str, collection: str, bank: str) -> int:
    with p.b.db.session() as s:
        spec = feeds.FeedSpec(name, f"{p.a_url}/taxii2/api/", collection, bank, secret=p.bravo_key_on_a)
        return feeds.add_feed(s, p.bravo, p.b.secret_key, spec).id


def _enabled(inst: Instance, bank_id: int) -> set[tuple[str, str]]:
    with inst.db.session() as s:
        rows = s.execute(select(Signal.signal_type, Signal.value).where(Signal.bank_id == bank_id,
                                                                         Signal.enabled.is_(True))).all()
    return {(t, v) for t, v in rows}


def test_two_servers_share_banks_as_their_markings_say(pair: Pair) -> None:
    p = pair
    amber_values = {t: SAMPLES[t] for t in ("md5", "pdq", "uas_id", "crypto_address")}
    make_bank(p.a, p.alpha, "partners", "AMBER", amber_values, ("bravo-on-a",))
    make_bank(p.a, p.alpha, "strict", "AMBER+STRICT", {"domain": SAMPLES["domain"]}, ("bravo-on-a",))
    make_bank(p.a, p.alpha, "red", "RED", {"sha256": RED_VALUE}, ("bravo-on-a",))
    seen_from_b = _collections(p.a_url, p.bravo_key_on_a)
    assert set(seen_from_b) == {"partners", "strict"}  # the RED bank is no collection of bravo's

    into = make_bank(p.b, p.bravo, "from alpha", "AMBER")
    into_strict = make_bank(p.b, p.bravo, "from alpha (strict)", "AMBER+STRICT", shared_with=())
    feed = _feed(p, "alpha", str(seen_from_b["partners"]["id"]), "from alpha")
    strict_feed = _feed(p, "alpha strict", str(seen_from_b["strict"]["id"]), "from alpha (strict)")
    first = client.sync_feed(p.b, feed)
    assert first.error == "" and first.added == 4
    assert _enabled(p.b, into) == {(t, canonical(p.b, t)) for t in amber_values}
    assert client.sync_feed(p.b, strict_feed).added == 1
    assert _enabled(p.b, into_strict) == {("domain", canonical(p.b, "domain"))}

    # Matchable on B through B's own API.
    r = httpx.post(f"{p.b_url}/v1/match", json={"signals": [{"signal_type": "md5", "value": SAMPLES["md5"]}]},
                   headers={"Authorization": f"Bearer {p.bravo_key_on_b}"})
    assert r.status_code == 200 and r.json()["matched"] is True

    # A deletion on A reaches B at the next sync.
    with p.a.db.session() as s:
        md5 = s.scalar(select(Signal).where(Signal.signal_type == "md5"))
        assert md5 is not None
        banks.remove_signal(s, p.alpha, md5.id)
    second = client.sync_feed(p.b, feed)
    assert second.error == "" and second.revoked == 1
    assert ("md5", canonical(p.b, "md5")) not in _enabled(p.b, into)

    # The RED value is nowhere in B's database, not even in its files.
    with p.b.db.session() as s:
        assert s.scalar(select(Signal).where(Signal.value == RED_VALUE)) is None
    p.b.db.engine.dispose()
    for path in (p.b.settings.data_dir).glob("basira.db*"):
        assert RED_VALUE.encode() not in path.read_bytes()

    # What B received under AMBER+STRICT goes no further: not to bravo's partners, not even to bravo itself.
    _, charlie_key = make_org(p.b, "charlie")
    with p.b.db.session() as s:
        banks.share_bank(s, p.bravo, into_strict, org="charlie")
    for key in (charlie_key, p.bravo_key_on_b):
        cid = _collections(p.b_url, key)["from alpha (strict)"]["id"]
        r = httpx.get(f"{p.b_url}/taxii2/api/collections/{cid}/objects/?match[type]=indicator",
                      headers={"Authorization": f"Bearer {key}", "Accept": TAXII})
        assert r.status_code == 200 and r.json()["objects"] == []


def test_a_feed_aimed_at_a_red_collection_gets_nothing(pair: Pair) -> None:
    p = pair
    red_id = make_bank(p.a, p.alpha, "red", "RED", {"sha256": RED_VALUE}, ("bravo-on-a",))
    guessed = collection_id(instance_namespace(p.a.secret_key), red_id)  # even knowing the collection's id
    make_bank(p.b, p.bravo, "into", "RED")
    report = client.sync_feed(p.b, _feed(p, "red", guessed, "into"))
    assert "HTTP 404" in report.error
    with p.b.db.session() as s:
        assert s.scalar(select(Signal).where(Signal.value == RED_VALUE)) is None
