"""The incident pusher wakes when a transaction of its own process adds signals, instead of waiting for its poll;
and a server reads its route rules at start-up, not on its first request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.receiver import Receiver

from basira.api import limits
from basira.api.app import create_app
from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from basira.sharing import incidents

SECRET = "wake-push-secret-0123456789"


@pytest.fixture
def slow_poll(database_url: str, tmp_path: Path) -> Iterator[Instance]:
    """An instance whose pusher polls every 60 s: only the wake-up can push within the test's few seconds."""
    inst = Instance(load_settings(environ={}, data_dir=tmp_path / "wake", database_url=database_url,
                                  secret_key="wake-secret", worker_interval_s=0, sharing_incident_poll_s=60.0))
    yield inst
    inst.close()


def test_a_signal_added_in_process_is_pushed_without_waiting_for_the_poll(slow_poll: Instance) -> None:
    inst = slow_poll
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "alpha", "Alpha")
        alpha = system_principal(org.id, actor="test")
        bank = banks.create_bank(s, alpha, inst.registry, banks.BankSpec(name="incident", tlp="AMBER")).id
        incidents.declare(s, alpha, "wake", bank)
    receiver = Receiver(SECRET)
    try:
        with inst.db.session() as s:
            incidents.add_subscriber(s, alpha, inst.secret_key, "bravo", receiver.url, SECRET)
        pusher = incidents.IncidentPusher(inst)
        pusher.start()
        try:
            time.sleep(0.3)  # the pusher's first round (nothing to push) is over; its next poll is 60 s away
            with inst.db.session() as s:  # a transaction that adds no signal does not wake it
                orgs.create_org(s, "test", "other", "Other")
            with inst.db.session() as s:
                banks.add_signals(s, alpha, inst.registry, inst.settings, bank,
                                  [banks.SignalSpec("md5", "d41d8cd98f00b204e9800998ecf8427e")])
            start = time.perf_counter()
            while not receiver.requests:
                assert time.perf_counter() - start < 10, "the pusher waited for its poll"
                time.sleep(0.02)
        finally:
            pusher.stop()
        assert receiver.requests[0].signed and receiver.requests[0].json["signals"] == 1
    finally:
        receiver.close()


def test_the_route_rules_are_read_at_start_up(instance: Instance) -> None:
    limits._RULES_BY_ROUTES.clear()
    app = create_app(instance)
    assert limits._route_shape(app.routes) not in limits._RULES_BY_ROUTES
    with TestClient(app):  # runs the lifespan: start-up, then shut-down
        assert limits._route_shape(app.routes) in limits._RULES_BY_ROUTES


def test_a_warm_server_builds_its_routes_at_start_up(instance: Instance) -> None:
    cold, warm = create_app(instance), create_app(instance, warm=True)
    with TestClient(cold), TestClient(warm):
        assert cold.openapi_schema is None  # built at its first request that needs it
        assert warm.openapi_schema is not None  # built, with every route's dependants, before the first request
