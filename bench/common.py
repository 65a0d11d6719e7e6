"""What every benchmark shares: the result line format and a pool of worker processes."""

from __future__ import annotations


def report(name: str, value: float, unit: str, baseline: float | None = None, note: str = "") -> str:
    """One result as ``name: value unit (baseline: value, ratio: x)``, printed and returned."""
    line = f"{name}: {value:.4g} {unit}"
    if baseline is not None:
        ratio = value / baseline if baseline else float("inf")
        line += f" (baseline: {baseline:.4g}, ratio: {ratio:.2f}x)"
    if note:
        line += f"  # {note}"
    print(line, flush=True)
    return line
