"""The reason codes a reviewer chooses from, per case kind, and what each one does.

Each front's manifest lists the reasons of its case kinds (:class:`basira.core.fronts.Reason`); this module reads
them. Each reason says which opinion the decision records on the signals of the case (``confirmed``,
``false_positive`` or none), whether it decides the case, and whether it suppresses the same hit in future.
"""

from __future__ import annotations

from basira.core.errors import InvalidInput
from basira.core.fronts import FrontRegistry, Reason, default_fronts

__all__ = ["Reason", "reason_for", "reasons_by_kind", "reasons_for"]


def reasons_by_kind(fronts: FrontRegistry | None = None) -> dict[str, tuple[Reason, ...]]:
    """Every case kind's reason codes, in the fronts' order."""
    return {k.name: k.reasons for k in (fronts or default_fronts()).case_kinds()}


def reasons_for(kind: str, fronts: FrontRegistry | None = None) -> tuple[Reason, ...]:
    """The reason codes a reviewer may choose for a case of ``kind``."""
    return (fronts or default_fronts()).case_kind(kind).reasons


def reason_for(kind: str, code: str) -> Reason:
    """The reason ``code`` of case kind ``kind``, or InvalidInput naming the codes that exist."""
    options = reasons_for(kind)
    for r in options:
        if r.code == code:
            return r
    raise InvalidInput(f"unknown reason {code!r} for a {kind} case ({', '.join(r.code for r in options)})")
