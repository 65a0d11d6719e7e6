"""What a front's part of an exercise receives and gives back: the exercise organization's admin, the chosen site,
and, for each inject the trainer sends, what it made and which review cases it should open.

A front names an :class:`ExerciseHook` in its manifest (``exercise``). ``seed`` fills the exercise organization with
the front's synthetic data when the exercise starts (most fronts reuse their demo part); ``injects`` maps inject
kinds (``hash_list``, ``drone_enters_zone``, ``list_update`` …) to the function that plays one. Everything goes
through the services a real user calls, so that what a team rehearses is what runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from basira.core.demo import DemoPart
from basira.core.instance import Instance
from basira.core.principal import Principal


@dataclass(frozen=True)
class ExerciseContext:
    """Where a part works: the instance, the exercise organization's admin, folders and the chosen site.

    Attributes:
        inst: The instance.
        admin: The exercise organization's administrator (never an operator: it acts in its organization only).
        work: A scratch folder, deleted afterwards.
        files: ``<data_dir>/exercise/<organization>``: files the exercise keeps.
        site: The site's zones as a zone document (GeoJSON, ED-269 or ED-318), or None when no site was chosen.
        site_name: The site's name, for titles.
    """

    inst: Instance
    admin: Principal
    work: Path
    files: Path
    site: Mapping[str, Any] | None = None
    site_name: str = ""


@dataclass
class InjectResult:
    """What one inject made.

    Attributes:
        summary: One English sentence for the trainer's log.
        case_keys: The group keys of the review cases the inject should open (``item:<ref>``, ``customer:<ref>``,
            ``track:<id>``): the exercise report scores the decisions on them.
        records: Values later injects may use (``urls`` of content a removal order may name, say).
        added: New rows by kind.
    """

    summary: str
    case_keys: list[str] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)


InjectFunction = Callable[[ExerciseContext, Mapping[str, Any]], InjectResult]


@dataclass(frozen=True)
class ExerciseHook:
    """A front's part of the exercise mode.

    Attributes:
        seed: Fills the exercise organization with the front's synthetic data (idempotent), like a demo hook.
        injects: Inject kind → the function that plays it, given the inject's parameters from the scenario file
            (already checked to be a JSON object; the function checks its own keys and raises InvalidInput).
    """

    seed: Callable[[ExerciseContext], list[DemoPart]]
    injects: Mapping[str, InjectFunction] = field(default_factory=dict)
