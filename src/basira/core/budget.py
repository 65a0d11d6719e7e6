"""A budget shared by every thread of a worker process: how many pixels may be decoded at the same time.

One 10,000 x 10,000 PNG within the per-image limit costs 300-480 MB to decode; four at once took 1.9 GB. A decode
holds its pixel count from the budget while it runs; one that would pass the budget waits (up to ``wait_s``) for
others to finish, then is refused with :class:`basira.core.errors.Busy` (HTTP 503 with ``Retry-After``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from basira.core.errors import Busy

#: Seconds a decode waits for room in the budget before it is refused.
WAIT_S = 10.0

_budgets: dict[int, PixelBudget] = {}
_lock = threading.Lock()


class PixelBudget:
    """A weighted semaphore of ``capacity`` pixels; a request larger than the whole capacity may run alone."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.in_use = 0
        self._cond = threading.Condition()

    @contextmanager
    def hold(self, pixels: int, wait_s: float | None = None) -> Iterator[None]:
        """Hold ``pixels`` of the budget for the block; :class:`Busy` after ``wait_s`` (:data:`WAIT_S`) without
        room."""
        wait_s = WAIT_S if wait_s is None else wait_s
        want = min(pixels, self.capacity)
        deadline = time.monotonic() + wait_s
        with self._cond:
            while self.in_use + want > self.capacity:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Busy("the server is decoding as many pixels as it may at once; try again shortly",
                               retry_after=max(1, int(wait_s)))
                self._cond.wait(left)
            self.in_use += want
        try:
            yield
        finally:
            with self._cond:
                self.in_use -= want
                self._cond.notify_all()


def pixel_budget(capacity: int) -> PixelBudget:
    """The process's budget of ``capacity`` pixels (the setting ``image_pixel_budget``); 0 or less: no budget."""
    with _lock:
        found = _budgets.get(capacity)
        if found is None:
            found = _budgets[capacity] = PixelBudget(capacity if capacity > 0 else 1 << 62)
        return found
