"""The home page's dashboard as view models for small SVG charts drawn on the server (no script, no chart library).

The figures come from :mod:`basira.reports.dashboard`; this module lays them out: bars per day in a 600 × 100
drawing (mirrored for right-to-left pages, where time runs from right to left), meters from 0 to 100 for the tables,
dates, durations and shares written in the page's language by Babel, and the link of every bar to the case list
filtered by the same kind, bank, days and status. Templates ``_chart_days.html`` and ``home.html`` draw them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_skeleton, format_timedelta
from babel.numbers import format_percent

from basira.reports.dashboard import PERIODS, BankFigures, Dashboard, KindBacklog
from basira.reports.operations import TimeToAction
from basira.web.i18n import direction

WIDTH, HEIGHT = 600.0, 100.0
#: Banks drawn as charts (the most active first); the table below them lists every bank.
BANK_CHARTS = 8
# A bar fills this share of its day's slot; the rest is the gap between bars.
FILL = 0.8


def cases_href(root: str, *, kind: str | None = None, bank: int | None = None, since: dt.date | None = None,
               until: dt.date | None = None, status: str = "all", overdue: bool = False) -> str:
    """The case list filtered the way a figure counts (the parameter names of ``/cases``)."""
    params: list[tuple[str, str]] = []
    if kind:
        params.append(("kind", kind))
    if bank is not None:
        params.append(("bank", str(bank)))
    if since is not None:
        params.append(("since", since.isoformat()))
    if until is not None:
        params.append(("until", until.isoformat()))
    params.append(("status", status))
    if overdue:
        params.append(("overdue", "1"))
    return f"{root}/cases?{urlencode(params)}"


def day_label(day: dt.date, lang: str) -> str:
    """A day as the page's language writes a day and month ("6 Dec", "6 déc.", "٦ ديسمبر")."""
    return format_skeleton("MMMd", dt.datetime.combine(day, dt.time()), locale=lang)


def duration_label(minutes: float, lang: str) -> str:
    """A duration in the page's language, in its largest sensible unit ("3 hours", "2 jours")."""
    return format_timedelta(dt.timedelta(minutes=minutes), threshold=1.0, locale=lang)


def share_label(share: float | None, lang: str) -> str:
    """A share as a percentage in the page's language; a dash where nothing was decided."""
    return "—" if share is None else format_percent(share, locale=lang)


@dataclass(frozen=True)
class DayBar:
    """One day's bar in a drawing of :data:`WIDTH` × :data:`HEIGHT` (zero-height bars are not drawn)."""

    x: float
    y: float
    width: float
    height: float
    value: int
    day: dt.date
    label: str
    href: str


@dataclass(frozen=True)
class DaySeries:
    """Cases opened per day for one kind or one bank, drawn as bars."""

    kind: str | None
    bank: BankFigures | None
    total: int
    peak: int
    bars: list[DayBar]
    href: str


def _day_link(root: str, *, kind: str | None = None, bank: int | None = None) -> Callable[[dt.date], str]:
    """The link of one day's bar: the cases of that kind or bank opened that day, whatever their status."""
    return lambda day: cases_href(root, kind=kind, bank=bank, since=day, until=day)


def _nowhere(day: dt.date) -> str:
    return ""


def _series(counts: list[int], days: list[dt.date], lang: str, link: Callable[[dt.date], str], *,
            kind: str | None = None, bank: BankFigures | None = None, whole: str = "") -> DaySeries:
    peak = max(counts, default=0)
    slot = WIDTH / max(1, len(days))
    rtl = direction(lang) == "rtl"
    bars = []
    for n, (day, value) in enumerate(zip(days, counts, strict=True)):
        height = HEIGHT * value / peak if peak else 0.0
        start = slot * n + slot * (1 - FILL) / 2
        x = WIDTH - start - slot * FILL if rtl else start
        bars.append(DayBar(round(x, 2), round(HEIGHT - height, 2), round(slot * FILL, 2), round(height, 2), value,
                           day, day_label(day, lang), link(day)))
    return DaySeries(kind, bank, sum(counts), peak, bars, whole)


@dataclass(frozen=True)
class Meter:
    """A horizontal bar from 0 to 100 in a drawing 100 wide, starting at the reading edge of the page."""

    x: float
    width: float

    @classmethod
    def of(cls, value: float, top: float, lang: str) -> Meter:
        width = round(100 * value / top, 2) if top > 0 else 0.0
        return cls(round(100 - width, 2) if direction(lang) == "rtl" else 0.0, width)


