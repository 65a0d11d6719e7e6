"""Fixtures for the drone tests.

- ``drone_types`` (automatic): registers the ``uas_id`` and ``operator_id`` signal types in the process registry,
  as the ``basira.signal_types`` entry points will once pyproject.toml names them.
- ``dapi``: the API client (``tests.factories.Api``) with the ``acme`` admin key and a sensor ``north`` at
  (46.0, 7.0), range 2 km.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.factories import Api

from basira.core.signals import default_registry
from basira.drones.signals import OperatorIdSignal, UasIdSignal

SENSOR = {"id": "north", "name": "Roof north", "lat": 46.0, "lon": 7.0, "antenna_height_m": 10.0,
          "range_m": 2000.0}


@pytest.fixture(autouse=True)
def drone_types() -> Iterator[None]:
    reg = default_registry()
    reg.register(UasIdSignal)
    reg.register(OperatorIdSignal)
    yield


@pytest.fixture
def dapi(client: Any, admin_key: str) -> Api:
    api = Api(client, admin_key)
    r = api.post("/v1/drones/sensors", json=SENSOR)
    assert r.status_code == 201, r.text
    return api
