"""The RED match oracle of issue 21, reproduced then closed: an organization that may match a RED bank walks a
PDQ value bit by bit from yes/no answers. Per-key and per-organization rate limits (429 + Retry-After), probing
detection (many near-threshold hits on one signal quarantine it and alert its owner) and coarse answers stop it."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from sqlalchemy import select
from tests.factories import Api, problem

from basira.core.instance import Instance
from basira.core.models import AuditEntry, Bank, Event, Signal

SECRET = f"{random.Random(21).getrandbits(256):064x}"
THRESHOLD = 31


def _flip(value: int, bit: int) -> int:
    return value ^ (1 << bit)


def _matches(partner: Api, value: int) -> bool:
    r = partner.get("/m/lookup", params={"signal_type": "pdq", "signal": f"{value:064x}"})
    assert r.status_code == 200, r.text
    return bool(r.json())


def _walk(partner: Api, start: int, budget: int) -> int:
    """The attack: flip bits while the answer stays yes, until a flip is refused (the query is then exactly at the
    threshold); there, a flip that still matches is a bit where the query differs from the secret. Returns the
    value rebuilt (about 256 + 30 questions)."""
    q, asked = start, 0
    for b in range(256):
        asked += 1
        if not _matches(partner, _flip(q, b)):
            break
        q = _flip(q, b)
    mask = 0
    for b in range(256):
        if asked >= budget:
            break
        asked += 1
        if _matches(partner, _flip(q, b)):
            mask |= 1 << b
    return q ^ mask


def _red_pdq_bank(api: Api, org_key: Callable[..., str]) -> Api:
    bank = api.bank("red pdq", tlp="RED")
    api.add(bank["id"], "pdq", SECRET)
    partner = api.as_(org_key("partner", "analyst"))
    assert api.post(f"/v1/banks/{bank['id']}/share", json={"org": "partner"}).status_code == 200
    return partner


def _start() -> int:
    start = int(SECRET, 16)
    for b in random.Random(7).sample(range(256), 20):  # 20 bits away, as in the issue
        start = _flip(start, b)
    return start


def test_the_bit_walk_no_longer_rebuilds_a_red_value(api: Api, org_key: Callable[..., str],
                                                      instance: Instance) -> None:
    instance.settings = dataclasses.replace(instance.settings, probe_max_per_hour=5)
    partner = _red_pdq_bank(api, org_key)
    assert _matches(partner, _start())
    rebuilt = _walk(partner, _start(), budget=40)
    # The attack rebuilt the exact value in 269 requests; now the signal stops answering after a few near hits.
    assert rebuilt != int(SECRET, 16)
    assert bin(rebuilt ^ int(SECRET, 16)).count("1") > 10
    with instance.db.session() as s:
        sig = s.scalars(select(Signal).where(Signal.value == SECRET)).one()
        assert sig.quarantined_at is not None
        probed = s.scalars(select(Event).where(Event.kind == "signal.probed")).one()
        owner = s.get_one(Bank, sig.bank_id).org_id
        assert probed.org_id == owner and probed.payload["signal_id"] == sig.id  # the owner is alerted
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.action == "signal.probed")) is not None
    # The partner gets nothing, even for the exact value; the owner sees the quarantine and may release it.
    assert not _matches(partner, int(SECRET, 16))
    bank_id = sig.bank_id
    listed = api.get(f"/v1/banks/{bank_id}/signals").json()["signals"]
    assert listed[0]["quarantined_at"] is not None


def test_a_red_answer_carries_no_distance(api: Api, org_key: Callable[..., str]) -> None:
    partner = _red_pdq_bank(api, org_key)
    near = f"{_start():064x}"
    hit = partner.match(("pdq", near)).json()["matches"][0]
    assert hit["distance"] is None and hit["signal"] is None and not hit.get("explanation")
    assert partner.get("/m/lookup", params={"signal_type": "pdq", "signal": near}).json() == {"acme:RED": []}
    raw = partner.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": near, "include_distance": "true"})
    assert raw.json() == {"matches": []}


def test_match_requests_are_rate_limited_per_key_and_per_organization(
        api: Api, org_key: Callable[..., str], instance: Instance) -> None:
    instance.settings = dataclasses.replace(instance.settings, match_rate_per_key=3, match_rate_per_org=5)
    one, two = api.as_(org_key("partner", "analyst")), api.as_(org_key("partner", "analyst"))
    for _ in range(3):
        assert one.match(("md5", "a" * 32)).status_code == 200
    refused = problem(one.match(("md5", "a" * 32)), 429)
    assert int(one.match(("md5", "a" * 32)).headers["Retry-After"]) >= 1
    assert refused["retry_after"] >= 1
    # Another key of the same organization has its own bucket, up to the organization's.
    assert two.match(("md5", "a" * 32)).status_code == 200
    assert two.get("/m/lookup", params={"signal_type": "md5", "signal": "a" * 32}).status_code == 200
    problem(two.match(("md5", "a" * 32)), 429)
    # Other organizations are not held back.
    assert api.match(("md5", "a" * 32)).status_code == 200