def _decisions(d: Dashboard, lang: str, root: str) -> list[dict[str, Any]]:
    top = max((t.p90_minutes for t in d.time_to_decision), default=0.0)
    order = {k: n for n, k in enumerate(d.kinds)}
    rows: list[TimeToAction] = sorted(d.time_to_decision, key=lambda t: (order.get(t.label, len(order)), t.label))
    return [{"kind": t.label, "decided": t.count, "median_minutes": t.median_minutes, "p90_minutes": t.p90_minutes,
             "median": duration_label(t.median_minutes, lang), "p90": duration_label(t.p90_minutes, lang),
             "median_meter": Meter.of(t.median_minutes, top, lang), "p90_meter": Meter.of(t.p90_minutes, top, lang),
             "href": cases_href(root, kind=t.label, since=d.window.since, until=d.window.until)} for t in rows]


def _backlog(d: Dashboard, lang: str, root: str) -> list[dict[str, Any]]:
    top = max((b.open for b in d.backlog), default=0)
    rows: list[KindBacklog] = d.backlog
    return [{"kind": b.kind, "open": b.open, "overdue": b.overdue, "decided_late": b.decided_late,
             "open_meter": Meter.of(b.open, top, lang), "overdue_meter": Meter.of(b.overdue, top, lang),
             "open_href": cases_href(root, kind=b.kind, status="open"),
             "overdue_href": cases_href(root, kind=b.kind, status="open", overdue=True),
             "late_href": cases_href(root, kind=b.kind, since=d.window.since, until=d.window.until)} for b in rows]


def bank_page(root: str, bank_id: int, access: str) -> str:
    """Where a bank's name leads: its provenance page where the viewer may see it, else the cases it raised."""
    if access in ("see", "owner"):
        return f"{root}/banks/{bank_id}/provenance"
    return cases_href(root, bank=bank_id)


def _banks(d: Dashboard, lang: str, root: str) -> list[dict[str, Any]]:
    w = d.window
    return [{"bank": b, "opened": b.opened, "decided": b.decided, "no_violation": b.no_violation,
             "reversed": b.reversed, "fp": share_label(b.false_positive_rate, lang),
             "reversal": share_label(b.reversal_rate, lang),
             "fp_meter": Meter.of(b.false_positive_rate or 0.0, 1.0, lang),
             "reversal_meter": Meter.of(b.reversal_rate or 0.0, 1.0, lang),
             # A bank no longer reachable is shown, not offered as a filter the case list would refuse.
             "href": cases_href(root, bank=b.bank_id, since=w.since, until=w.until) if b.access != "none" else None,
             "page": bank_page(root, b.bank_id, b.access) if b.access != "none" else None} for b in d.banks]


def view(d: Dashboard, days: int, lang: str, root: str) -> dict[str, Any]:
    """What ``home.html`` needs to draw the dashboard ``d`` of the last ``days`` days in ``lang``."""
    w = d.window
    kinds = [k for k in d.kinds if k in d.by_kind] + sorted(k for k in d.by_kind if k not in d.kinds)
    by_kind = [_series(d.by_kind[k], w.days, lang, _day_link(root, kind=k), kind=k,
                       whole=cases_href(root, kind=k, since=w.since, until=w.until)) for k in kinds]
    # A bank no longer reachable is drawn without links: the case list would refuse it as a filter.
    by_bank = [_series(b.per_day, w.days, lang, _day_link(root, bank=b.bank_id) if b.access != "none" else _nowhere,
                       bank=b, whole=cases_href(root, bank=b.bank_id, since=w.since, until=w.until)
                       if b.access != "none" else "") for b in d.banks]
    return {
        "days": days, "periods": PERIODS, "since": w.since, "until": w.until,
        "since_label": day_label(w.since, lang), "until_label": day_label(w.until, lang),
        "opened": d.opened, "all_href": cases_href(root, since=w.since, until=w.until),
        "by_kind": by_kind, "by_bank": by_bank[:BANK_CHARTS], "banks_not_drawn": max(0, len(by_bank) - BANK_CHARTS),
        "table_kinds": kinds, "table_banks": d.banks,
        "table_days": [(day, day_label(day, lang)) for day in w.days],
        "decisions": _decisions(d, lang, root), "backlog": _backlog(d, lang, root), "banks": _banks(d, lang, root),
        "width": int(WIDTH), "height": int(HEIGHT),
    }
