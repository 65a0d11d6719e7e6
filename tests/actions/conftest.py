"""Fixtures for the actions tests.

- ``config``: an :class:`~basira.actions.config.ActionsConfig` that allows loopback (the receiver), with a short
  timeout (2 s: long enough for a busy machine to answer, short enough that a hanging receiver costs little), and
  no jitter spread beyond the default.

The people (``reviewer``, ``second_reviewer``, ``auditor``) and the webhook ``receiver`` are in the root
``tests/conftest.py``.
"""

from __future__ import annotations

import ipaddress

import pytest

import basira.actions.models
import basira.review.models  # noqa: F401
from basira.actions.config import ActionsConfig


@pytest.fixture
def config() -> ActionsConfig:
    return ActionsConfig(timeout=2.0, allowlist=(ipaddress.ip_network("127.0.0.0/8"),))
