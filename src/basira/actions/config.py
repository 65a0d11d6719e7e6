"""How deliveries are sent: timeout, retry back-off with jitter, the horizon after which they are dead-lettered,
and which private addresses webhooks may reach. Built from settings, or given directly (tests, the CLI).

Settings read (``BASIRA_*``; see docs/review.md): ``webhook_timeout_s`` (10), ``webhook_retry_horizon_s`` (3600)
and ``webhook_allowlist`` (empty). They are read with defaults so that an instance whose settings lack them works.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
from dataclasses import dataclass, field
from typing import Any

from basira.core.errors import ConfigurationError
from basira.core.exercise import parse_prefixes

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter, up to a horizon.

    The n-th retry waits ``min(base * 2**(n-1), cap)`` seconds, multiplied by a random factor in
    ``[1 - jitter, 1 + jitter]`` so that many failed deliveries do not come back at the same moment. Once
    ``horizon`` has passed since the first attempt, the next failure makes the delivery dead; the last retry is
    moved to the horizon itself so that the endpoint gets a final chance there.

    Attributes:
        base: Seconds before the first retry.
        cap: The longest wait between two attempts, in seconds.
        horizon: Seconds of failures after which a delivery is dead-lettered.
        jitter: The random spread, as a fraction of the wait (0 for none).
    """

    base: float = 10.0
    cap: float = 600.0
    horizon: float = 3600.0
    jitter: float = 0.2

    def delay(self, failures: int, rng: random.Random) -> dt.timedelta:
        """The wait after the ``failures``-th failure (1 for the first)."""
        raw = min(self.base * 2 ** max(failures - 1, 0), self.cap)
        spread = rng.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else 1.0
        return dt.timedelta(seconds=raw * spread)

    def next_attempt(self, first_attempt: dt.datetime, now: dt.datetime, failures: int,
                     rng: random.Random) -> dt.datetime | None:
        """When to try again after a failure at ``now``, or None when the horizon is spent (dead letter)."""
        end = first_attempt + dt.timedelta(seconds=self.horizon)
        if now >= end:
            return None
        return min(now + self.delay(failures, rng), end)


@dataclass(frozen=True)
class ActionsConfig:
    """Everything the delivery side needs to know.

    Attributes:
        timeout: Seconds an endpoint has to answer one attempt (connect, send and read together).
        retry: Back-off and horizon.
        allowlist: Private, loopback or link-local networks that webhooks may nevertheless reach (an in-house
            receiver); public addresses are always allowed.
        batch: The most deliveries sent in one round.
        concurrency: Deliveries sent at once in a round (so a hanging endpoint holds one slot, not the round).
        exercise_endpoints: URL prefixes of the endpoints an exercise organization's webhooks may reach (and no
            other): see :mod:`basira.core.exercise`.
    """

    timeout: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    allowlist: tuple[Network, ...] = ()
    batch: int = 100
    concurrency: int = 8
    exercise_endpoints: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Any) -> ActionsConfig:
        """The configuration an instance's settings describe (missing settings take their defaults)."""
        timeout = float(settings.webhook_timeout_s)
        horizon = float(settings.webhook_retry_horizon_s)
        if timeout <= 0 or horizon < 0:
            raise ConfigurationError("BASIRA_WEBHOOK_TIMEOUT_S must be positive and the horizon not negative")
        return cls(timeout=timeout, retry=RetryPolicy(horizon=horizon),
                   allowlist=parse_allowlist(settings.webhook_allowlist),
                   exercise_endpoints=parse_prefixes(getattr(settings, "exercise_webhook_prefixes", "")))


def parse_allowlist(text: str) -> tuple[Network, ...]:
    """Comma-separated networks (``127.0.0.1/32``, ``10.0.0.0/8``, ``::1``) as a tuple, or ConfigurationError."""
    nets: list[Network] = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigurationError(f"BASIRA_WEBHOOK_ALLOWLIST: {item[:60]!r} is not an IP network") from None
    return tuple(nets)
