"""Dask clusters for the batch tests (``basira scan``, ``basira screen``); a plugin of tests/conftest.py, which
imports Dask only when a test asks for a cluster.

- ``threads``: a real scheduler and two workers in this process (threads), quick to start, one per module.
- :func:`processes` with :class:`Killer`: worker processes, one of them killed with SIGKILL once the first chunk is
  recorded, to show that its tasks are redone and nothing is lost or doubled.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from distributed import Client


@pytest.fixture(scope="module")
def threads() -> Iterator[Client]:
    """A real Dask scheduler and workers in this process (threads): quick to start."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


class Killer:
    """A progress callback that kills one worker process with SIGKILL after the first recorded chunk."""

    def __init__(self, client: Client) -> None:
        self.pids = sorted(client.run(os.getpid).values())
        self.killed: list[int] = []

    def __call__(self, done: int, total: int) -> None:
        if done and not self.killed:
            os.kill(self.pids[0], signal.SIGKILL)
            self.killed.append(self.pids[0])


@contextmanager
def processes(n_workers: int) -> Iterator[tuple[Client, Killer]]:
    """A local cluster of ``n_workers`` worker processes, its client and a :class:`Killer` of one of them."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        yield client, Killer(client)
    finally:
        client.close()
        cluster.close()
