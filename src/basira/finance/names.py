"""Name matcher for sanctions screening: an in-memory index of listed names that scores a query name across scripts.

A score is the sum of named features (see ``FEATURES``); every hit carries them so a compliance officer sees why.
The shared types live in :mod:`basira.finance.name_types` and are re-exported here, the matcher's front door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from basira.finance.name_scoring import IndexState
from basira.finance.name_types import (
    DEFAULT_THRESHOLD,
    FEATURE_WEIGHTS,
    FEATURES,
    MAX_NAME_CHARS,
    DateSpan,
    EntryId,
    Feature,
    Gender,
    Kind,
    NameHit,
    NameRecord,
    NameVariant,
    Quality,
)

__all__ = ["DEFAULT_THRESHOLD", "FEATURES", "FEATURE_WEIGHTS", "MAX_NAME_CHARS", "DateSpan", "EntryId", "Feature",
           "Gender", "Kind", "NameHit", "NameIndex", "NameRecord", "NameVariant", "Quality"]


class NameIndex:
    """Listed names, indexed for fast cross-script screening."""

    def __init__(self, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._state = IndexState()

    @classmethod
    def build(cls, records: Iterable[NameRecord], *, threshold: float = DEFAULT_THRESHOLD) -> NameIndex:
        """A new index holding ``records``."""
        index = cls(threshold=threshold)
        index.add(records)
        return index

    def add(self, records: Iterable[NameRecord]) -> None:
        """Adds or replaces records (a record whose ``entry_id`` is already indexed replaces the old one)."""
        self._state.add(records)

    def remove(self, entry_ids: Iterable[EntryId]) -> None:
        """Removes entries; unknown ids are ignored."""
        self._state.remove(entry_ids)

    def ready(self) -> None:
        """Computes the part weights now rather than on the first query (before saving the index)."""
        self._state.refresh()

    def __len__(self) -> int:
        return self._state.size()

    def query(
        self,
        name: str,
        *,
        birth_date: str | dt.date | DateSpan | None = None,
        nationality: str | Sequence[str] | None = None,
        gender: Gender | None = None,
        documents: Sequence[str] = (),
        kind: Kind | None = None,
        limit: int = 10,
        threshold: float | None = None,
    ) -> list[NameHit]:
        """Screens one name; hits best first, at most ``limit``, including those below the threshold.

        Raises:
            InvalidInput: The name is empty, has no letters, or is over ``MAX_NAME_CHARS``; or the birth date
                is not a valid date.
        """
        return self._state.query(
            name,
            birth_date=None if birth_date is None else DateSpan.of(birth_date),
            nationality=(nationality,) if isinstance(nationality, str) else tuple(nationality or ()),
            gender=gender,
            documents=tuple(documents),
            kind=kind,
            limit=limit,
            threshold=self.threshold if threshold is None else threshold,
        )

    def score_name(self, name: str, entry_id: EntryId, listed_name: str, *, kind: Kind | None = None) -> float:
        """The score of ``name`` against one listed name of one indexed entry (0 when the kinds differ), with
        the part weights of the whole index: what a pairwise evaluation compares, whatever other listed names
        the query would rank first.

        Raises:
            InvalidInput: As :meth:`query`.
        """
        hits = self._state.query(name, birth_date=None, nationality=(), gender=None, documents=(), kind=kind,
                                 limit=1, threshold=self.threshold, only=(entry_id, listed_name))
        return hits[0].score if hits else 0.0
