"""The legal duties' background round: deadline escalations, notices whose hold has ended, expired preservations.

The worker (:mod:`basira.worker`) calls :func:`run_once` every round; so can a cron job or a test with ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from basira.legal import clock, notices, preservation


@dataclass
class LegalReport:
    """What one round did: clocks warned and missed, notices released, preserved records deleted."""

    near: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    purged: list[int] = field(default_factory=list)


def run_once(sessions: Callable[[], AbstractContextManager[Session]], data_dir: Path,
             now: dt.datetime | None = None) -> LegalReport:
    with sessions() as s:
        esc = clock.escalate(s, now)
        released = notices.release_due(s, now)
    purged = preservation.purge(sessions, data_dir, now)
    return LegalReport(esc.near, esc.missed, released, purged)
