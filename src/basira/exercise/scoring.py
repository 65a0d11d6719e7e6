"""The exercise report: for each inject, whether the pipeline opened its cases, how long the team took to decide,
whether the decision was the expected one, and whether a deadline passed; as JSON and CSV (the web pages render
the same figures in English, Arabic and French).

A case inject is decided when every case it opened has a taken decision whose reason decides; its time to decision
runs from the inject to the last of them. A removal order is decided when it is executed; its deadline is its
one-hour clock. A miss is an inject the team did not decide, or decided against the scenario's ``expect``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.instance import Instance
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.exercise.models import Exercise, ExerciseInject
from basira.exercise.scenario import REMOVAL_ORDER
from basira.exercise.service import get_exercise, injects_of
from basira.legal.models import RemovalClock, RemovalOrder
from basira.review.models import Case, Decision, DecisionState

#: What became of an inject.
STATUSES = ("pending", "not_detected", "undecided", "decided", "wrong")


@dataclass
class InjectScore:
    """One inject's line of the report (times in UTC, durations in seconds)."""

    ref: str
    kind: str
    title: dict[str, str]
    expect: str
    due_at: dt.datetime
    injected_at: dt.datetime | None = None
    cases: list[int] = field(default_factory=list)
    decided_at: dt.datetime | None = None
    decisions: list[str] = field(default_factory=list)
    deadline_at: dt.datetime | None = None
    time_to_decision_s: float | None = None
    status: str = "pending"
    missed: bool = False
    breached: bool = False
    error: str = ""


@dataclass
class ExerciseReport:
    """The whole report: the exercise, a line per inject, and the totals."""

    org_slug: str
    name: str
    site: str
    state: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    generated_at: dt.datetime
    injects: list[InjectScore]

    @property
    def totals(self) -> dict[str, Any]:
        times = [i.time_to_decision_s for i in self.injects if i.time_to_decision_s is not None]
        sent = [i for i in self.injects if i.injected_at is not None]
        return {"injects": len(self.injects), "sent": len(sent),
                "decided": sum(i.status == "decided" for i in self.injects),
                "misses": sum(i.missed for i in self.injects),
                "not_detected": sum(i.status == "not_detected" for i in self.injects),
                "deadline_breaches": sum(i.breached for i in self.injects),
                "mean_time_to_decision_s": round(statistics.fmean(times), 1) if times else None,
                "median_time_to_decision_s": round(statistics.median(times), 1) if times else None}


def _violating(inst: Instance, kind: str, code: str) -> bool | None:
    spec = next((k for k in inst.fronts.case_kinds() if k.name == kind), None)
    reason = next((r for r in spec.reasons if r.code == code), None) if spec else None
    return reason.violating if reason is not None else None


def _score_cases(s: Session, inst: Instance, org_id: int, line: InjectScore, at: dt.datetime, keys: list[str],
                 deadline_s: int | None) -> None:
    cases = list(s.scalars(select(Case).where(Case.org_id == org_id, Case.group_key.in_(keys or [""]))
                           .order_by(Case.id)))
    line.cases = [c.id for c in cases]
    due = [c.due_at for c in cases]
    line.deadline_at = at + dt.timedelta(seconds=deadline_s) if deadline_s else (min(due) if due else None)
    if not cases:
        line.status = "not_detected"
        return
    decided: list[dt.datetime] = []
    verdicts: list[bool | None] = []
    for c in cases:
        decision = s.scalar(select(Decision).where(Decision.case_id == c.id,
                                                   Decision.state == DecisionState.TAKEN.value,
                                                   Decision.decided_at.is_not(None),
                                                   Decision.decided_at >= at)
                            .order_by(Decision.decided_at).limit(1))
        if decision is not None and decision.decided_at is not None:
            decided.append(decision.decided_at)
            line.decisions.append(decision.reason_code)
            verdicts.append(_violating(inst, c.kind, decision.reason_code))
    if len(decided) < len(cases):
        line.status = "undecided"
        return
    line.decided_at = max(decided)
    wanted = {"violating": True, "not_violating": False}.get(line.expect)
    line.status = "wrong" if wanted is not None and any(v is not wanted for v in verdicts) else "decided"


