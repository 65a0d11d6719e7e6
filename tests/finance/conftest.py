"""Fixtures of the finance tests: ``cli`` (the in-process ``basira`` runner of tests/cli) for the command tests."""

from __future__ import annotations

from tests.cli.conftest import cli  # noqa: F401
