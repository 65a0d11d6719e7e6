"""Fixtures for the review tests: the people (``reviewer``, ``second_reviewer``, ``third_reviewer``, ``auditor``)
are in the root ``tests/conftest.py``; banks, items and cases are built by ``tests/factories.py``."""

from __future__ import annotations

import basira.review.models  # noqa: F401  (registers the review tables on Base.metadata)
