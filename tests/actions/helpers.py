"""Helpers of the actions tests: a decided case and a webhook pointing at the test receiver."""

from __future__ import annotations

from collections.abc import Sequence

from tests.factories import open_case
from tests.receiver import Receiver

from basira.actions.config import ActionsConfig
from basira.actions.webhooks import WEBHOOK_EVENTS, WebhookSpec, create_webhook
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.review.decisions import DecisionRequest, decide


def hook(instance: Instance, admin: Principal, receiver: Receiver, config: ActionsConfig,
         events: Sequence[str] = WEBHOOK_EVENTS) -> int:
    """A webhook to the receiver; the receiver learns its secret."""
    with instance.db.session() as s:
        wh, secret = create_webhook(s, admin, WebhookSpec(url=receiver.url, events=list(events), name="test"),
                                    config.allowlist)
        receiver.secret = secret
        return wh.id


def decided_case(instance: Instance, admin: Principal, reviewer: Principal, value: str = "a" * 32,
                 ref: str = "post-1", reason: str = "incites") -> int:
    case_id = open_case(instance, admin, ref, [value])
    with instance.db.session() as s:
        decide(s, reviewer, case_id, DecisionRequest(reason, "Calls for attacks."))
    return case_id
