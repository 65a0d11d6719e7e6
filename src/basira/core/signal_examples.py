"""The examples a signal type gives of itself, which the conformance test runs it on: every registered type,
built-in or a partner's, answers ``examples()`` with a :class:`SignalExamples`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignalExamples:
    """Values that show how a signal type behaves.

    Attributes:
        canonical: Valid values already in canonical form, pairwise different (``validate`` returns each as is).
        spellings: Pairs of another accepted spelling of a value and the canonical form ``validate`` gives it.
        near: Pairs of different canonical values, a bank value and a query value that it matches within the
            type's default threshold (only for types that match more than equal values).
        invalid: Inputs ``validate`` must refuse with :class:`basira.core.errors.InvalidSignal`.
    """

    canonical: tuple[str, ...]
    invalid: tuple[str, ...]
    spellings: tuple[tuple[str, str], ...] = ()
    near: tuple[tuple[str, str], ...] = ()
