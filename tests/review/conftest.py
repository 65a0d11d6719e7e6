"""Fixtures for the review tests.

- ``reviewer``, ``second_reviewer``, ``third_reviewer``: reviewers (role ``reviewer``) of the ``acme`` organization
  (``org_id``), named rita, sami and tala; ``auditor``: an auditor of it.

Helpers that fill banks and match items through the core services are in ``tests/review/helpers.py``.
"""

from __future__ import annotations

import pytest

import basira.review.models  # noqa: F401  (registers the review tables on Base.metadata)
from basira.core.models import Role
from basira.core.principal import Principal


@pytest.fixture
def reviewer(org_id: int) -> Principal:
    return Principal(org_id, Role.REVIEWER, "rita")


@pytest.fixture
def second_reviewer(org_id: int) -> Principal:
    return Principal(org_id, Role.REVIEWER, "sami")


@pytest.fixture
def third_reviewer(org_id: int) -> Principal:
    return Principal(org_id, Role.REVIEWER, "tala")


@pytest.fixture
def auditor(org_id: int) -> Principal:
    return Principal(org_id, Role.AUDITOR, "aude")
