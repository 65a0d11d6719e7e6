"""The transparency report for machines: JSON (the whole report) and CSV (one figure a row)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from basira.reports.transparency import AuthorityReport, ProviderReport


def to_json(report: ProviderReport | AuthorityReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True)


def _rows(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [r for k, v in value.items() for r in _rows(f"{prefix}.{k}" if prefix else str(k), v)]
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [(prefix, ";".join("" if v is None else str(v) for v in value))]
        return [r for i, v in enumerate(value) for r in _rows(f"{prefix}[{i}]", v)]
    return [(prefix, "" if value is None else str(value))]


def to_csv(report: ProviderReport | AuthorityReport) -> str:
    """``figure,value`` rows; nested figures are dotted (``complaints.upheld``), list items indexed."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["figure", "value"])
    writer.writerows(_rows("", report.as_dict()))
    return buf.getvalue()
