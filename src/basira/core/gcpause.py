"""Batches that run without the cyclic garbage collector."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run a batch without the cyclic garbage collector.

    A batch that allocates some hundred thousand short-lived containers (rows, ORM objects, parameters) that live
    until it ends makes young collections promote them to the oldest generation while the batch still holds them,
    and the full collections that this triggers take 50-150 ms in a warmed server process, during which every
    request of the process waits: they were the p99 of drone ingest and of storing matches while the review consumer
    ran. Reference counting frees them when the batch ends; the collector resumes then. The pause is undone only
    if this call made it (a caller that turned the collector off keeps it off).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
