"""Fixtures for the legal tests.

- ``authority``: an HMAC-keyed authority "DE-BKA" (Germany, Europe/Berlin) of the ``acme`` organization;
  ``secret`` is its shared key. ``unsigned_authority``: "FR-OCLCTIC" (France, Europe/Paris), registered without key.
- ``order_request(**changes)``: a complete, correctly signed Annex I order from ``authority``.
- ``T0``: a fixed receipt time (frozen clock) that the tests pass as ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.legal import authorities
from basira.legal.orders import OrderRequest, annex_fields

SECRET = "11" * 32
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
OrderFactory = Callable[..., OrderRequest]


@pytest.fixture
def authority(instance: Instance, admin: Principal) -> int:
    with instance.db.session() as s:
        spec = authorities.AuthoritySpec("DE-BKA", "DE", "Europe/Berlin", "hmac-sha256", SECRET)
        return authorities.register(s, admin, spec).id


@pytest.fixture
def unsigned_authority(instance: Instance, admin: Principal) -> int:
    with instance.db.session() as s:
        return authorities.register(s, admin, authorities.AuthoritySpec("FR-OCLCTIC", "FR", "Europe/Paris")).id


def sign(request: OrderRequest, authority_name: str = "DE-BKA", secret: str = SECRET) -> OrderRequest:
    body = authorities.signed_body(annex_fields(request, authority_name))
    request.signature = authorities.sign_hmac(secret, body)
    return request


@pytest.fixture
def order_request(authority: int) -> OrderFactory:
    def make(**changes: Any) -> OrderRequest:
        values: dict[str, Any] = {
            "authority": "DE-BKA", "reference": "BKA-2026-0001", "member_state": "DE",
            "urls": ["https://video.example/watch/abc"], "grounds": "Calls to commit attacks (made-up test order).",
            "grounds_points": ["a"], "redress": "Administrative court of Wiesbaden, within one month.",
            "signatory": "Officer on duty", "issued_at": T0 - dt.timedelta(minutes=5)}
        values.update(changes)
        return sign(OrderRequest(**values))
    return make
