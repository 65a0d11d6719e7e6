"""Rate limits per API key and per organization: token buckets held by each worker process.

A bucket of ``per_minute`` tokens refills continuously (``per_minute / 60`` a second); a request takes one from
its key's bucket and one from its organization's, or is refused with the seconds until a token is back (HTTP 429
with ``Retry-After``). With several worker processes each holds its own buckets, so the instance-wide limit is the
setting times the number of workers: set it with that in mind.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from basira.core.errors import TooManyRequests

#: Buckets kept before idle full ones are dropped (a bound on memory, whatever the number of callers).
MAX_BUCKETS = 50_000


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets by name (``key:<id>``, ``org:<id>``), safe across threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _wait(self, name: str, per_minute: int, now: float) -> float:
        """Seconds until ``name`` has a token (0 when it has one now); refills the bucket first."""
        rate = per_minute / 60.0
        b = self._buckets.get(name)
        if b is None:
            b = self._buckets[name] = _Bucket(float(per_minute), now)
        b.tokens = min(float(per_minute), b.tokens + (now - b.stamp) * rate)
        b.stamp = now
        return 0.0 if b.tokens >= 1.0 else (1.0 - b.tokens) / rate

    def take(self, limits: list[tuple[str, int]], what: str) -> None:
        """Take one token from each named bucket (a limit of 0 or less is no limit), or raise TooManyRequests
        with ``retry_after`` (whole seconds) and take none."""
        active = [(n, per) for n, per in limits if per > 0]
        if not active:
            return
        with self._lock:
            now = self._clock()
            if len(self._buckets) > MAX_BUCKETS:
                self._prune(now)
            wait = max(self._wait(n, per, now) for n, per in active)
            if wait > 0:
                retry = max(1, math.ceil(wait))
                raise TooManyRequests(f"too many {what}: try again in {retry} s", retry_after=retry)
            for n, _ in active:
                self._buckets[n].tokens -= 1.0

    def _prune(self, now: float) -> None:
        idle = [n for n, b in self._buckets.items() if now - b.stamp > 60.0]
        for n in idle:
            del self._buckets[n]