def _score_order(s: Session, line: InjectScore, order_id: Any) -> None:
    order = s.get(RemovalOrder, order_id) if isinstance(order_id, int) else None
    if order is None:
        line.status = "not_detected"
        return
    clock = s.get(RemovalClock, order.clock_id) if order.clock_id is not None else None
    line.deadline_at = clock.deadline_at if clock is not None else None
    line.decisions = [order.status]
    if order.executed_at is not None:
        line.decided_at = order.executed_at
        line.status = "decided"
    elif order.status == "not_executed":
        line.status = "wrong" if line.expect == "violating" else "decided"
    else:
        line.status = "undecided"


def _line(s: Session, inst: Instance, ex: Exercise, row: ExerciseInject, now: dt.datetime) -> InjectScore:
    spec = row.spec
    line = InjectScore(ref=row.ref, kind=row.kind, title=dict(spec.get("title") or {}),
                       expect=str(spec.get("expect") or "any"), due_at=ex.started_at + dt.timedelta(seconds=row.at_s),
                       injected_at=row.injected_at)
    if row.injected_at is None or not row.outcome:
        return line
    line.error = str(row.outcome.get("error") or "")
    if row.kind == REMOVAL_ORDER:
        _score_order(s, line, (row.outcome.get("records") or {}).get("order_id"))
    else:
        _score_cases(s, inst, ex.org_id, line, row.injected_at, list(row.outcome.get("case_keys") or []),
                     spec.get("deadline_s"))
    if line.decided_at is not None:
        line.time_to_decision_s = round((line.decided_at - row.injected_at).total_seconds(), 1)
    until = ex.ended_at or now
    overdue = line.deadline_at is not None and until > line.deadline_at
    line.missed = line.status in ("wrong", "not_detected") or (
        line.status == "undecided" and (ex.state == "ended" or overdue))
    if line.deadline_at is not None:
        line.breached = (line.decided_at or until) > line.deadline_at
    return line


def score(inst: Instance, principal: Principal, slug: str, now: dt.datetime | None = None) -> ExerciseReport:
    """The report of exercise ``slug`` as it stands now (the trainer's or the operator's)."""
    at = now or utcnow()
    with inst.db.session() as s:
        ex, org = get_exercise(s, principal, slug)
        lines = [_line(s, inst, ex, row, at) for row in injects_of(s, ex)]
        return ExerciseReport(org_slug=org.slug, name=ex.name, site=ex.site, state=ex.state,
                              started_at=ex.started_at, ended_at=ex.ended_at, generated_at=at, injects=lines)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def as_json(report: ExerciseReport) -> dict[str, Any]:
    """The report as a JSON value."""
    head = {k: _plain(v) for k, v in asdict(report).items() if k != "injects"}
    return {**head, "totals": report.totals, "injects": [_plain(asdict(i)) for i in report.injects]}


CSV_COLUMNS = ("ref", "kind", "title", "expect", "due_at", "injected_at", "cases", "decisions", "decided_at",
               "time_to_decision_s", "deadline_at", "status", "missed", "breached")


def as_csv(report: ExerciseReport, lang: str = "en") -> str:
    """One line per inject (titles in ``lang``); cells that a spreadsheet would run as formulas are quoted."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for i in report.injects:
        row = _plain(asdict(i))
        row["title"] = i.title.get(lang) or i.title.get("en", "")
        row["cases"] = " ".join(map(str, i.cases))
        row["decisions"] = " ".join(i.decisions)
        w.writerow([_cell(row[c]) for c in CSV_COLUMNS])
    return buf.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
