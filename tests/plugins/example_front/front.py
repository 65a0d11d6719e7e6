"""The example front's manifest: the one object a partner's package names in its ``basira.fronts`` entry point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from basira.core.caseshapes import MatchesEvidence, capped_text
from basira.core.fronts import CaseKindSpec, CliGroup, EventRecord, FrontManifest, Priority, Reason
from basira.core.models import OpinionKind


@dataclass(frozen=True)
class ExampleSettings:
    """Read with ``settings.of(ExampleSettings)``; ``BASIRA_EXAMPLE_GREETING`` in the environment."""

    example_greeting: str = field(default="hello", metadata={"help": "What the example front says."})


class ReportEvidence(MatchesEvidence):
    """``example_report``: one channel's reports."""

    channel: str
    reports: list[dict[str, str]]


def clean_report(payload: Mapping[str, Any]) -> dict[str, str]:
    """The documented keys of an ``example.reported`` payload, capped."""
    return {k: t for k in ("report_id", "tag") if (t := capped_text(payload.get(k))) is not None}


def urgent_if_flagged(payload: Mapping[str, object]) -> Priority:
    return Priority.HIGH if payload.get("flagged") is True else Priority.LOW


EXAMPLE_REPORT = CaseKindSpec(
    name="example_report",
    description="Reports of tagged posts, grouped by channel.",
    sla=dt.timedelta(hours=2),
    evidence=ReportEvidence,
    reasons=(Reason("abusive", "Abusive", "The tag marks abuse.", OpinionKind.CONFIRMED),
             Reason("fine", "Fine", "The tag is harmless.", OpinionKind.FALSE_POSITIVE, violating=False)),
    event="example.reported",
    group_key="channel",
    group_prefix="channel",
    priority=urgent_if_flagged,
    record=EventRecord(key="reports", id_field="report_id", clean=clean_report, limit=10),
)

MANIFEST = FrontManifest(
    name="example",
    description="Tags reported on channels.",
    signal_types=("tests.plugins.example_front.signals:ExampleTagSignal",),
    case_kinds=(EXAMPLE_REPORT,),
    settings=ExampleSettings,
    routers=("tests.plugins.example_front.api:router",),
    cli=(CliGroup("example", "tests.plugins.example_front.cli:cli_app"),),
    demo="tests.plugins.example_front.demo:load_demo",
)
