"""Charts: hostile bank names stay text, and the same report gives the same SVG."""

from __future__ import annotations

from basira.reports import charts
from basira.reports.safeguards import BankErrors, Safeguards
from basira.reports.transparency import ProviderReport


def _report(bank: str) -> ProviderReport:
    r = ProviderReport(organization="Acme", year=2026, generated_at="2026-12-31T00:00:00+00:00")
    r.safeguards = Safeguards(banks=[BankErrors(bank, 2, 3)])
    return r


def test_a_bank_name_with_markup_or_math_stays_escaped_text() -> None:
    svg = charts.false_positive_shares(_report("<script>x</script> $\\foo$ بنك"))
    assert svg is not None and "<script>" not in svg and "بنك" in svg


def test_the_same_report_gives_the_same_chart() -> None:
    assert charts.orders_by_month(_report("a")) == charts.orders_by_month(_report("a"))


def test_no_opinions_no_chart() -> None:
    r = _report("a")
    r.safeguards = Safeguards()
    assert charts.false_positive_shares(r) is None and charts.decisions_split(r, ("p", "s")) is None
