"""Helpers for the actions tests: a decided case, a webhook pointing at the test receiver, counting rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from tests.actions.receiver import Receiver
from tests.review.helpers import make_bank, run_consumer, submit

from basira.actions.config import ActionsConfig
from basira.actions.webhooks import WEBHOOK_EVENTS, WebhookSpec, create_webhook
from basira.core.instance import Instance
from basira.core.models import Base
from basira.core.principal import Principal
from basira.review.decisions import DecisionRequest, decide
from basira.review.models import Case


def hook(instance: Instance, admin: Principal, receiver: Receiver, config: ActionsConfig,
         events: Sequence[str] = WEBHOOK_EVENTS) -> int:
    """A webhook to the receiver; the receiver learns its secret."""
    with instance.db.session() as s:
        wh, secret = create_webhook(s, admin, WebhookSpec(url=receiver.url, events=list(events), name="test"),
                                    config.allowlist)
        receiver.secret = secret
        return wh.id


def open_case(instance: Instance, admin: Principal, value: str, ref: str) -> int:
    make_bank(instance, admin, f"bank-{ref}", [value])
    submit(instance, admin, [value], ref=ref)
    run_consumer(instance)
    with instance.db.session() as s:
        return s.scalars(select(Case.id).where(Case.group_key == f"item:{ref}")).one()


def decided_case(instance: Instance, admin: Principal, reviewer: Principal, value: str = "a" * 32,
                 ref: str = "post-1", reason: str = "incites") -> int:
    case_id = open_case(instance, admin, value, ref)
    with instance.db.session() as s:
        decide(s, reviewer, case_id, DecisionRequest(reason, "Calls for attacks."))
    return case_id


def count(instance: Instance, model: type[Base]) -> int:
    with instance.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)
