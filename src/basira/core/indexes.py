"""Index manager: one in-memory index per (bank, signal type), kept current from the signal change log.

The database is the source of truth. On every query the manager replays the ``signal_changes`` rows past each
index's watermark, so a signal added or disabled through any worker is seen by every worker at its next query.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core.models import Signal, SignalChange
from basira.core.signals import SignalIndex, SignalTypeRegistry


class IndexManager:
    """Holds the indexes of this process; thread-safe."""

    def __init__(self, registry: SignalTypeRegistry) -> None:
        self.registry = registry
        self._indexes: dict[tuple[int, str], SignalIndex] = {}
        self._lock = threading.Lock()

    def _build(self, session: Session, bank_id: int, signal_type: str) -> SignalIndex:
        index = self.registry.get(signal_type).new_index()
        # Take the watermark first: a change racing with the load is replayed again, which is harmless.
        watermark = session.scalar(select(func.max(SignalChange.id))) or 0
        rows = session.execute(
            select(Signal.id, Signal.value).where(
                Signal.bank_id == bank_id, Signal.signal_type == signal_type, Signal.enabled.is_(True))
        )
        index.build(rows)
        index.watermark = watermark
        return index

    def _catch_up(self, session: Session, bank_id: int, signal_type: str, index: SignalIndex) -> None:
        changes = session.execute(
            select(SignalChange.id, SignalChange.signal_id, SignalChange.op).where(
                SignalChange.bank_id == bank_id, SignalChange.signal_type == signal_type,
                SignalChange.id > index.watermark).order_by(SignalChange.id)
        ).all()
        if not changes:
            return
        added = [sid for _, sid, op in changes if op == "add"]
        removed = [sid for _, sid, op in changes if op == "remove"]
        if removed:
            index.remove(removed)
        if added:
            # The latest state decides: an add followed by a remove stays removed.
            rows = session.execute(
                select(Signal.id, Signal.value).where(Signal.id.in_(added), Signal.enabled.is_(True))
            )
            index.add(rows)
        index.watermark = changes[-1][0]

    def index(self, session: Session, bank_id: int, signal_type: str) -> SignalIndex:
        key = (bank_id, signal_type)
        with self._lock:
            idx = self._indexes.get(key)
            if idx is None:
                idx = self._build(session, bank_id, signal_type)
                self._indexes[key] = idx
            else:
                self._catch_up(session, bank_id, signal_type, idx)
            return idx

    def query(self, session: Session, bank_id: int, signal_type: str, values: Sequence[str],
              threshold: float) -> list[list[tuple[int, float]]]:
        idx = self.index(session, bank_id, signal_type)
        with self._lock:
            return idx.query(values, threshold)

    def drop(self, bank_id: int) -> None:
        with self._lock:
            for key in [k for k in self._indexes if k[0] == bank_id]:
                del self._indexes[key]


def record_change(session: Session, signal: Signal, op: str) -> None:
    """Log an add or remove of ``signal`` in the caller's transaction."""
    session.add(SignalChange(signal_id=signal.id, bank_id=signal.bank_id, signal_type=signal.signal_type, op=op))
