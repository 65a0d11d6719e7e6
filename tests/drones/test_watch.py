"""Watchlists and allowlists as banks of ``uas_id`` and ``operator_id`` signals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from tests.drones.helpers import UAS
from tests.drones.test_api import circle_zone, fly, kinds
from tests.factories import Api

from basira.core import banks
from basira.core.instance import Instance
from basira.core.models import Match
from basira.core.principal import Principal


def bank(instance: Instance, admin: Principal, name: str, stype: str, value: str, *, negative: bool = False,
         attributes: dict[str, Any] | None = None) -> None:
    with instance.db.session() as s:
        b = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name=name, negative=negative))
        banks.add_signals(s, admin, instance.registry, instance.settings, b.id,
                          [banks.SignalSpec(stype, value, entry_ref=f"{name}-1", attributes=attributes or {})])


def test_a_watched_drone_raises_watchlist_anywhere_once_per_track(dapi: Api, instance: Instance,
                                                                  admin: Principal) -> None:
    bank(instance, admin, "Watched drones", "uas_id", UAS.lower())
    body = fly(dapi, [5000, 5010, 5020], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10))
    assert kinds(body) == ["WATCHLIST"]
    alert = body["alerts"][0]
    assert alert["details"]["hits"][0]["bank"] == "Watched drones" and alert["match_ids"]
    with instance.db.session() as s:
        m = s.scalars(select(Match)).one()
    assert m.query_value == UAS and alert["match_ids"] == [m.id]

    from basira.review.consumer import consume

    report = consume(instance.db.session)
    assert report.opened == 1 and report.skipped == 0


def test_a_watched_operator_raises_watchlist(dapi: Api, instance: Instance, admin: Principal) -> None:
    bank(instance, admin, "Watched operators", "operator_id", "FIN87astrdge12k8-abc")
    body = fly(dapi, [100, 110], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10))
    assert kinds(body) == ["WATCHLIST"]
    assert body["alerts"][0]["details"]["hits"][0]["signal_type"] == "operator_id"


def test_an_authorised_flight_raises_no_zone_alerts_and_shows_its_allowance(dapi: Api, instance: Instance,
                                                                            admin: Principal) -> None:
    now = dt.datetime.now(dt.UTC)
    window = {"valid_from": (now - dt.timedelta(hours=1)).isoformat(),
              "valid_until": (now + dt.timedelta(hours=1)).isoformat(), "purpose": "police", "holder": "Canton police"}
    bank(instance, admin, "Authorised flights", "uas_id", UAS, negative=True, attributes={"authorisation": window})
    bank(instance, admin, "Watched drones", "uas_id", UAS)
    dapi.post("/v1/drones/zones", json=circle_zone())
    body = fly(dapi, [400 + i for i in range(5)], now - dt.timedelta(seconds=10))
    assert kinds(body) == []
    track = dapi.get("/v1/drones/tracks").json()[0]
    assert track["allowance"]["active"] is True and track["allowance"]["purpose"] == "police"


def test_an_expired_authorisation_does_not_silence_zone_alerts(dapi: Api, instance: Instance,
                                                              admin: Principal) -> None:
    now = dt.datetime.now(dt.UTC)
    window = {"valid_from": (now - dt.timedelta(days=2)).isoformat(),
              "valid_until": (now - dt.timedelta(days=1)).isoformat(), "purpose": "inspection"}
    bank(instance, admin, "Authorised flights", "uas_id", UAS, negative=True, attributes={"authorisation": window})
    dapi.post("/v1/drones/zones", json=circle_zone())
    body = fly(dapi, [400 + i for i in range(5)], now - dt.timedelta(seconds=10))
    assert kinds(body) == ["ENTER"]
    assert dapi.get("/v1/drones/tracks").json()[0]["allowance"]["active"] is False
