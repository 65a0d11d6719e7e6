"""Batches without the cyclic garbage collector (core.gcpause): off inside, back on after (an error too), and a
caller's own pause kept; the review consumer runs its batches so."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from basira.core.gcpause import collector_paused


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_on_after_even_on_an_error() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a batch failed")
    assert gc.isenabled()


def test_a_pause_the_caller_made_is_kept() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_review_consumer_runs_each_batch_without_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    from basira.review import consumer

    seen: list[bool] = []

    def batch(*_args: Any) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(consumer, "consume_batch", batch)

    class _Session:
        def __enter__(self) -> _Session:
            return self

        def __exit__(self, *_exc: object) -> None:
            return None

    consumer.consume(_Session)  # type: ignore[arg-type]
    assert seen == [False] and gc.isenabled()
