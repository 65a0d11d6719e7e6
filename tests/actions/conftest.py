"""Fixtures for the actions tests.

- ``receiver``: a :class:`tests.actions.receiver.Receiver` listening on 127.0.0.1 (closed after the test).
- ``config``: an :class:`~basira.actions.config.ActionsConfig` that allows loopback (the receiver), with a short
  timeout (2 s: long enough for a busy machine to answer, short enough that a hanging receiver costs little), and
  no jitter spread beyond the default.
- ``reviewer``, ``second_reviewer``, ``auditor``: people of the ``acme`` organization.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest
from tests.actions.receiver import Receiver

import basira.actions.models
import basira.review.models  # noqa: F401
from basira.actions.config import ActionsConfig
from basira.core.models import Role
from basira.core.principal import Principal


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def config() -> ActionsConfig:
    return ActionsConfig(timeout=2.0, allowlist=(ipaddress.ip_network("127.0.0.0/8"),))


@pytest.fixture
def reviewer(org_id: int) -> Principal:
    return Principal(org_id, Role.REVIEWER, "rita")


@pytest.fixture
def second_reviewer(org_id: int) -> Principal:
    return Principal(org_id, Role.REVIEWER, "sami")


@pytest.fixture
def auditor(org_id: int) -> Principal:
    return Principal(org_id, Role.AUDITOR, "aude")
