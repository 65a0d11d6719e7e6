"""The home page's banner: an open removal order's deadline, in the reader's language, gone once confirmed."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from tests.factories import PASSWORD

from basira.core.instance import Instance
from basira.core.models import User
from basira.core.principal import Principal
from basira.legal import authorities, execution
from basira.legal.orders import OrderRequest, receive

from .helpers import sign_in


def _order(instance: Instance, admin: Principal) -> int:
    with instance.db.session() as s:
        authorities.register(s, admin, authorities.AuthoritySpec("FR-OCLCTIC", "FR", "Europe/Paris"))
    req = OrderRequest(authority="FR-OCLCTIC", reference="FR-1", member_state="FR", urls=["https://a.example/x"],
                       grounds="Made-up.", grounds_points=["a"], redress="Tribunal.", signatory="Chef",
                       issued_at=dt.datetime.now(dt.UTC))
    return receive(instance.db.session, admin, req, instance.secret_key).id


def test_an_open_order_shows_a_banner_until_it_is_confirmed(client: TestClient, instance: Instance,
                                                            admin: Principal, user: User) -> None:
    order_id = _order(instance, admin)
    page = sign_in(client, "alice", PASSWORD).text
    assert f"Removal order <bdi>{order_id}</bdi> must be executed" in page
    assert "doit être exécutée" in client.get("/?lang=fr").text
    with instance.db.session() as s:
        execution.confirm(s, admin, order_id)
    assert f"Removal order <bdi>{order_id}</bdi>" not in client.get("/?lang=en").text  # the banner, not the nav link
