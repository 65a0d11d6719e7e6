"""The example front's signal type: a hashtag, compared exactly after lower-casing."""

from __future__ import annotations

import re

from basira.core.errors import InvalidSignal
from basira.core.settings import Settings
from basira.core.signals import ExactIndex, SignalIndex, SignalType

_TAG = re.compile(r"#?([a-z0-9_]{1,64})")


class ExampleTagSignal(SignalType):
    name = "example_tag"
    content_types = frozenset({"text"})
    description = "A hashtag, lower-cased, without its '#'."
    default_content_type = "text"

    @classmethod
    def validate(cls, value: str) -> str:
        m = _TAG.fullmatch(value.strip().lower())
        if m is None:
            raise InvalidSignal(f"{value[:40]!r} is not a hashtag")
        return m.group(1)

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return 0.0 if cls.validate(a) == cls.validate(b) else 1.0

    @classmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        return ExactIndex()
