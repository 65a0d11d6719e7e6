"""Sharing fixtures: ``fast`` is an instance on the test backend whose TAXII client gives up quickly (timeout 1 s,
3 attempts), for tests against a hostile peer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from basira.core.instance import Instance
from basira.core.settings import load_settings


@pytest.fixture
def fast(database_url: str, tmp_path: Path) -> Iterator[Instance]:
    settings = load_settings(environ={}, data_dir=tmp_path / "fast", database_url=database_url,
                             secret_key="fast-secret", worker_interval_s=0, sharing_timeout_s=1.0,
                             sharing_retries=3, sharing_max_bundle_bytes=200_000)
    inst = Instance(settings)
    yield inst
    inst.close()
