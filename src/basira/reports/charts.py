"""Charts of the transparency report as inline SVG (matplotlib, no display, no global pyplot state).

Labels are numbers and names from the data only, so one chart serves every language; the titles around the
charts are translated by the page. Text stays text in the SVG (``svg.fonttype: none``) so that the reader's
browser shapes Arabic names, and the id salt is fixed so that the same report gives the same bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from basira.reports.transparency import ProviderReport

_INK, _ACCENT, _MUTED = "#1d2733", "#1f5f8b", "#b5462f"
_STYLE: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "basira", "font.size": 9, "axes.spines.top": False,
          "axes.spines.right": False}


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "basira"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    # Inline in HTML: no XML declaration or DOCTYPE; the <svg> element on its own.
    return text[text.index("<svg"):]


def _plain(label: str) -> str:
    """``label`` drawn as it is: a ``$`` would otherwise start matplotlib's math notation (and can fail)."""
    return label.replace("$", r"\$")[:80]


def _bars(labels: list[str], values: list[float], *, horizontal: bool = False, color: str = _ACCENT) -> str:
    labels = [_plain(label) for label in labels]
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(6.4, 2.4 if not horizontal else max(1.2, 0.35 * len(labels) + 0.6)))
        ax = fig.subplots()
        if horizontal:
            ax.barh(labels, values, color=color)
            ax.invert_yaxis()
        else:
            ax.bar(labels, values, color=color)
        ax.tick_params(colors=_INK)
        return _svg(fig)


def orders_by_month(report: ProviderReport) -> str:
    """Orders received per month (1-12)."""
    return _bars([str(m) for m in range(1, 13)], [float(n) for n in report.orders_by_month])


def false_positive_shares(report: ProviderReport) -> str | None:
    """Per bank, the share of its opinions that were false positives; None without opinions."""
    banks = [b for b in (report.safeguards.banks if report.safeguards else []) if b.false_positive_share is not None]
    if not banks:
        return None
    return _bars([b.bank for b in banks], [float(b.false_positive_share or 0) for b in banks], horizontal=True,
                 color=_MUTED)


def decisions_split(report: ProviderReport, labels: tuple[str, str]) -> str | None:
    """Human against automated decisions, with the two (translated) labels given."""
    s = report.safeguards
    if s is None or s.human_decisions + s.automated_decisions == 0:
        return None
    return _bars(list(labels), [float(s.human_decisions), float(s.automated_decisions)], horizontal=True)


def strip_ids(svg: str) -> str:
    """``svg`` with its generated ids removed (to compare two charts for equality in tests)."""
    return re.sub(r'id="[^"]*"', "", svg)


def _ring(zone: Mapping[str, Any]) -> list[tuple[float, float]]:
    """A zone's outline in lon/lat for drawing: a polygon's outer ring, or a circle around a point."""
    geometry = zone.get("geometry") or {}
    coords = geometry.get("coordinates")
    if geometry.get("type") == "Polygon" and coords:
        return [(float(x), float(y)) for x, y, *_ in coords[0]]
    if geometry.get("type") == "MultiPolygon" and coords:
        return [(float(x), float(y)) for x, y, *_ in coords[0][0]]
    if geometry.get("type") == "Point" and coords and zone.get("radius_m"):
        lon, lat, radius = float(coords[0]), float(coords[1]), float(zone["radius_m"])
        dlat = radius / 111_320
        dlon = dlat / max(0.01, math.cos(math.radians(lat)))
        return [(lon + dlon * math.cos(a), lat + dlat * math.sin(a))
                for a in (2 * math.pi * i / 72 for i in range(73))]
    return []


def track_map(report: Mapping[str, Any]) -> str | None:
    """An incident report's flight in lon/lat: the track, its start and end, the zones alerted on, the operator's
    reported position. None without positions."""
    points = [(p["lon"], p["lat"]) for p in report.get("positions") or [] if p.get("lon") is not None]
    if not points:
        return None
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(6.4, 4.2))
        ax = fig.subplots()
        for zone in report.get("zones") or []:
            ring = _ring(zone)
            if ring:
                ax.fill([x for x, _ in ring], [y for _, y in ring], color=_MUTED, alpha=0.15)
                ax.plot([x for x, _ in ring], [y for _, y in ring], color=_MUTED, linewidth=1)
        ax.plot([x for x, _ in points], [y for _, y in points], color=_ACCENT, linewidth=1.5)
        ax.plot(*points[0], marker="o", color=_ACCENT, markersize=5)
        ax.plot(*points[-1], marker="s", color=_ACCENT, markersize=5)
        operator = report.get("operator")
        if operator and operator.get("lon") is not None:
            ax.plot(operator["lon"], operator["lat"], marker="^", color=_INK, markersize=7)
        ax.set_aspect(1 / max(0.01, math.cos(math.radians(points[0][1]))))
        ax.ticklabel_format(useOffset=False, style="plain")
        ax.tick_params(colors=_INK, labelsize=7)
        return _svg(fig)
