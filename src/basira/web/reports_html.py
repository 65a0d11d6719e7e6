"""The transparency report as one self-contained HTML page (charts inline as SVG) in English, Arabic or French,
for the API, the CLI and printing. It renders :mod:`basira.reports` figures; it computes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from basira.reports import charts
from basira.reports.transparency import ProviderReport
from basira.web import i18n
from basira.web.common import env


def render_report(report: ProviderReport, lang: str) -> str:
    """The report in ``lang`` (``en``, ``ar`` or ``fr``; anything else falls back to English)."""
    language = i18n.normalise(lang) or i18n.DEFAULT_LANGUAGE
    context: dict[str, Any] = i18n.template_context(language)
    tr = i18n.translations(language)
    split = charts.decisions_split(report, (tr.gettext("By people"), tr.gettext("By the system")))
    shares = charts.false_positive_shares(report)
    context.update({
        "r": report, "s": report.safeguards,
        "chart_months": Markup(charts.orders_by_month(report)),  # noqa: S704 (matplotlib's own SVG, data as text)
        "chart_shares": Markup(shares) if shares else None,  # noqa: S704
        "chart_split": Markup(split) if split else None,  # noqa: S704
    })
    return env().get_template("report_transparency.html").render(context)


def render_incident(report: Mapping[str, Any], lang: str) -> str:
    """An incident report (:func:`basira.reports.incident.incident_report`) in ``lang``."""
    language = i18n.normalise(lang) or i18n.DEFAULT_LANGUAGE
    context: dict[str, Any] = i18n.template_context(language)
    track = charts.track_map(report)
    context.update({"r": report, "chart_track": Markup(track) if track else None})  # noqa: S704 (matplotlib SVG)
    return env().get_template("report_incident.html").render(context)
