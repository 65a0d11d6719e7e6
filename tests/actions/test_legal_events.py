"""The legal events reach webhooks like every other event: a deadline about to pass, then passed."""

from __future__ import annotations

import datetime as dt

from tests.actions.helpers import hook
from tests.receiver import Receiver

from basira.actions.config import ActionsConfig
from basira.core.instance import Instance
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.legal import authorities
from basira.legal.orders import OrderRequest, receive
from basira.worker import run_once


def test_deadline_near_then_missed_are_delivered_as_signed_webhooks(
        instance: Instance, admin: Principal, receiver: Receiver, config: ActionsConfig) -> None:
    hook(instance, admin, receiver, config, ["legal.deadline_near", "legal.deadline_missed"])
    with instance.db.session() as s:
        authorities.register(s, admin, authorities.AuthoritySpec("FR-OCLCTIC", "FR", "Europe/Paris"))
    received = utcnow() - dt.timedelta(minutes=50)
    order = receive(instance.db.session, admin, OrderRequest(
        authority="FR-OCLCTIC", reference="FR-9", member_state="FR", urls=["https://a.example/x"], grounds="Made-up.",
        grounds_points=["a"], redress="Tribunal.", signatory="Chef", issued_at=received), instance.secret_key,
        now=received)
    run_once(instance, config=config)
    run_once(instance, config=config, now=utcnow() + dt.timedelta(minutes=20))
    assert [r.headers["basira-event"] for r in receiver.requests] == ["legal.deadline_near", "legal.deadline_missed"]
    assert all(r.signed for r in receiver.requests)
    assert receiver.requests[1].json["data"]["order_ids"] == [order.id]
