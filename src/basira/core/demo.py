"""What a front's part of the demo receives and gives back: the demo organization's admin, folders, and a report.

Each front seeds its own part (``content.demo``, ``finance.demo``, ``drones.demo``) from generated data that ships
with the package, through the same services a real user calls; ``basira.demo`` runs the parts in order and then lets
the review consumer turn their events into cases. Every part is idempotent: run again, it adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from basira.core.instance import Instance
from basira.core.principal import Principal

ORG_SLUG = "demo"
LABELS = ("demo", "generated")


@dataclass(frozen=True)
class DemoContext:
    """Where a part works: the instance, the demo organization's admin, a scratch folder and the files folder.

    Attributes:
        inst: The instance.
        admin: The demo organization's administrator (every change is audited as its actor).
        work: A scratch folder, deleted when the demo is made.
        files: ``<data_dir>/demo/try``: files a person may match afterwards (kept).
    """

    inst: Instance
    admin: Principal
    work: Path
    files: Path


@dataclass
class DemoPart:
    """What one part made; ``added`` counts new rows by kind (all zero when the part was there already).

    Attributes:
        name: The part, for the report (``photos``, ``texts``, ``screening``, ``drones``).
        banks: The banks the part fills.
        files: Example files kept in the files folder.
        expectations: For each example file name, what matching it shows.
        commands: Further things to try (shell commands, with ``{basira}`` for the command prefix).
        added: New rows by kind (signals, items, customers, frames, alerts …).
    """

    name: str
    banks: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    expectations: dict[str, str] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)
